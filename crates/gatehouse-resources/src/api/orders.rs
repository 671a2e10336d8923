//! `/t/{tenant}/api/v1/orders`: customers' orders of products.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use gatehouse_proto::{ApiProblem, Rule, Text, UUID_PATTERN, is_hyphenated_uuid};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde_json::{Value, json};
use uuid::Uuid;

use super::conventions::{
    self, CreatedResponse, DeletedResponse, Kind, ListResponse, ListSpec, Page, Param, Problems,
    ReadResponse, Shape, SortField, WindowParams, WrittenResponse, resource_id,
};
use super::products::Price;
use super::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::order::{self, Column, FullOrder, LineRequest, OrderFields, OrderFilter, Status};
use crate::{ResourcesConfig, ResourcesError};

const MAX_LINES: usize = 100;
const QUANTITY_MAX: i64 = 1_000_000;

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

const PATCHABLE: [(&str, Shape, bool); 3] = [
    ("customer_id", Shape::String, true),
    ("lines", Shape::Array, true),
    ("status", Shape::String, false),
];

const LIST: ListSpec<Column> = ListSpec {
    sort_fields: &[
        SortField {
            name: "created_at",
            column: Column::CreatedAt,
            kind: Kind::Time,
        },
        SortField {
            name: "updated_at",
            column: Column::UpdatedAt,
            kind: Kind::Time,
        },
        SortField {
            name: "total",
            column: Column::TotalAmount,
            kind: Kind::Int,
        },
        SortField {
            name: "status",
            column: Column::Status,
            kind: Kind::Text,
        },
    ],
    id: Column::Id,
    filters: &[
        "status",
        "customer_id",
        "created_after",
        "min_total",
        "max_total",
    ],
};

