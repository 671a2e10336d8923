//! The auth server's operations, shared by the HTTP APIs and the CLI. Input is validated here,
//! so every door into the auth server enforces the same rules.

pub(crate) mod authorize;
mod client_assertion;
pub(crate) mod clients;
pub(crate) mod directory;
mod dpop;
pub(crate) mod keys;
mod revocation;
pub(crate) mod tenants;
mod throttle;
mod tokens;
pub(crate) mod users;

pub use clients::{ClientUpdate, DocumentError, DocumentFetch, NewClient, RegistrationError};
pub use revocation::{Introspection, UserinfoError};
pub use tenants::{NewTenant, TenantUpdate};
pub use tokens::{ClientAuth, Exchange, Grant, TOKEN_EXCHANGE_GRANT, TokenError};
pub use users::NewUser;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use gatehouse_cache::SharedCache;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

use crate::config::AuthConfig;
use crate::entity::{client, installation};
use crate::error::AuthError;
use crate::secrets::{SecretHasher, random_token};

pub use gatehouse_proto::{
    PLATFORM_ADMIN as PLATFORM_ADMIN_SCOPE, SYSTEM_TENANT, TENANT_ADMIN as TENANT_ADMIN_SCOPE,
};
pub use users::{UserRole, UserUpdate};
pub const ADMIN_CLIENT_ID: &str = "admin";

#[derive(Clone)]
pub struct AuthService {
    db: DatabaseConnection,
    config: AuthConfig,
    hasher: SecretHasher,
    /// The cache shared with the gateway: revoked access tokens are announced there, and
    /// used client assertions remembered.
    cache: SharedCache,
    metrics: crate::AuthMetrics,
    /// Permits for argon2 checks at once (`auth.max_concurrent_password_checks`).
    password_checks: std::sync::Arc<tokio::sync::Semaphore>,
    /// Tenants, clients and keys as the OAuth endpoints read them.
    directory: std::sync::Arc<directory::Directory>,
    /// Held while a signing key is made on first use.
    key_making: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Fetches client metadata documents.
    fetcher: std::sync::Arc<clients::Fetcher>,
    /// DPoP proofs used (RFC 9449 §11.1), in the cache the gateways share.
    proofs_seen: gatehouse_cache::SeenOnce,
}

impl std::fmt::Debug for AuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// DPoP proofs' single use, counted as long as a proof can be fresh.
fn dpop_replays(cache: &SharedCache) -> gatehouse_cache::SeenOnce {
    let ttl = std::time::Duration::from_secs(gatehouse_proto::DPOP_REPLAY_SECONDS);
    gatehouse_cache::SeenOnce::new(cache.clone(), ttl)
}

/// What the first start did.
#[derive(Debug)]
pub enum Bootstrap {
    /// Nothing to do: the system tenant and its admin client exist.
    AlreadyDone,
    /// The admin client's secret was set from the configuration.
    SecretFromConfig,
    /// The admin client was created with this generated secret; show it once.
    SecretGenerated(String),
}

