//! Sanity tests of the whole service against an in-memory SQLite, with the identity headers
//! the gateway would set. (The black-box tests of the platform live in `/tests`.)

use gatehouse_proto::{Identity, PROBLEM_CONTENT_TYPE};
use poem::endpoint::BoxEndpoint;
use poem::http::{Method, StatusCode};
use poem::{Endpoint, Request};
use serde_json::{Value, json};

use crate::{ResourcesConfig, endpoint, migrate, openapi_json};

thread_local! {
    // Fresh tenant ids for each test (each runs on its own thread), so that the tests can
    // share one database.
    static ACME_ID: String = uuid::Uuid::now_v7().to_string();
    static GLOBEX_ID: String = uuid::Uuid::now_v7().to_string();
}

fn acme_id() -> String {
    ACME_ID.with(Clone::clone)
}

fn globex_id() -> String {
    GLOBEX_ID.with(Clone::clone)
}

fn identity(tenant: &str, tenant_id: &str, scopes: &[&str]) -> Identity {
    Identity {
        tenant: tenant.into(),
        tenant_id: tenant_id.into(),
        token_tenant: tenant.into(),
        subject: "svc".into(),
        client_id: "svc".into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn acme() -> Identity {
    identity("acme", &acme_id(), &["products:read", "products:write"])
}

fn globex() -> Identity {
    identity("globex", &globex_id(), &["products:read", "products:write"])
}

/// The database of the tests: in-memory SQLite, unless `GATEHOUSE_RESOURCES_TEST_DATABASE_URL`
/// names another (a PostgreSQL one, say).
async fn service(config: ResourcesConfig) -> BoxEndpoint<'static> {
    let url = std::env::var("GATEHOUSE_RESOURCES_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "sqlite::memory:".to_owned());
    let db = sea_orm::Database::connect(&url).await.expect("sqlite");
    migrate(&db).await.expect("migrate");
    migrate(&db).await.expect("migrating twice is a no-op");
    endpoint(db, config, proof_key())
}

fn proof_key() -> gatehouse_proto::ProofKey {
    gatehouse_proto::ProofKey::new(b"the resource service's unit tests")
}

struct Reply {
    status: StatusCode,
    content_type: String,
    location: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// Asserts that this is a problem document of `status`, and returns it.
    fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.content_type, PROBLEM_CONTENT_TYPE, "{}", self.body);
        let problem = self.json();
        assert_eq!(problem["status"], status);
        problem
    }
}

async fn call(
    ep: &BoxEndpoint<'static>,
    method: Method,
    uri: &str,
    who: Option<&Identity>,
    body: Option<&str>,
) -> Reply {
    let mut req = Request::builder().method(method).uri_str(uri);
    if let Some(who) = who {
        req = req.header("authorization", "Bearer opaque-to-this-service");
        for (name, value) in who.to_headers() {
            req = req.header(name, value);
        }
    }
    let mut req = match body {
        Some(body) => req.content_type("application/json").body(body.to_owned()),
        None => req.finish(),
    };
    let target = req.uri().to_string();
    let method = req.method().clone();
    proof_key().sign(&method, &target, req.headers_mut());
    let resp = ep.get_response(req).await;
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Reply {
        status: resp.status(),
        content_type: header("content-type").unwrap_or_default(),
        location: header("location"),
        body: resp.into_body().into_string().await.expect("body"),
    }
}

fn widget(name: &str) -> String {
    json!({"name": name, "description": "A widget", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 1999, "currency": "EUR"}})
        .to_string()
}

const PRODUCTS: &str = "/t/acme/api/v1/products";

