//! The one error type of the HTTP layer and its RFC 9457 problem+json envelope.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{DESCRIPTION_MAX_CHARS, FieldErrors, too_long};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything a handler can fail with. Internal causes are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// No valid credentials; the cause is logged, the client is told only to sign in.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Built-in sign-in refused: one answer for every reason.
    #[error("sign-in failed")]
    SignInFailed,
    /// Signed in, but not allowed; the detail is sent.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("the ticket changed since it was read")]
    PreconditionFailed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A unique value (an email address) is already taken: 409 with the field named.
    #[error("taken")]
    Taken(FieldErrors),
    #[error("idempotency key reused for a different request")]
    IdempotencyKeyReused,
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// The language model gave no usable answer for writing assistance (the cause is logged
    /// where it happened); the agent writes it themselves.
    #[error("the language model did not answer")]
    ModelUnavailable,
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] sqlx::Error),
    /// The keys that check tokens cannot be read (the database or the provider is down).
    #[error("sign-in cannot be checked: {0}")]
    SignInUnavailable(String),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// RFC 9457 problem details, the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[schema(example = "about:blank")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[schema(example = "Validation failed")]
    pub title: String,
    #[schema(example = 400)]
    pub status: u16,
    #[schema(example = "The request body has invalid fields.")]
    pub detail: String,
    /// Field → messages; present for validation failures only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!({"title": ["must be at most 200 characters"]}))]
    pub errors: Option<FieldErrors>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
        }
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let mut response = (status, Json(self)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        match self {
            Self::Validation(errors) => Problem {
                title: "Validation failed".to_owned(),
                errors: Some(errors.clone()),
                ..Problem::new(StatusCode::BAD_REQUEST, "The request has invalid fields.")
            },
            Self::BadRequest(detail) => Problem::new(StatusCode::BAD_REQUEST, detail.clone()),
            Self::NotFound(detail) => Problem::new(StatusCode::NOT_FOUND, detail.clone()),
            Self::Unauthorized(_) => Problem::new(
                StatusCode::UNAUTHORIZED,
                "Sign in to do this: send a valid access token (Authorization: Bearer …).",
            ),
            Self::SignInFailed => Problem::new(
                StatusCode::UNAUTHORIZED,
                "The email or password is incorrect.",
            ),
            Self::Forbidden(detail) => Problem::new(StatusCode::FORBIDDEN, detail.clone()),
            Self::PayloadTooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The request body must be at most {} KiB.",
                    super::BODY_LIMIT_BYTES / 1024
                ),
            ),
            Self::UnsupportedMediaType => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The request body must be JSON, sent with Content-Type: application/json.",
            ),
            Self::PreconditionFailed => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "The ticket was changed by someone else since you loaded it. Reload it and apply \
                 your change again.",
            ),
            Self::Conflict(detail) => Problem::new(StatusCode::CONFLICT, detail.clone()),
            Self::Taken(errors) => Problem {
                errors: Some(errors.clone()),
                ..Problem::new(
                    StatusCode::CONFLICT,
                    "A value of this request is already taken.",
                )
            },
            Self::IdempotencyKeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This Idempotency-Key was already used for a different request. Use a new key \
                 for a new request.",
            ),
            Self::TooManyRequests(detail) => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, detail.clone())
            }
            Self::ModelUnavailable => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The language model did not answer in time. Retry in a moment, or write it \
                 yourself.",
            ),
            Self::DatabaseUnavailable(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable. Please retry in a moment.",
            ),
            Self::SignInUnavailable(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in cannot be checked right now. Please retry in a moment.",
            ),
            Self::Database(_) | Self::Internal(_) => internal_error_problem(),
        }
    }

    /// An unexpected failure whose cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// Field-level validation failure on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::from([(
            field.to_owned(),
            vec![message.into()],
        )]))
    }
}

