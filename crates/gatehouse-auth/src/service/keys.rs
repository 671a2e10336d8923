//! Signing keys over time. A new key is published in the JWKS `key_publish_delay` before it
//! starts signing, so that caches of the JWKS know it before any token names it; the key it
//! replaces keeps verifying until every token it signed has expired, then leaves the JWKS.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::AuthService;
use crate::entity::{signing_key, tenant};
use crate::error::AuthError;
use crate::keys::{self, SigningAlg};

/// The algorithms a tenant keeps keys for: its access tokens' and RS256, which OpenID Connect
/// requires for ID tokens.
pub(crate) fn algorithms(tenant_alg: &str) -> Vec<SigningAlg> {
    let mut algs = vec![SigningAlg::parse(tenant_alg).unwrap_or(SigningAlg::ES256)];
    if !algs.contains(&SigningAlg::RS256) {
        algs.push(SigningAlg::RS256);
    }
    algs
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
    // The private key is stored sealed; the row returned holds it open, for this process.
    let sealed = sealer.seal(&key.private_pem, &key.kid)?;
    let mut row = signing_key::ActiveModel {
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
    .await?;
    row.private_pem = key.private_pem;
    Ok(row)
}

fn ttl(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl AuthService {
    /// The key that signs for `alg` now.
    pub(crate) async fn signing_key(
        &self,
        tenant: &tenant::Model,
        alg: &str,
    ) -> Result<signing_key::Model, AuthError> {
        let now = Utc::now();
        signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .filter(signing_key::Column::Alg.eq(alg))
            .filter(
                Condition::any()
                    .add(signing_key::Column::ActivatesAt.is_null())
                    .add(signing_key::Column::ActivatesAt.lte(now)),
            )
            .filter(
                Condition::any()
                    .add(signing_key::Column::RetiresAt.is_null())
                    .add(signing_key::Column::RetiresAt.gt(now)),
            )
            .order_by_desc(signing_key::Column::ActivatesAt)
            .one(&self.db)
            .await?
            .ok_or_else(|| AuthError::NotFound(format!("the tenant has no {alg} signing key")))
            .and_then(|mut key| {
                key.private_pem = self.config.sealer.open(&key.private_pem, &key.kid)?;
                Ok(key)
            })
    }

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

    /// The keys in the tenant's JWKS: pending, active and retiring ones.
    pub(crate) async fn published_keys(
        &self,
        tenant: &tenant::Model,
    ) -> Result<Vec<signing_key::Model>, AuthError> {
        Ok(signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .filter(
                Condition::any()
                    .add(signing_key::Column::ExpiresAt.is_null())
                    .add(signing_key::Column::ExpiresAt.gt(Utc::now())),
            )
            .order_by_desc(signing_key::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Starts a new key for each of the tenant's algorithms. It is published now and signs
    /// after the publish delay; the key it replaces retires then and leaves the JWKS once the
    /// last token it signed has expired.
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
        for key in current {
            let mut active = key.into_active_model();
            active.retires_at = Set(Some(activates_at));
            active.expires_at = Set(Some(expires_at));
            active.update(&tx).await?;
        }
        let mut created = Vec::new();
        for alg in algorithms(&tenant.signing_alg) {
            created.push(insert_key(&tx, &self.config.sealer, tenant.id, alg, activates_at).await?);
        }
        tx.commit().await?;
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