pub(crate) struct OrdersApi(pub(crate) ResourcesApi);

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// List the tenant's orders
    ///
    /// A page at a time (`page`, with `total` and `Link`), or by `cursor`; sorted by `sort`,
    /// oldest first by default; narrowed by the filters.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/t/:tenant/api/v1/orders",
        method = "get",
        operation_id = "listOrders"
    )]
    async fn list_orders(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The page to return, from 1 (default 1). Not with `cursor`.
        page: Query<Option<Param<u64>>>,
        /// How many orders a page holds, from 1 to the service's maximum; default 20.
        per_page: Query<Option<Param<u64>>>,
        /// Where to go on from: the `next_cursor` of the previous page, with the same sort
        /// and filters.
        cursor: Query<Option<String>>,
        /// Comma-separated fields to sort by, `-` for descending: `created_at` (default),
        /// `updated_at`, `total`, `status`.
        sort: Query<Option<String>>,
        /// Only orders in this status: `pending`, `paid`, `shipped` or `cancelled`.
        status: Query<Option<Param<OrderStatus>>>,
        /// Only orders of this customer (a UUID).
        customer_id: Query<Option<Param<Uuid>>>,
        /// Only orders placed after this instant (RFC 3339).
        created_after: Query<Option<Param<DateTime<Utc>>>>,
        /// Only orders whose total is at least this (minor units).
        min_total: Query<Option<Param<i64>>>,
        /// Only orders whose total is at most this (minor units).
        max_total: Query<Option<Param<i64>>>,
    ) -> Result<ListResponse<Page<Order>>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersRead)?;
        let config = &self.0.config;
        let mut problems = Problems::default();
        let plan = LIST.plan(
            req.uri().query(),
            WindowParams {
                page: page.0,
                per_page: per_page.0,
                cursor: cursor.0,
                sort: sort.0,
            },
            config,
            &mut problems,
        );
        let filter = OrderFilter {
            status: problems.take("status", status.0).map(Status::from),
            customer_id: problems.take("customer_id", customer_id.0),
            created_after: problems.take("created_after", created_after.0),
            min_total: problems.take("min_total", min_total.0),
            max_total: problems.take("max_total", max_total.0),
        };
        problems.or_fail(())?;
        let listed = order::list(
            &self.0.db,
            tenant_id,
            filter,
            &plan.order,
            plan.window.clone(),
        )
        .await?;
        let (body, links) = plan.page(req.uri().path(), listed, Order::from);
        Ok(conventions::listed(req, config, body, links))
    }

    /// Place an order
    ///
    /// Takes the lines' quantities from the products' stock and prices the lines, in one
    /// transaction: when any product is short the order is refused (409
    /// `insufficient-stock`, naming each short line) and nothing changes. A customer or
    /// product that does not exist in the tenant is a 422 naming each. With an
    /// `Idempotency-Key`, a retry answers the first response and places nothing.
    #[oai(
        path = "/t/:tenant/api/v1/orders",
        method = "post",
        operation_id = "createOrder"
    )]
    async fn create_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        body: Json<OrderInput>,
    ) -> Result<CreatedResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let fields = validate(&body.0)?;
        let created =
            conventions::create_once(&self.0.db, req, &auth, tenant_id, &body.0, async |tx| {
                let full = order::create(tx, tenant_id, fields).await?;
                let location = format!("/t/{}/api/v1/orders/{}", tenant.0, full.order.id);
                Ok((Order::from(full), location))
            })
            .await?;
        Ok(conventions::created(created))
    }

    /// Get an order
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "get",
        operation_id = "getOrder"
    )]
    async fn get_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
    ) -> Result<ReadResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersRead)?;
        let full = order::get(&self.0.db, tenant_id, resource_id(&id)?).await?;
        Ok(conventions::read(req, &self.0.config, Order::from(full)))
    }

    /// Replace an order
    ///
    /// Sets the customer, the lines and the status. The status may only move along
    /// `pending → paid → shipped` or to `cancelled` from `pending` or `paid` (409
    /// otherwise); the customer and lines may only change while the order is pending. Stock
    /// moves with the change in one transaction: cancelling gives it back, more of a product
    /// takes more (409 `insufficient-stock` when short, and nothing changes).
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "put",
        operation_id = "replaceOrder"
    )]
    async fn replace_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
        body: Json<OrderInput>,
    ) -> Result<WrittenResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let id = resource_id(&id)?;
        let fields = validate(&body.0)?;
        Ok(conventions::written(
            self.change(req, tenant_id, id, |_| Ok(fields)).await?,
        ))
    }

    /// Change an order
    ///
    /// A JSON Merge Patch (RFC 7396) of `customer_id`, `lines` (replaced whole) and
    /// `status`, e.g. `{"status": "paid"}`; the result is checked like a replacement.
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "patch",
        operation_id = "patchOrder"
    )]
    async fn patch_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
        /// The fields to change, e.g. `{"status": "paid"}`.
        body: Json<serde_json::Value>,
    ) -> Result<WrittenResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let id = resource_id(&id)?;
        let changed = self
            .change(req, tenant_id, id, |current| {
                let input: OrderInput =
                    conventions::patched(writable(current), &body.0, &PATCHABLE)?;
                validate(&input)
            })
            .await?;
        Ok(conventions::written(changed))
    }

    /// Delete an order
    ///
    /// Only a pending order (its stock is given back) or a cancelled one; a paid or shipped
    /// order is kept (409).
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "delete",
        operation_id = "deleteOrder"
    )]
    async fn delete_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
    ) -> Result<DeletedResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let id = resource_id(&id)?;
        let tx = conventions::begin_write(&self.0.db).await?;
        let current = order::locked(&tx, tenant_id, id).await?;
        check_if_match(req, &current)?;
        order::delete(&tx, tenant_id, current).await?;
        tx.commit().await.map_err(ResourcesError::from)?;
        Ok(DeletedResponse::Deleted)
    }
}

impl OrdersApi {
    /// Changes an order in one transaction, with its row locked: `fields` computes the new
    /// fields from the current order.
    async fn change(
        &self,
        req: &poem::Request,
        tenant: crate::store::TenantId,
        id: Uuid,
        fields: impl FnOnce(&FullOrder) -> Result<OrderFields, ResourcesError>,
    ) -> Result<Order, ResourcesError> {
        let tx = conventions::begin_write(&self.0.db).await?;
        let current = order::locked(&tx, tenant, id).await?;
        check_if_match(req, &current)?;
        let fields = fields(&current)?;
        let changed = order::update(&tx, tenant, current, fields).await?;
        tx.commit().await?;
        Ok(Order::from(changed))
    }
}

