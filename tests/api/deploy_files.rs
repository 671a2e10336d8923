//! The deployment files under `deploy/` speak to the binary we build: every `gatehouse`
//! command line in them parses, and every `GATEHOUSE_*` variable they set is a configuration
//! key. (`scripts/check-deploy.sh` checks the files' own formats.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::gatehouse_binary;

const COMMANDS: [&str; 3] = ["serve", "migrate", "healthcheck"];

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn deploy_texts() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let mut found = Vec::new();
    files(&root, &mut found);
    assert!(found.len() > 10, "deploy/ holds the deployment files");
    found
        .into_iter()
        // The guide's prose names commands with placeholders (`serve <role>`).
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(p).ok()?)))
        .collect()
}

/// The arguments of each `gatehouse` command line in `text`: shell lines
/// (`gatehouse serve auth --no-migrate`) and exec arrays (`["serve", "auth"]`,
/// `["CMD", "gatehouse", "healthcheck"]`).
fn command_lines(text: &str) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    for line in text.lines() {
        if let (Some(open), Some(close)) = (line.find('['), line.rfind(']'))
            && open < close
        {
            let items: Vec<String> = line[open + 1..close]
                .split(',')
                .map(|item| item.trim().trim_matches('"').to_owned())
                .collect();
            let start = items
                .iter()
                .position(|i| i.ends_with("gatehouse"))
                .map_or(0, |i| i + 1);
            if items
                .get(start)
                .is_some_and(|c| COMMANDS.contains(&c.as_str()))
            {
                lines.push(items[start..].to_vec());
                continue;
            }
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let program = word.trim_start_matches('`');
            let next = words.get(i + 1).copied().unwrap_or_default();
            if program.ends_with("gatehouse") && COMMANDS.contains(&next) {
                let args: Vec<String> = words[i + 1..]
                    .iter()
                    .take_while(|w| {
                        w.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                    })
                    .map(|w| (*w).to_owned())
                    .collect();
                lines.push(args);
            }
        }
    }
    lines
}

#[test]
fn every_command_line_in_deploy_is_one_the_binary_accepts() {
    let mut seen = Vec::new();
    for (path, text) in deploy_texts() {
        for args in command_lines(&text) {
            let output = Command::new(gatehouse_binary())
                .args(&args)
                .arg("--help")
                .output()
                .expect("the binary runs");
            assert!(
                output.status.success(),
                "{}: `gatehouse {}`: {}",
                path.display(),
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
            seen.push(args.join(" "));
        }
    }
    for expected in ["migrate", "healthcheck", "serve gateway --no-migrate"] {
        assert!(seen.iter().any(|s| s == expected), "{expected}: {seen:?}");
    }
}

#[test]
fn every_gatehouse_variable_in_deploy_is_a_configuration_key() {
    let mut names: Vec<String> = deploy_texts()
        .iter()
        .flat_map(|(_, text)| {
            text.match_indices("GATEHOUSE_")
                .map(|(at, _)| {
                    text[at..]
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        // `healthcheck` loads the configuration like `serve`, then probes a port: an unknown
        // key stops it at the first step, naming the key.
        let output = Command::new(gatehouse_binary())
            .arg("healthcheck")
            .env(&name, "1")
            .env("GATEHOUSE_OPS__LISTEN", "127.0.0.1:1")
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("unknown field"), "{name}: {stderr}");
    }
}

/// `text` with each `${NAME…}` replaced by `x`, as a shell or compose would fill it in.
fn fill_variables(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push('x');
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_redis_url_in_deploy_is_one_the_platform_accepts() {
    let mut checked = 0;
    for (path, text) in deploy_texts() {
        let text = fill_variables(&text);
        for word in text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'')) {
            // `GATEHOUSE_REDIS_URL=redis://…`: the URL after the name.
            let word = word.find("redis").map_or(word, |i| &word[i..]);
            let is_url = [
                "redis://",
                "rediss://",
                "redis-cluster://",
                "redis-sentinel://",
            ]
            .iter()
            .any(|scheme| word.starts_with(scheme));
            if is_url && !word.ends_with("://") && !word.contains('…') {
                gatehouse_cache::RedisTarget::parse(word).unwrap_or_else(|err| {
                    panic!("{}: `{word}` is not a redis_url: {err}", path.display())
                });
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "found the URLs ({checked})");
}
