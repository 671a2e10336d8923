//! Stored responses: how a response becomes a cache entry and an entry a response again (with
//! its `Age`, its `X-Cache` mark, and a 304 for a caller that holds its entity tag).

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use poem::http::{HeaderName, HeaderValue, StatusCode, header};
use poem::{Request, Response};

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

/// The first line of an entry in this layout; entries of any other are misses.
const LAYOUT: &[u8] = b"gh-entry-1";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A response and its body as a cache entry, read back on every hit without a parser:
///
/// ```text
/// gh-entry-1 {status} {stored at, unix ms} {age when stored, s}
/// {name}: {value}        (one line per stored header)
///                        (an empty line)
/// {body}
/// ```
///
/// No header name or value holds a line break, so the lines cannot be confused.
pub(super) fn encode(response: &Response, body: &[u8]) -> Vec<u8> {
    let initial_age: u64 = response
        .headers()
        .get(header::AGE)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut entry = Vec::with_capacity(512 + body.len());
    entry.extend_from_slice(LAYOUT);
    entry.extend_from_slice(
        format!(
            " {} {} {initial_age}\n",
            response.status().as_u16(),
            now_ms()
        )
        .as_bytes(),
    );
    for (name, value) in response.headers() {
        if UNSTORED.contains(&name.as_str()) || name.as_str() == "x-cache" {
            continue;
        }
        entry.extend_from_slice(name.as_str().as_bytes());
        entry.extend_from_slice(b": ");
        entry.extend_from_slice(value.as_bytes());
        entry.push(b'\n');
    }
    entry.push(b'\n');
    entry.extend_from_slice(body);
    entry
}

/// The line of `entry` that starts at `at`, moving `at` past it.
fn next_line<'a>(entry: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let rest = entry.get(*at..)?;
    let len = rest.iter().position(|b| *b == b'\n')?;
    *at += len + 1;
    Some(&rest[..len])
}

/// The response a cache entry holds, as the request gets it.
pub(super) fn hit(entry: &Bytes, req: &Request) -> Option<Response> {
    let mut at = 0;
    let mut first = next_line(entry, &mut at)?.split(|b| *b == b' ');
    if first.next()? != LAYOUT {
        return None;
    }
    let mut number = || -> Option<u64> { std::str::from_utf8(first.next()?).ok()?.parse().ok() };
    let status = StatusCode::from_u16(u16::try_from(number()?).ok()?).ok()?;
    let (stored_at_ms, initial_age) = (number()?, number()?);
    let mut response = Response::builder().status(status).finish();
    loop {
        let line = next_line(entry, &mut at)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_at(line.iter().position(|b| *b == b':')?);
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value.get(2..)?),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    // The body shares the entry's memory: no copy per hit.
    response.set_body(entry.slice(at..));
    let age = initial_age + now_ms().saturating_sub(stored_at_ms) / 1000;
    response
        .headers_mut()
        .insert(header::AGE, HeaderValue::from(age));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_gives_back_its_response_and_an_unknown_layout_is_a_miss() {
        let response = Response::builder()
            .status(StatusCode::OK)
            .header(header::ETAG, "\"v1\"")
            .header(header::CACHE_CONTROL, "private, max-age=60")
            .header("x-request-id", "not stored")
            .header(header::AGE, "5")
            .finish();
        let body = b"{\"items\":[]}\n\nsecond line";
        let entry = Bytes::from(encode(&response, body));
        let req = Request::builder().finish();
        let mut back = hit(&entry, &req).expect("a hit");
        assert_eq!(back.status(), StatusCode::OK);
        let headers = back.headers();
        assert_eq!(headers[header::ETAG], "\"v1\"");
        assert_eq!(headers[header::CACHE_CONTROL], "private, max-age=60");
        assert_eq!(headers[header::AGE], "5");
        assert_eq!(headers["x-cache"], "HIT");
        assert!(!headers.contains_key("x-request-id"));
        let got = block_on(back.take_body().into_bytes()).expect("body");
        assert_eq!(&got[..], body);

        let revalidating = Request::builder()
            .header(header::IF_NONE_MATCH, "W/\"v1\"")
            .finish();
        let not_modified = hit(&entry, &revalidating).expect("a hit");
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);

        for other in [&b"{\"status\":200}\nbody"[..], b"gh-entry-1 200\n", b""] {
            assert!(hit(&Bytes::from_static(other), &req).is_none());
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }
}
