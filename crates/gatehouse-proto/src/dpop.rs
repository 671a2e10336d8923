//! DPoP proofs (RFC 9449 §4): the checks both the auth server (at the token endpoint) and the
//! gateway (with every DPoP-bound token) make of a proof, and the key thumbprint (RFC 7638) that
//! binds a token to the proof's key. No I/O: replay of a proof's `jti` is the caller's check,
//! against the shared cache.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The algorithms a proof may be signed with (`dpop_signing_alg_values_supported`).
pub const DPOP_ALGORITHMS: [&str; 3] = ["ES256", "RS256", "EdDSA"];
/// How far a proof's `iat` may be from the server's clock, in seconds.
pub const DPOP_MAX_SKEW_SECONDS: i64 = 60;

/// Why a proof is refused (RFC 9449 §7.1 `invalid_dpop_proof`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DpopError {
    #[error("the DPoP proof is not a JWT of type dpop+jwt")]
    NotAProof,
    #[error("the DPoP proof is signed with an algorithm not supported here")]
    Algorithm,
    #[error("the DPoP proof's jwk is missing, private, or not a usable public key")]
    Key,
    #[error("the DPoP proof's signature is invalid")]
    Signature,
    #[error("the DPoP proof is for another method or URL")]
    Target,
    #[error("the DPoP proof is too old or from the future")]
    Stale,
    #[error("the DPoP proof does not match the access token (ath)")]
    AccessTokenHash,
    #[error("the request carries more than one DPoP header")]
    Repeated,
    #[error("the DPoP proof was used before")]
    Replayed,
    #[error("the DPoP proof must carry the nonce of the DPoP-Nonce header")]
    UseNonce,
    #[error("this client must send a DPoP proof")]
    Required,
    #[error("the DPoP proof is signed with a key other than the one the token is bound to")]
    WrongKey,
    #[error("the code is bound to a DPoP key (dpop_jkt): the token request needs a proof of it")]
    BoundCode,
    #[error(
        "the subject token is DPoP-bound: its exchange needs a DPoP proof, to whose key the new token is bound"
    )]
    BoundSubject,
}

impl DpopError {
    /// The error code (RFC 9449 §5, §7.1, §8): `use_dpop_nonce` asks for a retry with the
    /// nonce the answer's `DPoP-Nonce` header gives.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UseNonce => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        }
    }
}

/// The `DPoP` challenge of a 401 (RFC 9449 §7.1): the proof algorithms, and the error if any.
pub fn dpop_challenge(error: Option<(&str, &str)>) -> String {
    let algs = DPOP_ALGORITHMS.join(" ");
    match error {
        None => format!(r#"DPoP algs="{algs}""#),
        Some((code, why)) => {
            let why = why.replace(['"', '\\'], "'");
            format!(r#"DPoP algs="{algs}", error="{code}", error_description="{why}""#)
        }
    }
}

/// How long a proof's `jti` is remembered against replay: longer than a proof is fresh, either
/// way.
pub const DPOP_REPLAY_SECONDS: u64 = 2 * DPOP_MAX_SKEW_SECONDS.unsigned_abs() + 10;

/// How long a server nonce is good: from its window's start to the end of the next window.
const NONCE_WINDOW_SECONDS: i64 = 300;

/// Server-provided nonces (RFC 9449 §8, §9): an HMAC of the tenant and a five-minute window,
/// under a key derived from the one every process of an installation shares. Any auth server
/// or gateway instance accepts the nonce another gave, and none stores one. Since the auth
/// server and the gateway share an origin, a client's one cached nonce serves both.
#[derive(Clone)]
pub struct DpopNonces(std::sync::Arc<[u8]>);

impl std::fmt::Debug for DpopNonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopNonces(..)")
    }
}

impl DpopNonces {
    /// Nonces under `key`, the installation's shared secret.
    pub fn new(key: &[u8]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(b"gatehouse-dpop-nonce-key-v1");
        Self(std::sync::Arc::from(&mac.finalize().into_bytes()[..]))
    }

