use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{problem, problem_fields, spawn_app, spawn_app_with, www_authenticate};

#[tokio::test]
async fn the_operator_creates_lists_gets_and_deletes_tenants() {
    let app = spawn_app().await;
    let token = app.operator_token().await;
    let created = app
        .post(
            "/admin/v1/tenants",
            &token,
            json!({"slug": "acme", "display_name": "Acme"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/admin/v1/tenants/acme");
    let tenant: Value = created.json().await.expect("json");
    assert_eq!(tenant["issuer"], format!("{}/t/acme", app.base));
    assert_eq!(tenant["signing_alg"], "ES256");

    let list: Value = app
        .get("/admin/v1/tenants", &token)
        .await
        .json()
        .await
        .expect("json");
    let slugs: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(slugs, ["acme", "system"]);
    let fetched: Value = app
        .get("/admin/v1/tenants/acme", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(fetched, tenant);

    let duplicate = app
        .post(
            "/admin/v1/tenants",
            &token,
            json!({"slug": "acme", "display_name": "Again"}),
        )
        .await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(
        problem(duplicate).await["type"],
        "urn:gatehouse:problem:conflict"
    );

    let deleted = app
        .send(Method::DELETE, "/admin/v1/tenants/acme", Some(&token), None)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.get("/admin/v1/tenants/acme", &token).await.status(),
        404
    );
    let jwks = app
        .http
        .get(app.url("/t/acme/jwks.json"))
        .send()
        .await
        .expect("answer");
    assert_eq!(jwks.status(), 404, "a deleted tenant's issuer is gone");

    let system = app
        .send(
            Method::DELETE,
            "/admin/v1/tenants/system",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(system.status(), 409);
}

#[tokio::test]
async fn invalid_tenant_fields_are_named() {
    let app = spawn_app().await;
    let token = app.operator_token().await;
    let response = app
        .post(
            "/admin/v1/tenants",
            &token,
            json!({"slug": "Not A Slug!", "display_name": ""}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body = problem(response).await;
    let fields = problem_fields(&body);
    assert_eq!(fields, ["slug", "display_name"]);
    let too_long = app
        .post(
            "/admin/v1/tenants",
            &token,
            json!({"slug": "a".repeat(64), "display_name": "x"}),
        )
        .await;
    assert_eq!(too_long.status(), 400);
    let list: Value = app
        .get("/admin/v1/tenants", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list["items"].as_array().expect("items").len(),
        1,
        "only system exists"
    );
}

#[tokio::test]
async fn a_tenant_admin_manages_its_own_clients_and_users_and_nothing_else() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    app.create_tenant("globex").await;
    let admin_client = app.register_client("acme", "tenant:admin").await;
    let token = app.token(&admin_client, &["tenant:admin"]).await;

    let created = app
        .post(
            "/t/acme/admin/v1/clients",
            &token,
            json!({"client_name": "Shop", "scope": "products:read"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let client: Value = created.json().await.expect("json");
    let client_id = client["client_id"].as_str().expect("client_id");
    assert!(
        client_id.len() == 32 && client_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "a client id is safe on a command line and in a URL: {client_id}"
    );
    assert_eq!(client["client_secret_expires_at"], 0);
    assert!(
        client["client_secret"].as_str().expect("secret").len() >= 43,
        "256 bits, base64url"
    );
    let fetched: Value = app
        .get(&format!("/t/acme/admin/v1/clients/{client_id}"), &token)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        fetched.get("client_secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(fetched["client_name"], "Shop");
    let list: Value = app
        .get("/t/acme/admin/v1/clients", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().expect("items").len(), 2);

    let user = app
        .post("/t/acme/admin/v1/users", &token, json!({"username": "ada", "password": "correct horse battery", "email": "ada@example.com"}))
        .await;
    assert_eq!(user.status(), 201);
    let user: Value = user.json().await.expect("json");
    assert!(user.get("password").is_none());
    let user_path = format!(
        "/t/acme/admin/v1/users/{}",
        user["id"].as_str().expect("id")
    );
    assert_eq!(app.get(&user_path, &token).await.status(), 200);
    let duplicate = app
        .post(
            "/t/acme/admin/v1/users",
            &token,
            json!({"username": "ada", "password": "another password", "email": "ada2@example.com"}),
        )
        .await;
    assert_eq!(duplicate.status(), 409);
    let users: Value = app
        .get("/t/acme/admin/v1/users", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(users["items"].as_array().expect("items").len(), 1);

    // Another tenant's admin API and the platform's are out of reach.
    let other = app.get("/t/globex/admin/v1/clients", &token).await;
    assert_eq!(other.status(), 401);
    let tenants = app.get("/admin/v1/tenants", &token).await;
    assert_eq!(tenants.status(), 401);

    assert_eq!(
        app.send(Method::DELETE, &user_path, Some(&token), None)
            .await
            .status(),
        204
    );
    assert_eq!(app.get(&user_path, &token).await.status(), 404);
    let client_path = format!("/t/acme/admin/v1/clients/{client_id}");
    assert_eq!(
        app.send(Method::DELETE, &client_path, Some(&token), None)
            .await
            .status(),
        204
    );
    assert_eq!(app.get(&client_path, &token).await.status(), 404);
}

#[tokio::test]
async fn admin_routes_need_the_admin_scopes() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let token = app.token(&client, &[]).await;
    let response = app.get("/t/acme/admin/v1/clients", &token).await;
    assert_eq!(response.status(), 403);
    assert!(www_authenticate(&response).contains(r#"scope="tenant:admin""#));

    let bad_scope = app.operator_token().await;
    let refused = app
        .post(
            "/t/acme/admin/v1/clients",
            &bad_scope,
            json!({"client_name": "x", "scope": "platform:admin"}),
        )
        .await;
    assert_eq!(
        refused.status(),
        422,
        "platform:admin belongs to the system tenant only"
    );
    assert_eq!(problem(refused).await["errors"][0]["field"], "scope");
}

#[tokio::test]
async fn secrets_and_passwords_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let token = app.operator_token().await;
    let password = "correct horse battery staple";
    app.post(
        "/t/acme/admin/v1/users",
        &token,
        json!({"username": "ada", "password": password, "email": "ada@example.com"}),
    )
    .await;
    let db = app.db().await;
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT secret_hash FROM auth_clients WHERE client_id = '{}'",
                client.client_id
            ),
        ))
        .await
        .expect("query")
        .expect("row");
    let stored: String = row.try_get("", "secret_hash").expect("hash");
    assert_ne!(stored, client.client_secret);
    assert!(!stored.contains(&client.client_secret));
    assert_eq!(stored.len(), 64, "HMAC-SHA256, hex");
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT password_hash FROM auth_users WHERE username = 'ada'".to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    let stored: String = row.try_get("", "password_hash").expect("hash");
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains(password));
}

#[tokio::test]
async fn the_first_start_generates_an_admin_secret_readable_by_the_owner_alone() {
    let app = spawn_app_with(|config| config.admin_client_secret = None).await;
    let path = app.data_dir.path().join("admin-client-secret");
    let secret = std::fs::read_to_string(&path)
        .expect("the secret is saved")
        .trim()
        .to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let operator = crate::helpers::Registered {
        client_secret: secret.clone(),
        ..app.operator()
    };
    let token = app.token(&operator, &["platform:admin"]).await;
    assert_eq!(app.get("/admin/v1/tenants", &token).await.status(), 200);

    // A second start on the same data keeps the secret and prints nothing new.
    let again = gatehouse::Application::build(
        crate::helpers::test_config(app.data_dir.path(), &app.database_url),
        gatehouse::Role::All,
    )
    .await
    .expect("restart");
    let base = again.base_url().to_owned();
    tokio::spawn(again.run_until_stopped());
    let restarted = crate::helpers::TestApp {
        base,
        http: reqwest::Client::new(),
        admin_secret: secret,
        database_url: app.database_url.clone(),
        data_dir: tempfile::tempdir().expect("dir"),
    };
    let token = restarted.operator_token().await;
    assert_eq!(
        restarted.get("/admin/v1/tenants", &token).await.status(),
        200
    );
}

#[tokio::test]
async fn the_admin_secret_from_the_configuration_is_the_one_that_works() {
    let app = spawn_app().await;
    assert!(!app.data_dir.path().join("admin-client-secret").exists());
    let wrong = crate::helpers::Registered {
        client_secret: "x".repeat(40),
        ..app.operator()
    };
    assert!(
        app.try_token(&wrong, &[], oauth2::AuthType::BasicAuth)
            .await
            .is_err()
    );
    assert!(
        app.try_token(&app.operator(), &[], oauth2::AuthType::BasicAuth)
            .await
            .is_ok()
    );
}
