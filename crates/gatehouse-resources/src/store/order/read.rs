//! Reading orders, each with its lines.

use std::collections::BTreeMap;

use sea_orm::entity::prelude::*;
use sea_orm::{Order, QueryOrder, QuerySelect};

use super::entity::{Column, Entity, FullOrder, OrderFilter};
use crate::ResourcesError;
use crate::store::listing::{self, Listed, Window};
use crate::store::{TenantId, of_tenant, order_line};

#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn list(
    db: &DatabaseConnection,
    tenant: TenantId,
    filter: OrderFilter,
    order: &[(Column, Order)],
    window: Window,
) -> Result<Listed<FullOrder>, ResourcesError> {
    let mut select = of_tenant::<Entity>(tenant);
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(customer) = filter.customer_id {
        select = select.filter(Column::CustomerId.eq(customer));
    }
    if let Some(after) = filter.created_after {
        select = select.filter(Column::CreatedAt.gt(after));
    }
    if let Some(min) = filter.min_total {
        select = select.filter(Column::TotalAmount.gte(min));
    }
    if let Some(max) = filter.max_total {
        select = select.filter(Column::TotalAmount.lte(max));
    }
    let listed = listing::list(db, select, order, window).await?;
    let ids: Vec<Uuid> = listed.items.iter().map(|o| o.id).collect();
    let mut lines: BTreeMap<Uuid, Vec<order_line::Model>> = BTreeMap::new();
    if !ids.is_empty() {
        for line in order_line::Entity::find()
            .filter(order_line::Column::TenantId.eq(tenant.0))
            .filter(order_line::Column::OrderId.is_in(ids))
            .order_by_asc(order_line::Column::Position)
            .all(db)
            .await?
        {
            lines.entry(line.order_id).or_default().push(line);
        }
    }
    Ok(Listed {
        items: listed
            .items
            .into_iter()
            .map(|order| FullOrder {
                lines: lines.remove(&order.id).unwrap_or_default(),
                order,
            })
            .collect(),
        total: listed.total,
        next: listed.next,
    })
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
pub(crate) async fn get(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<FullOrder, ResourcesError> {
    read(db, tenant, id, false).await
}

/// The order, its row locked until the transaction ends, so that a change computed from it
/// cannot race another (PostgreSQL and MySQL; SQLite write transactions are serial).
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
pub(crate) async fn locked(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<FullOrder, ResourcesError> {
    read(tx, tenant, id, true).await
}

async fn read(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    lock: bool,
) -> Result<FullOrder, ResourcesError> {
    let mut select = of_tenant::<Entity>(tenant).filter(Column::Id.eq(id));
    if lock {
        select = select.lock_exclusive();
    }
    let order = select.one(db).await?.ok_or(ResourcesError::NotFound)?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::TenantId.eq(tenant.0))
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?;
    Ok(FullOrder { order, lines })
}

pub(crate) async fn customer_has_orders(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    customer: Uuid,
) -> Result<bool, ResourcesError> {
    use sea_orm::PaginatorTrait;
    Ok(of_tenant::<Entity>(tenant)
        .filter(Column::CustomerId.eq(customer))
        .count(db)
        .await?
        > 0)
}
