//! `gatehouse key …`: a tenant's signing keys.

use clap::Subcommand;
use gatehouse_auth::Admin;

use super::manage::{Answer, TenantArg, problem, view};

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
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

pub(super) async fn run(admin: &Admin, cmd: KeyCommand) -> anyhow::Result<Answer> {
    Ok(match cmd {
        KeyCommand::List { tenant } => {
            view(&admin.list_keys(&tenant.tenant).await.map_err(problem)?)
        }
        KeyCommand::Rotate { tenant } => {
            view(&admin.rotate_keys(&tenant.tenant).await.map_err(problem)?)
        }
    })
}
