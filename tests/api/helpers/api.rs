//! Calls to the platform's APIs as a test makes them: requests with a bearer token, tenants,
//! clients and products created as the operator, and the problem documents of errors.

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::{Registered, TestApp};

/// Every scope of a tenant's API.
pub use gatehouse_proto::API_SCOPES;

impl TestApp {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the platform answers")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// A public document's JSON (discovery, metadata), without a token.
    pub async fn public_json(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).send().await;
        let response = response.expect("the platform answers");
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.expect("JSON")
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    /// Creates a tenant as the operator.
    pub async fn create_tenant(&self, slug: &str) -> Value {
        let token = self.operator_token().await;
        let response = self
            .post(
                "/admin/v1/tenants",
                &token,
                json!({"slug": slug, "display_name": format!("Tenant {slug}")}),
            )
            .await;
        assert_eq!(response.status(), 201, "create tenant {slug}");
        response.json().await.expect("tenant json")
    }

    /// Registers a client in `tenant` as the operator, with `scope` and extra metadata.
    pub async fn register_client_with(&self, tenant: &str, metadata: Value) -> Registered {
        let token = self.operator_token().await;
        let response = self
            .post(&format!("/t/{tenant}/admin/v1/clients"), &token, metadata)
            .await;
        assert_eq!(response.status(), 201, "register client in {tenant}");
        let body: Value = response.json().await.expect("client json");
        Registered {
            tenant: tenant.to_owned(),
            client_id: body["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: body["client_secret"]
                .as_str()
                .expect("client_secret")
                .to_owned(),
        }
    }

    pub async fn register_client(&self, tenant: &str, scope: &str) -> Registered {
        self.register_client_with(
            tenant,
            json!({"client_name": "test client", "scope": scope}),
        )
        .await
    }

    /// Creates a product of acme named `name` (any SKU) and returns its URL, asserting the 201.
    pub async fn create_product(&self, token: &str, name: &str) -> String {
        let response = self
            .post(
                "/t/acme/api/v1/products",
                token,
                json!({"name": name, "sku": uuid::Uuid::new_v4().simple().to_string(),
                       "price": {"amount": 1, "currency": "EUR"}}),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned()
    }

    /// A tenant with a client allowed every scope of the resource API, and a token for all.
    pub async fn tenant_with_shop_token(&self, slug: &str) -> String {
        self.create_tenant(slug).await;
        let client = self.register_client(slug, &API_SCOPES.join(" ")).await;
        self.token(&client, &API_SCOPES).await
    }

    /// A tenant with a client allowed `products:read products:write`, and a token for both.
    pub async fn tenant_with_product_token(&self, slug: &str) -> String {
        self.create_tenant(slug).await;
        let client = self
            .register_client(slug, "products:read products:write")
            .await;
        self.token(&client, &["products:read", "products:write"])
            .await
    }
}

pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.expect("problem json")
}

/// The `field` of each entry of a problem's `errors`, in order.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect()
}

pub fn www_authenticate(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
