//! `/t/{tenant}/api/v1/products`: the tenant's product catalogue.

mod handlers;
mod rules;
mod wire;

pub(crate) use handlers::ProductsApi;
pub(crate) use rules::document_rules;
pub(crate) use wire::Price;
