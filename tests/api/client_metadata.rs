//! Client ID Metadata Documents: a client whose `client_id` is an https URL serving its
//! metadata. A TLS server here plays the client's website, under a test CA the platform is told
//! to trust; the oauth2 crate signs ada in with the URL as its client id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{App, Browser, REDIRECT, TestApp, claims_of, spawn_app_with};

/// What the website answers at a path.
#[derive(Clone)]
struct Page {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Page {
    fn json(body: &Value) -> Self {
        Self {
            status: 200,
            headers: vec![
                ("content-type", "application/json".into()),
                ("cache-control", "public, max-age=300".into()),
            ],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
}

/// A client's website over TLS on loopback, with a certificate from its own CA.
struct Website {
    base: String,
    ca_pem: String,
    pages: Arc<Mutex<HashMap<String, Page>>>,
    fetches: Arc<Mutex<HashMap<String, usize>>>,
}

impl Website {
    async fn start() -> Self {
        let ca_params = {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "Gatehouse test CA");
            params
        };
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
        let site_key = rcgen::KeyPair::generate().expect("site key");
        let site = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("params")
            .signed_by(&site_key, &ca)
            .expect("site certificate");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![site.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(site_key.serialize_der().into()),
            )
            .expect("TLS config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let pages: Arc<Mutex<HashMap<String, Page>>> = Arc::default();
        let fetches: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (served, counted) = (pages.clone(), fetches.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, served, counted) =
                    (acceptor.clone(), served.clone(), counted.clone());
                tokio::spawn(async move {
                    let Ok(mut stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request);
                    let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                    *counted
                        .lock()
                        .expect("lock")
                        .entry(path.clone())
                        .or_default() += 1;
                    let page = served.lock().expect("lock").get(&path).cloned();
                    let page = page.unwrap_or(Page {
                        status: 404,
                        headers: vec![],
                        body: String::new(),
                        delay: Duration::ZERO,
                    });
                    tokio::time::sleep(page.delay).await;
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                        page.status,
                        page.body.len()
                    );
                    for (name, value) in &page.headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(page.body.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            base: format!("https://127.0.0.1:{port}"),
            ca_pem: ca.pem(),
            pages,
            fetches,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn serve(&self, path: &str, page: Page) {
        self.pages.lock().expect("lock").insert(path.into(), page);
    }

    fn fetches(&self, path: &str) -> usize {
        self.fetches
            .lock()
            .expect("lock")
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// A good document for `path`: a public client of the code flow.
    fn agent_document(&self, path: &str) -> Value {
        json!({
            "client_id": self.url(path),
            "client_name": "Agent",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": "openid products:read offline_access",
        })
    }
}

/// The platform, trusting the website's CA; documents on private networks as `private` says;
/// on Redis under `redis_namespace` if given.
async fn platform(website: &Website, private: bool, redis_namespace: Option<&str>) -> TestApp {
    let ca = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(ca.path(), &website.ca_pem).expect("write the CA");
    let (_, path) = ca.keep().expect("keep");
    spawn_app_with(|config| {
        config.auth.client_documents_ca_file = Some(path);
        config.auth.client_documents_private_networks = private;
        if let Some(namespace) = redis_namespace {
            config.redis_url = Some(crate::cache_backends::redis_url());
            config.redis_namespace = namespace.to_owned();
        }
    })
    .await
}

/// Tenant `acme` with ada, accepting client metadata documents.
async fn accepting_tenant(app: &TestApp) {
    app.app_with("acme", json!({})).await;
    let operator = app.operator_token().await;
    let set = app
        .send(
            reqwest::Method::PUT,
            "/t/acme/admin/v1/oauth-policy",
            Some(&operator),
            Some(json!({"client_id_metadata_documents": true})),
        )
        .await;
    assert_eq!(set.status(), 200);
}

/// How many directory changes were logged (each makes every auth process forget a tenant).
async fn directory_changes(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.db().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM auth_directory_changes",
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get("", "n").expect("count")
}

/// Tenant `acme`'s clients, as the operator lists them.
async fn clients_of(app: &TestApp) -> Value {
    let operator = app.operator_token().await;
    let response = app.get("/t/acme/admin/v1/clients", &operator).await;
    response.json().await.expect("json")
}

/// The authorization endpoint's answer to `client_id`: its status and page.
async fn authorize(app: &TestApp, tenant: &str, client_id: &str) -> (u16, String) {
    let mut url = url::Url::parse(&app.url(&format!("/t/{tenant}/oauth2/authorize"))).expect("url");
    url.query_pairs_mut().extend_pairs([
        ("client_id", client_id),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "products:read"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ]);
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url)
        .send()
        .await
        .expect("authorize");
    (
        response.status().as_u16(),
        response.text().await.expect("page"),
    )
}

#[tokio::test]
async fn an_agent_named_by_its_document_url_signs_a_person_in() {
    let website = Website::start().await;
    let namespace = format!("cimd{}", uuid::Uuid::new_v4().simple());
    let app = platform(&website, true, Some(&namespace)).await;
    accepting_tenant(&app).await;
    website.serve(
        "/agent.json",
        Page::json(&website.agent_document("/agent.json")),
    );
    let agent = App {
        tenant: "acme".into(),
        client_id: website.url("/agent.json"),
        client_secret: None,
        redirect: REDIRECT.into(),
    };
    let (code, verifier) = app
        .authorize_with(&agent, &Browser::new(), &["openid", "products:read"], &[])
        .await;
    let tokens = app.exchange(&agent, code, verifier).await;
    let token = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();
    assert_eq!(claims_of(&token)["client_id"], agent.client_id.as_str());
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );
    // Fetched once: the sign-in and the token request used the copy the cache keeps fresh.
    assert_eq!(website.fetches("/agent.json"), 1);

    // The client is listed, its name saying where its description lives.
    let clients = clients_of(&app).await;
    let listed = clients["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["client_id"] == agent.client_id.as_str())
        .expect("the agent is a client")
        .clone();
    assert_eq!(listed["client_name"], "Agent (127.0.0.1)");
    assert_eq!(listed["token_endpoint_auth_method"], "none");
    assert_eq!(listed["scope"], "openid products:read offline_access");

    // Once the note that the copy is fresh lapses (here: deleted from Redis), the document is
    // fetched again and the client rewritten from it.
    let mut renamed = website.agent_document("/agent.json");
    renamed["client_name"] = json!("Agent 2");
    website.serve("/agent.json", Page::json(&renamed));
    let shared = gatehouse_cache::RedisCache::new(&crate::cache_backends::redis_url(), &namespace)
        .expect("redis");
    let note = gatehouse_cache::Key::new("client-document", "acme", &agent.client_id);
    gatehouse_cache::Cache::delete(&shared, &note)
        .await
        .expect("the note is deleted");
    let (code, verifier) = app
        .authorize_with(&agent, &Browser::new(), &["products:read"], &[])
        .await;
    app.exchange(&agent, code, verifier).await;
    assert_eq!(website.fetches("/agent.json"), 2);
    let clients = clients_of(&app).await;
    assert!(
        clients.to_string().contains("Agent 2 (127.0.0.1)"),
        "{clients}"
    );
    // Fetched again unchanged, the document changes nothing: no directory change makes every
    // process forget the tenant.
    let changes = directory_changes(&app).await;
    gatehouse_cache::Cache::delete(&shared, &note)
        .await
        .expect("the note is deleted");
    let (code, verifier) = app
        .authorize_with(&agent, &Browser::new(), &["products:read"], &[])
        .await;
    app.exchange(&agent, code, verifier).await;
    assert_eq!(website.fetches("/agent.json"), 3);
    assert_eq!(directory_changes(&app).await, changes);

    // The discovery document says so; a tenant that does not accept documents refuses them.
    let discovery = app
        .public_json("/t/acme/.well-known/openid-configuration")
        .await;
    assert_eq!(discovery["client_id_metadata_document_supported"], true);
    app.create_tenant("globex").await;
    let (status, page) = authorize(&app, "globex", &agent.client_id).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("does not accept client metadata documents"),
        "{page}"
    );
    assert_eq!(website.fetches("/agent.json"), 3, "globex did not fetch it");
}

#[tokio::test]
async fn documents_that_are_not_the_clients_own_or_not_safe_to_fetch_are_refused() {
    let website = Website::start().await;
    let app = platform(&website, true, None).await;
    accepting_tenant(&app).await;
    let mut other_id = website.agent_document("/other.json");
    other_id["client_id"] = json!(website.url("/agent.json"));
    let mut secret = website.agent_document("/secret.json");
    secret["token_endpoint_auth_method"] = json!("client_secret_basic");
    let mut big = website.agent_document("/big.json");
    big["client_name"] = json!("x".repeat(6000));
    let mut slow = Page::json(&website.agent_document("/slow.json"));
    slow.delay = Duration::from_secs(8);
    let redirect = Page {
        status: 302,
        headers: vec![("location", website.url("/agent.json"))],
        body: String::new(),
        delay: Duration::ZERO,
    };
    let mut no_redirects = website.agent_document("/no-redirects.json");
    no_redirects["redirect_uris"] = json!([]);
    website.serve("/other.json", Page::json(&other_id));
    website.serve("/secret.json", Page::json(&secret));
    website.serve("/big.json", Page::json(&big));
    website.serve("/slow.json", slow);
    website.serve("/moved.json", redirect);
    website.serve("/no-redirects.json", Page::json(&no_redirects));
    website.serve(
        "/not-json.json",
        Page {
            body: "<html>hello</html>".into(),
            ..Page::json(&json!({}))
        },
    );
    let cases = [
        (
            "/other.json",
            "its client_id is not the URL it was fetched from",
        ),
        ("/secret.json", "cannot hold a secret"),
        ("/big.json", "larger than 5120 bytes"),
        // What the network said stays in the log: the page does not tell strangers which
        // hosts and ports answer.
        ("/slow.json", "the document could not be fetched."),
        ("/moved.json", "the document could not be fetched."),
        ("/missing.json", "the document could not be fetched."),
        ("/no-redirects.json", "names no redirect_uris"),
        ("/not-json.json", "is not valid"),
    ];
    for (path, why) in cases {
        let (status, page) = authorize(&app, "acme", &website.url(path)).await;
        assert_eq!(status, 400, "{path}");
        assert!(page.contains(why), "{path}: {page}");
    }
    // A refusal is remembered for a minute: fixed at once, the document is not asked for again
    // yet, so a stranger's URL cannot make the server fetch on every request.
    assert_eq!(website.fetches("/other.json"), 1);
    website.serve(
        "/other.json",
        Page::json(&website.agent_document("/other.json")),
    );
    let (status, page) = authorize(&app, "acme", &website.url("/other.json")).await;
    assert_eq!(status, 400);
    assert!(page.contains("its client_id is not the URL"), "{page}");
    assert_eq!(website.fetches("/other.json"), 1);
    // Not URLs a document may have: plain http, no path, not in normal form.
    for client_id in [
        website.url("/").replace("https", "http") + "agent.json",
        website.url("/"),
        website.url("/a/../agent.json"),
    ] {
        let (status, page) = authorize(&app, "acme", &client_id).await;
        assert_eq!(status, 400, "{client_id}");
        assert!(
            page.contains("not a usable document URL") || page.contains("not registered"),
            "{client_id}: {page}"
        );
    }
    // Nothing refused became a client.
    let clients = clients_of(&app).await;
    assert!(!clients.to_string().contains(&website.base), "{clients}");
}

#[tokio::test]
async fn documents_on_private_addresses_are_never_fetched() {
    let website = Website::start().await;
    // The default: documents must be on the public internet.
    let app = platform(&website, false, None).await;
    accepting_tenant(&app).await;
    website.serve(
        "/agent.json",
        Page::json(&website.agent_document("/agent.json")),
    );
    let port = website.base.rsplit(':').next().expect("port");
    for client_id in [
        website.url("/agent.json"),
        format!("https://localhost:{port}/agent.json"),
    ] {
        let (status, page) = authorize(&app, "acme", &client_id).await;
        assert_eq!(status, 400, "{client_id}");
        assert!(
            page.contains("the document could not be fetched."),
            "{client_id}: {page}"
        );
    }
    assert_eq!(
        website.fetches("/agent.json"),
        0,
        "the website was never asked"
    );

    // Nor at the token endpoint, where the refusal is invalid_client.
    let response = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("client_id", website.url("/agent.json").as_str()),
        ])
        .send()
        .await
        .expect("token endpoint");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(website.fetches("/agent.json"), 0);
}
