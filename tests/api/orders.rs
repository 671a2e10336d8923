//! Orders through the gateway: totals, stock taken in one transaction, transitions, and no
//! overselling under concurrency.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem, problem_fields, spawn_app};

/// A tenant's shop, driven over HTTP with one token that has every resource scope.
pub struct Shop {
    pub app: TestApp,
    pub token: String,
    pub tenant: String,
}

impl Shop {
    pub async fn open(tenant: &str) -> Self {
        let app = spawn_app().await;
        let token = app.tenant_with_shop_token(tenant).await;
        Self {
            app,
            token,
            tenant: tenant.to_owned(),
        }
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/t/{}/api/v1/{rest}", self.tenant)
    }

    pub async fn call(&self, method: Method, rest: &str, body: Option<Value>) -> reqwest::Response {
        let mut request = self
            .app
            .http
            .request(method, self.app.url(&self.path(rest)))
            .bearer_auth(&self.token)
            // Always the current state, never the gateway's cached copy.
            .header("cache-control", "no-cache");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the platform answers")
    }

    /// GETs a resource and returns its JSON, asserting a 200.
    pub async fn read(&self, rest: &str) -> Value {
        let response = self.call(Method::GET, rest, None).await;
        assert_eq!(response.status(), 200, "GET {rest}");
        response.json().await.expect("json")
    }

    /// Creates something and returns its JSON, asserting a 201.
    pub async fn create(&self, collection: &str, body: Value) -> Value {
        let response = self.call(Method::POST, collection, Some(body)).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, 201, "POST {collection}: {text}");
        serde_json::from_str(&text).expect("json")
    }

    pub async fn product(&self, sku: &str, amount: i64, stock: i64) -> Value {
        self.create(
            "products",
            json!({"name": format!("Product {sku}"), "sku": sku, "stock": stock,
                   "price": {"amount": amount, "currency": "EUR"}}),
        )
        .await
    }

    pub async fn customer(&self, email: &str) -> Value {
        self.create("customers", json!({"name": "Ada Lovelace", "email": email}))
            .await
    }

    pub async fn stock_of(&self, product: &Value) -> i64 {
        self.read(&format!("products/{}", product["id"].as_str().expect("id")))
            .await["stock"]
            .as_i64()
            .expect("stock")
    }

    pub async fn place(&self, customer: &Value, lines: &[(&Value, i64)]) -> reqwest::Response {
        let lines: Vec<Value> = lines
            .iter()
            .map(|(product, quantity)| json!({"product_id": product["id"], "quantity": quantity}))
            .collect();
        self.call(
            Method::POST,
            "orders",
            Some(json!({"customer_id": customer["id"], "lines": lines})),
        )
        .await
    }
}

#[tokio::test]
async fn placing_an_order_prices_it_and_takes_its_stock() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1999, 10).await;
    let saucer = shop.product("SAUCER", 550, 5).await;
    let ada = shop.customer("ada@example.com").await;

    let placed = shop.place(&ada, &[(&cup, 3), (&saucer, 2)]).await;
    assert_eq!(placed.status(), 201);
    let location = placed.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let order: Value = placed.json().await.expect("json");
    assert_eq!(
        location,
        shop.path(&format!("orders/{}", order["id"].as_str().expect("id")))
    );
    assert_eq!(order["status"], "pending");
    assert_eq!(order["customer_id"], ada["id"]);
    assert_eq!(
        order["total"],
        json!({"amount": 3 * 1999 + 2 * 550, "currency": "EUR"})
    );
    assert_eq!(order["lines"][0]["sku"], "CUP");
    assert_eq!(order["lines"][0]["unit_price"]["amount"], 1999);
    assert_eq!(order["lines"][0]["amount"]["amount"], 3 * 1999);
    assert_eq!(order["lines"][1]["quantity"], 2);
    assert_eq!(shop.stock_of(&cup).await, 7);
    assert_eq!(shop.stock_of(&saucer).await, 3);

    // The order keeps its prices when the product's price changes later.
    let cup_id = cup["id"].as_str().expect("id");
    let repriced = shop
        .call(
            Method::PATCH,
            &format!("products/{cup_id}"),
            Some(json!({"price": {"amount": 2999}})),
        )
        .await;
    assert_eq!(repriced.status(), 200);
    let id = order["id"].as_str().expect("id");
    let again = shop.read(&format!("orders/{id}")).await;
    assert_eq!(again["total"]["amount"], 3 * 1999 + 2 * 550);
    assert_eq!(again, order);
}

