//! The Lambda glue shared by the `tickets`, `stats` and `classify` functions (the mail
//! functions' is in `mail::aws`): configuration,
//! pool and classifier built once per cold start, JSON logs carrying the Lambda request id, and
//! the API Gateway stage and custom-domain base path taken off the path before routing, so the
//! handlers are exactly the local server's.

use std::convert::Infallible;

use axum::{
    Router,
    body::Body,
    extract::{OriginalUri, Request, State},
    http::{HeaderValue, Uri, uri::PathAndQuery},
    middleware::Next,
    response::Response,
};
use lambda_http::{RequestExt, request::RequestContext};
pub use lambda_runtime::Error;
use tower::{Service, ServiceBuilder};
use tracing::Instrument;

use crate::{
    config::{Config, HttpConfig, Runtime},
    db,
    http::{self, ApiContext, REQUEST_ID, Routes},
    telemetry::{self, LogFormat},
};

/// The whole life of one Lambda instance: read the configuration, build the state once, then
/// serve invocations until the sandbox is shut down. Each function's `main` is this one call.
pub async fn run(routes: Routes) -> Result<(), Error> {
    let mut config = configure()?;
    // GEMINI_API_KEY_SECRET_ID (set by template.yaml for the functions that classify) is read
    // here, once per cold start.
    crate::secrets::resolve_gemini_key(&mut config.classifier.gemini).await;
    // Outside the handler: the pool (lazy, so a cold start never waits for the database) and the
    // classifier's HTTP client are reused by every invocation this instance serves.
    let db = db::pool(&config.database)
        .map_err(|error| format!("DATABASE_URL is not usable: {error}"))?;
    let ctx = ApiContext::new(&config, db);
    // The SPA is served by its static host, never by a function.
    let http = HttpConfig {
        static_dir: None,
        ..config.http
    };
    tracing::info!(
        ?routes,
        base_path = http.api_base_path.as_deref().unwrap_or(""),
        "lambda function ready"
    );
    lambda_http::run(service(ctx, routes, &http)).await
}

/// The configuration, with JSON logs set up by it; an invalid one is logged (as JSON too, so a
/// broken deployment shows up in CloudWatch queries) and ends the instance.
pub fn configure() -> Result<Config, Error> {
    match Config::from_env(Runtime::Lambda) {
        Ok(config) => {
            telemetry::init(&config.log_filter, LogFormat::Json);
            Ok(config)
        }
        Err(error) => {
            telemetry::init("info", LogFormat::Json);
            tracing::error!(%error, "invalid configuration");
            Err(error.into())
        }
    }
}

/// One function's routes of the shared router, behind the Lambda adapter layer. Tests send API
/// Gateway events through it.
pub fn service(
    ctx: ApiContext,
    routes: Routes,
    config: &HttpConfig,
) -> impl Service<lambda_http::Request, Response = Response, Error = Infallible, Future: Send + 'static>
+ Clone
+ Send
+ 'static {
    let router: Router = http::app(ctx, &[routes], config);
    ServiceBuilder::new()
        .map_request(|request: lambda_http::Request| request.map(Body::new))
        .layer(axum::middleware::from_fn_with_state(
            config.api_base_path.clone(),
            from_api_gateway,
        ))
        .service(router)
}

