//! The platform as OAuth client libraries nobody here wrote see it: openid-client and
//! oauth4webapi (npm, by the author of node-oidc-provider) under node's test runner, in
//! `tests/oauth-clients/`, run by `scripts/oauth-clients.sh` against a platform this test starts.
//! Which library covers what is in each test file's header.

use serde_json::json;

use crate::helpers::{PASSWORD, repository, run_script, spawn_app};

#[tokio::test]
async fn openid_client_and_oauth4webapi_find_and_use_the_platform() {
    let app = spawn_app().await;
    // A tenant with ada and an app she signs in to, and a service of its own.
    let third_party = app.app_with("acme", json!({})).await;
    let client = app.register_client("acme", "products:read").await;
    let app_secret = third_party
        .client_secret
        .as_deref()
        .expect("a confidential app");
    // A back-end service that may exchange users' tokens for the API.
    let exchanger = app
        .register_client_with(
            "acme",
            json!({
                "client_name": "Orders service",
                "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"],
                "scope": "products:read",
            }),
        )
        .await;
    // Agents may register themselves; the service may act for users on the API.
    let operator = app.operator_token().await;
    let policy = json!({
        "registration": {"mode": "open"},
        "token_exchange": [{
            "client_id": exchanger.client_id,
            "audiences": [app.url("/t/acme/api/v1")],
            "delegation": true,
        }],
    });
    let set = app
        .send(
            reqwest::Method::PUT,
            "/t/acme/admin/v1/oauth-policy",
            Some(&operator),
            Some(policy),
        )
        .await;
    assert_eq!(set.status(), 200);
    // A TV: a public client of the device grant.
    let tv = app
        .post(
            "/t/acme/admin/v1/clients",
            &operator,
            json!({
                "client_name": "Living-room TV",
                "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
                "token_endpoint_auth_method": "none",
                "scope": "products:read offline_access",
            }),
        )
        .await;
    assert_eq!(tv.status(), 201);
    let tv: serde_json::Value = tv.json().await.expect("json");
    let tv_id = tv["client_id"].as_str().expect("client_id");
    let output = run_script(
        "the OAuth client library tests",
        "oauth-clients.sh",
        &[],
        &[
            ("GATEHOUSE_BASE_URL", &app.base),
            ("GATEHOUSE_TENANT", "acme"),
            ("GATEHOUSE_CLIENT_ID", &client.client_id),
            ("GATEHOUSE_CLIENT_SECRET", &client.client_secret),
            ("GATEHOUSE_APP_ID", &third_party.client_id),
            ("GATEHOUSE_APP_SECRET", app_secret),
            ("GATEHOUSE_APP_REDIRECT", &third_party.redirect),
            ("GATEHOUSE_DEVICE_ID", tv_id),
            ("GATEHOUSE_EXCHANGER_ID", &exchanger.client_id),
            ("GATEHOUSE_EXCHANGER_SECRET", &exchanger.client_secret),
            ("GATEHOUSE_USERNAME", "ada"),
            ("GATEHOUSE_PASSWORD", PASSWORD),
        ],
        "It needs node (20.18 or newer) and npm (Debian: scripts/install-test-deps.sh installs \
         them), and npm's registry the first time (npm ci in tests/oauth-clients).",
    )
    .await;
    // Every test of every file ran: node's summary counts them.
    let files = std::fs::read_dir(repository().join("tests/oauth-clients/test")).expect("tests");
    let declared: usize = files
        .filter_map(Result::ok)
        .filter(|f| f.file_name().to_string_lossy().ends_with(".test.mjs"))
        .map(|f| {
            let text = std::fs::read_to_string(f.path()).expect("a test file");
            text.lines().filter(|l| l.starts_with("test(")).count()
        })
        .sum();
    assert!(
        output.contains(&format!("ℹ pass {declared}\n")),
        "{declared} tests declared, not all passed:\n{output}"
    );
}