impl AuthService {
    /// Loads the installation's secrets, creating them on first start, and seals what is not
    /// sealed under the current key-encryption key. Migrations must have run.
    pub async fn new(
        db: DatabaseConnection,
        config: AuthConfig,
        cache: SharedCache,
    ) -> Result<Self, AuthError> {
        const ROW: &str = "installation";
        let sealer = &config.sealer;
        let key = match installation::Entity::find_by_id(1).one(&db).await? {
            Some(row) => {
                let key = sealer.open(&row.client_secret_key, ROW)?;
                if sealer.needs_resealing(&row.client_secret_key) {
                    let mut active: installation::ActiveModel = row.into();
                    active.client_secret_key = Set(sealer.seal(&key, ROW)?);
                    active.update(&db).await?;
                }
                key
            }
            None => {
                let key = random_token(32);
                let inserted = installation::ActiveModel {
                    id: Set(1),
                    client_secret_key: Set(sealer.seal(&key, ROW)?),
                    created_at: Set(Utc::now()),
                }
                .insert(&db)
                .await;
                match inserted.map_err(AuthError::from) {
                    Ok(_) => key,
                    // Another auth server starting on the same new database made it first.
                    Err(AuthError::Conflict(_)) => {
                        let row = installation::Entity::find_by_id(1)
                            .one(&db)
                            .await?
                            .ok_or_else(|| AuthError::Conflict("no installation row".into()))?;
                        sealer.open(&row.client_secret_key, ROW)?
                    }
                    Err(err) => return Err(err),
                }
            }
        };
        let key = URL_SAFE_NO_PAD
            .decode(key)
            .map_err(|e| AuthError::Conflict(format!("installation key is corrupt: {e}")))?;
        let permits = config.max_concurrent_password_checks.max(1);
        let service = Self {
            db,
            config,
            hasher: SecretHasher::new(key),
            proofs_seen: dpop_replays(&cache),
            cache,
            metrics: crate::AuthMetrics::default(),
            password_checks: std::sync::Arc::new(tokio::sync::Semaphore::new(permits)),
            directory: std::sync::Arc::new(directory::Directory::new()),
            key_making: std::sync::Arc::default(),
            fetcher: std::sync::Arc::default(),
        };
        let resealed = service.reseal_keys().await?;
        if resealed > 0 {
            tracing::info!(
                keys = resealed,
                "signing keys sealed under the current key-encryption key"
            );
        }
        Ok(service)
    }

    /// A service with no database, for generating the OpenAPI documents.
    pub(crate) fn detached() -> Self {
        Self {
            db: DatabaseConnection::default(),
            config: AuthConfig::default(),
            hasher: SecretHasher::new(Vec::new()),
            proofs_seen: dpop_replays(
                &(std::sync::Arc::new(gatehouse_cache::MemoryCache::new(0)) as SharedCache),
            ),
            cache: std::sync::Arc::new(gatehouse_cache::MemoryCache::new(0)),
            metrics: crate::AuthMetrics::default(),
            password_checks: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
            directory: std::sync::Arc::new(directory::Directory::new()),
            key_making: std::sync::Arc::default(),
            fetcher: std::sync::Arc::default(),
        }
    }

    /// What this service counts, for the operators' `/metrics`.
    pub fn metrics(&self) -> &crate::AuthMetrics {
        &self.metrics
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// Creates the `system` tenant and its `admin` client when missing. With `admin_secret`
    /// the client's secret is (re)set to it on every start, so the operator's configuration
    /// stays the truth.
    pub async fn bootstrap(&self, admin_secret: Option<&str>) -> Result<Bootstrap, AuthError> {
        let system = match self.find_tenant(SYSTEM_TENANT).await? {
            Some(t) => t,
            None => {
                self.create_tenant(NewTenant {
                    slug: SYSTEM_TENANT.into(),
                    display_name: "Gatehouse platform".into(),
                    signing_alg: None,
                })
                .await?
            }
        };
        let existing = self.find_client(system.id, ADMIN_CLIENT_ID).await?;
        match (existing, admin_secret) {
            (Some(admin), Some(secret)) => {
                let mut admin: client::ActiveModel = admin.into();
                admin.secret_hash = Set(self.hasher.hash(secret));
                let tx = self.db.begin().await?;
                admin.update(&tx).await?;
                self.commit_change(tx, SYSTEM_TENANT).await?;
                Ok(Bootstrap::SecretFromConfig)
            }
            (Some(_), None) => Ok(Bootstrap::AlreadyDone),
            (None, secret) => {
                let new = NewClient {
                    client_name: "Platform operator".into(),
                    grant_types: vec!["client_credentials".into()],
                    redirect_uris: vec![],
                    scope: PLATFORM_ADMIN_SCOPE.into(),
                    ..NewClient::default()
                };
                let (_, generated) = self
                    .insert_client(&system, ADMIN_CLIENT_ID.into(), new, secret, None)
                    .await?;
                Ok(match (secret, generated) {
                    (None, Some(generated)) => Bootstrap::SecretGenerated(generated.0),
                    _ => Bootstrap::SecretFromConfig,
                })
            }
        }
    }
}
