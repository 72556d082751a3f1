//! `/api/users/…`: accounts, for admins only: list, invite (create), change role or name,
//! disable. And `/api/agents/`: who tickets can be assigned to, for agents and admins.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, patch},
};

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody, QueryParams, admins_only, positive_id},
    route_with_and_without_slash,
};
use crate::{
    domain::{AccountChanges, NewAccount, Role, User},
    repository::{self, UserUpdate},
};

const PAGE: i64 = 100;

pub fn router() -> Router<ApiContext> {
    let router = route_with_and_without_slash(
        Router::new(),
        "/api/users",
        get(list_users).post(create_user),
    );
    let router = route_with_and_without_slash(router, "/api/users/{id}", patch(update_user));
    route_with_and_without_slash(router, "/api/agents", get(list_agents))
}

/// The enabled agents and admins, by name: who tickets can be assigned to (agents and admins).
#[utoipa::path(
    get, path = "/api/agents/", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The accounts tickets can be assigned to", body = Vec<User>),
        (status = 403, description = "Not an agent or admin", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_agents(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<Vec<User>>, ApiError> {
    if !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "The list of agents is for agents and admins.".to_owned(),
        ));
    }
    Ok(Json(repository::list_staff(&ctx.db).await?))
}

/// Accounts in the order they were made, 100 at a time; `after` is the last id of the page before.
#[utoipa::path(
    get, path = "/api/users/", tag = "users", security(("bearer" = [])),
    params(("after" = Option<i64>, Query, minimum = 0, description = "The last id of the previous page")),
    responses(
        (status = 200, description = "A page of accounts", body = Vec<User>),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_users(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    query: QueryParams,
) -> Result<Json<Vec<User>>, ApiError> {
    admins_only(&caller, "manage accounts")?;
    if let Some((name, _)) = query.0.iter().find(|(name, _)| name != "after") {
        return Err(ApiError::field(
            name,
            "is not an accepted parameter (accepted: after)",
        ));
    }
    let after = match query.get("after") {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id >= 0)
                .ok_or_else(|| ApiError::field("after", "must be an account id"))?,
        ),
    };
    Ok(Json(repository::list_users(&ctx.db, after, PAGE).await?))
}

/// Invite someone: an account with a role, and a password to pass on (or none, for sign-in
/// through the OpenID provider).
#[utoipa::path(
    post, path = "/api/users/", tag = "users", security(("bearer" = [])),
    request_body(content = crate::domain::NewUserRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The account", body = User),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address is already registered", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn create_user(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    admins_only(&caller, "manage accounts")?;
    let account = NewAccount::parse_by_admin(&body).map_err(ApiError::Validation)?;
    let user = super::auth::create_account(&ctx, &account).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

/// Change an account's name or role, or disable it (its tokens stop working at once). The last
/// enabled admin cannot be demoted or disabled, and no admin can do that to their own account.
#[utoipa::path(
    patch, path = "/api/users/{id}/", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")),
    request_body(content = crate::domain::UserChangesRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The account", body = User),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave no enabled admin, an admin would lock themselves out, or the role of a provider's account would change", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn update_user(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<User>, ApiError> {
    admins_only(&caller, "manage accounts")?;
    let not_found = || ApiError::NotFound("There is no such account.".to_owned());
    let id = positive_id(&id).ok_or_else(not_found)?;
    let changes = AccountChanges::parse(&body).map_err(ApiError::Validation)?;
    let locks_out =
        changes.disabled == Some(true) || changes.role.is_some_and(|role| role != Role::Admin);
    if id == caller.id && locks_out {
        return Err(ApiError::Conflict(
            "You cannot disable or demote your own account: another admin can.".to_owned(),
        ));
    }
    match repository::update_user(&ctx.db, id, &changes).await? {
        UserUpdate::Updated(user) => {
            ctx.auth.forget_account(user.id);
            Ok(Json(user))
        }
        UserUpdate::NotFound => Err(not_found()),
        UserUpdate::LastAdmin => Err(ApiError::Conflict(
            "This is the last enabled admin: make another admin first.".to_owned(),
        )),
        UserUpdate::RoleFromProvider => Err(ApiError::Conflict(
            "This account signs in through the identity provider, whose groups set its role: \
             change it there."
                .to_owned(),
        )),
    }
}
