//! Bad input gets a clear 4xx problem and changes nothing; request ids and health.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_answers_and_every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

    let mine = app
        .http
        .get(app.url("/nowhere"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("answer");
    assert_eq!(mine.headers()["x-request-id"], "trace-me-42");
    let hostile = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "a b\"c")
        .send()
        .await
        .expect("answer");
    assert_ne!(
        hostile.headers()["x-request-id"],
        "a b\"c",
        "unsafe ids are replaced"
    );
}

#[tokio::test]
async fn unknown_paths_and_tenants_are_4xx_problems() {
    let app = spawn_app().await;
    for path in [
        "/nowhere",
        "/t/UPPER/api/v1/products",
        "/t/acme/unknown",
        "/openapi/nothing.json",
    ] {
        let response = app.http.get(app.url(path)).send().await.expect("answer");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            problem(response).await["type"],
            "urn:gatehouse:problem:not-found"
        );
    }
    let jwks = app
        .http
        .get(app.url("/t/nowhere/jwks.json"))
        .send()
        .await
        .expect("answer");
    assert_eq!(jwks.status(), 404);
    assert_eq!(problem(jwks).await["status"], 404);
    let token = app.operator_token().await;
    let method = app
        .send(Method::PATCH, "/admin/v1/tenants", Some(&token), None)
        .await;
    assert_eq!(method.status(), 405);
    problem(method).await;
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_400_problems_and_create_nothing() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let bodies = [
        "{\"name\": ",
        "[]",
        "{\"name\": 5, \"price\": {\"amount\": 1, \"currency\": \"EUR\"}}",
        "{\"name\": \"x\", \"price\": {\"amount\": \"lots\", \"currency\": \"EUR\"}}",
        "{\"name\": \"x\"}",
    ];
    for body in bodies {
        let response = app
            .http
            .post(app.url("/t/acme/api/v1/products"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 400, "{body}");
        problem(response).await;
    }
    let wrong_type = app
        .http
        .post(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong_type.status(), 415);
    problem(wrong_type).await;

    let operator = app.operator_token().await;
    let response = app
        .http
        .post(app.url("/admin/v1/tenants"))
        .bearer_auth(&operator)
        .header("content-type", "application/json")
        .body("{\"slug\": ")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    problem(response).await;

    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn an_oversize_body_is_a_413_problem_and_creates_nothing() {
    let app = spawn_app_with(|config| config.gateway.max_body_bytes = 1024).await;
    let token = app.tenant_with_product_token("acme").await;
    let big = json!({"name": "x", "description": "y".repeat(2000), "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 1, "currency": "EUR"}});
    let response = app.post("/t/acme/api/v1/products", &token, big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        problem(response).await["type"],
        "urn:gatehouse:problem:payload-too-large"
    );

    // Without a Content-Length, the limit holds while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(vec![b' '; 800]), Ok(vec![b' '; 800])];
    let response = app
        .http
        .post(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_stream(chunks)))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 413);

    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0);
}

fn futures_stream(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    tokio_stream::iter(chunks)
}

#[tokio::test]
async fn bad_ids_in_paths_are_404_not_500() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    for id in [
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
        "%00",
        "..%2F..",
    ] {
        let response = app
            .get(&format!("/t/acme/api/v1/products/{id}"), &token)
            .await;
        assert_eq!(response.status(), 404, "{id}");
    }
    let operator = app.operator_token().await;
    let response = app
        .get("/t/acme/admin/v1/users/not-a-uuid", &operator)
        .await;
    assert_eq!(response.status(), 404);
}
