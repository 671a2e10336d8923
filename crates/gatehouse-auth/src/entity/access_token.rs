use sea_orm::entity::prelude::*;

/// An access token issued to a user (or revoked), by its `jti`, so it can be revoked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_access_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti: String,
    pub tenant_id: Uuid,
    pub code_hash: Option<String>,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// For an opaque token (whose `jti` is the token's SHA-256): its claims as JSON.
    pub claims: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
