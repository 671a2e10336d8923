//! The platform as OAuth client libraries nobody here wrote see it: openid-client and
//! oauth4webapi (npm, by the author of node-oidc-provider) under node's test runner, in
//! `tests/oauth-clients/`, run by `scripts/oauth-clients.sh` against a platform this test starts.
//! Which library covers what is in each test file's header.

use crate::helpers::{run_script, spawn_app};

#[tokio::test]
async fn openid_client_and_oauth4webapi_find_and_use_the_platform() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    run_script(
        "the OAuth client library tests",
        "oauth-clients.sh",
        &[],
        &[
            ("GATEHOUSE_BASE_URL", &app.base),
            ("GATEHOUSE_TENANT", "acme"),
            ("GATEHOUSE_CLIENT_ID", &client.client_id),
            ("GATEHOUSE_CLIENT_SECRET", &client.client_secret),
        ],
        "It needs node (20.18 or newer) and npm (Debian: scripts/install-test-deps.sh installs \
         them), and npm's registry the first time (npm ci in tests/oauth-clients).",
    )
    .await;
}
