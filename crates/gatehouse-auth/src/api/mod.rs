//! The auth server's HTTP surface: the admin API and the OAuth endpoints, both typed with
//! poem-openapi so that their OpenAPI documents are generated from the code.

pub mod admin;
pub mod browser;
pub mod oauth;
mod pages;
mod security;
