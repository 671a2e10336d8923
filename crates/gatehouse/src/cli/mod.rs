//! The command line: serve the platform, write the OpenAPI documents, and manage tenants,
//! clients and users directly on the database, with the same rules as the admin API.

mod client;
mod healthcheck;
mod key;
mod manage;
mod tenant;
mod user;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::startup::{self, Application, Migrations, Role};
use client::ClientCommand;
use healthcheck::healthcheck;
use key::KeyCommand;
use tenant::TenantCommand;
use user::UserCommand;

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
    /// Manage a tenant's users and their consents.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage a tenant's signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
