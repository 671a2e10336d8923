//! The verification page of the device authorization grant (RFC 8628 §3.3): a person types the
//! code their device shows (or follows `verification_uri_complete`), signs in, and approves or
//! denies the device on the same pages as an app's sign-in. The answer goes to the device's
//! next poll, not to a redirect.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{DeviceEntry, Outcome, error_page, unknown_tenant_page};
use crate::entity::{authorization_request, client, device_code, tenant, user};
use crate::error::AuthError;
use crate::secrets::{random_token, sha256_hex};
use crate::service::AuthService;
use crate::service::tokens::{display_user_code, normalize_user_code};

impl AuthService {
    /// `GET {issuer}/oauth2/device[?user_code=…]`, from the browser whose `gh_browser` cookie
    /// is `browser`: the code's form, or the sign-in or consent page for the device it names.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn verify_device(
        &self,
        tenant_slug: &str,
        user_code: Option<&str>,
        session_cookie: Option<&str>,
        browser: &str,
    ) -> Result<Outcome, AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok(unknown_tenant_page());
        };
        let entry = |message: Option<&str>| {
            Outcome::DeviceEntry(Box::new(DeviceEntry {
                tenant_name: tenant.display_name.clone(),
                message: message.map(str::to_owned),
            }))
        };
        let Some(typed) = user_code.filter(|c| !c.trim().is_empty()) else {
            return Ok(entry(None));
        };
        let code = normalize_user_code(typed);
        let now = Utc::now();
        let found = device_code::Entity::find()
            .filter(device_code::Column::TenantId.eq(tenant.id))
            .filter(device_code::Column::UserCode.eq(code))
            .filter(device_code::Column::Status.eq("pending"))
            .filter(device_code::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?;
        let client = match &found {
            Some(device) => client::Entity::find_by_id(device.client_id)
                .one(&self.db)
                .await?
                .filter(|c| !c.disabled),
            None => None,
        };
        let (Some(device), Some(client)) = (found, client) else {
            return Ok(entry(Some(
                "That code is not valid, or it has expired. Check the code on your device.",
            )));
        };
        let session = match session_cookie {
            Some(cookie) => self.valid_session(&tenant, cookie).await?,
            None => None,
        };
        let csrf = random_token(24);
        let request = authorization_request::ActiveModel {
            id: Set(random_token(24)),
            tenant_id: Set(tenant.id),
            client_id: Set(client.id),
            redirect_uri: Set(String::new()),
            scope: Set(device.scope.clone()),
            // A device's request has no state to return: it keeps the code the person confirms.
            state: Set(Some(display_user_code(&device.user_code))),
            nonce: Set(None),
            code_challenge: Set(String::new()),
            csrf_hash: Set(sha256_hex(&csrf)),
            user_id: Set(session.as_ref().map(|s| s.user_id)),
            expires_at: Set(device.expires_at),
            browser_hash: Set(Some(sha256_hex(browser))),
            // A device is always confirmed by a person, whatever they granted before (§5.4).
            force_consent: Set(true),
            resources: Set(device.resources.clone()),
            device_code_hash: Set(Some(device.device_code_hash.clone())),
            dpop_jkt: Set(None),
        }
        .insert(&self.db)
        .await?;
        let mut page = self.page(&tenant, &client, &request, csrf);
        match session {
            Some(session) => {
                page.username = user::Entity::find_by_id(session.user_id)
                    .one(&self.db)
                    .await?
                    .map(|u| u.username);
                Ok(Outcome::Consent(Box::new(page)))
            }
            None => Ok(Outcome::Login(Box::new(page))),
        }
    }

    /// Ends a device's request: approved by `user` (with when they signed in), or denied. The
    /// device learns it at its next poll.
    pub(super) async fn finish_device(
        &self,
        tenant: &tenant::Model,
        request: authorization_request::Model,
        user: Option<(Uuid, chrono::DateTime<Utc>)>,
    ) -> Result<Outcome, AuthError> {
        let Some(hash) = request.device_code_hash.clone() else {
            return Ok(error_page(
                400,
                "Invalid request",
                "This is not a device's request.",
            ));
        };
        authorization_request::Entity::delete_by_id(request.id)
            .exec(&self.db)
            .await?;
        let mut answer = device_code::Entity::update_many()
            .col_expr(
                device_code::Column::Status,
                sea_orm::sea_query::Expr::value(if user.is_some() { "approved" } else { "denied" }),
            )
            .filter(device_code::Column::TenantId.eq(tenant.id))
            .filter(device_code::Column::DeviceCodeHash.eq(hash))
            .filter(device_code::Column::Status.eq("pending"))
            .filter(device_code::Column::ExpiresAt.gt(Utc::now()));
        if let Some((user_id, auth_time)) = user {
            answer = answer
                .col_expr(
                    device_code::Column::UserId,
                    sea_orm::sea_query::Expr::value(user_id),
                )
                .col_expr(
                    device_code::Column::AuthTime,
                    sea_orm::sea_query::Expr::value(auth_time),
                );
        }
        if answer.exec(&self.db).await?.rows_affected != 1 {
            return Ok(error_page(
                400,
                "Code expired",
                "This code has expired or was already answered. Start again on your device.",
            ));
        }
        Ok(match user {
            Some(_) => Outcome::Message {
                title: "Device connected".into(),
                detail: "You can go back to your device: it is signed in now.".into(),
            },
            None => Outcome::Message {
                title: "Device refused".into(),
                detail: "The device was not given access. You can close this page.".into(),
            },
        })
    }
}
