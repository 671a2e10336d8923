//! `gatehouse tenant|client|user|key …`: the admin API's operations on the configured database,
//! through the same [`Admin`] and with the same answers (`--json` prints what the API returns).

use std::io::Read;

use anyhow::Context;
use clap::{Args, Subcommand};
use gatehouse_auth::views::to_json;
use gatehouse_auth::{
    Admin, Caller, ClientUpdate, NewClient, NewTenant, NewUser, TenantUpdate, UserRole, UserUpdate,
};
use serde_json::Value;

use super::{Cli, Command};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Subcommand)]
pub(super) enum TenantCommand {
    /// Create a tenant with its first signing key.
    Create {
        slug: String,
        /// The name shown to the tenant's users; the slug when absent.
        #[arg(long)]
        display_name: Option<String>,
        /// ES256 or RS256; the configured default when absent.
        #[arg(long)]
        signing_alg: Option<String>,
    },
    List,
    Get {
        slug: String,
    },
    /// Change a tenant; what is not named is kept. `default` returns a limit to the
    /// installation's.
    Update {
        slug: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Seconds, or `default`.
        #[arg(long, value_parser = or_default)]
        refresh_idle_seconds: Option<OrDefault>,
        /// Seconds, or `default`.
        #[arg(long, value_parser = or_default)]
        refresh_absolute_seconds: Option<OrDefault>,
        /// Requests per minute for the whole tenant, or `default`.
        #[arg(long, value_parser = or_default)]
        rate_limit_per_minute: Option<OrDefault>,
        /// Whether writes to the tenant's resource API must carry `If-Match`.
        #[arg(long)]
        require_if_match: Option<bool>,
        /// `true` disables the tenant and revokes its tokens; `false` enables it again.
        #[arg(long)]
        disabled: Option<bool>,
    },
    Delete {
        slug: String,
    },
}

#[derive(Debug, Args)]
pub(super) struct TenantArg {
    /// The tenant's slug.
    #[arg(long)]
    tenant: String,
}

