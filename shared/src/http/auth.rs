//! Sign-in with built-in accounts (`/api/auth/…`), the caller's own account (`/api/me`), and the
//! built-in issuer's discovery document and keys (`/.well-known/…`).
//!
//! A session is a short-lived access token, sent by the client as `Authorization: Bearer`, and
//! a refresh token in an `HttpOnly; Secure; SameSite=Strict` cookie that only `/api/auth` ever
//! receives; each refresh spends it and sets the next one.

use axum::{
    Json, Router,
    extract::{OriginalUri, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    ApiContext, ApiError, BodyProblems, Problem, RateLimited, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody},
    route_with_and_without_slash,
};
use crate::{
    auth::{self, issuer::BuiltinIssuer, passwords},
    config::RateLimit,
    domain::{NewAccount, SignIn, User},
    repository::{self, NewUser, Refresh},
};

/// The refresh token's cookie.
const REFRESH_COOKIE: &str = "helpdesk_refresh";
/// Sign-in, sign-up and refresh requests a client address gets.
const AUTH_RATE_LIMIT: RateLimit = RateLimit {
    per_minute: 30,
    burst: 10,
};

/// The routes of the `tickets` function that deal with sign-in.
pub fn router(trust_proxy_headers: bool) -> Router<ApiContext> {
    let sessions = ["login", "refresh", "logout", "signup"]
        .into_iter()
        .zip([post(sign_in), post(refresh), post(sign_out), post(sign_up)])
        .fold(Router::new(), |router, (path, method)| {
            route_with_and_without_slash(router, &format!("/api/auth/{path}"), method)
        });
    let sessions = super::rate_limit::limit(
        sessions,
        AUTH_RATE_LIMIT,
        trust_proxy_headers,
        "sign-in requests",
    );
    let router = route_with_and_without_slash(sessions, "/api/me", get(me));
    let router = route_with_and_without_slash(router, "/api/auth/methods", get(methods));
    router
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
}

/// An access token and whose it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token is valid.
    #[schema(example = 900)]
    pub expires_in: u64,
    pub user: User,
}

/// How one may sign in here, for the web app to offer the right buttons.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInMethods {
    /// Email and password (`/api/auth/login`).
    pub builtin: bool,
    /// Anyone may create a requester account (`/api/auth/signup`).
    pub signup: bool,
    /// Tickets may be submitted without an account.
    pub public_submission: bool,
    /// An OpenID Connect provider, for authorization code + PKCE in the browser.
    pub oidc: Option<OidcMethod>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OidcMethod {
    pub issuer: String,
    pub client_id: String,
    /// For "Sign in with …".
    pub name: String,
}

/// Sign in with a built-in account: an access token, and the refresh token's cookie. A wrong
/// password, an unknown address and a disabled account get the same answer, after the same
/// work.
#[utoipa::path(
    post, path = "/api/auth/login", tag = "auth",
    request_body(content = crate::domain::SignInRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in", body = Session,
            headers(("Set-Cookie" = String, description = "The refresh token (HttpOnly, Secure, SameSite=Strict, Path=/api/auth)"))),
        (status = 400, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The email or password is incorrect", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Built-in sign-in is off", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this address or from this client", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        Unavailable,
    )
)]
pub async fn sign_in(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let issuer = builtin(&ctx)?;
    let SignIn { email, password } = SignIn::parse(&body).map_err(ApiError::Validation)?;
    if !ctx.auth.sign_in_allowed(email.as_str()) {
        return Err(ApiError::TooManyRequests(
            "Too many sign-in attempts for this address. Retry in a minute.".to_owned(),
        ));
    }
    let found = repository::find_user_for_sign_in(&ctx.db, &email).await?;
    let stored = found.as_ref().and_then(|(_, hash)| hash.as_deref());
    let matches = passwords::verify(&password, stored)
        .await
        .map_err(ApiError::internal)?;
    match found {
        Some((user, _)) if matches && !user.disabled => {
            start_session(&ctx, issuer, user, uri.path(), StatusCode::OK).await
        }
        _ => Err(ApiError::SignInFailed),
    }
}

