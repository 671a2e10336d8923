use sea_orm::entity::prelude::*;

/// A bulk revocation: every access token of `kind` `subject` in the tenant issued at or before
/// `issued_before` is refused.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_revocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_slug: String,
    /// `client`, `user` or `tenant`.
    pub kind: String,
    /// The client's id, the user's id, or empty for the tenant.
    pub subject: String,
    pub issued_before: DateTimeUtc,
    /// When the last token it covers has expired.
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
