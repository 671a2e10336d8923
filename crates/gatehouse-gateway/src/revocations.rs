//! The gateway's copy of the auth server's revocation feed: single access tokens by `jti`, and
//! rules that revoke everything of a client, user or tenant issued until a moment. The feed is
//! read every `gateway.revocation_poll_seconds` from where the last read ended (with an overlap
//! for transactions that commit late; re-reading an entry changes nothing), so a revocation
//! holds on every gateway whatever the shared cache lost. When the feed has not been read for
//! a while, `gateway.revocation_unknown` says whether tokens are refused or accepted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use gatehouse_proto::{RevocationFeed, RevocationKind};

use crate::{GatewayError, Upstream};

/// How far back each read starts before the end of the last one.
const OVERLAP_MS: i64 = 10_000;

/// What the gateway does with a token while it cannot know whether it was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationUnknown {
    /// Refuse it (503, `revocation-unknown`): revocation fails closed.
    Deny,
    /// Accept it: availability over revocation.
    Allow,
}

/// What a token says about itself, for the revocation check.
pub struct TokenFacts<'a> {
    pub tenant: &'a str,
    pub jti: &'a str,
    pub client_id: &'a str,
    pub subject: &'a str,
    pub issued_at: i64,
}

type RuleKey = (String, RevocationKind, String);

