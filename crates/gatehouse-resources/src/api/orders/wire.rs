//! An order as clients send and receive it.

use chrono::{DateTime, Utc};
use gatehouse_proto::Text;
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::api::products::Price;
use crate::store::order::{FullOrder, Status};

/// Where an order is: `pending → paid → shipped`, or `cancelled` from `pending` or `paid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub(crate) enum OrderStatus {
    /// Placed; its stock is taken. Its customer and lines may still change.
    Pending,
    /// Paid for; may be shipped or cancelled.
    Paid,
    /// Shipped; final.
    Shipped,
    /// Cancelled; its stock was given back. Final.
    Cancelled,
}

impl From<OrderStatus> for Status {
    fn from(status: OrderStatus) -> Self {
        match status {
            OrderStatus::Pending => Self::Pending,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Shipped => Self::Shipped,
            OrderStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<Status> for OrderStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Pending => Self::Pending,
            Status::Paid => Self::Paid,
            Status::Shipped => Self::Shipped,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

/// A line of an order, with the product as it was when ordered.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub(crate) struct OrderLine {
    /// The product ordered (it may have been deleted since).
    pub product_id: Uuid,
    /// The product's name when ordered.
    pub name: String,
    /// The product's SKU when ordered.
    pub sku: String,
    /// How many.
    pub quantity: i64,
    /// The product's price when ordered.
    pub unit_price: Price,
    /// `quantity × unit_price`.
    pub amount: Price,
}

/// An order of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Order {
    /// The order's id, assigned by the service.
    pub id: Uuid,
    /// The customer who placed it.
    pub customer_id: Uuid,
    pub status: OrderStatus,
    /// The lines, in the order given.
    pub lines: Vec<OrderLine>,
    /// The sum of the lines' amounts, computed by the service.
    pub total: Price,
    /// When the order was placed (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When the order last changed (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Order {
    fn example() -> Self {
        let at = DateTime::parse_from_rfc3339("2026-11-27T09:32:00.000001Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let eur = |amount| Price {
            amount,
            currency: Text::from("EUR"),
        };
        Self {
            id: Uuid::from_u128(0x0193_6a40_0b1c_7d2e_9f3a_4b5c_6d7e_8f90),
            customer_id: Uuid::from_u128(0x0193_6a3f_1a2b_7c3d_8e4f_5a6b_7c8d_9e0f),
            status: OrderStatus::Pending,
            lines: vec![OrderLine {
                product_id: Uuid::from_u128(0x0193_6a3e_8f2c_7b41_9d0e_5c4a_2b1f_3e6d),
                name: "Espresso cup".to_owned(),
                sku: "CUP-ESP-90".to_owned(),
                quantity: 2,
                unit_price: eur(1999),
                amount: eur(3998),
            }],
            total: eur(3998),
            created_at: at,
            updated_at: at,
        }
    }
}

impl From<FullOrder> for Order {
    fn from(full: FullOrder) -> Self {
        let status = full.status().into();
        let currency = full.order.currency;
        let price = |amount| Price {
            amount,
            currency: Text(currency.clone()),
        };
        Self {
            id: full.order.id,
            customer_id: full.order.customer_id,
            status,
            lines: full
                .lines
                .into_iter()
                .map(|l| OrderLine {
                    product_id: l.product_id,
                    name: l.product_name,
                    sku: l.sku,
                    quantity: l.quantity,
                    unit_price: price(l.unit_amount),
                    amount: price(l.line_amount),
                })
                .collect(),
            total: price(full.order.total_amount),
            created_at: full.order.created_at,
            updated_at: full.order.updated_at,
        }
    }
}

/// A line a client asks for.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub(crate) struct LineInput {
    /// The product's id (a UUID); it must exist in the tenant.
    pub product_id: Text,
    /// How many, from 1 to 1 000 000.
    pub quantity: i64,
}

/// What a client sets on an order, to place it or to replace it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct OrderInput {
    /// The customer's id (a UUID); the customer must exist in the tenant. It may change only
    /// while the order is pending.
    pub customer_id: Text,
    /// 1 to 100 lines, each of another product, all priced in one currency. They may change
    /// only while the order is pending; the service prices them from the products.
    pub lines: Vec<LineInput>,
    /// `pending` (the default, and the only status a new order may have), `paid`, `shipped`
    /// or `cancelled`, along the allowed transitions.
    #[oai(default = "pending_status")]
    pub status: Text,
}

impl poem_openapi::types::Example for OrderInput {
    fn example() -> Self {
        Self {
            customer_id: Text::from("01936a3f-1a2b-7c3d-8e4f-5a6b7c8d9e0f"),
            lines: vec![LineInput {
                product_id: Text::from("01936a3e-8f2c-7b41-9d0e-5c4a2b1f3e6d"),
                quantity: 2,
            }],
            status: pending_status(),
        }
    }
}

fn pending_status() -> Text {
    Text::from("pending")
}
