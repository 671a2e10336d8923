//! The security review's findings, each reproduced from outside and shown fixed.

use oauth2::{AuthorizationCode, PkceCodeVerifier, TokenResponse};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    App, Browser, Form, PASSWORD, TestApp, error_code, oauth_http, problem, spawn_app,
};

#[tokio::test]
async fn a_tenant_admin_of_system_cannot_mint_a_platform_admin_client() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    // A client of `system` with tenant:admin: it may manage system's clients...
    let created = app
        .post(
            "/t/system/admin/v1/clients",
            &operator,
            json!({"client_name": "System helper", "scope": "tenant:admin"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.expect("json");
    let helper = crate::helpers::Registered {
        tenant: "system".into(),
        client_id: body["client_id"].as_str().expect("id").to_owned(),
        client_secret: body["client_secret"].as_str().expect("secret").to_owned(),
    };
    let helper_token = app.token(&helper, &["tenant:admin"]).await;
    // ...but not register one that outranks it.
    let climbed = app
        .post(
            "/t/system/admin/v1/clients",
            &helper_token,
            json!({"client_name": "Escalator", "scope": "platform:admin"}),
        )
        .await;
    assert_eq!(climbed.status(), 403);
    assert_eq!(
        problem(climbed).await["type"],
        "urn:gatehouse:problem:forbidden"
    );
    let clients: serde_json::Value = app
        .get("/t/system/admin/v1/clients", &operator)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        !clients.to_string().contains("Escalator"),
        "nothing was registered: {clients}"
    );
    // The operator still may.
    let by_operator = app
        .post(
            "/t/system/admin/v1/clients",
            &operator,
            json!({"client_name": "Second operator", "scope": "platform:admin"}),
        )
        .await;
    assert_eq!(by_operator.status(), 201);
}

/// The app's authorization URL for `products:read` with `extra` parameters, and its PKCE
/// verifier.
fn authorization_url(
    app: &TestApp,
    third_party: &App,
    extra: &[(&str, &str)],
) -> (String, PkceCodeVerifier) {
    let (url, _, verifier) = app.authorization_url(third_party, &["products:read"], extra);
    (url.to_string(), verifier)
}

/// Opens the login page in `browser`: the page's request id and CSRF token.
async fn login_page(browser: &Browser, url: &str) -> Form {
    let page = browser.http.get(url).send().await.expect("authorize");
    assert_eq!(page.status(), 200);
    Form::of(&page.text().await.expect("html"))
}

#[tokio::test]
async fn prompt_consent_shows_the_consent_page_even_after_a_fresh_sign_in() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    // Ada consented once.
    app.authorize(&third_party, &Browser::new(), &["products:read"])
        .await;
    // Signed out (a new browser), the app asks for consent again.
    let browser = Browser::new();
    let (url, _) = authorization_url(&app, &third_party, &[("prompt", "consent")]);
    let form = login_page(&browser, &url).await;
    let signed_in = browser.sign_in(&app, "acme", &form).await;
    assert_eq!(
        signed_in.status(),
        StatusCode::OK,
        "not a redirect with a code"
    );
    let html = signed_in.text().await.expect("html");
    assert!(
        html.contains("value=\"approve\""),
        "the consent page: {html}"
    );
}

#[tokio::test]
async fn another_site_cannot_sign_a_visitor_in_with_its_own_request() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (url, _) = authorization_url(&app, &third_party, &[]);
    // The attacker opens a sign-in of its own...
    let attacker = Browser::new();
    let attackers_form = login_page(&attacker, &url).await;
    // ...and has the victim's browser post it with the attacker's credentials.
    let victim = Browser::new();
    let forged = victim.sign_in(&app, "acme", &attackers_form).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        forged.headers().get("set-cookie").is_none(),
        "the victim's browser is not signed in"
    );
    // Even a victim with a sign-in of its own under way.
    let _victims_own = login_page(&victim, &url).await;
    let forged = victim.sign_in(&app, "acme", &attackers_form).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // The browser that opened the request signs in as before.
    let own = attacker.sign_in(&app, "acme", &attackers_form).await;
    assert_eq!(own.status(), StatusCode::OK, "the consent page");
}

