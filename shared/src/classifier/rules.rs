//! Placeholder: the rule classifier is being written.
use super::Labels;
use crate::domain::{Category, Priority};

pub fn classify(_text: &str) -> Labels {
    Labels {
        category: Category::General,
        priority: Priority::Medium,
    }
}
