//! A person's browser: a cookie-keeping client that follows no redirect, and the forms of the
//! sign-in pages it posts (the login form is posted here and nowhere else).

use std::collections::HashMap;

use super::{PASSWORD, TestApp};

/// A person's browser: keeps cookies, follows no redirects (the test reads them).
pub struct Browser {
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("browser"),
        }
    }
}

/// The hidden fields of a login or consent page's form.
#[derive(Debug, Clone)]
pub struct Form {
    pub request_id: String,
    pub csrf: String,
}

impl Form {
    /// The form of the page `html`.
    pub fn of(html: &str) -> Self {
        Self {
            request_id: field(html, "request_id").expect("request_id"),
            csrf: field(html, "csrf").expect("csrf"),
        }
    }
}

impl Browser {
    /// Opens the page at `url` and returns its HTML.
    pub async fn page(&self, url: &str) -> String {
        let page = self.http.get(url).send().await.expect("the page");
        page.text().await.expect("html")
    }

    /// The login form of `tenant`, posted as ada with `password` (send it; a test may add
    /// headers first).
    pub fn log_in(
        &self,
        app: &TestApp,
        tenant: &str,
        form: &Form,
        password: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .post(app.url(&format!("/t/{tenant}/oauth2/login")))
            .form(&[
                ("request_id", form.request_id.as_str()),
                ("csrf", form.csrf.as_str()),
                ("username", "ada"),
                ("password", password),
            ])
    }

    /// [`Browser::log_in`] with ada's password, sent.
    pub async fn sign_in(&self, app: &TestApp, tenant: &str, form: &Form) -> reqwest::Response {
        self.log_in(app, tenant, form, PASSWORD)
            .send()
            .await
            .expect("login")
    }

    /// The consent form of `tenant`, posted with `decision` (`approve` or `deny`).
    pub async fn consent(
        &self,
        app: &TestApp,
        tenant: &str,
        form: &Form,
        decision: &str,
    ) -> reqwest::Response {
        self.http
            .post(app.url(&format!("/t/{tenant}/oauth2/consent")))
            .form(&[
                ("request_id", form.request_id.as_str()),
                ("csrf", form.csrf.as_str()),
                ("decision", decision),
            ])
            .send()
            .await
            .expect("consent")
    }
}

/// The value of the `name` field of the page's form.
pub fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The query parameters of a redirect's `Location`.
pub fn query(location: &str) -> HashMap<String, String> {
    let url = url::Url::parse(location).expect("absolute redirect");
    url.query_pairs().into_owned().collect()
}
