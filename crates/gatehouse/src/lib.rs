//! The `gatehouse` binary's library: configuration, start-up and the command line. The test
//! suite starts the platform through [`Application::build`], as `main` does.

pub mod cli;
pub mod config;
pub mod metrics;
pub mod startup;
pub mod sweeper;
pub mod telemetry;

pub use cli::{Cli, openapi_documents};
pub use config::{Config, ConfigError, Secret};
pub use startup::{Application, Migrations, Role, install_crypto_provider};
