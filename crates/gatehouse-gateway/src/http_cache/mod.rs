//! The gateway's HTTP response cache (RFC 9111) for safe reads of the resource API.
//!
//! A key names the tenant, the method, the path, the normalised query, the request headers a
//! response may vary on, and the caller's authorization context: its scopes for a shareable
//! response, and also its subject and client for a `private` one. So a response is served only
//! to a caller who could have fetched it. Writes purge the resource's entries (§4.4), and
//! concurrent misses of one key wait for a single upstream call.

mod entry;
mod policy;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use gatehouse_cache::{Key, SharedCache};
use gatehouse_proto::Identity;
use poem::http::{Method, StatusCode, header};
use poem::{Request, Response};
use sha2::{Digest, Sha256};

pub use entry::not_modified;
use entry::{hit, mark};
use policy::{VARY_HEADERS, directives, invalidated_by, normalised_query, storable};

/// What a request may get from the cache.
pub struct Lookup {
    shared: Key,
    private: Key,
}

/// The permit to fetch a response for the cache: concurrent misses of its key wait for it.
pub type Permit = Option<tokio::sync::OwnedMutexGuard<()>>;

/// A response from the cache, or what the miss needs to fetch one (the [`Permit`]).
pub enum Cached<Miss = Permit> {
    Hit(Response),
    Miss(Miss),
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
        tracing::warn!(error = %gatehouse_proto::ErrorChain(err), "response cache bypassed");
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
        // Fields end with a newline, which none of them can hold (header values may not).
        let mut base = Sha256::new();
        let mut field = |value: &[u8]| {
            base.update(value);
            base.update(b"\n");
        };
        field(b"GET");
        field(normalised_query(req.uri().query()).as_bytes());
        for name in VARY_HEADERS {
            field(req.headers().get(name).map_or(&b""[..], |v| v.as_bytes()));
        }
        let mut scopes: Vec<&str> = identity.scopes.iter().map(String::as_str).collect();
        scopes.sort_unstable();
        for scope in scopes {
            base.update(scope.as_bytes());
            base.update(b" ");
        }
        base.update(b"\n");
        let key = |context: &[&str]| {
            let mut hasher = base.clone();
            for part in context {
                hasher.update(part.as_bytes());
                hasher.update(b"\n");
            }
            let digest = crate::hex(&hasher.finalize()[..16]);
            Key::new("http", tenant, &format!("{}\n{digest}", req.uri().path()))
        };
        Some(Lookup {
            shared: key(&["shared"]),
            private: key(&[
                "private",
                &identity.token_tenant,
                &identity.subject,
                &identity.client_id,
            ]),
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
        let entry = entry::encode(&response, &body);
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
