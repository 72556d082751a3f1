//! The HTTP layer: one router shared by the local server and the Lambda functions.

mod auth;
mod classify;
mod comments;
mod conditional;
mod error;
mod events;
mod extract;
mod list_query;
mod mail;
mod meta;
mod paging;
pub(crate) mod rate_limit;
mod server;
mod sla;
mod stats;
mod tickets;
mod triage;
mod users;

use std::{any::Any, path::Path, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{MethodRouter, any},
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::{ServeDir, ServeFile},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

pub use error::{
    ApiError, BodyProblems, PROBLEM_JSON, Problem, RateLimited, SignInRequired, Unavailable,
};
pub use meta::ApiDoc;
pub use server::{DrainTimedOut, serve};

use crate::{
    auth::Auth, classifier::Classifier, clock::Clock, config::HttpConfig,
    domain::MailTransportKind, mail::inbound::Inbox,
};

/// Largest request body accepted.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// The request id header: generated when absent, echoed in every response.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler may use; cheap to clone.
#[derive(Clone)]
pub struct ApiContext {
    pub db: sqlx::PgPool,
    pub classifier: Classifier,
    pub auth: Auth,
    /// Whether client addresses come from `X-Forwarded-For`/`X-Real-IP` (`HttpConfig`).
    pub trust_proxy_headers: bool,
    /// What SLA states, queues and the 30-day statistics count as now.
    pub clock: Clock,
    /// How outbound mail leaves this deployment (the mail settings say so to admins).
    pub mail_transport: MailTransportKind,
    /// Where held mail an agent accepts goes.
    pub inbox: Inbox,
}

impl ApiContext {
    /// The state a deployment serves with, built once per process: the pool, the model client
    /// and the sign-in verifier are shared by every request.
    pub fn new(config: &crate::config::Config, db: sqlx::PgPool) -> Self {
        let classifier = crate::build_classifier(&config.classifier);
        Self {
            inbox: Inbox::new(db.clone(), classifier.clone(), &config.mail),
            classifier,
            auth: Auth::new(&config.auth, db.clone(), crate::classifier::http_client),
            trust_proxy_headers: config.http.trust_proxy_headers,
            clock: Clock::system(),
            mail_transport: config.mail.transport.kind(),
            db,
        }
    }
}

/// A group of routes, one per Lambda function; the local server serves them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routes {
    Tickets,
    Stats,
    Classify,
}

impl Routes {
    pub const ALL: &'static [Self] = &[Self::Tickets, Self::Stats, Self::Classify];

    fn router(self, config: &HttpConfig) -> Router<ApiContext> {
        match self {
            // Sign-in and accounts ride with the tickets: the function every client calls first.
            Self::Tickets => tickets::router()
                .merge(comments::router())
                .merge(events::router())
                .merge(sla::router())
                .merge(auth::router(config.trust_proxy_headers))
                .merge(users::router())
                .merge(mail::router())
                .merge(triage::router(config)),
            Self::Stats => stats::router(),
            Self::Classify => match config.classify_rate_limit {
                Some(limit) => rate_limit::limit(
                    classify::router(),
                    limit,
                    config.trust_proxy_headers,
                    "classification requests",
                ),
                None => classify::router(),
            },
        }
    }
}

/// The full application: the chosen route groups, health and OpenAPI, the SPA when
/// configured, and the middleware stack.
pub fn app(ctx: ApiContext, groups: &[Routes], config: &HttpConfig) -> Router {
    let mut api = meta::router();
    for group in groups {
        api = api.merge(group.router(config));
    }
    let mut router = api
        .route("/api", any(unknown_api_path))
        .route("/api/{*rest}", any(unknown_api_path))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(ctx);
    router = match &config.static_dir {
        Some(dir) => router.fallback_service(spa_service(dir)),
        None => router.fallback(unknown_api_path),
    };
    with_middleware(router, config)
}

/// Registers `path` and `path/`: clients and API Gateway routes use both spellings.
fn route_with_and_without_slash<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    path: &str,
    method_router: MethodRouter<S>,
) -> Router<S> {
    router
        .route(path, method_router.clone())
        .route(&format!("{path}/"), method_router)
}

