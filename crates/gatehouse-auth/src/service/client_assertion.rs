//! `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9): the client
//! signs a short-lived JWT with a key whose public half it registered.

use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::AuthService;
use crate::entity::{client, tenant};
use crate::error::AuthError;

/// Assertions may not live longer than this: a stolen one is of little use.
const MAX_ASSERTION_LIFETIME_SECONDS: i64 = 600;

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    exp: i64,
    jti: String,
}

impl AuthService {
    /// Verifies a client assertion: signed by one of the client's registered keys with that
    /// key's algorithm, `iss` and `sub` the client, `aud` this issuer or one of its endpoints,
    /// not expired, not too long-lived, and its `jti` never seen before.
    pub(super) async fn verify_client_assertion(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        assertion: &str,
    ) -> Result<bool, AuthError> {
        let Some(jwks) = client
            .jwks
            .as_deref()
            .and_then(|j| serde_json::from_str::<JwkSet>(j).ok())
        else {
            return Ok(false);
        };
        let Some(header) = jsonwebtoken::decode_header(assertion).ok() else {
            return Ok(false);
        };
        let Some(jwk) = header.kid.as_deref().and_then(|kid| jwks.find(kid)) else {
            return Ok(false);
        };
        let alg = match jwk.common.key_algorithm {
            Some(KeyAlgorithm::RS256) => Algorithm::RS256,
            Some(KeyAlgorithm::ES256) => Algorithm::ES256,
            _ => return Ok(false),
        };
        let Ok(key) = DecodingKey::from_jwk(jwk) else {
            return Ok(false);
        };
        let issuer = self.config.issuer(&tenant.slug);
        let audiences = [
            issuer.clone(),
            format!("{issuer}/oauth2/token"),
            format!("{issuer}/oauth2/introspect"),
            format!("{issuer}/oauth2/revoke"),
        ];
        let mut validation = Validation::new(alg);
        validation.set_audience(&audiences);
        validation.set_issuer(&[&client.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud", "jti"]);
        validation.leeway = 30;
        let Ok(data) = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation) else {
            return Ok(false);
        };
        let claims = data.claims;
        let left = claims.exp - Utc::now().timestamp();
        if claims.sub != client.client_id || claims.iss != client.client_id {
            return Ok(false);
        }
        if left > MAX_ASSERTION_LIFETIME_SECONDS {
            tracing::info!(client_id = %client.client_id, "client assertion lives too long");
            return Ok(false);
        }
        // Each assertion works once (RFC 7523 §3, item 7).
        let seen = gatehouse_cache::Key::new(
            "assertion",
            &tenant.slug,
            &format!("{}:{}", client.client_id, claims.jti),
        );
        if matches!(self.cache.get(&seen).await, Ok(Some(_))) {
            tracing::warn!(client_id = %client.client_id, "client assertion replayed");
            return Ok(false);
        }
        let ttl = Duration::from_secs(u64::try_from(left.max(0)).unwrap_or(0) + 60);
        if let Err(err) = self.cache.set(&seen, Bytes::from_static(b"1"), ttl).await {
            tracing::error!(error = %gatehouse_proto::ErrorChain(&err), "could not remember a client assertion");
        }
        Ok(true)
    }
}
