//! The device authorization grant (RFC 8628): the device asks for a user code, a person
//! approves it on the verification page, and the device's polls of the token endpoint get
//! `authorization_pending` and `slow_down` until then, and the tokens once.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::code::FamilyStart;
use super::{ClientAuth, Subject, TokenError, TokenSet, down_select, grants, split};
use crate::entity::device_code;
use crate::secrets::{random_token, sha256_hex};
use crate::service::AuthService;
use crate::service::clients::DEVICE_CODE_GRANT;

/// How long a device code and its user code last (RFC 8628 §3.2 `expires_in`).
pub const DEVICE_CODE_TTL_SECONDS: i64 = 600;
/// Seconds between polls, at first; each `slow_down` adds 5 (§3.5).
pub const DEVICE_POLL_INTERVAL_SECONDS: i32 = 5;
/// User codes: 8 letters without vowels (no words) or look-alikes, in two groups of 4
/// (§6.1: about 34 bits; the gateway's per-address budget bounds guessing).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// What the device shows its user (RFC 8628 §3.2).
#[derive(Debug)]
pub struct DeviceAuthorization {
    pub device_code: String,
    /// `XXXX-XXXX`.
    pub user_code: String,
    pub expires_in: i64,
    pub interval: i32,
}

/// A new user code, as stored: 8 letters.
fn new_user_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

/// A user code as a person may type it (`wdjb-mjht`, `WDJB MJHT`), as stored.
pub fn normalize_user_code(typed: &str) -> String {
    typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A stored user code as shown: `WDJB-MJHT`.
pub fn display_user_code(code: &str) -> String {
    match code.split_at_checked(4) {
        Some((a, b)) => format!("{a}-{b}"),
        None => code.to_owned(),
    }
}

impl AuthService {
    /// `POST {issuer}/oauth2/device_authorization` (RFC 8628 §3.1).
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug, client_id = %auth.client_id))]
    pub async fn device_authorization(
        &self,
        tenant_slug: &str,
        auth: ClientAuth,
        scope: Option<String>,
        resource: Option<String>,
    ) -> Result<DeviceAuthorization, TokenError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self.authenticate_client(&tenant, &auth).await?;
        if !grants(&client, DEVICE_CODE_GRANT) {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the device authorization grant".into(),
            ));
        }
        let scope = down_select(&client.scope, scope.as_deref())?;
        if let Some(uri) = &resource
            && !self.is_resource_of(&tenant.slug, uri)
        {
            return Err(TokenError::InvalidTarget(
                "resource is not a resource of this tenant".into(),
            ));
        }
        let device_code = random_token(32);
        let user_code = new_user_code();
        device_code::ActiveModel {
            device_code_hash: Set(sha256_hex(&device_code)),
            user_code: Set(user_code.clone()),
            tenant_id: Set(tenant.id),
            client_id: Set(client.id),
            scope: Set(scope),
            resources: Set(resource),
            status: Set("pending".into()),
            user_id: Set(None),
            auth_time: Set(None),
            interval: Set(DEVICE_POLL_INTERVAL_SECONDS),
            last_polled_at: Set(None),
            expires_at: Set(Utc::now() + chrono::Duration::seconds(DEVICE_CODE_TTL_SECONDS)),
        }
        .insert(&self.db)
        .await?;
        Ok(DeviceAuthorization {
            device_code,
            user_code: display_user_code(&user_code),
            expires_in: DEVICE_CODE_TTL_SECONDS,
            interval: DEVICE_POLL_INTERVAL_SECONDS,
        })
    }

    /// The device code grant (RFC 8628 §3.4, §3.5): a poll of the device's authorization.
    #[tracing::instrument(skip_all)]
    pub(super) async fn exchange_device_code(
        &self,
        tenant: &crate::service::directory::TenantEntry,
        client: &crate::entity::client::Model,
        device_code: &str,
        jkt: Option<&str>,
    ) -> Result<TokenSet, TokenError> {
        if !grants(client, DEVICE_CODE_GRANT) {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the device authorization grant".into(),
            ));
        }
        let hash = sha256_hex(device_code);
        let row = device_code::Entity::find_by_id(hash.clone())
            .filter(device_code::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
            .filter(|r| r.client_id == client.id)
            .ok_or_else(|| TokenError::InvalidGrant("the device code is not valid".into()))?;
        let now = Utc::now();
        if row.expires_at <= now {
            return Err(TokenError::ExpiredToken);
        }
        // Too soon after the last poll: wait 5 seconds more from now on (§3.5).
        let too_soon = row
            .last_polled_at
            .is_some_and(|last| now - last < chrono::Duration::seconds(i64::from(row.interval)));
        let mut polled = device_code::ActiveModel {
            device_code_hash: Set(hash.clone()),
            last_polled_at: Set(Some(now)),
            ..Default::default()
        };
        if too_soon {
            polled.interval = Set(row.interval.saturating_add(5));
        }
        polled.update(&self.db).await?;
        if too_soon && row.status == "pending" {
            return Err(TokenError::SlowDown);
        }
        match row.status.as_str() {
            "pending" => return Err(TokenError::AuthorizationPending),
            "denied" => return Err(TokenError::AccessDenied),
            "approved" => {}
            _ => {
                return Err(TokenError::InvalidGrant(
                    "the device code was already used".into(),
                ));
            }
        }
        // Spent atomically: of two polls, one gets the tokens.
        let claimed = device_code::Entity::update_many()
            .col_expr(device_code::Column::Status, Expr::value("spent"))
            .filter(device_code::Column::DeviceCodeHash.eq(&hash))
            .filter(device_code::Column::Status.eq("approved"))
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        let (Some(user_id), Some(auth_time), true) = (row.user_id, row.auth_time, claimed) else {
            return Err(TokenError::InvalidGrant(
                "the device code was already used".into(),
            ));
        };
        let resource = row.resources.as_deref();
        let refresh =
            if grants(client, "refresh_token") && split(&row.scope).contains(&"offline_access") {
                let start = FamilyStart {
                    user_id,
                    scope: &row.scope,
                    auth_time,
                    resources: resource,
                    code_hash: None,
                    jkt,
                };
                Some(self.new_refresh_family(tenant, client, start).await?)
            } else {
                None
            };
        let subject = Subject {
            user: Some(user_id),
            auth_time: Some(auth_time),
            code_hash: None,
            nonce: None,
            resource,
            act: None,
            jkt,
        };
        self.tokens(tenant, client, &subject, &row.scope, refresh)
            .await
    }
}
