//! `/t/{tenant}/api/v1/customers`: the people and companies a tenant sells to.

mod handlers;
mod rules;
mod wire;

pub(crate) use handlers::CustomersApi;
pub(crate) use rules::document_rules;
