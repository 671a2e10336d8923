//! The stock an order holds, moved when the order changes, and its lines priced.

use std::collections::BTreeMap;

use gatehouse_proto::FieldError;
use sea_orm::entity::prelude::*;

use super::entity::{FullOrder, LineRequest, OrderFields};
use crate::ResourcesError;
use crate::store::product::AMOUNT_MAX;
use crate::store::{TenantId, customer, order_line, product};

/// Moves stock from what `before` holds to what `after` holds, and prices `after`'s lines
/// from the products as they are now. Checks, all at once, that the customer and every
/// product exist (422) and share one currency; then takes what more is needed, product by
/// product in id order (so that concurrent orders lock rows in one order and cannot
/// deadlock), and reports every product that is short (409).
pub(super) async fn settle(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    order_id: Uuid,
    before: Option<&FullOrder>,
    after: Option<&OrderFields>,
) -> Result<(Vec<order_line::Model>, String), ResourcesError> {
    let priced = match after {
        Some(after) => check_and_price(tx, tenant, order_id, before, after).await?,
        None => (Vec::new(), String::new()),
    };
    move_stock(tx, tenant, stock_delta(before, after), after).await?;
    Ok(priced)
}

/// How much more of each product the order holds after the change (less, if negative).
fn stock_delta(before: Option<&FullOrder>, after: Option<&OrderFields>) -> BTreeMap<Uuid, i64> {
    let mut delta: BTreeMap<Uuid, i64> = BTreeMap::new();
    if let Some(before) = before.filter(|b| b.status().holds_stock()) {
        for line in &before.lines {
            *delta.entry(line.product_id).or_default() -= line.quantity;
        }
    }
    if let Some(after) = after.filter(|a| a.status.holds_stock()) {
        for line in &after.lines {
            *delta.entry(line.product_id).or_default() += line.quantity;
        }
    }
    delta
}

/// Checks that the customer and every product exist and share one currency, reporting every
/// one that does not at once (422), and prices the lines with the order's currency.
async fn check_and_price(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    order_id: Uuid,
    before: Option<&FullOrder>,
    after: &OrderFields,
) -> Result<(Vec<order_line::Model>, String), ResourcesError> {
    let mut problems = Vec::new();
    let same_customer = before.is_some_and(|b| b.order.customer_id == after.customer_id);
    if !same_customer
        && let Err(ResourcesError::NotFound) = customer::locked(tx, tenant, after.customer_id).await
    {
        problems.push(FieldError::new(
            "customer_id",
            "no such customer in this tenant",
        ));
    }
    let priced = match before.filter(|b| b.requested() == after.lines) {
        // The same lines keep the prices of when they were ordered.
        Some(before) => (before.lines.clone(), before.order.currency.clone()),
        None => price(tx, tenant, order_id, &after.lines, &mut problems).await?,
    };
    if !problems.is_empty() {
        return Err(ResourcesError::UnprocessableFields(problems));
    }
    Ok(priced)
}

/// Takes what more `delta` wants of each product and gives back what it no longer holds, in
/// product id order; every product that is short is named (409), by its line in `after`.
async fn move_stock(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    delta: BTreeMap<Uuid, i64>,
    after: Option<&OrderFields>,
) -> Result<(), ResourcesError> {
    let mut short = Vec::new();
    for (product_id, change) in delta {
        if change > 0 {
            if !product::take_stock(tx, tenant, product_id, change).await? {
                let available = product::get(tx, tenant, product_id)
                    .await
                    .map(|p| p.stock)
                    .unwrap_or(0);
                short.push(FieldError::new(
                    line_field(after, product_id),
                    format!("{change} more wanted, {available} in stock"),
                ));
            }
        } else if change < 0 {
            product::return_stock(tx, tenant, product_id, -change).await?;
        }
    }
    if !short.is_empty() {
        return Err(ResourcesError::InsufficientStock(short));
    }
    Ok(())
}

/// Prices lines from the products as they are now, noting every product that does not exist
/// or is priced in another currency than the first line's.
async fn price(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    order_id: Uuid,
    lines: &[LineRequest],
    problems: &mut Vec<FieldError>,
) -> Result<(Vec<order_line::Model>, String), ResourcesError> {
    let mut priced = Vec::new();
    let mut currency: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        let product = match product::get(tx, tenant, line.product_id).await {
            Ok(product) => product,
            Err(ResourcesError::NotFound) => {
                problems.push(FieldError::new(
                    format!("lines[{i}].product_id"),
                    "no such product in this tenant",
                ));
                continue;
            }
            Err(err) => return Err(err),
        };
        match &currency {
            Some(c) if *c != product.price_currency => problems.push(FieldError::new(
                format!("lines[{i}].product_id"),
                format!(
                    "is priced in {}, the order's other lines in {c}; an order has one currency",
                    product.price_currency
                ),
            )),
            _ => currency = Some(product.price_currency.clone()),
        }
        let line_amount = product
            .price_amount
            .checked_mul(line.quantity)
            .filter(|a| *a <= AMOUNT_MAX);
        if line_amount.is_none() {
            problems.push(FieldError::new(
                format!("lines[{i}].quantity"),
                "makes the line's amount larger than any amount can be",
            ));
        }
        priced.push(order_line::Model {
            order_id,
            position: i as i32,
            tenant_id: tenant.0,
            product_id: product.id,
            product_name: product.name,
            sku: product.sku,
            quantity: line.quantity,
            unit_amount: product.price_amount,
            line_amount: line_amount.unwrap_or_default(),
        });
    }
    Ok((priced, currency.unwrap_or_default()))
}

fn line_field(after: Option<&OrderFields>, product_id: Uuid) -> String {
    after
        .and_then(|a| a.lines.iter().position(|l| l.product_id == product_id))
        .map_or_else(|| "lines".to_owned(), |i| format!("lines[{i}].quantity"))
}
