//! Secrets at rest: the tenants' private signing keys and the client-secret HMAC key are sealed
//! with AES-256-GCM under a key-encryption key from the configuration, never stored in the
//! clear, and unsealed only in memory. A sealed value names the key that sealed it, so that
//! older keys (`auth.previous_key_encryption_keys`) still open it while everything is resealed
//! under the current one at start; each value is bound to the row it belongs to.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AuthError;

const PREFIX: &str = "gh-sealed:v1:";

struct Kek {
    /// A short public name of the key: the first bytes of a hash of it, in hex.
    id: String,
    cipher: Aes256Gcm,
}

impl Kek {
    fn new(secret: &str) -> Self {
        let key = Sha256::digest(secret.as_bytes());
        let id = Sha256::digest([&b"gatehouse-kek-id:"[..], &key[..]].concat());
        Self {
            id: id[..6].iter().map(|b| format!("{b:02x}")).collect(),
            cipher: Aes256Gcm::new(&key),
        }
    }
}

/// The key-encryption keys: the current one seals, any opens.
#[derive(Clone)]
pub struct Sealer {
    keys: std::sync::Arc<Vec<Kek>>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Default for Sealer {
    /// A key of this process only (documents, tests): nothing it seals outlives it.
    fn default() -> Self {
        Self::new(&crate::secrets::random_token(32), &[])
    }
}

impl Sealer {
    /// `current` seals; `previous` (older keys, being rotated out) still open.
    pub fn new(current: &str, previous: &[String]) -> Self {
        let keys = std::iter::once(current)
            .chain(previous.iter().map(String::as_str))
            .map(Kek::new)
            .collect();
        Self {
            keys: std::sync::Arc::new(keys),
        }
    }

    fn current(&self) -> &Kek {
        &self.keys[0]
    }

    /// `plain`, sealed for the row `row`.
    pub fn seal(&self, plain: &str, row: &str) -> Result<String, AuthError> {
        let mut nonce = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        let kek = self.current();
        let sealed = kek
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| AuthError::Sealing("sealing failed".into()))?;
        Ok(format!(
            "{PREFIX}{}:{}",
            kek.id,
            URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat())
        ))
    }

    /// The plain value of a stored one (a value from before sealing is returned as it is).
    pub fn open(&self, stored: &str, row: &str) -> Result<String, AuthError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (id, data) = rest
            .split_once(':')
            .ok_or_else(|| AuthError::Sealing("a sealed value is malformed".into()))?;
        let kek = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
            AuthError::Sealing(format!(
                "a key is sealed with key-encryption key {id}, which this process does not have: \
                 set auth.key_encryption_key (or list the old one in \
                 auth.previous_key_encryption_keys)"
            ))
        })?;
        let data = URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| AuthError::Sealing("a sealed value is malformed".into()))?;
        if data.len() < 12 {
            return Err(AuthError::Sealing("a sealed value is malformed".into()));
        }
        let (nonce, sealed) = data.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| AuthError::Sealing("a sealed value is malformed".into()))?;
        let plain = kek
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| {
                AuthError::Sealing("a sealed value does not open (wrong key or row)".into())
            })?;
        String::from_utf8(plain)
            .map_err(|_| AuthError::Sealing("a sealed value is not text".into()))
    }

    /// Whether `stored` should be sealed again: in the clear, or under an older key.
    pub fn needs_resealing(&self, stored: &str) -> bool {
        !stored.starts_with(&format!("{PREFIX}{}:", self.current().id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_row_and_rotate() {
        let old = Sealer::new("the old key-encryption key, 32+ chars", &[]);
        let sealed = old
            .seal("-----BEGIN PRIVATE KEY-----", "kid-1")
            .expect("seal");
        assert!(!sealed.contains("PRIVATE"));
        assert_eq!(
            old.open(&sealed, "kid-1").expect("open"),
            "-----BEGIN PRIVATE KEY-----"
        );
        assert!(old.open(&sealed, "kid-2").is_err(), "bound to its row");
        let new = Sealer::new("the new key-encryption key, 32+ chars", &[]);
        assert!(new.open(&sealed, "kid-1").is_err(), "another key");
        let rotating = Sealer::new(
            "the new key-encryption key, 32+ chars",
            &["the old key-encryption key, 32+ chars".into()],
        );
        assert!(rotating.needs_resealing(&sealed));
        let plain = rotating.open(&sealed, "kid-1").expect("the old key opens");
        let resealed = rotating.seal(&plain, "kid-1").expect("seal");
        assert!(!rotating.needs_resealing(&resealed));
        assert_eq!(new.open(&resealed, "kid-1").expect("open"), plain);
        assert!(rotating.needs_resealing("a value from before sealing"));
        assert_eq!(
            rotating
                .open("a value from before sealing", "x")
                .expect("as it is"),
            "a value from before sealing"
        );
    }
}
