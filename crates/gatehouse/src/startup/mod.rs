//! Start-up: connect and migrate the database, bootstrap, bind, and serve. `main` and the test
//! harness both go through [`Application::build`].

mod auth;
mod gateway;
mod roles;
mod serving;
mod stores;

pub use auth::auth_service;
pub use stores::{connect, migrate};

use auth::run_auth;
use gateway::{gateway, proof_key};
use serving::{Readiness, bind, ops_endpoint, service, shutdown_signal, standalone};
use stores::{cache, look_after};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::{Response, Server};

use crate::config::Config;
use crate::metrics::Metrics;

/// Which part of the platform this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// The gateway and both services in one process.
    All,
    /// The gateway alone, reaching the services at `gateway.auth_url` and `gateway.resources_url`.
    Gateway,
    /// The auth server alone, on `auth.listen`.
    Auth,
    /// The resource service alone, on `resources.listen`.
    Resources,
}

pub struct Application {
    port: u16,
    base_url: String,
    server: BoxEndpoint<'static, Response>,
    acceptor: poem::listener::BoxAcceptor,
    ops: Ops,
}

/// The operators' listener and what it reports.
struct Ops {
    port: u16,
    acceptor: poem::listener::BoxAcceptor,
    endpoint: BoxEndpoint<'static, Response>,
    /// Set on SIGTERM: readiness turns false while in-flight requests finish.
    draining: Arc<AtomicBool>,
    drain: Duration,
}

/// reqwest (the gateway's upstreams, the trace exporter) is built without a default TLS
/// provider: this chooses one for the process. Calling it again changes nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether migrations run at start (`serve --no-migrate` leaves them to `gatehouse migrate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    Run,
    Skip,
}

fn resources_config(config: &Config) -> gatehouse_resources::ResourcesConfig {
    gatehouse_resources::ResourcesConfig {
        max_per_page: config.resources.max_per_page,
        cache_max_age_seconds: config.resources.cache_max_age_seconds,
    }
}

impl Application {
    pub async fn build(config: Config, role: Role) -> anyhow::Result<Self> {
        Self::build_with(config, role, Migrations::Run).await
    }

    pub async fn build_with(
        config: Config,
        role: Role,
        migrations: Migrations,
    ) -> anyhow::Result<Self> {
        install_crypto_provider();
        let (listen, key) = match role {
            Role::All | Role::Gateway => (&config.listen, "listen"),
            Role::Auth => (&config.auth.listen, "auth.listen"),
            Role::Resources => (&config.resources.listen, "resources.listen"),
        };
        let proof = proof_key(&config, role)?;
        let mut metrics = Metrics::default();
        let (acceptor, port) = bind(listen, key).await?;
        let (ops_acceptor, ops_port) = bind(&config.ops_listen(role), "ops.listen").await?;
        let draining = Arc::new(AtomicBool::new(false));
        let host = listen.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
        let base_url = format!("http://{host}:{port}");
        // Unset, the public URL is the gateway's: the address bound here when this process is
        // the gateway, its configured `listen` otherwise.
        let public_url = config.public_url.clone().unwrap_or_else(|| match role {
            Role::All | Role::Gateway => base_url.clone(),
            Role::Auth | Role::Resources => format!("http://{}", config.listen),
        });

        let cache = cache(&config).await?;
        if let Some(errors) = cache.errors() {
            metrics.registry().register(
                "redis_errors",
                "Redis operations that failed (the request went on without the cache)",
                errors,
            );
        }
        let mut parts = roles::Parts {
            config: &config,
            public_url: &public_url,
            cache,
            proof,
            migrations,
            metrics: &mut metrics,
            draining: &draining,
        };
        let (server, readiness) = match role {
            Role::Auth => parts.auth().await?,
            Role::Resources => parts.resources().await?,
            Role::Gateway => parts.gateway().await?,
            Role::All => parts.all_in_one().await?,
        };
        tracing::info!(?role, address = %base_url, %public_url, ops_port, "gatehouse listening");
        Ok(Self {
            port,
            base_url,
            server,
            acceptor,
            ops: Ops {
                port: ops_port,
                acceptor: ops_acceptor,
                endpoint: ops_endpoint(readiness, Arc::new(metrics), draining.clone()),
                draining,
                drain: Duration::from_secs(config.ops.drain_seconds),
            },
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://{host}:{port}` of the bound listener.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port of the operators' listener (`/healthz`, `/readyz`, `/metrics`).
    pub fn ops_port(&self) -> u16 {
        self.ops.port
    }

    /// Serves until SIGINT or SIGTERM; then readiness turns false, no new connection is
    /// accepted, and in-flight requests get `ops.drain_seconds` to finish. The ops listener
    /// answers until the end.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Ops {
            acceptor,
            endpoint,
            draining,
            drain,
            ..
        } = self.ops;
        let (stop_ops, ops_stopped) = tokio::sync::oneshot::channel::<()>();
        let ops = tokio::spawn(
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
                endpoint,
                async move {
                    let _ = ops_stopped.await;
                },
                Some(Duration::from_secs(1)),
            ),
        );
        let signal = async move {
            shutdown_signal().await;
            draining.store(true, Ordering::Relaxed);
            tracing::info!(
                drain_seconds = drain.as_secs(),
                "draining: not ready, finishing in-flight requests"
            );
        };
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(self.server, signal, Some(drain))
            .await;
        let _ = stop_ops.send(());
        let _ = ops.await;
        tracing::info!("stopped");
        served
    }
}
