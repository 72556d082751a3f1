//! `/api/tickets/stats/`: dashboard aggregates, computed by the database.

use axum::{
    Json, Router,
    extract::{OriginalUri, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    ApiContext, ApiError, SignInRequired, Unavailable, conditional, extract::AuthUser,
    route_with_and_without_slash,
};
use crate::{domain::TicketStats, repository};

/// The routes of the `stats` function.
pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(Router::new(), "/api/tickets/stats", get(ticket_stats))
}

/// Totals, open tickets, average tickets per active day, and breakdowns by priority and
/// category (every key present, zero-filled). With an `ETag`: `If-None-Match` is answered 304
/// while nothing the statistics count changed.
#[utoipa::path(
    get, path = "/api/tickets/stats/", tag = "stats", security(("bearer" = [])),
    params(
        ("If-None-Match" = Option<String>, Header, description = "ETag of a previous answer"),
    ),
    responses(
        (status = 200, description = "Live statistics", body = TicketStats,
            headers(("ETag" = String, description = "Version tag for If-None-Match"))),
        (status = 304, description = "Unchanged since the If-None-Match ETag"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn ticket_stats(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "The statistics are for agents and admins.".to_owned(),
        ));
    }
    let now = ctx.clock.now();
    let identity = conditional::request_identity(&caller, &uri);
    let held = conditional::held_validators(&headers, identity, now);
    let (version, next_due) = repository::stats_version(&ctx.db, now).await?;
    if let Some(current) = conditional::still_current(&held, version) {
        return Ok(conditional::not_modified(current));
    }
    let stats = repository::ticket_stats(&ctx.db, now).await?;
    let validator = conditional::Validator {
        version,
        expires: Some(next_due.map_or(stats.medians_until, |due| due.min(stats.medians_until))),
        identity,
    };
    Ok(conditional::with_validator(
        Json(stats).into_response(),
        &validator,
    ))
}
