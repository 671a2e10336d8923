//! `gatehouse serve auth|resources|gateway`: the gateway reaches the services over HTTP and
//! behaves as it does in one process.

use gatehouse::{Application, Role, Secret};
use serde_json::{Value, json};

use crate::helpers::{INTERNAL_KEY, ReservedPort, TestApp, fresh_database, test_config, test_log};
use crate::split_deployment::ServiceProcess;

pub(crate) async fn start(config: gatehouse::Config, role: Role) -> String {
    let app = Application::build(config, role)
        .await
        .expect("service starts");
    let base = app.base_url().to_owned();
    tokio::spawn(app.run_until_stopped());
    base
}

/// The platform split in processes: an auth server, a resource service and `gateways`
/// gateways, all sharing one database and one Redis. Each returned app speaks to one gateway;
/// every gateway accepts the tokens of the first one's public URL.
pub async fn spawn_split(gateways: usize, adjust: impl Fn(&mut gatehouse::Config)) -> Split {
    spawn_split_with_auth_servers(gateways, 1, adjust).await
}

/// `spawn_split` with `auth_servers` auth servers: gateway `i` reaches auth server
/// `i % auth_servers`.
pub async fn spawn_split_with_auth_servers(
    gateways: usize,
    auth_servers: usize,
    adjust: impl Fn(&mut gatehouse::Config),
) -> Split {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    // The issuer names the (first) gateway's address, so that address is chosen first.
    let ports: Vec<ReservedPort> = (0..gateways).map(|_| ReservedPort::new()).collect();
    let public_url = format!("http://127.0.0.1:{}", ports[0].port());
    let admin_secret = format!("split-admin-secret-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.public_url = Some(public_url);
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    config.internal_key = Some(Secret::new(INTERNAL_KEY));
    // The processes share one Redis: that is how revocations and budgets are shared.
    config.redis_url = Some(crate::cache_backends::redis_url());
    config.redis_namespace = format!("split{}", uuid::Uuid::new_v4().simple());
    config.auth.listen = "127.0.0.1:0".into();
    config.resources.listen = "127.0.0.1:0".into();
    adjust(&mut config);
    let mut auths = Vec::new();
    for _ in 0..auth_servers {
        auths.push(start(config.clone(), Role::Auth).await);
    }
    let resources = start(config.clone(), Role::Resources).await;
    config.gateway.resources_url = resources.clone().into();
    let mut apps = Vec::new();
    let mut data_dir = Some(data_dir);
    for (i, port) in ports.into_iter().enumerate() {
        let mut gateway_config = config.clone();
        gateway_config.gateway.auth_url = auths[i % auth_servers].clone().into();
        gateway_config.listen = format!("127.0.0.1:{}", port.release());
        let base = start(gateway_config, Role::Gateway).await;
        apps.push(TestApp {
            base,
            http: reqwest::Client::new(),
            admin_secret: admin_secret.clone(),
            database_url: database_url.clone(),
            data_dir: data_dir
                .take()
                .unwrap_or_else(|| tempfile::tempdir().expect("dir")),
        });
    }
    Split {
        gateways: apps,
        resources,
    }
}

pub struct Split {
    pub gateways: Vec<TestApp>,
    /// The resource service's own address.
    pub resources: String,
}

#[tokio::test]
async fn the_gateway_in_its_own_process_routes_to_services_over_http() {
    let mut split = spawn_split(1, |_| {}).await;
    let app = split.gateways.remove(0);
    let token = app.tenant_with_product_token("acme").await;
    let created = app
        .post(
            "/t/acme/api/v1/products",
            &token,
            json!({"name": "Widget", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 5, "currency": "EUR"}}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 1);
    let read_only_client = app.register_client("acme", "products:read").await;
    let read_only = app.token(&read_only_client, &[]).await;
    assert_eq!(
        app.post("/t/acme/api/v1/products", &read_only, json!({}))
            .await
            .status(),
        403
    );
    let unknown = app
        .http
        .get(app.url("/t/acme/api/v1/products/nope"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");
    assert_eq!(unknown.status(), 404);

    // A revocation at the auth server reaches the gateway through the shared cache.
    let machine = app.register_client("acme", "products:read").await;
    let revocable = app.token(&machine, &[]).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &revocable)
            .await
            .status(),
        200
    );
    app.revoke(&machine, &revocable).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &revocable)
            .await
            .status(),
        401
    );

    // The resource service alone refuses callers the gateway did not vouch for.
    let resources = split.resources;
    let direct = reqwest::Client::new()
        .get(format!("{resources}/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");
    assert_eq!(direct.status(), 401);
}

