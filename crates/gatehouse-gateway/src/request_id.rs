//! `X-Request-Id`: taken from the request when it is a sane value, made up otherwise; passed to
//! the services, returned on every response, and recorded on the request's log span.

use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request's id, as a request extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn is_acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// A W3C `traceparent` (version 00) that the gateway can pass on as it is.
fn valid_traceparent(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    matches!(parts.as_slice(), [version, trace, parent, flags]
        if *version == "00" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2)
            && trace.bytes().any(|b| b != b'0') && parent.bytes().any(|b| b != b'0'))
}

/// A new trace, when the caller did not send one the gateway can continue.
fn new_traceparent() -> String {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let parent = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{parent}-01")
}

pub struct RequestIdMiddleware;

impl<E: Endpoint> Middleware<E> for RequestIdMiddleware {
    type Output = RequestIdEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestIdEndpoint { inner: ep }
    }
}

pub struct RequestIdEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for RequestIdEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        let id = req
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_acceptable(v))
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
        let value = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("invalid"));
        req.headers_mut().insert(REQUEST_ID_HEADER, value.clone());
        let traceparent = req
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .filter(|v| valid_traceparent(v))
            .map_or_else(new_traceparent, str::to_owned);
        let trace_id = traceparent.split('-').nth(1).unwrap_or_default().to_owned();
        if let Ok(value) = HeaderValue::from_str(&traceparent) {
            req.headers_mut().insert("traceparent", value);
        }
        req.extensions_mut().insert(RequestId(id.clone()));
        let method = req.method().clone();
        // The path only: a query string may carry things that do not belong in logs.
        let path = req.uri().path().to_owned();
        let span = tracing::info_span!("request", request_id = %id, %trace_id, %method, %path);
        let started = Instant::now();
        let result = self.inner.call(req).instrument(span.clone()).await;
        let mut response = match result {
            Ok(output) => output.into_response(),
            Err(err) => err.into_response(),
        };
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
        span.in_scope(|| {
            tracing::info!(
                status = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request finished"
            );
        });
        Ok(response)
    }
}
