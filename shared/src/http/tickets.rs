//! `/api/tickets/…`: create, list, read and change tickets.

use axum::{
    Json, Router,
    extract::{FromRequestParts, OriginalUri, Path, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;

use super::{
    ApiContext, ApiError, Problem,
    extract::{JsonBody, QueryParams},
    route_with_and_without_slash,
};
use crate::{
    classifier::Classifier,
    domain::{Category, NewTicket, Priority, Status, Ticket, TicketChanges},
    repository::{
        self, CreateAnswer, KeyedCreate, PageAfter, TicketDraft, TicketFilter, UpdateOutcome,
    },
};

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 200;
const SEARCH_MAX_CHARS: usize = 200;

/// The routes of the `tickets` function.
pub fn router() -> Router<ApiContext> {
    let router = Router::new();
    let router = route_with_and_without_slash(
        router,
        "/api/tickets",
        get(list_tickets).post(create_ticket),
    );
    route_with_and_without_slash(
        router,
        "/api/tickets/{id}",
        get(get_ticket).patch(update_ticket),
    )
}

/// Create a ticket. Omitted `category` or `priority` are suggested by the classifier, which
/// never makes creation fail: it falls back to the built-in rules. With an `Idempotency-Key`,
/// retries of the same request within 24 hours get the first response back and create nothing.
#[utoipa::path(
    post, path = "/api/tickets/", tag = "tickets",
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
        description = "Client-chosen key (1–255 visible ASCII characters) making retries safe")),
    request_body(content = crate::domain::CreateTicketRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The created ticket (or, for a retried key, the first response)", body = Ticket,
            headers(("Location" = String, description = "URL of the new ticket"),
                ("ETag" = String, description = "Version tag for If-Match"))),
        (status = 400, description = "Invalid body, fields or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Idempotency-Key already used for a different request", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_ticket(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let new_ticket = NewTicket::parse(&body).map_err(ApiError::Validation)?;
    let request_body = canonical_json(&body);
    // A retry of a finished request is answered without classifying again.
    if let Some(key) = key
        && let Some(earlier) = repository::find_create_answer(&ctx.db, key).await?
    {
        return replay(earlier, &request_body);
    }
    let draft = labelled(&ctx.classifier, new_ticket).await;
    let collection = uri.path().trim_end_matches('/');
    let answer = |ticket: &Ticket| create_answer(ticket, collection, &request_body);
    let Some(key) = key else {
        let ticket = repository::insert_ticket(&ctx.db, &draft).await?;
        return Ok(created(answer(&ticket)?));
    };
    match repository::insert_ticket_once(&ctx.db, key, &draft, answer).await? {
        KeyedCreate::Created(answer) => Ok(created(answer)),
        KeyedCreate::AlreadyCreated(earlier) => replay(earlier, &request_body),
        KeyedCreate::KeyExpiredInUse => Err(ApiError::BadRequest(
            "The Idempotency-Key expired while in use; retry with a new key.".to_owned(),
        )),
    }
}

/// The draft to store: the labels given, and the classifier's suggestion for those omitted.
async fn labelled(classifier: &Classifier, ticket: NewTicket) -> TicketDraft {
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
    }
}

/// The answer to the request that created `ticket` under `collection` (the path the client
/// called, so `Location` resolves against it behind any prefix).
fn create_answer(
    ticket: &Ticket,
    collection: &str,
    request_body: &str,
) -> Result<CreateAnswer, ApiError> {
    Ok(CreateAnswer {
        request_body: request_body.to_owned(),
        response_body: serde_json::to_string(ticket).map_err(ApiError::internal)?,
        location: format!("{collection}/{}/", ticket.id),
        etag: ticket.etag(),
    })
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::field(
            "Idempotency-Key",
            "must be one value of 1 to 255 visible ASCII characters",
        )
    };
    if values.next().is_some() {
        return Err(invalid());
    }
    let key = value.to_str().map_err(|_| invalid())?;
    let valid = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if valid { Ok(Some(key)) } else { Err(invalid()) }
}

