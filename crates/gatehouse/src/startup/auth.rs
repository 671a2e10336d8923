//! The auth server of a process: its keys sealed at rest, its service, the operator's client
//! bootstrapped, and keys rotated on schedule.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use gatehouse_auth::{AuthService, Bootstrap};
use gatehouse_cache::SharedCache;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::metrics::Metrics;

/// The key-encryption key: configured (`auth.key_encryption_key` or `…_file`), or, next to a
/// SQLite database only (a laptop's platform, whose data stays in `data_dir`), generated once
/// into `{data_dir}/key-encryption-key` (mode 0600). A shared database needs the same key in
/// every process that opens it, so there it must be configured.
pub(super) fn key_encryption(config: &Config) -> anyhow::Result<gatehouse_auth::Sealer> {
    let previous: Vec<String> = config
        .auth
        .previous_key_encryption_keys
        .iter()
        .map(|s| s.expose().to_owned())
        .collect();
    let current = if let Some(key) = &config.auth.key_encryption_key {
        key.expose().to_owned()
    } else if let Some(path) = &config.auth.key_encryption_key_file {
        let key = std::fs::read_to_string(path)
            .with_context(|| format!("reading auth.key_encryption_key_file {}", path.display()))?;
        let key = key.trim().to_owned();
        anyhow::ensure!(
            key.len() >= 32,
            "configuration key `auth.key_encryption_key_file`: {} holds fewer than 32 characters",
            path.display()
        );
        key
    } else if config.database_url().starts_with("sqlite:") {
        let path = config.data_dir.join("key-encryption-key");
        match std::fs::read_to_string(&path) {
            Ok(key) => key.trim().to_owned(),
            Err(_) => {
                let mut bytes = [0u8; 48];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                save_secret(&path, &key)?;
                tracing::info!(path = %path.display(), "generated the key-encryption key that seals signing keys; back it up with the database");
                key
            }
        }
    } else {
        anyhow::bail!(
            "configuration key `auth.key_encryption_key` is not set: the auth server seals the \
             tenants' private signing keys with it. Set GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY (or \
             auth.key_encryption_key_file) to the same random value of at least 32 characters \
             in every process that runs the auth server, e.g. `openssl rand -base64 48`, and \
             keep a copy: without it the keys cannot be read"
        )
    };
    Ok(gatehouse_auth::Sealer::new(&current, &previous))
}

/// How client metadata documents are fetched: `auth.client_documents_*`.
fn client_documents(config: &Config) -> anyhow::Result<gatehouse_auth::DocumentFetch> {
    const KEY: &str = "auth.client_documents_ca_file";
    let pem =
        match &config.auth.client_documents_ca_file {
            Some(path) => Some(std::fs::read(path).with_context(|| {
                format!("configuration key `{KEY}`: reading {}", path.display())
            })?),
            None => None,
        };
    gatehouse_auth::DocumentFetch::new(
        pem.as_deref(),
        config.auth.client_documents_private_networks,
    )
    .map_err(|why| anyhow::anyhow!("configuration key `{KEY}`: {why}"))
}

pub async fn auth_service(
    config: &Config,
    db: DatabaseConnection,
    public_url: &str,
    (cache, dpop_nonces): (SharedCache, Option<gatehouse_proto::DpopNonces>),
) -> anyhow::Result<AuthService> {
    let auth_config = gatehouse_auth::AuthConfig {
        public_url: public_url.to_owned(),
        audience: public_url.to_owned(),
        access_token_ttl: Duration::from_secs(config.auth.access_token_ttl_seconds),
        default_signing_alg: config.auth.default_signing_alg,
        code_ttl: Duration::from_secs(config.auth.code_ttl_seconds),
        session_ttl: Duration::from_secs(config.auth.session_ttl_seconds),
        refresh_absolute_ttl: Duration::from_secs(config.auth.refresh_absolute_ttl_seconds),
        refresh_idle_ttl: Duration::from_secs(config.auth.refresh_idle_ttl_seconds),
        refresh_reuse_grace: Duration::from_secs(config.auth.refresh_reuse_grace_seconds),
        key_publish_delay: Duration::from_secs(config.auth.key_publish_seconds),
        key_rotation_interval: Duration::from_secs(config.auth.key_rotation_days * 86_400),
        login_slowdown_after: config.auth.login_slowdown_after,
        login_max_failures: config.auth.login_max_failures,
        login_lockout: Duration::from_secs(config.auth.login_lockout_seconds),
        max_concurrent_password_checks: config.auth.max_concurrent_password_checks,
        sealer: key_encryption(config)?,
        dpop_nonces,
        client_documents: client_documents(config)?,
    };
    let service = AuthService::new(db, auth_config, cache).await?;
    service.announce_revocations().await?;
    Ok(service)
}

/// Rotates signing keys on schedule, checking every ten minutes.
pub(super) fn spawn_key_rotation(config: &Config, service: AuthService) {
    if config.auth.key_rotation_days == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match service.rotate_due_keys().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tenants = n, "scheduled key rotation"),
                Err(err) => {
                    tracing::error!(error = %gatehouse_proto::ErrorChain(&err), "scheduled key rotation failed")
                }
            }
        }
    });
}

/// The auth server of this process: its service, bootstrapped, rotating keys on schedule,
/// reading the directory's change log, its metrics registered.
pub(super) async fn run_auth(
    config: &Config,
    db: &DatabaseConnection,
    public_url: &str,
    shared: (SharedCache, Option<gatehouse_proto::DpopNonces>),
    metrics: &mut Metrics,
) -> anyhow::Result<AuthService> {
    let service = auth_service(config, db.clone(), public_url, shared).await?;
    bootstrap(config, &service).await?;
    spawn_key_rotation(config, service.clone());
    tokio::spawn(
        service
            .clone()
            .watch_directory(Duration::from_secs(config.auth.directory_poll_seconds)),
    );
    service
        .metrics()
        .register(metrics.registry().sub_registry_with_prefix("auth"));
    Ok(service)
}

/// Creates the system tenant and the operator's client on the first start.
pub(super) async fn bootstrap(config: &Config, service: &AuthService) -> anyhow::Result<()> {
    let secret = config.admin_client_secret.as_ref().map(|s| s.expose());
    let secret_file = config.data_dir.join("admin-client-secret");
    // Another auth server starting on the same new database may create a row first (the
    // tenant, then the client): look again, each time finding more done.
    let mut bootstrapped = service.bootstrap(secret).await;
    for _ in 0..3 {
        if !matches!(bootstrapped, Err(gatehouse_auth::AuthError::Conflict(_))) {
            break;
        }
        bootstrapped = service.bootstrap(secret).await;
    }
    match bootstrapped? {
        Bootstrap::AlreadyDone => {}
        Bootstrap::SecretFromConfig => {
            // A secret saved by an earlier start is no longer the truth.
            let _ = std::fs::remove_file(&secret_file);
        }
        Bootstrap::SecretGenerated(secret) => {
            save_secret(&secret_file, &secret)?;
            // Printed once, to the console only: it never goes through the logger.
            println!(
                "\nGatehouse created the operator's client.\n  client_id:     admin (tenant \"system\")\n  client_secret: {secret}\nThe secret is shown only now; it is also in {} (readable by you alone).\n",
                secret_file.display()
            );
        }
    }
    Ok(())
}

pub(super) fn save_secret(path: &Path, secret: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("saving the admin secret to {}", path.display()))?;
    writeln!(file, "{secret}")?;
    Ok(())
}
