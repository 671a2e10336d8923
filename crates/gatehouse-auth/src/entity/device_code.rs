use sea_orm::entity::prelude::*;

/// A device's authorization (RFC 8628), by the SHA-256 of its device code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_device_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub device_code_hash: String,
    #[sea_orm(unique)]
    pub user_code: String,
    pub tenant_id: Uuid,
    pub client_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub scope: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub resources: Option<String>,
    /// `pending`, `approved`, `denied` or `spent`.
    pub status: String,
    pub user_id: Option<Uuid>,
    pub auth_time: Option<DateTimeUtc>,
    pub interval: i32,
    pub last_polled_at: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
