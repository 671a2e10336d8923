use chrono::Utc;
use gatehouse_proto::FieldError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::AuthService;
use crate::entity::{code, consent, refresh_token, session, user};
use crate::error::AuthError;
use crate::secrets::hash_password;

pub struct NewUser {
    pub username: String,
    pub password: String,
    pub email: String,
    pub role: UserRole,
}

/// A user's role in its tenant: what scopes its tokens may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserRole {
    /// Any scope an app was registered with, but `tenant:admin` (and never `platform:admin`).
    #[default]
    User,
    /// Also `tenant:admin`: manages the tenant through apps it signs in to.
    Admin,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(Self::User),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Whether a user of this role may hold `scope`.
    pub fn may_hold(self, scope: &str) -> bool {
        match scope {
            gatehouse_proto::PLATFORM_ADMIN => false,
            gatehouse_proto::TENANT_ADMIN => self == Self::Admin,
            _ => true,
        }
    }
}

/// A change to a user: its role, or whether it is disabled.
#[derive(Debug, Default)]
pub struct UserUpdate {
    pub role: Option<UserRole>,
    pub disabled: Option<bool>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// A username: 1 to 64 of letters, digits, `.`, `-`, `_` and `@`.
pub const USERNAME_PATTERN: &str = "^[A-Za-z0-9._@-]{1,64}$";
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 1024;

impl NewUser {
    fn validate(&self) -> Result<(), AuthError> {
        let mut errors = Vec::new();
        let mut wrong = |field: &str, reason: &str| {
            errors.push(FieldError {
                field: field.into(),
                reason: reason.into(),
            })
        };
        let name_ok = (1..=64).contains(&self.username.len())
            && self
                .username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_@".contains(&b));
        if !name_ok {
            wrong(
                "username",
                "1 to 64 characters: letters, digits, '.', '-', '_' or '@'",
            );
        }
        let password_len = self.password.chars().count();
        if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&password_len) {
            wrong("password", "must be 8 to 1024 characters");
        }
        let email_ok = gatehouse_proto::is_email(&self.email);
        if !email_ok {
            wrong("email", "must be an email address such as ada@example.com");
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AuthError::Invalid(errors))
        }
    }
}

impl AuthService {
    pub async fn create_user(
        &self,
        tenant_slug: &str,
        new: NewUser,
    ) -> Result<user::Model, AuthError> {
        new.validate()?;
        let tenant = self.get_tenant(tenant_slug).await?;
        let taken = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant.id))
            .filter(user::Column::Username.eq(&new.username))
            .one(&self.db)
            .await?
            .is_some();
        if taken {
            return Err(AuthError::Conflict(format!(
                "username '{}' is taken in this tenant",
                new.username
            )));
        }
        // argon2id is deliberately slow: keep it off the async workers.
        let password = new.password;
        let span = tracing::info_span!("password.hash");
        let password_hash =
            tokio::task::spawn_blocking(move || span.in_scope(|| hash_password(&password)))
                .await
                .map_err(|e| AuthError::PasswordHash(e.to_string()))?
                .map_err(|e| AuthError::PasswordHash(e.to_string()))?;
        let model = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.id),
            username: Set(new.username),
            email: Set(new.email),
            password_hash: Set(password_hash),
            created_at: Set(Utc::now()),
            role: Set(new.role.as_str().to_owned()),
            disabled: Set(false),
        }
        .insert(&self.db)
        .await?;
        tracing::info!(tenant = %tenant_slug, user_id = %model.id, "user created");
        Ok(model)
    }

    pub async fn list_users(&self, tenant_slug: &str) -> Result<Vec<user::Model>, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant.id))
            .order_by_asc(user::Column::CreatedAt)
            .order_by_asc(user::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn get_user(&self, tenant_slug: &str, id: &str) -> Result<user::Model, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        let not_found = || AuthError::NotFound(format!("no user '{id}' in this tenant"));
        let id = Uuid::parse_str(id).map_err(|_| not_found())?;
        user::Entity::find_by_id(id)
            .filter(user::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
            .ok_or_else(not_found)
    }

    /// Changes a user's role or whether it is disabled. Disabling ends its sessions and refresh
    /// tokens and revokes its access tokens everywhere.
    pub async fn update_user(
        &self,
        tenant_slug: &str,
        id: &str,
        update: UserUpdate,
    ) -> Result<user::Model, AuthError> {
        use sea_orm::IntoActiveModel;
        let user = self.get_user(tenant_slug, id).await?;
        let disabling = update.disabled == Some(true) && !user.disabled;
        let tx = self.db.begin().await?;
        let mut active = user.clone().into_active_model();
        if let Some(role) = update.role {
            active.role = Set(role.as_str().to_owned());
        }
        if let Some(disabled) = update.disabled {
            active.disabled = Set(disabled);
        }
        let updated = active.update(&tx).await?;
        if disabling {
            self.end_user_grants(&tx, tenant_slug, user.id).await?;
            // Introspection's memory of live tokens is the tenant's: it is forgotten.
            self.commit_change(tx, tenant_slug).await?;
        } else {
            tx.commit().await?;
        }
        tracing::info!(tenant = %tenant_slug, user_id = %user.id, role = %updated.role, disabled = updated.disabled, "user changed");
        Ok(updated)
    }

    /// Ends a user's sessions and refresh tokens, and revokes its access tokens everywhere.
    async fn end_user_grants(
        &self,
        tx: &impl sea_orm::ConnectionTrait,
        tenant_slug: &str,
        user_id: Uuid,
    ) -> Result<(), AuthError> {
        self.end_grants(
            tx,
            refresh_token::Column::UserId.eq(user_id),
            session::Column::UserId.eq(user_id),
        )
        .await?;
        self.revoke_all(
            tx,
            tenant_slug,
            gatehouse_proto::RevocationKind::User,
            &user_id.to_string(),
        )
        .await
    }

    pub async fn delete_user(&self, tenant_slug: &str, id: &str) -> Result<(), AuthError> {
        let user = self.get_user(tenant_slug, id).await?;
        // The user's sessions, consents and refresh tokens end with the account.
        let tx = self.db.begin().await?;
        consent::Entity::delete_many()
            .filter(consent::Column::UserId.eq(user.id))
            .exec(&tx)
            .await?;
        code::Entity::delete_many()
            .filter(code::Column::UserId.eq(user.id))
            .exec(&tx)
            .await?;
        user::Entity::delete_by_id(user.id).exec(&tx).await?;
        self.end_user_grants(&tx, tenant_slug, user.id).await?;
        self.commit_change(tx, tenant_slug).await?;
        tracing::info!(tenant = %tenant_slug, user_id = %user.id, "user deleted");
        Ok(())
    }
}

