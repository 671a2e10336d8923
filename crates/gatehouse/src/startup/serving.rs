//! What every listener serves around the roles' endpoints: problem documents for poem's
//! errors, a span per request, the operators' listener, and shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use gatehouse_gateway::Gateway;
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::listener::{Acceptor, AcceptorExt, Listener, TcpListener};
use poem::{EndpointExt, Response};
use sea_orm::DatabaseConnection;
use tracing::Instrument;

use crate::metrics::Metrics;

pub(super) fn problem_errors(ep: impl poem::Endpoint + 'static) -> BoxEndpoint<'static, Response> {
    ep.map_to_response()
        .catch_all_error(gatehouse_proto::problem_for_error)
        .boxed()
}

/// A service's endpoint (with problem documents for poem's errors), each request in a span of
/// `service` that continues the gateway's trace (`traceparent`) and names the request id, so
/// that the service's logs and spans join the gateway's.
pub(super) fn service(
    service: &'static str,
    ep: impl poem::Endpoint + 'static,
) -> BoxEndpoint<'static, Response> {
    let ep = Arc::new(problem_errors(ep));
    poem::endpoint::make(move |req: poem::Request| {
        let ep = ep.clone();
        async move {
            let request_id = req
                .headers()
                .get(gatehouse_gateway::REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let span = tracing::info_span!(
                "service",
                otel.name = format!("{service} {}", req.method()),
                otel.kind = "server",
                service,
                request_id,
                trace_id = tracing::field::Empty,
                status = tracing::field::Empty,
            );
            if let Some(traceparent) = gatehouse_gateway::continue_trace(&span, req.headers()) {
                span.record(
                    "trace_id",
                    traceparent.split('-').nth(1).unwrap_or_default(),
                );
            }
            let response = poem::Endpoint::get_response(&*ep, req)
                .instrument(span.clone())
                .await;
            span.record("status", response.status().as_u16());
            Ok::<_, poem::Error>(response)
        }
    })
    .boxed()
}

/// A service on its own listener: with `/healthz` for the gateway's health checks, which turns
/// 503 while the process drains, so that gateways send it nothing new.
pub(super) fn standalone(
    ep: impl poem::Endpoint + 'static,
    draining: Arc<AtomicBool>,
) -> BoxEndpoint<'static, Response> {
    let healthz = poem::endpoint::make_sync(move |_| {
        if draining.load(Ordering::Relaxed) {
            json_status(StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"draining"}"#)
        } else {
            json_status(StatusCode::OK, r#"{"status":"ok"}"#)
        }
    });
    problem_errors(poem::Route::new().at("/healthz", healthz).nest("/", ep))
}

pub(super) fn json_status(status: StatusCode, body: &'static str) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body)
}

/// What a role's readiness depends on, checked by the ops listener's `/readyz`.
#[derive(Clone)]
pub(super) enum Readiness {
    Gateway(Gateway),
    Database(DatabaseConnection),
}

impl Readiness {
    async fn report(&self) -> (bool, serde_json::Value) {
        match self {
            Self::Gateway(gateway) => gateway.readiness_report().await,
            Self::Database(db) => {
                let up = db.ping().await.is_ok();
                let state = if up { "up" } else { "down" };
                (up, serde_json::json!({ "database": state }))
            }
        }
    }
}

/// The operators' endpoint: `/healthz` (alive), `/readyz` (ready, with details; 503 while
/// draining or when what the role needs is down).
pub(super) fn ops_endpoint(
    readiness: Readiness,
    metrics: Arc<Metrics>,
    draining: Arc<AtomicBool>,
) -> BoxEndpoint<'static, Response> {
    let exposition = poem::endpoint::make_sync(move |_| {
        Response::builder()
            .content_type(crate::metrics::CONTENT_TYPE)
            .body(metrics.encode())
    });
    let healthz = poem::endpoint::make_sync(|_| json_status(StatusCode::OK, r#"{"status":"ok"}"#));
    let readyz = poem::endpoint::make(move |_| {
        let readiness = readiness.clone();
        let draining = draining.clone();
        async move {
            if draining.load(Ordering::Relaxed) {
                return json_status(StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"draining"}"#);
            }
            let (ready, checks) = readiness.report().await;
            let body = serde_json::json!({
                "status": if ready { "ready" } else { "not ready" },
                "checks": checks,
            });
            Response::builder()
                .status(if ready {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                })
                .content_type("application/json")
                .body(body.to_string())
        }
    });
    problem_errors(
        poem::Route::new()
            .at("/healthz", healthz)
            .at("/readyz", readyz)
            .at("/metrics", exposition),
    )
}

pub(super) async fn bind(
    listen: &str,
    key: &str,
) -> anyhow::Result<(poem::listener::BoxAcceptor, u16)> {
    let acceptor = TcpListener::bind(listen.to_owned())
        .into_acceptor()
        .await
        .with_context(|| format!("binding {listen} (key `{key}`)"))?;
    let port = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().map(|s| s.port()))
        .context("the listener has no TCP address")?;
    Ok((acceptor.boxed(), port))
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