fn with_middleware(router: Router, config: &HttpConfig) -> Router {
    let origins = &config.cors_allowed_origins;
    let cors = (!origins.is_empty()).then(|| cors_layer(origins));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<Body>| {
            let request_id = request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!(
                "request",
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %request_id,
            )
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        .on_failure(());
    // Outermost first: the request id exists before the span that logs it; panics, timeouts
    // and body-limit refusals all pass through `problem_for_bare_errors` on the way out.
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .option_layer(cors)
            .layer(axum::middleware::map_response(problem_for_bare_errors))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                config.request_timeout,
            ))
            .layer(CompressionLayer::new())
            .layer(axum::middleware::from_fn(run_to_completion)),
    )
}

/// Runs the rest of the request (routing, extraction, the handler and its database work) as a
/// task of its own, which goes on to its end if the request's future is dropped: a client
/// hanging up, the request timeout answering first. So database work is never cancelled
/// half-way, whatever happens to the request (see `crate::db`). Costs one task spawn per
/// request. A panic in the task is resumed here, for the panic layer to answer 500.
async fn run_to_completion(request: Request<Body>, next: axum::middleware::Next) -> Response {
    use tracing::Instrument;
    match tokio::spawn(next.run(request).in_current_span()).await {
        Ok(response) => response,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only the runtime shutting down cancels the task, and nobody waits for this answer.
        Err(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is shutting down.",
        )
        .into_response(),
    }
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let origins = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok());
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::OPTIONS,
        ])
        // The refresh cookie crosses to the API only from an allowed origin of the same site
        // (it is SameSite=Strict), and only to /api/auth.
        .allow_credentials(true)
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            REQUEST_ID,
        ])
        .expose_headers([
            header::LINK,
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            REQUEST_ID,
        ])
        .max_age(Duration::from_secs(600))
}

async fn unknown_api_path() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "There is no such API endpoint.")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed on this endpoint.",
    )
}

/// Gives every error response that some layer produced without a body (405 from routing, 413
/// from the body limit, a timeout…) the problem+json envelope, keeping its status and headers.
async fn problem_for_bare_errors<B>(response: Response<B>) -> Response
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let response = response.map(Body::new);
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!(
                "The request body must be at most {} KiB.",
                BODY_LIMIT_BYTES / 1024
            )
        }
        StatusCode::SERVICE_UNAVAILABLE => "The request took too long. Please retry.".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "This method is not allowed on this endpoint.".to_owned(),
        StatusCode::NOT_FOUND => "Not found.".to_owned(),
        _ => "The request could not be processed.".to_owned(),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let problem = Problem::new(status, detail).into_response();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    Response::from_parts(parts, problem.into_body())
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    tracing::error!(panic = %message, "handler panicked");
    error::internal_error_problem().into_response()
}

/// The built SPA: files as they are, hashed assets cached for a year, `index.html` for every
/// other path so client-side routes survive a reload. A missing asset is a 404, not
/// `index.html` under a script's name (which a browser would cache for a year), as in nginx.
fn spa_service(dir: &Path) -> Router {
    let assets = ServeDir::new(dir.join("assets"));
    let pages = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    Router::new()
        .nest_service("/assets", assets)
        .fallback_service(pages)
        .layer(axum::middleware::map_response(
            |request_path: axum::extract::OriginalUri, mut response: Response| async move {
                if !response.status().is_success() {
                    return response;
                }
                let cache = if request_path.path().starts_with("/assets/") {
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                };
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                response
            },
        ))
}

#[cfg(test)]
mod tests {
    use axum::{body::to_bytes, routing::get};
    use tower::ServiceExt;

    use super::*;

    /// A handler that panics, behind the real middleware stack.
    fn panicking_app() -> Router {
        let router = Router::new()
            .route(
                "/api/panic",
                get(|| async { panic!("a bug") as &'static str }),
            )
            .route("/api/fine", get(|| async { "fine" }));
        with_middleware(router, &HttpConfig::default())
    }

    #[tokio::test]
    async fn a_panic_in_a_handler_is_a_500_problem_and_the_app_keeps_serving() {
        let app = panicking_app();
        let request = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request("/api/panic")).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert!(response.headers().contains_key(&REQUEST_ID));
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["status"], 500);
        assert!(
            !body.windows(5).any(|w| w == b"a bug"),
            "the cause is not sent"
        );

        let response = app.oneshot(request("/api/fine")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
