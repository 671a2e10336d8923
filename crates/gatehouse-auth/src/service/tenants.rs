use chrono::Utc;
use gatehouse_proto::{FieldError, is_valid_slug};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{AuthService, SYSTEM_TENANT};
use crate::entity::{
    access_token, authorization_request, client, code, consent, refresh_token, session,
    signing_key, tenant, user,
};
use crate::error::AuthError;
use crate::keys::SigningAlg;
use crate::policy::OAuthPolicy;

pub struct NewTenant {
    pub slug: String,
    pub display_name: String,
    /// The default from the configuration when `None`.
    pub signing_alg: Option<SigningAlg>,
}

/// A tenant's longest display name, in characters.
pub const DISPLAY_NAME_MAX_CHARS: usize = 200;
/// The refresh-token lifetimes a tenant may set, in seconds: a minute to five years.
pub const REFRESH_SECONDS: std::ops::RangeInclusive<i64> = 60..=5 * 365 * 86_400;
/// The request rates a tenant may be limited to, per minute.
pub const RATE_LIMIT_PER_MINUTE: std::ops::RangeInclusive<i64> = 1..=1_000_000_000;

fn display_name_problem(name: &str) -> Option<FieldError> {
    (name.trim().is_empty() || name.chars().count() > DISPLAY_NAME_MAX_CHARS).then(|| {
        FieldError::new(
            "display_name",
            format!("must be 1 to {DISPLAY_NAME_MAX_CHARS} characters, not blank"),
        )
    })
}

impl NewTenant {
    fn validate(&self) -> Result<(), AuthError> {
        let mut errors = Vec::new();
        if !is_valid_slug(&self.slug) {
            errors.push(FieldError {
                field: "slug".into(),
                reason: "1 to 63 lowercase letters, digits or '-', not starting or ending with '-'"
                    .into(),
            });
        }
        if let Some(error) = display_name_problem(&self.display_name) {
            errors.push(error);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AuthError::Invalid(errors))
        }
    }
}

/// Changes to a tenant; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct TenantUpdate {
    pub display_name: Option<String>,
    /// `Some(None)` returns to the installation's lifetime.
    pub refresh_idle_seconds: Option<Option<i64>>,
    pub refresh_absolute_seconds: Option<Option<i64>>,
    pub rate_limit_per_minute: Option<Option<i64>>,
    pub require_if_match: Option<bool>,
    /// Disabling revokes every token of the tenant; it then issues nothing until enabled.
    pub disabled: Option<bool>,
}

/// A tenant's own lifetimes and rate limit; `None`: the installation's.
struct Limits {
    refresh_idle_seconds: Option<i64>,
    refresh_absolute_seconds: Option<i64>,
    rate_limit_per_minute: Option<i64>,
}

impl AuthService {
    /// The tenant's OAuth policy.
    pub async fn oauth_policy(&self, slug: &str) -> Result<OAuthPolicy, AuthError> {
        Ok(OAuthPolicy::of(&self.get_tenant(slug).await?))
    }

    /// Replaces the tenant's OAuth policy; every auth process applies it at once.
    pub async fn set_oauth_policy(
        &self,
        slug: &str,
        policy: OAuthPolicy,
    ) -> Result<OAuthPolicy, AuthError> {
        policy.validate(|uri| self.is_resource_of(slug, uri))?;
        let tenant = self.get_tenant(slug).await?;
        // A struct of plain fields always serialises.
        let json = serde_json::to_value(&policy)
            .unwrap_or_default()
            .to_string();
        let mut active: tenant::ActiveModel = tenant.into();
        active.oauth_policy = Set(Some(json));
        let tx = self.db.begin().await?;
        active.update(&tx).await?;
        self.commit_change(tx, slug).await?;
        tracing::info!(tenant = %slug, "OAuth policy changed");
        Ok(policy)
    }

    pub async fn update_tenant(
        &self,
        slug: &str,
        update: TenantUpdate,
    ) -> Result<tenant::Model, AuthError> {
        let tenant = self.get_tenant(slug).await?;
        let limits = self.limits_after(&tenant, &update)?;
        if update.disabled == Some(true) && slug == SYSTEM_TENANT {
            return Err(AuthError::Conflict(
                "the system tenant holds the operator's client and stays enabled".into(),
            ));
        }
        let disabling = update.disabled == Some(true) && !tenant.disabled;
        let mut active: tenant::ActiveModel = tenant.into();
        if let Some(disabled) = update.disabled {
            active.disabled = Set(disabled);
        }
        active.rate_limit_per_minute = Set(limits.rate_limit_per_minute);
        if let Some(required) = update.require_if_match {
            active.require_if_match = Set(required);
        }
        if let Some(name) = update.display_name {
            active.display_name = Set(name.trim().to_owned());
        }
        active.refresh_idle_seconds = Set(limits.refresh_idle_seconds);
        active.refresh_absolute_seconds = Set(limits.refresh_absolute_seconds);
        let tx = self.db.begin().await?;
        let updated = active.update(&tx).await?;
        if disabling {
            self.end_grants(
                &tx,
                refresh_token::Column::TenantId.eq(updated.id),
                session::Column::TenantId.eq(updated.id),
            )
            .await?;
            self.revoke_all(&tx, slug, gatehouse_proto::RevocationKind::Tenant, "")
                .await?;
        }
        self.commit_change(tx, slug).await?;
        Ok(updated)
    }