#[tokio::test]
async fn gateways_sharing_redis_spend_one_exact_budget() {
    let split = spawn_split(2, |config| config.gateway.rate_limits.client_per_minute = 6).await;
    let (first, second) = (&split.gateways[0], &split.gateways[1]);
    let token = first.tenant_with_product_token("acme").await;
    let mut allowed = 0;
    for i in 0..10 {
        let gateway = if i % 2 == 0 { first } else { second };
        if gateway
            .get("/t/acme/api/v1/products", &token)
            .await
            .status()
            == 200
        {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 6, "one budget across both gateways");
}

#[tokio::test]
async fn a_purge_through_one_gateway_reaches_every_gateway_sharing_redis() {
    let split = spawn_split(2, |_| {}).await;
    let (first, second) = (&split.gateways[0], &split.gateways[1]);
    let token = first.tenant_with_product_token("acme").await;
    let location = first.create_product(&token, "Widget").await;
    let x_cache =
        |r: &reqwest::Response| r.headers()["x-cache"].to_str().expect("ascii").to_owned();
    assert_eq!(x_cache(&second.get(&location, &token).await), "MISS");
    assert_eq!(
        x_cache(&first.get(&location, &token).await),
        "HIT",
        "one cache in Redis"
    );
    let operator = first.operator_token().await;
    let purged = first
        .post(
            "/admin/v1/cache/purge",
            &operator,
            json!({"tenant": "acme"}),
        )
        .await;
    assert_eq!(purged.status(), 200);
    assert_eq!(
        x_cache(&second.get(&location, &token).await),
        "MISS",
        "gone for the other gateway too"
    );
}

#[tokio::test]
async fn a_killed_resource_instance_fails_no_idempotent_request() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let admin_secret = format!("lb-admin-secret-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.public_url = Some(format!("http://127.0.0.1:{port}"));
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    config.internal_key = Some(Secret::new(INTERNAL_KEY));
    config.auth.listen = "127.0.0.1:0".into();
    config.resources.listen = "127.0.0.1:0".into();
    config.gateway.health_check_seconds = 1;
    let auth = start(config.clone(), Role::Auth).await;
    let mut first = ServiceProcess::start("resources", &config, ReservedPort::new().release());
    let second = ServiceProcess::start("resources", &config, ReservedPort::new().release());
    config.gateway.auth_url = auth.into();
    config.gateway.resources_url =
        gatehouse::config::Urls::Many(vec![first.base.clone(), second.base.clone()]);
    config.listen = format!("127.0.0.1:{}", reserved.release());
    let gateway = start(config, Role::Gateway).await;
    let app = TestApp {
        base: gateway,
        http: reqwest::Client::new(),
        admin_secret,
        database_url,
        data_dir,
    };

    let token = app.tenant_with_product_token("acme").await;
    let location = app.create_product(&token, "Widget").await;
    for i in 0..40 {
        if i == 10 {
            first.kill();
        }
        // Past the response cache, so that every request reaches an instance.
        let response = app
            .http
            .get(app.url(&location))
            .bearer_auth(&token)
            .header("cache-control", "no-cache")
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 200, "request {i}");
    }
    let after = app
        .post(
            "/t/acme/api/v1/products",
            &token,
            json!({"name": "Gadget", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 5, "currency": "EUR"}}),
        )
        .await;
    assert_eq!(after.status(), 201, "the dead instance is ejected");
    let operator = app.operator_token().await;
    let health = |app: &TestApp| {
        let url = app.url("/readyz");
        let http = app.http.clone();
        let operator = operator.clone();
        async move {
            let ready: Value = http
                .get(url)
                .bearer_auth(operator)
                .send()
                .await
                .expect("answer")
                .json()
                .await
                .expect("json");
            ready["checks"]["instances"]["resources"].clone()
        }
    };
    assert_eq!(health(&app).await[0]["healthy"], false, "ejected");
    drop(second);
    let none_left = app
        .http
        .get(app.url(&location))
        .bearer_auth(&token)
        .header("cache-control", "no-cache")
        .send()
        .await
        .expect("answer");
    assert_eq!(none_left.status(), 502);
    assert_eq!(
        none_left.headers()["content-type"],
        "application/problem+json"
    );

    // The first instance comes back on its address: the health check re-admits it.
    first.restart();
    let mut readmitted = false;
    for _ in 0..40 {
        if health(&app).await[0]["healthy"] == true {
            readmitted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(readmitted, "re-admitted after an active health check");
    let served = app
        .http
        .get(app.url(&location))
        .bearer_auth(&token)
        .header("cache-control", "no-cache")
        .send()
        .await
        .expect("answer");
    assert_eq!(served.status(), 200);
}
