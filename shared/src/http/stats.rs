//! `/api/tickets/stats/`: dashboard aggregates, computed by the database.

use axum::{Json, Router, extract::State, routing::get};

use super::{ApiContext, ApiError, Unavailable, route_with_and_without_slash};
use crate::{domain::TicketStats, repository};

/// The routes of the `stats` function.
pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(Router::new(), "/api/tickets/stats", get(ticket_stats))
}

/// Totals, open tickets, average tickets per active day, and breakdowns by priority and
/// category (every key present, zero-filled).
#[utoipa::path(
    get, path = "/api/tickets/stats/", tag = "stats",
    responses(
        (status = 200, description = "Live statistics", body = TicketStats),
        Unavailable,
    )
)]
pub async fn ticket_stats(State(ctx): State<ApiContext>) -> Result<Json<TicketStats>, ApiError> {
    Ok(Json(repository::ticket_stats(&ctx.db).await?))
}
