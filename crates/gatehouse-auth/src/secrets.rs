//! Random secrets and how they are kept at rest.
//!
//! Client secrets are generated here with 256 bits of entropy, so a keyed fast hash
//! (HMAC-SHA256 under a per-installation key) is as safe for them as a slow hash and keeps the
//! token endpoint fast. Passwords are chosen by people and get argon2id.

use argon2::{Argon2, PasswordHasher};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// `bytes` random bytes from the OS, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new client secret: 32 random bytes (256 bits).
pub fn new_client_secret() -> String {
    random_token(32)
}

/// Hashes client secrets with the installation's key.
#[derive(Clone)]
pub struct SecretHasher {
    key: Vec<u8>,
}

impl std::fmt::Debug for SecretHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHasher(..)")
    }
}

impl SecretHasher {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    pub fn hash(&self, secret: &str) -> String {
        hex(&self.mac(secret))
    }

    /// Constant-time comparison against a stored hash.
    pub fn verify(&self, secret: &str, stored_hex: &str) -> bool {
        let computed = hex(&self.mac(secret));
        computed.as_bytes().ct_eq(stored_hex.as_bytes()).into()
    }

    /// A value derived from `input` that only this installation can compute (base64url).
    pub fn derive(&self, label: &str, input: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(&format!("{label}\n{input}")))
    }

    fn mac(&self, secret: &str) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256, hex: how codes, refresh tokens and session cookies are kept. They are random and
/// high-entropy, so an unkeyed fast hash is enough to make a stolen table useless.
pub fn sha256_hex(token: &str) -> String {
    use sha2::Digest;
    hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time equality of two strings.
pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// argon2id with the crate's default (OWASP-recommended) parameters, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())?
        .to_string())
}

/// Checks a password against its argon2id hash; without a hash (no such user) it spends the
/// same time on a dummy, so that timing does not tell which usernames exist.
pub fn verify_password(password: &str, phc: Option<&str>) -> bool {
    use argon2::PasswordVerifier;
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("dummy password").unwrap_or_default());
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), phc.unwrap_or(dummy))
        .is_ok();
    ok && phc.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn client_secrets_are_256_bit_and_verify_only_against_their_hash() {
        let hasher = SecretHasher::new(b"installation key".to_vec());
        let secret = new_client_secret();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&secret).map(|b| b.len()).ok(),
            Some(32)
        );
        let stored = hasher.hash(&secret);
        assert!(!stored.contains(&secret));
        assert!(hasher.verify(&secret, &stored));
        assert!(!hasher.verify(&new_client_secret(), &stored));
        let other_installation = SecretHasher::new(b"another key".to_vec());
        assert!(!other_installation.verify(&secret, &stored));
    }

    #[test]
    fn passwords_are_stored_as_argon2id() {
        let phc = hash_password("correct horse").expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        let verify = |p: &str| Argon2::default().verify_password(p.as_bytes(), phc.as_str());
        assert!(verify("correct horse").is_ok());
        assert!(verify("wrong horse").is_err());
    }
}
