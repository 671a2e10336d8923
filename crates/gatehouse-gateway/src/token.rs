//! Access token validation: the tenant's keys, the issuer, the audience, the lifetime, the
//! algorithm the key was published for, the DPoP binding, and the route's scope.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatehouse_cache::{Key, SharedCache};
use gatehouse_proto::{AccessClaims, Identity, PLATFORM_ADMIN, SYSTEM_TENANT, TENANT_ADMIN};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use poem::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::dpop::{DpopCheck, Scheme};
use crate::resource_metadata::Resource;
use crate::route::Rule;
use crate::{GatewayConfig, GatewayError, Upstream};

/// What the gateway keeps of a verified token's claims (or an introspected token's answer).
#[derive(Clone)]
struct Claims {
    exp: u64,
    iat: i64,
    jti: String,
    sub: String,
    client_id: String,
    scope: String,
    tid: String,
    /// The audiences: the platform's (every resource) or one resource's URL (RFC 8707).
    aud: Vec<String>,
    /// The thumbprint of the DPoP key the token is bound to (RFC 9449 §6).
    jkt: Option<String>,
}

#[derive(Deserialize)]
struct UnverifiedIssuer {
    iss: String,
}

pub struct TokenValidator {
    public_url: String,
    audience: String,
    leeway: Duration,
    jwks_ttl: Duration,
    refetch_interval: Duration,
    auth: Upstream,
    cache: SharedCache,
    /// Parsed verifying keys by `tenant:kid`.
    parsed: moka::future::Cache<String, (Arc<DecodingKey>, Algorithm)>,
    /// Tokens already verified (or introspected), by their SHA-256; kept at most five
    /// minutes, never past their `exp`.
    verified: moka::sync::Cache<[u8; 32], Arc<Verified>>,
    introspection: crate::IntrospectionConfig,
    revocations: Arc<crate::revocations::Revocations>,
    /// The check of DPoP-bound tokens' proofs.
    dpop: DpopCheck,
}

/// A token whose signature, issuer, audience and lifetime have been checked.
struct Verified {
    token_tenant: String,
    claims: Claims,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn invalid(why: &str) -> GatewayError {
    GatewayError::InvalidToken(why.to_owned())
}

/// The request's access token, and whether it came as `Bearer` or `DPoP`.
fn presented(headers: &HeaderMap) -> Result<(Scheme, &str), GatewayError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(GatewayError::MissingToken)?
        .to_str()
        .map_err(|_| invalid("the Authorization header is not ASCII"))?;
    let (scheme, token) = value.split_once(' ').ok_or(GatewayError::MissingToken)?;
    let token = token.trim();
    match scheme {
        _ if token.is_empty() => Err(GatewayError::MissingToken),
        s if s.eq_ignore_ascii_case("bearer") => Ok((Scheme::Bearer, token)),
        s if s.eq_ignore_ascii_case("dpop") => Ok((Scheme::Dpop, token)),
        _ => Err(GatewayError::MissingToken),
    }
}

fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    match jwk.common.key_algorithm? {
        KeyAlgorithm::ES256 => Some(Algorithm::ES256),
        KeyAlgorithm::RS256 => Some(Algorithm::RS256),
        KeyAlgorithm::EdDSA => Some(Algorithm::EdDSA),
        _ => None,
    }
}