#[tokio::test]
async fn a_stolen_code_cannot_be_spent_by_another_client_or_without_its_verifier() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (code, verifier) = app
        .authorize(&third_party, &Browser::new(), &["products:read"])
        .await;
    // A public client of the same tenant, with the code but not the verifier.
    let thief = app
        .app_with(
            "acme",
            json!({"client_name": "Thief", "token_endpoint_auth_method": "none"}),
        )
        .await;
    let stolen = app
        .oauth_client(&thief)
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.secret().clone()))
        .request_async(&oauth_http)
        .await
        .expect_err("another client's code");
    assert_eq!(error_code(stolen), "invalid_grant");
    let guessed = app
        .oauth_client(&third_party)
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(PkceCodeVerifier::new("x".repeat(64)))
        .request_async(&oauth_http)
        .await
        .expect_err("a wrong verifier");
    assert_eq!(error_code(guessed), "invalid_grant");
    // Neither spent it: the app gets its tokens.
    let tokens = app.exchange(&third_party, code, verifier).await;
    assert!(!tokens.access_token().secret().is_empty());
}

/// Asks until `path` answers `status` (a revocation reaches the gateway within its poll).
async fn eventually(
    app: &crate::helpers::TestApp,
    path: &str,
    token: &str,
    status: u16,
) -> reqwest::Response {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let response = app
            .http
            .get(app.url(path))
            .bearer_auth(token)
            .header("cache-control", "no-cache")
            .send()
            .await
            .expect("answer");
        if response.status().as_u16() == status || std::time::Instant::now() > deadline {
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_revocation_made_while_redis_is_down_holds_when_redis_comes_back_empty() {
    let port = crate::helpers::ReservedPort::new().release();
    let redis = crate::response_cache::OwnRedis::start(port, tempfile::tempdir().expect("dir"));
    let app = crate::helpers::spawn_app_with(|config| {
        config.redis_url = Some(format!("redis://127.0.0.1:{port}"));
    })
    .await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let token = app.token(&client, &["products:read"]).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );

    let (port, dir) = redis.stop();
    app.revoke(&client, &token).await;
    // Redis comes back empty: the announcement in the cache is lost.
    drop(dir);
    let _redis = crate::response_cache::OwnRedis::start(port, tempfile::tempdir().expect("dir"));
    let refused = eventually(&app, "/t/acme/api/v1/products", &token, 401).await;
    assert_eq!(refused.status(), 401, "refused from the revocation feed");
    for _ in 0..5 {
        assert_eq!(
            app.get("/t/acme/api/v1/products", &token).await.status(),
            401
        );
    }
}

#[tokio::test]
async fn deleting_a_client_a_user_or_a_tenant_revokes_their_access_tokens_everywhere() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    // A user's token (the tenant, with its user ada, comes with the app).
    let third_party = app.app_with("acme", json!({})).await;
    // A machine client's token: machine tokens are not recorded one by one.
    let machine = app.register_client("acme", "products:read").await;
    let machine_token = app.token(&machine, &["products:read"]).await;
    let (code, verifier) = app
        .authorize(&third_party, &Browser::new(), &["products:read"])
        .await;
    let user_token = app
        .exchange(&third_party, code, verifier)
        .await
        .access_token()
        .secret()
        .clone();
    // Another tenant's token, for the tenant's deletion.
    app.create_tenant("globex").await;
    let globex = app.register_client("globex", "products:read").await;
    let globex_token = app.token(&globex, &["products:read"]).await;
    for (path, token) in [
        ("/t/acme/api/v1/products", &machine_token),
        ("/t/acme/api/v1/products", &user_token),
        ("/t/globex/api/v1/products", &globex_token),
    ] {
        assert_eq!(app.get(path, token).await.status(), 200);
    }

    let deleted = app
        .send(
            reqwest::Method::DELETE,
            &format!("/t/acme/admin/v1/clients/{}", machine.client_id),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    let users: serde_json::Value = app
        .get("/t/acme/admin/v1/users", &operator)
        .await
        .json()
        .await
        .expect("json");
    let ada = users["items"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["username"] == "ada"))
        .map(|u| u["id"].as_str().expect("id").to_owned())
        .expect("ada");
    let deleted = app
        .send(
            reqwest::Method::DELETE,
            &format!("/t/acme/admin/v1/users/{ada}"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    let deleted = app
        .send(
            reqwest::Method::DELETE,
            "/admin/v1/tenants/globex",
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);

    for (path, token) in [
        ("/t/acme/api/v1/products", &machine_token),
        ("/t/acme/api/v1/products", &user_token),
        ("/t/globex/api/v1/products", &globex_token),
    ] {
        let refused = eventually(&app, path, token, 401).await;
        assert_eq!(refused.status(), 401, "{path}");
    }
    // Tokens issued afterwards to what remains work.
    let fresh = app
        .token(
            &app.register_client("acme", "products:read").await,
            &["products:read"],
        )
        .await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &fresh).await.status(),
        200
    );
}

