//! `gatehouse tenant …`: the operator's tenant operations.

use clap::Subcommand;
use gatehouse_auth::{Admin, NewTenant, TenantUpdate};

use super::manage::{Answer, problem, view};
use anyhow::Context;

#[derive(Debug, Subcommand)]
pub(crate) enum TenantCommand {
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
    /// Show the tenant's OAuth policy, or replace it (`--set FILE`, `-` for stdin) with a
    /// JSON document: what it leaves out takes its default.
    Policy {
        slug: String,
        #[arg(long)]
        set: Option<std::path::PathBuf>,
    },
    /// The initial access tokens with which clients register themselves, when the tenant's
    /// policy asks for one (RFC 7591).
    #[command(subcommand)]
    RegistrationToken(RegistrationTokenCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum RegistrationTokenCommand {
    /// Make one; the token is printed only this once.
    Create {
        slug: String,
        /// Seconds until it expires (60 to 2592000); a day when absent.
        #[arg(long)]
        expires_in: Option<i64>,
        /// How many clients it may register; unlimited until it expires when absent.
        #[arg(long)]
        max_uses: Option<i32>,
    },
    /// Those that have not expired (without the tokens).
    List { slug: String },
    /// Withdraw one.
    Delete { slug: String, id: uuid::Uuid },
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

pub(super) async fn run(admin: &Admin, cmd: TenantCommand) -> anyhow::Result<Answer> {
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
        TenantCommand::Policy { slug, set: None } => {
            view(&admin.oauth_policy(&slug).await.map_err(problem)?)
        }
        TenantCommand::Policy {
            slug,
            set: Some(path),
        } => {
            let policy = super::client::read_json(&path, "--set")?;
            view(
                &admin
                    .set_oauth_policy(&slug, policy)
                    .await
                    .map_err(problem)?,
            )
        }
        TenantCommand::RegistrationToken(cmd) => match cmd {
            RegistrationTokenCommand::Create {
                slug,
                expires_in,
                max_uses,
            } => {
                let made = admin.create_initial_access_token(&slug, expires_in, max_uses);
                view(&made.await.map_err(problem)?)
            }
            RegistrationTokenCommand::List { slug } => view(
                &admin
                    .list_initial_access_tokens(&slug)
                    .await
                    .map_err(problem)?,
            ),
            RegistrationTokenCommand::Delete { slug, id } => {
                admin
                    .delete_initial_access_token(&slug, id)
                    .await
                    .map_err(problem)?;
                Answer::Done(format!("withdrew initial access token {id}"))
            }
        },
        TenantCommand::Delete { slug } => {
            admin.delete_tenant(&slug).await.map_err(problem)?;
            Answer::Done(format!("deleted tenant {slug}"))
        }
    })
}
