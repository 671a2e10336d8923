//! The authorization code flow up to the code: the request, the user's sign-in and consent,
//! and the redirect back to the client (RFC 6749 §4.1, PKCE per RFC 7636, RFC 9700).

mod consent;
mod device;
mod login;
mod pending;
mod pushed;
mod redirect_uri;
mod request;

use url::Url;

pub use redirect_uri::{is_loopback, redirect_uri_matches};

/// What the browser is shown next.
#[derive(Debug)]
pub enum Outcome {
    /// An error page. Used when the client or its redirect URI cannot be trusted, so the
    /// user is never sent anywhere.
    Error {
        status: u16,
        title: String,
        detail: String,
    },
    Login(Box<PageContext>),
    Consent(Box<PageContext>),
    /// A redirect to the client, with a code or an error.
    Redirect(String),
    /// The device verification page's form (RFC 8628 §3.3), with a message if the code was
    /// not good.
    DeviceEntry(Box<DeviceEntry>),
    /// A page that ends the flow where it is: a device approved or denied.
    Message {
        title: String,
        detail: String,
    },
}

/// The device verification page's form.
#[derive(Debug)]
pub struct DeviceEntry {
    pub tenant_name: String,
    pub message: Option<String>,
}

/// What the login and consent pages show and post back.
#[derive(Debug)]
pub struct PageContext {
    pub request_id: String,
    /// The CSRF token of the page's form; only its hash is stored.
    pub csrf: String,
    pub tenant_name: String,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub username: Option<String>,
    pub message: Option<String>,
    /// Where the form's answer may redirect to (for the page's `form-action` policy).
    pub redirect_uri: String,
    /// A device's request: the user code the person should see on their device.
    pub user_code: Option<String>,
}

/// A new browser session: the cookie's value, shown once.
#[derive(Debug)]
pub struct NewSession {
    pub cookie: String,
    pub max_age_seconds: i64,
    /// The browser's `gh_device` cookie: it signed in as this user here.
    pub device: String,
}

/// What a posted sign-in or consent form proves: which pending request it answers, with that
/// page's CSRF token, from which browser (its `gh_browser` cookie).
#[derive(Debug, Clone, Copy)]
pub struct FormProof<'a> {
    pub request_id: &'a str,
    pub csrf: &'a str,
    pub browser: Option<&'a str>,
    /// The browser's `gh_device` cookie, if it signed in here before.
    pub device: Option<&'a str>,
}

/// The page for a tenant that does not exist (or is disabled).
fn unknown_tenant_page() -> Outcome {
    error_page(404, "Unknown organisation", "There is no such tenant.")
}

fn error_page(status: u16, title: &str, detail: impl Into<String>) -> Outcome {
    Outcome::Error {
        status,
        title: title.to_owned(),
        detail: detail.into(),
    }
}

/// A redirect back to the client with the response `params`, then the request's `state` (if
/// it had one) and the issuer (RFC 9207), in that order.
fn redirect_to_client(
    uri: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> Outcome {
    let Ok(mut url) = Url::parse(uri) else {
        return Outcome::Redirect(uri.to_owned());
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in params {
            query.append_pair(k, v);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    Outcome::Redirect(url.to_string())
}

fn split_scope(s: &str) -> Vec<String> {
    let mut scopes: Vec<String> = s
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}