#[tokio::test]
async fn a_gateway_that_cannot_read_revocations_refuses_or_allows_as_configured() {
    let mut deployment = crate::split_deployment::Deployment::start().await;
    let allowing = deployment
        .another_gateway(|config| {
            config.gateway.revocation_unknown = gatehouse::config::RevocationUnknownConfig::Allow;
        })
        .await;
    let app = &deployment.app;
    let token = app.tenant_with_product_token("acme").await;
    let through = |base: String| {
        let token = token.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}/t/acme/api/v1/products"))
                .bearer_auth(token)
                .header("cache-control", "no-cache")
                .send()
                .await
                .expect("answer")
        }
    };
    assert_eq!(through(app.base.clone()).await.status(), 200);
    assert_eq!(through(allowing.clone()).await.status(), 200);

    // Across processes, a bulk revocation (a deleted client: nothing goes through the cache)
    // reaches both gateways through the feed.
    let doomed = app.register_client("acme", "products:read").await;
    let doomed_token = app.token(&doomed, &["products:read"]).await;
    let operator = app.operator_token().await;
    let deleted = app
        .send(
            reqwest::Method::DELETE,
            &format!("/t/acme/admin/v1/clients/{}", doomed.client_id),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        eventually(app, "/t/acme/api/v1/products", &doomed_token, 401)
            .await
            .status(),
        401
    );
    let other_gateway = TestApp {
        base: allowing.clone(),
        http: reqwest::Client::new(),
        admin_secret: app.admin_secret.clone(),
        database_url: String::new(),
        data_dir: tempfile::tempdir().expect("dir"),
    };
    assert_eq!(
        eventually(
            &other_gateway,
            "/t/acme/api/v1/products",
            &doomed_token,
            401
        )
        .await
        .status(),
        401
    );

    for auth in &mut deployment.auth {
        auth.kill();
    }
    let app = &deployment.app;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let refused = loop {
        let response = through(app.base.clone()).await;
        if response.status() == 503 || std::time::Instant::now() > deadline {
            break response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert_eq!(refused.status(), 503, "deny: revocation fails closed");
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        problem(refused).await["type"],
        "urn:gatehouse:problem:revocation-unknown"
    );
    // A loaded machine may have the allowing gateway's health check miss a beat (a 502 for
    // up to two seconds); what matters is that it serves while revocations are unknown.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let allowed = loop {
        let status = through(allowing.clone()).await.status();
        if status == 200 || std::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert_eq!(allowed, 200, "allow: the API goes on");

    deployment.auth[0].restart();
    let app = &deployment.app;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if through(app.base.clone()).await.status() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the gateway recovers");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn users_hold_only_what_their_role_allows_and_a_disabled_user_nothing() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    let third_party = app
        .app_with(
            "acme",
            json!({"scope": "openid offline_access products:read tenant:admin"}),
        )
        .await;
    let wanted = ["products:read", "tenant:admin", "offline_access"];
    let (code, verifier) = app.authorize(&third_party, &Browser::new(), &wanted).await;
    let plain = app.exchange(&third_party, code, verifier).await;
    let scopes = |t: &oauth2::basic::BasicTokenResponse| -> Vec<String> {
        t.scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    };
    assert!(
        !scopes(&plain).contains(&"tenant:admin".to_owned()),
        "a plain user's token: {:?}",
        scopes(&plain)
    );
    assert!(scopes(&plain).contains(&"products:read".to_owned()));
    assert_eq!(
        app.get("/t/acme/admin/v1/clients", plain.access_token().secret())
            .await
            .status(),
        403
    );

    let users: serde_json::Value = app
        .get("/t/acme/admin/v1/users", &operator)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(users["items"][0]["role"], "user");
    let ada = users["items"][0]["id"].as_str().expect("id").to_owned();
    let user_path = format!("/t/acme/admin/v1/users/{ada}");
    let patch = |body: serde_json::Value| {
        app.send(
            reqwest::Method::PATCH,
            &user_path,
            Some(&operator),
            Some(body),
        )
    };
    let promoted = patch(json!({"role": "admin"})).await;
    assert_eq!(promoted.status(), 200);
    let (code, verifier) = app.authorize(&third_party, &Browser::new(), &wanted).await;
    let admin = app.exchange(&third_party, code, verifier).await;
    assert!(scopes(&admin).contains(&"tenant:admin".to_owned()));
    assert_eq!(
        app.get("/t/acme/admin/v1/clients", admin.access_token().secret())
            .await
            .status(),
        200
    );

    let disabled = patch(json!({"disabled": true})).await;
    assert_eq!(disabled.status(), 200);
    let body: serde_json::Value = disabled.json().await.expect("json");
    assert_eq!(body["disabled"], true);
    let refused = eventually(
        &app,
        "/t/acme/api/v1/products",
        admin.access_token().secret(),
        401,
    )
    .await;
    assert_eq!(refused.status(), 401, "its access tokens are refused");
    let refresh = app
        .oauth_client(&third_party)
        .exchange_refresh_token(admin.refresh_token().expect("refresh"))
        .request_async(&oauth_http)
        .await
        .expect_err("no refresh for a disabled user");
    assert_eq!(error_code(refresh), "invalid_grant");
    let browser = Browser::new();
    let (url, _) = authorization_url(&app, &third_party, &[]);
    let form = login_page(&browser, &url).await;
    let again = browser.sign_in(&app, "acme", &form).await;
    let html = again.text().await.expect("html");
    assert!(html.contains("Wrong username or password"), "{html}");
}

