//! Writing assistance for agents: a draft of the next public reply, and a summary of a thread.
//! The instructions live in `assist/*.md`; the ticket goes in as delimited JSON data
//! ([`super::prompt::data_message`]), like the text a classification reads.
//!
//! What may go in differs by reader: a reply draft becomes a message to the requester, so it is
//! written from the public conversation only; a summary is for agents, so it reads the internal
//! notes too.

use serde_json::{Value, json};

use super::{Writing, prompt::data_message};
use crate::domain::{Comment, Ticket, Visibility};

/// The instructions for a reply draft (see `assist/reply_draft.md`).
pub const REPLY_DRAFT: &str = include_str!("assist/reply_draft.md");
/// The instructions for a summary (see `assist/summary.md`).
pub const SUMMARY: &str = include_str!("assist/summary.md");

/// The longest summary served, in words; a longer answer is cut there.
pub const SUMMARY_MAX_WORDS: usize = 100;
/// How much of each message goes to the model: enough for any real reply, and a bound on what
/// one long paste costs.
const MESSAGE_MAX_CHARS: usize = 4_000;
/// How many messages of a thread go to the model: the first (how it started) and the latest.
const THREAD_MAX_MESSAGES: usize = 30;

/// A resolved ticket like the one being answered, and the last public reply that resolved it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResolvedExample {
    pub title: String,
    pub agent_reply: String,
}

/// What to ask for a reply draft of `ticket`: its public conversation and the replies that
/// resolved similar tickets. Internal notes never go in.
pub fn reply_draft(ticket: &Ticket, comments: &[Comment], resolved: &[ResolvedExample]) -> Writing {
    let public: Vec<&Comment> = comments
        .iter()
        .filter(|comment| comment.visibility == Visibility::Public)
        .collect();
    let examples: Vec<Value> = resolved
        .iter()
        .map(|example| {
            json!({
                "title": example.title,
                "agent_reply": clip(&example.agent_reply),
            })
        })
        .collect();
    let data = format!(
        "{}\n{}",
        data_message(
            "Draft the agent's next public reply to this ticket.",
            "thread",
            &thread(ticket, &public),
        ),
        data_message(
            "Replies that resolved similar tickets:",
            "resolved",
            &Value::Array(examples),
        ),
    );
    Writing {
        instructions: REPLY_DRAFT,
        data,
        max_output_tokens: 600,
    }
}

/// What to ask for a summary of `ticket`, for agents: every comment, internal notes included.
pub fn summary(ticket: &Ticket, comments: &[Comment]) -> Writing {
    let all: Vec<&Comment> = comments.iter().collect();
    Writing {
        instructions: SUMMARY,
        data: data_message("Summarise this ticket.", "thread", &thread(ticket, &all)),
        max_output_tokens: 400,
    }
}

/// At most [`SUMMARY_MAX_WORDS`] words of `text`, its line breaks kept; cut with an ellipsis.
pub fn within_summary_length(text: &str) -> String {
    let mut words = 0;
    let mut end = text.len();
    let mut in_word = false;
    for (index, ch) in text.char_indices() {
        if ch.is_whitespace() {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
            if words > SUMMARY_MAX_WORDS {
                end = index;
                break;
            }
        }
    }
    if end == text.len() {
        text.to_owned()
    } else {
        format!("{}…", text[..end].trim_end())
    }
}

fn thread(ticket: &Ticket, comments: &[&Comment]) -> Value {
    let first = comments.len().saturating_sub(THREAD_MAX_MESSAGES - 1);
    let shown = comments.first().into_iter().take(usize::from(first > 0));
    let messages: Vec<Value> = shown
        .chain(&comments[first..])
        .map(|comment| {
            json!({
                "from": if comment.author_is_staff { "agent" } else { "customer" },
                "name": comment.author_name,
                "visibility": comment.visibility,
                "at": comment.created_at,
                "text": clip(&comment.body),
            })
        })
        .collect();
    json!({
        "ticket": ticket.id,
        "title": ticket.title,
        "customer": ticket.requester_name,
        "status": ticket.status,
        "category": ticket.category,
        "priority": ticket.priority,
        "created_at": ticket.created_at,
        "description": clip(&ticket.description),
        "messages": messages,
    })
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_cut_at_its_word_limit() {
        let short = "Problem: cannot log in.\nNext step: reset 2FA.";
        assert_eq!(within_summary_length(short), short);
        let long = "word ".repeat(130);
        let cut = within_summary_length(&long);
        assert_eq!(cut.split_whitespace().count(), SUMMARY_MAX_WORDS);
        assert!(cut.ends_with("word…"), "{cut}");
    }

    #[test]
    fn long_messages_are_clipped_on_a_character_boundary() {
        let text = "é".repeat(MESSAGE_MAX_CHARS + 10);
        let clipped = clip(&text);
        assert_eq!(clipped.chars().count(), MESSAGE_MAX_CHARS + 1);
    }
}
