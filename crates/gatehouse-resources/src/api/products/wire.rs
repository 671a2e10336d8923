//! A product as clients send and receive it.

use chrono::{DateTime, Utc};
use gatehouse_proto::Text;
use poem_openapi::Object;
use uuid::Uuid;

use crate::store::product;

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Price {
    /// The amount in the currency's minor unit (cents for `EUR`), from 0 to 10^18.
    pub amount: i64,
    /// The ISO 4217 code of the currency: three capital letters, such as `EUR`.
    pub currency: Text,
}

impl poem_openapi::types::Example for Price {
    fn example() -> Self {
        Self {
            amount: 1999,
            currency: Text::from("EUR"),
        }
    }
}

/// A product of the tenant's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Product {
    /// The product's id, assigned by the service.
    pub id: Uuid,
    /// The product's name (1 to 200 characters, without surrounding whitespace).
    pub name: String,
    /// A description of the product (up to 2000 characters; may be empty).
    pub description: String,
    /// The stock-keeping unit: unique in the tenant, 1 to 64 of `A-Z a-z 0-9 . _ -`.
    pub sku: String,
    /// How many are in stock; orders take from it and are refused when it is short.
    pub stock: i64,
    /// The product's price.
    pub price: Price,
    /// When the product was created (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When the product last changed, or was created (RFC 3339); an order changes its stock.
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Product {
    fn example() -> Self {
        let at = DateTime::parse_from_rfc3339("2026-11-27T09:30:00.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Self {
            id: Uuid::from_u128(0x0193_6a3e_8f2c_7b41_9d0e_5c4a_2b1f_3e6d),
            name: "Espresso cup".to_owned(),
            description: "Porcelain, 90 ml.".to_owned(),
            sku: "CUP-ESP-90".to_owned(),
            stock: 120,
            price: Price::example(),
            created_at: at,
            updated_at: at,
        }
    }
}

impl From<product::Model> for Product {
    fn from(row: product::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            sku: row.sku,
            stock: row.stock,
            price: Price {
                amount: row.price_amount,
                currency: Text(row.price_currency),
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// What a client sets on a product, to create it or to replace it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct ProductInput {
    /// The product's name: 1 to 200 characters once surrounding whitespace is trimmed.
    pub name: Text,
    /// A description of the product, up to 2000 characters; empty when left out.
    #[oai(default)]
    pub description: Text,
    /// The stock-keeping unit: unique in the tenant, 1 to 64 of `A-Z a-z 0-9 . _ -`.
    pub sku: Text,
    /// How many are in stock, from 0 to 10^9; 0 when left out.
    #[oai(default)]
    pub stock: i64,
    /// The product's price.
    pub price: Price,
}

impl poem_openapi::types::Example for ProductInput {
    fn example() -> Self {
        let product = Product::example();
        Self {
            name: Text(product.name),
            description: Text(product.description),
            sku: Text(product.sku),
            stock: product.stock,
            price: product.price,
        }
    }
}
