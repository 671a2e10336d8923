use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub tenant_id: Uuid,
    pub alg: String,
    /// PKCS#8 PEM. Never leaves the auth server.
    pub private_pem: String,
    /// The public key as a JWK (JSON text), as published in the JWKS.
    pub public_jwk: String,
    pub created_at: DateTimeUtc,
    /// When the key starts signing; it is published in the JWKS before that.
    pub activates_at: Option<DateTimeUtc>,
    /// When a newer key took over signing.
    pub retires_at: Option<DateTimeUtc>,
    /// When every token the key signed has expired: it leaves the JWKS then.
    pub expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
