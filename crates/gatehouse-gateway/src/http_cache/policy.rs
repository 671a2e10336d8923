//! What the cache may keep, and for how long: the Cache-Control directives the gateway acts on,
//! the headers a response may vary on, the normalised query of a key, and what a write purges.

use std::time::Duration;

use poem::Response;
use poem::http::{HeaderMap, StatusCode, header};

/// Request headers a cached response may vary on; a `Vary` naming any other is not stored.
pub(super) const VARY_HEADERS: [&str; 3] = ["accept", "accept-encoding", "accept-language"];

/// Cache-Control directives, as far as the gateway acts on them.
#[derive(Debug, Default)]
pub(super) struct Directives {
    pub no_store: bool,
    pub no_cache: bool,
    pub private: bool,
    pub public: bool,
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
}

pub(super) fn directives(headers: &HeaderMap) -> Directives {
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

/// The query's pairs in a stable order, so `?b=2&a=1` and `?a=1&b=2` share an entry.
pub(super) fn normalised_query(query: Option<&str>) -> String {
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

/// Whether the response may be stored, under the private key (`true`) or the shared one, and
/// for how long.
pub(super) fn storable(response: &Response) -> Option<(bool, Duration)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::HeaderValue;

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