#[tokio::test]
async fn disabling_a_client_or_a_tenant_revokes_its_tokens_and_stops_issuing() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let token = app.token(&client, &["products:read"]).await;
    app.create_tenant("globex").await;
    let globex = app.register_client("globex", "products:read").await;
    let globex_token = app.token(&globex, &["products:read"]).await;

    let patch = |path: String, body: serde_json::Value| {
        let app = &app;
        let operator = operator.clone();
        async move {
            app.send(reqwest::Method::PATCH, &path, Some(&operator), Some(body))
                .await
        }
    };
    let disabled = patch(
        format!("/t/acme/admin/v1/clients/{}", client.client_id),
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(disabled.status(), 200);
    let body: serde_json::Value = disabled.json().await.expect("json");
    assert_eq!(body["disabled"], true);
    let disabled = patch("/admin/v1/tenants/globex".into(), json!({"disabled": true})).await;
    assert_eq!(disabled.status(), 200);

    for (path, token) in [
        ("/t/acme/api/v1/products", &token),
        ("/t/globex/api/v1/products", &globex_token),
    ] {
        let refused = eventually(&app, path, token, 401).await;
        assert_eq!(refused.status(), 401, "{path}");
    }
    let err = app
        .try_token(&client, &["products:read"], oauth2::AuthType::BasicAuth)
        .await
        .expect_err("a disabled client gets no token");
    assert_eq!(error_code(err), "invalid_client");
    assert!(
        app.try_token(&globex, &["products:read"], oauth2::AuthType::BasicAuth)
            .await
            .is_err(),
        "a disabled tenant issues nothing"
    );
    let system = patch("/admin/v1/tenants/system".into(), json!({"disabled": true})).await;
    assert_eq!(system.status(), 409, "the operator's tenant stays enabled");

    // Enabled again: new tokens work; the old ones stay revoked.
    let enabled = patch(
        format!("/t/acme/admin/v1/clients/{}", client.client_id),
        json!({"disabled": false}),
    )
    .await;
    assert_eq!(enabled.status(), 200);
    // The revocation covers tokens issued up to its second; a new one comes a second later.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let fresh = app.token(&client, &["products:read"]).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &fresh).await.status(),
        200
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        401
    );
}