    fn nonce(&self, tenant: &str, window: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{tenant}\n{window}").as_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..18])
    }

    /// The nonce to give a client of `tenant` at `now` (Unix seconds).
    pub fn current(&self, tenant: &str, now: i64) -> String {
        self.nonce(tenant, now.div_euclid(NONCE_WINDOW_SECONDS))
    }

    /// Whether `nonce` was given to a client of `tenant` in this window or the one before.
    pub fn accepts(&self, tenant: &str, nonce: &str, now: i64) -> bool {
        let window = now.div_euclid(NONCE_WINDOW_SECONDS);
        [window, window - 1].into_iter().any(|w| {
            let expected = self.nonce(tenant, w);
            expected.len() == nonce.len()
                && expected
                    .bytes()
                    .zip(nonce.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
    }
}

/// What a request's DPoP proof must match.
#[derive(Debug, Clone, Copy)]
pub struct DpopRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The public URL the client called (the query is ignored).
    pub url: &'a str,
    /// The access token the request presents, at a resource (for `ath`).
    pub access_token: Option<&'a str>,
    pub tenant: &'a str,
    /// Unix seconds.
    pub now: i64,
}

/// The request's `DPoP` header checked against `request`: `None` without one. With `nonces`,
/// the proof must carry a current nonce ([`DpopError::UseNonce`] otherwise). The caller still
/// checks the `jti` against replay.
pub fn check_request(
    headers: &poem::http::HeaderMap,
    request: &DpopRequest<'_>,
    nonces: Option<&DpopNonces>,
) -> Result<Option<DpopProof>, DpopError> {
    let mut values = headers.get_all("dpop").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(DpopError::Repeated);
    }
    let proof = value.to_str().map_err(|_| DpopError::NotAProof)?;
    let proof = verify_proof(
        proof,
        request.method,
        request.url,
        request.access_token,
        request.now,
    )?;
    if let Some(nonces) = nonces
        && !proof
            .nonce
            .as_deref()
            .is_some_and(|n| nonces.accepts(request.tenant, n, request.now))
    {
        return Err(DpopError::UseNonce);
    }
    Ok(Some(proof))
}

/// A proof that passed: what the caller still checks (the `jti` against replay, the `jkt`
/// against the token's `cnf`, the nonce against its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url.
    pub jkt: String,
    pub jti: String,
    pub iat: i64,
    pub nonce: Option<String>,
}

#[derive(Deserialize)]
struct ProofClaims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    ath: Option<String>,
    nonce: Option<String>,
}

/// `ath`: the base64url SHA-256 of an access token (RFC 9449 §4.2).
pub fn access_token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// Whether the proof's header `jwk` carries a private or secret member (RFC 9449 §4.2: it must
/// not); the parsed `Jwk` drops them, so the raw header is read.
fn has_private_members(proof: &str) -> bool {
    let header = proof
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    let Some(jwk) = header.as_ref().and_then(|h| h.get("jwk")) else {
        return false;
    };
    ["d", "p", "q", "dp", "dq", "qi", "k"]
        .iter()
        .any(|member| jwk.get(member).is_some())
}

