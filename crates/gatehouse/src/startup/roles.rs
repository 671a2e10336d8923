//! Each role's endpoint, built from the parts every role shares: the configuration, the cache,
//! the gateway's proof key and the process's metrics.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;
use gatehouse_cache::SharedCache;
use gatehouse_gateway::{Balance, GatewayMetrics, Upstream};
use gatehouse_proto::ProofKey;
use poem::Response;
use poem::endpoint::BoxEndpoint;

use super::{
    Migrations, Readiness, connect, gateway, look_after, migrate, resources_config, run_auth,
    service, standalone,
};
use crate::config::{BalanceConfig, Config};
use crate::metrics::Metrics;

/// A role's endpoint and what its readiness depends on.
type Built = (BoxEndpoint<'static, Response>, Readiness);

pub(super) struct Parts<'a> {
    pub(super) config: &'a Config,
    pub(super) public_url: &'a str,
    pub(super) cache: SharedCache,
    pub(super) proof: ProofKey,
    pub(super) migrations: Migrations,
    pub(super) metrics: &'a mut Metrics,
    pub(super) draining: &'a Arc<AtomicBool>,
}

impl Parts<'_> {
    /// `serve auth`: the auth server alone, on its own database connection.
    pub(super) async fn auth(&mut self) -> anyhow::Result<Built> {
        let db = connect(self.config).await?;
        if self.migrations == Migrations::Run {
            gatehouse_auth::migrate(&db)
                .await
                .context("migrating the auth schema")?;
        }
        let auth = run_auth(
            self.config,
            &db,
            self.public_url,
            (self.cache.clone(), self.dpop_nonces()),
            self.metrics,
        )
        .await?;
        look_after(
            self.config,
            &db,
            self.metrics,
            &gatehouse_auth::EXPIRING_ROWS,
        );
        let endpoint = service("auth", gatehouse_auth::endpoint(auth, self.proof.clone()));
        Ok((
            standalone(endpoint, self.draining.clone()),
            Readiness::Database(db),
        ))
    }

    /// `serve resources`: the resource service alone.
    pub(super) async fn resources(&mut self) -> anyhow::Result<Built> {
        let db = connect(self.config).await?;
        if self.migrations == Migrations::Run {
            gatehouse_resources::migrate(&db).await?;
        }
        look_after(
            self.config,
            &db,
            self.metrics,
            &gatehouse_resources::EXPIRING_ROWS,
        );
        let resources = gatehouse_resources::endpoint(
            db.clone(),
            resources_config(self.config),
            self.proof.clone(),
        );
        Ok((
            standalone(service("resources", resources), self.draining.clone()),
            Readiness::Database(db),
        ))
    }

    /// `serve gateway`: the gateway in front of pools of auth and resource instances.
    pub(super) async fn gateway(&mut self) -> anyhow::Result<Built> {
        let gateway_metrics = GatewayMetrics::new(self.config.ops.metrics_max_tenants);
        let balance = match self.config.gateway.balance {
            BalanceConfig::RoundRobin => Balance::RoundRobin,
            BalanceConfig::LeastOutstanding => Balance::LeastOutstanding,
        };
        let interval = Duration::from_secs(self.config.gateway.health_check_seconds);
        let pool = |urls: Vec<String>, name| {
            Upstream::http(
                &urls,
                balance,
                interval,
                self.proof.clone(),
                gateway_metrics.upstream(name),
            )
        };
        let auth = pool(self.config.gateway.auth_url.list(), "auth")?;
        let resources = pool(self.config.gateway.resources_url.list(), "resources")?;
        self.gateway_to((auth, resources), &gateway_metrics).await
    }

    /// `serve`: the gateway calling both services in process, on one database and one cache
    /// (the auth server announces revoked tokens in it, the gateway looks for them there).
    pub(super) async fn all_in_one(&mut self) -> anyhow::Result<Built> {
        let db = connect(self.config).await?;
        if self.migrations == Migrations::Run {
            migrate(&db).await?;
        }
        let auth = run_auth(
            self.config,
            &db,
            self.public_url,
            (self.cache.clone(), self.dpop_nonces()),
            self.metrics,
        )
        .await?;
        let both: Vec<_> = gatehouse_auth::EXPIRING_ROWS
            .iter()
            .chain(&gatehouse_resources::EXPIRING_ROWS)
            .copied()
            .collect();
        look_after(self.config, &db, self.metrics, &both);
        let proof = &self.proof;
        let auth = Upstream::in_process(
            service("auth", gatehouse_auth::endpoint(auth, proof.clone())),
            proof.clone(),
        );
        let resources =
            gatehouse_resources::endpoint(db, resources_config(self.config), proof.clone());
        let resources = Upstream::in_process(service("resources", resources), proof.clone());
        let gateway_metrics = GatewayMetrics::new(self.config.ops.metrics_max_tenants);
        self.gateway_to((auth, resources), &gateway_metrics).await
    }

    /// The DPoP server nonces (`dpop_nonce`), under the key every process shares.
    fn dpop_nonces(&self) -> Option<gatehouse_proto::DpopNonces> {
        self.config.dpop_nonce.then(|| self.proof.dpop_nonces())
    }

    async fn gateway_to(
        &mut self,
        upstreams: (Upstream, Upstream),
        gateway_metrics: &GatewayMetrics,
    ) -> anyhow::Result<Built> {
        gateway(
            self.config,
            self.public_url,
            upstreams,
            (self.cache.clone(), self.dpop_nonces()),
            gateway_metrics,
            self.metrics,
        )
        .await
    }
}
