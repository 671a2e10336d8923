//! Lists through the gateway: cursors that walk the whole list once, sorting, filters, and
//! parameters checked all at once.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::problem_fields;
use crate::orders::Shop;

async fn catalogue(shop: &Shop) {
    // Prices 100, 200, ... 1200; every third out of stock; two currencies.
    for i in 1..=12 {
        let currency = if i % 4 == 0 { "USD" } else { "EUR" };
        shop.create(
            "products",
            json!({"name": format!("Item {i:02}"), "sku": format!("ITEM-{i:02}"),
                   "stock": if i % 3 == 0 { 0 } else { i },
                   "price": {"amount": i * 100, "currency": currency}}),
        )
        .await;
    }
}

fn skus(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["sku"].as_str().expect("sku").to_owned())
        .collect()
}

fn link_target(response: &reqwest::Response, rel: &str) -> Option<String> {
    let link = response.headers().get("link")?.to_str().ok()?.to_owned();
    link.split(", ")
        .find(|l| l.ends_with(&format!("rel=\"{rel}\"")))
        .and_then(|l| l.split_once('<'))
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(target, _)| target.to_owned())
}

#[tokio::test]
async fn a_cursor_walks_the_whole_sorted_list_once() {
    let shop = Shop::open("acme").await;
    catalogue(&shop).await;

    let mut seen = Vec::new();
    let mut next = Some(shop.path("products?per_page=5&sort=-price"));
    let mut pages = 0;
    while let Some(target) = next {
        let response = shop
            .app
            .http
            .get(shop.app.url(&target))
            .bearer_auth(&shop.token)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 200, "{target}");
        let link = link_target(&response, "next");
        let page: Value = response.json().await.expect("json");
        seen.extend(skus(&page));
        pages += 1;
        // Page 1 is a numbered page (with its total); from there on, the cursor leads.
        next = page["next_cursor"]
            .as_str()
            .map(|cursor| shop.path(&format!("products?per_page=5&sort=-price&cursor={cursor}")));
        if pages == 1 {
            assert_eq!(page["total"], 12);
        } else {
            assert!(page["total"].is_null(), "a cursor page is not counted");
            assert!(page["page"].is_null());
            assert_eq!(
                link.is_some(),
                next.is_some(),
                "a next link while more follow"
            );
        }
    }
    let expected: Vec<String> = (1..=12).rev().map(|i| format!("ITEM-{i:02}")).collect();
    assert_eq!(seen, expected, "every product once, most expensive first");
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn lists_sort_and_filter_on_whitelisted_fields() {
    let shop = Shop::open("acme").await;
    catalogue(&shop).await;

    let page = shop
        .read("products?currency=EUR&min_price=300&max_price=900&in_stock=true&sort=-stock")
        .await;
    assert_eq!(page["total"], 2);
    assert_eq!(skus(&page), ["ITEM-07", "ITEM-05"]);
    let expected = ["ITEM-07", "ITEM-05", "ITEM-02", "ITEM-01"];
    let in_stock_eur = shop
        .read("products?currency=EUR&max_price=700&in_stock=true&sort=-stock")
        .await;
    assert_eq!(skus(&in_stock_eur), expected);

    let by_name = shop.read("products?q=item%201&sort=name").await;
    assert_eq!(skus(&by_name), ["ITEM-10", "ITEM-11", "ITEM-12"]);
    let wildcard = shop.read("products?q=%25").await;
    assert_eq!(wildcard["total"], 0, "% in q is a literal character");

    let all = shop.read("products?per_page=100").await;
    let cut = all["items"][5]["created_at"].as_str().expect("created_at");
    let newer = shop
        .read(&format!(
            "products?created_after={}",
            cut.replace('+', "%2B")
        ))
        .await;
    assert_eq!(
        skus(&newer),
        (7..=12).map(|i| format!("ITEM-{i:02}")).collect::<Vec<_>>()
    );

    let out = shop.read("products?in_stock=false&sort=sku").await;
    assert_eq!(skus(&out), ["ITEM-03", "ITEM-06", "ITEM-09", "ITEM-12"]);
}