/// A URL as `htu` compares it: without query and fragment (RFC 9449 §4.3).
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Checks `proof` for a request of `method` to `url` (the public URL the client used) at `now`
/// (Unix seconds); with `access_token`, that the proof is bound to it (`ath`).
pub fn verify_proof(
    proof: &str,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    now: i64,
) -> Result<DpopProof, DpopError> {
    let header = jsonwebtoken::decode_header(proof).map_err(|_| DpopError::NotAProof)?;
    if !header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("dpop+jwt"))
    {
        return Err(DpopError::NotAProof);
    }
    let alg = match header.alg {
        Algorithm::ES256 | Algorithm::RS256 | Algorithm::EdDSA => header.alg,
        _ => return Err(DpopError::Algorithm),
    };
    let jwk: Jwk = header.jwk.ok_or(DpopError::Key)?;
    if has_private_members(proof) || matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
        return Err(DpopError::Key);
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| DpopError::Key)?;
    let jkt = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| DpopError::Key)?;
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<ProofClaims>(proof, &key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => DpopError::Signature,
            jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => DpopError::Algorithm,
            _ => DpopError::NotAProof,
        })?
        .claims;
    if !claims.htm.eq_ignore_ascii_case(method) || without_query(&claims.htu) != without_query(url)
    {
        return Err(DpopError::Target);
    }
    if claims.iat.abs_diff(now) > DPOP_MAX_SKEW_SECONDS.unsigned_abs() {
        return Err(DpopError::Stale);
    }
    if let Some(token) = access_token
        && claims.ath.as_deref() != Some(access_token_hash(token).as_str())
    {
        return Err(DpopError::AccessTokenHash);
    }
    if claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(DpopError::NotAProof);
    }
    Ok(DpopProof {
        jkt,
        jti: claims.jti,
        iat: claims.iat,
        nonce: claims.nonce,
    })
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::{Value, json};

    use super::*;

    /// A P-256 key made for these tests only.
    const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1J41n4guvdWZzTUp