/// The body with members in key order, so a retry that serialises its JSON differently still
/// counts as the same request.
fn canonical_json(body: &crate::domain::JsonObject) -> String {
    let sorted: std::collections::BTreeMap<&str, &serde_json::Value> = body
        .iter()
        .map(|(key, value)| (key.as_str(), value))
        .collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

/// The first answer again, for a retry with the same key and body; another body is refused.
fn replay(earlier: CreateAnswer, request_body: &str) -> Result<Response, ApiError> {
    if earlier.request_body != request_body {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let mut response = created(earlier);
    set_header(
        &mut response,
        HeaderName::from_static("idempotent-replayed"),
        "true",
    );
    Ok(response)
}

fn created(answer: CreateAnswer) -> Response {
    let mut response = json_response(StatusCode::CREATED, answer.response_body);
    set_header(&mut response, header::LOCATION, &answer.location);
    set_header(&mut response, header::ETAG, &answer.etag);
    response
}

/// A JSON response from an already serialised body.
fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn set_header(response: &mut Response, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// List tickets newest first, filtered and searched, one keyset page at a time.
#[utoipa::path(
    get, path = "/api/tickets/", tag = "tickets",
    params(
        ("category" = Option<Category>, Query, description = "Only this category"),
        ("priority" = Option<Priority>, Query, description = "Only this priority"),
        ("status" = Option<Status>, Query, description = "Only this status"),
        ("search" = Option<String>, Query, max_length = 200,
            description = "Case-insensitive substring of title or description; `%`, `_` and `\\` match literally"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]*$",
            description = "Opaque cursor from the previous page's `Link` header; any other value is a 400"),
    ),
    responses(
        (status = 200, description = "A page of tickets, newest first", body = Vec<Ticket>,
            headers(("Link" = String, description = "`<URL>; rel=\"next\"` when there is a next page"))),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tickets(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    query: QueryParams,
) -> Result<Response, ApiError> {
    let list = ListQuery::parse(&query)?;
    let mut tickets =
        repository::list_tickets(&ctx.db, &list.filter, list.after, list.limit + 1).await?;
    let next_link = if tickets.len() as i64 > list.limit {
        tickets.truncate(list.limit as usize);
        tickets
            .last()
            .map(|last| list.next_page_link(uri.path(), last))
    } else {
        None
    };
    let mut response = Json(tickets).into_response();
    if let Some(link) = next_link.and_then(|link| HeaderValue::from_str(&link).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// Get one ticket, with its `ETag`.
#[utoipa::path(
    get, path = "/api/tickets/{id}/", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The ticket", body = Ticket,
            headers(("ETag" = String, description = "Version tag for If-Match"))),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_ticket(
    State(ctx): State<ApiContext>,
    TicketId(id): TicketId,
) -> Result<Response, ApiError> {
    let ticket = repository::find_ticket(&ctx.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(with_etag(ticket))
}

/// Change a ticket's status, category or priority. Any other field is refused. With
/// `If-Match`, the change applies only if nobody changed the ticket since that `ETag`.
#[utoipa::path(
    patch, path = "/api/tickets/{id}/", tag = "tickets",
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; `*` matches any"),
    ),
    request_body(content = crate::domain::UpdateTicketRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated ticket", body = Ticket,
            headers(("ETag" = String, description = "Version tag for If-Match"))),
        (status = 400, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The ticket changed since the If-Match ETag", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_ticket(
    State(ctx): State<ApiContext>,
    TicketId(id): TicketId,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let changes = TicketChanges::parse(&body).map_err(ApiError::Validation)?;
    let expected_versions = if_match_versions(&headers, id);
    match repository::update_ticket(&ctx.db, id, &changes, expected_versions.as_deref()).await? {
        UpdateOutcome::Updated(ticket) => Ok(with_etag(ticket)),
        UpdateOutcome::NotFound => Err(not_found(id)),
        UpdateOutcome::VersionMismatch => Err(ApiError::PreconditionFailed),
    }
}

fn with_etag(ticket: Ticket) -> Response {
    let etag = ticket.etag();
    let mut response = Json(ticket).into_response();
    set_header(&mut response, header::ETAG, &etag);
    response
}

/// The versions of ticket `id` that `If-Match` accepts: `None` without the header or with `*`;
/// otherwise those of its strong tags that name this ticket (possibly none, which no version
/// matches). Weak tags never match: If-Match uses strong comparison.
fn if_match_versions(headers: &HeaderMap, id: i64) -> Option<Vec<i64>> {
    let mut values = headers.get_all(header::IF_MATCH).iter().peekable();
    values.peek()?;
    let mut versions = Vec::new();
    for value in values {
        let Ok(text) = value.to_str() else { continue };
        for tag in text.split(',').map(str::trim) {
            if tag == "*" {
                return None;
            }
            let parsed = tag
                .strip_prefix('"')
                .and_then(|tag| tag.strip_suffix('"'))
                .and_then(|tag| tag.split_once('-'))
                .and_then(|(tag_id, version)| {
                    Some((tag_id.parse::<i64>().ok()?, version.parse::<i64>().ok()?))
                });
            if let Some((_, version)) = parsed.filter(|(tag_id, _)| *tag_id == id) {
                versions.push(version);
            }
        }
    }
    Some(versions)
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("There is no ticket with id {id}."))
}

/// A ticket id from the path. Anything that cannot be an id (not a positive 64-bit integer)
/// names no ticket, so it is a 404 like any other missing ticket.
pub struct TicketId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TicketId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("There is no such ticket.".to_owned()))?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(id)),
            _ => Err(ApiError::NotFound(format!(
                "There is no ticket with id {:?}: ids are positive integers.",
                raw.chars().take(40).collect::<String>()
            ))),
        }
    }
}

