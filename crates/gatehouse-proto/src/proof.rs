//! The gateway's proof that it sent a request: an HMAC-SHA256, under a key every process of one
//! installation shares, over the request's method, target, the headers the gateway vouches for
//! and a timestamp. A service reads no `x-gatehouse-*` header, and serves nothing but
//! `/healthz`, without it.
//!
//! The proof authenticates; it does not encrypt, and it does not cover the body. Between hosts
//! on a network others can read, run the hop over TLS (a service mesh, say).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use poem::http::{HeaderMap, HeaderValue, Method};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use sha2::Sha256;

use crate::headers;
use crate::{Problem, ProblemType};

/// How far a proof's timestamp may be from the service's clock, either way: the clocks of the
/// gateway's and the service's hosts differ a little, and a retry re-sends the same proof.
pub const PROOF_MAX_SKEW_SECONDS: u64 = 30;

/// The shortest key a process accepts (characters of configuration).
pub const PROOF_KEY_MIN_LEN: usize = 32;

/// The headers the proof covers, in the order they are signed.
const SIGNED: [&str; 8] = [
    headers::TENANT,
    headers::TENANT_ID,
    headers::TOKEN_TENANT,
    headers::SUBJECT,
    headers::CLIENT_ID,
    headers::SCOPE,
    headers::REQUIRE_IF_MATCH,
    headers::CLIENT_ADDRESS,
];

/// The installation's key for proofs. `Debug` never shows it.
#[derive(Clone)]
pub struct ProofKey(Arc<[u8]>);

impl std::fmt::Debug for ProofKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProofKey(..)")
    }
}

/// Why a request's proof was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("no x-gatehouse-proof header")]
    Missing,
    #[error("the proof is malformed")]
    Malformed,
    #[error("the proof's timestamp is too far from this service's clock")]
    Stale,
    #[error("a header the proof covers appears more than once")]
    Repeated,
    #[error("the proof does not match the request")]
    Mismatch,
}

/// Marks a request whose proof a service has verified: only such a request's identity headers
/// are read (see [`crate::identity_checker`]).
#[derive(Debug, Clone, Copy)]
pub struct FromGateway;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl ProofKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(Arc::from(secret))
    }

    /// The DPoP server nonces of the installation, under a key derived from this one.
    pub fn dpop_nonces(&self) -> crate::DpopNonces {
        crate::DpopNonces::new(&self.0)
    }

    fn mac(&self, timestamp: u64, method: &Method, target: &str, map: &HeaderMap) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("gatehouse-proof-v1\n{timestamp}\n{method}\n{target}\n").as_bytes());
        // Present headers only, as name=value lines: an absent header differs from an empty one.
        for name in SIGNED {
            if let Some(value) = map.get(name) {
                mac.update(name.as_bytes());
                mac.update(b"=");
                mac.update(value.as_bytes());
                mac.update(b"\n");
            }
        }
        mac
    }

    /// Sets the proof of a request to `target` (path and query), after every header it covers
    /// has been set.
    pub fn sign(&self, method: &Method, target: &str, map: &mut HeaderMap) {
        let timestamp = unix_now();
        let tag = self
            .mac(timestamp, method, target, map)
            .finalize()
            .into_bytes();
        let value = format!("t={timestamp},s={}", URL_SAFE_NO_PAD.encode(tag));
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.insert(headers::PROOF, value);
        }
    }

    /// Checks a request's proof at `now` (seconds since the epoch).
    pub fn verify(
        &self,
        method: &Method,
        target: &str,
        map: &HeaderMap,
        now: u64,
    ) -> Result<(), ProofError> {
        let mut proofs = map.get_all(headers::PROOF).iter();
        let proof = proofs.next().ok_or(ProofError::Missing)?;
        if proofs.next().is_some() || SIGNED.iter().any(|n| map.get_all(*n).iter().count() > 1) {
            return Err(ProofError::Repeated);
        }
        let proof = proof.to_str().map_err(|_| ProofError::Malformed)?;
        let (timestamp, tag) = proof
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(",s="))
            .ok_or(ProofError::Malformed)?;
        let timestamp: u64 = timestamp.parse().map_err(|_| ProofError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| ProofError::Malformed)?;
        if now.abs_diff(timestamp) > PROOF_MAX_SKEW_SECONDS {
            return Err(ProofError::Stale);
        }
        // `verify_slice` compares in constant time.
        self.mac(timestamp, method, target, map)
            .verify_slice(&tag)
            .map_err(|_| ProofError::Mismatch)
    }
}

