//! The generated SDKs under `sdk/`: they are what `make sdk` (`scripts/sdk.sh`) makes of the
//! committed OpenAPI documents, and an app developer's calls through each of them work
//! against a running platform (`sdk/python/tests` with pytest, `sdk/typescript/test` with
//! `node --test`). They need python3 with venv, node and npm (`scripts/install-test-deps.sh`
//! installs them on Debian); without them they fail, saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::helpers::{repository, run_script, spawn_app};

/// Every scope of the resource API.
const SHOP_SCOPES: &str =
    "products:read products:write customers:read customers:write orders:read orders:write";

/// Build output, caches and installs inside the generated folders: never generated.
fn is_generated(name: &str) -> bool {
    !matches!(
        name,
        "node_modules"
            | "dist"
            | "build"
            | "__pycache__"
            | ".pytest_cache"
            | ".ruff_cache"
            | ".mypy_cache"
            | ".pdm-build"
    ) && !name.ends_with(".egg-info")
}

/// Runs `scripts/sdk.sh ARGS` with `env`, and panics with its output unless it succeeds.
async fn sdk_script(what: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    run_script(
        what,
        "sdk.sh",
        args,
        env,
        "It needs python3 with venv, node and npm (Debian: scripts/install-test-deps.sh installs \
         them) and PyPI and npm to set up target/sdk-venv, target/sdk-test-venv and \
         sdk/typescript/node_modules the first time.",
    )
    .await
}

/// The files under `dir` (relative path → contents), without build output and caches.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("a folder entry").path();
            let name = path.file_name().expect("a name").to_string_lossy();
            if !is_generated(&name) {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, found);
            } else {
                let contents =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                let relative = path.strip_prefix(base).expect("under base").to_path_buf();
                found.insert(relative, contents);
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// The generator-owned folders: each `python/gatehouse-*` package and `typescript/src`.
fn generated_folders(sdk: &Path) -> BTreeSet<PathBuf> {
    let mut folders: BTreeSet<PathBuf> = std::fs::read_dir(sdk.join("python"))
        .map(|entries| {
            entries
                .map(|e| e.expect("a folder entry").path())
                .filter(|p| p.is_dir())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("gatehouse-"))
                })
                .map(|p| p.strip_prefix(sdk).expect("under sdk").to_path_buf())
                .collect()
        })
        .unwrap_or_default();
    folders.insert(PathBuf::from("typescript/src"));
    folders
}

#[tokio::test]
async fn the_committed_sdks_are_what_make_sdk_generates() {
    let fresh = tempfile::tempdir().expect("a temporary folder");
    let out = fresh.path().to_str().expect("a UTF-8 path");
    sdk_script("regenerating the SDKs", &["generate", out], &[]).await;

    let committed = repository().join("sdk");
    let folders: BTreeSet<PathBuf> = generated_folders(fresh.path())
        .union(&generated_folders(&committed))
        .cloned()
        .collect();
    assert!(
        folders.len() >= 4,
        "three Python packages and the TypeScript sources: {folders:?}"
    );
    let mut stale = Vec::new();
    for folder in &folders {
        let want = files(&fresh.path().join(folder));
        let have = files(&committed.join(folder));
        assert!(
            !want.is_empty(),
            "the generators wrote nothing into {}",
            folder.display()
        );
        for (path, contents) in &want {
            match have.get(path) {
                None => stale.push(format!("missing: sdk/{}", folder.join(path).display())),
                Some(c) if c != contents => {
                    stale.push(format!("differs: sdk/{}", folder.join(path).display()));
                }
                Some(_) => {}
            }
        }
        for path in have.keys().filter(|p| !want.contains_key(*p)) {
            stale.push(format!(
                "not generated any more: sdk/{}",
                folder.join(path).display()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "the committed SDKs are not what the documents in openapi/ generate: run `make sdk` \
         and commit sdk/. {} file(s):\n  {}",
        stale.len(),
        stale.join("\n  ")
    );
}

/// A platform with a tenant and a confidential client allowed every scope of the resource
/// API; the environment of the SDKs' tests, naming them.
async fn platform_for_sdk_tests() -> (crate::helpers::TestApp, Vec<(String, String)>) {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app
        .register_client_with(
            "acme",
            json!({
                "client_name": "SDK tests",
                "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "client_secret_basic",
                "scope": SHOP_SCOPES,
            }),
        )
        .await;
    let env = vec![
        ("GATEHOUSE_SDK_BASE_URL".to_owned(), app.base.clone()),
        ("GATEHOUSE_SDK_TENANT".to_owned(), client.tenant.clone()),
        (
            "GATEHOUSE_SDK_CLIENT_ID".to_owned(),
            client.client_id.clone(),
        ),
        (
            "GATEHOUSE_SDK_CLIENT_SECRET".to_owned(),
            client.client_secret.clone(),
        ),
    ];
    (app, env)
}

async fn run_sdk_tests(language: &str) -> String {
    let (_app, env) = platform_for_sdk_tests().await;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    sdk_script(
        &format!("the {language} SDK's tests"),
        &["test", language],
        &env,
    )
    .await
}

#[tokio::test]
async fn the_python_sdk_works_against_the_platform() {
    let output = run_sdk_tests("python").await;
    assert!(
        output.contains(" passed") && !output.contains(" failed"),
        "pytest ran and passed:\n{output}"
    );
}

#[tokio::test]
async fn the_typescript_sdk_works_against_the_platform() {
    let output = run_sdk_tests("typescript").await;
    assert!(
        output.contains("# fail 0") && !output.contains("# pass 0\n"),
        "node --test ran and passed:\n{output}"
    );
}
