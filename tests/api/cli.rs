//! `gatehouse tenant|client|user ...`: the admin operations on the command line, working on the
//! same database as the running platform.

use clap::Parser;
use gatehouse::Cli;
use serde_json::Value;

use crate::helpers::{Registered, spawn_app, test_config};

#[tokio::test]
async fn the_cli_manages_tenants_clients_and_users_that_the_platform_then_serves() {
    let app = spawn_app().await;
    let run = cli(&app);
    let json = |output: anyhow::Result<String>| -> Value {
        serde_json::from_str(&output.expect("the command succeeds")).expect("--json prints JSON")
    };

    let tenant = json(
        run(&[
            "--json",
            "tenant",
            "create",
            "acme",
            "--display-name",
            "Acme",
        ])
        .await,
    );
    assert_eq!(tenant["issuer"], format!("{}/t/acme", app.base));
    let client = json(
        run(&[
            "client",
            "create",
            "--tenant",
            "acme",
            "--name",
            "Sync",
            "--scope",
            "products:read",
            "--json",
        ])
        .await,
    );
    let registered = Registered {
        tenant: "acme".into(),
        client_id: client["client_id"].as_str().expect("client_id").into(),
        client_secret: client["client_secret"].as_str().expect("secret").into(),
    };
    let token = app.token(&registered, &["products:read"]).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );

    let user = json(
        run(&[
            "--json",
            "user",
            "create",
            "--tenant",
            "acme",
            "--username",
            "ada",
            "--email",
            "ada@example.com",
            "--password",
            "correct horse battery",
        ])
        .await,
    );
    assert_eq!(user["username"], "ada");
    let users = json(run(&["--json", "user", "list", "--tenant", "acme"]).await);
    assert_eq!(users["items"].as_array().map(Vec::len), Some(1));

    let tenants = json(run(&["--json", "tenant", "list"]).await);
    let slugs: Vec<&str> = tenants["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(slugs, ["acme", "system"]);
    let human = run(&["tenant", "get", "acme"]).await.expect("get");
    assert!(human.lines().any(|l| l == "slug: acme"), "{human}");

    let invalid = run(&["tenant", "create", "Not A Slug"])
        .await
        .expect_err("invalid slug");
    assert!(invalid.to_string().contains("slug"), "{invalid}");
    let duplicate = run(&["tenant", "create", "acme"])
        .await
        .expect_err("duplicate");
    assert!(duplicate.to_string().contains("acme"), "{duplicate}");

    run(&[
        "client",
        "delete",
        "--tenant",
        "acme",
        &registered.client_id,
    ])
    .await
    .expect("delete");
    // The command is another process: the platform learns of the change from the database.
    crate::directory::seen_within_bound("a client deleted by the CLI is refused", || async {
        app.try_token(&registered, &[], oauth2::AuthType::BasicAuth)
            .await
            .is_err()
    })
    .await;
}

/// The command line on the platform's database, as `gatehouse …` would run it.
fn cli(
    app: &crate::helpers::TestApp,
) -> impl Fn(&[&str]) -> futures_util::future::BoxFuture<'static, anyhow::Result<String>> {
    let mut config = test_config(app.data_dir.path(), &app.database_url);
    config.public_url = Some(app.base.clone());
    move |args: &[&str]| {
        let cli = Cli::try_parse_from(std::iter::once("gatehouse").chain(args.iter().copied()))
            .expect("valid arguments");
        let config = config.clone();
        Box::pin(async move { cli.manage(&config).await })
    }
}

