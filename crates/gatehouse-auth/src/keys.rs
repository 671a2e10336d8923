//! Per-tenant signing keys: generation, the public JWK, and signing access tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rand::rngs::OsRng;
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use serde_json::{Value, json};

use crate::secrets::random_token;

/// The algorithms a tenant can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum SigningAlg {
    /// ECDSA on P-256 with SHA-256: small, fast keys and signatures. The default.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (2048-bit keys), for relying parties that know only RSA.
    RS256,
}

impl SigningAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ES256" => Some(Self::ES256),
            "RS256" => Some(Self::RS256),
            _ => None,
        }
    }

    pub(crate) fn jwt_alg(self) -> Algorithm {
        match self {
            Self::ES256 => Algorithm::ES256,
            Self::RS256 => Algorithm::RS256,
        }
    }
}

/// A freshly generated key pair.
pub struct NewKey {
    pub kid: String,
    pub private_pem: String,
    pub public_jwk: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed: {0}")]
    Generate(String),
    #[error("stored key is unusable: {0}")]
    Stored(String),
    #[error("signing failed: {0}")]
    Sign(String),
}

pub fn generate(alg: SigningAlg) -> Result<NewKey, KeyError> {
    let kid = random_token(16);
    let (private_pem, mut public_jwk) = match alg {
        SigningAlg::ES256 => {
            let secret = p256::SecretKey::random(&mut OsRng);
            let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &secret.public_key(),
                false,
            );
            let (Some(x), Some(y)) = (point.x(), point.y()) else {
                return Err(KeyError::Generate("P-256 point at infinity".into()));
            };
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| KeyError::Generate(e.to_string()))?;
            let jwk = json!({
                "kty": "EC",
                "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
            });
            (pem.to_string(), jwk)
        }
        SigningAlg::RS256 => {
            let secret = rsa::RsaPrivateKey::new(&mut OsRng, 2048)
                .map_err(|e| KeyError::Generate(e.to_string()))?;
            let pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&secret, LineEnding::LF)
                .map_err(|e| KeyError::Generate(e.to_string()))?;
            let jwk = json!({
                "kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(secret.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(secret.e().to_bytes_be()),
            });
            (pem.to_string(), jwk)
        }
    };
    if let Value::Object(map) = &mut public_jwk {
        map.insert("kid".into(), Value::String(kid.clone()));
        map.insert("use".into(), Value::String("sig".into()));
        map.insert("alg".into(), Value::String(alg.as_str().into()));
    }
    Ok(NewKey {
        kid,
        private_pem,
        public_jwk,
    })
}

/// A private key parsed once, signing JWTs. `jsonwebtoken` parses its key again for every
/// signature, which costs as much as the signature itself.
pub struct Signer {
    alg: SigningAlg,
    key: SignerKey,
}

enum SignerKey {
    Ec(aws_lc_rs::signature::EcdsaKeyPair),
    Rsa(aws_lc_rs::rsa::KeyPair),
}

impl Signer {
    /// Parses a stored PKCS#8 PEM.
    pub fn from_pem(alg: SigningAlg, private_pem: &str) -> Result<Self, KeyError> {
        let body: String = private_pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|e| KeyError::Stored(format!("PEM: {e}")))?;
        let unusable = |e: aws_lc_rs::error::KeyRejected| KeyError::Stored(e.to_string());
        let key = match alg {
            SigningAlg::ES256 => SignerKey::Ec(
                aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
                    &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &der,
                )
                .map_err(unusable)?,
            ),
            SigningAlg::RS256 => {
                SignerKey::Rsa(aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).map_err(unusable)?)
            }
        };
        Ok(Self { alg, key })
    }

    /// Signs `claims` as a JWT of type `typ` (RFC 7515 compact serialization).
    pub fn sign<C: Serialize>(&self, claims: &C, typ: &str, kid: &str) -> Result<String, KeyError> {
        let mut header = Header::new(self.alg.jwt_alg());
        header.typ = Some(typ.to_owned());
        header.kid = Some(kid.to_owned());
        let mut jwt = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).map_err(sign_error)?);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(claims).map_err(sign_error)?, &mut jwt);
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let signature = match &self.key {
            SignerKey::Ec(key) => key
                .sign(&rng, jwt.as_bytes())
                .map_err(sign_error)?
                .as_ref()
                .to_vec(),
            SignerKey::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &rng,
                    jwt.as_bytes(),
                    &mut signature,
                )
                .map_err(sign_error)?;
                signature
            }
        };
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);
        Ok(jwt)
    }
}

fn sign_error(e: impl std::fmt::Display) -> KeyError {
    KeyError::Sign(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};

    #[test]
    fn a_signed_token_verifies_against_the_published_jwk_only() {
        for alg in [SigningAlg::ES256, SigningAlg::RS256] {
            let key = generate(alg).expect("generate");
            let claims = json!({"sub": "x", "exp": 4_000_000_000u64});
            let signer = Signer::from_pem(alg, &key.private_pem).expect("parse");
            let token = signer.sign(&claims, "at+jwt", &key.kid).expect("sign");
            let jwk: Jwk = serde_json::from_value(key.public_jwk.clone()).expect("jwk");
            let mut validation = Validation::new(alg.jwt_alg());
            validation.required_spec_claims.clear();
            let decoded = jsonwebtoken::decode::<Value>(
                &token,
                &DecodingKey::from_jwk(&jwk).expect("decoding key"),
                &validation,
            )
            .expect("verifies");
            assert_eq!(decoded.header.typ.as_deref(), Some("at+jwt"));
            assert_eq!(decoded.header.kid.as_deref(), Some(key.kid.as_str()));

            let other = generate(alg).expect("generate");
            let other_jwk: Jwk = serde_json::from_value(other.public_jwk).expect("jwk");
            let wrong = jsonwebtoken::decode::<Value>(
                &token,
                &DecodingKey::from_jwk(&other_jwk).expect("decoding key"),
                &validation,
            );
            assert!(wrong.is_err());
        }
    }
}