/// Refuses, with a 401 problem and one log line, every request without a valid proof, before
/// anything behind it reads the request; marks the others [`FromGateway`].
#[derive(Debug, Clone)]
pub struct RequireGatewayProof(pub ProofKey);

impl<E: Endpoint> Middleware<E> for RequireGatewayProof {
    type Output = RequireGatewayProofEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequireGatewayProofEndpoint {
            key: self.0.clone(),
            inner,
        }
    }
}

pub struct RequireGatewayProofEndpoint<E> {
    key: ProofKey,
    inner: E,
}

impl<E: Endpoint> Endpoint for RequireGatewayProofEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        // The middleware wraps a whole service, so the URI is still the one the gateway sent.
        let target = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        if let Err(why) = self
            .key
            .verify(req.method(), &target, req.headers(), unix_now())
        {
            tracing::warn!(
                method = %req.method(),
                path = %req.uri().path(),
                peer = %req.remote_addr(),
                reason = %why,
                "refused a request that did not come through the gateway"
            );
            return Ok(Problem::new(
                ProblemType::Unauthorized,
                "this service answers only the gateway: send the request to the platform's \
                 public address",
            )
            .into_response());
        }
        req.extensions_mut().insert(FromGateway);
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key: &ProofKey) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(headers::TENANT, HeaderValue::from_static("acme"));
        map.insert(headers::SCOPE, HeaderValue::from_static("products:read"));
        key.sign(&Method::GET, "/t/acme/api/v1/products?page=2", &mut map);
        map
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_breaks_it() {
        let key = ProofKey::new(b"0123456789abcdef0123456789abcdef");
        let now = unix_now();
        let target = "/t/acme/api/v1/products?page=2";
        let map = signed(&key);
        assert_eq!(key.verify(&Method::GET, target, &map, now), Ok(()));

        let other_key = ProofKey::new(b"another key of thirty-two bytes!");
        assert_eq!(
            other_key.verify(&Method::GET, target, &map, now),
            Err(ProofError::Mismatch)
        );
        assert_eq!(
            key.verify(&Method::DELETE, target, &map, now),
            Err(ProofError::Mismatch)
        );
        assert_eq!(
            key.verify(&Method::GET, "/t/acme/api/v1/products", &map, now),
            Err(ProofError::Mismatch)
        );
        let mut widened = map.clone();
        widened.insert(headers::SCOPE, HeaderValue::from_static("products:write"));
        assert_eq!(
            key.verify(&Method::GET, target, &widened, now),
            Err(ProofError::Mismatch)
        );
        let mut added = map.clone();
        added.insert(headers::SUBJECT, HeaderValue::from_static("someone"));
        assert_eq!(
            key.verify(&Method::GET, target, &added, now),
            Err(ProofError::Mismatch)
        );
        let mut repeated = map.clone();
        repeated.append(headers::SCOPE, HeaderValue::from_static("platform:admin"));
        assert_eq!(
            key.verify(&Method::GET, target, &repeated, now),
            Err(ProofError::Repeated)
        );
        assert_eq!(
            key.verify(&Method::GET, target, &map, now + PROOF_MAX_SKEW_SECONDS + 1),
            Err(ProofError::Stale)
        );
        assert_eq!(
            key.verify(&Method::GET, target, &HeaderMap::new(), now),
            Err(ProofError::Missing)
        );
        let mut garbled = map;
        garbled.insert(headers::PROOF, HeaderValue::from_static("t=1,s=***"));
        assert_eq!(
            key.verify(&Method::GET, target, &garbled, now),
            Err(ProofError::Malformed)
        );
    }
}
