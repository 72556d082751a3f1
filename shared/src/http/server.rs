//! The local server's connections: HTTP/1.1 on a TCP listener, with the limits a server facing
//! clients directly needs (no proxy in front bounds them otherwise), and a graceful shutdown.
//!
//! - **Header read timeout**: a client has this long to send a request head, on a new
//!   connection and between the requests of a kept-alive one; a client that sends half a
//!   request and stops is disconnected then.
//! - **Connection limit**: at most this many connections are served at once; beyond it the
//!   server stops accepting and new clients wait in the kernel's listen queue until a
//!   connection ends, so stalled clients cannot exhaust memory or file descriptors.
//! - **Shutdown**: on the signal, stop accepting; for a moment ([`LINGER`]) keep serving the
//!   open connections, every answer now saying `Connection: close`, so a request a client sent
//!   on a kept-alive connection just before it could know is read and answered rather than cut
//!   off; then close the idle connections and let the others finish the request they are
//!   serving, for at most the drain timeout.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderValue, header},
    response::Response,
};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;

use crate::config::HttpConfig;

/// How long in-flight requests may take to finish after the shutdown signal (compose gives the
/// container 30 s too).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// How long connections are still served after the shutdown signal, each answer closing its
/// connection, before idle connections are closed. HTTP/1.1 cannot tell a client "stop reusing
/// this connection" except in an answer: without this, a request sent on an idle kept-alive
/// connection as the signal arrived would find its connection closed unread.
pub const LINGER: Duration = Duration::from_millis(750);

/// The drain took longer than [`DRAIN_TIMEOUT`].
#[derive(Debug, thiserror::Error)]
#[error("in-flight requests did not finish within {0:?} of the shutdown signal")]
pub struct DrainTimedOut(Duration);

/// Serves `app` until `shutdown` completes, then drains; see the module documentation. Each
/// request carries the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: &HttpConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DrainTimedOut> {
    let connections = Arc::new(Semaphore::new(config.max_connections));
    let draining = Arc::new(AtomicBool::new(false));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = connections.clone().acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let (stream, client) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, a connection reset before it was accepted…:
                    // the listener itself is fine, so wait a moment and go on.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Small JSON answers go out at once rather than waiting for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let draining_now = draining.clone();
        let service = app
            .clone()
            .map_request(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(client));
                request
            })
            .map_response(move |mut response: Response| {
                if draining_now.load(Ordering::Relaxed) {
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                response
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %client, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    draining.store(true, Ordering::Relaxed);
    tokio::time::sleep(LINGER).await;
    tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .map_err(|_| DrainTimedOut(DRAIN_TIMEOUT))
}
