//! The gateway's response cache, from the outside: hits and misses, what a write purges, who
//! may be served what, conditional requests, single flight, purges, and a Redis that goes away.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ReservedPort, TestApp, spawn_app, spawn_app_with};

fn x_cache(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_repeated_read_is_served_from_the_cache_with_its_age() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    let first = app.get(&location, &token).await;
    assert_eq!(x_cache(&first), "MISS");
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("private")
    );
    let first_body: Value = first.json().await.expect("json");
    let second = app.get(&location, &token).await;
    assert_eq!(x_cache(&second), "HIT");
    assert!(second.headers().contains_key("age"));
    assert!(
        second.headers().contains_key("x-ratelimit-remaining"),
        "a hit spends budget by default"
    );
    assert_eq!(second.json::<Value>().await.expect("json"), first_body);

    // The same query in another order is the same entry.
    assert_eq!(
        x_cache(
            &app.get("/t/acme/api/v1/products?page=1&per_page=5", &token)
                .await
        ),
        "MISS"
    );
    assert_eq!(
        x_cache(
            &app.get("/t/acme/api/v1/products?per_page=5&page=1", &token)
                .await
        ),
        "HIT"
    );
    // A caller that asks for a fresh answer gets one.
    let fresh = app
        .http
        .get(app.url(&location))
        .bearer_auth(&token)
        .header("cache-control", "no-cache")
        .send()
        .await
        .expect("answer");
    assert_eq!(x_cache(&fresh), "");
}

#[tokio::test]
async fn a_client_never_reads_its_own_write_stale() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 1);
    assert_eq!(
        x_cache(&app.get("/t/acme/api/v1/products", &token).await),
        "HIT"
    );
    assert_eq!(x_cache(&app.get(&location, &token).await), "MISS");

    app.create_product(&token, "Gadget").await;
    let after_create = app.get("/t/acme/api/v1/products", &token).await;
    assert_eq!(
        x_cache(&after_create),
        "MISS",
        "a POST purges the collection"
    );
    assert_eq!(
        after_create.json::<Value>().await.expect("json")["total"],
        2
    );

    let replaced = app
        .send(
            Method::PUT,
            &location,
            Some(&token),
            Some(json!({"name": "Renamed", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 2, "currency": "EUR"}})),
        )
        .await;
    assert_eq!(replaced.status(), 200);
    let item: Value = app.get(&location, &token).await.json().await.expect("json");
    assert_eq!(item["name"], "Renamed", "a PUT purges the item");

    assert_eq!(
        app.send(Method::DELETE, &location, Some(&token), None)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get(&location, &token).await.status(),
        404,
        "a DELETE purges the item"
    );
}

#[tokio::test]
async fn a_cached_response_is_never_served_to_another_caller() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    assert_eq!(x_cache(&app.get(&location, &token).await), "MISS");
    assert_eq!(x_cache(&app.get(&location, &token).await), "HIT");

    // Another client of the same tenant, with the same scopes: a private response is its own.
    let other_client = app
        .register_client("acme", "products:read products:write")
        .await;
    let other = app
        .token(&other_client, &["products:read", "products:write"])
        .await;
    assert_eq!(x_cache(&app.get(&location, &other).await), "MISS");
    // The first client with other scopes is another authorization context.
    let client = app.register_client("acme", "products:read").await;
    let narrow = app.token(&client, &["products:read"]).await;
    assert_eq!(x_cache(&app.get(&location, &narrow).await), "MISS");
    // Another tenant cannot even ask.
    let globex = app.tenant_with_product_token("globex").await;
    assert_eq!(app.get(&location, &globex).await.status(), 401);
}

#[tokio::test]
async fn if_none_match_is_answered_304_from_the_cache() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    let first = app.get(&location, &token).await;
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    let conditional = |etag: &str| {
        app.http
            .get(app.url(&location))
            .bearer_auth(&token)
            .header("if-none-match", etag)
            .send()
    };
    let not_modified = conditional(&etag).await.expect("answer");
    assert_eq!(not_modified.status(), 304);
    assert_eq!(x_cache(&not_modified), "HIT");
    assert_eq!(
        not_modified.headers()["etag"].to_str().expect("ascii"),
        etag
    );
    assert!(not_modified.text().await.expect("body").is_empty());
    assert_eq!(
        conditional("\"other\"").await.expect("answer").status(),
        200
    );
}

#[tokio::test]
async fn concurrent_misses_make_one_upstream_call() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    let requests: Vec<_> = (0..20)
        .map(|_| {
            let request = app.http.get(app.url(&location)).bearer_auth(&token);
            tokio::spawn(async move { request.send().await })
        })
        .collect();
    let mut misses = 0;
    for request in requests {
        let response = request.await.expect("task").expect("answer");
        assert_eq!(response.status(), 200);
        if x_cache(&response) == "MISS" {
            misses += 1;
        }
    }
    assert_eq!(misses, 1, "the others waited for the one fetch");
}

