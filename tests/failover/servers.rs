//! Servers a test owns: redis-server processes and a PostgreSQL cluster on free loopback
//! ports, under a temporary folder, all stopped when the test ends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port for a server of the test, and the port 10000 above it free too (a
/// Redis Cluster node's bus). Both lie below Linux's ephemeral range, where outgoing
/// connections cannot take them before the server binds them.
pub fn free_port() -> u16 {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    for _ in 0..200 {
        let port = rng.gen_range(20_000..22_700);
        let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && free(port + 10_000) {
            return port;
        }
    }
    panic!("no free loopback port pair in 20000..32700 after 200 tries")
}

/// `program`, or a failure that says how to install it.
pub fn require(program: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is not installed: install it (Debian: apt-get install -y {package}); \
         make test does (scripts/install-test-deps.sh)"
    );
}

/// Polls `ready` every 100 ms until it holds, failing with `what` after `timeout`.
pub async fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "gave up after {timeout:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `redis-cli -p port args…`, its output.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// One redis-server process.
pub struct RedisNode {
    pub port: u16,
    args: Vec<String>,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisNode {
    /// Starts `redis-server` on a free port with `args` (and its own folder under `root`),
    /// and waits until it answers PING.
    pub async fn start(root: &Path, args: &[String]) -> Self {
        require("redis-server", "redis-server");
        let port = free_port();
        let dir = root.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("a folder for redis-server");
        let mut node = Self {
            port,
            args: args.to_vec(),
            dir,
            child: None,
        };
        node.restart().await;
        node
    }

    /// Starts the process again on the same port, with the same folder (a cluster node keeps
    /// its identity in nodes.conf).
    pub async fn restart(&mut self) {
        let log = std::fs::File::create(self.dir.join("redis.log")).expect("log file");
        let mut command = Command::new("redis-server");
        if self.args.first().is_some_and(|a| a.ends_with(".conf")) {
            command.arg(&self.args[0]).args(&self.args[1..]);
        } else {
            command.args(&self.args);
        }
        if !self.args.iter().any(|a| a == "--sentinel") {
            command.args(["--save", "", "--appendonly", "no"]);
        }
        let child = command
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let port = self.port;
        wait_until(
            &format!("redis-server on {port} answers PING"),
            Duration::from_secs(10),
            || redis_cli(port, &["PING"]) == "PONG",
        )
        .await;
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A PostgreSQL cluster of the test's own, which it may stop and start.
pub struct Postgres {
    pub port: u16,
    pg_ctl: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
}

/// PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user.
fn as_postgres(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

impl Postgres {
    pub fn start() -> Self {
        let initdb = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(|v| v.ok().map(|v| v.path().join("bin/initdb")))
                    .filter(|p| p.exists())
                    .max()
            })
            .unwrap_or_else(|| {
                panic!(
                    "PostgreSQL is not installed: install it (Debian: apt-get install -y \
                     postgresql); make test does (scripts/install-test-deps.sh)"
                )
            });
        let pg_ctl = initdb.with_file_name("pg_ctl");
        let dir = tempfile::tempdir().expect("a folder for PostgreSQL");
        Command::new("chmod")
            .arg("777")
            .arg(dir.path())
            .status()
            .expect("chmod");
        let data = dir.path().join("pg");
        let port = free_port();
        let initialised = as_postgres(&initdb)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("initdb runs");
        assert!(initialised.success(), "initdb failed");
        let postgres = Self {
            port,
            pg_ctl,
            data,
            _dir: dir,
        };
        postgres.pg_ctl(&["start"]);
        postgres
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl action`, waiting for it to finish.
    pub fn pg_ctl(&self, args: &[&str]) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.data.parent().expect("parent").display()
        );
        let status = as_postgres(&self.pg_ctl)
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.data.with_file_name("pg.log"))
            .args(["-w", "-m", "fast", "-o", &options])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "pg_ctl {args:?} failed");
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.pg_ctl)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
