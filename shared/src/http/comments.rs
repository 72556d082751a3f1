//! `/api/tickets/{id}/comments/`: the thread of a ticket, and adding to it.

use axum::{
    Json, Router,
    extract::{OriginalUri, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody, QueryParams},
    paging::{self, CursorKind, PageQuery},
    route_with_and_without_slash,
    tickets::{TicketId, not_found},
};
use crate::{
    domain::{Comment, NewComment, User, Visibility},
    repository::{self, CommentOutcome},
};

pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(
        Router::new(),
        "/api/tickets/{id}/comments",
        get(list_comments).post(add_comment),
    )
}

/// A ticket's thread, oldest first, one keyset page at a time. Requesters receive only the
/// public replies of their own tickets; agents and admins internal notes too.
#[utoipa::path(
    get, path = "/api/tickets/{id}/comments/", tag = "conversation", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]*$",
            description = "Opaque cursor from the previous page's `Link` header; any other value is a 400"),
    ),
    responses(
        (status = 200, description = "A page of comments, oldest first", body = Vec<Comment>,
            headers(("Link" = String, description = "`<URL>; rel=\"next\"` when there is a next page"))),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_comments(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
    OriginalUri(uri): OriginalUri,
    query: QueryParams,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(&query, CursorKind::Comments)?;
    ensure_visible(&ctx, id, &caller).await?;
    let after = page.after.map(|(_, id)| id);
    let comments =
        repository::list_comments(&ctx.db, id, caller.is_staff(), after, page.limit + 1).await?;
    Ok(paging::page(comments, page.limit, |last| {
        page.next_link(uri.path(), CursorKind::Comments, last.created_at, last.id)
    }))
}

/// Reply to a ticket, or (agents and admins) add an internal note. A requester's public reply
/// reopens a resolved ticket; an agent's public reply to an open ticket moves it to
/// `in_progress`, and the first one is the ticket's first response. The ticket's `updated_at`
/// and `ETag` move; the history records the comment and any status change.
#[utoipa::path(
    post, path = "/api/tickets/{id}/comments/", tag = "conversation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body(content = crate::domain::NewCommentRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The comment", body = Comment),
        (status = 400, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A requester writing an internal note", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A requester replying to a closed ticket", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn add_comment(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let comment = NewComment::parse(&body).map_err(ApiError::Validation)?;
    if comment.visibility == Visibility::Internal && !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "Internal notes are for agents and admins; leave out visibility to reply.".to_owned(),
        ));
    }
    match repository::add_comment(&ctx.db, id, &caller, &comment).await? {
        CommentOutcome::Added(comment) => Ok((StatusCode::CREATED, Json(comment)).into_response()),
        CommentOutcome::NotFound => Err(not_found(id)),
        CommentOutcome::Closed => Err(ApiError::Conflict(
            "This ticket is closed: open a new ticket to follow up.".to_owned(),
        )),
    }
}

/// A 404, the same as for a ticket that does not exist, unless `caller` may see ticket `id`.
pub(super) async fn ensure_visible(
    ctx: &ApiContext,
    id: i64,
    caller: &User,
) -> Result<(), ApiError> {
    match repository::find_ticket(&ctx.db, id, caller.ticket_scope()).await? {
        Some(_) => Ok(()),
        None => Err(not_found(id)),
    }
}
