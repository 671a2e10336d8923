//! What the gateway counts for operators: requests and their latency by route template, method,
//! status class and tenant; the response cache's hits, misses, stores and purges; rate-limit
//! refusals; each upstream instance's health and the retries.
//!
//! Label values come from fixed sets (route templates, methods, status classes), except the
//! tenant: a tenant is named once one of its requests succeeded (2xx or 3xx, which a made-up
//! slug never gets), for the first `max_tenants` such tenants; the others count as `_other`. A series set is thus bounded by routes × methods × classes × (`max_tenants` + 2).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::{Method, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The tenant label of requests that name no tenant.
const NO_TENANT: &str = "";
/// The tenant label past `max_tenants`, or of a tenant that does not exist.
const OTHER_TENANT: &str = "_other";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: &'static str,
    tenant: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabel {
    event: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BudgetLabel {
    budget: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InstanceLabels {
    service: &'static str,
    instance: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabel {
    service: &'static str,
}

type HistogramFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The gateway's metrics; clones share them.
#[derive(Clone)]
pub struct GatewayMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    cache: Family<EventLabel, Counter>,
    refused: Family<BudgetLabel, Counter>,
    healthy: Family<InstanceLabels, Gauge>,
    retries: Family<ServiceLabel, Counter>,
    tenants: Arc<Mutex<HashSet<String>>>,
    max_tenants: usize,
}

impl std::fmt::Debug for GatewayMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GatewayMetrics")
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl GatewayMetrics {
    /// Metrics that name at most `max_tenants` tenants.
    pub fn new(max_tenants: usize) -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            cache: Family::default(),
            refused: Family::default(),
            healthy: Family::default(),
            retries: Family::default(),
            tenants: Arc::default(),
            max_tenants,
        }
    }

    /// Registers every metric under `registry` (which names their prefix).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "http_requests",
            "Requests answered by the gateway, by route template, method, status class and tenant",
            self.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to the answer's head, by route template, method, status class and tenant",
            self.latency.clone(),
        );
        registry.register(
            "response_cache_events",
            "The response cache's hits, misses, stores and purges",
            self.cache.clone(),
        );
        registry.register(
            "rate_limit_refusals",
            "Requests refused with 429, by the budget that was spent (client, tenant, token)",
            self.refused.clone(),
        );
        registry.register(
            "upstream_instance_healthy",
            "1 while a service instance is in rotation, 0 while it is ejected",
            self.healthy.clone(),
        );
        registry.register(
            "upstream_retries",
            "Requests tried again on another instance, by service",
            self.retries.clone(),
        );
    }

    /// The tenant label of an answered request (see the module's note on cardinality).
    fn tenant_label(&self, tenant: Option<&str>, status: StatusCode) -> String {
        let Some(tenant) = tenant else {
            return NO_TENANT.to_owned();
        };
        let Ok(mut known) = self.tenants.lock() else {
            return OTHER_TENANT.to_owned();
        };
        if known.contains(tenant) {
            return tenant.to_owned();
        }
        let answered = status.is_success() || status.is_redirection();
        if answered && known.len() < self.max_tenants {
            known.insert(tenant.to_owned());
            return tenant.to_owned();
        }
        OTHER_TENANT.to_owned()
    }

    pub(crate) fn request(
        &self,
        route: &'static str,
        method: &Method,
        status: StatusCode,
        tenant: Option<&str>,
        elapsed: Duration,
    ) {
        let labels = RequestLabels {
            route,
            method: method_label(method),
            status: status_class(status),
            tenant: self.tenant_label(tenant, status),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// `hit`, `miss`, `store` or `purge`.
    pub(crate) fn cache_event(&self, event: &'static str) {
        self.cache.get_or_create(&EventLabel { event }).inc();
    }

    pub(crate) fn rate_limited(&self, budget: &'static str) {
        self.refused.get_or_create(&BudgetLabel { budget }).inc();
    }

    /// The metrics of one service's instances.
    pub fn upstream(&self, service: &'static str) -> UpstreamMetrics {
        UpstreamMetrics {
            service,
            healthy: self.healthy.clone(),
            retries: self.retries.clone(),
        }
    }
}

/// What a pool reports about the instances of one service.
#[derive(Clone)]
pub struct UpstreamMetrics {
    service: &'static str,
    healthy: Family<InstanceLabels, Gauge>,
    retries: Family<ServiceLabel, Counter>,
}

impl UpstreamMetrics {
    pub(crate) fn health(&self, instance: &str, healthy: bool) {
        self.healthy
            .get_or_create(&InstanceLabels {
                service: self.service,
                instance: instance.to_owned(),
            })
            .set(i64::from(healthy));
    }

    pub(crate) fn retried(&self) {
        self.retries
            .get_or_create(&ServiceLabel {
                service: self.service,
            })
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_are_named_up_to_the_bound_and_made_up_ones_never() {
        let metrics = GatewayMetrics::new(2);
        let ok = StatusCode::OK;
        assert_eq!(metrics.tenant_label(None, ok), "");
        for refused in [StatusCode::NOT_FOUND, StatusCode::UNAUTHORIZED] {
            assert_eq!(
                metrics.tenant_label(Some("made-up"), refused),
                "_other",
                "a refusal names no tenant"
            );
        }
        assert_eq!(metrics.tenant_label(Some("acme"), ok), "acme");
        assert_eq!(
            metrics.tenant_label(Some("acme"), StatusCode::UNAUTHORIZED),
            "acme",
            "once known, always named"
        );
        assert_eq!(
            metrics.tenant_label(Some("globex"), StatusCode::SEE_OTHER),
            "globex"
        );
        assert_eq!(
            metrics.tenant_label(Some("initech"), ok),
            "_other",
            "past the bound"
        );
    }
}
