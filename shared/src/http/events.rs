//! `/api/tickets/{id}/events/`: a ticket's history.

use axum::{
    Router,
    extract::{OriginalUri, State},
    response::Response,
    routing::get,
};

use super::{
    ApiContext, ApiError, Problem, SignInRequired, Unavailable,
    comments::ensure_visible,
    extract::{AuthUser, QueryParams},
    paging::{self, CursorKind, PageQuery},
    route_with_and_without_slash,
    tickets::TicketId,
};
use crate::{
    domain::TicketEvent,
    repository::{self, EventAfter},
};

pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(Router::new(), "/api/tickets/{id}/events", get(list_events))
}

/// A ticket's history, oldest first, one keyset page at a time: its creation, every change of
/// status, category, priority and assignee (old → new, by whom), comments added, due times
/// moved and SLA targets breached. Requesters receive only the events about public things:
/// never an internal note's, nor the SLA's.
#[utoipa::path(
    get, path = "/api/tickets/{id}/events/", tag = "conversation", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]*$",
            description = "Opaque cursor from the previous page's `Link` header; any other value is a 400"),
    ),
    responses(
        (status = 200, description = "A page of events, oldest first", body = Vec<TicketEvent>,
            headers(("Link" = String, description = "`<URL>; rel=\"next\"` when there is a next page"))),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_events(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
    OriginalUri(uri): OriginalUri,
    query: QueryParams,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(&query, CursorKind::Events)?;
    ensure_visible(&ctx, id, &caller).await?;
    let staff = caller.is_staff();
    if staff {
        // Breaches are internal: only a reader who may see them needs them recorded.
        repository::record_sla_breaches(&ctx.db, id, ctx.clock.now()).await?;
    }
    let after = page.after.map(|(at, id)| EventAfter { at, id });
    let events: Vec<TicketEvent> =
        repository::list_events(&ctx.db, id, staff, after, page.limit + 1).await?;
    Ok(paging::page(events, page.limit, |last| {
        page.next_link(uri.path(), CursorKind::Events, last.created_at, last.id)
    }))
}