/// `If-Match` against the locked current order (412), or its absence where the tenant
/// requires it (428).
fn check_if_match(req: &poem::Request, current: &FullOrder) -> Result<(), ResourcesError> {
    conventions::guard(req, &Order::from(current.clone()), current.order.updated_at).map(|_| ())
}

/// The order's writable fields as JSON, the target of a merge patch.
fn writable(current: &FullOrder) -> serde_json::Value {
    serde_json::json!({
        "customer_id": current.order.customer_id.to_string(),
        "lines": current.lines.iter().map(|l| serde_json::json!({
            "product_id": l.product_id.to_string(),
            "quantity": l.quantity,
        })).collect::<Vec<_>>(),
        "status": current.order.status,
    })
}

/// A UUID in the hyphenated form the document names.
fn uuid(text: &str) -> Result<Uuid, ()> {
    if !is_hyphenated_uuid(text) {
        return Err(());
    }
    Uuid::parse_str(text).map_err(|_| ())
}

/// The status names, as the document lists them.
const STATUSES: [&str; 4] = ["pending", "paid", "shipped", "cancelled"];

/// The rules [`validate`] checks, by field path, for the OpenAPI document.
fn field_rules() -> Vec<(&'static str, Value)> {
    let id = json!({"format": "uuid", "pattern": UUID_PATTERN});
    vec![
        ("customer_id", id.clone()),
        (
            "lines",
            json!({
                "minItems": 1,
                "maxItems": MAX_LINES,
                "items": {"$ref": "#/components/schemas/LineInput"},
            }),
        ),
        ("status", json!({"enum": STATUSES})),
        ("product_id", id),
        ("quantity", json!({"minimum": 1, "maximum": QUANTITY_MAX})),
    ]
}

/// What the OpenAPI document says of this API's fields and parameters.
pub(crate) fn document_rules(config: &ResourcesConfig) -> Vec<Rule> {
    conventions::resource_rules(
        &field_rules(),
        |path| match path {
            "product_id" | "quantity" => format!("LineInput.{path}"),
            _ => format!("OrderInput.{path}"),
        },
        ("patchOrder", &PATCHABLE),
        ("listOrders", &LIST),
        config,
    )
}

/// Checks every field of an order at once (400); whether its customer and products exist, and
/// whether two lines name one product, is 422 (the first in the write's transaction).
fn validate(input: &OrderInput) -> Result<OrderFields, ResourcesError> {
    let mut problems = Problems::default();
    let customer_id = uuid(&input.customer_id.0)
        .map_err(|_| problems.add("customer_id", "must be a customer's id (a UUID)"))
        .ok();
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        problems.add("lines", format!("must hold 1 to {MAX_LINES} lines"));
    }
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in input.lines.iter().enumerate() {
        match uuid(&line.product_id.0) {
            Ok(product_id) if !seen.insert(product_id) => problems.unprocessable(
                &format!("lines[{i}].product_id"),
                "is in another line already; raise that line's quantity instead",
            ),
            Ok(product_id) => lines.push(LineRequest {
                product_id,
                quantity: line.quantity,
            }),
            Err(_) => problems.add(
                &format!("lines[{i}].product_id"),
                "must be a product's id (a UUID)",
            ),
        }
        if !(1..=QUANTITY_MAX).contains(&line.quantity) {
            problems.add(
                &format!("lines[{i}].quantity"),
                format!("must be between 1 and {QUANTITY_MAX}"),
            );
        }
    }
    let status = Status::parse(&input.status.0);
    if status.is_none() {
        problems.add("status", format!("must be one of {}", STATUSES.join(", ")));
    }
    problems.or_fail(())?;
    Ok(OrderFields {
        customer_id: customer_id.unwrap_or_default(),
        lines,
        status: status.unwrap_or(Status::Pending),
    })
}
