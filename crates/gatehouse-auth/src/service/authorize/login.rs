//! `POST {issuer}/oauth2/login`: the password check, throttled, and the browser session it
//! starts.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use super::{FormProof, NewSession, Outcome, error_page, split_scope, unknown_tenant_page};
use crate::entity::{client, session, user};
use crate::error::AuthError;
use crate::secrets::{random_token, sha256_hex, verify_password};
use crate::service::AuthService;
use crate::service::throttle::Gate;

impl AuthService {
    /// `POST {issuer}/oauth2/login`: the login form.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn login(
        &self,
        tenant_slug: &str,
        form: FormProof<'_>,
        username: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<(Outcome, Option<NewSession>), AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok((unknown_tenant_page(), None));
        };
        let request = match self.pending(&tenant, form).await? {
            Ok(r) => r,
            Err(outcome) => return Ok((outcome, None)),
        };
        let device = form
            .device
            .and_then(|cookie| self.device_of(&tenant.slug, username, cookie));
        let device = device.as_deref();
        match self
            .login_gate(&tenant.slug, username, address, device)
            .await
        {
            Gate::Locked => {
                tracing::warn!(tenant = %tenant.slug, "sign-in refused after repeated failures");
                return Ok((
                    error_page(
                        429,
                        "Too many failed sign-ins",
                        "Sign-in is paused for this account or network after repeated failures. Try again later.",
                    ),
                    None,
                ));
            }
            Gate::Slowed(wait) => tokio::time::sleep(wait).await,
            Gate::Open => {}
        }
        let found = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant.id))
            .filter(user::Column::Username.eq(username))
            .one(&self.db)
            .await?;
        let phc = found.as_ref().map(|u| u.password_hash.clone());
        let Some(verified) = self.check_password(password, phc).await? else {
            return Ok((
                error_page(
                    503,
                    "Too many sign-ins at once",
                    "The service is busy signing people in. Try again in a moment.",
                ),
                None,
            ));
        };
        let client = client::Entity::find_by_id(request.client_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AuthError::NotFound("the client is gone".into()))?;
        // A disabled account fails like a wrong password: the form tells nobody it exists.
        let Some(user) = found.filter(|u| verified && !u.disabled) else {
            tracing::info!(tenant = %tenant.slug, "failed sign-in");
            self.record_login_failure(&tenant.slug, address).await;
            let csrf = self.renew_csrf(request.clone()).await?;
            let mut page = self.page(&tenant, &client, &request, csrf);
            page.username = Some(username.to_owned());
            page.message = Some("Wrong username or password.".into());
            return Ok((Outcome::Login(Box::new(page)), None));
        };
        self.clear_login_attempts(&tenant.slug, username, address, device)
            .await;
        let cookie = random_token(32);
        let now = Utc::now();
        let ttl = chrono::Duration::from_std(self.config.session_ttl).unwrap_or_default();
        session::ActiveModel {
            id_hash: Set(sha256_hex(&cookie)),
            tenant_id: Set(tenant.id),
            user_id: Set(user.id),
            auth_time: Set(now),
            expires_at: Set(now + ttl),
        }
        .insert(&self.db)
        .await?;
        let new_session = NewSession {
            cookie,
            max_age_seconds: ttl.num_seconds(),
            device: self.new_device_cookie(&tenant.slug, &user.username),
        };
        let scope = split_scope(&request.scope);
        if !request.force_consent && self.has_consent(user.id, client.id, &scope).await? {
            let outcome = self.finish(&tenant, request, user.id, now).await?;
            return Ok((outcome, Some(new_session)));
        }
        let mut active = request.clone().into_active_model();
        active.user_id = Set(Some(user.id));
        let request = active.update(&self.db).await?;
        let csrf = self.renew_csrf(request.clone()).await?;
        let mut page = self.page(&tenant, &client, &request, csrf);
        page.username = Some(user.username);
        Ok((Outcome::Consent(Box::new(page)), Some(new_session)))
    }

    /// Checks a password against its PHC hash on a blocking thread. A bounded number of argon2
    /// checks run at once: a flood of sign-ins waits, then is told to come back (`None`),
    /// rather than taking every core.
    async fn check_password(
        &self,
        password: &str,
        phc: Option<String>,
    ) -> Result<Option<bool>, AuthError> {
        let attempt = password.to_owned();
        let Ok(Ok(_permit)) = tokio::time::timeout(
            Duration::from_secs(5),
            self.password_checks.clone().acquire_owned(),
        )
        .await
        else {
            return Ok(None);
        };
        // The span is made here, so that the blocking thread's work is part of this request.
        let span = tracing::info_span!("password.verify");
        let verified = tokio::task::spawn_blocking(move || {
            span.in_scope(|| verify_password(&attempt, phc.as_deref()))
        })
        .await
        .map_err(|e| AuthError::PasswordHash(e.to_string()))?;
        Ok(Some(verified))
    }
}
