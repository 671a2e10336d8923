//! A tenant's Swagger UI (`/t/{tenant}/docs`): its document is the tenant's (no `tenant`
//! parameter, the tenant's OAuth URLs), and a person signs in through it with the authorization
//! code flow and PKCE, in headless Chromium driven over WebDriver, then tries an operation.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, problem, spawn_app};
use crate::webdriver::WebDriver;

const PRODUCT: &str = "Docs Explorer Widget";
/// Swagger UI's element of the list-products operation (`operations-{tag}-{operationId}`).
const LIST: &str = "#operations-Products-listProducts";

/// Registers acme's public client for the docs, the way docs/swagger-ui.md tells a tenant
/// admin to, and returns its client_id.
async fn docs_client(app: &TestApp) -> String {
    let token = app.operator_token().await;
    let response = app
        .post(
            "/t/acme/admin/v1/clients",
            &token,
            json!({
                "client_name": "API docs",
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "redirect_uris": [app.url("/t/acme/docs/oauth2-redirect.html")],
                "scope": "products:read products:write customers:read customers:write orders:read orders:write",
            }),
        )
        .await;
    assert_eq!(response.status(), 201, "register the docs client");
    let client: Value = response.json().await.expect("json");
    assert!(client.get("client_secret").is_none_or(Value::is_null));
    client["client_id"].as_str().expect("client_id").to_owned()
}

/// acme with a product, the user `ada` and the docs client; returns the docs client's id.
async fn acme_with_docs_client(app: &TestApp) -> String {
    let writer = app.tenant_with_product_token("acme").await;
    app.create_product(&writer, PRODUCT).await;
    let operator = app.operator_token().await;
    let user = app
        .post(
            "/t/acme/admin/v1/users",
            &operator,
            json!({"username": "ada", "password": PASSWORD, "email": "ada@example.com"}),
        )
        .await;
    assert_eq!(user.status(), 201, "create ada");
    docs_client(app).await
}

/// The document a tenant's page runs Swagger UI on (its JSON data block).
fn page_document(page: &str) -> Value {
    let open = r#"<script id="gatehouse-docs" type="application/json">"#;
    let start = page.find(open).expect("the page's data block") + open.len();
    let end = page[start..].find("</script>").expect("its end") + start;
    serde_json::from_str(&page[start..end]).expect("JSON")
}

#[tokio::test]
async fn a_tenants_docs_page_has_the_tenants_document_and_both_flows() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;

    let response = app
        .http
        .get(app.url("/t/acme/docs?client_id=%3C%2Fscript%3E%3Cb%3E%22x"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let page = response.text().await.expect("html");
    assert!(
        !page.contains("</script><b>"),
        "the client_id cannot end the data block"
    );
    let config = page_document(&page);
    assert_eq!(config["clientId"], "</script><b>\"x", "prefilled as given");
    assert_eq!(config["redirectPath"], "/t/acme/docs/oauth2-redirect.html");

    let document = &config["document"];
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/t/acme/api/v1/products"));
    for (path, item) in paths {
        assert!(!path.contains("{tenant}"), "{path}");
        for (method, operation) in item.as_object().expect("path item") {
            let tenant_parameters = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["name"] == "tenant")
                .count();
            assert_eq!(tenant_parameters, 0, "{method} {path}");
        }
    }
    let flows = &document["components"]["securitySchemes"]["ResourcesAuth"]["flows"];
    assert_eq!(
        flows["clientCredentials"]["tokenUrl"],
        "/t/acme/oauth2/token"
    );
    assert_eq!(
        flows["authorizationCode"]["authorizationUrl"],
        "/t/acme/oauth2/authorize"
    );
    assert_eq!(
        flows["authorizationCode"]["tokenUrl"],
        "/t/acme/oauth2/token"
    );
    assert!(flows["authorizationCode"]["scopes"]["products:read"].is_string());

    // The redirect page is served, keeps its URL (with the code) out of caches and referrers.
    let redirect = app
        .http
        .get(app.url("/t/acme/docs/oauth2-redirect.html?code=x&state=y"))
        .send()
        .await
        .expect("answer");
    assert_eq!(redirect.status(), 200);
    assert_eq!(redirect.headers()["cache-control"], "no-store");
    assert_eq!(redirect.headers()["referrer-policy"], "no-referrer");

    // Bad input: 4xx problems.
    for path in [
        "/t/Acme/docs",
        "/t/-acme/docs",
        "/t/a%3Cb/docs",
        "/t/Acme/docs/oauth2-redirect.html",
        "/t/acme/docs/nothing-here",
    ] {
        let response = app.http.get(app.url(path)).send().await.expect("answer");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(problem(response).await["status"], 404, "{path}");
    }
    for query in ["client_id=a&client_id=b", "client_id=a%0Ab"] {
        let response = app
            .http
            .get(app.url(&format!("/t/acme/docs?{query}")))
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 400, "{query}");
        let problem = problem(response).await;
        assert_eq!(problem["errors"][0]["field"], "client_id", "{query}");
    }
}