#[tokio::test]
async fn the_cli_prints_what_the_admin_api_answers_and_registers_any_client_the_api_can() {
    let app = spawn_app().await;
    let run = cli(&app);
    let json = |output: anyhow::Result<String>| -> Value {
        serde_json::from_str(&output.expect("the command succeeds")).expect("--json prints JSON")
    };
    let operator = app.operator_token().await;
    let api = |path: String| {
        let (app, operator) = (&app, operator.clone());
        async move {
            let response = app.get(&path, &operator).await;
            assert_eq!(response.status(), 200, "{path}");
            response.json::<Value>().await.expect("JSON")
        }
    };

    run(&["tenant", "create", "acme"]).await.expect("tenant");
    let updated = json(
        run(&[
            "--json",
            "tenant",
            "update",
            "acme",
            "--rate-limit-per-minute",
            "600",
            "--require-if-match",
            "true",
            "--refresh-idle-seconds",
            "3600",
        ])
        .await,
    );
    assert_eq!(updated["rate_limit_per_minute"], 600);
    assert_eq!(updated, api("/admin/v1/tenants/acme".into()).await);
    let reset = json(
        run(&[
            "--json",
            "tenant",
            "update",
            "acme",
            "--refresh-idle-seconds",
            "default",
        ])
        .await,
    );
    assert!(reset.get("refresh_idle_seconds").is_none(), "{reset}");

    // The OAuth policy, from a file; what it leaves out takes its default.
    let policy_file = app.data_dir.path().join("policy.json");
    std::fs::write(
        &policy_file,
        r#"{"require_pushed_authorization_requests": true}"#,
    )
    .expect("write the policy");
    let path = policy_file.to_str().expect("a UTF-8 path");
    let set = json(run(&["--json", "tenant", "policy", "acme", "--set", path]).await);
    assert_eq!(set["require_pushed_authorization_requests"], true);
    let shown = json(run(&["--json", "tenant", "policy", "acme"]).await);
    assert_eq!(shown, api("/t/acme/admin/v1/oauth-policy".into()).await);
    std::fs::write(&policy_file, "{not json").expect("write");
    let refused = run(&["tenant", "policy", "acme", "--set", path])
        .await
        .expect_err("not JSON");
    assert!(format!("{refused:#}").contains("--set"), "{refused:#}");

    // An initial access token for client registration: shown once, then listed without it.
    let made = json(
        run(&[
            "--json",
            "tenant",
            "registration-token",
            "create",
            "acme",
            "--max-uses",
            "2",
        ])
        .await,
    );
    assert!(
        made["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("ghi_")),
        "{made}"
    );
    assert_eq!(made["remaining_uses"], 2);
    let listed = json(run(&["--json", "tenant", "registration-token", "list", "acme"]).await);
    assert_eq!(
        listed,
        api("/t/acme/admin/v1/registration-tokens".into()).await
    );
    assert!(listed["items"][0].get("token").is_none());
    let id = made["id"].as_str().expect("id");
    run(&["tenant", "registration-token", "delete", "acme", id])
        .await
        .expect("delete");

    // A public app that redirects, as the admin API would register it.
    let public = json(
        run(&[
            "--json",
            "client",
            "create",
            "--tenant",
            "acme",
            "--name",
            "Phone app",
            "--grant-type",
            "authorization_code",
            "--grant-type",
            "refresh_token",
            "--redirect-uri",
            "https://app.example/callback",
            "--redirect-uri",
            "com.example.app:/callback",
            "--auth-method",
            "none",
            "--scope",
            "products:read",
            "--access-token-format",
            "opaque",
            "--require-dpop",
        ])
        .await,
    );
    assert!(public.get("client_secret").is_none(), "{public}");
    assert_eq!(public["dpop_bound_access_tokens"], true);
    let client_id = public["client_id"].as_str().expect("client_id").to_owned();
    let shown = json(run(&["--json", "client", "get", "--tenant", "acme", &client_id]).await);
    assert_eq!(
        shown,
        api(format!("/t/acme/admin/v1/clients/{client_id}")).await
    );
    assert_eq!(
        shown["redirect_uris"],
        serde_json::json!(["https://app.example/callback", "com.example.app:/callback"])
    );
    assert_eq!(shown["token_endpoint_auth_method"], "none");
    assert_eq!(shown["access_token_format"], "opaque");

    // A service that signs its own assertions, its keys from a file.
    let key = p256::SecretKey::random(&mut rand::thread_rng());
    let point =
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key.public_key(), false);
    let b64 = |bytes: &[u8]| {
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
    };
    let jwks = serde_json::json!({"keys": [{
        "kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
        "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
    }]});
    let file = app.data_dir.path().join("jwks.json");
    std::fs::write(&file, jwks.to_string()).expect("write the JWK Set");
    let signer = json(
        run(&[
            "--json",
            "client",
            "create",
            "--tenant",
            "acme",
            "--name",
            "Signer",
            "--auth-method",
            "private_key_jwt",
            "--jwks",
            file.to_str().expect("utf-8"),
        ])
        .await,
    );
    assert_eq!(signer["jwks"], jwks);
    assert!(signer.get("client_secret").is_none(), "{signer}");

    let disabled = json(
        run(&[
            "--json",
            "client",
            "update",
            "--tenant",
            "acme",
            &client_id,
            "--disabled",
            "true",
            "--require-dpop",
            "false",
        ])
        .await,
    );
    assert_eq!(disabled["disabled"], true);
    assert_eq!(disabled["dpop_bound_access_tokens"], false);
    let listed = json(run(&["--json", "client", "list", "--tenant", "acme"]).await);
    assert_eq!(listed, api("/t/acme/admin/v1/clients".into()).await);
    let rotated = json(run(&["--json", "key", "rotate", "--tenant", "acme"]).await);
    assert!(
        !rotated["items"].as_array().expect("items").is_empty(),
        "{rotated}"
    );
    let keys = json(run(&["--json", "key", "list", "--tenant", "acme"]).await);
    assert_eq!(keys, api("/t/acme/admin/v1/keys".into()).await);

    let user = json(
        run(&[
            "--json",
            "user",
            "create",
            "--tenant",
            "acme",
            "--username",
            "ada",
            "--email",
            "ada@example.com",
            "--password",
            "correct horse battery",
        ])
        .await,
    );
    let user_id = user["id"].as_str().expect("id").to_owned();
    let promoted = json(
        run(&[
            "--json", "user", "update", "--tenant", "acme", &user_id, "--role", "admin",
        ])
        .await,
    );
    assert_eq!(promoted["role"], "admin");
    assert_eq!(
        promoted,
        api(format!("/t/acme/admin/v1/users/{user_id}")).await
    );
    let consents = json(run(&["--json", "user", "consents", "--tenant", "acme", &user_id]).await);
    assert_eq!(
        consents,
        api(format!("/t/acme/admin/v1/users/{user_id}/consents")).await
    );

    // What the API refuses, the command line refuses with the same words.
    let mismatched = run(&[
        "client",
        "create",
        "--tenant",
        "acme",
        "--name",
        "No keys",
        "--auth-method",
        "private_key_jwt",
    ])
    .await
    .expect_err("private_key_jwt without keys");
    assert!(mismatched.to_string().contains("jwks"), "{mismatched}");
    let deleted = run(&["--json", "client", "delete", "--tenant", "acme", &client_id])
        .await
        .expect("delete");
    assert_eq!(
        deleted, "",
        "a deletion answers nothing, like the API's 204"
    );
}

#[test]
fn a_bad_configuration_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |envs: &[(&str, &str)]| {
        let mut command = std::process::Command::new(crate::helpers::gatehouse_binary());
        command
            .args(["serve"])
            .env("GATEHOUSE_DATA_DIR", dir.path());
        for (k, v) in envs {
            command.env(k, v);
        }
        let output = command.output().expect("the binary runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&[("GATEHOUSE_LISTEN", "nowhere")]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("`listen`"), "{stderr}");
    let (code, stderr) = run(&[("GATEHOUSE_GATEWAY__MAX_BODY_BYTES", "lots")]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.to_lowercase().contains("gateway.max_body_bytes"),
        "{stderr}"
    );

    let file = dir.path().join("extra.toml");
    std::fs::write(&file, "[auth]\naccess_token_ttl_seconds = 5\n").expect("write");
    let (code, stderr) = run(&[("GATEHOUSE_CONFIG", file.to_str().expect("utf-8"))]);
    assert_eq!(code, Some(1), "the file's layer is read");
    assert!(stderr.contains("auth.access_token_ttl_seconds"), "{stderr}");
}