#[tokio::test]
async fn wrong_list_parameters_are_reported_all_at_once() {
    let shop = Shop::open("acme").await;
    catalogue(&shop).await;
    let response = shop
        .call(
            Method::GET,
            "products?page=0&per_page=many&min_price=cheap&created_after=yesterday&sort=colour,-price,price&cursor=abc&size=3",
            None,
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    let mut fields = problem_fields(&body);
    fields.sort();
    fields.dedup();
    assert_eq!(
        fields,
        [
            "created_after",
            "cursor",
            "min_price",
            "page",
            "per_page",
            "size",
            "sort"
        ]
    );
}

#[tokio::test]
async fn a_cursor_belongs_to_its_query_and_links_keep_the_filters() {
    let shop = Shop::open("acme").await;
    catalogue(&shop).await;
    let first = shop
        .call(
            Method::GET,
            "products?per_page=2&currency=EUR&sort=name",
            None,
        )
        .await;
    let next = link_target(&first, "next").expect("a next link");
    assert!(
        next.contains("currency=EUR") && next.contains("sort=name"),
        "{next}"
    );
    let last = link_target(&first, "last").expect("a last link");
    assert!(
        last.contains("page=5") && last.contains("currency=EUR"),
        "{last}"
    );
    let page: Value = first.json().await.expect("json");
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();

    let same = shop
        .read(&format!(
            "products?per_page=2&currency=EUR&sort=name&cursor={cursor}"
        ))
        .await;
    assert_eq!(skus(&same), ["ITEM-03", "ITEM-05"]);
    let other = shop
        .call(
            Method::GET,
            &format!("products?per_page=2&currency=USD&sort=name&cursor={cursor}"),
            None,
        )
        .await;
    // A well-formed cursor that this query never gave: 422, as no schema can tell.
    assert_eq!(other.status(), 422, "a cursor of another query");
    let forged = shop
        .call(Method::GET, "products?cursor=eyJxIjoiMSIsInAiOltdfQ", None)
        .await;
    assert_eq!(forged.status(), 422);
    let both = shop
        .call(
            Method::GET,
            &format!("products?page=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(both.status(), 422, "page and cursor together");
}

#[tokio::test]
async fn lists_have_strong_etags_and_answer_304() {
    let shop = Shop::open("acme").await;
    catalogue(&shop).await;
    let first = shop.call(Method::GET, "products?per_page=3", None).await;
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    assert!(etag.starts_with('"'), "strong: {etag}");
    let again = shop
        .app
        .http
        .get(shop.app.url(&shop.path("products?per_page=3")))
        .bearer_auth(&shop.token)
        .header("if-none-match", &etag)
        .header("cache-control", "no-cache")
        .send()
        .await
        .expect("answer");
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn orders_filter_by_status_customer_and_total() {
    let shop = Shop::open("acme").await;
    let cup = shop.product("CUP", 1000, 100).await;
    let ada = shop.customer("ada@example.com").await;
    let bob = shop.customer("bob@example.com").await;
    let mut ids = Vec::new();
    for (who, quantity) in [(&ada, 1), (&ada, 5), (&bob, 3)] {
        let order: Value = shop
            .place(who, &[(&cup, quantity)])
            .await
            .json()
            .await
            .expect("json");
        ids.push(order["id"].as_str().expect("id").to_owned());
    }
    let paid = shop
        .call(
            Method::PATCH,
            &format!("orders/{}", ids[1]),
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(paid.status(), 200);
    let order_ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|o| o["id"].as_str().expect("id").to_owned())
            .collect()
    };

    let by_status = shop.read("orders?status=paid").await;
    assert_eq!(order_ids(&by_status), [ids[1].clone()]);
    let adas = shop
        .read(&format!(
            "orders?customer_id={}&sort=-total",
            ada["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(order_ids(&adas), [ids[1].clone(), ids[0].clone()]);
    let big = shop.read("orders?min_total=3000&status=pending").await;
    assert_eq!(order_ids(&big), [ids[2].clone()]);

    let wrong = shop
        .call(
            Method::GET,
            "orders?status=lost&customer_id=ada&min_total=lots",
            None,
        )
        .await;
    assert_eq!(wrong.status(), 400);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(
        problem_fields(&body),
        ["status", "customer_id", "min_total"]
    );
}
