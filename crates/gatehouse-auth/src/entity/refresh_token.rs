use sea_orm::entity::prelude::*;

/// A refresh token, by its SHA-256; one row per rotation, grouped by family.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub token_hash: String,
    pub family_id: Uuid,
    pub tenant_id: Uuid,
    pub client_id: Uuid,
    pub user_id: Uuid,
    pub scope: String,
    pub code_hash: Option<String>,
    pub auth_time: DateTimeUtc,
    pub issued_at: DateTimeUtc,
    pub family_expires_at: DateTimeUtc,
    pub idle_expires_at: DateTimeUtc,
    pub rotated_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// The resources (RFC 8707) the authorization request named, space separated.
    #[sea_orm(column_type = "Text", nullable)]
    pub resources: Option<String>,
    /// A public client's family is bound to the DPoP key of its first token request (RFC 9449
    /// §5): its thumbprint, which every refresh must prove.
    pub dpop_jkt: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
