//! Signing keys over time. A new key is published in the JWKS `key_publish_delay` before it
//! starts signing, so that caches of the JWKS know it before any token names it; the key it
//! replaces keeps verifying until every token it signed has expired, then leaves the JWKS.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::AuthService;
use crate::entity::{signing_key, tenant};
use crate::error::AuthError;
use crate::keys::{self, SigningAlg};

/// The algorithms a tenant signs ID tokens with: its access tokens' and RS256, which OpenID
/// Connect requires (its key is made on first use).
pub(crate) fn algorithms(tenant: &tenant::Model) -> Vec<SigningAlg> {
    let mut algs = vec![access_token_alg(tenant)];
    if !algs.contains(&SigningAlg::RS256) {
        algs.push(SigningAlg::RS256);
    }
    algs
}

/// The algorithm of a tenant's access tokens.
pub(crate) fn access_token_alg(tenant: &tenant::Model) -> SigningAlg {
    SigningAlg::parse(&tenant.signing_alg).unwrap_or(SigningAlg::ES256)
}

pub(crate) async fn insert_key(
    db: &impl ConnectionTrait,
    sealer: &crate::Sealer,
    tenant_id: Uuid,
    alg: SigningAlg,
    activates_at: DateTime<Utc>,
) -> Result<signing_key::Model, AuthError> {
    // Key generation (RSA especially) is CPU work: keep it off the async workers.
    let key = tokio::task::spawn_blocking(move || keys::generate(alg))
        .await
        .map_err(|e| AuthError::PasswordHash(e.to_string()))??;
    // The private key is stored sealed, and returned as stored.
    let sealed = sealer.seal(&key.private_pem, &key.kid)?;
    Ok(signing_key::ActiveModel {
        kid: Set(key.kid),
        tenant_id: Set(tenant_id),
        alg: Set(alg.as_str().to_owned()),
        private_pem: Set(sealed),
        public_jwk: Set(key.public_jwk.to_string()),
        created_at: Set(Utc::now()),
        activates_at: Set(Some(activates_at)),
        retires_at: Set(None),
        expires_at: Set(None),
    }
    .insert(db)
    .await?)
}

fn ttl(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl AuthService {
    /// Seals again what is in the clear (an installation from before sealing) or sealed under
    /// an older key-encryption key, so that the older key can be dropped. Run at start.
    pub(crate) async fn reseal_keys(&self) -> Result<u64, AuthError> {
        use sea_orm::IntoActiveModel;
        let sealer = &self.config.sealer;
        let mut resealed = 0;
        for key in signing_key::Entity::find().all(&self.db).await? {
            if sealer.needs_resealing(&key.private_pem) {
                let plain = sealer.open(&key.private_pem, &key.kid)?;
                let sealed = sealer.seal(&plain, &key.kid)?;
                let mut active = key.into_active_model();
                active.private_pem = Set(sealed);
                active.update(&self.db).await?;
                resealed += 1;
            }
        }
        Ok(resealed)
    }

    /// Starts a new key for each algorithm the tenant signs with (its access tokens' and any
    /// it made for ID tokens). It is published now and signs after the publish delay; the key
    /// it replaces retires then and leaves the JWKS once the last token it signed has expired.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn rotate_keys(
        &self,
        tenant_slug: &str,
    ) -> Result<Vec<signing_key::Model>, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        let activates_at = Utc::now() + ttl(self.config.key_publish_delay);
        let expires_at =
            activates_at + ttl(self.config.access_token_ttl) + chrono::Duration::seconds(60);
        let tx = self.db.begin().await?;
        let current = signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .filter(signing_key::Column::RetiresAt.is_null())
            .all(&tx)
            .await?;
        let mut algs = vec![access_token_alg(&tenant)];
        for key in current {
            if let Some(alg) = SigningAlg::parse(&key.alg).filter(|a| !algs.contains(a)) {
                algs.push(alg);
            }
            let mut active = key.into_active_model();
            active.retires_at = Set(Some(activates_at));
            active.expires_at = Set(Some(expires_at));
            active.update(&tx).await?;
        }
        let mut created = Vec::new();
        for alg in algs {
            created.push(insert_key(&tx, &self.config.sealer, tenant.id, alg, activates_at).await?);
        }
        self.commit_change(tx, &tenant.slug).await?;
        tracing::info!(tenant = %tenant.slug, %activates_at, "signing keys rotated");
        Ok(created)
    }

    /// Rotates the keys of every tenant whose newest key is older than the rotation interval.
    #[tracing::instrument(skip_all)]
    pub async fn rotate_due_keys(&self) -> Result<usize, AuthError> {
        let due_before = Utc::now() - ttl(self.config.key_rotation_interval);
        let mut rotated = 0;
        for tenant in tenant::Entity::find().all(&self.db).await? {
            let newest = signing_key::Entity::find()
                .filter(signing_key::Column::TenantId.eq(tenant.id))
                .order_by_desc(signing_key::Column::CreatedAt)
                .one(&self.db)
                .await?;
            if newest.is_some_and(|k| k.created_at < due_before) {
                self.rotate_keys(&tenant.slug).await?;
                rotated += 1;
            }
        }
        Ok(rotated)
    }

    /// The tenant's keys, newest first, including those no longer published.
    pub async fn list_keys(&self, tenant_slug: &str) -> Result<Vec<signing_key::Model>, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        Ok(signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .order_by_desc(signing_key::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }
}
