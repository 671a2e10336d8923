//! `gatehouse tenant|client|user ...`: the admin operations on the command line, working on the
//! same database as the running platform.

use clap::Parser;
use gatehouse::Cli;
use serde_json::Value;

use crate::helpers::{Registered, spawn_app, test_config};

#[tokio::test]
async fn the_cli_manages_tenants_clients_and_users_that_the_platform_then_serves() {
    let app = spawn_app().await;
    let mut config = test_config(app.data_dir.path(), &app.database_url);
    config.public_url = Some(app.base.clone());
    let run = |args: &[&str]| {
        let cli = Cli::try_parse_from(std::iter::once("gatehouse").chain(args.iter().copied()))
            .expect("valid arguments");
        let config = config.clone();
        async move { cli.manage(&config).await }
    };
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
    assert_eq!(users.as_array().map(Vec::len), Some(1));

    let tenants = json(run(&["--json", "tenant", "list"]).await);
    let slugs: Vec<&str> = tenants
        .as_array()
        .expect("array")
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
    assert!(
        app.try_token(&registered, &[], oauth2::AuthType::BasicAuth)
            .await
            .is_err()
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
