//! DPoP proofs at the auth server (RFC 9449): the token endpoint binds tokens to a proof's key,
//! and UserInfo takes DPoP-bound tokens with a proof.

use chrono::Utc;
use gatehouse_cache::Key;
use gatehouse_proto::{DpopError, DpopProof, DpopRequest};
use poem::http::HeaderMap;

use super::AuthService;

impl AuthService {
    /// The request's DPoP proof, checked for `method` on `url` (with `access_token`, its `ath`)
    /// and counted against replay in the cache the auth servers and gateways share: `None`
    /// when the request has no `DPoP` header.
    pub async fn dpop_proof(
        &self,
        headers: &HeaderMap,
        tenant: &str,
        (method, url): (&str, &str),
        access_token: Option<&str>,
    ) -> Result<Option<DpopProof>, DpopError> {
        let request = DpopRequest {
            method,
            url,
            access_token,
            tenant,
            now: Utc::now().timestamp(),
        };
        let nonces = self.config.dpop_nonces.as_ref();
        let Some(proof) = gatehouse_proto::check_dpop_request(headers, &request, nonces)? else {
            return Ok(None);
        };
        let key = Key::dpop_proof(tenant, &proof.jkt, &proof.jti);
        if !self.proofs_seen.first_use(&key).await {
            return Err(DpopError::Replayed);
        }
        Ok(Some(proof))
    }

    /// The DPoP nonce to give a client of `tenant` now, if nonces are required.
    pub fn dpop_nonce(&self, tenant: &str) -> Option<String> {
        self.config
            .dpop_nonces
            .as_ref()
            .map(|n| n.current(tenant, Utc::now().timestamp()))
    }
}
