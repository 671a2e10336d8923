//! The sign-in, consent and error pages: small, server-rendered, no scripts, usable on a phone,
//! and sent with headers that keep them out of frames and caches.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::service::authorize::{DeviceEntry, NewSession, Outcome, PageContext};

pub const SESSION_COOKIE: &str = "gh_session";
/// Binds pending authorization requests to the browser that opened them (login CSRF).
pub const BROWSER_COOKIE: &str = "gh_browser";
/// Marks a browser that signed in as a user before: its attempts are throttled on their own.
pub const DEVICE_COOKIE: &str = "gh_device";

/// How long a browser stays known as one that signed in (a year).
const DEVICE_MAX_AGE: i64 = 365 * 86_400;

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d2330}\
main{max-width:26rem;margin:0 auto;padding:2rem 1rem}\
.card{background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
h1{font-size:1.35rem;margin:0 0 .25rem}p.sub{margin:0 0 1.25rem;color:#555}\
label{display:block;font-weight:600;margin:.75rem 0 .25rem}\
input[type=text],input[type=password]{width:100%;padding:.7rem;border:1px solid #c4c8d0;border-radius:8px;font-size:1rem}\
button{width:100%;margin-top:1.25rem;padding:.8rem;border:0;border-radius:8px;font-size:1rem;font-weight:600;background:#2456d6;color:#fff;cursor:pointer}\
button.secondary{background:#e8eaef;color:#1d2330;margin-top:.5rem}\
.error{background:#fdecec;color:#8a1c1c;border-radius:8px;padding:.6rem .8rem;margin-bottom:.5rem}\
ul{padding-left:1.2rem}li{margin:.3rem 0}small{color:#666}";

/// The CSP hash of the inline style: the pages need no other source.
fn style_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(STYLE))))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A scope in words, for the consent page.
pub fn describe_scope(scope: &str) -> String {
    match scope {
        "openid" => "Know who you are".into(),
        "profile" => "See your username".into(),
        "email" => "See your email address".into(),
        "offline_access" => "Keep access while you are not using the app".into(),
        "tenant:admin" => "Manage this organisation's applications and users".into(),
        other => match other.split_once(':') {
            Some((resource, "read")) => format!("See your {}", resource.replace(['_', '-'], " ")),
            Some((resource, "write")) => format!(
                "Create, change and delete your {}",
                resource.replace(['_', '-'], " ")
            ),
            _ => other.to_owned(),
        },
    }
}

/// The `form-action` source that lets a form's answer redirect to `uri`: the origin of an
/// http(s) URI, the scheme of an app's private-use URI.
fn redirect_source(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url.origin().ascii_serialization(),
        Ok(url) => format!("{}:", url.scheme()),
        Err(_) => String::new(),
    }
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style>{STYLE}</style></head><body><main><div class=\"card\">{body}</div></main></body></html>",
        escape(title)
    )
}

fn hidden(page: &PageContext) -> String {
    format!(
        "<input type=\"hidden\" name=\"request_id\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(&page.request_id),
        escape(&page.csrf)
    )
}

fn message(page: &PageContext) -> String {
    page.message
        .as_deref()
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default()
}

fn login_page(page: &PageContext) -> String {
    let body = format!(
        "<h1>Sign in to {tenant}</h1><p class=\"sub\"><strong>{client}</strong> asks you to sign in.</p>{message}\
         <form method=\"post\" action=\"login\">{hidden}\
         <label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" autocapitalize=\"none\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\">Sign in</button></form>",
        tenant = escape(&page.tenant_name),
        client = escape(&page.client_name),
        message = message(page),
        hidden = hidden(page),
        username = escape(page.username.as_deref().unwrap_or("")),
    );
    document(&format!("Sign in to {}", page.tenant_name), &body)
}

fn consent_page(page: &PageContext) -> String {
    let scopes: String = page
        .scopes
        .iter()
        .map(|s| {
            format!(
                "<li>{} <small>({})</small></li>",
                escape(&describe_scope(s)),
                escape(s)
            )
        })
        .collect();
    let who = page
        .username
        .as_deref()
        .map(|u| {
            format!(
                "<p><small>Signed in to {} as {}.</small></p>",
                escape(&page.tenant_name),
                escape(u)
            )
        })
        .unwrap_or_default();
    let device = page
        .user_code
        .as_deref()
        .map(|code| {
            format!(
                "<p>Allow this only if your device shows the code <strong>{}</strong>.</p>",
                escape(code)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>Allow {client}?</h1><p class=\"sub\"><strong>{client}</strong> wants to:</p><ul>{scopes}</ul>{device}{who}\
         <form method=\"post\" action=\"consent\">{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></form>",
        client = escape(&page.client_name),
        hidden = hidden(page),
    );
    document(&format!("Allow {}?", page.client_name), &body)
}

fn device_entry_page(entry: &DeviceEntry) -> String {
    let message = entry
        .message
        .as_deref()
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Connect a device</h1><p class=\"sub\">Enter the code your device shows to sign it in to {tenant}.</p>{message}\
         <form method=\"get\" action=\"device\">\
         <label for=\"user_code\">Code</label>\
         <input type=\"text\" id=\"user_code\" name=\"user_code\" autocomplete=\"one-time-code\" autocapitalize=\"characters\" spellcheck=\"false\" placeholder=\"XXXX-XXXX\" required autofocus>\
         <button type=\"submit\">Continue</button></form>",
        tenant = escape(&entry.tenant_name),
    );
    document("Connect a device", &body)
}

/// A page that says one thing: an error, or the end of a device's sign-in.
fn notice_page(title: &str, detail: &str) -> String {
    document(
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(detail)),
    )
}

fn secure_headers(response: &mut Response, form_action: &str) {
    let csp = format!(
        "default-src 'none'; style-src {}; form-action 'self' {form_action}; frame-ancestors 'none'; base-uri 'none'",
        style_hash()
    );
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", csp.as_str()),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
}

/// The browser-binding cookie: for the tenant's sign-in pages only, gone with the browser
/// session, never readable by scripts, not sent with other sites' form posts.
pub fn browser_cookie(tenant: &str, value: &str, secure: bool) -> String {
    format!(
        "{BROWSER_COOKIE}={value}; Path=/t/{tenant}/oauth2; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

fn session_cookie(tenant: &str, session: &NewSession, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={}; Path=/t/{tenant}/oauth2; Max-Age={}; HttpOnly; SameSite=Lax{}",
        session.cookie,
        session.max_age_seconds,
        if secure { "; Secure" } else { "" }
    )
}

/// The response for what the flow decided.
pub fn respond(
    outcome: Outcome,
    tenant: &str,
    session: Option<NewSession>,
    secure: bool,
) -> Response {
    let html = |status: StatusCode, body: String, form_action: &str| {
        let mut response = Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .body(body);
        secure_headers(&mut response, form_action);
        response
    };
    let mut response = match outcome {
        Outcome::Error {
            status,
            title,
            detail,
        } => html(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            notice_page(&title, &detail),
            "",
        ),
        Outcome::Login(page) => html(
            StatusCode::OK,
            login_page(&page),
            &redirect_source(&page.redirect_uri),
        ),
        Outcome::Consent(page) => html(
            StatusCode::OK,
            consent_page(&page),
            &redirect_source(&page.redirect_uri),
        ),
        Outcome::DeviceEntry(entry) => html(
            if entry.message.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            },
            device_entry_page(&entry),
            "",
        ),
        Outcome::Message { title, detail } => {
            html(StatusCode::OK, notice_page(&title, &detail), "")
        }
        Outcome::Redirect(location) => {
            let mut response = Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, location)
                .finish();
            secure_headers(&mut response, "");
            response
        }
    };
    if let Some(session) = session {
        let device = format!(
            "{DEVICE_COOKIE}={}; Path=/t/{tenant}/oauth2; Max-Age={DEVICE_MAX_AGE}; HttpOnly; SameSite=Lax{}",
            session.device,
            if secure { "; Secure" } else { "" }
        );
        for cookie in [session_cookie(tenant, &session, secure), device] {
            if let Ok(value) = cookie.parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
    }
    response
}

/// The internal-error page: the cause is in the log, never on the page.
pub fn internal_error() -> Response {
    respond(
        Outcome::Error {
            status: 500,
            title: "Something went wrong".into(),
            detail: "The server could not complete this step. Try again in a moment.".into(),
        },
        "",
        None,
        false,
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            escape(r#"<script>"a"&'b'"#),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;"
        );
    }

    #[test]
    fn scopes_are_described_in_words() {
        assert_eq!(describe_scope("products:read"), "See your products");
        assert_eq!(
            describe_scope("line_items:write"),
            "Create, change and delete your line items"
        );
        assert_eq!(describe_scope("weird"), "weird");
    }

    #[test]
    fn forms_may_answer_with_a_redirect_to_the_client_only() {
        assert_eq!(
            redirect_source("https://app.example:8443/cb?x=1"),
            "https://app.example:8443"
        );
        assert_eq!(
            redirect_source("com.example.app:/callback"),
            "com.example.app:"
        );
    }
}