/// What a user granted a client.
#[derive(Debug)]
pub struct GrantedConsent {
    pub client_id: String,
    pub client_name: String,
    pub scope: String,
    pub created_at: chrono::DateTime<Utc>,
}

impl AuthService {
    pub async fn list_consents(
        &self,
        tenant_slug: &str,
        user_id: &str,
    ) -> Result<Vec<GrantedConsent>, AuthError> {
        let user = self.get_user(tenant_slug, user_id).await?;
        let consents = consent::Entity::find()
            .filter(consent::Column::UserId.eq(user.id))
            .order_by_asc(consent::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let mut granted = Vec::new();
        for c in consents {
            if let Some(client) = crate::entity::client::Entity::find_by_id(c.client_id)
                .one(&self.db)
                .await?
            {
                granted.push(GrantedConsent {
                    client_id: client.client_id,
                    client_name: client.client_name,
                    scope: c.scope,
                    created_at: c.created_at,
                });
            }
        }
        Ok(granted)
    }

    /// Withdraws a user's consent to a client: the client must ask again, and its refresh
    /// tokens for the user (with their access tokens) are revoked.
    pub async fn revoke_consent(
        &self,
        tenant_slug: &str,
        user_id: &str,
        client_id: &str,
    ) -> Result<(), AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        let user = self.get_user(tenant_slug, user_id).await?;
        let client = self.get_client(tenant_slug, client_id).await?;
        let deleted = consent::Entity::delete_many()
            .filter(consent::Column::UserId.eq(user.id))
            .filter(consent::Column::ClientId.eq(client.id))
            .exec(&self.db)
            .await?
            .rows_affected;
        if deleted == 0 {
            return Err(AuthError::NotFound(format!(
                "the user has not consented to '{client_id}'"
            )));
        }
        let families = refresh_token::Entity::find()
            .filter(refresh_token::Column::UserId.eq(user.id))
            .filter(refresh_token::Column::ClientId.eq(client.id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .all(&self.db)
            .await?;
        let mut seen = std::collections::HashSet::new();
        for family in families {
            if seen.insert(family.family_id) {
                self.revoke_family(&tenant, family.family_id)
                    .await
                    .map_err(|e| match e {
                        super::TokenError::Internal(inner) => inner,
                        other => AuthError::Conflict(other.to_string()),
                    })?;
            }
        }
        tracing::info!(tenant = %tenant_slug, user_id = %user.id, client_id, "consent revoked");
        Ok(())
    }
}