#[tokio::test]
async fn operators_and_tenant_admins_purge_the_cache() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    async fn warm(app: &TestApp, location: &str, token: &str) {
        app.get(location, token).await;
        app.get("/t/acme/api/v1/products", token).await;
    }
    let operator = app.operator_token().await;

    warm(&app, &location, &token).await;
    let purged = app
        .post(
            "/admin/v1/cache/purge",
            &operator,
            json!({"tenant": "acme", "path": location}),
        )
        .await;
    assert_eq!(purged.status(), 200);
    assert_eq!(
        purged.json::<Value>().await.expect("json")["purged"],
        1,
        "the one path"
    );
    assert_eq!(x_cache(&app.get(&location, &token).await), "MISS");
    assert_eq!(
        x_cache(&app.get("/t/acme/api/v1/products", &token).await),
        "HIT"
    );

    warm(&app, &location, &token).await;
    let purged = app
        .post(
            "/admin/v1/cache/purge",
            &operator,
            json!({"tenant": "acme", "prefix": "/t/acme/api/v1/products"}),
        )
        .await;
    assert_eq!(purged.json::<Value>().await.expect("json")["purged"], 2);

    warm(&app, &location, &token).await;
    let admin_client = app.register_client("acme", "tenant:admin").await;
    let tenant_admin = app.token(&admin_client, &["tenant:admin"]).await;
    let own = app
        .post("/t/acme/admin/v1/cache/purge", &tenant_admin, json!({}))
        .await;
    assert_eq!(
        own.json::<Value>().await.expect("json")["purged"],
        2,
        "the whole tenant"
    );
    let other = app
        .post(
            "/t/acme/admin/v1/cache/purge",
            &tenant_admin,
            json!({"tenant": "globex"}),
        )
        .await;
    assert_eq!(other.status(), 400);
    let outside = app
        .post(
            "/admin/v1/cache/purge",
            &operator,
            json!({"tenant": "acme", "path": "/t/globex/x"}),
        )
        .await;
    assert_eq!(outside.status(), 400);
}

#[tokio::test]
async fn cache_hits_may_be_free_of_rate_limit_budget() {
    let app = spawn_app_with(|config| {
        config.gateway.count_cache_hits = false;
        config.gateway.rate_limits.client_per_minute = 3;
    })
    .await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    assert_eq!(app.get(&location, &token).await.status(), 200);
    for _ in 0..5 {
        let hit = app.get(&location, &token).await;
        assert_eq!(
            (hit.status().as_u16(), x_cache(&hit)),
            (200, "HIT".to_owned())
        );
    }
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200,
        "the third miss"
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products?page=2", &token)
            .await
            .status(),
        429,
        "misses spend"
    );
}

/// A redis-server of the test's own, so that it can be stopped and started again; it stops
/// with the test (left running, it kept the output pipe of `cargo test` open).
pub struct OwnRedis {
    port: u16,
    child: std::process::Child,
    dir: Option<tempfile::TempDir>,
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OwnRedis {
    pub fn start(port: u16, dir: tempfile::TempDir) -> Self {
        let child = std::process::Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed (apt-get install -y redis-server)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Self {
            port,
            child,
            dir: Some(dir),
        }
    }

    pub fn stop(mut self) -> (u16, tempfile::TempDir) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        (self.port, self.dir.take().expect("the folder"))
    }
}

#[tokio::test]
async fn with_redis_gone_the_api_answers_from_the_services_and_recovers() {
    let port = ReservedPort::new().release();
    let redis = OwnRedis::start(port, tempfile::tempdir().expect("dir"));
    let app =
        spawn_app_with(|config| config.redis_url = Some(format!("redis://127.0.0.1:{port}"))).await;
    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    assert_eq!(x_cache(&app.get(&location, &token).await), "MISS");
    assert_eq!(x_cache(&app.get(&location, &token).await), "HIT");

    let operator = app.operator_token().await;
    let (port, dir) = redis.stop();
    for _ in 0..3 {
        let response = app.get(&location, &token).await;
        assert_eq!(
            response.status(),
            200,
            "the cache's failure is not the API's"
        );
    }
    let ready: Value = app
        .http
        .get(app.url("/readyz"))
        .bearer_auth(&operator)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["checks"]["cache"], "down");
    assert!(
        ready["checks"]["cache_errors"]
            .as_u64()
            .is_some_and(|n| n > 0),
        "counted: {ready}"
    );

    let _redis = OwnRedis::start(port, dir);
    let mut recovered = false;
    for _ in 0..50 {
        app.get(&location, &token).await;
        if x_cache(&app.get(&location, &token).await) == "HIT" {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "the cache is used again once Redis is back");
}