/// A parsed list request.
struct ListQuery {
    filter: TicketFilter,
    after: Option<PageAfter>,
    limit: i64,
}

const LIST_PARAMS: &[&str] = &[
    "category", "priority", "status", "search", "limit", "cursor",
];

impl ListQuery {
    fn parse(query: &QueryParams) -> Result<Self, ApiError> {
        let mut errors = crate::domain::FieldErrors::new();
        let mut fail =
            |name: &str, message: String| errors.entry(name.to_owned()).or_default().push(message);

        for (name, _) in &query.0 {
            if !LIST_PARAMS.contains(&name.as_str()) {
                fail(
                    name,
                    format!(
                        "is not an accepted parameter (accepted: {})",
                        LIST_PARAMS.join(", ")
                    ),
                );
            }
        }
        let category = parse_label::<Category>(query, "category", &mut fail);
        let priority = parse_label::<Priority>(query, "priority", &mut fail);
        let status = parse_label::<Status>(query, "status", &mut fail);

        let search = query.get("search").map(str::trim).filter(|s| !s.is_empty());
        if let Some(search) = search {
            if search.chars().count() > SEARCH_MAX_CHARS {
                fail(
                    "search",
                    format!("must be at most {SEARCH_MAX_CHARS} characters"),
                );
            } else if search.chars().any(char::is_control) {
                fail("search", "must not contain control characters".to_owned());
            }
        }
        let limit = match query.get("limit") {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => match raw.parse::<i64>() {
                Ok(limit) if (1..=MAX_PAGE_SIZE).contains(&limit) => limit,
                _ => {
                    fail(
                        "limit",
                        format!("must be an integer from 1 to {MAX_PAGE_SIZE}"),
                    );
                    DEFAULT_PAGE_SIZE
                }
            },
        };
        let after = match query.get("cursor").filter(|c| !c.is_empty()) {
            None => None,
            Some(raw) => {
                let cursor = decode_cursor(raw);
                if cursor.is_none() {
                    fail("cursor", "is not a cursor this API issued".to_owned());
                }
                cursor
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(Self {
            filter: TicketFilter {
                category,
                priority,
                status,
                search: search.map(str::to_owned),
            },
            after,
            limit,
        })
    }

    /// The `Link` header value for the page after `last`, keeping every filter.
    fn next_page_link(&self, path: &str, last: &Ticket) -> String {
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

/// A label filter: absent means any; present must be an allowed value (not empty).
fn parse_label<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
    query: &QueryParams,
    name: &str,
    fail: &mut impl FnMut(&str, String),
) -> Option<T> {
    let raw = query.get(name)?;
    raw.parse()
        .map_err(|error: crate::domain::UnknownValue| fail(name, error.to_string()))
        .ok()
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
