//! Failed sign-ins are counted per username and per address: past a few, each attempt waits a
//! little longer; past more, sign-in is refused for a while, whatever the password.

use std::time::Duration;

use gatehouse_cache::Key;

use super::AuthService;

/// What a sign-in attempt may do.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Slowed: wait this long before checking the password.
    Slowed(Duration),
    /// Too many failures: refused until the counters expire.
    Locked,
}

impl AuthService {
    fn failure_keys(&self, tenant: &str, username: &str, address: Option<&str>) -> Vec<Key> {
        let mut keys = vec![Key::new(
            "login-failures",
            tenant,
            &format!("user:{}", username.to_lowercase()),
        )];
        if let Some(address) = address {
            keys.push(Key::new(
                "login-failures",
                tenant,
                &format!("addr:{address}"),
            ));
        }
        keys
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

    pub(super) async fn login_gate(
        &self,
        tenant: &str,
        username: &str,
        address: Option<&str>,
    ) -> Gate {
        let mut worst = 0;
        for key in self.failure_keys(tenant, username, address) {
            worst = worst.max(self.count(&key).await);
        }
        if worst >= self.config.login_max_failures {
            Gate::Locked
        } else if worst >= self.config.login_slowdown_after {
            let over = worst - self.config.login_slowdown_after;
            Gate::Slowed(Duration::from_millis(250 << over.min(4)))
        } else {
            Gate::Open
        }
    }

    pub(super) async fn record_login_failure(
        &self,
        tenant: &str,
        username: &str,
        address: Option<&str>,
    ) {
        self.metrics.sign_in_failed();
        for key in self.failure_keys(tenant, username, address) {
            if let Err(err) = self.cache.incr(&key, self.config.login_lockout).await {
                tracing::warn!(error = %err, "could not count a failed sign-in");
            }
        }
    }

    pub(super) async fn clear_login_failures(&self, tenant: &str, username: &str) {
        let key = Key::new(
            "login-failures",
            tenant,
            &format!("user:{}", username.to_lowercase()),
        );
        let _ = self.cache.delete(&key).await;
    }
}
