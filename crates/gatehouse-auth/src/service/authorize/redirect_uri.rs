//! Which redirect URIs match a registered one.

use url::{Host, Url};

/// Whether `url` points at this machine (a native app's loopback redirect, RFC 8252 §7.3).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// Exact match with a registered redirect URI, except that a native app's loopback redirect
/// may use any port (RFC 8252 §7.3).
pub fn redirect_uri_matches(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let (Ok(r), Ok(g)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    r.scheme() == "http"
        && g.scheme() == "http"
        && is_loopback(&r)
        && r.host() == g.host()
        && r.path() == g.path()
        && r.query() == g.query()
        && r.fragment().is_none()
        && g.fragment().is_none()
        && g.username().is_empty()
        && g.password().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_may_change_port_and_nothing_else() {
        let registered = "http://127.0.0.1/callback";
        assert!(redirect_uri_matches(
            registered,
            "http://127.0.0.1:51234/callback"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1:51234/other"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://evil.example:51234/callback"
        ));
        assert!(!redirect_uri_matches(
            "https://app.example/cb",
            "https://app.example:444/cb"
        ));
        assert!(!redirect_uri_matches(
            "https://app.example/cb",
            "https://app.example/cb/"
        ));
        assert!(redirect_uri_matches(
            "https://app.example/cb",
            "https://app.example/cb"
        ));
    }
}
