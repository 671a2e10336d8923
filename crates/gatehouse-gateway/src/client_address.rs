//! The caller's address: the peer's, unless the peer is a trusted proxy (a load balancer in
//! front of the gateway), whose forwarding header then names the caller. A caller can put
//! anything in such a header, so it is read from the right: each hop that a trusted proxy added
//! is skipped, and the first address not in a trusted network is the caller's.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use poem::http::HeaderMap;

/// The header the trusted proxies append the caller's address to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`
    Forwarded,
}

/// The networks whose forwarding header the gateway believes, and which header that is.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    pub networks: Vec<IpNet>,
    pub header: ForwardedHeader,
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|net| net.contains(&ip))
    }

    /// The caller's address, from the peer's and the request's headers.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops = match self.header {
            ForwardedHeader::XForwardedFor => x_forwarded_for(headers),
            ForwardedHeader::Forwarded => forwarded(headers),
        };
        let mut caller = peer;
        for hop in hops.iter().rev() {
            // An address that cannot be read ("unknown", an obfuscated name) ends the chain:
            // the nearest hop that could be read is the caller.
            let Some(ip) = parse_address(hop) else {
                break;
            };
            caller = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        caller
    }
}

/// Every `X-Forwarded-For` entry, in order across repeated headers.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().to_owned())
        .collect()
}

/// The `for=` of every RFC 7239 `Forwarded` element, in order.
fn forwarded(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|element| {
            element
                .split(';')
                .find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.eq_ignore_ascii_case("for")
                        .then(|| value.trim().trim_matches('"').to_owned())
                })
                .unwrap_or_default()
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    hop.strip_prefix('[')?
        .strip_suffix(']')?
        .parse::<IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(name, v.parse().expect("a header value"));
        }
        map
    }

    fn behind(nets: &[&str], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies {
            networks: nets.iter().map(|n| n.parse().expect("a CIDR")).collect(),
            header,
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_caller_whatever_it_says() {
        let none = TrustedProxies::default();
        let claims = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(
            none.client_address(ip("198.51.100.7"), &claims),
            ip("198.51.100.7")
        );
        let lb = behind(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        assert_eq!(
            lb.client_address(ip("198.51.100.7"), &claims),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_caller() {
        let lb = behind(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        // The caller made up the first entry; the load balancers added the rest.
        let chain = headers("x-forwarded-for", &["1.1.1.1, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &chain), ip("203.0.113.9"));
        // Every hop trusted: the farthest is the caller.
        let inside = headers("x-forwarded-for", &["10.1.2.3"]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &inside), ip("10.1.2.3"));
        // No header: the proxy itself.
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        // An unreadable hop ends the chain at the nearest readable one.
        let garbled = headers("x-forwarded-for", &["203.0.113.9, nonsense"]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &garbled), ip("10.0.0.1"));
        // A port is not part of the address; IPv4-mapped IPv6 is IPv4.
        let ported = headers("x-forwarded-for", &["203.0.113.9:5555"]);
        assert_eq!(
            lb.client_address(ip("::ffff:10.0.0.1"), &ported),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn rfc_7239_forwarded_is_read_when_configured_and_only_then() {
        let lb = behind(&["10.0.0.0/8", "fd00::/8"], ForwardedHeader::Forwarded);
        let chain = headers(
            "forwarded",
            &[r#"for=1.1.1.1, for="[2001:db8::1]:4711";proto=https, for=fd00::5"#],
        );
        assert_eq!(lb.client_address(ip("10.0.0.1"), &chain), ip("2001:db8::1"));
        let xff = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &xff), ip("10.0.0.1"));
    }
}
