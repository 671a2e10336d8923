//! One trace per request, across processes: the platform split in three `gatehouse` processes
//! exports its spans over OTLP/HTTP to a receiver of this test, which decodes the protobuf. The
//! gateway's span continues the caller's trace, the resource service's span is the gateway
//! span's child, and database and Redis spans sit beneath them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gatehouse::Secret;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{INTERNAL_KEY, ReservedPort, TestApp, fresh_database, test_config, test_log};
use crate::split_deployment::ServiceProcess;

/// A span as received, with the service that sent it.
#[derive(Debug, Clone)]
struct Received {
    service: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
    attributes: Vec<(String, String)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(AnyValue::StringValue(s)) => s.clone(),
        Some(AnyValue::IntValue(i)) => i.to_string(),
        Some(AnyValue::BoolValue(b)) => b.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

/// An OTLP/HTTP receiver on loopback: its `/v1/traces` endpoint's base URL, and what it got.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let spans = Arc::new(Mutex::new(Vec::new()));
    let store = spans.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                // Requests on one kept-alive connection, each with a Content-Length.
                let mut buffer = Vec::new();
                loop {
                    let head_end = loop {
                        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break at + 4;
                        }
                        let mut chunk = [0u8; 8192];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buffer.len() < head_end + length {
                        let mut chunk = [0u8; 8192];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body: Vec<u8> = buffer.drain(..head_end + length).skip(head_end).collect();
                    if let Ok(request) = ExportTraceServiceRequest::decode(body.as_slice()) {
                        let mut received = store.lock().expect("lock");
                        for resource_spans in request.resource_spans {
                            let service = resource_spans
                                .resource
                                .iter()
                                .flat_map(|r| r.attributes.iter())
                                .find(|kv| kv.key == "service.name")
                                .map(|kv| text(kv.value.as_ref()))
                                .unwrap_or_default();
                            for span in resource_spans.scope_spans.into_iter().flat_map(|s| s.spans)
                            {
                                received.push(Received {
                                    service: service.clone(),
                                    trace_id: hex(&span.trace_id),
                                    span_id: hex(&span.span_id),
                                    parent_span_id: hex(&span.parent_span_id),
                                    name: span.name,
                                    attributes: span
                                        .attributes
                                        .iter()
                                        .map(|kv| (kv.key.clone(), text(kv.value.as_ref())))
                                        .collect(),
                                });
                            }
                        }
                    }
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, spans)
}

fn attribute<'a>(span: &'a Received, key: &str) -> Option<&'a str> {
    span.attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_request_is_one_trace_across_the_gateway_and_the_service_down_to_the_database() {
    test_log();
    gatehouse::install_crypto_provider();
    let (collector, spans) = otlp_receiver().await;
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let public = ReservedPort::new();
    let admin_secret = format!("traces-admin-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.public_url = Some(format!("http://127.0.0.1:{}", public.port()));
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    config.internal_key = Some(Secret::new(INTERNAL_KEY));
    config.redis_url = Some(crate::cache_backends::redis_url());
    config.redis_namespace = format!("traces{}", uuid::Uuid::new_v4().simple());
    config.telemetry.otlp_endpoint = Some(collector);
    let auth = ServiceProcess::start("auth", &config, ReservedPort::new().release());
    let resources = ServiceProcess::start("resources", &config, ReservedPort::new().release());
    config.gateway.auth_url = auth.base.clone().into();
    config.gateway.resources_url = resources.base.clone().into();
    let gateway = ServiceProcess::start("gateway", &config, public.release());
    let app = TestApp {
        base: gateway.base.clone(),
        http: reqwest::Client::new(),
        admin_secret,
        database_url,
        data_dir,
    };
    let token = app.tenant_with_product_token("acme").await;

    // The caller's own trace, which the platform continues.
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let caller_span = "00f067aa0ba902b7";
    let listed = app
        .http
        .get(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .send()
        .await
        .expect("answer");
    assert_eq!(listed.status(), 200);

    let deadline = Instant::now() + Duration::from_secs(15);
    let (request, service, database) = loop {
        let trace: Vec<Received> = spans
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.trace_id == trace_id)
            .cloned()
            .collect();
        let request = trace
            .iter()
            .find(|s| s.service == "gatehouse-gateway" && s.name.starts_with("GET "))
            .cloned();
        let service = request.as_ref().and_then(|r| {
            trace
                .iter()
                .find(|s| s.service == "gatehouse-resources" && s.parent_span_id == r.span_id)
                .cloned()
        });
        let database = service.as_ref().and_then(|svc| {
            trace
                .iter()
                .find(|s| {
                    s.service == "gatehouse-resources"
                        && s.span_id != svc.span_id
                        && s.name.starts_with("query")
                })
                .cloned()
        });
        if let (Some(request), Some(service), Some(database)) = (request, service, database) {
            break (request, service, database);
        }
        assert!(
            Instant::now() < deadline,
            "the trace's spans did not all arrive: {trace:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        request.parent_span_id, caller_span,
        "the caller's trace goes on"
    );
    assert_eq!(request.name, "GET /t/:tenant/api/v1/:resource");
    assert_eq!(attribute(&request, "tenant"), Some("acme"));
    assert_eq!(attribute(&request, "status"), Some("200"));
    assert_eq!(attribute(&request, "cache"), Some("miss"));
    assert_eq!(attribute(&request, "rate_limit"), Some("allowed"));
    assert_eq!(service.name, "resources GET");
    // The database span hangs below the service's span, in the service's process.
    let all = spans.lock().expect("lock").clone();
    let mut parent = database.parent_span_id.clone();
    let mut depth = 0;
    while parent != service.span_id {
        parent = all
            .iter()
            .find(|s| s.span_id == parent)
            .map(|s| s.parent_span_id.clone())
            .unwrap_or_else(|| panic!("{database:?} is not beneath {service:?}"));
        depth += 1;
        assert!(depth < 10, "{database:?} is not beneath {service:?}");
    }
    assert!(
        all.iter().any(|s| s.trace_id == trace_id
            && s.service == "gatehouse-gateway"
            && s.name == "redis"
            && s.parent_span_id == request.span_id),
        "the gateway's Redis calls are in the trace"
    );
    // For whoever reads the test's output (`--nocapture`): the tree as received.
    let tree: Vec<String> = all
        .iter()
        .filter(|s| s.trace_id == trace_id)
        .map(|s| {
            format!(
                "  {} \"{}\" {} <- {}",
                s.service, s.name, s.span_id, s.parent_span_id
            )
        })
        .collect();
    eprintln!("trace {trace_id}:\n{}", tree.join("\n"));
    drop((auth, resources, gateway));
}
