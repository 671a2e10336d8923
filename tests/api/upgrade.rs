//! Databases of every earlier version of the resource schema are migrated forward on start,
//! and keep their data.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Query};
use serde_json::{Value, json};

use crate::helpers::{fresh_database, spawn_app_with};

/// How many resource migrations existed before the current one.
const EARLIER_VERSIONS: u32 = 2;

#[tokio::test]
async fn a_database_of_any_earlier_version_is_migrated_forward_with_its_products() {
    for version in 0..=EARLIER_VERSIONS {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_database(dir.path()).await;
        let tenant_id = uuid::Uuid::now_v7();
        let product_id = uuid::Uuid::now_v7();
        {
            let db = sea_orm::Database::connect(&url).await.expect("database");
            gatehouse_resources::migrate_partly(&db, version)
                .await
                .expect("the earlier schema");
            if version >= 1 {
                // A product as version 1 stored it: no SKU, no stock.
                let now = chrono::Utc::now();
                let insert = Query::insert()
                    .into_table(Alias::new("resources_products"))
                    .columns(
                        [
                            "id",
                            "tenant_id",
                            "name",
                            "description",
                            "price_amount",
                            "price_currency",
                            "created_at",
                            "updated_at",
                        ]
                        .map(Alias::new),
                    )
                    .values_panic([
                        product_id.into(),
                        tenant_id.into(),
                        "Old cup".into(),
                        "".into(),
                        500i64.into(),
                        "EUR".into(),
                        now.into(),
                        now.into(),
                    ])
                    .to_owned();
                db.execute(&insert).await.expect("an old product");
            }
        }

        let database_url = url.clone();
        let app = spawn_app_with(move |config| config.database_url = Some(database_url)).await;
        let token = app.tenant_with_shop_token("acme").await;
        if version == 0 {
            let list: Value = app
                .get("/t/acme/api/v1/products", &token)
                .await
                .json()
                .await
                .expect("json");
            assert_eq!(list["total"], 0);
            continue;
        }
        // The old row belongs to a tenant id of its own; read it straight from the table the
        // API reads, then check the API can use the upgraded schema.
        let db = sea_orm::Database::connect(&url).await.expect("database");
        let row = db
            .query_one(
                &Query::select()
                    .columns(["sku", "stock"].map(Alias::new))
                    .from(Alias::new("resources_products"))
                    .to_owned(),
            )
            .await
            .expect("query")
            .expect("the old product survived");
        let sku: String = row.try_get("", "sku").expect("sku");
        let stock: i64 = row.try_get("", "stock").expect("stock");
        assert_eq!(
            sku,
            format!("SKU-{}", product_id.simple()),
            "version {version}"
        );
        assert_eq!(stock, 0);
        let created = app
            .post(
                "/t/acme/api/v1/products",
                &token,
                json!({"name": "New cup", "sku": "NEW", "stock": 1,
                       "price": {"amount": 1, "currency": "EUR"}}),
            )
            .await;
        assert_eq!(created.status(), 201, "version {version}");
    }
}
