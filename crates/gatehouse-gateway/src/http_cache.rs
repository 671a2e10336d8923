//! The gateway's HTTP response cache (RFC 9111) for safe reads of the resource API.
//!
//! A key names the tenant, the method, the path, the normalised query, the request headers a
//! response may vary on, and the caller's authorization context: its scopes for a shareable
//! response, and also its subject and client for a `private` one. So a response is served only
//! to a caller who could have fetched it. Writes purge the resource's entries (§4.4), and
//! concurrent misses of one key wait for a single upstream call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use gatehouse_cache::{Key, SharedCache};
use gatehouse_proto::Identity;
use poem::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use poem::{Request, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Request headers a cached response may vary on; a `Vary` naming any other is not stored.
const VARY_HEADERS: [&str; 3] = ["accept", "accept-encoding", "accept-language"];

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

/// Cache-Control directives, as far as the gateway acts on them.
#[derive(Debug, Default)]
struct Directives {
    no_store: bool,
    no_cache: bool,
    private: bool,
    public: bool,
    max_age: Option<u64>,
    s_maxage: Option<u64>,
}

fn directives(headers: &HeaderMap) -> Directives {
    let mut d = Directives::default();
    for value in headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for part in value.split(',') {
            let part = part.trim().to_ascii_lowercase();
            let (name, arg) = part
                .split_once('=')
                .map_or((part.as_str(), None), |(n, a)| {
                    (n, Some(a.trim_matches('"')))
                });
            let seconds = || arg.and_then(|a| a.parse().ok());
            match name {
                "no-store" => d.no_store = true,
                "no-cache" => d.no_cache = true,
                "private" => d.private = true,
                "public" => d.public = true,
                "max-age" => d.max_age = seconds(),
                "s-maxage" => d.s_maxage = seconds(),
                _ => {}
            }
        }
    }
    d
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The query's pairs in a stable order, so `?b=2&a=1` and `?a=1&b=2` share an entry.
fn normalised_query(query: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = query
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    pairs.sort();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// What a write to a resource path must purge: the tenant's whole API
/// (`/t/acme/api/v1/orders/1` → `/t/acme/api/v1/`), because resources change each other
/// (placing an order takes products' stock).
pub fn invalidated_by(path: &str) -> String {
    let mut root = path.split('/').take(5).collect::<Vec<_>>().join("/");
    root.push('/');
    root
}

/// What a request may get from the cache.
pub struct Lookup {
    shared: Key,
    private: Key,
}

/// A response from the cache, or the permit to fetch one.
pub enum Cached {
    Hit(Response),
    Miss(Option<tokio::sync::OwnedMutexGuard<()>>),
}

pub struct ResponseCache {
    cache: SharedCache,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Cache operations that failed (the request went on without the cache).
    pub errors: AtomicU64,
    flight_wait: Duration,
    metrics: crate::GatewayMetrics,
}

impl ResponseCache {
    pub fn new(cache: SharedCache, flight_wait: Duration, metrics: crate::GatewayMetrics) -> Self {
        Self {
            cache,
            flights: Mutex::new(HashMap::new()),
            errors: AtomicU64::new(0),
            flight_wait,
            metrics,
        }
    }

    fn failed(&self, err: &gatehouse_cache::CacheError) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = %err, "response cache bypassed");
    }

    /// The lookup of a GET, unless the request asks not to be served from a cache.
    pub fn lookup(&self, req: &Request, tenant: &str, identity: &Identity) -> Option<Lookup> {
        if req.method() != Method::GET {
            return None;
        }
        let request = directives(req.headers());
        let pragma_no_cache = req
            .headers()
            .get(header::PRAGMA)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"no-cache"));
        if request.no_store || request.no_cache || request.max_age == Some(0) || pragma_no_cache {
            return None;
        }
        let path = req.uri().path().to_owned();
        let mut scopes = identity.scopes.clone();
        scopes.sort();
        let varied: Vec<&str> = VARY_HEADERS
            .iter()
            .map(|h| {
                req.headers()
                    .get(*h)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
            })
            .collect();
        let base = format!(
            "GET\n{}\n{}\n{}",
            normalised_query(req.uri().query()),
            varied.join("\n"),
            scopes.join(" ")
        );
        let digest =
            |context: &str| crate::hex(&Sha256::digest(format!("{base}\n{context}"))[..16]);
        let caller = format!(
            "private\n{}\n{}\n{}",
            identity.token_tenant, identity.subject, identity.client_id
        );
        Some(Lookup {
            shared: Key::new("http", tenant, &format!("{path}\n{}", digest("shared"))),
            private: Key::new("http", tenant, &format!("{path}\n{}", digest(&caller))),
        })
    }

    async fn read(&self, lookup: &Lookup, req: &Request) -> Option<Response> {
        for key in [&lookup.private, &lookup.shared] {
            match self.cache.get(key).await {
                Ok(Some(entry)) => return hit(&entry, req),
                Ok(None) => {}
                Err(err) => {
                    self.failed(&err);
                    return None;
                }
            }
        }
        None
    }

    /// A fresh stored response, or (after waiting for a concurrent fetch of the same key) the
    /// permit to fetch it.
    pub async fn get(&self, lookup: &Lookup, req: &Request) -> Cached {
        let cached = self.get_now(lookup, req).await;
        let event = match cached {
            Cached::Hit(_) => "hit",
            Cached::Miss(_) => "miss",
        };
        self.metrics.cache_event(event);
        tracing::Span::current().record("cache", event);
        cached
    }

    async fn get_now(&self, lookup: &Lookup, req: &Request) -> Cached {
        if let Some(response) = self.read(lookup, req).await {
            return Cached::Hit(response);
        }
        let flight = {
            let Ok(mut flights) = self.flights.lock() else {
                return Cached::Miss(None);
            };
            flights.retain(|_, lock| Arc::strong_count(lock) > 1);
            flights
                .entry(lookup.private.as_str().to_owned())
                .or_default()
                .clone()
        };
        let permit = tokio::time::timeout(self.flight_wait, flight.lock_owned())
            .await
            .ok();
        // Whoever held the permit may have stored the response meanwhile.
        if let Some(response) = self.read(lookup, req).await {
            return Cached::Hit(response);
        }
        Cached::Miss(permit)
    }

    /// Stores a fetched response when it may be stored, and marks it a miss.
    pub async fn store(&self, lookup: &Lookup, response: Response) -> Response {
        let (parts, body) = response.into_parts();
        let mut response = Response::from_parts(parts, poem::Body::empty());
        mark(&mut response, "MISS");
        let Some((per_caller, ttl)) = storable(&response) else {
            response.set_body(body);
            return response;
        };
        let Ok(body) = body.into_bytes().await else {
            return Response::builder().status(StatusCode::BAD_GATEWAY).finish();
        };
        let stored = Stored {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .filter(|(name, _)| {
                    !UNSTORED.contains(&name.as_str()) && name.as_str() != "x-cache"
                })
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
        entry.extend_from_slice(&body);
        let key = if per_caller {
            &lookup.private
        } else {
            &lookup.shared
        };
        match self.cache.set(key, Bytes::from(entry), ttl).await {
            Ok(()) => self.metrics.cache_event("store"),
            Err(err) => self.failed(&err),
        }
        response.set_body(body);
        response
    }

    /// Purges what a write to `path` may have changed (see [`invalidated_by`]).
    pub async fn invalidate(&self, tenant: &str, path: &str) {
        let prefix = Key::new("http", tenant, &invalidated_by(path));
        self.metrics.cache_event("purge");
        if let Err(err) = self.cache.delete_prefix(&prefix).await {
            self.failed(&err);
        }
    }

    /// Whether the cache backend answers. The API works without it; readiness reports it.
    pub async fn ping(&self) -> bool {
        self.cache.ping().await.is_ok()
    }

    /// Purges a tenant's entries, or those under a path (prefix) of it.
    pub async fn purge(
        &self,
        tenant: &str,
        prefix: &str,
    ) -> Result<u64, gatehouse_cache::CacheError> {
        self.metrics.cache_event("purge");
        self.cache
            .delete_prefix(&Key::new("http", tenant, prefix))
            .await
    }
}

