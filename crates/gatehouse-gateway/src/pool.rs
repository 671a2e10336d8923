//! Several instances of one service behind the gateway: round robin or least outstanding
//! requests, ejection of an instance that fails, re-admission after an active health check,
//! and one retry on another instance: of any request whose connection could not be made
//! (nothing was sent), and of an idempotent one after any transport failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use poem::http::{HeaderMap, Method, StatusCode};

use crate::GatewayError;
use crate::metrics::UpstreamMetrics;

/// How the next instance is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Balance {
    RoundRobin,
    LeastOutstanding,
}

struct Instance {
    base_url: String,
    healthy: AtomicBool,
    outstanding: AtomicUsize,
}

pub struct Pool {
    instances: Vec<Instance>,
    client: reqwest::Client,
    balance: Balance,
    next: AtomicUsize,
    metrics: UpstreamMetrics,
}

/// A forwarded request, ready to be sent (again).
pub struct Outgoing {
    pub method: Method,
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// RFC 9110 §9.2.2: these may be sent twice without changing the outcome.
fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

struct Outstanding<'a>(&'a Instance);

impl Drop for Outstanding<'_> {
    fn drop(&mut self) {
        self.0.outstanding.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Pool {
    pub fn new(
        base_urls: &[String],
        client: reqwest::Client,
        balance: Balance,
        metrics: UpstreamMetrics,
    ) -> Self {
        let instances: Vec<Instance> = base_urls
            .iter()
            .map(|u| Instance {
                base_url: u.trim_end_matches('/').to_owned(),
                healthy: AtomicBool::new(true),
                outstanding: AtomicUsize::new(0),
            })
            .collect();
        for instance in &instances {
            metrics.health(&instance.base_url, true);
        }
        Self {
            instances,
            client,
            balance,
            next: AtomicUsize::new(0),
            metrics,
        }
    }

    /// The instance to try, skipping `tried`; healthy ones first, any if none is healthy.
    fn pick(&self, tried: &[usize]) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.instances.len())
            .filter(|i| !tried.contains(i))
            .collect();
        let healthy: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| self.instances[*i].healthy.load(Ordering::Relaxed))
            .collect();
        let pool = if healthy.is_empty() {
            candidates
        } else {
            healthy
        };
        match self.balance {
            Balance::RoundRobin => {
                let n = self.next.fetch_add(1, Ordering::Relaxed);
                pool.get(n % pool.len().max(1)).copied()
            }
            Balance::LeastOutstanding => pool
                .into_iter()
                .min_by_key(|i| self.instances[*i].outstanding.load(Ordering::Relaxed)),
        }
    }

    /// Each instance's URL and whether it is in rotation.
    pub fn health(&self) -> Vec<(String, bool)> {
        self.instances
            .iter()
            .map(|i| (i.base_url.clone(), i.healthy.load(Ordering::Relaxed)))
            .collect()
    }

    fn eject(&self, index: usize, why: &str) {
        let instance = &self.instances[index];
        if instance.healthy.swap(false, Ordering::Relaxed) {
            self.metrics.health(&instance.base_url, false);
            tracing::warn!(upstream = %instance.base_url, %why, "instance ejected");
        }
    }

    /// Sends the request to an instance; it is tried once more on another instance after a
    /// connection that could not be made (the instance never saw it), or, if it is idempotent,
    /// after any transport failure.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<reqwest::Response, GatewayError> {
        let mut tried = Vec::new();
        let mut last_error = GatewayError::upstream_answered("no instance configured");
        for attempt in 0..2 {
            let Some(index) = self.pick(&tried) else {
                break;
            };
            tried.push(index);
            let instance = &self.instances[index];
            instance.outstanding.fetch_add(1, Ordering::Relaxed);
            let _outstanding = Outstanding(instance);
            let result = self
                .client
                .request(
                    outgoing.method.clone(),
                    format!("{}{}", instance.base_url, outgoing.path_and_query),
                )
                .headers(outgoing.headers.clone())
                .body(outgoing.body.clone())
                .send()
                .await;
            match result {
                Ok(response) => return Ok(response),
                Err(err) => {
                    self.eject(index, &err.to_string());
                    let retry = err.is_connect() || idempotent(&outgoing.method);
                    last_error = GatewayError::upstream(instance.base_url.clone(), err);
                    if !retry {
                        break;
                    }
                    if attempt == 0 {
                        self.metrics.retried();
                        tracing::info!(upstream = %instance.base_url, method = %outgoing.method, "retrying on another instance");
                    }
                }
            }
        }
        Err(last_error)
    }

    /// A GET to one healthy instance, for the gateway itself.
    pub async fn get(
        &self,
        path: &str,
        headers: HeaderMap,
    ) -> Result<(StatusCode, Bytes), GatewayError> {
        let outgoing = Outgoing {
            method: Method::GET,
            path_and_query: path.to_owned(),
            headers,
            body: Bytes::new(),
        };
        let response = self.send(&outgoing).await?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            GatewayError::upstream(format!("the answer to GET {path} could not be read"), e)
        })?;
        Ok((status, body))
    }

    /// Probes every instance's `/healthz` every `interval`: a failing one is ejected, an
    /// ejected one that answers again is re-admitted.
    pub fn spawn_health_checks(self: &Arc<Self>, interval: Duration) {
        let pool = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(interval);
            loop {
                every.tick().await;
                let Some(pool) = pool.upgrade() else { return };
                for (index, instance) in pool.instances.iter().enumerate() {
                    let probe = pool
                        .client
                        .get(format!("{}/healthz", instance.base_url))
                        .timeout(interval.max(Duration::from_millis(500)))
                        .send()
                        .await;
                    match probe {
                        Ok(r) if r.status().is_success() => {
                            if !instance.healthy.swap(true, Ordering::Relaxed) {
                                pool.metrics.health(&instance.base_url, true);
                                tracing::info!(upstream = %instance.base_url, "instance re-admitted");
                            }
                        }
                        Ok(r) => {
                            pool.eject(index, &format!("health check answered {}", r.status()))
                        }
                        Err(err) => pool.eject(index, &err.to_string()),
                    }
                }
            }
        });
    }
}
