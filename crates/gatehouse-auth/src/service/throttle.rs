//! Sign-in throttling an attacker cannot aim at a user. Attempts are counted per (username,
//! address) — counted before the password is checked, in one atomic step, so concurrent
//! attempts cannot all slip past — and failures per address. Past `login_slowdown_after`
//! attempts each waits longer; past `login_max_failures` that (username, address) is paused for
//! `login_lockout`, and an address with ten times as many failures (a spray over usernames) is
//! paused too. No count is kept per username alone: failures from elsewhere never lock a user
//! out. A browser that signed in as the user before (its `gh_device` cookie, as OWASP
//! describes) is counted on its own instead, so others' failures do not pause it either. At
//! most `auth.max_concurrent_password_checks` argon2 checks run at once.

use std::time::Duration;

use gatehouse_cache::Key;

use super::AuthService;

/// What a sign-in attempt may do.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Slowed: wait this long before checking the password.
    Slowed(Duration),
    /// Too many attempts: refused until the counters expire.
    Locked,
}

/// The longest wait before a password check.
const MAX_DELAY: Duration = Duration::from_secs(8);

impl AuthService {
    /// The key this attempt is counted under: the device's, or the (username, address) pair's.
    fn attempt_key(
        &self,
        tenant: &str,
        username: &str,
        address: Option<&str>,
        device: Option<&str>,
    ) -> Key {
        match device {
            Some(device) => Key::new("signin", tenant, &format!("device:{device}")),
            None => Key::new(
                "signin",
                tenant,
                &format!(
                    "user-addr:{}\n{}",
                    username.to_lowercase(),
                    address.unwrap_or("unknown")
                ),
            ),
        }
    }

    fn address_key(tenant: &str, address: Option<&str>) -> Key {
        Key::new(
            "signin",
            tenant,
            &format!("addr:{}", address.unwrap_or("unknown")),
        )
    }

    /// The device id in a `gh_device` cookie, if the cookie was issued to `username` here.
    pub(super) fn device_of(&self, tenant: &str, username: &str, cookie: &str) -> Option<String> {
        let (nonce, mac) = cookie.split_once('.')?;
        let expected = format!("device\n{tenant}\n{}\n{nonce}", username.to_lowercase());
        self.hasher.verify(&expected, mac).then(|| nonce.to_owned())
    }

    /// A new `gh_device` cookie value for `username` in `tenant`.
    pub(super) fn new_device_cookie(&self, tenant: &str, username: &str) -> String {
        let nonce = crate::secrets::random_token(16);
        let mac = self.hasher.hash(&format!(
            "device\n{tenant}\n{}\n{nonce}",
            username.to_lowercase()
        ));
        format!("{nonce}.{mac}")
    }

    /// Counts this attempt and says what it may do. A cache that fails counts nothing (and
    /// throttles nothing): the concurrency bound still holds.
    pub(super) async fn login_gate(
        &self,
        tenant: &str,
        username: &str,
        address: Option<&str>,
        device: Option<&str>,
    ) -> Gate {
        let lockout = self.config.login_lockout;
        let attempts = self
            .cache
            .incr(
                &self.attempt_key(tenant, username, address, device),
                lockout,
            )
            .await
            .unwrap_or(0);
        // This attempt is counted: earlier ones are one fewer.
        let earlier = u32::try_from(attempts.saturating_sub(1)).unwrap_or(u32::MAX);
        let address_failures = if device.is_none() {
            self.count(&Self::address_key(tenant, address)).await
        } else {
            0
        };
        let max = self.config.login_max_failures;
        if earlier >= max || address_failures >= max.saturating_mul(10) {
            Gate::Locked
        } else if earlier >= self.config.login_slowdown_after {
            let over = earlier - self.config.login_slowdown_after;
            Gate::Slowed((Duration::from_millis(250) * 2u32.pow(over.min(5))).min(MAX_DELAY))
        } else {
            Gate::Open
        }
    }

    async fn count(&self, key: &Key) -> u32 {
        match self.cache.get(key).await {
            Ok(Some(bytes)) => std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            _ => 0,
        }
    }

    pub(super) async fn record_login_failure(&self, tenant: &str, address: Option<&str>) {
        self.metrics.sign_in_failed();
        if let Err(err) = self
            .cache
            .incr(
                &Self::address_key(tenant, address),
                self.config.login_lockout,
            )
            .await
        {
            tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "could not count a failed sign-in");
        }
    }

    /// A successful sign-in clears the attempts of its (username, address) or device.
    pub(super) async fn clear_login_attempts(
        &self,
        tenant: &str,
        username: &str,
        address: Option<&str>,
        device: Option<&str>,
    ) {
        let key = self.attempt_key(tenant, username, address, device);
        let _ = self.cache.delete(&key).await;
    }
}
