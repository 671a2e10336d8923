//! The `resources_orders` table, and an order as the store takes and gives it.

use sea_orm::entity::prelude::*;

use crate::store::{TenantRows, order_line};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub status: String,
    pub currency: String,
    pub total_amount: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Paid,
    Shipped,
    Cancelled,
}

impl Status {
    pub(crate) const ALL: [Status; 4] = [
        Status::Pending,
        Status::Paid,
        Status::Shipped,
        Status::Cancelled,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Paid => "paid",
            Status::Shipped => "shipped",
            Status::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// `pending → paid → shipped`, and `pending` or `paid` → `cancelled`; staying put is
    /// allowed too.
    pub(crate) fn may_become(self, next: Status) -> bool {
        use Status::*;
        self == next
            || matches!(
                (self, next),
                (Pending, Paid) | (Paid, Shipped) | (Pending | Paid, Cancelled)
            )
    }

    /// Whether an order in this state holds its products' stock.
    pub(super) fn holds_stock(self) -> bool {
        self != Status::Cancelled
    }
}

/// One line a client asks for, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineRequest {
    pub product_id: Uuid,
    pub quantity: i64,
}

/// An order as a client sets it, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderFields {
    pub customer_id: Uuid,
    pub lines: Vec<LineRequest>,
    pub status: Status,
}

/// An order with its lines, in order.
#[derive(Debug, Clone)]
pub(crate) struct FullOrder {
    pub order: Model,
    pub lines: Vec<order_line::Model>,
}

impl FullOrder {
    pub(crate) fn status(&self) -> Status {
        Status::parse(&self.order.status).unwrap_or(Status::Pending)
    }

    pub(super) fn requested(&self) -> Vec<LineRequest> {
        self.lines
            .iter()
            .map(|l| LineRequest {
                product_id: l.product_id,
                quantity: l.quantity,
            })
            .collect()
    }
}

#[derive(Debug, Default)]
pub(crate) struct OrderFilter {
    pub status: Option<Status>,
    pub customer_id: Option<Uuid>,
    pub created_after: Option<DateTimeUtc>,
    pub min_total: Option<i64>,
    pub max_total: Option<i64>,
}

impl TenantRows for Entity {
    const ID: Column = Column::Id;
    const TENANT: Column = Column::TenantId;
    const VERSION: Column = Column::UpdatedAt;
}
