//! `/api/health` and `/api/openapi.json`.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::{ApiContext, Problem, route_with_and_without_slash};
use crate::repository;

/// Routes every deployment serves.
pub fn router() -> Router<ApiContext> {
    let router = route_with_and_without_slash(Router::new(), "/api/health", get(health));
    route_with_and_without_slash(router, "/api/openapi.json", get(openapi_json))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(
    get, path = "/api/health", tag = "meta",
    responses(
        (status = 200, description = "Serving, and the database answers", body = Health),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn health(State(ctx): State<ApiContext>) -> Response {
    match repository::ping(&ctx.db).await {
        Ok(()) => Json(Health { status: "ok" }).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unreachable.",
            )
            .into_response()
        }
    }
}

/// This document.
#[utoipa::path(
    get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Helpdesk API",
        description = "Support tickets with language-model classification. Every error is an \
            RFC 9457 problem+json document. Each path also works without its trailing slash; \
            other methods on a path answer 405, unknown paths 404, both as problem+json. \
            Requesters see only their own tickets (another's is a 404); agents and admins see all."
    ),
    modifiers(&BearerScheme),
    paths(
        super::auth::sign_in,
        super::auth::refresh,
        super::auth::sign_out,
        super::auth::sign_up,
        super::auth::me,
        super::auth::methods,
        super::users::list_users,
        super::users::create_user,
        super::users::update_user,
        super::users::list_agents,
        super::tickets::create_ticket,
        super::tickets::list_tickets,
        super::tickets::get_ticket,
        super::tickets::update_ticket,
        super::tickets::queue_counts,
        super::comments::list_comments,
        super::comments::add_comment,
        super::events::list_events,
        super::sla::get_sla_policy,
        super::sla::put_sla_policy,
        super::stats::ticket_stats,
        super::classify::classify,
        super::triage::similar,
        super::triage::similar_to_ticket,
        super::triage::merge,
        super::triage::assist,
        super::triage::draft,
        super::triage::summary,
        super::mail::get_settings,
        super::mail::put_settings,
        super::mail::list_outbox,
        super::mail::retry_mail,
        super::mail::list_inbound,
        super::mail::accept_held,
        super::mail::discard_held,
        super::mail::unsubscribe,
        super::mail::get_notifications,
        super::mail::put_notifications,
        health,
        openapi_json,
    ),
    components(schemas(Problem)),
    tags(
        (name = "auth", description = "Sign-in with built-in accounts, and the caller's account"),
        (name = "users", description = "Accounts (admins only)"),
        (name = "tickets", description = "Create, list, read and change tickets; the agent queues"),
        (name = "conversation", description = "Replies, internal notes and the history of a ticket"),
        (name = "sla", description = "SLA targets per priority"),
        (name = "stats", description = "Dashboard statistics"),
        (name = "classify", description = "Category and priority suggestions"),
        (name = "triage", description = "Similar tickets, merging duplicates, reply drafts and summaries"),
        (name = "mail", description = "The email channel: settings, outbox, received mail, notifications"),
        (name = "meta", description = "Health and this document"),
    )
)]
pub struct ApiDoc;

/// The `bearer` security scheme the protected operations name: a JWT from the built-in issuer
/// (`/api/auth/login`) or from the configured OpenID provider.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
    }
}
