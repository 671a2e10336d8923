use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The public `client_id`, unique within its tenant.
    pub client_id: String,
    pub client_name: String,
    /// HMAC-SHA256 of the secret under the installation's key, hex encoded.
    pub secret_hash: String,
    /// Space separated, as in RFC 7591.
    pub grant_types: String,
    /// Space separated.
    pub redirect_uris: String,
    /// The scopes the client may be granted, space separated.
    pub scope: String,
    pub token_endpoint_auth_method: String,
    pub created_at: DateTimeUtc,
    /// OpenID Connect: `RS256` (the default) or `ES256`.
    pub id_token_signed_response_alg: Option<String>,
    /// For `private_key_jwt`: the client's public keys, a JWK Set as JSON text.
    pub jwks: Option<String>,
    /// `jwt` (RFC 9068, the default) or `opaque` (checked by introspection).
    pub access_token_format: Option<String>,
    /// Disabled: issues nothing, and its tokens are refused everywhere.
    pub disabled: bool,
    /// May introspect every access token of its tenant (an API, or a gateway for opaque
    /// tokens); other clients learn only about their own.
    pub resource_server: bool,
    /// Its authorization requests must be pushed first (RFC 9126 §6).
    pub require_pushed_authorization_requests: bool,
    /// Its access tokens must be DPoP-bound (RFC 9449 §5.2): a token request without a proof is
    /// refused.
    pub dpop_bound_access_tokens: bool,
    /// Registered dynamically (RFC 7591): the SHA-256 of its registration access token, with
    /// which it manages itself (RFC 7592).
    pub registration_token_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
