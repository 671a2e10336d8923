//! The auth server keeps tenants, clients, signing keys and the tokens introspection found
//! live in memory. A change made through another auth process (a revocation among them), by
//! the CLI, or by a process starting up, reaches every auth process within
//! `auth.directory_poll_seconds` (1 s here) plus one read of the change log.

use std::future::Future;
use std::time::{Duration, Instant};

use clap::Parser;
use gatehouse::{Role, Secret};
use oauth2::AuthType;

use crate::helpers::{INTERNAL_KEY, Registered, TestApp, test_config};
use crate::revocation::active_for;
use crate::split_mode::{spawn_split_with_auth_servers, start};

/// The stated bound (one poll interval plus one read) with room for a busy test machine.
const BOUND: Duration = Duration::from_secs(3);

pub(crate) async fn seen_within_bound<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < BOUND, "{what}: not seen within {BOUND:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .expect("a JWT")
        .kid
        .expect("a kid")
}

async fn token_kid(app: &TestApp, client: &Registered) -> String {
    kid(&app.token(client, &["products:read"]).await)
}

#[tokio::test]
async fn a_change_made_through_one_auth_server_reaches_another_within_the_poll_interval() {
    // Gateway 0 reaches auth server 0, gateway 1 auth server 1; keys sign once published.
    let split = spawn_split_with_auth_servers(2, 2, |c| c.auth.key_publish_seconds = 0).await;
    let (one, two) = (&split.gateways[0], &split.gateways[1]);
    one.create_tenant("acme").await;
    let client = one.register_client("acme", "products:read").await;
    // The second auth server reads the tenant, client and key into memory.
    let first_kid = token_kid(two, &client).await;

    let operator = one.operator_token().await;
    let rotated = one
        .send(
            reqwest::Method::POST,
            "/t/acme/admin/v1/keys/rotate",
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(rotated.status(), 201);
    seen_within_bound(
        "a key rotated at one auth server signs at the other",
        || {
            let first_kid = first_kid.clone();
            let client = client.clone();
            async move { token_kid(two, &client).await != first_kid }
        },
    )
    .await;

    // A token two has found live (and remembers) is revoked through one.
    let api = one
        .register_client_with(
            "acme",
            serde_json::json!({"client_name": "Reporting API", "resource_server": true}),
        )
        .await;
    let token = one.token(&client, &["products:read"]).await;
    assert!(active_for(two, &api, &token).await);
    assert!(active_for(two, &api, &token).await);
    one.revoke(&client, &token).await;
    seen_within_bound(
        "a token revoked at one auth server is inactive at the other",
        || async { !active_for(two, &api, &token).await },
    )
    .await;

    let deleted = one
        .send(
            reqwest::Method::DELETE,
            &format!("/t/acme/admin/v1/clients/{}", client.client_id),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    seen_within_bound(
        "a client deleted at one auth server is refused by the other",
        || async {
            two.try_token(&client, &["products:read"], AuthType::BasicAuth)
                .await
                .is_err()
        },
    )
    .await;
}

#[tokio::test]
async fn a_key_rotated_by_the_cli_and_a_secret_set_by_a_starting_process_reach_the_server() {
    let app = crate::helpers::spawn_app_with(|c| c.auth.key_publish_seconds = 0).await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let first_kid = token_kid(&app, &client).await;

    let mut config = test_config(app.data_dir.path(), &app.database_url);
    config.public_url = Some(app.base.clone());
    config.auth.key_publish_seconds = 0;
    let cli = gatehouse::Cli::try_parse_from(["gatehouse", "key", "rotate", "--tenant", "acme"])
        .expect("valid arguments");
    cli.manage(&config).await.expect("the CLI rotates the keys");
    seen_within_bound("a key rotated by the CLI signs at the server", || {
        let first_kid = first_kid.clone();
        let client = client.clone();
        let app = &app;
        async move { token_kid(app, &client).await != first_kid }
    })
    .await;

    // Another auth process starts with a new operator secret: the old one stops working here.
    let old = app.operator();
    assert!(
        app.try_token(&old, &["platform:admin"], AuthType::BasicAuth)
            .await
            .is_ok()
    );
    config.admin_client_secret = Some(Secret::new("the operator's new secret, set at start"));
    config.internal_key = Some(Secret::new(INTERNAL_KEY));
    config.auth.listen = "127.0.0.1:0".into();
    start(config, Role::Auth).await;
    seen_within_bound(
        "the secret set by a starting auth process replaces the old one",
        || async {
            app.try_token(&old, &["platform:admin"], AuthType::BasicAuth)
                .await
                .is_err()
        },
    )
    .await;
    let renewed = Registered {
        client_secret: "the operator's new secret, set at start".into(),
        ..old
    };
    app.token(&renewed, &["platform:admin"]).await;
}
