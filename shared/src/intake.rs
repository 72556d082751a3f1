//! A new ticket's draft, however it arrived (the API, a mail): the labels given, or the
//! classifier's suggestion, and the history of both.

use crate::{
    classifier::Classifier,
    domain::{Actor, Confidence, EventKind, NewEvent, NewTicket, Priority, Sentiment},
    repository::{Requester, TicketDraft, Triage},
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
    let (category, priority, triage) = match (ticket.category, ticket.priority) {
        (Some(category), Some(priority)) => (category, priority, Triage::by_person()),
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
            let chosen_priority = priority.unwrap_or(suggestion.suggested_priority);
            // Only what the classifier chose can be a doubtful guess; a person's label is not.
            let unsure = |given: bool, confidence| !given && confidence == Confidence::Low;
            let needs_triage = unsure(category.is_some(), suggestion.confidence.category)
                || unsure(priority.is_some(), suggestion.confidence.priority)
                || (suggestion.sentiment == Sentiment::Negative
                    && chosen_priority != Priority::Low);
            let triage = Triage {
                classified_by: suggestion.source.into(),
                assessment: Some((
                    suggestion.confidence,
                    suggestion.sentiment,
                    suggestion.language.clone(),
                )),
                needs_triage,
            };
            (
                category.unwrap_or(suggestion.suggested_category),
                chosen_priority,
                triage,
            )
        }
    };
    TicketDraft {
        title: ticket.title,
        description: ticket.description,
        category,
        priority,
        requester,
        triage,
        history,
    }
}
