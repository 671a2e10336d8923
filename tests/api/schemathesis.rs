//! The OpenAPI documents tell the truth: schemathesis, a fuzzer that reads them, sends a
//! running platform requests the documents allow and requests they forbid, and checks every
//! answer against them — the status is documented, the body fits its schema and media type,
//! a valid request is accepted, an invalid one refused, and nothing is a server error.
//!
//! It runs from a Python venv under `target/` (made on the first run from
//! `tests/schemathesis/requirements.txt`) with `tests/schemathesis/schemathesis.toml`.
//! `GATEHOUSE_FUZZ_SEED` and `GATEHOUSE_FUZZ_EXAMPLES` change the seed (fixed, so that a
//! failure can be repeated) and the examples per operation.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use crate::helpers::spawn_app_with;

const SHOP_SCOPES: &str = "products:read products:write customers:read customers:write \
                           orders:read orders:write tenant:admin";

/// The checks the documents must pass: every one that judges the documents against answers.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance,negative_data_rejection,\
                      positive_data_acceptance";

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis")
}

/// The venv with schemathesis, made (or brought up to the pinned version) when needed.
fn schemathesis() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let venv = target.join("schemathesis-venv");
    let st = venv.join("bin/st");
    let requirements = here().join("requirements.txt");
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("requirements.txt");
    if st.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return st;
    }
    let run = |command: &mut Command, what: &str| {
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("{what}: {e}; install python3 with venv"));
        assert!(
            output.status.success(),
            "{what} failed: it needs python3 with venv (Debian: python3-venv, which \
             scripts/install-test-deps.sh installs) and PyPI\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "pip install schemathesis",
    );
    std::fs::write(&stamp, wanted).expect("stamp the venv");
    st
}

#[tokio::test]
async fn schemathesis_finds_every_answer_as_the_documents_say() {
    let app = spawn_app_with(|config| {
        // The fuzzer sends thousands of requests in a minute; rate limits are tested elsewhere.
        let limits = &mut config.gateway.rate_limits;
        limits.tenant_per_minute = 10_000_000;
        limits.client_per_minute = 10_000_000;
        limits.token_endpoint_per_minute = 10_000_000;
        limits.oauth_per_minute = 10_000_000;
        limits.registration_per_minute = 10_000_000;
    })
    .await;
    app.create_tenant("acme").await;
    app.create_tenant("fuzz").await;
    let client = app
        .register_client_with(
            "acme",
            json!({
                "client_name": "fuzzer",
                "grant_types": ["client_credentials"],
                "scope": SHOP_SCOPES,
            }),
        )
        .await;
    let scopes: Vec<&str> = SHOP_SCOPES.split(' ').collect();
    let tenant_token = app.token(&client, &scopes).await;
    let operator_token = app.operator_token().await;
    // Clients may register themselves in acme, so that the fuzzer reaches the registration.
    let open = json!({"registration": {"mode": "open"}});
    let policy = app
        .send(
            reqwest::Method::PUT,
            "/t/acme/admin/v1/oauth-policy",
            Some(&operator_token),
            Some(open),
        )
        .await;
    assert_eq!(policy.status(), 200);

    let st = tokio::task::spawn_blocking(schemathesis)
        .await
        .expect("venv");
    let seed = std::env::var("GATEHOUSE_FUZZ_SEED").unwrap_or_else(|_| "20261202".into());
    let examples = std::env::var("GATEHOUSE_FUZZ_EXAMPLES").unwrap_or_else(|_| "25".into());
    // schemathesis keeps a cache in its working directory.
    let workdir = tempfile::tempdir().expect("a working directory");
    // The operator's document last: its run deletes and disables what it finds.
    for (document, token) in [
        ("resources", Some(&tenant_token)),
        ("auth", None),
        ("admin", Some(&operator_token)),
    ] {
        let mut command = tokio::process::Command::new(&st);
        command
            .arg("--config-file")
            .arg(here().join("schemathesis.toml"))
            .args(["run", &app.url(&format!("/openapi/{document}.json"))])
            .args(["--checks", CHECKS, "--max-examples", &examples])
            .args(["--seed", &seed, "--workers", "2", "--no-color"])
            .current_dir(workdir.path())
            .kill_on_drop(true);
        if let Some(token) = token {
            command.args(["--header", &format!("Authorization: Bearer {token}")]);
        }
        let output = tokio::time::timeout(Duration::from_secs(300), command.output())
            .await
            .unwrap_or_else(|_| panic!("schemathesis on {document}.json took over 5 minutes"))
            .expect("schemathesis runs");
        let report = String::from_utf8_lossy(&output.stdout);
        let summary = report
            .lines()
            .rev()
            .find(|l| l.contains(" in "))
            .unwrap_or("");
        println!("{document}.json: {summary}");
        assert!(
            output.status.success(),
            "schemathesis found answers that differ from openapi/{document}.json (seed {seed}):\n\
             {report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
