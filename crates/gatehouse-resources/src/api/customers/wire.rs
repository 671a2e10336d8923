//! A customer as clients send and receive it.

use chrono::{DateTime, Utc};
use gatehouse_proto::Text;
use poem_openapi::Object;
use uuid::Uuid;

use crate::store::customer;

/// A customer of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Customer {
    /// The customer's id, assigned by the service.
    pub id: Uuid,
    /// The customer's name (1 to 200 characters, without surrounding whitespace).
    pub name: String,
    /// The customer's email address, in lower case; unique in the tenant.
    pub email: String,
    /// When the customer was created (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When the customer last changed, or was created (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Customer {
    fn example() -> Self {
        let at = DateTime::parse_from_rfc3339("2026-11-27T09:31:00.654321Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Self {
            id: Uuid::from_u128(0x0193_6a3f_1a2b_7c3d_8e4f_5a6b_7c8d_9e0f),
            name: "Ada Lovelace".to_owned(),
            email: "ada@example.com".to_owned(),
            created_at: at,
            updated_at: at,
        }
    }
}

impl From<customer::Model> for Customer {
    fn from(row: customer::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            email: row.email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// What a client sets on a customer, to create or replace it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct CustomerInput {
    /// The customer's name: 1 to 200 characters once surrounding whitespace is trimmed.
    pub name: Text,
    /// An email address (`local@domain`, up to 254 characters), stored in lower case; no
    /// other customer of the tenant may have it.
    pub email: Text,
}

impl poem_openapi::types::Example for CustomerInput {
    fn example() -> Self {
        Self {
            name: Text::from("Ada Lovelace"),
            email: Text::from("Ada@Example.com"),
        }
    }
}