9yOig/SWF4Ky1uQGCmh6RQsYi6KhRANCAAT8BZ2DqlzjCRhZvkpV00uh0UZt62Dm
l0y8RQ7xVuTSOl2cI42Ug7UHiG2ON/UKbgvtZsf0RA3cj/4OnmamHlNg
-----END PRIVATE KEY-----";

    fn public_jwk() -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": "_AWdg6pc4wkYWb5KVdNLodFGbetg5pdMvEUO8Vbk0jo",
            "y": "XZwjjZSDtQeIbY439QpuC-1mx_REDdyP_g6eZqYeU2A",
        })
    }

    fn proof_with(typ: &str, jwk: Value, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.into());
        header.jwk = serde_json::from_value(jwk).ok();
        let key = EncodingKey::from_ec_pem(TEST_KEY.as_bytes()).expect("the test key");
        jsonwebtoken::encode(&header, claims, &key).expect("a proof")
    }

    fn proof(claims: &Value) -> String {
        proof_with("dpop+jwt", public_jwk(), claims)
    }

    const NOW: i64 = 1_800_000_000;
    const URL: &str = "https://gatehouse.example/t/acme/oauth2/token";

    fn claims() -> Value {
        json!({"jti": "j1", "htm": "POST", "htu": URL, "iat": NOW})
    }

    #[test]
    fn a_proof_for_this_request_gives_its_key_thumbprint() {
        let checked = verify_proof(&proof(&claims()), "POST", URL, None, NOW + 5).expect("valid");
        let jwk: Jwk = serde_json::from_value(public_jwk()).expect("jwk");
        assert_eq!(
            checked.jkt,
            jwk.thumbprint(ThumbprintHash::SHA256).expect("thumbprint")
        );
        assert_eq!(checked.jti, "j1");
        // The query of the request's URL is not part of htu (§4.3).
        let with_query = format!("{URL}?x=1");
        assert!(verify_proof(&proof(&claims()), "post", &with_query, None, NOW).is_ok());
    }

    #[test]
    fn a_proof_for_another_request_or_time_or_token_is_refused() {
        let p = proof(&claims());
        assert_eq!(
            verify_proof(&p, "GET", URL, None, NOW),
            Err(DpopError::Target)
        );
        let elsewhere = "https://gatehouse.example/t/other/oauth2/token";
        assert_eq!(
            verify_proof(&p, "POST", elsewhere, None, NOW),
            Err(DpopError::Target)
        );
        assert_eq!(
            verify_proof(&p, "POST", URL, None, NOW + 61),
            Err(DpopError::Stale)
        );
        assert_eq!(
            verify_proof(&p, "POST", URL, None, NOW - 61),
            Err(DpopError::Stale)
        );
        assert_eq!(
            verify_proof(&p, "POST", URL, Some("a-token"), NOW),
            Err(DpopError::AccessTokenHash)
        );
        // An iat at the far end of the range is stale, not an overflow.
        let mut ancient = claims();
        ancient["iat"] = json!(i64::MIN);
        assert_eq!(
            verify_proof(&proof(&ancient), "POST", URL, None, NOW),
            Err(DpopError::Stale)
        );
        let mut bound = claims();
        bound["ath"] = json!(access_token_hash("a-token"));
        assert!(verify_proof(&proof(&bound), "POST", URL, Some("a-token"), NOW).is_ok());
    }

    #[test]
    fn a_nonce_is_good_for_its_tenant_in_its_window_and_the_next() {
        let nonces = DpopNonces::new(b"a key every process shares");
        let nonce = nonces.current("acme", NOW);
        assert!(nonces.accepts("acme", &nonce, NOW));
        assert!(nonces.accepts("acme", &nonce, NOW + NONCE_WINDOW_SECONDS));
        assert!(!nonces.accepts("acme", &nonce, NOW + 2 * NONCE_WINDOW_SECONDS));
        assert!(!nonces.accepts("other", &nonce, NOW));
        assert!(!DpopNonces::new(b"another installation").accepts("acme", &nonce, NOW));
        let mut headers = poem::http::HeaderMap::new();
        let request = DpopRequest {
            method: "POST",
            url: URL,
            access_token: None,
            tenant: "acme",
            now: NOW,
        };
        assert_eq!(check_request(&headers, &request, Some(&nonces)), Ok(None));
        headers.insert("dpop", proof(&claims()).parse().expect("a header"));
        assert_eq!(
            check_request(&headers, &request, Some(&nonces)),
            Err(DpopError::UseNonce)
        );
        let mut with_nonce = claims();
        with_nonce["nonce"] = json!(nonce);
        headers.insert("dpop", proof(&with_nonce).parse().expect("a header"));
        assert!(check_request(&headers, &request, Some(&nonces)).is_ok());
        headers.append("dpop", proof(&with_nonce).parse().expect("a header"));
        assert_eq!(
            check_request(&headers, &request, Some(&nonces)),
            Err(DpopError::Repeated)
        );
    }

    #[test]
    fn a_proof_that_is_not_one_is_refused() {
        assert_eq!(
            verify_proof(
                &proof_with("JWT", public_jwk(), &claims()),
                "POST",
                URL,
                None,
                NOW
            ),
            Err(DpopError::NotAProof)
        );
        // A header naming the private key too (written by hand: the parsed JWK has no `d`).
        let mut private = public_jwk();
        private["d"] = json!("1J41n4guvdWZzTUp9yOig_SWF4Ky1uQGCmh6RQsYi6I");
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": private});
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let message = format!("{}.{}", b64(&header), b64(&claims()));
        let key = EncodingKey::from_ec_pem(TEST_KEY.as_bytes()).expect("the test key");
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::ES256).expect("signed");
        let leaky = format!("{message}.{signature}");
        assert_eq!(
            verify_proof(&leaky, "POST", URL, None, NOW),
            Err(DpopError::Key)
        );
        // Signed by this key, but naming another: the signature does not verify.
        let mut other = public_jwk();
        other["x"] = json!("WbbXkXbQkl_VMn3SFhGR6VL4WHLzqL_1Vqr0pCDv9Tk");
        let refused = verify_proof(
            &proof_with("dpop+jwt", other, &claims()),
            "POST",
            URL,
            None,
            NOW,
        );
        assert!(
            matches!(refused, Err(DpopError::Key | DpopError::Signature)),
            "{refused:?}"
        );
        assert_eq!(
            verify_proof("not.a.jwt", "POST", URL, None, NOW),
            Err(DpopError::NotAProof)
        );
    }
}