#[tokio::test]
async fn a_person_signs_in_through_the_tenants_swagger_ui_and_lists_products() {
    let app = spawn_app().await;
    let client_id = acme_with_docs_client(&app).await;
    let browser = WebDriver::start().await;
    // Room for the whole Authorize dialog.
    browser.set_window_size(1280, 1200).await;

    // The page fills in ?client_id= as text, however odd; the explorer types the real one.
    let odd = "\"><b>x";
    browser
        .goto(&app.url("/t/acme/docs?client_id=%22%3E%3Cb%3Ex"))
        .await;
    browser.click(".auth-wrapper button.authorize").await;
    let input = browser.find("#client_id_authorizationCode").await;
    assert_eq!(browser.property(&input, "value").await, odd);
    browser.clear_element(&input).await;
    browser.type_into_element(&input, &client_id).await;
    browser
        .click(r#"label[for="products:read-authorizationCode-checkbox-ResourcesAuth"]"#)
        .await;
    assert_eq!(
        browser
            .execute(
                r#"return document.getElementById("products:read-authorizationCode-checkbox-ResourcesAuth").checked;"#
            )
            .await,
        true,
        "products:read is ticked"
    );

    // Authorize opens the tenant's sign-in in a popup.
    let docs_window = browser.window().await;
    let authorize = browser
        .find_xpath(
            "//input[@id='client_id_authorizationCode']\
             /ancestor::div[.//div[contains(@class,'auth-btn-wrapper')]][1]\
             //button[contains(@class,'authorize')]",
        )
        .await;
    browser.click_element(&authorize).await;
    let windows = browser
        .wait_for_windows("the sign-in popup", |w| w.len() == 2)
        .await;
    let popup = windows
        .iter()
        .find(|w| **w != docs_window)
        .expect("the popup");
    browser.switch_to_window(popup).await;
    browser.wait_for_url(&app.url("/t/acme/oauth2/")).await;
    browser.type_into("#username", "ada").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.click("button[value=approve]").await;

    // The redirect page hands the code to Swagger UI and closes; Swagger UI redeems it.
    browser
        .wait_for_windows("the popup to close", |w| w == [docs_window.clone()])
        .await;
    browser.switch_to_window(&docs_window).await;
    browser
        .find_xpath("//button[contains(@class,'authorize') and normalize-space()='Logout']")
        .await;
    browser
        .wait_for(
            r#"document.querySelector(".auth-wrapper button.authorize.locked")"#,
            "the Authorize button to show it is authorized",
        )
        .await;
    browser.click(".modal-ux .close-modal").await;

    // List the products: no tenant to fill in, and the call carries the person's token.
    browser.click(&format!("{LIST} .opblock-summary")).await;
    browser.click(&format!("{LIST} button.try-out__btn")).await;
    browser
        .find(&format!(r#"{LIST} tr[data-param-name="page"]"#))
        .await;
    assert_eq!(
        browser
            .execute(&format!(
                r#"return document.querySelectorAll('{LIST} [data-param-name="tenant"]').length;"#
            ))
            .await,
        0,
        "no tenant parameter"
    );
    browser.click(&format!("{LIST} button.execute")).await;
    let status = browser
        .wait_for(
            &format!(
                r#"(document.querySelector("{LIST} .live-responses-table .response .response-col_status") || {{}}).textContent"#
            ),
            "the response",
        )
        .await;
    let body = browser
        .execute(&format!(
            r#"return document.querySelector("{LIST} .live-responses-table .response .response-col_description").textContent;"#
        ))
        .await;
    let body = body.as_str().expect("text").to_owned();
    assert_eq!(status.as_str().map(str::trim), Some("200"), "{body}");
    assert!(body.contains(PRODUCT), "{body}");
    browser.quit().await;
}