#[tokio::test]
async fn an_order_for_more_than_the_stock_is_refused_and_changes_nothing() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1999, 10).await;
    let saucer = shop.product("SAUCER", 550, 1).await;
    let spoon = shop.product("SPOON", 100, 0).await;
    let ada = shop.customer("ada@example.com").await;

    let refused = shop
        .place(&ada, &[(&cup, 4), (&saucer, 2), (&spoon, 1)])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let body = problem(refused).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:insufficient-stock");
    assert_eq!(
        problem_fields(&body),
        ["lines[1].quantity", "lines[2].quantity"],
        "every short line, and only those"
    );
    assert_eq!(
        shop.stock_of(&cup).await,
        10,
        "the cup's stock is untouched"
    );
    assert_eq!(shop.stock_of(&saucer).await, 1);
    let orders = shop.read("orders").await;
    assert_eq!(orders["total"], 0, "no order was made");
}

#[tokio::test]
async fn fifty_concurrent_orders_never_oversell_a_stock_of_ten() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1999, 10).await;
    let ada = shop.customer("ada@example.com").await;

    let one_cup = [(&cup, 1)];
    let attempts = (0..50).map(|_| shop.place(&ada, &one_cup));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let placed = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(
        (placed, refused),
        (10, 40),
        "exactly the stock is sold, the rest refused: {statuses:?}"
    );
    assert_eq!(shop.stock_of(&cup).await, 0);
    let orders = shop.read("orders?per_page=100").await;
    assert_eq!(orders["total"], 10);
}

#[tokio::test]
async fn orders_move_only_along_the_allowed_transitions_and_cancelling_restocks() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1999, 10).await;
    let ada = shop.customer("ada@example.com").await;
    let order: Value = shop
        .place(&ada, &[(&cup, 4)])
        .await
        .json()
        .await
        .expect("json");
    let id = order["id"].as_str().expect("id").to_owned();
    let path = format!("orders/{id}");
    let set_status =
        |status: &'static str| shop.call(Method::PATCH, &path, Some(json!({"status": status})));

    let refused = set_status("shipped").await;
    assert_eq!(refused.status(), 409, "pending cannot be shipped");
    assert!(
        problem(refused).await["detail"]
            .as_str()
            .expect("detail")
            .contains("pending cannot become shipped")
    );
    assert_eq!(set_status("paid").await.status(), 200);
    let lines_of_paid = shop
        .call(
            Method::PATCH,
            &path,
            Some(json!({"lines": [{"product_id": cup["id"], "quantity": 1}]})),
        )
        .await;
    assert_eq!(
        lines_of_paid.status(),
        409,
        "a paid order's lines are fixed"
    );
    assert_eq!(set_status("pending").await.status(), 409, "no way back");
    assert_eq!(
        shop.call(Method::DELETE, &path, None).await.status(),
        409,
        "a paid order is kept"
    );
    assert_eq!(shop.stock_of(&cup).await, 6);
    assert_eq!(set_status("cancelled").await.status(), 200);
    assert_eq!(
        shop.stock_of(&cup).await,
        10,
        "cancelling gives the stock back"
    );
    assert_eq!(set_status("paid").await.status(), 409, "cancelled is final");
    assert_eq!(shop.call(Method::DELETE, &path, None).await.status(), 204);
    assert_eq!(
        shop.stock_of(&cup).await,
        10,
        "deleting it gives nothing twice"
    );
    assert_eq!(shop.call(Method::GET, &path, None).await.status(), 404);

    // paid → shipped is final too.
    let second: Value = shop
        .place(&ada, &[(&cup, 1)])
        .await
        .json()
        .await
        .expect("json");
    let path = format!("orders/{}", second["id"].as_str().expect("id"));
    for status in ["paid", "shipped"] {
        let moved = shop
            .call(Method::PATCH, &path, Some(json!({"status": status})))
            .await;
        assert_eq!(moved.status(), 200, "{status}");
    }
    let cancel = shop
        .call(Method::PATCH, &path, Some(json!({"status": "cancelled"})))
        .await;
    assert_eq!(cancel.status(), 409, "a shipped order cannot be cancelled");
    assert_eq!(shop.stock_of(&cup).await, 9);
}

