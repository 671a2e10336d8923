//! Stored responses: how a response becomes a cache entry and an entry a response again (with
//! its `Age`, its `X-Cache` mark, and a 304 for a caller that holds its entity tag).

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use poem::http::{HeaderName, HeaderValue, StatusCode, header};
use poem::{Request, Response};
use serde::{Deserialize, Serialize};

/// Response headers never stored: per-connection, per-request or per-caller.
const UNSTORED: [&str; 10] = [
    "connection",
    "transfer-encoding",
    "set-cookie",
    "x-request-id",
    "ratelimit",
    "ratelimit-policy",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
];

#[derive(Serialize, Deserialize)]
struct Stored {
    status: u16,
    headers: Vec<(String, String)>,
    stored_at_ms: u64,
    /// Age of the response when it was stored (its `Age` header).
    initial_age: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A response and its body as a cache entry: a JSON line of status and headers, then the body.
pub(super) fn encode(response: &Response, body: &[u8]) -> Vec<u8> {
    let stored = Stored {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .filter(|(name, _)| !UNSTORED.contains(&name.as_str()) && name.as_str() != "x-cache")
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        stored_at_ms: now_ms(),
        initial_age: response
            .headers()
            .get(header::AGE)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(0),
    };
    let mut entry = serde_json::to_vec(&stored).unwrap_or_default();
    entry.push(b'\n');
    entry.extend_from_slice(body);
    entry
}

/// The response a cache entry holds, as the request gets it.
pub(super) fn hit(entry: &Bytes, req: &Request) -> Option<Response> {
    let split = entry.iter().position(|b| *b == b'\n')?;
    let stored: Stored = serde_json::from_slice(&entry[..split]).ok()?;
    // The body shares the entry's memory: no copy per hit.
    let body = entry.slice(split + 1..);
    let mut response = Response::builder()
        .status(StatusCode::from_u16(stored.status).ok()?)
        .body(body);
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    let age = stored.initial_age + now_ms().saturating_sub(stored.stored_at_ms) / 1000;
    if let Ok(value) = HeaderValue::from_str(&age.to_string()) {
        response.headers_mut().insert(header::AGE, value);
    }
    mark(&mut response, "HIT");
    Some(not_modified(
        req.headers().get(header::IF_NONE_MATCH),
        response,
    ))
}

pub(super) fn mark(response: &mut Response, state: &'static str) {
    response.headers_mut().insert(
        HeaderName::from_static("x-cache"),
        HeaderValue::from_static(state),
    );
}

/// Whether `If-None-Match` names the entity tag (weak comparison, RFC 9110 §13.1.2).
fn none_match(if_none_match: Option<&HeaderValue>, etag: Option<&str>) -> bool {
    let (Some(condition), Some(etag)) = (if_none_match.and_then(|v| v.to_str().ok()), etag) else {
        return false;
    };
    gatehouse_proto::etag_matches(condition, etag)
}

/// Turns a 200 whose entity tag the request already holds (its `If-None-Match`) into a 304.
pub fn not_modified(if_none_match: Option<&HeaderValue>, response: Response) -> Response {
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if response.status() != StatusCode::OK || !none_match(if_none_match, etag.as_deref()) {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut response = Response::from_parts(parts, poem::Body::empty());
    response.set_status(StatusCode::NOT_MODIFIED);
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response.headers_mut().remove(header::CONTENT_TYPE);
    response
}