/// Rewrites the request as the router expects it and runs it inside a span naming the Lambda
/// invocation. `base_path` is a custom domain's API mapping key (`API_BASE_PATH`), e.g.
/// `/helpdesk`, in front of `/api`.
///
/// The router sees `/api/...`; `OriginalUri`, from which the `Location` and `Link` headers are
/// built, keeps the path the client called (`/prod/api/...`, `/helpdesk/api/...`): those
/// headers are resolved by the client against its own URL, so they must carry the prefixes
/// API Gateway removes again on the way in.
async fn from_api_gateway(
    State(base_path): State<Option<String>>,
    mut request: Request,
    next: Next,
) -> Response {
    let stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.clone(),
        _ => None,
    };
    let apigw_request_id = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    };
    let lambda_request_id = request
        .lambda_context_ref()
        .map(|context| context.request_id.clone())
        .filter(|id| !id.is_empty());

    let client_uri =
        with_path(request.uri(), request.raw_http_path()).unwrap_or_else(|| request.uri().clone());
    let path = routing_path(request.uri().path(), stage.as_deref(), base_path.as_deref());
    if let Some(uri) = with_path(request.uri(), path) {
        *request.uri_mut() = uri;
    }
    request.extensions_mut().insert(OriginalUri(client_uri));

    // Without an id from the client, the invocation's own id becomes the request id, so the
    // `x-request-id` a user reports finds the function's logs and its REPORT line directly.
    if !request.headers().contains_key(&REQUEST_ID)
        && let Some(value) = lambda_request_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok())
    {
        request.headers_mut().insert(REQUEST_ID, value);
    }

    let span = tracing::info_span!(
        "lambda",
        aws_request_id = lambda_request_id.as_deref().unwrap_or("-"),
        apigw_request_id = apigw_request_id.as_deref().unwrap_or("-"),
        stage = stage.as_deref().unwrap_or("-"),
    );
    next.run(request).instrument(span).await
}

/// The path the router matches: without the API Gateway stage (`/prod`, absent for `$default`)
/// and without the custom domain's base path. A prefix is removed only as whole segments.
pub fn routing_path<'a>(path: &'a str, stage: Option<&str>, base_path: Option<&str>) -> &'a str {
    let mut path = path;
    if let Some(stage) = stage.filter(|stage| !stage.is_empty() && *stage != "$default") {
        path = strip_segments(path, &format!("/{stage}"));
    }
    if let Some(base_path) = base_path {
        path = strip_segments(path, base_path);
    }
    path
}

fn strip_segments<'a>(path: &'a str, prefix: &str) -> &'a str {
    match path.strip_prefix(prefix) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// `uri` with another path, keeping its scheme, host and query.
fn with_path(uri: &Uri, path: &str) -> Option<Uri> {
    if path.is_empty() {
        return None;
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_stage_adds_no_prefix() {
        assert_eq!(
            routing_path("/api/tickets/", Some("$default"), None),
            "/api/tickets/"
        );
        assert_eq!(routing_path("/api/tickets", None, None), "/api/tickets");
    }

    #[test]
    fn a_named_stage_is_stripped() {
        assert_eq!(
            routing_path("/prod/api/tickets/", Some("prod"), None),
            "/api/tickets/"
        );
        assert_eq!(routing_path("/prod", Some("prod"), None), "/");
        // Only whole segments: a path that merely starts with the same letters is left alone.
        assert_eq!(
            routing_path("/production/api", Some("prod"), None),
            "/production/api"
        );
    }

    #[test]
    fn the_base_path_is_stripped_after_the_stage() {
        assert_eq!(
            routing_path("/helpdesk/api/health", Some("$default"), Some("/helpdesk")),
            "/api/health"
        );
        // A custom domain mapped to a named stage: lambda_http puts the stage in front of the
        // raw path, which holds the mapping key.
        assert_eq!(
            routing_path(
                "/prod/support/v1/api/tickets",
                Some("prod"),
                Some("/support/v1")
            ),
            "/api/tickets"
        );
        assert_eq!(
            routing_path("/api/tickets", None, Some("/helpdesk")),
            "/api/tickets"
        );
    }

    #[test]
    fn rewriting_keeps_host_and_query() {
        let uri: Uri = "https://example.com/prod/api/tickets?a=1&a=2"
            .parse()
            .unwrap();
        let rewritten = with_path(&uri, "/api/tickets").unwrap();
        assert_eq!(
            rewritten.to_string(),
            "https://example.com/api/tickets?a=1&a=2"
        );
        assert_eq!(with_path(&uri, ""), None);
    }
}