#[tokio::test]
async fn changing_a_pending_order_moves_the_difference_in_stock() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 5).await;
    let saucer = shop.product("SAUCER", 300, 5).await;
    let ada = shop.customer("ada@example.com").await;
    let order: Value = shop
        .place(&ada, &[(&cup, 2)])
        .await
        .json()
        .await
        .expect("json");
    let path = format!("orders/{}", order["id"].as_str().expect("id"));

    let replaced = shop
        .call(
            Method::PUT,
            &path,
            Some(json!({"customer_id": ada["id"], "lines": [
                {"product_id": cup["id"], "quantity": 5},
                {"product_id": saucer["id"], "quantity": 1}
            ]})),
        )
        .await;
    assert_eq!(replaced.status(), 200);
    let replaced: Value = replaced.json().await.expect("json");
    assert_eq!(replaced["total"]["amount"], 5 * 1000 + 300);
    assert_eq!(shop.stock_of(&cup).await, 0);
    assert_eq!(shop.stock_of(&saucer).await, 4);

    let too_many = shop
        .call(
            Method::PATCH,
            &path,
            Some(json!({"lines": [{"product_id": saucer["id"], "quantity": 6}]})),
        )
        .await;
    assert_eq!(too_many.status(), 409);
    assert_eq!(
        shop.read(&path).await,
        replaced,
        "a refused change changes nothing"
    );
    assert_eq!(shop.stock_of(&cup).await, 0);
    assert_eq!(shop.stock_of(&saucer).await, 4);
}

#[tokio::test]
async fn orders_are_validated_whole_and_their_references_must_exist() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 5).await;
    let ada = shop.customer("ada@example.com").await;

    let malformed = shop
        .call(
            Method::POST,
            "orders",
            Some(json!({"customer_id": "nobody", "status": "lost", "lines": [
                {"product_id": "x", "quantity": 0},
                {"product_id": cup["id"], "quantity": 1},
                {"product_id": cup["id"], "quantity": 1}
            ]})),
        )
        .await;
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        problem_fields(&problem(malformed).await),
        [
            "customer_id",
            "lines[0].product_id",
            "lines[0].quantity",
            "status",
            // A line of a product another line has: listed after the malformed fields.
            "lines[2].product_id"
        ]
    );
    let empty = shop
        .call(
            Method::POST,
            "orders",
            Some(json!({"customer_id": ada["id"], "lines": []})),
        )
        .await;
    assert_eq!(problem_fields(&problem(empty).await), ["lines"]);
    let born_paid = shop
        .call(
            Method::POST,
            "orders",
            Some(json!({"customer_id": ada["id"], "status": "paid",
                        "lines": [{"product_id": cup["id"], "quantity": 1}]})),
        )
        .await;
    assert_eq!(born_paid.status(), 422, "a new order is pending");
    assert_eq!(problem_fields(&problem(born_paid).await), ["status"]);

    let unknown = uuid::Uuid::new_v4().to_string();
    let dangling = shop
        .call(
            Method::POST,
            "orders",
            Some(json!({"customer_id": unknown, "lines": [
                {"product_id": cup["id"], "quantity": 1},
                {"product_id": unknown, "quantity": 1}
            ]})),
        )
        .await;
    assert_eq!(dangling.status(), 422);
    let body = problem(dangling).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:validation");
    assert_eq!(
        problem_fields(&body),
        ["customer_id", "lines[1].product_id"]
    );

    let usd = shop
        .create(
            "products",
            json!({"name": "Mug", "sku": "MUG", "stock": 5,
                   "price": {"amount": 900, "currency": "USD"}}),
        )
        .await;
    let mixed = shop.place(&ada, &[(&cup, 1), (&usd, 1)]).await;
    assert_eq!(mixed.status(), 422);
    assert_eq!(
        problem_fields(&problem(mixed).await),
        ["lines[1].product_id"]
    );

    assert_eq!(shop.stock_of(&cup).await, 5, "nothing was taken");
    assert_eq!(shop.read("orders").await["total"], 0);
}

