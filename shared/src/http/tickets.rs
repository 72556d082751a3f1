//! `/api/tickets/…`: create, list, read and change tickets.

use axum::{
    Json, Router,
    extract::{FromRequestParts, OriginalUri, Path, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
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
    domain::{Category, NewTicket, Priority, Status, Ticket, TicketChanges},
    repository::{self, PageAfter, TicketDraft, TicketFilter},
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
/// never makes creation fail: it falls back to the built-in rules.
#[utoipa::path(
    post, path = "/api/tickets/", tag = "tickets",
    request_body(content = crate::domain::CreateTicketRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The created ticket", body = Ticket,
            headers(("Location" = String, description = "URL of the new ticket"))),
        (status = 400, description = "Invalid body or fields", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_ticket(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let new_ticket = NewTicket::parse(&body).map_err(ApiError::Validation)?;
    let (category, priority) = match (new_ticket.category, new_ticket.priority) {
        (Some(category), Some(priority)) => (category, priority),
        (category, priority) => {
            let text = format!(
                "{}\n\n{}",
                new_ticket.title.as_str(),
                new_ticket.description.as_str()
            );
            let suggestion = ctx.classifier.classify(&text).await;
            (
                category.unwrap_or(suggestion.suggested_category),
                priority.unwrap_or(suggestion.suggested_priority),
            )
        }
    };
    let draft = TicketDraft {
        title: new_ticket.title,
        description: new_ticket.description,
        category,
        priority,
    };
    let ticket = repository::insert_ticket(&ctx.db, &draft).await?;
    let location = format!("{}/{}/", uri.path().trim_end_matches('/'), ticket.id);
    let mut response = (StatusCode::CREATED, Json(ticket)).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
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
        ("cursor" = Option<String>, Query, description = "Opaque cursor from the previous page's `Link` header"),
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

/// Get one ticket.
#[utoipa::path(
    get, path = "/api/tickets/{id}/", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The ticket", body = Ticket),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_ticket(
    State(ctx): State<ApiContext>,
    TicketId(id): TicketId,
) -> Result<Json<Ticket>, ApiError> {
    repository::find_ticket(&ctx.db, id)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(id))
}

/// Change a ticket's status, category or priority. Any other field is refused.
#[utoipa::path(
    patch, path = "/api/tickets/{id}/", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    request_body(content = crate::domain::UpdateTicketRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated ticket", body = Ticket),
        (status = 400, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_ticket(
    State(ctx): State<ApiContext>,
    TicketId(id): TicketId,
    JsonBody(body): JsonBody,
) -> Result<Json<Ticket>, ApiError> {
    let changes = TicketChanges::parse(&body).map_err(ApiError::Validation)?;
    repository::update_ticket(&ctx.db, id, &changes)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(id))
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
        let label = |name: &str| query.get(name).filter(|value| !value.is_empty());
        let category = label("category").and_then(|v| {
            v.parse::<Category>()
                .map_err(|e| fail("category", e.to_string()))
                .ok()
        });
        let priority = label("priority").and_then(|v| {
            v.parse::<Priority>()
                .map_err(|e| fail("priority", e.to_string()))
                .ok()
        });
        let status = label("status").and_then(|v| {
            v.parse::<Status>()
                .map_err(|e| fail("status", e.to_string()))
                .ok()
        });

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
            None | Some("") => DEFAULT_PAGE_SIZE,
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
