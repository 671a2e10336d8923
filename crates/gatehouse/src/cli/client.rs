//! `gatehouse client …`: a tenant's OAuth clients, registered as the admin API registers them.

use std::io::Read;

use anyhow::Context;
use clap::Subcommand;
use gatehouse_auth::{Admin, Caller, ClientUpdate, NewClient};
use serde_json::Value;

use super::manage::{Answer, TenantArg, problem, view};

#[derive(Debug, Subcommand)]
pub(crate) enum ClientCommand {
    /// Register a client; its secret is printed once.
    Create {
        #[command(flatten)]
        tenant: TenantArg,
        /// A name for people: shown on consent pages and in logs.
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
        /// The client's authorization requests must be pushed first (RFC 9126).
        #[arg(long)]
        require_par: bool,
        /// The client's token requests must carry a DPoP proof (RFC 9449).
        #[arg(long)]
        require_dpop: bool,
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
        /// Whether the client's authorization requests must be pushed first (RFC 9126).
        #[arg(long)]
        require_par: Option<bool>,
        /// Whether the client's token requests must carry a DPoP proof (RFC 9449).
        #[arg(long)]
        require_dpop: Option<bool>,
    },
    Delete {
        #[command(flatten)]
        tenant: TenantArg,
        client_id: String,
    },
}

pub(super) async fn run(admin: &Admin, cmd: ClientCommand) -> anyhow::Result<Answer> {
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
            require_par,
            require_dpop,
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
                require_pushed_authorization_requests: require_par,
                dpop_bound_access_tokens: require_dpop,
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
            require_par,
            require_dpop,
        } => {
            let update = ClientUpdate {
                disabled,
                resource_server,
                require_pushed_authorization_requests: require_par,
                dpop_bound_access_tokens: require_dpop,
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
    read_json(path, "--jwks")
}

/// The JSON document in the file at `path`, or on stdin for `-`; errors name `flag`.
pub(super) fn read_json<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    flag: &str,
) -> anyhow::Result<T> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path).with_context(|| format!("{flag}: {}", path.display()))?
    };
    serde_json::from_str(&text)
        .with_context(|| format!("{flag}: {} is not a valid document", path.display()))
}
