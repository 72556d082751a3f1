//! `/api/sla-policy/`: the SLA targets per priority.

use axum::{Json, Router, extract::State, routing::get};

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody, admins_only},
    route_with_and_without_slash,
};
use crate::{domain::SlaPolicy, repository};

pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(
        Router::new(),
        "/api/sla-policy",
        get(get_sla_policy).put(put_sla_policy),
    )
}

/// The first-response and resolution targets of each priority (agents and admins).
#[utoipa::path(
    get, path = "/api/sla-policy/", tag = "sla", security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy", body = SlaPolicy),
        (status = 403, description = "Not an agent or admin", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn get_sla_policy(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<SlaPolicy>, ApiError> {
    if !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "The SLA policy is for agents and admins.".to_owned(),
        ));
    }
    Ok(Json(repository::sla_policy(&ctx.db).await?))
}

/// Replace the targets of every priority (admins). Tickets created or given a new priority from
/// now on are due by the new targets; due times already set stay.
#[utoipa::path(
    put, path = "/api/sla-policy/", tag = "sla", security(("bearer" = [])),
    request_body(content = SlaPolicy, content_type = "application/json"),
    responses(
        (status = 200, description = "The new policy", body = SlaPolicy),
        (status = 400, description = "A priority missing or unknown, or a target out of range", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn put_sla_policy(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody,
) -> Result<Json<SlaPolicy>, ApiError> {
    admins_only(&caller, "change the SLA policy")?;
    let policy = SlaPolicy::parse(&body).map_err(ApiError::Validation)?;
    repository::set_sla_policy(&ctx.db, &policy).await?;
    Ok(Json(policy))
}
