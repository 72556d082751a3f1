//! Request extractors whose every rejection is an [`ApiError`], so malformed input gets the
//! same problem+json envelope as any other error.

use std::{collections::HashSet, fmt};

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, header, request::Parts},
};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::{ApiContext, error::ApiError};
use crate::domain::{JsonObject, User};

/// A JSON object body: `application/json` (or `+json`), within the body limit, well-formed,
/// an object at the top level, and without duplicate keys.
pub struct JsonBody(pub JsonObject);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                    _ => ApiError::BadRequest("The request body could not be read.".to_owned()),
                })?;
        parse_object(&bytes).map(Self)
    }
}

fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn parse_object(bytes: &[u8]) -> Result<JsonObject, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let object = deserializer
        .deserialize_any(ObjectVisitor)
        .map_err(|error| {
            let detail = if error.is_data() && error.to_string().starts_with(NOT_AN_OBJECT) {
                NOT_AN_OBJECT.to_owned()
            } else {
                format!("The request body is not valid JSON: {error}.")
            };
            ApiError::BadRequest(detail)
        })?;
    deserializer.end().map_err(|error| {
        ApiError::BadRequest(format!("The request body is not valid JSON: {error}."))
    })?;
    Ok(object)
}

const NOT_AN_OBJECT: &str = "The request body must be a JSON object.";

/// Reads a top-level object into ordered members, refusing duplicate keys (which other
/// parsers would resolve differently: first wins, last wins, or error).
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = JsonObject;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = JsonObject::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            members.push((key, map.next_value::<Value>()?));
        }
        Ok(members)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(NOT_AN_OBJECT))
    }
}

/// Query parameters as ordered pairs, with repeated names refused and unknown names reported.
pub struct QueryParams(pub Vec<(String, String)>);

/// Longest query string accepted; anything longer is not a request this API can mean.
const MAX_QUERY_BYTES: usize = 4096;

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        if raw.len() > MAX_QUERY_BYTES {
            return Err(ApiError::BadRequest(format!(
                "The query string must be at most {MAX_QUERY_BYTES} bytes."
            )));
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect();
        let mut seen = HashSet::new();
        for (name, _) in &pairs {
            if !seen.insert(name.as_str()) {
                return Err(ApiError::field(name, "must be given at most once"));
            }
        }
        Ok(Self(pairs))
    }
}

impl QueryParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// An id from a path: a positive 64-bit integer. Anything else names no row, a 404 the caller
/// words.
pub fn positive_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Refuses anyone but an admin: "Only admins {what}."
pub fn admins_only(caller: &User, what: &str) -> Result<(), ApiError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("Only admins {what}.")))
    }
}

/// Refuses requesters: "Only agents and admins {what}."
pub fn staff_only(caller: &User, what: &str) -> Result<(), ApiError> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "Only agents and admins {what}."
        )))
    }
}

/// The signed-in caller: a valid bearer token of an enabled account, or a 401.
pub struct AuthUser(pub User);

impl FromRequestParts<ApiContext> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &ApiContext,
    ) -> Result<Self, Self::Rejection> {
        match bearer_token(&parts.headers)? {
            Some(token) => Ok(Self(ctx.auth.authenticate(token).await?)),
            None => Err(ApiError::Unauthorized("no access token".to_owned())),
        }
    }
}

/// The caller, if signed in. A token that is sent but not valid is still a 401: a client whose
/// session ended must learn it rather than act anonymously.
pub struct MaybeAuthUser(pub Option<User>);

impl FromRequestParts<ApiContext> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &ApiContext,
    ) -> Result<Self, Self::Rejection> {
        match bearer_token(&parts.headers)? {
            Some(token) => Ok(Self(Some(ctx.auth.authenticate(token).await?))),
            None => Ok(Self(None)),
        }
    }
}

/// The token of `Authorization: Bearer <token>`, if the header is there.
fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .map(Some)
        .ok_or_else(|| ApiError::Unauthorized("Authorization is not `Bearer <token>`".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_member_order_and_refuse_duplicates() {
        let object = parse_object(br#"{"b": 1, "a": "x"}"#).unwrap();
        assert_eq!(object[0].0, "b");
        assert!(parse_object(br#"{"a": 1, "a": 2}"#).is_err());
    }

    #[test]
    fn non_objects_and_trailing_garbage_are_refused() {
        for body in [&b"[]"[..], b"\"text\"", b"42", b"null", b"{} {}", b"{", b""] {
            let error = parse_object(body).unwrap_err();
            assert!(matches!(error, ApiError::BadRequest(_)), "{body:?}");
        }
        match parse_object(b"[1]").unwrap_err() {
            ApiError::BadRequest(detail) => assert_eq!(detail, NOT_AN_OBJECT),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn deeply_nested_json_is_a_bad_request_not_a_crash() {
        let body = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_object(body.as_bytes()).is_err());
    }
}
