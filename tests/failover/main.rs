//! The shared state failing over under load: a Redis Cluster losing a primary, a Sentinel
//! primary killed, PostgreSQL restarted. Each test builds its servers from the real binaries
//! on loopback (redis-server, redis-cli, PostgreSQL's initdb and pg_ctl), drives the platform
//! with a mixed load while the failure happens, and counts what the clients saw.
//!
//! One binary of its own, run once by `make test` (with the SQLite pass): the servers here are
//! private to each test, whatever database the other passes use.

// The black-box suite's helpers; this binary uses a few of them.
#[allow(dead_code, unused_imports)]
#[path = "../api/helpers/mod.rs"]
mod helpers;

mod database;
mod load;
mod redis_cluster;
mod redis_sentinel;
mod servers;
