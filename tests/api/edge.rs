//! Edge basics: CORS per tenant, W3C trace context and request ids passed to the services, and
//! no version in a Server field.

use std::sync::{Arc, Mutex};

use clap::Parser;
use gatehouse::{Role, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    ReservedPort, TestApp, fresh_database, spawn_app_with, test_config, test_log,
};

#[tokio::test]
async fn browser_origins_are_allowed_per_tenant() {
    let app = spawn_app_with(|config| {
        config
            .gateway
            .cors
            .tenants
            .insert("acme".into(), vec!["https://shop.acme.example".into()]);
    })
    .await;
    let token = app.tenant_with_product_token("acme").await;
    app.create_tenant("globex").await;
    let preflight = |tenant: &str, origin: &str| {
        app.http
            .request(
                reqwest::Method::OPTIONS,
                app.url(&format!("/t/{tenant}/api/v1/products")),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("acme", "https://shop.acme.example")
        .await
        .expect("answer");
    assert_eq!(allowed.status(), 204);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.acme.example"
    );
    assert!(
        allowed.headers()["access-control-allow-methods"]
            .to_str()
            .expect("ascii")
            .contains("POST")
    );
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()
            .expect("ascii")
            .contains("authorization")
    );
    assert_eq!(
        preflight("acme", "https://evil.example")
            .await
            .expect("answer")
            .status(),
        403
    );
    assert_eq!(
        preflight("globex", "https://shop.acme.example")
            .await
            .expect("answer")
            .status(),
        403,
        "another tenant's origin"
    );

    let actual = app
        .http
        .get(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .header("origin", "https://shop.acme.example")
        .send()
        .await
        .expect("answer");
    assert_eq!(
        actual.headers()["access-control-allow-origin"],
        "https://shop.acme.example"
    );
    assert!(
        actual.headers()["access-control-expose-headers"]
            .to_str()
            .expect("ascii")
            .contains("ratelimit")
    );
    let foreign = app
        .http
        .get(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("answer");
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(
        foreign.headers().get("server").is_none(),
        "no Server field, no version"
    );
}

/// A stand-in instance of the resource service that records what the gateway sends it, and
/// answers requests for `/t/acme/api/v1/products/slow` only after `delay`.
pub async fn recording_upstream_with(
    delay: std::time::Duration,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buffer).to_lowercase();
                if head.contains("/t/acme/api/v1/products/slow") {
                    tokio::time::sleep(delay).await;
                }
                if head.contains(" /t/") {
                    record.lock().expect("lock").push(head);
                }
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nserver: upstream/9.9\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                    .await;
            });
        }
    });
    (base, seen)
}

#[tokio::test]
async fn trace_context_request_ids_and_identity_reach_the_service() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let admin_secret = format!("edge-admin-secret-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.public_url = Some(format!("http://127.0.0.1:{port}"));
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    config.internal_key = Some(Secret::new(crate::helpers::INTERNAL_KEY));
    config.auth.listen = "127.0.0.1:0".into();
    let auth = gatehouse::Application::build(config.clone(), Role::Auth)
        .await
        .expect("auth");
    let auth_url = auth.base_url().to_owned();
    tokio::spawn(auth.run_until_stopped());
    let (upstream, seen) = recording_upstream_with(std::time::Duration::from_secs(3)).await;
    config.gateway.upstream_timeout_seconds = 1;
    config.gateway.auth_url = auth_url.into();
    config.gateway.resources_url = upstream.into();
    config.listen = format!("127.0.0.1:{}", reserved.release());
    let cli_config = config.clone();
    let gateway = gatehouse::Application::build(config, Role::Gateway)
        .await
        .expect("gateway");
    let base = gateway.base_url().to_owned();
    tokio::spawn(gateway.run_until_stopped());
    let app = TestApp {
        base,
        http: reqwest::Client::new(),
        admin_secret,
        database_url,
        data_dir,
    };

    // Creating a tenant makes an RSA key, which a busy machine may not finish within this
    // gateway's one-second upstream timeout: the tenant and its client are made on the
    // database, as `gatehouse tenant|client create` would, and only the token comes through.
    let manage = |args: &[&str]| {
        let cli = gatehouse::Cli::try_parse_from(
            std::iter::once("gatehouse").chain(args.iter().copied()),
        )
        .expect("valid arguments");
        let config = cli_config.clone();
        async move { cli.manage(&config).await.expect("the command succeeds") }
    };
    manage(&["tenant", "create", "acme"]).await;
    let client: serde_json::Value = serde_json::from_str(
        &manage(&[
            "--json",
            "client",
            "create",
            "--tenant",
            "acme",
            "--name",
            "edge",
            "--scope",
            "products:read products:write",
        ])
        .await,
    )
    .expect("JSON");
    let registered = crate::helpers::Registered {
        tenant: "acme".into(),
        client_id: client["client_id"].as_str().expect("client_id").into(),
        client_secret: client["client_secret"].as_str().expect("secret").into(),
    };
    let token = app
        .token(&registered, &["products:read", "products:write"])
        .await;
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let response = app
        .http
        .get(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .header("traceparent", traceparent)
        .header("x-request-id", "edge-test-1")
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-gatehouse-scope", "everything")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("server").is_none(),
        "the upstream's Server field is dropped"
    );
    app.http
        .get(app.url("/t/acme/api/v1/products?x=1"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");

    let slow = app.get("/t/acme/api/v1/products/slow", &token).await;
    assert_eq!(slow.status(), 504, "the upstream timeout");
    assert_eq!(
        crate::helpers::problem(slow).await["type"],
        "urn:gatehouse:problem:gateway-timeout"
    );

    let seen: Vec<String> = seen
        .lock()
        .expect("lock")
        .iter()
        .filter(|head| !head.contains("/slow"))
        .cloned()
        .collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let first = &seen[0];
    assert!(
        first.contains(&format!("traceparent: {traceparent}")),
        "{first}"
    );
    assert!(first.contains("x-request-id: edge-test-1"), "{first}");
    assert!(
        first.contains("x-gatehouse-client-address: 127.0.0.1"),
        "the gateway's view, not the caller's: {first}"
    );
    assert!(!first.contains("203.0.113.9"), "{first}");
    assert!(
        first.contains("x-gatehouse-proof: t="),
        "the gateway proves it sent the request: {first}"
    );
    assert!(
        first.contains("x-gatehouse-scope: products:read products:write"),
        "{first}"
    );
    assert!(first.contains("x-gatehouse-tenant: acme"), "{first}");
    let second = &seen[1];
    let generated = second
        .lines()
        .find_map(|l| l.strip_prefix("traceparent: "))
        .expect("a trace is started when none is sent");
    assert_eq!(generated.len(), 55, "{generated}");
    assert!(generated.starts_with("00-"));
}