#[tokio::test]
async fn products_round_trip() {
    let ep = service(ResourcesConfig::default()).await;
    let me = acme();

    let created = call(
        &ep,
        Method::POST,
        PRODUCTS,
        Some(&me),
        Some(&widget(" W1 ")),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let product = created.json();
    let id = product["id"].as_str().expect("id").to_owned();
    assert_eq!(
        uuid::Uuid::parse_str(&id).expect("uuid").get_version_num(),
        7
    );
    assert_eq!(product["name"], "W1");
    assert_eq!(product["price"], json!({"amount": 1999, "currency": "EUR"}));
    assert_eq!(product["created_at"], product["updated_at"]);
    let url = format!("{PRODUCTS}/{id}");
    assert_eq!(created.location.as_deref(), Some(url.as_str()));

    let got = call(&ep, Method::GET, &url, Some(&me), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json(), product);

    let no_description = r#"{"name":"W1b","sku":"W1B","price":{"amount":0,"currency":"USD"}}"#;
    let replaced = call(&ep, Method::PUT, &url, Some(&me), Some(no_description)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    let replaced = replaced.json();
    assert_eq!(replaced["description"], "");
    assert_eq!(replaced["created_at"], product["created_at"]);
    let got = call(&ep, Method::GET, &url, Some(&me), None).await;
    assert_eq!(got.json(), replaced);

    for n in 2..=3 {
        let r = call(
            &ep,
            Method::POST,
            PRODUCTS,
            Some(&me),
            Some(&widget(&format!("W{n}"))),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let page = call(&ep, Method::GET, PRODUCTS, Some(&me), None)
        .await
        .json();
    assert_eq!(page["page"], 1);
    assert_eq!(page["per_page"], 20);
    assert_eq!(page["total"], 3);
    let names: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["W1b", "W2", "W3"]);
    let second = call(
        &ep,
        Method::GET,
        &format!("{PRODUCTS}?page=2&per_page=2"),
        Some(&me),
        None,
    )
    .await
    .json();
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["items"][0]["name"], "W3");
    assert_eq!(second["total"], 3);
    let far = format!("{PRODUCTS}?page={}&per_page=100", u64::MAX);
    let far = call(&ep, Method::GET, &far, Some(&me), None).await;
    assert_eq!(far.status, StatusCode::OK, "{}", far.body);
    assert_eq!(far.json()["items"], json!([]));

    let deleted = call(&ep, Method::DELETE, &url, Some(&me), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    call(&ep, Method::GET, &url, Some(&me), None)
        .await
        .problem(404);
    call(&ep, Method::DELETE, &url, Some(&me), None)
        .await
        .problem(404);
    call(&ep, Method::PUT, &url, Some(&me), Some(&widget("x")))
        .await
        .problem(404);
}

#[tokio::test]
async fn tenants_never_see_each_others_products() {
    let ep = service(ResourcesConfig::default()).await;
    let created = call(
        &ep,
        Method::POST,
        PRODUCTS,
        Some(&acme()),
        Some(&widget("mine")),
    )
    .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();

    let theirs = format!("/t/globex/api/v1/products/{id}");
    let them = globex();
    call(&ep, Method::GET, &theirs, Some(&them), None)
        .await
        .problem(404);
    call(
        &ep,
        Method::PUT,
        &theirs,
        Some(&them),
        Some(&widget("stolen")),
    )
    .await
    .problem(404);
    call(&ep, Method::DELETE, &theirs, Some(&them), None)
        .await
        .problem(404);
    let list = call(
        &ep,
        Method::GET,
        "/t/globex/api/v1/products",
        Some(&them),
        None,
    )
    .await;
    assert_eq!(list.json()["total"], 0);

    // An identity of one tenant on the path of another is refused, whatever the checker saw.
    let ours = format!("{PRODUCTS}/{id}");
    call(&ep, Method::GET, &ours, Some(&them), None)
        .await
        .problem(403);

    let mine = call(&ep, Method::GET, &ours, Some(&acme()), None).await;
    assert_eq!(mine.json()["name"], "mine");
}

#[tokio::test]
async fn bad_requests_are_problems() {
    let ep = service(ResourcesConfig {
        max_per_page: 50,
        ..ResourcesConfig::default()
    })
    .await;
    let me = acme();

    for id in [
        "not-a-uuid",
        "01930000-0000-7000-8000-00000000000g",
        "0193000000007000800000000000000a",
    ] {
        call(
            &ep,
            Method::GET,
            &format!("{PRODUCTS}/{id}"),
            Some(&me),
            None,
        )
        .await
        .problem(404);
    }

    let invalid = json!({"name": "", "description": "d".repeat(2001), "sku": "S-1",
        "price": {"amount": -5, "currency": "eur"}});
    let r = call(
        &ep,
        Method::POST,
        PRODUCTS,
        Some(&me),
        Some(&invalid.to_string()),
    )
    .await;
    let fields: Vec<Value> = r.problem(400)["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        ["name", "description", "price.amount", "price.currency"]
    );

    for query in [
        "per_page=0",
        "per_page=51",
        "page=0&per_page=51",
        "per_page=-1",
        "per_page=x",
    ] {
        let r = call(
            &ep,
            Method::GET,
            &format!("{PRODUCTS}?{query}"),
            Some(&me),
            None,
        )
        .await;
        let problem = r.problem(400);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(fields.contains(&"per_page"), "{query}: {problem}");
    }

    for body in [
        "{",
        "[]",
        r#"{"name": 5, "price": {"amount": 1, "currency": "EUR"}}"#,
        r#"{"name": "a", "price": {"amount": "1", "currency": "EUR"}}"#,
        r#"{"name": "a", "price": {"amount": 1e30, "currency": "EUR"}}"#,
        r#"{"name": "a", "price": {"amount": 1.5, "currency": "EUR"}}"#,
        r#"{"name": "a", "price": {"amount": 1, "currency": 978}}"#,
        r#"{"name": "a", "description": true, "price": {"amount": 1, "currency": "EUR"}}"#,
        r#"{"name": "a", "price": {"amount": 9223372036854775808, "currency": "EUR"}}"#,
        r#"{"name": "a"}"#,
        "",
    ] {
        let r = call(&ep, Method::POST, PRODUCTS, Some(&me), Some(body)).await;
        r.problem(400);
    }
    let r = call(&ep, Method::POST, PRODUCTS, Some(&me), None).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert_eq!(r.content_type, PROBLEM_CONTENT_TYPE);

    call(&ep, Method::GET, "/t/acme/api/v1/nothing", Some(&me), None)
        .await
        .problem(404);
    call(&ep, Method::PATCH, PRODUCTS, Some(&me), None)
        .await
        .problem(405);
}

#[tokio::test]
async fn callers_need_an_identity_and_the_scope() {
    let ep = service(ResourcesConfig::default()).await;

    // Straight to the service, not through the gateway.
    call(&ep, Method::GET, PRODUCTS, None, None)
        .await
        .problem(401);
    let req = Request::builder()
        .uri_str(PRODUCTS)
        .header("authorization", "Bearer x")
        .finish();
    let resp = ep.get_response(req).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.content_type(), Some(PROBLEM_CONTENT_TYPE));

    // Identity headers and a token, but no gateway proof: nobody vouched for them.
    let mut req = Request::builder()
        .uri_str(PRODUCTS)
        .header("authorization", "Bearer x")
        .finish();
    for (name, value) in acme().to_headers() {
        req.headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    let resp = ep.get_response(req).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.content_type(), Some(PROBLEM_CONTENT_TYPE));

    // Identity headers with the gateway's proof but without a bearer token: the security
    // scheme still wants one.
    let mut req = Request::builder().uri_str(PRODUCTS).finish();
    for (name, value) in acme().to_headers() {
        req.headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    proof_key().sign(&Method::GET, PRODUCTS, req.headers_mut());
    let resp = ep.get_response(req).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.content_type(), Some(PROBLEM_CONTENT_TYPE));

    // The identity checker cannot see the path's tenant (poem-openapi renames path
    // parameters), so the handler's own check is what refuses this.
    let elsewhere = identity("globex", &globex_id(), &["products:read"]);
    let r = call(&ep, Method::GET, PRODUCTS, Some(&elsewhere), None).await;
    assert!(
        r.problem(403)["detail"]
            .as_str()
            .expect("detail")
            .contains("tenant")
    );

    let reader = identity("acme", &acme_id(), &["products:read"]);
    let ok = call(&ep, Method::GET, PRODUCTS, Some(&reader), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    let r = call(
        &ep,
        Method::POST,
        PRODUCTS,
        Some(&reader),
        Some(&widget("w")),
    )
    .await;
    assert!(
        r.problem(403)["detail"]
            .as_str()
            .expect("detail")
            .contains("products:write")
    );

    let writer = identity("acme", &acme_id(), &["products:write"]);
    call(&ep, Method::GET, PRODUCTS, Some(&writer), None)
        .await
        .problem(403);

    let bad_tenant_id = identity("acme", "acme", &["products:read"]);
    call(&ep, Method::GET, PRODUCTS, Some(&bad_tenant_id), None)
        .await
        .problem(401);
}

#[tokio::test]
async fn database_errors_do_not_leak() {
    let db = sea_orm::Database::connect("sqlite::memory:")
        .await
        .expect("sqlite");
    // No migration: every query fails.
    let ep = endpoint(db, ResourcesConfig::default(), proof_key());
    let r = call(&ep, Method::GET, PRODUCTS, Some(&acme()), None).await;
    let problem = r.problem(500);
    assert!(!r.body.contains("resources_products"), "{problem}");
}

#[tokio::test]
async fn docs_are_served() {
    let ep = service(ResourcesConfig::default()).await;

    let spec = call(&ep, Method::GET, "/openapi/resources.json", None, None).await;
    assert_eq!(spec.status, StatusCode::OK);
    assert_eq!(
        spec.json(),
        serde_json::from_str::<Value>(&openapi_json()).expect("json")
    );

    let ui = call(&ep, Method::GET, "/docs/resources", None, None).await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(ui.body.contains("/t/{tenant}/oauth2/token"));

    let acme_ui = call(&ep, Method::GET, "/t/acme/docs", None, None).await;
    assert_eq!(acme_ui.status, StatusCode::OK);
    assert!(acme_ui.content_type.starts_with("text/html"));
    assert!(acme_ui.body.contains("/t/acme/oauth2/token"));
    assert!(!acme_ui.body.contains("/t/{tenant}/oauth2/token"));

    for bad in ["/t/Acme/docs", "/t/-acme/docs", "/t/a%3Cb/docs"] {
        call(&ep, Method::GET, bad, None, None).await.problem(404);
    }
}

#[test]
fn the_document_describes_the_api() {
    let doc: Value = serde_json::from_str(&openapi_json()).expect("json");
    assert_eq!(doc["info"]["title"], "Gatehouse resource API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let scheme = &doc["components"]["securitySchemes"]["ResourcesAuth"];
    assert_eq!(scheme["type"], "oauth2");
    let flow = &scheme["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], "/t/{tenant}/oauth2/token");
    assert!(flow["scopes"]["products:read"].is_string());
    assert!(flow["scopes"]["products:write"].is_string());

    let list = &doc["paths"]["/t/{tenant}/api/v1/products"]["get"];
    assert_eq!(
        list["security"],
        json!([{"ResourcesAuth": ["products:read"]}])
    );
    assert_eq!(list["operationId"], "listProducts");
    for status in ["200", "400", "401", "403", "404", "500"] {
        assert!(list["responses"][status].is_object(), "{status}");
    }
    let create = &doc["paths"]["/t/{tenant}/api/v1/products"]["post"];
    assert_eq!(
        create["security"],
        json!([{"ResourcesAuth": ["products:write"]}])
    );
    assert!(create["responses"]["201"]["headers"]["LOCATION"].is_object());
    let item = &doc["paths"]["/t/{tenant}/api/v1/products/{id}"];
    for method in ["get", "put", "delete"] {
        assert!(item[method].is_object(), "{method}");
    }
}

#[test]
fn every_documented_rule_finds_its_place_in_the_document() {
    let config = ResourcesConfig::default();
    let spec = crate::api::service(sea_orm::DatabaseConnection::default(), config.clone()).spec();
    if let Err(missing) = gatehouse_proto::with_rules(&spec, &crate::api::document_rules(&config)) {
        panic!("{missing}");
    }
}
