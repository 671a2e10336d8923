//! `gatehouse user …`: a tenant's users and their consents.

use std::io::Read;

use clap::Subcommand;
use gatehouse_auth::{Admin, NewUser, UserRole, UserUpdate};

use super::manage::{Answer, TenantArg, problem, view};

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
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

fn role(value: &str) -> Result<UserRole, String> {
    UserRole::parse(value).ok_or_else(|| format!("'{value}' is not user or admin"))
}

pub(super) async fn run(admin: &Admin, cmd: UserCommand) -> anyhow::Result<Answer> {
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