/// Problem responses many endpoints share, for their OpenAPI `responses(…)`.
macro_rules! problem_responses {
    ($($(#[$meta:meta])* $name:ident { $($status:literal => $description:literal),+ $(,)? })+) => {
        $(
            $(#[$meta])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
                > {
                    [$(($status, $description)),+]
                        .into_iter()
                        .map(|(status, description): (u16, &str)| {
                            (status.to_string(), problem_response(description))
                        })
                        .collect()
                }
            }
        )+
    };
}

problem_responses! {
    /// A JSON body refused before it is read: too large, or not JSON.
    BodyProblems {
        413 => "Body over 64 KiB",
        415 => "Body is not JSON",
    }
    /// The database cannot answer.
    Unavailable {
        503 => "Database unavailable",
    }
    /// Over a per-client rate limit.
    RateLimited {
        429 => "Too many requests from this client address; Retry-After says when to retry",
    }
    /// Not signed in, or signed in but not allowed.
    SignInRequired {
        401 => "No valid access token (the answer carries WWW-Authenticate: Bearer)",
        403 => "Signed in, but this account's role may not do this",
    }
}

fn problem_response(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::response::Response> {
    utoipa::openapi::ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            utoipa::openapi::content::Content::new(Some(utoipa::openapi::Ref::from_schema_name(
                "Problem",
            ))),
        )
        .build()
        .into()
}

pub fn internal_error_problem() -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. It has been logged.",
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Database(cause) => tracing::error!(error = %cause, "database error"),
            Self::DatabaseUnavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable")
            }
            Self::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            Self::SignInUnavailable(cause) => tracing::warn!(%cause, "sign-in cannot be checked"),
            Self::Unauthorized(cause) => tracing::info!(reason = %cause, "request not signed in"),
            _ => {}
        }
        let mut response = self.problem().into_response();
        match self {
            Self::Unauthorized(_) | Self::SignInFailed => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"helpdesk\""),
                );
            }
            Self::TooManyRequests(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            }
            _ => {}
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if let Some(field_error) = constraint_field_error(&error) {
            return field_error;
        }
        if is_unavailable(&error) {
            Self::DatabaseUnavailable(error)
        } else {
            Self::Database(error)
        }
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(error: crate::auth::AuthError) -> Self {
        match error {
            crate::auth::AuthError::Unauthenticated(cause) => Self::Unauthorized(cause),
            crate::auth::AuthError::Forbidden(detail) => Self::Forbidden(detail),
            crate::auth::AuthError::Unavailable(cause) => Self::SignInUnavailable(cause),
            crate::auth::AuthError::Database(error) => error.into(),
        }
    }
}

impl From<crate::repository::StatsError> for ApiError {
    fn from(error: crate::repository::StatsError) -> Self {
        match error {
            crate::repository::StatsError::Database(error) => error.into(),
            crate::repository::StatsError::Counters(cause) => Self::Internal(cause),
        }
    }
}

/// Errors that mean "the database cannot be reached or is not answering in time".
fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            // 57014 query_canceled (statement timeout), class 08 connection exceptions,
            // 57P0x admin/crash shutdown, 53xxx insufficient resources.
            db.code().is_some_and(|code| {
                code == "57014"
                    || code.starts_with("08")
                    || code.starts_with("57P")
                    || code.starts_with("53")
            })
        }
        _ => false,
    }
}

/// Maps a constraint violation to the field it protects, so a value the API let through but the
/// database refused still reaches the user as a field error instead of a 500: a CHECK as 400, a
/// taken unique value (the request is fine, the state conflicts) as 409.
fn constraint_field_error(error: &sqlx::Error) -> Option<ApiError> {
    let constraint = error.as_database_error()?.constraint()?;
    if constraint == "users_email_key" {
        return Some(ApiError::Taken(FieldErrors::from([(
            "email".to_owned(),
            vec!["is already registered".to_owned()],
        )])));
    }
    let (field, message) = match constraint {
        "tickets_title_not_blank" => ("title", "must not be blank".to_owned()),
        "tickets_description_not_blank" => ("description", "must not be blank".to_owned()),
        "tickets_description_length" => ("description", too_long(DESCRIPTION_MAX_CHARS)),
        "tickets_category_allowed" => ("category", "is not an allowed value".to_owned()),
        "tickets_priority_allowed" => ("priority", "is not an allowed value".to_owned()),
        "tickets_status_allowed" => ("status", "is not an allowed value".to_owned()),
        _ => return None,
    };
    Some(ApiError::field(field, message))
}
