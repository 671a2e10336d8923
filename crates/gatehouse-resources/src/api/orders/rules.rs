//! What an order's fields and a list of orders may be: the checks the handlers make, and what
//! the OpenAPI document says of them.

use std::collections::HashSet;

use gatehouse_proto::{Rule, UUID_PATTERN, is_hyphenated_uuid};
use serde_json::{Value, json};
use uuid::Uuid;

use super::wire::OrderInput;
use crate::api::conventions::{self, ListSpec, Problems, Shape, SortField};
use crate::store::order::{Column, FullOrder, LineRequest, OrderFields, Status};
use crate::{ResourcesConfig, ResourcesError};

const MAX_LINES: usize = 100;
const QUANTITY_MAX: i64 = 1_000_000;

pub(super) const PATCHABLE: [(&str, Shape, bool); 3] = [
    ("customer_id", Shape::String, true),
    ("lines", Shape::Array, true),
    ("status", Shape::String, false),
];

pub(super) const LIST: ListSpec<Column> = ListSpec {
    sort_fields: &[
        SortField::time("created_at", Column::CreatedAt),
        SortField::time("updated_at", Column::UpdatedAt),
        SortField::int("total", Column::TotalAmount),
        SortField::text("status", Column::Status),
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

/// The order's writable fields as JSON, the target of a merge patch.
pub(super) fn writable(current: &FullOrder) -> serde_json::Value {
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
pub(super) fn validate(input: &OrderInput) -> Result<OrderFields, ResourcesError> {
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
