//! Optimistic concurrency: `If-Match` on every kind of write, and tenants that require it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::problem;
use crate::orders::Shop;

impl Shop {
    /// Sends a write with an optional `If-Match`.
    async fn write_if(
        &self,
        method: Method,
        rest: &str,
        etag: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .app
            .http
            .request(method, self.app.url(&self.path(rest)))
            .bearer_auth(&self.token);
        if let Some(etag) = etag {
            request = request.header("if-match", etag);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("answer")
    }

    async fn etag_of(&self, rest: &str) -> String {
        let response = self.call(Method::GET, rest, None).await;
        response.headers()["etag"]
            .to_str()
            .expect("ascii")
            .to_owned()
    }
}

#[tokio::test]
async fn a_stale_if_match_on_an_order_or_customer_gets_412_and_changes_nothing() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 5).await;
    let ada = shop.customer("ada@example.com").await;
    let order: Value = shop
        .place(&ada, &[(&cup, 1)])
        .await
        .json()
        .await
        .expect("json");
    let path = format!("orders/{}", order["id"].as_str().expect("id"));
    let etag = shop.etag_of(&path).await;

    let paid = shop
        .write_if(
            Method::PATCH,
            &path,
            Some(&etag),
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(paid.status(), 200);
    let stale = shop
        .write_if(
            Method::PATCH,
            &path,
            Some(&etag),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(stale.status(), 412);
    assert_eq!(
        problem(stale).await["type"],
        "urn:gatehouse:problem:precondition-failed"
    );
    assert_eq!(shop.read(&path).await["status"], "paid");
    assert_eq!(shop.stock_of(&cup).await, 4);

    let customer = format!("customers/{}", ada["id"].as_str().expect("id"));
    let etag = shop.etag_of(&customer).await;
    let renamed = shop
        .write_if(
            Method::PATCH,
            &customer,
            Some(&etag),
            Some(json!({"name": "Ada"})),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let stale = shop
        .write_if(Method::DELETE, &customer, Some(&etag), None)
        .await;
    assert_eq!(stale.status(), 412);
}

#[tokio::test]
async fn a_tenant_that_requires_if_match_refuses_blind_writes_with_428() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 5).await;
    let operator = shop.app.operator_token().await;
    let set = shop
        .app
        .send(
            Method::PATCH,
            "/admin/v1/tenants/acme",
            Some(&operator),
            Some(json!({"require_if_match": true})),
        )
        .await;
    assert_eq!(set.status(), 200);
    assert_eq!(
        set.json::<Value>().await.expect("json")["require_if_match"],
        true
    );

    let path = format!("products/{}", cup["id"].as_str().expect("id"));
    for (method, body) in [
        (
            Method::PUT,
            Some(json!({"name": "Cup", "sku": "CUP", "price": {"amount": 1, "currency": "EUR"}})),
        ),
        (Method::PATCH, Some(json!({"stock": 9}))),
        (Method::DELETE, None),
    ] {
        let blind = shop.write_if(method.clone(), &path, None, body).await;
        assert_eq!(blind.status(), 428, "{method} without If-Match");
        assert_eq!(
            problem(blind).await["type"],
            "urn:gatehouse:problem:precondition-required"
        );
    }
    assert_eq!(shop.stock_of(&cup).await, 5, "nothing changed");

    let etag = shop.etag_of(&path).await;
    let conditional = shop
        .write_if(Method::PATCH, &path, Some(&etag), Some(json!({"stock": 9})))
        .await;
    assert_eq!(conditional.status(), 200);
    // Creating has nothing to be conditional on.
    let created = shop.customer("ada@example.com").await;
    assert!(created["id"].is_string());

    // Another tenant is not bound by acme's setting.
    let globex = shop.app.tenant_with_shop_token("globex").await;
    let other = shop
        .app
        .http
        .post(shop.app.url("/t/globex/api/v1/products"))
        .bearer_auth(&globex)
        .json(&json!({"name": "Cup", "sku": "CUP", "price": {"amount": 1, "currency": "EUR"}}))
        .send()
        .await
        .expect("answer");
    let location = other.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let blind = shop
        .app
        .http
        .delete(shop.app.url(&location))
        .bearer_auth(&globex)
        .send()
        .await
        .expect("answer");
    assert_eq!(blind.status(), 204);
}
