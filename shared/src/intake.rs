//! A new ticket's draft, however it arrived (the API, a mail): the labels given, or the
//! classifier's suggestion, and the history of both.

use crate::{
    classifier::Classifier,
    domain::{Actor, EventKind, NewEvent, NewTicket},
    repository::{Requester, TicketDraft},
};

/// The draft to store: the labels given, and the classifier's suggestion for those omitted,
/// with its history: filed by `filed_by`, labelled by the classifier where it chose.
pub async fn labelled(
    classifier: &Classifier,
    ticket: NewTicket,
    requester: Requester,
    filed_by: Actor,
) -> TicketDraft {
    let mut history = vec![NewEvent::new(EventKind::Created, filed_by, None, None)];
    let (category, priority) = match (ticket.category, ticket.priority) {
        (Some(category), Some(priority)) => (category, priority),
        (category, priority) => {
            // Title and description together: more signal than the description alone.
            let text = format!(
                "{}\n\n{}",
                ticket.title.as_str(),
                ticket.description.as_str()
            );
            let suggestion = classifier.classify(&text).await;
            let mut suggested = |kind, label: String| {
                history.push(NewEvent::new(kind, Actor::Classifier, None, Some(label)));
            };
            if category.is_none() {
                suggested(
                    EventKind::CategoryChanged,
                    suggestion.suggested_category.to_string(),
                );
            }
            if priority.is_none() {
                suggested(
                    EventKind::PriorityChanged,
                    suggestion.suggested_priority.to_string(),
                );
            }
            (
                category.unwrap_or(suggestion.suggested_category),
                priority.unwrap_or(suggestion.suggested_priority),
            )
        }
    };
    TicketDraft {
        title: ticket.title,
        description: ticket.description,
        category,
        priority,
        requester,
        history,
    }
}