/// Whether the response may be stored, under the private key (`true`) or the shared one, and
/// for how long.
fn storable(response: &Response) -> Option<(bool, Duration)> {
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return None;
    }
    let d = directives(response.headers());
    if d.no_store || d.no_cache {
        return None;
    }
    let vary_ok = response.headers().get_all(header::VARY).iter().all(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .all(|h| h.is_empty() || VARY_HEADERS.contains(&h.as_str()))
        })
    });
    if !vary_ok {
        return None;
    }
    // A shared cache prefers s-maxage (§5.2.2.10).
    let lifetime = if d.private {
        d.max_age
    } else {
        d.s_maxage.or(d.max_age)
    }?;
    let age = response
        .headers()
        .get(header::AGE)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(0);
    let fresh_for = lifetime.checked_sub(age).filter(|s| *s > 0)?;
    // Every request here carries a token: a response is shared between callers only when it
    // says so (`public` or `s-maxage`, RFC 9111 §3.5); otherwise it is kept per caller.
    let per_caller = d.private || !(d.public || d.s_maxage.is_some());
    Some((per_caller, Duration::from_secs(fresh_for)))
}

fn mark(response: &mut Response, state: &'static str) {
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

fn hit(entry: &[u8], req: &Request) -> Option<Response> {
    let split = entry.iter().position(|b| *b == b'\n')?;
    let stored: Stored = serde_json::from_slice(&entry[..split]).ok()?;
    let body = Bytes::copy_from_slice(&entry[split + 1..]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_normalised_and_collections_found() {
        assert_eq!(normalised_query(Some("b=2&a=1&a=0")), "a=0&a=1&b=2");
        assert_eq!(normalised_query(None), "");
        for path in ["/t/acme/api/v1/orders/1", "/t/acme/api/v1/products"] {
            assert_eq!(invalidated_by(path), "/t/acme/api/v1/");
        }
    }

    #[test]
    fn cache_control_directives_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("Private, Max-Age=30"),
        );
        let d = directives(&headers);
        assert!(d.private && !d.no_store);
        assert_eq!(d.max_age, Some(30));
    }
}
