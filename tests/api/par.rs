//! Pushed authorization requests (RFC 9126): the app posts its request first, the browser
//! carries only a `request_uri` that works once, and a tenant or a client may require it.

use oauth2::PkceCodeChallenge;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{App, Browser, TestApp, query, spawn_app};

/// Pushes an authorization request of `app` with `params` (and its credentials); the status
/// and the JSON answer.
async fn push(app: &TestApp, third_party: &App, params: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(&format!("/t/{}/oauth2/par", third_party.tenant)))
        .basic_auth(&third_party.client_id, third_party.client_secret.as_ref())
        .form(params)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    if status == 201 {
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    (status, response.json().await.expect("JSON"))
}

/// Pushes a plain code request of `app` (its PKCE verifier is thrown away); its `request_uri`.
async fn push_code_request(app: &TestApp, third_party: &App) -> String {
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let params = [
        ("response_type", "code"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let (status, pushed) = push(app, third_party, &params).await;
    assert_eq!(status, 201, "{pushed}");
    pushed["request_uri"]
        .as_str()
        .expect("request_uri")
        .to_owned()
}

/// The authorization URL that carries only the client and the pushed request.
fn authorize_url(app: &TestApp, third_party: &App, request_uri: &str) -> String {
    let mut url = url::Url::parse(&app.url(&format!("/t/{}/oauth2/authorize", third_party.tenant)))
        .expect("url");
    url.query_pairs_mut()
        .append_pair("client_id", &third_party.client_id)
        .append_pair("request_uri", request_uri);
    url.to_string()
}

#[tokio::test]
async fn a_pushed_request_signs_the_user_in_once_and_its_code_gets_tokens() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let resource = app.url("/t/acme/api/v1");
    let (status, pushed) = push(
        &app,
        &third_party,
        &[
            ("response_type", "code"),
            ("redirect_uri", &third_party.redirect),
            ("scope", "products:read"),
            ("state", "pushed-state"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("resource", &resource),
        ],
    )
    .await;
    assert_eq!(status, 201, "{pushed}");
    assert_eq!(pushed["expires_in"], 60);
    let request_uri = pushed["request_uri"].as_str().expect("request_uri");
    assert!(
        request_uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{request_uri}"
    );

    // Parameters on the URL besides client_id and request_uri are ignored (§4).
    let url = format!(
        "{}&scope=products:write&state=forged",
        authorize_url(&app, &third_party, request_uri)
    );
    let params = app.approve_at(&third_party, &Browser::new(), &url).await;
    assert_eq!(params["state"], "pushed-state");
    let tokens = app
        .exchange(&third_party, params["code"].clone(), verifier)
        .await;
    use oauth2::TokenResponse;
    let claims = crate::helpers::claims_of(tokens.access_token().secret());
    assert_eq!(claims["scope"], "products:read");
    assert_eq!(claims["aud"], resource.as_str());

    // Used once: the same link again is an error page, not a second sign-in.
    let again = Browser::new()
        .http
        .get(authorize_url(&app, &third_party, request_uri))
        .send()
        .await
        .expect("answer");
    assert_eq!(again.status(), 400);
    assert!(
        again
            .text()
            .await
            .expect("page")
            .contains("expired or was already used")
    );

    // Another client cannot use a client's pushed request, and it expires.
    let other = app.app_with("acme", json!({})).await;
    let request_uri = &push_code_request(&app, &third_party).await;
    let stolen = Browser::new()
        .http
        .get(authorize_url(&app, &other, request_uri))
        .send()
        .await
        .expect("answer");
    assert_eq!(stolen.status(), 400);
    app.expire_all("auth_pushed_requests").await;
    let expired = Browser::new()
        .http
        .get(authorize_url(&app, &third_party, request_uri))
        .send()
        .await
        .expect("answer");
    assert_eq!(expired.status(), 400, "an expired request_uri");
}

#[tokio::test]
async fn bad_pushed_requests_get_rfc_6749_errors_and_nothing_is_kept() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("response_type", "token")],
            400,
            "unsupported_response_type",
        ),
        (
            vec![
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/cb"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![("response_type", "code"), ("scope", "platform:admin")],
            400,
            "invalid_scope",
        ),
        (
            vec![
                ("response_type", "code"),
                ("resource", "https://elsewhere.example"),
            ],
            400,
            "invalid_target",
        ),
        (
            vec![
                ("response_type", "code"),
                ("request_uri", "urn:ietf:params:oauth:request_uri:x"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![("response_type", "code"), ("client_id", "someone-else")],
            400,
            "invalid_request",
        ),
    ];
    for (params, status, error) in cases {
        let mut all = params.clone();
        all.extend(pkce);
        let (got, body) = push(&app, &third_party, &all).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{params:?}: {body}"
        );
    }
    // Without PKCE.
    let (got, body) = push(&app, &third_party, &[("response_type", "code")]).await;
    assert_eq!(
        (got, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // A wrong secret.
    let mut impostor = App { ..third_party };
    impostor.client_secret = Some("wrong".into());
    let (got, body) = push(&app, &impostor, &[("response_type", "code")]).await;
    assert_eq!((got, body["error"].as_str()), (401, Some("invalid_client")));

    let db = app.db().await;
    let rows = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM auth_pushed_requests",
        ))
        .await
        .expect("count")
        .expect("a row");
    let kept: i64 = rows.try_get("", "n").expect("n");
    assert_eq!(kept, 0, "no refused request is kept");
}

