//! `X-Request-Id`: taken from the request when it is a sane value, made up otherwise; passed to
//! the services, returned on every response, and recorded on the request's span. The span
//! continues the caller's W3C trace (when OpenTelemetry export is on, it is the trace's server
//! span, whose id the services receive as their parent in `traceparent`).

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

/// The caller's span, as OpenTelemetry's remote parent.
fn remote_parent(traceparent: &str) -> Option<opentelemetry::Context> {
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    let mut parts = traceparent.split('-').skip(1);
    let trace = TraceId::from_hex(parts.next()?).ok()?;
    let span = SpanId::from_hex(parts.next()?).ok()?;
    let flags = u8::from_str_radix(parts.next()?, 16).ok()?;
    let parent = SpanContext::new(
        trace,
        span,
        TraceFlags::new(flags),
        true,
        TraceState::default(),
    );
    Some(opentelemetry::Context::new().with_remote_span_context(parent))
}

/// The `traceparent` that names `span` (a span of an exported trace) as the parent.
fn traceparent_of(span: &tracing::Span) -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            span_context.trace_id(),
            span_context.span_id(),
            span_context.trace_flags().to_u8()
        )
    })
}

/// Makes `span` a child of the valid W3C `traceparent` in `headers`, if any, and returns it.
/// (A span of an exported trace then carries the caller's trace id.)
pub fn continue_trace(span: &tracing::Span, headers: &poem::http::HeaderMap) -> Option<String> {
    let incoming = headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_traceparent(v))
        .map(str::to_owned)?;
    if let Some(parent) = remote_parent(&incoming) {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let _ = span.set_parent(parent);
    }
    Some(incoming)
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
        req.extensions_mut().insert(RequestId(id.clone()));
        let method = req.method().clone();
        // The path only: a query string may carry things that do not belong in logs.
        let path = req.uri().path().to_owned();
        // Named now: an exported span's name cannot change once its context is taken below.
        // Classified once: the gateway's handler takes the result from the request.
        let target = crate::route::classify(&method, &path).ok();
        let route = target
            .as_ref()
            .map_or(crate::route::UNMATCHED, |t| t.template);
        req.extensions_mut()
            .insert(crate::route::Classified(target));
        let span = tracing::info_span!(
            "request",
            otel.name = format!("{method} {route}"),
            otel.kind = "server",
            request_id = %id,
            trace_id = tracing::field::Empty,
            %method,
            %path,
            route,
            tenant = tracing::field::Empty,
            status = tracing::field::Empty,
            cache = tracing::field::Empty,
            rate_limit = tracing::field::Empty,
        );
        let incoming = continue_trace(&span, req.headers());
        // Exported, the services' parent is this span; else the caller's traceparent goes on.
        let traceparent = traceparent_of(&span)
            .or(incoming)
            .unwrap_or_else(new_traceparent);
        let trace_id = traceparent.split('-').nth(1).unwrap_or_default().to_owned();
        span.record("trace_id", trace_id.as_str());
        if let Ok(value) = HeaderValue::from_str(&traceparent) {
            req.headers_mut().insert("traceparent", value);
        }
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