    /// The tenant's lifetimes and rate limit once `update` applies, each within its range
    /// (400) and the idle lifetime within the absolute one (422); a new display name is checked
    /// with them.
    fn limits_after(
        &self,
        tenant: &tenant::Model,
        update: &TenantUpdate,
    ) -> Result<Limits, AuthError> {
        let mut errors = Vec::new();
        if let Some(error) = update
            .display_name
            .as_deref()
            .and_then(display_name_problem)
        {
            errors.push(error);
        }
        let limits = Limits {
            refresh_idle_seconds: update
                .refresh_idle_seconds
                .unwrap_or(tenant.refresh_idle_seconds),
            refresh_absolute_seconds: update
                .refresh_absolute_seconds
                .unwrap_or(tenant.refresh_absolute_seconds),
            rate_limit_per_minute: update
                .rate_limit_per_minute
                .unwrap_or(tenant.rate_limit_per_minute),
        };
        let outside = |field: &str, range: &std::ops::RangeInclusive<i64>| {
            FieldError::new(
                field,
                format!("must be between {} and {}", range.start(), range.end()),
            )
        };
        for (field, value) in [
            ("refresh_idle_seconds", limits.refresh_idle_seconds),
            ("refresh_absolute_seconds", limits.refresh_absolute_seconds),
        ] {
            if value.is_some_and(|v| !REFRESH_SECONDS.contains(&v)) {
                errors.push(outside(field, &REFRESH_SECONDS));
            }
        }
        if limits
            .rate_limit_per_minute
            .is_some_and(|v| !RATE_LIMIT_PER_MINUTE.contains(&v))
        {
            errors.push(outside("rate_limit_per_minute", &RATE_LIMIT_PER_MINUTE));
        }
        if !errors.is_empty() {
            return Err(AuthError::Invalid(errors));
        }
        let seconds = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let idle = limits
            .refresh_idle_seconds
            .unwrap_or(seconds(self.config.refresh_idle_ttl));
        let absolute = limits
            .refresh_absolute_seconds
            .unwrap_or(seconds(self.config.refresh_absolute_ttl));
        if idle > absolute {
            return Err(AuthError::Unprocessable(vec![FieldError::new(
                "refresh_idle_seconds",
                "must not exceed the absolute lifetime",
            )]));
        }
        Ok(limits)
    }

    /// Creates a tenant with its first signing key, in one transaction.
    pub async fn create_tenant(&self, new: NewTenant) -> Result<tenant::Model, AuthError> {
        new.validate()?;
        if self.find_tenant(&new.slug).await?.is_some() {
            return Err(AuthError::Conflict(format!(
                "a tenant with slug '{}' exists",
                new.slug
            )));
        }
        let alg = new.signing_alg.unwrap_or(self.config.default_signing_alg);
        let now = Utc::now();
        let tx = self.db.begin().await?;
        let tenant = tenant::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(new.slug),
            display_name: Set(new.display_name.trim().to_owned()),
            signing_alg: Set(alg.as_str().to_owned()),
            created_at: Set(now),
            refresh_idle_seconds: Set(None),
            refresh_absolute_seconds: Set(None),
            rate_limit_per_minute: Set(None),
            require_if_match: Set(false),
            disabled: Set(false),
            oauth_policy: Set(None),
        }
        .insert(&tx)
        .await?;
        // Its access tokens' key; an RS256 key for ID tokens is made when first needed.
        super::keys::insert_key(&tx, &self.config.sealer, tenant.id, alg, now).await?;
        tx.commit().await?;
        tracing::info!(tenant = %tenant.slug, alg = alg.as_str(), "tenant created");
        Ok(tenant)
    }

    pub async fn list_tenants(&self) -> Result<Vec<tenant::Model>, AuthError> {
        Ok(tenant::Entity::find()
            .order_by_asc(tenant::Column::Slug)
            .all(&self.db)
            .await?)
    }

    pub async fn find_tenant(&self, slug: &str) -> Result<Option<tenant::Model>, AuthError> {
        if !is_valid_slug(slug) {
            return Ok(None);
        }
        Ok(tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug))
            .one(&self.db)
            .await?)
    }

    /// The tenant, unless it is disabled: the OAuth flows know only these.
    pub(crate) async fn active_tenant(
        &self,
        slug: &str,
    ) -> Result<Option<std::sync::Arc<super::directory::TenantEntry>>, AuthError> {
        Ok(self.tenant_entry(slug).await?.filter(|t| !t.disabled))
    }

    pub async fn get_tenant(&self, slug: &str) -> Result<tenant::Model, AuthError> {
        self.find_tenant(slug)
            .await?
            .ok_or_else(|| AuthError::NotFound(format!("no tenant '{slug}'")))
    }

    /// Deletes a tenant with its clients, users and keys. The `system` tenant stays.
    pub async fn delete_tenant(&self, slug: &str) -> Result<(), AuthError> {
        if slug == SYSTEM_TENANT {
            return Err(AuthError::Conflict(
                "the system tenant holds the operator's client and cannot be deleted".into(),
            ));
        }
        let tenant = self.get_tenant(slug).await?;
        let tx = self.db.begin().await?;
        session::Entity::delete_many()
            .filter(session::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        authorization_request::Entity::delete_many()
            .filter(authorization_request::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        code::Entity::delete_many()
            .filter(code::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        consent::Entity::delete_many()
            .filter(consent::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        access_token::Entity::delete_many()
            .filter(access_token::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        client::Entity::delete_many()
            .filter(client::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        user::Entity::delete_many()
            .filter(user::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        signing_key::Entity::delete_many()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .exec(&tx)
            .await?;
        tenant::Entity::delete_by_id(tenant.id).exec(&tx).await?;
        self.revoke_all(&tx, slug, gatehouse_proto::RevocationKind::Tenant, "")
            .await?;
        self.commit_change(tx, slug).await?;
        tracing::info!(tenant = %slug, "tenant deleted");
        Ok(())
    }
}
