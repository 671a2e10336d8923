use sea_orm::entity::prelude::*;

/// A pushed authorization request (RFC 9126), by the SHA-256 of its `request_uri`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_pushed_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_uri_hash: String,
    pub tenant_id: Uuid,
    pub client_id: Uuid,
    /// The authorization request's parameters: a JSON array of `[name, value]` pairs.
    #[sea_orm(column_type = "Text")]
    pub params: String,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
