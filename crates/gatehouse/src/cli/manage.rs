//! `gatehouse tenant|client|user|key …`: the admin API's operations on the configured database,
//! through the same [`Admin`] and with the same answers (`--json` prints what the API returns).

use anyhow::Context;
use clap::Args;
use gatehouse_auth::Admin;
use gatehouse_auth::views::to_json;
use serde_json::Value;

use super::{Cli, Command, client, key, tenant, user};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Args)]
pub(super) struct TenantArg {
    /// The tenant's slug.
    #[arg(long)]
    pub(super) tenant: String,
}

/// What a command answers: the view the admin API would (as JSON), or nothing (a deletion,
/// which the API answers with 204 and no body).
pub(super) enum Answer {
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
            Command::Tenant(cmd) => tenant::run(&admin, cmd).await,
            Command::Client(cmd) => client::run(&admin, cmd).await,
            Command::User(cmd) => user::run(&admin, cmd).await,
            Command::Key(cmd) => key::run(&admin, cmd).await,
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
    let service = startup::auth_service(config, db, &public_url, (cache, None)).await?;
    Ok(Admin::new(service))
}

pub(super) fn view(view: &impl poem_openapi::types::ToJSON) -> Answer {
    Answer::View(to_json(view))
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
pub(super) fn problem(err: gatehouse_auth::AuthError) -> anyhow::Error {
    let problem = gatehouse_proto::Problem::from(err);
    let mut message = problem.detail.unwrap_or(problem.title);
    for field in problem.errors {
        message.push_str(&format!("\n  {}: {}", field.field, field.reason));
    }
    anyhow::anyhow!(message)
}