#[tokio::test]
async fn introspection_tells_only_the_tokens_client_or_a_resource_server() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let tokens = app
        .user_tokens(&third_party, &["products:read", "offline_access"])
        .await;
    let access = tokens.access_token().secret().clone();
    let refresh = tokens.refresh_token().expect("refresh").secret().clone();
    let other = app.register_client("acme", "products:read").await;
    let api = app
        .register_client_with(
            "acme",
            json!({"client_name": "Reporting API", "resource_server": true}),
        )
        .await;
    let introspect = |client_id: String, secret: Option<String>, token: String| {
        let app = &app;
        async move {
            let answer: serde_json::Value = app
                .http
                .post(app.url("/t/acme/oauth2/introspect"))
                .basic_auth(client_id, secret)
                .form(&[("token", token)])
                .send()
                .await
                .expect("answer")
                .json()
                .await
                .expect("json");
            answer["active"] == true
        }
    };
    let own = (
        third_party.client_id.clone(),
        third_party.client_secret.clone(),
    );
    let foreign = (other.client_id.clone(), Some(other.client_secret.clone()));
    let server = (api.client_id.clone(), Some(api.client_secret.clone()));
    assert!(introspect(own.0.clone(), own.1.clone(), access.clone()).await);
    assert!(introspect(own.0, own.1, refresh.clone()).await);
    assert!(
        !introspect(foreign.0.clone(), foreign.1.clone(), access.clone()).await,
        "another client learns nothing"
    );
    assert!(!introspect(foreign.0, foreign.1, refresh.clone()).await);
    assert!(
        introspect(server.0.clone(), server.1.clone(), access).await,
        "a resource server learns about every access token"
    );
    assert!(
        !introspect(server.0, server.1, refresh).await,
        "but not about another client's refresh tokens"
    );
}

/// A person's browser at `address` (behind the trusted proxy the test platform is configured
/// with): opens the sign-in page and posts ada's `password`; the answer's status and body.
struct Visitor {
    browser: Browser,
    address: &'static str,
}

impl Visitor {
    fn at(address: &'static str) -> Self {
        Self {
            browser: Browser::new(),
            address,
        }
    }

    async fn open(&self, url: &str) -> Form {
        let page = self
            .browser
            .http
            .get(url)
            .header("x-forwarded-for", self.address)
            .send()
            .await
            .expect("authorize");
        assert_eq!(page.status(), 200, "the sign-in page");
        Form::of(&page.text().await.expect("html"))
    }

    async fn post(&self, app: &TestApp, form: Form, password: &str) -> (u16, String) {
        let answer = self
            .browser
            .log_in(app, "acme", &form, password)
            .header("x-forwarded-for", self.address)
            .send()
            .await
            .expect("login");
        let status = answer.status().as_u16();
        (status, answer.text().await.expect("body"))
    }

