//! The ticket list's query string: label filters, search, page size and cursor, each read by a
//! parser of its own; every invalid parameter is reported at once. Also the opaque cursor and
//! the `Link` to the next page, which repeats the query.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;

use super::{ApiError, extract::QueryParams};
use crate::{
    domain::{FieldErrors, Ticket, TicketScope, UnknownValue},
    repository::{PageAfter, TicketFilter},
};

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 200;
const SEARCH_MAX_CHARS: usize = 200;
const PARAMETERS: &[&str] = &[
    "category", "priority", "status", "search", "limit", "cursor",
];

/// A parsed list request.
pub struct ListQuery {
    pub filter: TicketFilter,
    pub after: Option<PageAfter>,
    pub limit: i64,
}

impl ListQuery {
    /// The list `query` asks for, within the tickets `scope` lets the caller see.
    pub fn parse(query: &QueryParams, scope: TicketScope) -> Result<Self, ApiError> {
        let errors = &mut FieldErrors::new();
        let category = collect(errors, "category", label(query.get("category"))).flatten();
        let priority = collect(errors, "priority", label(query.get("priority"))).flatten();
        let status = collect(errors, "status", label(query.get("status"))).flatten();
        let search = collect(errors, "search", search(query.get("search"))).flatten();
        let limit = collect(errors, "limit", limit(query.get("limit")));
        let after = collect(errors, "cursor", cursor(query.get("cursor"))).flatten();
        for (name, _) in &query.0 {
            if !PARAMETERS.contains(&name.as_str()) {
                let message = format!(
                    "is not an accepted parameter (accepted: {})",
                    PARAMETERS.join(", ")
                );
                collect::<()>(errors, name, Err(message));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(std::mem::take(errors)));
        }
        Ok(Self {
            filter: TicketFilter {
                scope,
                category,
                priority,
                status,
                search,
            },
            after,
            limit: limit.unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }

    /// The `Link` header value for the page after `last`, keeping every filter.
    pub fn next_page_link(&self, path: &str, last: &Ticket) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(category) = self.filter.category {
            query.append_pair("category", category.as_str());
        }
        if let Some(priority) = self.filter.priority {
            query.append_pair("priority", priority.as_str());
        }
        if let Some(status) = self.filter.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(search) = &self.filter.search {
            query.append_pair("search", search);
        }
        if self.limit != DEFAULT_PAGE_SIZE {
            query.append_pair("limit", &self.limit.to_string());
        }
        let cursor = encode_cursor(PageAfter {
            created_at: last.created_at,
            id: last.id,
        });
        query.append_pair("cursor", &cursor);
        format!("<{path}?{}>; rel=\"next\"", query.finish())
    }
}

/// The value, or `None` with the message filed under `name`.
fn collect<T>(errors: &mut FieldErrors, name: &str, parsed: Result<T, String>) -> Option<T> {
    parsed
        .map_err(|message| errors.entry(name.to_owned()).or_default().push(message))
        .ok()
}

/// A label filter: absent means any; present must be an allowed value (not empty).
fn label<T: std::str::FromStr<Err = UnknownValue>>(raw: Option<&str>) -> Result<Option<T>, String> {
    raw.map(str::parse)
        .transpose()
        .map_err(|error: UnknownValue| error.to_string())
}

/// A case-insensitive substring, taken literally; blank means no search. Never holds control
/// characters, which the search's index expression uses as a separator.
fn search(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(search) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if search.chars().count() > SEARCH_MAX_CHARS {
        Err(crate::domain::too_long(SEARCH_MAX_CHARS))
    } else if search.chars().any(char::is_control) {
        Err("must not contain control characters".to_owned())
    } else {
        Ok(Some(search.to_owned()))
    }
}

fn limit(raw: Option<&str>) -> Result<i64, String> {
    match raw.map(str::parse::<i64>) {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(Ok(limit)) if (1..=MAX_PAGE_SIZE).contains(&limit) => Ok(limit),
        Some(_) => Err(format!("must be an integer from 1 to {MAX_PAGE_SIZE}")),
    }
}

fn cursor(raw: Option<&str>) -> Result<Option<PageAfter>, String> {
    match raw.filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        Some(raw) => decode_cursor(raw)
            .map(Some)
            .ok_or_else(|| "is not a cursor this API issued".to_owned()),
    }
}

/// Cursors are opaque to clients: `created_at` in microseconds and the id, base64url-encoded.
fn encode_cursor(after: PageAfter) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}.{}",
        after.created_at.timestamp_micros(),
        after.id
    ))
}

fn decode_cursor(raw: &str) -> Option<PageAfter> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (micros, id) = text.split_once('.')?;
    Some(PageAfter {
        created_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        id: id.parse().ok().filter(|id| *id > 0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let after = PageAfter {
            created_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            id: 42,
        };
        assert_eq!(decode_cursor(&encode_cursor(after)), Some(after));
        for garbage in ["", "!!!", "bm9wZQ", "MTIz", "eC55"] {
            assert_eq!(decode_cursor(garbage), None, "{garbage}");
        }
    }
}
