//! `resources_orders`: a customer's order of products, and the rules that keep stock true.
//!
//! Every change of an order runs in one transaction that also moves the stock it holds: an
//! order that is not cancelled holds its lines' quantities; placing, changing, cancelling or
//! deleting it takes or returns the difference. Stock is taken by a conditional `UPDATE`
//! (`stock >= quantity`), so concurrent orders can never take the same unit twice; when any
//! product is short, the caller rolls the whole transaction back.

use std::collections::BTreeMap;

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Order, QueryOrder, QuerySelect};

use super::listing::{self, Listed, Window};
use super::product::AMOUNT_MAX;
use super::{TenantId, TenantRows, customer, now, of_tenant, order_line, product};
use crate::ResourcesError;
use gatehouse_proto::FieldError;

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
    fn holds_stock(self) -> bool {
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

    fn requested(&self) -> Vec<LineRequest> {
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

pub(crate) async fn get(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<FullOrder, ResourcesError> {
    read(db, tenant, id, false).await
}

/// The order, its row locked until the transaction ends, so that a change computed from it
/// cannot race another (PostgreSQL and MySQL; SQLite write transactions are serial).
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

/// Places an order: checks its customer and products, takes their stock, prices the lines.
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

/// Moves stock from what `before` holds to what `after` holds, and prices `after`'s lines
/// from the products as they are now. Checks, all at once, that the customer and every
/// product exist (422) and share one currency; then takes what more is needed, product by
/// product in id order (so that concurrent orders lock rows in one order and cannot
/// deadlock), and reports every product that is short (409).
async fn settle(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    order_id: Uuid,
    before: Option<&FullOrder>,
    after: Option<&OrderFields>,
) -> Result<(Vec<order_line::Model>, String), ResourcesError> {
    let mut delta: BTreeMap<Uuid, i64> = BTreeMap::new();
    if let Some(before) = before.filter(|b| b.status().holds_stock()) {
        for line in &before.lines {
            *delta.entry(line.product_id).or_default() -= line.quantity;
        }
    }
    let mut priced = Vec::new();
    let mut order_currency = String::new();
    if let Some(after) = after.filter(|a| a.status.holds_stock()) {
        for line in &after.lines {
            *delta.entry(line.product_id).or_default() += line.quantity;
        }
    }
    if let Some(after) = after {
        let mut problems = Vec::new();
        let same_customer = before.is_some_and(|b| b.order.customer_id == after.customer_id);
        if !same_customer
            && let Err(ResourcesError::NotFound) =
                customer::locked(tx, tenant, after.customer_id).await
        {
            problems.push(FieldError::new(
                "customer_id",
                "no such customer in this tenant",
            ));
        }
        if before.is_some_and(|b| b.requested() == after.lines) {
            // The same lines keep the prices of when they were ordered.
            if let Some(before) = before {
                priced = before.lines.clone();
                order_currency = before.order.currency.clone();
            }
        } else {
            let (lines, currency) =
                price(tx, tenant, order_id, &after.lines, &mut problems).await?;
            priced = lines;
            order_currency = currency;
        }
        if !problems.is_empty() {
            return Err(ResourcesError::UnprocessableFields(problems));
        }
    }
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
    Ok((priced, order_currency))
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
