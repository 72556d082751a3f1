//! Keyset paging, as every list of the API does it: `limit` and an opaque `cursor` in the
//! query, one row more fetched than asked to know whether a next page exists, and a `Link`
//! header naming it.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{ApiError, extract::QueryParams};
use crate::domain::FieldErrors;

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 200;

/// Which list a cursor belongs to, written into it: a cursor of one list (or order) is refused
/// by another rather than read as a position it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKind {
    /// Tickets, newest first.
    Newest,
    /// Tickets of an SLA queue, by due time.
    Due,
    Comments,
    Events,
}

impl CursorKind {
    fn tag(self) -> &'static str {
        match self {
            Self::Newest => "",
            Self::Due => "d",
            Self::Comments => "c",
            Self::Events => "e",
        }
    }
}

/// Cursors are opaque to clients: the kind's tag, a time in microseconds and an id,
/// base64url-encoded.
pub fn encode_cursor(kind: CursorKind, at: DateTime<Utc>, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}{}.{id}", kind.tag(), at.timestamp_micros()))
}

pub fn decode_cursor(kind: CursorKind, raw: &str) -> Option<(DateTime<Utc>, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?.strip_prefix(kind.tag())?;
    let (micros, id) = text.split_once('.')?;
    // Tags are letters and positions start with a digit or `-`: another kind's cursor fails
    // to parse here.
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        id.parse().ok().filter(|id| *id > 0)?,
    ))
}

/// `limit`: absent for the default, else 1 to [`MAX_PAGE_SIZE`].
pub fn limit(raw: Option<&str>) -> Result<i64, String> {
    match raw.map(str::parse::<i64>) {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(Ok(limit)) if (1..=MAX_PAGE_SIZE).contains(&limit) => Ok(limit),
        Some(_) => Err(format!("must be an integer from 1 to {MAX_PAGE_SIZE}")),
    }
}

/// `cursor`: absent or empty for the first page.
pub fn cursor(kind: CursorKind, raw: Option<&str>) -> Result<Option<(DateTime<Utc>, i64)>, String> {
    match raw.filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        Some(raw) => decode_cursor(kind, raw)
            .map(Some)
            .ok_or_else(|| "is not a cursor this API issued".to_owned()),
    }
}

/// Files `name`'s message, if `parsed` failed, and returns the value otherwise.
pub fn collect<T>(errors: &mut FieldErrors, name: &str, parsed: Result<T, String>) -> Option<T> {
    parsed
        .map_err(|message| errors.entry(name.to_owned()).or_default().push(message))
        .ok()
}

/// Reports every parameter of `query` not among `accepted`.
pub fn refuse_unknown(errors: &mut FieldErrors, query: &QueryParams, accepted: &[&str]) {
    for (name, _) in &query.0 {
        if !accepted.contains(&name.as_str()) {
            let message = format!(
                "is not an accepted parameter (accepted: {})",
                accepted.join(", ")
            );
            collect::<()>(errors, name, Err(message));
        }
    }
}

/// A page of a list without filters (a ticket's comments or events): the query's `limit` and
/// `cursor`, nothing else.
pub struct PageQuery {
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

impl PageQuery {
    pub fn parse(query: &QueryParams, kind: CursorKind) -> Result<Self, ApiError> {
        let errors = &mut FieldErrors::new();
        let limit = collect(errors, "limit", limit(query.get("limit")));
        let after = collect(errors, "cursor", cursor(kind, query.get("cursor"))).flatten();
        refuse_unknown(errors, query, &["limit", "cursor"]);
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self { after, limit }),
            _ => Err(ApiError::Validation(std::mem::take(errors))),
        }
    }

    /// The `Link` value for the page after the one ending with (`at`, `id`).
    pub fn next_link(&self, path: &str, kind: CursorKind, at: DateTime<Utc>, id: i64) -> String {
        next_link(path, &[], self.limit, &encode_cursor(kind, at, id))
    }
}

/// `<path?filters&limit&cursor>; rel="next"`, the default limit left out.
pub fn next_link(path: &str, filters: &[(&str, String)], limit: i64, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters {
        query.append_pair(name, value);
    }
    if limit != DEFAULT_PAGE_SIZE {
        query.append_pair("limit", &limit.to_string());
    }
    query.append_pair("cursor", cursor);
    format!("<{path}?{}>; rel=\"next\"", query.finish())
}

/// About the JSON size of a listed ticket (a kilobyte with a few hundred characters of
/// description); comments and events are smaller.
const BYTES_PER_ROW: usize = 1024;

/// The JSON answer for `rows`, fetched with one more than `limit` asked: at most `limit` of
/// them, and when there were more, a `Link` to the page after the last one (`next` makes it).
pub fn page<T: Serialize>(
    mut rows: Vec<T>,
    limit: i64,
    next: impl FnOnce(&T) -> String,
) -> Response {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let link = rows.last().filter(|_| more).map(next);
    // One buffer sized for the page up front: `Json` starts at 128 bytes and grows by copying,
    // a dozen times for a page of tickets (bench/profile.md: copying was 5% of a list's CPU).
    let mut body = Vec::with_capacity(rows.len().max(1) * BYTES_PER_ROW);
    let mut response = match serde_json::to_writer(&mut body, &rows) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a page could not be written as JSON");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    if let Some(link) = link.and_then(|link| HeaderValue::from_str(&link).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_or_another_lists_are_refused() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        for kind in [
            CursorKind::Newest,
            CursorKind::Due,
            CursorKind::Comments,
            CursorKind::Events,
        ] {
            assert_eq!(
                decode_cursor(kind, &encode_cursor(kind, at, 42)),
                Some((at, 42))
            );
        }
        let due = encode_cursor(CursorKind::Due, at, 42);
        assert_eq!(decode_cursor(CursorKind::Newest, &due), None);
        let newest = encode_cursor(CursorKind::Newest, at, 42);
        assert_eq!(decode_cursor(CursorKind::Due, &newest), None);
        for garbage in ["", "!!!", "bm9wZQ", "MTIz", "eC55"] {
            assert_eq!(
                decode_cursor(CursorKind::Newest, garbage),
                None,
                "{garbage}"
            );
        }
    }
}