#[tokio::test]
async fn a_client_or_a_whole_tenant_may_be_required_to_push() {
    let app = spawn_app().await;
    let strict = app
        .app_with(
            "acme",
            json!({"require_pushed_authorization_requests": true}),
        )
        .await;
    let relaxed = app.app_with("acme", json!({})).await;
    let operator = app.operator_token().await;

    let refused_without_push = |third_party: &App| {
        let (url, _, _) = app.authorization_url(third_party, &["products:read"], &[]);
        async move {
            let response = Browser::new()
                .http
                .get(url.as_str())
                .send()
                .await
                .expect("answer");
            if response.status() != 303 {
                assert_eq!(response.status(), 200, "the login page");
                return false;
            }
            let location = response.headers()["location"].to_str().expect("location");
            let params = query(location);
            assert_eq!(params["error"], "invalid_request");
            params["error_description"].contains("pushed")
        }
    };
    assert!(
        refused_without_push(&strict).await,
        "the strict client must push"
    );
    assert!(!refused_without_push(&relaxed).await, "others need not");

    let policy_path = "/t/acme/admin/v1/oauth-policy";
    let policy: Value = app
        .get(policy_path, &operator)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(policy["require_pushed_authorization_requests"], false);
    let set = app
        .send(
            Method::PUT,
            policy_path,
            Some(&operator),
            Some(json!({"require_pushed_authorization_requests": true})),
        )
        .await;
    assert_eq!(set.status(), 200);
    let policy: Value = app
        .get(policy_path, &operator)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(policy["require_pushed_authorization_requests"], true);
    assert!(
        refused_without_push(&relaxed).await,
        "now every client must push"
    );

    let metadata: Value = app
        .http
        .get(app.url("/.well-known/oauth-authorization-server/t/acme"))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(metadata["require_pushed_authorization_requests"], true);
    assert_eq!(
        metadata["pushed_authorization_request_endpoint"],
        app.url("/t/acme/oauth2/par")
    );

    // A pushed request still works.
    let request_uri = push_code_request(&app, &relaxed).await;
    let url = authorize_url(&app, &relaxed, &request_uri);
    let params = app.approve_at(&relaxed, &Browser::new(), &url).await;
    assert!(params.contains_key("code"), "{params:?}");

    // A tenant admin of another tenant cannot read or change this policy.
    app.create_tenant("globex").await;
    let globex_admin = app.register_client("globex", "tenant:admin").await;
    let token = app.token(&globex_admin, &["tenant:admin"]).await;
    assert_eq!(app.get(policy_path, &token).await.status(), 401);
    let change = app
        .send(Method::PUT, policy_path, Some(&token), Some(json!({})))
        .await;
    assert_eq!(change.status(), 401);
}