#[derive(Debug, Subcommand)]
pub(super) enum ClientCommand {
    /// Register a client; its secret is printed once.
    Create {
        #[command(flatten)]
        tenant: TenantArg,
        #[arg(long)]
        name: String,
        /// Repeat for several; client_credentials when absent.
        #[arg(long = "grant-type")]
        grant_types: Vec<String>,
        /// Repeat for several: where the authorization code grant may send the user back.
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Space-separated scopes the client may be granted.
        #[arg(long, default_value = "")]
        scope: String,
        /// client_secret_basic (default), client_secret_post, private_key_jwt (with --jwks) or
        /// none (a public client).
        #[arg(long)]
        auth_method: Option<String>,
        /// For private_key_jwt: a file holding the client's JWK Set, or `-` for stdin.
        #[arg(long)]
        jwks: Option<std::path::PathBuf>,
        /// The algorithm of the client's ID tokens: RS256 (default) or ES256.
        #[arg(long)]
        id_token_alg: Option<String>,
        /// jwt (default) or opaque.
        #[arg(long)]
        access_token_format: Option<String>,
        /// The client may introspect every access token of the tenant.
        #[arg(long)]
        resource_server: bool,
    },
    List {
        #[command(flatten)]
        tenant: TenantArg,
    },
    Get {
        #[command(flatten)]
        tenant: TenantArg,
        client_id: String,
    },
    /// Disable or enable a client, or make it a resource server; what is not named is kept.
    Update {
        #[command(flatten)]
        tenant: TenantArg,
        client_id: String,
        #[arg(long)]
        disabled: Option<bool>,
        #[arg(long)]
        resource_server: Option<bool>,
    },
    Delete {
        #[command(flatten)]
        tenant: TenantArg,
        client_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Create a user. The password is read from stdin with --password-stdin (preferred: it
    /// stays out of the shell history and the process list).
    Create {
        #[command(flatten)]
        tenant: TenantArg,
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        #[arg(long)]
        password_stdin: bool,
        /// `user` (default) or `admin`, whose tokens may carry `tenant:admin`.
        #[arg(long, default_value = "user", value_parser = role)]
        role: UserRole,
    },
    List {
        #[command(flatten)]
        tenant: TenantArg,
    },
    Get {
        #[command(flatten)]
        tenant: TenantArg,
        user_id: String,
    },
    /// Change a user's role, or disable or enable it; what is not named is kept.
    Update {
        #[command(flatten)]
        tenant: TenantArg,
        user_id: String,
        #[arg(long, value_parser = role)]
        role: Option<UserRole>,
        #[arg(long)]
        disabled: Option<bool>,
    },
    Delete {
        #[command(flatten)]
        tenant: TenantArg,
        user_id: String,
    },
    /// What the user granted which apps.
    Consents {
        #[command(flatten)]
        tenant: TenantArg,
        user_id: String,
    },
    /// Withdraw a user's consent to an app: it must ask again, its refresh tokens end.
    RevokeConsent {
        #[command(flatten)]
        tenant: TenantArg,
        user_id: String,
        client_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum KeyCommand {
    /// The tenant's signing keys, newest first.
    List {
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Start new keys: published now, signing after the publish delay.
    Rotate {
        #[command(flatten)]
        tenant: TenantArg,
    },
}

/// A number, or `default`: the installation's value (`None`).
#[derive(Debug, Clone, Copy)]
pub(super) struct OrDefault(Option<i64>);

fn or_default(value: &str) -> Result<OrDefault, String> {
    if value == "default" {
        return Ok(OrDefault(None));
    }
    value
        .parse()
        .map(|n| OrDefault(Some(n)))
        .map_err(|_| format!("'{value}' is neither a whole number nor `default`"))
}

fn role(value: &str) -> Result<UserRole, String> {
    UserRole::parse(value).ok_or_else(|| format!("'{value}' is not user or admin"))
}

/// What a command answers: the view the admin API would (as JSON), or nothing (a deletion,
/// which the API answers with 204 and no body).
enum Answer {
    View(Value),
    Done(String),
}

impl Cli {
    /// Runs a tenant, client, user or key command on the configured database and returns
    /// what it prints.
    pub async fn manage(self, config: &Config) -> anyhow::Result<String> {
        let Some(command) = self.command else {
            anyhow::bail!("no command");
        };
        let admin = admin(config).await?;
        let answer = match command {
            Command::Tenant(cmd) => tenant(&admin, cmd).await,
            Command::Client(cmd) => client(&admin, cmd).await,
            Command::User(cmd) => user(&admin, cmd).await,
            Command::Key(cmd) => key(&admin, cmd).await,
            _ => anyhow::bail!("not a tenant, client, user or key command"),
        }?;
        Ok(match answer {
            Answer::View(value) => render(self.json, &value),
            Answer::Done(_) if self.json => String::new(),
            Answer::Done(what) => format!("{what}\n"),
        })
    }
}

/// The admin operations on the configured database, migrated first.
async fn admin(config: &Config) -> anyhow::Result<Admin> {
    let db = startup::connect(config).await?;
    gatehouse_auth::migrate(&db)
        .await
        .context("migrating the auth schema")?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    // Revocations made here reach a running gateway only through a shared (Redis) cache.
    let cache = std::sync::Arc::new(gatehouse_cache::MemoryCache::new(1 << 20));
    let service = startup::auth_service(config, db, &public_url, cache).await?;
    Ok(Admin::new(service))
}

fn view(view: &impl poem_openapi::types::ToJSON) -> Answer {
    Answer::View(to_json(view))
}

async fn tenant(admin: &Admin, cmd: TenantCommand) -> anyhow::Result<Answer> {
    Ok(match cmd {
        TenantCommand::Create {
            slug,
            display_name,
            signing_alg,
        } => {
            let signing_alg = signing_alg
                .map(|alg| {
                    gatehouse_auth::SigningAlg::parse(&alg)
                        .with_context(|| format!("--signing-alg: '{alg}' is not ES256 or RS256"))
                })
                .transpose()?;
            let new = NewTenant {
                display_name: display_name.unwrap_or_else(|| slug.clone()),
                slug,
                signing_alg,
            };
            view(&admin.create_tenant(new).await.map_err(problem)?)
        }
        TenantCommand::List => view(&admin.list_tenants().await.map_err(problem)?),
        TenantCommand::Get { slug } => view(&admin.get_tenant(&slug).await.map_err(problem)?),
        TenantCommand::Update {
            slug,
            display_name,
            refresh_idle_seconds,
            refresh_absolute_seconds,
            rate_limit_per_minute,
            require_if_match,
            disabled,
        } => {
            let update = TenantUpdate {
                display_name,
                refresh_idle_seconds: refresh_idle_seconds.map(|v| v.0),
                refresh_absolute_seconds: refresh_absolute_seconds.map(|v| v.0),
                rate_limit_per_minute: rate_limit_per_minute.map(|v| v.0),
                require_if_match,
                disabled,
            };
            view(&admin.update_tenant(&slug, update).await.map_err(problem)?)
        }
        TenantCommand::Delete { slug } => {
            admin.delete_tenant(&slug).await.map_err(problem)?;
            Answer::Done(format!("deleted tenant {slug}"))
        }
    })
}

async fn client(admin: &Admin, cmd: ClientCommand) -> anyhow::Result<Answer> {
    Ok(match cmd {
        ClientCommand::Create {
            tenant,
            name,
            grant_types,
            redirect_uris,
            scope,
            auth_method,
            jwks,
            id_token_alg,
            access_token_format,
            resource_server,
        } => {
            let new = NewClient {
                client_name: name,
                grant_types: if grant_types.is_empty() {
                    vec!["client_credentials".into()]
                } else {
                    grant_types
                },
                redirect_uris,
                scope,
                token_endpoint_auth_method: auth_method,
                id_token_signed_response_alg: id_token_alg,
                jwks: jwks.as_deref().map(read_jwks).transpose()?,
                access_token_format,
                resource_server,
            };
            let created = admin.create_client(&tenant.tenant, new, Caller::Operator);
            view(&created.await.map_err(problem)?)
        }
        ClientCommand::List { tenant } => {
            view(&admin.list_clients(&tenant.tenant).await.map_err(problem)?)
        }
        ClientCommand::Get { tenant, client_id } => {
            let found = admin.get_client(&tenant.tenant, &client_id).await;
            view(&found.map_err(problem)?)
        }
        ClientCommand::Update {
            tenant,
            client_id,
            disabled,
            resource_server,
        } => {
            let update = ClientUpdate {
                disabled,
                resource_server,
            };
            let updated = admin.update_client(&tenant.tenant, &client_id, update);
            view(&updated.await.map_err(problem)?)
        }
        ClientCommand::Delete { tenant, client_id } => {
            let deleted = admin.delete_client(&tenant.tenant, &client_id);
            deleted.await.map_err(problem)?;
            Answer::Done(format!("deleted client {client_id}"))
        }
    })
}

/// A JWK Set from a file, or from stdin for `-`.
fn read_jwks(path: &std::path::Path) -> anyhow::Result<Value> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path).with_context(|| format!("--jwks: {}", path.display()))?
    };
    serde_json::from_str(&text).with_context(|| format!("--jwks: {} is not JSON", path.display()))
}

async fn user(admin: &Admin, cmd: UserCommand) -> anyhow::Result<Answer> {
    Ok(match cmd {
        UserCommand::Create {
            tenant,
            username,
            email,
            password,
            password_stdin,
            role,
        } => {
            let password = match (password, password_stdin) {
                (Some(p), _) => p,
                (None, true) => {
                    let mut p = String::new();
                    std::io::stdin().read_to_string(&mut p)?;
                    p.trim_end_matches(['\r', '\n']).to_owned()
                }
                (None, false) => {
                    anyhow::bail!("give the password with --password-stdin (or --password)")
                }
            };
            let new = NewUser {
                username,
                password,
                email,
                role,
            };
            view(
                &admin
                    .create_user(&tenant.tenant, new)
                    .await
                    .map_err(problem)?,
            )
        }
        UserCommand::List { tenant } => {
            view(&admin.list_users(&tenant.tenant).await.map_err(problem)?)
        }
        UserCommand::Get { tenant, user_id } => {
            let found = admin.get_user(&tenant.tenant, &user_id).await;
            view(&found.map_err(problem)?)
        }
        UserCommand::Update {
            tenant,
            user_id,
            role,
            disabled,
        } => {
            let update = UserUpdate { role, disabled };
            let updated = admin.update_user(&tenant.tenant, &user_id, update);
            view(&updated.await.map_err(problem)?)
        }
        UserCommand::Delete { tenant, user_id } => {
            admin
                .delete_user(&tenant.tenant, &user_id)
                .await
                .map_err(problem)?;
            Answer::Done(format!("deleted user {user_id}"))
        }
        UserCommand::Consents { tenant, user_id } => {
            let consents = admin.list_consents(&tenant.tenant, &user_id).await;
            view(&consents.map_err(problem)?)
        }
        UserCommand::RevokeConsent {
            tenant,
            user_id,
            client_id,
        } => {
            let revoked = admin.revoke_consent(&tenant.tenant, &user_id, &client_id);
            revoked.await.map_err(problem)?;
            Answer::Done(format!("revoked the consent of {user_id} to {client_id}"))
        }
    })
}

async fn key(admin: &Admin, cmd: KeyCommand) -> anyhow::Result<Answer> {
    Ok(match cmd {
        KeyCommand::List { tenant } => {
            view(&admin.list_keys(&tenant.tenant).await.map_err(problem)?)
        }
        KeyCommand::Rotate { tenant } => {
            view(&admin.rotate_keys(&tenant.tenant).await.map_err(problem)?)
        }
    })
}

/// `value` as JSON, or as `key: value` lines for people; a list's items apart by a blank line.
fn render(json_output: bool, value: &Value) -> String {
    if json_output {
        return format!("{value:#}\n");
    }
    match value {
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) if map.len() == 1 => items
                .iter()
                .map(|item| render(false, item))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => map
                .iter()
                .map(|(key, v)| match v {
                    Value::String(s) => format!("{key}: {s}\n"),
                    other => format!("{key}: {other}\n"),
                })
                .collect(),
        },
        other => format!("{other}\n"),
    }
}

/// An admin error as the CLI shows it: the same words the API would answer.
fn problem(err: gatehouse_auth::AuthError) -> anyhow::Error {
    let problem = gatehouse_proto::Problem::from(err);
    let mut message = problem.detail.unwrap_or(problem.title);
    for field in problem.errors {
        message.push_str(&format!("\n  {}: {}", field.field, field.reason));
    }
    anyhow::anyhow!(message)
}
