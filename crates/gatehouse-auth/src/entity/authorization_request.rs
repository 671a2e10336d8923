use sea_orm::entity::prelude::*;

/// An authorization request waiting for the user to sign in and consent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: Uuid,
    pub client_id: Uuid,
    pub redirect_uri: String,
    pub scope: String,
    /// The client's `state`; for a device's request, the user code (shown on the consent
    /// page for the person to compare with their device).
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub csrf_hash: String,
    pub user_id: Option<Uuid>,
    pub expires_at: DateTimeUtc,
    /// SHA-256 of the `gh_browser` cookie of the browser that opened the request: only that
    /// browser may post its forms (login CSRF).
    pub browser_hash: Option<String>,
    /// The request asked for `prompt=consent`: the consent page is shown whatever was granted.
    pub force_consent: bool,
    /// The resources (RFC 8707) the authorization request named, space separated.
    #[sea_orm(column_type = "Text", nullable)]
    pub resources: Option<String>,
    /// A device's request (RFC 8628): the SHA-256 of its device code, which the consent
    /// approves or denies instead of redirecting anywhere.
    pub device_code_hash: Option<String>,
    /// The DPoP key the code is bound to (RFC 9449 §10): its thumbprint.
    pub dpop_jkt: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
