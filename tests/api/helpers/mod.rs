//! What the tests share: a platform of their own ([`spawn_app`]), calls to its APIs, tokens,
//! a person's browser and the sign-in pages it goes through, and the operators' metrics.

mod api;
mod app;
mod browser;
mod metrics;
mod scripts;
mod sign_in;
mod tokens;

pub use api::{API_SCOPES, problem, problem_fields, www_authenticate};
pub use app::{
    INTERNAL_KEY, KEY_ENCRYPTION_KEY, ReservedPort, TestApp, fresh_database, gatehouse_binary,
    spawn_app, spawn_app_with, spawn_platform, test_config, test_log,
};
pub use browser::{Browser, Form, field, query};
pub use metrics::scrape;
pub use scripts::{repository, run_script};
pub use sign_in::{App, PASSWORD, REDIRECT};
pub use tokens::{Registered, TokenError, claims_of, error_code, oauth_http};
