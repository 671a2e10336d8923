//! Expired rows are deleted by the background sweeper, in bounded batches, on every database;
//! live rows stay and keep working.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use oauth2::TokenResponse;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

use crate::helpers::{Browser, oauth_http, spawn_platform};

/// The short-lived tables and their expiry columns.
const TABLES: [(&str, &str); 6] = [
    ("auth_requests", "expires_at"),
    ("auth_codes", "expires_at"),
    ("auth_sessions", "expires_at"),
    ("auth_access_tokens", "expires_at"),
    ("auth_refresh_tokens", "family_expires_at"),
    ("resources_idempotency_keys", "expires_at"),
];

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let query = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new(table))
        .to_owned();
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(backend.build(&query))
        .await
        .expect("count")
        .expect("a row");
    row.try_get("", "n").expect("a count")
}

/// Moves the expiry of `table`'s live row that expires first to `when`.
async fn expire_first(db: &DatabaseConnection, table: &str, column: &str, when: DateTime<Utc>) {
    let backend = db.get_database_backend();
    let first = Query::select()
        .column(Alias::new(column))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(column)).gt(Utc::now()))
        .order_by(Alias::new(column), Order::Asc)
        .limit(1)
        .to_owned();
    let row = db
        .query_one_raw(backend.build(&first))
        .await
        .expect("select")
        .unwrap_or_else(|| panic!("{table} has a row"));
    let at: DateTime<Utc> = row.try_get("", column).expect("a time");
    let update = Query::update()
        .table(Alias::new(table))
        .value(Alias::new(column), when)
        .and_where(Expr::col(Alias::new(column)).eq(at))
        .to_owned();
    let changed = db
        .execute_raw(backend.build(&update))
        .await
        .expect("update")
        .rows_affected();
    assert_eq!(changed, 1, "{table}");
}

#[tokio::test]
async fn expired_rows_go_in_batches_and_live_ones_stay() {
    let (app, _) = spawn_platform(|config| {
        config.sweeper.interval_seconds = 1;
        config.sweeper.batch_size = 2;
    })
    .await;
    let third_party = app.app_with("acme", json!({})).await;
    // Two people's sign-ins: two sessions, codes, token records and refresh families; two
    // more sign-ins left pending.
    let mut refresh_tokens = Vec::new();
    for _ in 0..2 {
        let browser = Browser::new();
        let (code, verifier) = app
            .authorize(&third_party, &browser, &["products:read", "offline_access"])
            .await;
        let tokens = app.exchange(&third_party, code, verifier).await;
        refresh_tokens.push(tokens.refresh_token().expect("a refresh token").clone());
        let (url, _, _) = app.authorization_url(&third_party, &[], &[]);
        let pending = Browser::new()
            .http
            .get(url.as_str())
            .send()
            .await
            .expect("authorize");
        assert_eq!(pending.status(), 200);
    }
    // Five idempotency keys, three of which will expire: more than one batch.
    let token = app
        .token(
            &app.register_client("acme", "products:write").await,
            &["products:write"],
        )
        .await;
    for i in 0..5 {
        let created = app
            .http
            .post(app.url("/t/acme/api/v1/products"))
            .bearer_auth(&token)
            .header("idempotency-key", format!("sweep-{i}"))
            .json(&json!({"name": "Widget", "sku": format!("SWEEP-{i}"), "price": {"amount": 1, "currency": "EUR"}}))
            .send()
            .await
            .expect("answer");
        assert_eq!(created.status(), 201);
    }

    let db = app.db().await;
    let mut expected = Vec::new();
    let long_ago = Utc::now() - chrono::Duration::days(2);
    for (table, column) in TABLES {
        let before = count(&db, table).await;
        let expired = if table == "resources_idempotency_keys" {
            3
        } else {
            1
        };
        assert!(before > expired, "{table} has rows to keep: {before}");
        for i in 0..expired {
            expire_first(&db, table, column, long_ago - chrono::Duration::seconds(i)).await;
        }
        expected.push((table, before - expired));
    }
    // A code expired an hour ago is kept a day, for replay detection.
    expire_first(
        &db,
        "auth_codes",
        "expires_at",
        Utc::now() - chrono::Duration::hours(1),
    )
    .await;

    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mut left = Vec::new();
        for (table, _) in TABLES {
            left.push((table, count(&db, table).await));
        }
        if left == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left {left:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The live refresh family still works (one of the two was swept, which one is not said).
    let mut refreshed = 0;
    for refresh in &refresh_tokens {
        if app
            .oauth_client(&third_party)
            .exchange_refresh_token(refresh)
            .request_async(&oauth_http)
            .await
            .is_ok()
        {
            refreshed += 1;
        }
    }
    assert_eq!(
        refreshed, 1,
        "the live family refreshes, the swept one is gone"
    );
}
