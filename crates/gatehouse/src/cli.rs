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
use crate::startup::{self, Application, Migrations, Role};

/// GETs `/healthz` on the operators' listener at `listen` (an unspecified address means this
/// host's loopback); an error unless it answers 200 within three seconds.
async fn healthcheck(listen: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut address: std::net::SocketAddr = listen
        .parse()
        .with_context(|| format!("`ops.listen` '{listen}' is not host:port"))?;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream
            .write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(3), probe)
        .await
        .with_context(|| format!("{address} did not answer in time"))?
        .with_context(|| format!("no answer from {address}"))?;
    let status_line = String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(
        status_line.split(' ').nth(1) == Some("200"),
        "{address}/healthz answered: {status_line}"
    );
    Ok(())
}

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
    /// Run the platform (everything in one process by default) or one service. `PORT`, when
    /// set (Heroku, Cloud Run), is the port of the role's public listener, on every interface.
    Serve {
        #[arg(value_enum, default_value = "all")]
        role: Role,
        /// Do not migrate the database at start (`gatehouse migrate` does, once per release).
        #[arg(long)]
        no_migrate: bool,
    },
    /// Bring the database's tables up to date for every service, then exit.
    Migrate,
    /// Exit 0 when this host's process of ROLE answers `/healthz` on its operators' listener
    /// (`ops.listen`), 1 otherwise: a container's health check.
    Healthcheck {
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
        /// `user` (default) or `admin`, whose tokens may carry `tenant:admin`.
        #[arg(long, default_value = "user")]
        role: String,
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
        "disabled": t.disabled,
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
        "disabled": c.disabled,
        "resource_server": c.resource_server,
    })
}

fn user_json(u: &UserRecord) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "role": u.role,
        "disabled": u.disabled,
        "created_at": u.created_at,
    })
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
        let command = self.command.unwrap_or(Command::Serve {
            role: Role::All,
            no_migrate: false,
        });
        if let Command::Openapi { out } = &command {
            return write_openapi(out);
        }
        let config = Config::load()?;
        if let Command::Healthcheck { role } = command {
            return healthcheck(&config.ops_listen(role)).await;
        }
        let serving = match &command {
            Command::Serve { role, .. } => Some(*role),
            _ => None,
        };
        crate::telemetry::init(&config, serving)?;
        match command {
            Command::Serve { role, no_migrate } => {
                let port = std::env::var("PORT").ok();
                let config = config.with_platform_port(role, port.as_deref())?;
                let migrations = if no_migrate {
                    Migrations::Skip
                } else {
                    Migrations::Run
                };
                let app = Application::build_with(config, role, migrations).await?;
                let served = app.run_until_stopped().await;
                crate::telemetry::shutdown().await;
                served?;
                return Ok(());
            }
            Command::Migrate => {
                let db = startup::connect(&config).await?;
                startup::migrate(&db).await?;
                tracing::info!("the database is up to date");
                return Ok(());
            }
            _ => {}
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
                    resource_server,
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
                        resource_server,
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
                    role,
                } => {
                    let role = gatehouse_auth::UserRole::parse(&role)
                        .with_context(|| format!("--role: '{role}' is not user or admin"))?;
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
                                role,
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
            Command::Serve { .. }
            | Command::Openapi { .. }
            | Command::Migrate
            | Command::Healthcheck { .. } => {
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