pub struct Revocations {
    /// jti → expiry (unix seconds).
    tokens: RwLock<HashMap<String, i64>>,
    /// (tenant, kind, subject) → (issued before, expiry), unix seconds.
    rules: RwLock<HashMap<RuleKey, (i64, i64)>>,
    /// Where the next read starts (the auth server's clock, unix milliseconds).
    since_ms: AtomicI64,
    /// When the feed was last read (this gateway's clock, unix milliseconds); 0: never.
    read_at_ms: AtomicI64,
    unknown: RevocationUnknown,
    /// How old the last read may be before the state counts as unknown.
    stale_after: Duration,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Revocations {
    /// A list read every `poll`, unknown after three missed reads (at least ten seconds).
    pub fn new(unknown: RevocationUnknown, poll: Duration) -> Self {
        Self {
            tokens: RwLock::default(),
            rules: RwLock::default(),
            since_ms: AtomicI64::new(0),
            read_at_ms: AtomicI64::new(0),
            unknown,
            stale_after: (poll * 3).max(Duration::from_secs(10)),
        }
    }

    /// Reads the feed once from where the last read ended.
    pub async fn sync(&self, auth: &Upstream) -> Result<(), GatewayError> {
        let since = self.since_ms.load(Ordering::Relaxed);
        let (status, body) = auth.get(&gatehouse_proto::revocations_path(since)).await?;
        if !status.is_success() {
            return Err(GatewayError::upstream_answered(format!(
                "the revocation feed answered {status}"
            )));
        }
        let feed: RevocationFeed = serde_json::from_slice(&body)
            .map_err(|e| GatewayError::upstream("the revocation feed could not be parsed", e))?;
        self.apply(&feed);
        self.since_ms
            .store((feed.now_ms - OVERLAP_MS).max(0), Ordering::Relaxed);
        self.read_at_ms.store(now_ms(), Ordering::Relaxed);
        Ok(())
    }

    fn apply(&self, feed: &RevocationFeed) {
        let now = now_ms() / 1000;
        if let Ok(mut tokens) = self.tokens.write() {
            tokens.retain(|_, expires| *expires > now);
            for token in &feed.tokens {
                tokens.insert(token.jti.clone(), token.expires_at);
            }
        }
        if let Ok(mut rules) = self.rules.write() {
            rules.retain(|_, (_, expires)| *expires > now);
            for rule in &feed.rules {
                let key = (rule.tenant.clone(), rule.kind, rule.subject.clone());
                let entry = rules.entry(key).or_insert((i64::MIN, 0));
                entry.0 = entry.0.max(rule.issued_before);
                entry.1 = entry.1.max(rule.expires_at);
            }
        }
    }

    /// Reads the feed now, then every `poll` for as long as the gateway lives.
    pub fn spawn_sync(self: &Arc<Self>, auth: Upstream, poll: Duration) {
        let list = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(poll);
            let mut failing = false;
            loop {
                every.tick().await;
                let Some(list) = list.upgrade() else { return };
                match list.sync(&auth).await {
                    Ok(()) if failing => {
                        failing = false;
                        tracing::info!("the revocation feed is read again");
                    }
                    Ok(()) => {}
                    Err(err) if !failing => {
                        failing = true;
                        tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "the revocation feed could not be read");
                    }
                    Err(_) => {}
                }
            }
        });
    }

    /// Refuses a revoked token, or, by `gateway.revocation_unknown`, any token while the
    /// feed's state is unknown.
    pub fn check(&self, token: &TokenFacts<'_>) -> Result<(), GatewayError> {
        let age = Duration::from_millis(
            u64::try_from(now_ms() - self.read_at_ms.load(Ordering::Relaxed)).unwrap_or(0),
        );
        if age > self.stale_after && self.unknown == RevocationUnknown::Deny {
            return Err(GatewayError::RevocationUnknown(age));
        }
        let revoked = || GatewayError::InvalidToken("the token has been revoked".into());
        if self
            .tokens
            .read()
            .is_ok_and(|tokens| tokens.contains_key(token.jti))
        {
            return Err(revoked());
        }
        // Most of the time there is no rule: no key is built then.
        let Ok(rules) = self.rules.read() else {
            return Ok(());
        };
        if rules.is_empty() {
            return Ok(());
        }
        let covered = [
            (RevocationKind::Client, token.client_id),
            (RevocationKind::User, token.subject),
            (RevocationKind::Tenant, ""),
        ]
        .into_iter()
        .any(|(kind, subject)| {
            rules
                .get(&(token.tenant.to_owned(), kind, subject.to_owned()))
                .is_some_and(|(issued_before, _)| token.issued_at <= *issued_before)
        });
        if covered {
            return Err(revoked());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_proto::{RevocationRule, RevokedToken};

    fn facts<'a>(jti: &'a str, client: &'a str, user: &'a str, iat: i64) -> TokenFacts<'a> {
        TokenFacts {
            tenant: "acme",
            jti,
            client_id: client,
            subject: user,
            issued_at: iat,
        }
    }

    #[test]
    fn tokens_and_rules_revoke_and_an_unread_feed_is_unknown() {
        let list = Revocations::new(RevocationUnknown::Deny, Duration::from_secs(2));
        assert!(matches!(
            list.check(&facts("a", "c", "u", 1)),
            Err(GatewayError::RevocationUnknown(_))
        ));
        let later = now_ms() / 1000 + 3600;
        list.apply(&RevocationFeed {
            now_ms: now_ms(),
            tokens: vec![RevokedToken {
                jti: "revoked".into(),
                expires_at: later,
            }],
            rules: vec![RevocationRule {
                tenant: "acme".into(),
                kind: RevocationKind::Client,
                subject: "gone".into(),
                issued_before: 100,
                expires_at: later,
            }],
        });
        list.read_at_ms.store(now_ms(), Ordering::Relaxed);
        assert!(list.check(&facts("fine", "c", "u", 1)).is_ok());
        assert!(list.check(&facts("revoked", "c", "u", 1)).is_err());
        assert!(
            list.check(&facts("x", "gone", "u", 100)).is_err(),
            "issued before"
        );
        assert!(
            list.check(&facts("x", "gone", "u", 101)).is_ok(),
            "issued after"
        );
        let allow = Revocations::new(RevocationUnknown::Allow, Duration::from_secs(2));
        assert!(allow.check(&facts("a", "c", "u", 1)).is_ok());
    }
}
