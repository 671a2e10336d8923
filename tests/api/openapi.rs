use serde_json::Value;

use crate::helpers::spawn_app;

fn committed(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_committed_openapi_documents_are_what_the_code_generates() {
    for (name, generated) in gatehouse::openapi_documents() {
        assert!(
            committed(name) == format!("{generated}\n"),
            "openapi/{name} is stale: run `cargo run -p gatehouse -- openapi --out openapi` and commit it"
        );
    }
}

#[test]
fn every_document_declares_its_oauth2_security_scheme_and_problem_errors() {
    for (name, generated) in gatehouse::openapi_documents() {
        let doc: Value = serde_json::from_str(&generated).expect("json");
        assert!(
            doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{name}"
        );
        if name == "auth.json" {
            continue;
        }
        let schemes = doc["components"]["securitySchemes"]
            .as_object()
            .expect("schemes");
        assert!(
            schemes.values().all(|s| s["type"] == "oauth2"
                && s["flows"]["clientCredentials"]["tokenUrl"].is_string()),
            "{name}"
        );
        assert!(generated.contains("application/problem+json"), "{name}");
    }
}

#[tokio::test]
async fn the_platform_serves_its_documents_and_swagger_ui() {
    let app = spawn_app().await;
    for (name, generated) in gatehouse::openapi_documents() {
        let served: Value = app
            .http
            .get(app.url(&format!("/openapi/{name}")))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("json");
        assert_eq!(
            served,
            serde_json::from_str::<Value>(&generated).expect("json"),
            "{name}"
        );
    }
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let docs = no_redirects
        .get(app.url("/docs"))
        .send()
        .await
        .expect("answer");
    assert_eq!(docs.status(), 303);
    assert_eq!(docs.headers()["location"], "/docs/resources");
    for path in ["/docs/resources", "/docs/admin", "/docs/auth"] {
        let page = app.http.get(app.url(path)).send().await.expect("answer");
        assert_eq!(page.status(), 200, "{path}");
        assert!(
            page.text().await.expect("html").contains("SwaggerUIBundle"),
            "{path}"
        );
    }
    app.create_tenant("acme").await;
    let page = app
        .http
        .get(app.url("/t/acme/docs"))
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("/t/acme/oauth2/token"),
        "Authorize posts to the tenant's token endpoint"
    );
}
