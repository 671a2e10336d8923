//! Placing, changing and deleting orders, each in the caller's transaction with the stock it
//! moves.

use gatehouse_proto::FieldError;
use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;

use super::entity::{ActiveModel, Column, Entity, FullOrder, Model, OrderFields, Status};
use super::read::get;
use super::stock::settle;
use crate::ResourcesError;
use crate::store::product::AMOUNT_MAX;
use crate::store::{TenantId, now, order_line};

/// Places an order: checks its customer and products, takes their stock, prices the lines.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn create(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    fields: OrderFields,
) -> Result<FullOrder, ResourcesError> {
    if fields.status != Status::Pending {
        return Err(ResourcesError::UnprocessableFields(vec![FieldError::new(
            "status",
            "a new order is pending; pay, ship or cancel it afterwards",
        )]));
    }
    let id = Uuid::now_v7();
    let at = now();
    let (lines, currency) = settle(tx, tenant, id, None, Some(&fields)).await?;
    let order = Model {
        id,
        tenant_id: tenant.0,
        customer_id: fields.customer_id,
        status: fields.status.as_str().to_owned(),
        currency,
        total_amount: total_of(&lines)?,
        created_at: at,
        updated_at: at,
    };
    Entity::insert(ActiveModel::from(order.clone()))
        .exec_without_returning(tx)
        .await?;
    insert_lines(tx, &lines).await?;
    Ok(FullOrder { order, lines })
}

/// Changes an order (PUT or PATCH), guarded by its version: its status only along the
/// allowed transitions, its customer and lines only while it is pending.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %current.order.id))]
pub(crate) async fn update(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    current: FullOrder,
    fields: OrderFields,
) -> Result<FullOrder, ResourcesError> {
    let from = current.status();
    let mut refused = Vec::new();
    if !from.may_become(fields.status) {
        refused.push(format!(
            "an order that is {} cannot become {}",
            from.as_str(),
            fields.status.as_str()
        ));
    }
    let lines_change = fields.lines != current.requested();
    if from != Status::Pending && (lines_change || fields.customer_id != current.order.customer_id)
    {
        refused.push(format!(
            "the customer and lines of an order that is {} cannot change",
            from.as_str()
        ));
    }
    if !refused.is_empty() {
        return Err(ResourcesError::Conflict(refused.join("; ")));
    }
    let id = current.order.id;
    let (lines, currency) = settle(tx, tenant, id, Some(&current), Some(&fields)).await?;
    let changes = ActiveModel {
        customer_id: Set(fields.customer_id),
        status: Set(fields.status.as_str().to_owned()),
        currency: Set(currency),
        total_amount: Set(total_of(&lines)?),
        updated_at: Set(now()),
        ..Default::default()
    };
    let updated = Entity::update_many()
        .set(changes)
        .filter(Column::Id.eq(id))
        .filter(Column::TenantId.eq(tenant.0))
        .filter(Column::UpdatedAt.eq(current.order.updated_at))
        .exec(tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ResourcesError::PreconditionFailed);
    }
    if lines != current.lines {
        order_line::Entity::delete_many()
            .filter(order_line::Column::OrderId.eq(id))
            .exec(tx)
            .await?;
        insert_lines(tx, &lines).await?;
    }
    get(tx, tenant, id).await
}

/// Deletes a pending or cancelled order; a pending one gives its stock back.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %current.order.id))]
pub(crate) async fn delete(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    current: FullOrder,
) -> Result<(), ResourcesError> {
    let status = current.status();
    if !matches!(status, Status::Pending | Status::Cancelled) {
        return Err(ResourcesError::Conflict(format!(
            "an order that is {} is kept; only pending and cancelled orders can be deleted",
            status.as_str()
        )));
    }
    let id = current.order.id;
    settle(tx, tenant, id, Some(&current), None).await?;
    let deleted = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::TenantId.eq(tenant.0))
        .filter(Column::UpdatedAt.eq(current.order.updated_at))
        .exec(tx)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ResourcesError::PreconditionFailed);
    }
    order_line::Entity::delete_many()
        .filter(order_line::Column::OrderId.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

fn total_of(lines: &[order_line::Model]) -> Result<i64, ResourcesError> {
    lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.line_amount))
        .filter(|total| *total <= AMOUNT_MAX)
        .ok_or_else(|| {
            ResourcesError::UnprocessableFields(vec![FieldError::new(
                "lines",
                "the order's total is larger than any amount can be",
            )])
        })
}

async fn insert_lines(
    tx: &impl ConnectionTrait,
    lines: &[order_line::Model],
) -> Result<(), ResourcesError> {
    if lines.is_empty() {
        return Ok(());
    }
    order_line::Entity::insert_many(lines.iter().cloned().map(order_line::ActiveModel::from))
        .exec_without_returning(tx)
        .await?;
    Ok(())
}