#[tokio::test]
async fn a_customer_with_orders_is_kept_and_another_tenants_customer_is_unknown() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 5).await;
    let ada = shop.customer("ada@example.com").await;
    assert_eq!(shop.place(&ada, &[(&cup, 1)]).await.status(), 201);
    let ada_path = format!("customers/{}", ada["id"].as_str().expect("id"));
    let kept = shop.call(Method::DELETE, &ada_path, None).await;
    assert_eq!(kept.status(), 409);

    // A second tenant cannot order with the first one's customer or product.
    let globex = shop.app.tenant_with_shop_token("globex").await;
    let foreign = shop
        .app
        .http
        .post(shop.app.url("/t/globex/api/v1/orders"))
        .bearer_auth(&globex)
        .json(
            &json!({"customer_id": ada["id"], "lines": [{"product_id": cup["id"], "quantity": 1}]}),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(foreign.status(), 422);
    assert_eq!(
        problem_fields(&problem(foreign).await),
        ["customer_id", "lines[0].product_id"]
    );
    assert_eq!(shop.stock_of(&cup).await, 4);
}

#[tokio::test]
async fn a_retried_order_with_its_idempotency_key_is_placed_once() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 5).await;
    let ada = shop.customer("ada@example.com").await;
    let body =
        json!({"customer_id": ada["id"], "lines": [{"product_id": cup["id"], "quantity": 2}]});
    let post = || {
        shop.app
            .http
            .post(shop.app.url(&shop.path("orders")))
            .bearer_auth(&shop.token)
            .header("idempotency-key", "checkout-7")
            .json(&body)
            .send()
    };
    let first = post().await.expect("answer");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let again = post().await.expect("answer");
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.expect("json"), first);
    assert_eq!(shop.stock_of(&cup).await, 3, "taken once");
    assert_eq!(shop.read("orders").await["total"], 1);
}

#[tokio::test]
async fn each_resource_needs_its_own_scopes() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app
        .register_client("acme", "products:read orders:read")
        .await;
    let token = app.token(&client, &["products:read", "orders:read"]).await;
    let send = async |method: Method, rest: &str| {
        app.send(
            method,
            &format!("/t/acme/api/v1/{rest}"),
            Some(&token),
            Some(json!({})),
        )
        .await
    };
    assert_eq!(send(Method::GET, "orders").await.status(), 200);
    assert_eq!(send(Method::GET, "customers").await.status(), 403);
    assert_eq!(send(Method::POST, "orders").await.status(), 403);
    assert_eq!(send(Method::POST, "customers").await.status(), 403);
    let id = uuid::Uuid::new_v4();
    assert_eq!(
        send(Method::PATCH, &format!("orders/{id}")).await.status(),
        403
    );
}
