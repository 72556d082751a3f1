//! `/api/tickets/{id}/comments/`: the thread of a ticket, and adding to it.

use axum::{
    Json, Router,
    extract::{OriginalUri, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody, QueryParams},
    paging::{self, CursorKind, PageQuery},
    route_with_and_without_slash,
    tickets::{
        TicketId, canonical_json, created, idempotency_key, key_expired_in_use, key_owner,
        not_found, replay,
    },
};
use crate::{
    domain::{Comment, NewComment, User, Visibility},
    repository::{self, CommentOutcome, CreateAnswer, IdempotencyKey},
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
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
            description = "Client-chosen key (1–255 visible ASCII characters) making retries safe: a retry is answered like the first request, and nothing is added twice"),
    ),
    request_body(content = crate::domain::NewCommentRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The comment", body = Comment),
        (status = 400, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A requester writing an internal note", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A requester replying to a closed ticket", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Idempotency-Key already used for a different request", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn add_comment(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let comment = NewComment::parse(&body).map_err(ApiError::Validation)?;
    if comment.visibility == Visibility::Internal && !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "Internal notes are for agents and admins; leave out visibility to reply.".to_owned(),
        ));
    }
    let owner = key_owner(&caller);
    let Some(key) = idempotency_key(&headers)?.map(|key| IdempotencyKey { owner: &owner, key })
    else {
        let outcome = repository::add_comment(&ctx.db, id, &caller, &comment).await?;
        return answer(id, outcome, "", |comment| {
            (StatusCode::CREATED, Json(comment)).into_response()
        });
    };
    // The ticket is part of the request: the same key and body sent to another ticket is
    // another request.
    let request_body = format!("comment on ticket {id}: {}", canonical_json(&body));
    if let Some(earlier) = repository::find_create_answer(&ctx.db, key).await? {
        return replay(earlier, &request_body);
    }
    let outcome = repository::add_comment_once(&ctx.db, key, id, &caller, &comment, |comment| {
        Ok::<_, ApiError>(CreateAnswer {
            request_body: request_body.clone(),
            response_body: serde_json::to_string(comment).map_err(ApiError::internal)?,
            location: String::new(),
            etag: String::new(),
        })
    })
    .await?;
    answer(id, outcome, &request_body, created)
}

/// The response to what became of a comment on ticket `id`; `added` makes the 201.
fn answer<A>(
    id: i64,
    outcome: CommentOutcome<A>,
    request_body: &str,
    added: impl FnOnce(A) -> Response,
) -> Result<Response, ApiError> {
    match outcome {
        CommentOutcome::Added(answer) => Ok(added(answer)),
        CommentOutcome::AlreadyAdded(earlier) => replay(earlier, request_body),
        CommentOutcome::NotFound => Err(not_found(id)),
        CommentOutcome::Closed => Err(ApiError::Conflict(
            "This ticket is closed: open a new ticket to follow up.".to_owned(),
        )),
        CommentOutcome::KeyExpiredInUse => Err(key_expired_in_use()),
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
