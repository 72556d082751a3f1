//! Conditional requests on what clients poll (the ticket lists and the statistics): an `ETag`
//! that says which [change version](crate::repository::change_version) the answer is as of,
//! until when it stays true without a write (SLA states change with time), and for whom and
//! which query it was made; `If-None-Match` with a tag that still holds is answered
//! `304 Not Modified` after reading the version alone, not the rows.
//!
//! The version is kept by the database, so a tag made by one process or Lambda instance is
//! checked by any other. A tag is not secret and needs no signature: the only thing a made-up
//! tag can obtain is a 304, an answer without a body.

use std::hash::{DefaultHasher, Hash, Hasher};

use axum::{
    http::{
        HeaderMap, HeaderValue, StatusCode, Uri,
        header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY},
    },
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};

use crate::domain::User;

/// What an answer is as of, and for which request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validator {
    /// The change version read with the answer.
    pub version: i64,
    /// The answer may change at this moment without any write; `None`: only a write changes it.
    pub expires: Option<DateTime<Utc>>,
    /// Who asked what: [`request_identity`].
    pub identity: u64,
}

impl Validator {
    /// `"c<version>.<expiry in µs, 0 for none>.<identity>"`.
    pub fn etag(&self) -> String {
        let expires = self.expires.map_or(0, |at| at.timestamp_micros());
        format!("\"c{}.{expires}.{:016x}\"", self.version, self.identity)
    }

    fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        let inner = tag.strip_prefix("\"c")?.strip_suffix('"')?;
        let mut parts = inner.split('.');
        let version = parts.next()?.parse().ok()?;
        let expires = match parts.next()?.parse::<i64>().ok()? {
            0 => None,
            micros => Some(DateTime::from_timestamp_micros(micros)?),
        };
        let identity = u64::from_str_radix(parts.next()?, 16).ok()?;
        parts.next().is_none().then_some(Self {
            version,
            expires,
            identity,
        })
    }

    fn holds_at(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_none_or(|expires| now < expires)
    }
}

/// Who asks for what: the caller (two accounts in one browser never share a cached answer, and a
/// new role sees new members) and the path and query. Stable across processes of one build.
pub fn request_identity(caller: &User, uri: &Uri) -> u64 {
    let mut hasher = DefaultHasher::new();
    (caller.id, caller.role, uri.path(), uri.query()).hash(&mut hasher);
    hasher.finish()
}

/// The tags of `If-None-Match` made for this request that have not expired at `now`: the ones
/// a 304 may answer if their version is still the current one.
pub fn held_validators(headers: &HeaderMap, identity: u64, now: DateTime<Utc>) -> Vec<Validator> {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(Validator::parse)
        .filter(|held| held.identity == identity && held.holds_at(now))
        .collect()
}

/// The held validator of the current version, if any.
pub fn still_current(held: &[Validator], version: i64) -> Option<&Validator> {
    held.iter().find(|held| held.version == version)
}

/// `304 Not Modified`, with the tag it confirms.
pub fn not_modified(validator: &Validator) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    set_validator_headers(&mut response, validator);
    response
}

/// `response` with its `ETag`, and told to be revalidated before each reuse.
pub fn with_validator(mut response: Response, validator: &Validator) -> Response {
    set_validator_headers(&mut response, validator);
    response
}

fn set_validator_headers(response: &mut Response, validator: &Validator) {
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&validator.etag()) {
        headers.insert(ETAG, etag);
    }
    // A browser may keep it (for its owner only) but must ask before using it again.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(VARY, HeaderValue::from_static("Authorization"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(expires: Option<DateTime<Utc>>) -> Validator {
        Validator {
            version: 42,
            expires,
            identity: 0xdead_beef,
        }
    }

    #[test]
    fn a_tag_reads_back_as_the_validator_it_was_made_from() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        for made in [validator(None), validator(Some(at))] {
            assert_eq!(Validator::parse(&made.etag()), Some(made));
            assert_eq!(Validator::parse(&format!("W/{}", made.etag())), Some(made));
        }
    }

    #[test]
    fn other_tags_are_not_validators() {
        for tag in [
            "*",
            "\"1-3\"",
            "\"c42.0\"",
            "\"c42.0.12.1\"",
            "\"cx.0.12\"",
            "c42.0.12",
            "\"c42.0.zz\"",
        ] {
            assert_eq!(Validator::parse(tag), None, "{tag}");
        }
    }

    #[test]
    fn only_unexpired_tags_of_the_same_request_are_held() {
        let now = DateTime::from_timestamp_millis(1_764_000_000_000).unwrap();
        let later = now + chrono::Duration::seconds(1);
        let ours = validator(Some(later));
        let expired = Validator {
            version: 41,
            ..validator(Some(now))
        };
        let someone_elses = Validator {
            identity: 7,
            ..validator(None)
        };
        let mut headers = HeaderMap::new();
        let list = format!(
            "{}, {}, {}, \"1-3\"",
            expired.etag(),
            someone_elses.etag(),
            ours.etag()
        );
        headers.insert(IF_NONE_MATCH, HeaderValue::from_str(&list).unwrap());
        let held = held_validators(&headers, ours.identity, now);
        assert_eq!(held, vec![ours]);
        assert_eq!(still_current(&held, 42), Some(&ours));
        assert_eq!(still_current(&held, 43), None);
        assert!(held_validators(&headers, ours.identity, later).is_empty());
    }
}
