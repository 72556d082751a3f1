//! Per-client rate limiting of classification, so one client cannot spend the model budget.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, FromRequestParts},
    http::{
        Extensions, HeaderMap, HeaderValue, Request, Response, StatusCode, header, request::Parts,
    },
    response::IntoResponse,
};
use tower_governor::{
    GovernorError, GovernorLayer, governor::GovernorConfigBuilder, key_extractor::KeyExtractor,
};

use super::{ApiContext, Problem};
use crate::config::RateLimit;

/// Who a request comes from. Behind a reverse proxy (nginx, API Gateway) every peer is the
/// proxy, so when told to trust it we take the address the proxy saw: the last
/// `X-Forwarded-For` hop (earlier hops are whatever the client sent), then `X-Real-IP`.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress {
    pub trust_proxy_headers: bool,
}

impl ClientAddress {
    /// The client's address, as far as it is known: without a socket or a trusted header, all
    /// such requests share one (absent) address.
    pub fn of(self, headers: &HeaderMap, extensions: &Extensions) -> Option<IpAddr> {
        let from_proxy = || {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
                .next_back();
            forwarded.or_else(|| headers.get("x-real-ip")?.to_str().ok()?.trim().parse().ok())
        };
        let peer = || {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| address.ip())
        };
        if self.trust_proxy_headers {
            from_proxy().or_else(peer)
        } else {
            peer()
        }
    }
}

impl KeyExtractor for ClientAddress {
    type Key = Option<IpAddr>;

    fn extract<T>(&self, request: &Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(self.of(request.headers(), request.extensions()))
    }
}

/// The client's address in a handler, by the deployment's trust in proxy headers.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<ApiContext> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &ApiContext,
    ) -> Result<Self, Self::Rejection> {
        let address = ClientAddress {
            trust_proxy_headers: ctx.trust_proxy_headers,
        };
        Ok(Self(address.of(&parts.headers, &parts.extensions)))
    }
}

/// Applies the limit to every route of `router`; a zero rate or burst leaves it unlimited.
pub fn limit<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    limit: RateLimit,
    trust_proxy_headers: bool,
    what: &'static str,
) -> Router<S> {
    let Some(period) = Duration::from_secs(60).checked_div(limit.per_minute) else {
        return router;
    };
    let Some(config) = GovernorConfigBuilder::default()
        .period(period)
        .burst_size(limit.burst)
        .key_extractor(ClientAddress {
            trust_proxy_headers,
        })
        .finish()
    else {
        return router;
    };
    let config = Arc::new(config);
    let limiter = Arc::clone(config.limiter());
    // Forget idle clients now and then so the table does not grow with every address seen.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.retain_recent();
        }
    });
    router.layer(
        GovernorLayer::new(config).error_handler(move |error| too_many_requests(error, what)),
    )
}

fn too_many_requests(error: GovernorError, what: &str) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, headers } => {
            let wait = wait_time.max(1);
            let mut response = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many {what} from your address. Retry in {wait} s."),
            )
            .into_response();
            if let Some(headers) = headers {
                response.headers_mut().extend(headers);
            }
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            response
        }
        other => {
            tracing::error!(error = %other, "rate limiter failed");
            super::error::internal_error_problem().into_response()
        }
    }
}
