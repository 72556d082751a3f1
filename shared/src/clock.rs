//! The time the product reads where a rule depends on it (SLA states and queues, the 30-day
//! statistics), so tests can put it anywhere instead of sleeping. The database still stamps
//! rows with its own `now()`; due times are computed from those stamps.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// The system clock, or (tests) a clock that moves only when told.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system's time.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock standing at `at` until [`Clock::set`] or [`Clock::advance`] moves it.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock to `at`; the system clock cannot be moved.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(current) = &self.0 {
            *current.lock().unwrap_or_else(PoisonError::into_inner) = at;
        }
    }

    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = DateTime::from_timestamp(1_764_000_000, 0).unwrap();
        let clock = Clock::manual(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        shared.advance(Duration::minutes(5));
        assert_eq!(clock.now(), start + Duration::minutes(5));
        let system = Clock::system();
        system.set(start);
        assert!(system.now() > start);
    }
}