impl TokenValidator {
    pub fn new(
        config: &GatewayConfig,
        auth: Upstream,
        cache: SharedCache,
        revocations: Arc<crate::revocations::Revocations>,
    ) -> Self {
        Self {
            public_url: config.public_url.clone(),
            audience: config.audience.clone(),
            leeway: config.leeway,
            jwks_ttl: config.jwks_ttl,
            refetch_interval: config.jwks_refetch_interval,
            auth,
            dpop: DpopCheck::new(config, cache.clone()),
            cache,
            parsed: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(config.jwks_ttl)
                .build(),
            introspection: config.introspection.clone(),
            revocations,
            verified: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(300))
                .build(),
        }
    }

    /// Validates the request's access token for `rule` on the route `template` (whose protected
    /// resource a resource-bound token must name) and returns who it speaks for.
    #[tracing::instrument(skip_all, fields(tenant = path_tenant))]
    pub async fn authorize(
        &self,
        req: &poem::Request,
        rule: &Rule,
        path_tenant: Option<&str>,
        template: &str,
    ) -> Result<Identity, GatewayError> {
        let (scheme, token) = presented(req.headers())?;
        // A token verified before is not verified again while it is valid: the signature check
        // is the costliest step of a request. Revocation is still checked every time.
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = unix_now();
        let verified = match self.verified.get(&digest) {
            Some(v) if v.claims.exp.saturating_add(self.leeway.as_secs()) > now => v,
            Some(_) => return Err(invalid("the token has expired")),
            None => {
                let jwt_shaped = token.split('.').count() == 3;
                let introspector = path_tenant.and_then(|t| self.introspection.get(t));
                let v = match (jwt_shaped, introspector, path_tenant) {
                    (true, _, _) => self.verify(token).await?,
                    (false, Some(client), Some(tenant)) => {
                        let active = crate::introspection::introspect(
                            &self.auth,
                            &self.public_url,
                            tenant,
                            client,
                            token,
                        )
                        .await?
                        .ok_or_else(|| invalid("the token is not active"))?;
                        Verified {
                            token_tenant: tenant.to_owned(),
                            claims: Claims {
                                exp: active.exp,
                                iat: active.iat,
                                jti: crate::hex(&digest),
                                sub: active.sub,
                                client_id: active.client_id,
                                scope: active.scope,
                                tid: active.tid,
                                aud: active.aud,
                                jkt: active.jkt,
                            },
                        }
                    }
                    _ => return Err(invalid("malformed token")),
                };
                let v = Arc::new(v);
                self.verified.insert(digest, v.clone());
                v
            }
        };
        let token_tenant = verified.token_tenant.clone();
        let claims = verified.claims.clone();
        let accepted = match (rule, path_tenant) {
            (Rule::PlatformAdmin, _) => token_tenant == SYSTEM_TENANT,
            (Rule::TenantAdmin, Some(t)) => token_tenant == t || token_tenant == SYSTEM_TENANT,
            (Rule::Scope(_) | Rule::Authenticated, Some(t)) => token_tenant == t,
            (_, None) => false,
        };
        if !accepted {
            return Err(invalid("the token was issued for another tenant"));
        }
        // A token for the whole platform is good on every resource; one aimed at a resource
        // (RFC 8707) only there.
        // The route's resource is looked up only for tokens that are not the platform's.
        let aimed_here = |aud: &String| {
            *aud == self.audience
                || Resource::of_route(template, path_tenant)
                    .is_some_and(|r| r.is_named_by(&self.public_url, aud))
        };
        if !claims.aud.iter().any(aimed_here) {
            return Err(invalid("the token is for another resource"));
        }
        self.dpop
            .check(
                req,
                (scheme, token),
                &token_tenant,
                claims.jkt.as_deref(),
                now,
            )
            .await?;

        // Revoked tokens are announced by the auth server in the cache both share.
        let revoked = Key::revoked(&token_tenant, &claims.jti);
        if matches!(self.cache.get(&revoked).await, Ok(Some(_))) {
            return Err(invalid("the token has been revoked"));
        }
        // The cache is the fast path; the feed is the truth, whatever the cache lost.
        self.revocations.check(&crate::revocations::TokenFacts {
            tenant: &token_tenant,
            jti: &claims.jti,
            client_id: &claims.client_id,
            subject: &claims.sub,
            issued_at: claims.iat,
        })?;
        let identity = Identity {
            tenant: path_tenant.unwrap_or(&token_tenant).to_owned(),
            tenant_id: claims.tid,
            token_tenant: token_tenant.clone(),
            subject: claims.sub,
            client_id: claims.client_id,
            scopes: claims
                .scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let operator = token_tenant == SYSTEM_TENANT && identity.has_scope(PLATFORM_ADMIN);
        let required = match rule {
            Rule::Authenticated => return Ok(identity),
            Rule::Scope(scope) => scope.as_str(),
            Rule::TenantAdmin if operator => PLATFORM_ADMIN,
            Rule::TenantAdmin if path_tenant != Some(token_tenant.as_str()) => PLATFORM_ADMIN,
            Rule::TenantAdmin => TENANT_ADMIN,
            Rule::PlatformAdmin => PLATFORM_ADMIN,
        };
        if !identity.has_scope(required) {
            return Err(GatewayError::InsufficientScope(required.to_owned()));
        }
        Ok(identity)
    }

    /// Checks a token's type, issuer, signature (with the issuing tenant's key, pinned to its
    /// algorithm), audience and lifetime.
    async fn verify(&self, token: &str) -> Result<Verified, GatewayError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed token"))?;
        let typ_ok = header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt")
        });
        if !typ_ok {
            return Err(invalid("not an access token (typ must be at+jwt)"));
        }
        let kid = header
            .kid
            .ok_or_else(|| invalid("the token names no key"))?;
        // The issuer picks the tenant whose keys must have signed the token; the signature
        // check below confirms it.
        let issuer = unverified_issuer(token).ok_or_else(|| invalid("malformed token"))?;
        let token_tenant = issuer
            .strip_prefix(&self.public_url)
            .and_then(|rest| rest.strip_prefix("/t/"))
            .filter(|slug| gatehouse_proto::is_valid_slug(slug))
            .ok_or_else(|| invalid("the token was not issued by this platform"))?
            .to_owned();
        let (key, alg) = self.decoding_key(&token_tenant, &kid).await?;
        if header.alg != alg {
            return Err(invalid("the token's algorithm is not its key's"));
        }
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&issuer]);
        // The audience depends on the route: `authorize` checks it.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "jti"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway.as_secs();
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::ExpiredSignature => invalid("the token has expired"),
                    ErrorKind::ImmatureSignature => invalid("the token is not valid yet"),
                    ErrorKind::InvalidSignature => invalid("the token's signature is invalid"),
                    ErrorKind::InvalidIssuer => invalid("the token's issuer is wrong"),
                    _ => invalid("the token is invalid"),
                }
            })?
            .claims;
        Ok(Verified {
            token_tenant,
            claims: Claims {
                exp: u64::try_from(claims.exp).unwrap_or(0),
                iat: claims.iat,
                jti: claims.jti,
                sub: claims.sub,
                client_id: claims.client_id,
                scope: claims.scope,
                tid: claims.tid,
                aud: vec![claims.aud],
                jkt: claims.cnf.map(|c| c.jkt),
            },
        })
    }

    /// The verifying key `kid` of the tenant and its algorithm, parsed once and kept in
    /// process for as long as the JWKS is cached.
    async fn decoding_key(
        &self,
        tenant: &str,
        kid: &str,
    ) -> Result<(Arc<DecodingKey>, Algorithm), GatewayError> {
        let id = format!("{tenant}:{kid}");
        if let Some(found) = self.parsed.get(&id).await {
            return Ok(found);
        }
        let jwk = self.key(tenant, kid).await?;
        let alg = algorithm_of(&jwk).ok_or_else(|| invalid("the key has no usable algorithm"))?;
        let key =
            Arc::new(DecodingKey::from_jwk(&jwk).map_err(|_| invalid("the key is unusable"))?);
        self.parsed.insert(id, (key.clone(), alg)).await;
        Ok((key, alg))
    }

    /// The tenant's key `kid`, from the cached JWKS, fetching it when it is not cached or does
    /// not know `kid` (at most once per `refetch_interval`, so that made-up key ids and tenants
    /// cannot flood the auth server).
    async fn key(&self, tenant: &str, kid: &str) -> Result<Jwk, GatewayError> {
        let cache_key = Key::new("jwks", tenant, "");
        // A cache that fails is a miss, not an error: the auth server still answers.
        let cached = self.cache.get(&cache_key).await.ok().flatten();
        if let Some(bytes) = &cached
            && let Some(jwk) = find(bytes, kid)
        {
            return Ok(jwk);
        }
        if cached.is_some() && !self.may_refetch(tenant).await {
            return Err(invalid("the token's key is unknown"));
        }
        let (status, body) = self.auth.get(&format!("/t/{tenant}/jwks.json")).await?;
        let body = match status {
            s if s.is_success() => body,
            // Remembered as a tenant without keys, like any other JWKS.
            StatusCode::NOT_FOUND => Bytes::from_static(br#"{"keys":[]}"#),
            other => {
                return Err(GatewayError::upstream_answered(format!(
                    "the JWKS of {tenant} answered {other}"
                )));
            }
        };
        if let Err(err) = self
            .cache
            .set(&cache_key, body.clone(), self.jwks_ttl)
            .await
        {
            tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "could not cache a JWKS");
        }
        find(&body, kid).ok_or_else(|| invalid("the token's key or tenant is unknown"))
    }

    /// Whether the tenant's JWKS may be fetched again now; claims the slot if so.
    async fn may_refetch(&self, tenant: &str) -> bool {
        let marker = Key::new("jwks-refetch", tenant, "");
        if matches!(self.cache.get(&marker).await, Ok(Some(_))) {
            return false;
        }
        let _ = self
            .cache
            .set(&marker, Bytes::from_static(b"1"), self.refetch_interval)
            .await;
        true
    }
}

fn find(jwks: &Bytes, kid: &str) -> Option<Jwk> {
    let set: JwkSet = serde_json::from_slice(jwks).ok()?;
    set.find(kid).cloned()
}

/// The `iss` claim of a token whose signature is not checked yet.
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice::<UnverifiedIssuer>(&bytes)
        .ok()
        .map(|c| c.iss)
}
