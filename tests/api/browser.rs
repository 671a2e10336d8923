//! Web pages in a real browser: headless Chromium renders Swagger UI from the served documents.

use std::path::Path;

use crate::helpers::spawn_app;

fn chromium() -> &'static str {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| {
            panic!("Chromium is not installed: run `apt-get install -y chromium` (.ci/run does)")
        })
}

/// The DOM of `url` after its scripts ran, as headless Chromium sees it.
async fn rendered(url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let output = tokio::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--virtual-time-budget=15000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .await
        .expect("Chromium runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 DOM")
}

#[tokio::test]
async fn swagger_ui_renders_every_operation_with_an_authorize_button() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;

    let dom = rendered(&app.url("/t/acme/docs")).await;
    // Markup that only Swagger UI's scripts create, from the document they fetched.
    assert!(
        dom.contains(r#"<h2 class="title">Gatehouse resource API"#),
        "the title is rendered"
    );
    assert!(
        dom.contains(r#"class="btn authorize"#),
        "Swagger UI offers Authorize"
    );
    // The tenant's page shows the tenant's paths.
    for path in ["/t/acme/api/v1/products", "/t/acme/api/v1/products/{id}"] {
        assert!(
            dom.contains(&format!(r#"data-path="{path}""#)),
            "{path} is listed"
        );
    }
    let operations = dom.matches(r#"class="opblock-summary-method""#).count();
    assert_eq!(
        operations,
        documented(2),
        "every documented resource operation is shown"
    );

    let dom = rendered(&app.url("/docs/admin")).await;
    assert!(dom.contains(r#"<h2 class="title">Gatehouse admin API"#));
    assert!(dom.contains(r#"data-path="/admin/v1/tenants""#));
    assert_eq!(
        dom.matches(r#"class="opblock-summary-method""#).count(),
        documented(0),
        "every documented admin operation is shown"
    );
}

/// How many operations the `index`th OpenAPI document (admin, auth, resources) describes.
fn documented(index: usize) -> usize {
    let document: serde_json::Value =
        serde_json::from_str(&gatehouse::openapi_documents()[index].1).expect("a document");
    document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|ops| ops.as_object().map_or(0, |o| o.len()))
        .sum()
}
