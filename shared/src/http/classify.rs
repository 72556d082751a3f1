//! `/api/tickets/classify/`: suggest a category and priority for a description.

use axum::{Json, Router, extract::State, routing::post};

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired,
    extract::{JsonBody, MaybeAuthUser},
    route_with_and_without_slash,
};
use crate::{classifier::Suggestion, domain::parse_classify_request};

/// The routes of the `classify` function.
pub fn router() -> Router<ApiContext> {
    route_with_and_without_slash(Router::new(), "/api/tickets/classify", post(classify))
}

/// Suggest labels for a description. Always answers: when the language model fails or is not
/// configured, the built-in rules answer with `source: "fallback"`.
#[utoipa::path(
    post, path = "/api/tickets/classify/", tag = "classify", security(("bearer" = []), ()),
    request_body(content = crate::domain::ClassifyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The suggestion and who made it", body = Suggestion),
        (status = 400, description = "Invalid body or description", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        (status = 429, description = "Too many classification requests from this client",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn classify(
    State(ctx): State<ApiContext>,
    MaybeAuthUser(caller): MaybeAuthUser,
    JsonBody(body): JsonBody,
) -> Result<Json<Suggestion>, ApiError> {
    // Without an account only where submissions are public; the route's own per-client limit
    // (not the one of submissions, which a form's suggestions would use up) applies.
    if caller.is_none() && !ctx.auth.config().public_submission {
        return Err(ApiError::Unauthorized("no access token".to_owned()));
    }
    let description = parse_classify_request(&body).map_err(ApiError::Validation)?;
    Ok(Json(ctx.classifier.classify(description.as_str()).await))
}
