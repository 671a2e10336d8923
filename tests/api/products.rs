use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{problem, problem_fields, spawn_app, www_authenticate};

fn widget(name: &str, amount: i64) -> Value {
    json!({"name": name, "description": "A very good widget", "sku": format!("SKU-{}", name.replace(' ', "-")), "price": {"amount": amount, "currency": "EUR"}})
}

#[tokio::test]
async fn a_client_creates_reads_replaces_lists_and_deletes_products_through_the_gateway() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;

    let created = app
        .post("/t/acme/api/v1/products", &token, widget("Widget", 1999))
        .await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let product: Value = created.json().await.expect("json");
    let id = product["id"].as_str().expect("id");
    assert_eq!(location, format!("/t/acme/api/v1/products/{id}"));
    assert_eq!(product["price"], json!({"amount": 1999, "currency": "EUR"}));

    let fetched: Value = app.get(&location, &token).await.json().await.expect("json");
    assert_eq!(fetched, product);

    let replaced = app
        .send(
            Method::PUT,
            &location,
            Some(&token),
            Some(widget("Gadget", 2500)),
        )
        .await;
    assert_eq!(replaced.status(), 200);
    let replaced: Value = replaced.json().await.expect("json");
    assert_eq!(replaced["name"], "Gadget");
    assert_eq!(replaced["created_at"], product["created_at"]);
    let fetched: Value = app.get(&location, &token).await.json().await.expect("json");
    assert_eq!(fetched, replaced);

    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0], replaced);

    let deleted = app
        .send(Method::DELETE, &location, Some(&token), None)
        .await;
    assert_eq!(deleted.status(), 204);
    let gone = app.get(&location, &token).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(
        problem(gone).await["type"],
        "urn:gatehouse:problem:not-found"
    );
}

