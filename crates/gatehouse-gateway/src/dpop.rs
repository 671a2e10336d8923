//! DPoP-bound tokens at the gateway (RFC 9449 §7): such a token opens a route only with the
//! `DPoP` scheme and a proof for this request, signed by the key it is bound to, used once
//! across every gateway and auth server, carrying a current nonce when nonces are required.

use gatehouse_cache::{Key, SeenOnce};
use gatehouse_proto::{DpopError, DpopNonces, DpopRequest};
use poem::Request;

use crate::GatewayError;

/// How the request presented its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// After the gateway checked a DPoP-bound token and its proof, the services see the token as
/// the one scheme their documents declare (they read the identity the gateway vouches for, never
/// the token), and not the proof, which the gateway has spent.
pub fn settle_for_services(headers: &mut poem::http::HeaderMap) {
    headers.remove("dpop");
    let rewritten = headers
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("dpop"))
        .and_then(|(_, token)| format!("Bearer {}", token.trim()).parse().ok());
    if let Some(value) = rewritten {
        headers.insert(poem::http::header::AUTHORIZATION, value);
    }
}

/// What a DPoP-bound token's request is checked with: the public URL its `htu` names, the
/// nonces if required, and the proofs used.
pub struct DpopCheck {
    public_url: String,
    nonces: Option<DpopNonces>,
    seen: SeenOnce,
}

impl DpopCheck {
    pub fn new(config: &crate::GatewayConfig, cache: gatehouse_cache::SharedCache) -> Self {
        let replay_ttl = std::time::Duration::from_secs(gatehouse_proto::DPOP_REPLAY_SECONDS);
        Self {
            public_url: config.public_url.clone(),
            nonces: config.dpop_nonces.clone(),
            seen: SeenOnce::new(cache, replay_ttl),
        }
    }

    /// Checks that a token bound to `bound` (or to no key) was presented as it must be, on
    /// `req`, for `tenant` (the token's).
    pub async fn check(
        &self,
        req: &Request,
        (scheme, token): (Scheme, &str),
        tenant: &str,
        bound: Option<&str>,
        now: u64,
    ) -> Result<(), GatewayError> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let jkt = match (bound, scheme) {
            (None, Scheme::Bearer) => return Ok(()),
            (Some(_), Scheme::Bearer) => {
                return Err(self.refuse(
                    DpopError::Required,
                    (tenant, now),
                    "a DPoP-bound token is presented with the DPoP scheme and a proof",
                ));
            }
            (None, Scheme::Dpop) => {
                return Err(GatewayError::InvalidToken(
                    "the token is not DPoP-bound: present it with the Bearer scheme".into(),
                ));
            }
            (Some(jkt), Scheme::Dpop) => jkt,
        };
        let url = format!("{}{}", self.public_url, req.uri().path());
        let request = DpopRequest {
            method: req.method().as_str(),
            url: &url,
            access_token: Some(token),
            tenant,
            now,
        };
        let proof =
            gatehouse_proto::check_dpop_request(req.headers(), &request, self.nonces.as_ref())
                .map_err(|e| self.refuse(e, (tenant, now), ""))?
                .ok_or_else(|| {
                    self.refuse(DpopError::NotAProof, (tenant, now), "no DPoP header")
                })?;
        if proof.jkt != jkt {
            return Err(self.refuse(DpopError::WrongKey, (tenant, now), ""));
        }
        let key = Key::dpop_proof(tenant, &proof.jkt, &proof.jti);
        if !self.seen.first_use(&key).await {
            return Err(self.refuse(DpopError::Replayed, (tenant, now), ""));
        }
        Ok(())
    }

    fn refuse(&self, error: DpopError, (tenant, now): (&str, i64), detail: &str) -> GatewayError {
        let nonce = self.nonces.as_ref().map(|n| n.current(tenant, now));
        let why = if detail.is_empty() {
            error.to_string()
        } else {
            format!("{error}: {detail}")
        };
        GatewayError::Dpop {
            code: error.code(),
            why,
            nonce,
        }
    }
}