/// A new access token for the refresh token in the cookie, which is spent; the next one comes
/// in a new cookie. A spent token presented again revokes every token of its sign-in.
#[utoipa::path(
    post, path = "/api/auth/refresh", tag = "auth",
    responses(
        (status = 200, description = "A new access token", body = Session,
            headers(("Set-Cookie" = String, description = "The next refresh token"))),
        (status = 401, description = "No refresh cookie, or an expired, revoked or replayed one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Built-in sign-in is off", body = Problem, content_type = "application/problem+json"),
        RateLimited,
        Unavailable,
    )
)]
pub async fn refresh(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let issuer = builtin(&ctx)?;
    let ended = |reason: &str| -> Result<Response, ApiError> {
        let mut response = ApiError::Unauthorized(reason.to_owned()).into_response();
        set_cookie(&mut response, &clear_cookie(uri.path()));
        Ok(response)
    };
    let Some(presented) = cookie(&headers, REFRESH_COOKIE) else {
        return ended("no refresh cookie");
    };
    let next = auth::new_refresh_token()?;
    let expires_at = Utc::now() + ctx.auth.config().refresh_token_ttl;
    let outcome = repository::rotate_refresh_token(
        &ctx.db,
        &auth::refresh_token_hash(presented),
        &auth::refresh_token_hash(&next),
        expires_at,
    )
    .await?;
    let user_id = match outcome {
        Refresh::Rotated { user_id } => user_id,
        Refresh::Replayed => {
            tracing::warn!("a spent refresh token was presented again; its sign-in is revoked");
            return ended("replayed refresh token");
        }
        Refresh::Invalid => return ended("unknown or expired refresh token"),
    };
    let user = match repository::find_user(&ctx.db, user_id).await? {
        Some(user) if !user.disabled => user,
        _ => return ended("the account is disabled or gone"),
    };
    let mut response = session(issuer, user, StatusCode::OK).await?;
    let max_age = ctx.auth.config().refresh_token_ttl.as_secs();
    set_cookie(&mut response, &refresh_cookie(&next, uri.path(), max_age));
    Ok(response)
}

/// Sign out: the refresh token's sign-in is revoked and its cookie cleared. Access tokens
/// already given out expire on their own within minutes.
#[utoipa::path(
    post, path = "/api/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out (also without a session)"),
        RateLimited,
        Unavailable,
    )
)]
pub async fn sign_out(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(presented) = cookie(&headers, REFRESH_COOKIE) {
        repository::revoke_refresh_family_of(&ctx.db, &auth::refresh_token_hash(presented)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut response, &clear_cookie(uri.path()));
    Ok(response)
}

/// Create a requester account and sign in (only with `AUTH_SELF_SIGNUP=true`).
#[utoipa::path(
    post, path = "/api/auth/signup", tag = "auth",
    request_body(content = crate::domain::SignUpRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The account, signed in", body = Session),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sign-up is off", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address is already registered", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Built-in sign-in is off", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        RateLimited,
        Unavailable,
    )
)]
pub async fn sign_up(
    State(ctx): State<ApiContext>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let issuer = builtin(&ctx)?;
    if !ctx.auth.config().self_signup {
        return Err(ApiError::Forbidden(
            "Sign-up is off here: ask an admin for an account.".to_owned(),
        ));
    }
    let account = NewAccount::parse_sign_up(&body).map_err(ApiError::Validation)?;
    let user = create_account(&ctx, &account).await?;
    start_session(&ctx, issuer, user, uri.path(), StatusCode::CREATED).await
}

/// The signed-in account.
#[utoipa::path(
    get, path = "/api/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Me),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn me(
    State(ctx): State<ApiContext>,
    AuthUser(user): AuthUser,
) -> Result<Json<Me>, ApiError> {
    let notify_new_tickets = repository::new_ticket_mails(&ctx.db, user.id).await?;
    Ok(Json(Me {
        user,
        notify_new_tickets,
    }))
}

/// The caller's account, and their own settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    /// Whether they get a mail about every new ticket (agents and admins).
    pub notify_new_tickets: bool,
}