#[tokio::test]
async fn lists_are_paged_in_a_stable_order_with_a_bounded_page_size() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let response = app
            .post(
                "/t/acme/api/v1/products",
                &token,
                widget(&format!("P{i}"), i),
            )
            .await;
        let body: Value = response.json().await.expect("json");
        ids.push(body["id"].as_str().expect("id").to_owned());
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let body: Value = app
            .get(
                &format!("/t/acme/api/v1/products?page={page}&per_page=2"),
                &token,
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(body["total"], 5);
        assert_eq!(body["page"], page);
        assert_eq!(body["per_page"], 2);
        for item in body["items"].as_array().expect("items") {
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
    }
    assert_eq!(seen, ids, "every product once, in creation order");

    let too_big = app
        .get("/t/acme/api/v1/products?per_page=101", &token)
        .await;
    assert_eq!(too_big.status(), 400);
    let body = problem(too_big).await;
    assert_eq!(body["errors"][0]["field"], "per_page");
    let zero = app.get("/t/acme/api/v1/products?page=0", &token).await;
    assert_eq!(zero.status(), 400);
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once_and_nothing_is_created() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let response = app
        .post(
            "/t/acme/api/v1/products",
            &token,
            json!({"name": " ", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": -1, "currency": "euro"}}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body = problem(response).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:validation");
    let mut fields = problem_fields(&body);
    fields.sort_unstable();
    assert_eq!(fields, ["name", "price.amount", "price.currency"]);
    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_read_only_token_reads_but_cannot_write() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app
        .register_client("acme", "products:read products:write")
        .await;
    let read_only = app.token(&client, &["products:read"]).await;

    let list = app.get("/t/acme/api/v1/products", &read_only).await;
    assert_eq!(list.status(), 200);

    let write = app
        .post("/t/acme/api/v1/products", &read_only, widget("Widget", 1))
        .await;
    assert_eq!(write.status(), 403);
    let challenge = www_authenticate(&write);
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(
        challenge.contains(r#"scope="products:write""#),
        "{challenge}"
    );
    assert_eq!(problem(write).await["status"], 403);
}

#[tokio::test]
async fn a_token_without_any_product_scope_is_refused() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "orders:read").await;
    let token = app.token(&client, &[]).await;
    let response = app.get("/t/acme/api/v1/products", &token).await;
    assert_eq!(response.status(), 403);
    assert!(www_authenticate(&response).contains(r#"scope="products:read""#));
}

#[tokio::test]
async fn requests_without_a_token_get_a_bearer_challenge() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let response = app
        .send(Method::GET, "/t/acme/api/v1/products", None, None)
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        www_authenticate(&response),
        format!(
            r#"Bearer realm="gatehouse", resource_metadata="{}""#,
            app.url("/.well-known/oauth-protected-resource/t/acme/api/v1")
        )
    );
    assert_eq!(problem(response).await["status"], 401);

    let garbage = app.get("/t/acme/api/v1/products", "not-a-jwt").await;
    assert_eq!(garbage.status(), 401);
    assert!(www_authenticate(&garbage).contains(r#"error="invalid_token""#));
}

#[tokio::test]
async fn writes_conditioned_on_a_stale_version_are_refused_with_412() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let created = app
        .post("/t/acme/api/v1/products", &token, widget("Widget", 1))
        .await;
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let first = app.get(&location, &token).await;
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    let write = |etag: String, name: &'static str| {
        app.http
            .put(app.url(&location))
            .bearer_auth(&token)
            .header("if-match", etag)
            .json(&widget(name, 2))
            .send()
    };
    let replaced = write(etag.clone(), "Gadget").await.expect("answer");
    assert_eq!(replaced.status(), 200);
    let new_etag = replaced.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_ne!(new_etag, etag);

    let stale = write(etag.clone(), "Lost update").await.expect("answer");
    assert_eq!(stale.status(), 412);
    assert_eq!(
        problem(stale).await["type"],
        "urn:gatehouse:problem:precondition-failed"
    );
    let current: Value = app.get(&location, &token).await.json().await.expect("json");
    assert_eq!(current["name"], "Gadget", "the stale write changed nothing");

    let stale_delete = app
        .http
        .delete(app.url(&location))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .send()
        .await
        .expect("answer");
    assert_eq!(stale_delete.status(), 412);
    let not_modified = app
        .http
        .get(app.url(&location))
        .bearer_auth(&token)
        .header("if-none-match", &new_etag)
        .header("cache-control", "no-cache")
        .send()
        .await
        .expect("answer");
    assert_eq!(
        not_modified.status(),
        304,
        "the service itself answers If-None-Match"
    );
    let deleted = app
        .http
        .delete(app.url(&location))
        .bearer_auth(&token)
        .header("if-match", "*")
        .send()
        .await
        .expect("answer");
    assert_eq!(deleted.status(), 204);
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retried_post_create_nothing() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let post = |key: &str, body: Value| {
        app.http
            .post(app.url("/t/acme/api/v1/products"))
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = post("order-42", widget("Widget", 1)).await.expect("answer");
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let first: Value = first.json().await.expect("json");
    let again = post("order-42", widget("Widget", 1)).await.expect("answer");
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.headers()["location"].to_str().expect("ascii"),
        location
    );
    assert_eq!(
        again.json::<Value>().await.expect("json"),
        first,
        "the first answer, unchanged"
    );

    let other_body = post("order-42", widget("Gadget", 9)).await.expect("answer");
    assert_eq!(other_body.status(), 422);
    problem(other_body).await;

    // Concurrent retries wait for the first and replay it.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let request = app
                .http
                .post(app.url("/t/acme/api/v1/products"))
                .bearer_auth(&token)
                .header("idempotency-key", "order-43")
                .json(&widget("Concurrent", 3));
            tokio::spawn(async move { request.send().await })
        })
        .collect();
    let mut locations = Vec::new();
    for task in tasks {
        let response = task.await.expect("task").expect("answer");
        assert_eq!(response.status(), 201);
        locations.push(
            response.headers()["location"]
                .to_str()
                .expect("ascii")
                .to_owned(),
        );
    }
    locations.dedup();
    assert_eq!(locations.len(), 1, "one product for one key");

    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 2);
    let bad = post(&"k".repeat(300), widget("x", 1))
        .await
        .expect("answer");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn a_merge_patch_changes_only_what_it_names() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let created = app
        .post("/t/acme/api/v1/products", &token, widget("Widget", 100))
        .await;
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let patch = |body: &str, if_match: Option<&str>| {
        let mut request = app
            .http
            .patch(app.url(&location))
            .bearer_auth(&token)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_owned());
        if let Some(etag) = if_match {
            request = request.header("if-match", etag);
        }
        request.send()
    };
    let changed = patch(r#"{"price": {"amount": 2499}, "description": null}"#, None)
        .await
        .expect("answer");
    assert_eq!(changed.status(), 200);
    let etag = changed.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let product: Value = changed.json().await.expect("json");
    assert_eq!(product["name"], "Widget", "untouched");
    assert_eq!(product["price"], json!({"amount": 2499, "currency": "EUR"}));
    assert_eq!(product["description"], "", "removed");

    let invalid = patch(
        r#"{"name": null, "price": {"currency": 5}, "colour": "red"}"#,
        None,
    )
    .await
    .expect("answer");
    assert_eq!(invalid.status(), 400);
    let body = problem(invalid).await;
    let mut fields = problem_fields(&body);
    fields.sort_unstable();
    assert_eq!(fields, ["colour", "name", "price.currency"]);

    assert_eq!(
        patch(r#"{"name": "Renamed"}"#, Some(&etag))
            .await
            .expect("answer")
            .status(),
        200
    );
    assert_eq!(
        patch(r#"{"name": "Lost"}"#, Some(&etag))
            .await
            .expect("answer")
            .status(),
        412,
        "stale"
    );
    assert_eq!(patch("[1, 2]", None).await.expect("answer").status(), 400);
    let current: Value = app.get(&location, &token).await.json().await.expect("json");
    assert_eq!(current["name"], "Renamed");
}
