//! Scripts of the repository that tests run (`scripts/sdk.sh`, `scripts/oauth-clients.sh`):
//! bounded in time, and failing with their whole output and what they need.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Generous: a cold machine creates venvs and runs `npm ci` first.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the repository's root")
}

/// Runs `bash scripts/{script} ARGS` from the repository's root with `env`, and panics with its
/// output, and `needs` (what it takes to run), unless it succeeds.
pub async fn run_script(
    what: &str,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    needs: &str,
) -> String {
    let root = repository();
    let mut command = tokio::process::Command::new("bash");
    command
        .arg(root.join("scripts").join(script))
        .args(args)
        .current_dir(&root)
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let started = Instant::now();
    let shown = format!("scripts/{script} {}", args.join(" "));
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("{what}: `{shown}` took over {SCRIPT_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("{what}: cannot run bash scripts/{script}: {e}"));
    let text = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{what}: `{shown}` failed ({}) after {:.1?}. {needs}\n{text}",
        output.status,
        started.elapsed()
    );
    eprintln!("{what}: {shown} took {:.1?}", started.elapsed());
    text
}
