//! The black-box suite: one binary, each test against a platform of its own on a random port
//! with a fresh database (SQLite, or PostgreSQL or MySQL/MariaDB when GATEHOUSE_TEST_DATABASE_URL
//! is set).

mod admin;
mod browser;
mod browser_flow;
mod cache_backends;
mod cli;
mod client_auth;
mod code_flow;
mod conditional;
mod consent;
mod customers;
mod databases;
mod deploy_files;
mod directory;
mod edge;
mod errors;
mod hardening;
mod helpers;
mod isolation;
mod lifecycle;
mod listing;
mod metrics;
mod oauth_clients;
mod oidc;
mod opaque;
mod openapi;
mod orders;
mod products;
mod profile;
mod rate_limits;
mod resource_indicators;
mod resource_metadata;
mod response_cache;
mod revocation;
mod schemathesis;
mod sdk;
mod sealing;
mod split_deployment;
mod split_mode;
mod swagger_ui;
mod sweeper;
mod tokens;
mod traces;
mod upgrade;
mod webdriver;
