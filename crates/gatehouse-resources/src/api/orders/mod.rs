//! `/t/{tenant}/api/v1/orders`: customers' orders of products.

mod handlers;
mod rules;
mod wire;

pub(crate) use handlers::OrdersApi;
pub(crate) use rules::document_rules;
