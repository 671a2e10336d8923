//! Customers through the gateway: CRUD, merge patch, unique emails, validation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::problem_fields;
use crate::orders::Shop;

#[tokio::test]
async fn a_client_manages_customers_with_unique_emails() {
    let shop = Shop::open("acme").await;
    let ada = shop
        .create(
            "customers",
            json!({"name": "  Ada Lovelace ", "email": "Ada@Example.com"}),
        )
        .await;
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["email"], "ada@example.com", "stored in lower case");
    let path = format!("customers/{}", ada["id"].as_str().expect("id"));
    assert_eq!(shop.read(&path).await, ada);

    let twin = shop
        .call(
            Method::POST,
            "customers",
            Some(json!({"name": "Other Ada", "email": "ADA@example.com"})),
        )
        .await;
    assert_eq!(twin.status(), 409, "the same address in another case");

    let patched = shop
        .call(
            Method::PATCH,
            &path,
            Some(json!({"email": "countess@example.org"})),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.expect("json");
    assert_eq!(patched["name"], "Ada Lovelace");
    assert_eq!(patched["email"], "countess@example.org");

    let replaced = shop
        .call(
            Method::PUT,
            &path,
            Some(json!({"name": "Augusta Ada King", "email": "ada@example.com"})),
        )
        .await;
    assert_eq!(replaced.status(), 200);

    let found = shop.read("customers?email=ADA@EXAMPLE.COM").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["name"], "Augusta Ada King");
    let searched = shop.read("customers?q=king").await;
    assert_eq!(searched["total"], 1);

    assert_eq!(shop.call(Method::DELETE, &path, None).await.status(), 204);
    assert_eq!(shop.call(Method::GET, &path, None).await.status(), 404);
}

#[tokio::test]
async fn every_wrong_customer_field_is_named_at_once() {
    let shop = Shop::open("acme").await;
    let invalid = shop
        .call(
            Method::POST,
            "customers",
            Some(json!({"name": " ", "email": "not an address"})),
        )
        .await;
    assert_eq!(invalid.status(), 400);
    let body: Value = invalid.json().await.expect("json");
    assert_eq!(problem_fields(&body), ["name", "email"]);

    let ada = shop.customer("ada@example.com").await;
    let path = format!("customers/{}", ada["id"].as_str().expect("id"));
    let patch = shop
        .call(
            Method::PATCH,
            &path,
            Some(json!({"name": null, "email": 5, "phone": "123"})),
        )
        .await;
    assert_eq!(patch.status(), 400);
    let body: Value = patch.json().await.expect("json");
    assert_eq!(problem_fields(&body), ["email", "name", "phone"]);
    assert_eq!(shop.read(&path).await, ada, "nothing changed");
    assert_eq!(shop.read("customers").await["total"], 1);
}
