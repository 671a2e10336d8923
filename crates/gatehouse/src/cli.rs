//! The command line: serve the platform, write the OpenAPI documents, and manage tenants,
//! clients and users directly on the database, with the same rules as the admin API.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use gatehouse_auth::{
    AuthService, ClientRecord, NewClient, NewTenant, NewUser, TenantRecord, UserRecord,
};
use serde_json::{Value, json};

use crate::config::Config;
use crate::startup::{self, Application, Role};

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "An OAuth 2 secured, multi-tenant API platform"
)]
pub struct Cli {
    /// Print results as JSON, for scripts.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the platform (everything in one process by default) or one service.
    Serve {
        #[arg(value_enum, default_value = "all")]
        role: Role,
    },
    /// Write the OpenAPI documents (admin.json, auth.json, resources.json) into a folder.
    Openapi {
        #[arg(long, default_value = "openapi")]
        out: PathBuf,
    },
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage a tenant's OAuth clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage a tenant's users.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
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
    Delete {
        slug: String,
    },
}

#[derive(Debug, Args)]
struct TenantArg {
    /// The tenant's slug.
    #[arg(long)]
    tenant: String,
}

#[derive(Debug, Subcommand)]
enum ClientCommand {
    /// Register a client; its secret is printed once.
    Create {
        #[command(flatten)]
        tenant: TenantArg,
        #[arg(long)]
        name: String,
        /// Repeat for several; client_credentials when absent.
        #[arg(long = "grant-type")]
        grant_types: Vec<String>,
        /// Space-separated scopes the client may be granted.
        #[arg(long, default_value = "")]
        scope: String,
        /// client_secret_basic (default) or client_secret_post.
        #[arg(long)]
        auth_method: Option<String>,
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
    Delete {
        #[command(flatten)]
        tenant: TenantArg,
        client_id: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
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
    Delete {
        #[command(flatten)]
        tenant: TenantArg,
        user_id: String,
    },
}

fn tenant_json(service: &AuthService, t: &TenantRecord) -> Value {
    json!({
        "id": t.id,
        "slug": t.slug,
        "display_name": t.display_name,
        "issuer": service.config().issuer(&t.slug),
        "signing_alg": t.signing_alg,
        "created_at": t.created_at,
    })
}

fn client_json(c: &ClientRecord) -> Value {
    let list = |s: &str| -> Vec<String> {
        s.split(' ')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    json!({
        "client_id": c.client_id,
        "client_name": c.client_name,
        "grant_types": list(&c.grant_types),
        "redirect_uris": list(&c.redirect_uris),
        "scope": c.scope,
        "token_endpoint_auth_method": c.token_endpoint_auth_method,
        "client_id_issued_at": c.created_at.timestamp(),
    })
}

fn user_json(u: &UserRecord) -> Value {
    json!({ "id": u.id, "username": u.username, "email": u.email, "created_at": u.created_at })
}

/// `value` as JSON, or as `key: value` lines for people.
fn render(json_output: bool, value: &Value) -> String {
    if json_output {
        return format!("{value:#}\n");
    }
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(key, v)| match v {
                Value::String(s) => format!("{key}: {s}\n"),
                other => format!("{key}: {other}\n"),
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| render(false, item))
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{other}\n"),
    }
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let command = self.command.unwrap_or(Command::Serve { role: Role::All });
        if let Command::Openapi { out } = &command {
            return write_openapi(out);
        }
        let config = Config::load()?;
        crate::telemetry::init(&config.log);
        if let Command::Serve { role } = command {
            let app = Application::build(config, role).await?;
            app.run_until_stopped().await?;
            return Ok(());
        }
        let output = Self {
            json: self.json,
            command: Some(command),
        }
        .manage(&config)
        .await?;
        print!("{output}");
        Ok(())
    }

    /// Runs a tenant, client or user command on the configured database and returns what it
    /// prints.
    pub async fn manage(self, config: &Config) -> anyhow::Result<String> {
        let Some(command) = self.command else {
            anyhow::bail!("no command");
        };
        let db = startup::connect(config).await?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen));
        // Revocations made here reach a running gateway only through a shared (Redis) cache.
        let cache = std::sync::Arc::new(gatehouse_cache::MemoryCache::new(1 << 20));
        let service = startup::auth_service(config, db, &public_url, cache).await?;
        let value = match command {
            Command::Tenant(cmd) => match cmd {
                TenantCommand::Create {
                    slug,
                    display_name,
                    signing_alg,
                } => {
                    let signing_alg = match signing_alg {
                        Some(alg) => {
                            Some(gatehouse_auth::SigningAlg::parse(&alg).with_context(|| {
                                format!("--signing-alg: '{alg}' is not ES256 or RS256")
                            })?)
                        }
                        None => None,
                    };
                    let display_name = display_name.unwrap_or_else(|| slug.clone());
                    let t = service
                        .create_tenant(NewTenant {
                            slug,
                            display_name,
                            signing_alg,
                        })
                        .await
                        .map_err(problem)?;
                    tenant_json(&service, &t)
                }
                TenantCommand::List => {
                    let all = service.list_tenants().await.map_err(problem)?;
                    Value::Array(all.iter().map(|t| tenant_json(&service, t)).collect())
                }
                TenantCommand::Get { slug } => {
                    let t = service.get_tenant(&slug).await.map_err(problem)?;
                    tenant_json(&service, &t)
                }
                TenantCommand::Delete { slug } => {
                    service.delete_tenant(&slug).await.map_err(problem)?;
                    json!({ "deleted": slug })
                }
            },
            Command::Client(cmd) => match cmd {
                ClientCommand::Create {
                    tenant,
                    name,
                    grant_types,
                    scope,
                    auth_method,
                } => {
                    let grant_types = if grant_types.is_empty() {
                        vec!["client_credentials".into()]
                    } else {
                        grant_types
                    };
                    let new = NewClient {
                        client_name: name,
                        grant_types,
                        redirect_uris: Vec::new(),
                        scope,
                        token_endpoint_auth_method: auth_method,
                        id_token_signed_response_alg: None,
                        jwks: None,
                        access_token_format: None,
                    };
                    let (client, secret) = service
                        .create_client(&tenant.tenant, new)
                        .await
                        .map_err(problem)?;
                    let mut value = client_json(&client);
                    if let Some(secret) = secret {
                        value["client_secret"] = Value::String(secret.0);
                        value["client_secret_expires_at"] = json!(0);
                    }
                    value
                }
                ClientCommand::List { tenant } => {
                    let all = service
                        .list_clients(&tenant.tenant)
                        .await
                        .map_err(problem)?;
                    Value::Array(all.iter().map(client_json).collect())
                }
                ClientCommand::Get { tenant, client_id } => {
                    let c = service
                        .get_client(&tenant.tenant, &client_id)
                        .await
                        .map_err(problem)?;
                    client_json(&c)
                }
                ClientCommand::Delete { tenant, client_id } => {
                    service
                        .delete_client(&tenant.tenant, &client_id)
                        .await
                        .map_err(problem)?;
                    json!({ "deleted": client_id })
                }
            },
            Command::User(cmd) => match cmd {
                UserCommand::Create {
                    tenant,
                    username,
                    email,
                    password,
                    password_stdin,
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
                    let u = service
                        .create_user(
                            &tenant.tenant,
                            NewUser {
                                username,
                                password,
                                email,
                            },
                        )
                        .await
                        .map_err(problem)?;
                    user_json(&u)
                }
                UserCommand::List { tenant } => {
                    let all = service.list_users(&tenant.tenant).await.map_err(problem)?;
                    Value::Array(all.iter().map(user_json).collect())
                }
                UserCommand::Get { tenant, user_id } => {
                    let u = service
                        .get_user(&tenant.tenant, &user_id)
                        .await
                        .map_err(problem)?;
                    user_json(&u)
                }
                UserCommand::Delete { tenant, user_id } => {
                    service
                        .delete_user(&tenant.tenant, &user_id)
                        .await
                        .map_err(problem)?;
                    json!({ "deleted": user_id })
                }
            },
            Command::Serve { .. } | Command::Openapi { .. } => {
                anyhow::bail!("not a tenant, client or user command")
            }
        };
        Ok(render(self.json, &value))
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

/// The three OpenAPI documents, by file name.
pub fn openapi_documents() -> [(&'static str, String); 3] {
    let (admin, auth) = gatehouse_auth::openapi_json();
    [
        ("admin.json", admin),
        ("auth.json", auth),
        ("resources.json", gatehouse_resources::openapi_json()),
    ]
}

fn write_openapi(out: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (name, document) in openapi_documents() {
        let path = out.join(name);
        std::fs::write(&path, format!("{document}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
