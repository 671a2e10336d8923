//! Logs to stderr (`pretty` or `json`), and, when `telemetry.otlp_endpoint` is set, the same
//! spans as OpenTelemetry traces over OTLP/HTTP: the gateway's request span, the service's
//! span joined to it through `traceparent`, and the database, Redis and password-hashing spans
//! beneath. Unset, nothing is exported and no exporter runs.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogConfig, LogFormat, TelemetryConfig};
use crate::startup::Role;

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

fn log_layer<S>(config: &LogConfig) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match config.format {
        LogFormat::Json => layer.json().with_filter(filter).boxed(),
        LogFormat::Pretty => layer.with_filter(filter).boxed(),
    }
}

/// The tracer provider that exports to `endpoint` (`/v1/traces` is added unless present),
/// sampling `ratio` of new traces and following a parent's decision.
fn provider(
    config: &TelemetryConfig,
    endpoint: &str,
    role: Role,
) -> anyhow::Result<SdkTracerProvider> {
    let endpoint = endpoint.trim_end_matches('/');
    let url = if endpoint.ends_with("/v1/traces") {
        endpoint.to_owned()
    } else {
        format!("{endpoint}/v1/traces")
    };
    crate::startup::install_crypto_provider();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(url)
        .build()?;
    let service = match role {
        Role::All => "gatehouse",
        Role::Gateway => "gatehouse-gateway",
        Role::Auth => "gatehouse-auth",
        Role::Resources => "gatehouse-resources",
    };
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            config.sampling_ratio,
        ))))
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name(service)
                .build(),
        )
        .build())
}

/// Installs the global subscriber: logs, plus traces for a serving `role` when configured. A
/// second call (tests start many platforms in one process) changes nothing.
pub fn init(config: &Config, role: Option<Role>) -> anyhow::Result<()> {
    let traces = match (&config.telemetry.otlp_endpoint, role) {
        (Some(endpoint), Some(role)) if PROVIDER.get().is_none() => {
            let provider = provider(&config.telemetry, endpoint, role)?;
            let tracer = provider.tracer("gatehouse");
            let _ = PROVIDER.set(provider);
            // Requests at info; each database statement sea-orm runs is a trace-level span.
            let spans = Targets::new()
                .with_default(Level::INFO)
                .with_target("sea_orm::driver", Level::TRACE)
                .with_target("sqlx", Level::WARN);
            Some(
                tracing_opentelemetry::layer()
                    .with_tracer(tracer)
                    .with_filter(spans),
            )
        }
        _ => None,
    };
    let _ = tracing_subscriber::registry()
        .with(log_layer(&config.log))
        .with(traces)
        .try_init();
    Ok(())
}

/// Sends the spans still buffered, before the process exits.
pub async fn shutdown() {
    if let Some(provider) = PROVIDER.get() {
        let provider = provider.clone();
        let _ = tokio::task::spawn_blocking(move || provider.shutdown()).await;
    }
}
