//! Secrets at rest: private signing keys and the client-secret HMAC key are sealed in the
//! database under the key-encryption key, reseal under a new one, and do not open without it.

use gatehouse::{Application, Role, Secret};
use gatehouse_auth::Sealer;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

use crate::helpers::{KEY_ENCRYPTION_KEY, TestApp, fresh_database, test_config, test_log};

const NEW_KEY: &str = "the next key-encryption key of the test platforms";

/// (kid, stored private key) of every signing key, and the stored installation key.
async fn stored(db: &DatabaseConnection) -> (Vec<(String, String)>, String) {
    let backend = db.get_database_backend();
    let keys = Query::select()
        .columns([Alias::new("kid"), Alias::new("private_pem")])
        .from(Alias::new("auth_signing_keys"))
        .to_owned();
    let rows = db.query_all_raw(backend.build(&keys)).await.expect("keys");
    let keys = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "kid").expect("kid"),
                r.try_get::<String>("", "private_pem").expect("pem"),
            )
        })
        .collect();
    let installation = Query::select()
        .column(Alias::new("client_secret_key"))
        .from(Alias::new("auth_installation"))
        .to_owned();
    let row = db
        .query_one_raw(backend.build(&installation))
        .await
        .expect("installation")
        .expect("a row");
    (keys, row.try_get("", "client_secret_key").expect("key"))
}

async fn start(config: gatehouse::Config) -> anyhow::Result<String> {
    let app = Application::build(config, Role::All).await?;
    let base = app.base_url().to_owned();
    tokio::spawn(app.run_until_stopped());
    Ok(base)
}

#[tokio::test]
async fn signing_keys_are_sealed_at_rest_reseal_under_a_new_key_and_need_theirs() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let admin_secret = format!("sealing-admin-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    let base = start(config.clone()).await.expect("starts");
    let app = TestApp {
        base,
        http: reqwest::Client::new(),
        admin_secret: admin_secret.clone(),
        database_url: database_url.clone(),
        data_dir,
    };
    let token = app.tenant_with_product_token("acme").await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );

    let db = Database::connect(&database_url).await.expect("db");
    let (keys, installation) = stored(&db).await;
    assert!(keys.len() >= 2, "system's and acme's keys: {}", keys.len());
    let old = Sealer::new(KEY_ENCRYPTION_KEY, &[]);
    for (kid, pem) in &keys {
        assert!(pem.starts_with("gh-sealed:v1:"), "{kid} is sealed");
        assert!(!pem.contains("PRIVATE KEY"));
        assert!(old.open(pem, kid).expect("opens").contains("PRIVATE KEY"));
    }
    assert!(installation.starts_with("gh-sealed:v1:"));

    // An installation from before sealing: a key in the clear is sealed at the next start.
    let (kid, pem) = &keys[0];
    let clear = old.open(pem, kid).expect("opens");
    let backend = db.get_database_backend();
    let unseal = Query::update()
        .table(Alias::new("auth_signing_keys"))
        .value(Alias::new("private_pem"), clear)
        .and_where(Expr::col(Alias::new("kid")).eq(kid.as_str()))
        .to_owned();
    db.execute_raw(backend.build(&unseal))
        .await
        .expect("update");

    // A process without the key cannot open them: it does not start.
    let mut stranger = config.clone();
    stranger.auth.key_encryption_key = Some(Secret::new("some other key-encryption key, 32+"));
    let refused = start(stranger).await.expect_err("the wrong key");
    assert!(
        format!("{refused:#}").contains("auth.key_encryption_key"),
        "{refused:#}"
    );

    // Rotation: the new key, with the old one still listed, reseals everything.
    let mut rotating = config.clone();
    rotating.auth.key_encryption_key = Some(Secret::new(NEW_KEY));
    rotating.auth.previous_key_encryption_keys = vec![Secret::new(KEY_ENCRYPTION_KEY)];
    start(rotating).await.expect("starts while rotating");
    let new = Sealer::new(NEW_KEY, &[]);
    let (keys, installation) = stored(&db).await;
    for (kid, pem) in &keys {
        assert!(
            !new.needs_resealing(pem),
            "{kid} is sealed under the new key"
        );
        assert!(new.open(pem, kid).is_ok());
    }
    assert!(!new.needs_resealing(&installation));

    // The new key alone now runs the platform: tokens are signed and verified.
    let mut rotated = config;
    rotated.auth.key_encryption_key = Some(Secret::new(NEW_KEY));
    let base = start(rotated).await.expect("starts with the new key alone");
    let fresh = TestApp {
        base,
        http: reqwest::Client::new(),
        admin_secret,
        database_url: app.database_url.clone(),
        data_dir: tempfile::tempdir().expect("dir"),
    };
    let operator = fresh.operator_token().await;
    assert_eq!(
        fresh.get("/admin/v1/tenants", &operator).await.status(),
        200
    );
}

#[tokio::test]
async fn a_laptop_platform_on_sqlite_makes_its_key_encryption_key_once() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        data_dir.path().join("gatehouse.db").display()
    );
    let mut config = test_config(data_dir.path(), &database_url);
    config.auth.key_encryption_key = None;
    start(config.clone()).await.expect("starts");
    let file = data_dir.path().join("key-encryption-key");
    let key = std::fs::read_to_string(&file).expect("the key was saved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the owner alone");
    }
    start(config).await.expect("starts again with the same key");
    assert_eq!(std::fs::read_to_string(&file).expect("the key"), key);
    let _ = Database::connect(&database_url).await.expect("db");
}
