//! What every database must do alike: SQLite, PostgreSQL and MySQL/MariaDB.

use sea_orm::{ConnectionTrait, Database, DatabaseBackend};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, test_config, test_log};

#[tokio::test]
async fn concurrent_posts_with_distinct_idempotency_keys_all_succeed() {
    // MySQL's REPEATABLE READ made these deadlock on the expired-key cleanup's gap locks.
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let request = app
                .http
                .post(app.url("/t/acme/api/v1/products"))
                .bearer_auth(&token)
                .header("idempotency-key", format!("order-{i}"))
                .json(&json!({"name": format!("Widget {i}"), "description": "d", "sku": format!("W-{i}"), "price": {"amount": 1, "currency": "EUR"}}));
            tokio::spawn(async move { request.send().await })
        })
        .collect();
    for task in tasks {
        let response = task.await.expect("task").expect("answer");
        let status = response.status();
        assert_eq!(status, 201, "{}", response.text().await.unwrap_or_default());
    }
    let list: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 8);
}

#[tokio::test]
async fn text_keeps_every_character_and_compares_as_written() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    let tenant = app
        .post(
            "/admin/v1/tenants",
            &operator,
            json!({"slug": "acme", "display_name": "Acme 🚀 Ünïcode"}),
        )
        .await;
    assert_eq!(tenant.status(), 201);
    let tenant: Value = tenant.json().await.expect("json");
    assert_eq!(tenant["display_name"], "Acme 🚀 Ünïcode");
    for username in ["ada", "Ada"] {
        let created = app
            .post(
                "/t/acme/admin/v1/users",
                &operator,
                json!({"username": username, "password": "correct horse battery staple", "email": "ada@example.com"}),
            )
            .await;
        assert_eq!(created.status(), 201, "{username} is a user of its own");
    }
}

#[tokio::test]
async fn a_mysql_database_must_be_utf8mb4_with_a_binary_collation() {
    test_log();
    let Ok(server) = std::env::var("GATEHOUSE_TEST_DATABASE_URL") else {
        return;
    };
    let admin = Database::connect(&server).await.expect("server");
    if admin.get_database_backend() != DatabaseBackend::MySql {
        return;
    }
    let name = format!("gh_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!(
            "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
        ))
        .await
        .expect("create");
    let (prefix, _) = server
        .split('?')
        .next()
        .and_then(|s| s.rsplit_once('/'))
        .expect("a database URL");
    let data_dir = tempfile::tempdir().expect("dir");
    let config = test_config(data_dir.path(), &format!("{prefix}/{name}"));
    let refused = gatehouse::Application::build(config, gatehouse::Role::All).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE {name}"))
        .await
        .expect("drop");
    let err = format!("{:#}", refused.err().expect("refused"));
    assert!(err.contains("utf8mb4_general_ci"), "{err}");
    assert!(err.contains("COLLATE utf8mb4_bin"), "{err}");
}