    async fn sign_in(&self, app: &TestApp, url: &str, password: &str) -> u16 {
        let form = self.open(url).await;
        self.post(app, form, password).await.0
    }
}

#[tokio::test]
async fn failures_from_elsewhere_never_lock_a_user_out_and_a_known_browser_signs_in() {
    let app = crate::helpers::spawn_app_with(|config| {
        config.gateway.trusted_proxies = vec!["127.0.0.1".into()];
        config.auth.login_slowdown_after = 2;
        config.auth.login_max_failures = 3;
    })
    .await;
    let third_party = app.app_with("acme", json!({})).await;
    let (url, _) = authorization_url(&app, &third_party, &[]);

    let attacker = Visitor::at("203.0.113.66");
    for _ in 0..3 {
        assert_eq!(
            attacker.sign_in(&app, &url, "guess").await,
            200,
            "the form again"
        );
    }
    assert_eq!(
        attacker.sign_in(&app, &url, PASSWORD).await,
        429,
        "that address is paused for ada, even with her password"
    );
    // Ada, elsewhere, is not locked out.
    let ada = Visitor::at("198.51.100.7");
    assert_eq!(
        ada.sign_in(&app, &url, PASSWORD).await,
        200,
        "the consent page"
    );

    // Someone behind ada's own address now fails for her too...
    let neighbour = Visitor::at("198.51.100.7");
    for _ in 0..3 {
        neighbour.sign_in(&app, &url, "guess").await;
    }
    assert_eq!(neighbour.sign_in(&app, &url, PASSWORD).await, 429);
    // ...and her browser, which signed in as her before, still gets in.
    assert_eq!(ada.sign_in(&app, &url, PASSWORD).await, 200);
}

#[tokio::test]
async fn concurrent_failed_sign_ins_are_counted_before_any_password_is_checked() {
    let app = crate::helpers::spawn_app_with(|config| {
        config.gateway.trusted_proxies = vec!["127.0.0.1".into()];
        config.auth.login_slowdown_after = 3;
        config.auth.login_max_failures = 3;
    })
    .await;
    let third_party = app.app_with("acme", json!({})).await;
    let (url, _) = authorization_url(&app, &third_party, &[]);
    let attacker = Visitor::at("203.0.113.99");
    let mut forms = Vec::new();
    for _ in 0..12 {
        forms.push(attacker.open(&url).await);
    }
    let attempts = forms
        .into_iter()
        .map(|form| attacker.post(&app, form, "guess"));
    let answers = futures_util::future::join_all(attempts).await;
    let checked = answers.iter().filter(|(status, _)| *status == 200).count();
    let paused = answers.iter().filter(|(status, _)| *status == 429).count();
    assert_eq!(
        (checked, paused),
        (3, 9),
        "three passwords checked, the rest refused first: {:?}",
        answers.iter().map(|(s, _)| s).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn sign_in_pages_and_oauth_apis_are_rate_limited_per_address() {
    let app = crate::helpers::spawn_app_with(|config| {
        config.gateway.rate_limits.oauth_per_minute = 3;
    })
    .await;
    let third_party = app.app_with("acme", json!({})).await;
    let (url, _) = authorization_url(&app, &third_party, &[]);
    let browser = Browser::new();
    for _ in 0..3 {
        let page = browser.http.get(&url).send().await.expect("authorize");
        assert_eq!(page.status(), 200);
    }
    let limited = browser.http.get(&url).send().await.expect("authorize");
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    let introspected = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .basic_auth(&third_party.client_id, third_party.client_secret.as_deref())
        .form(&[("token", "x")])
        .send()
        .await
        .expect("answer");
    assert_eq!(introspected.status(), 429, "the same address's budget");
    let body: serde_json::Value = introspected.json().await.expect("json");
    assert_eq!(body["error"], "temporarily_unavailable", "RFC 6749 form");
}