/// How one may sign in here.
#[utoipa::path(
    get, path = "/api/auth/methods", tag = "auth",
    responses((status = 200, description = "The sign-in methods on offer", body = SignInMethods))
)]
pub async fn methods(State(ctx): State<ApiContext>) -> Json<SignInMethods> {
    let config = ctx.auth.config();
    Json(SignInMethods {
        builtin: config.builtin,
        signup: config.builtin && config.self_signup,
        public_submission: config.public_submission,
        oidc: config.oidc.as_ref().map(|oidc| OidcMethod {
            issuer: oidc.issuer.clone(),
            client_id: oidc.client_id.clone(),
            name: oidc.display_name.clone(),
        }),
    })
}

async fn discovery(State(ctx): State<ApiContext>) -> Result<Response, ApiError> {
    let issuer = builtin(&ctx)?;
    Ok(Json(issuer.discovery_document()).into_response())
}

async fn jwks(State(ctx): State<ApiContext>) -> Result<Response, ApiError> {
    let issuer = builtin(&ctx)?;
    let keys = issuer.published_keys().await.map_err(ApiError::internal)?;
    Ok(Json(keys).into_response())
}

/// Makes an account, its password hashed; a registered address is a field error.
pub(super) async fn create_account(
    ctx: &ApiContext,
    account: &NewAccount,
) -> Result<User, ApiError> {
    let password_hash = match &account.password {
        Some(password) => Some(
            passwords::hash(password)
                .await
                .map_err(ApiError::internal)?,
        ),
        None => None,
    };
    let user = repository::insert_user(
        &ctx.db,
        &NewUser {
            email: &account.email,
            name: &account.name,
            role: account.role,
            password_hash,
        },
    )
    .await?;
    Ok(user)
}

fn builtin(ctx: &ApiContext) -> Result<&BuiltinIssuer, ApiError> {
    ctx.auth
        .builtin()
        .ok_or_else(|| ApiError::NotFound("Built-in sign-in is off here.".to_owned()))
}

/// A new sign-in: an access token and the first refresh token of a new family.
async fn start_session(
    ctx: &ApiContext,
    issuer: &BuiltinIssuer,
    user: User,
    path: &str,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let token = auth::new_refresh_token()?;
    let ttl = ctx.auth.config().refresh_token_ttl;
    repository::insert_refresh_token(
        &ctx.db,
        &auth::refresh_token_hash(&token),
        uuid::Uuid::new_v4(),
        user.id,
        Utc::now() + ttl,
    )
    .await?;
    let mut response = session(issuer, user, status).await?;
    set_cookie(&mut response, &refresh_cookie(&token, path, ttl.as_secs()));
    Ok(response)
}

async fn session(
    issuer: &BuiltinIssuer,
    user: User,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let access_token = issuer
        .access_token(&user)
        .await
        .map_err(ApiError::internal)?;
    let mut response = (
        status,
        Json(Session {
            access_token,
            token_type: "Bearer",
            expires_in: issuer.token_ttl().as_secs(),
            user,
        }),
    )
        .into_response();
    // Tokens are never cached by anything between the server and the client.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The cookie's path: `/api/auth` as the client called it, behind any stage or base path.
fn cookie_path(request_path: &str) -> &str {
    request_path.find("/api/auth").map_or("/api/auth", |start| {
        &request_path[..start + "/api/auth".len()]
    })
}

fn refresh_cookie(token: &str, request_path: &str, max_age: u64) -> String {
    format!(
        "{REFRESH_COOKIE}={token}; Path={}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict",
        cookie_path(request_path)
    )
}

fn clear_cookie(request_path: &str) -> String {
    refresh_cookie("", request_path, 0)
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The value of the cookie `name`, if the request carries it.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_scoped_to_the_auth_routes_behind_any_prefix() {
        assert_eq!(cookie_path("/api/auth/login"), "/api/auth");
        assert_eq!(cookie_path("/prod/api/auth/refresh/"), "/prod/api/auth");
        let cookie = refresh_cookie("t0k3n", "/api/auth/login", 60);
        assert_eq!(
            cookie,
            "helpdesk_refresh=t0k3n; Path=/api/auth; Max-Age=60; HttpOnly; Secure; SameSite=Strict"
        );
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; helpdesk_refresh=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, REFRESH_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
