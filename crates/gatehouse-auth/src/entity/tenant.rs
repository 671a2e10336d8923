use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub display_name: String,
    /// `ES256` or `RS256`: the algorithm of the keys this tenant signs with.
    pub signing_alg: String,
    pub created_at: DateTimeUtc,
    /// Refresh token lifetimes of this tenant; the installation's when unset.
    pub refresh_idle_seconds: Option<i64>,
    pub refresh_absolute_seconds: Option<i64>,
    /// Requests per minute the gateway allows the tenant; its configuration's when unset.
    pub rate_limit_per_minute: Option<i64>,
    /// Writes to the tenant's resource API must carry `If-Match`.
    pub require_if_match: bool,
    /// Disabled: issues nothing, and its tokens are refused everywhere.
    pub disabled: bool,
    /// The tenant's OAuth policy ([`crate::service::OAuthPolicy`]) as JSON; the defaults when
    /// unset.
    #[sea_orm(column_type = "Text", nullable)]
    pub oauth_policy: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
