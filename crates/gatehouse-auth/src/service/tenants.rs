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

pub struct NewTenant {
    pub slug: String,
    pub display_name: String,
    /// The default from the configuration when `None`.
    pub signing_alg: Option<SigningAlg>,
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
        let name_len = self.display_name.trim().chars().count();
        if name_len == 0 || name_len > 200 {
            errors.push(FieldError {
                field: "display_name".into(),
                reason: "must be 1 to 200 characters".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AuthError::Invalid(errors))
        }
    }
}

impl AuthService {
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
        }
        .insert(&tx)
        .await?;
        for alg in super::keys::algorithms(alg.as_str()) {
            super::keys::insert_key(&tx, tenant.id, alg, now).await?;
        }
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
        tx.commit().await?;
        tracing::info!(tenant = %slug, "tenant deleted");
        Ok(())
    }
}
