//! `/api/tickets/stats/`: dashboard aggregates, computed by the database.

use axum::{Json, Router, extract::State, routing::get};

use super::{
    ApiContext, ApiError, SignInRequired, Unavailable, extract::AuthUser,
    route_with_and_without_slash,
};
use crate::{domain::TicketStats, repository};

/// The routes of the `stats` function.
pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(Router::new(), "/api/tickets/stats", get(ticket_stats))
}

/// Totals, open tickets, average tickets per active day, and breakdowns by priority and
/// category (every key present, zero-filled).
#[utoipa::path(
    get, path = "/api/tickets/stats/", tag = "stats", security(("bearer" = [])),
    responses(
        (status = 200, description = "Live statistics", body = TicketStats),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn ticket_stats(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<TicketStats>, ApiError> {
    if !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "The statistics are for agents and admins.".to_owned(),
        ));
    }
    Ok(Json(
        repository::ticket_stats(&ctx.db, ctx.clock.now()).await?,
    ))
}
