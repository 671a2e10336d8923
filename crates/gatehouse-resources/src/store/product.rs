//! The `resources_products` table and the tenant-scoped queries on it.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, Order};

use super::listing::{self, Listed, Window};
use super::{TenantId, TenantRows, conflict, contains_ignoring_case, now, of_tenant};
use crate::ResourcesError;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources_products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub description: String,
    pub sku: String,
    pub stock: i64,
    pub price_amount: i64,
    pub price_currency: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The largest amount of money anything may hold, in minor units (10^18, within `i64`).
pub(crate) const AMOUNT_MAX: i64 = 1_000_000_000_000_000;

/// The fields a client sets, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProductFields {
    pub name: String,
    pub description: String,
    pub sku: String,
    pub stock: i64,
    pub price_amount: i64,
    pub price_currency: String,
}

/// What a list of products is narrowed to.
#[derive(Debug, Default)]
pub(crate) struct ProductFilter {
    /// Part of the name or SKU, any case.
    pub q: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub currency: Option<String>,
    pub created_after: Option<DateTimeUtc>,
    pub in_stock: Option<bool>,
}

impl TenantRows for Entity {
    const ID: Column = Column::Id;
    const TENANT: Column = Column::TenantId;
    const VERSION: Column = Column::UpdatedAt;
}

/// What a product's SKU colliding with another's is.
const SKU_TAKEN: &str = "another product of this tenant has this SKU; SKUs are unique per tenant";

#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn list(
    db: &DatabaseConnection,
    tenant: TenantId,
    filter: ProductFilter,
    order: &[(Column, Order)],
    window: Window,
) -> Result<Listed<Model>, ResourcesError> {
    let mut select = of_tenant::<Entity>(tenant);
    if let Some(q) = &filter.q {
        select = select.filter(
            sea_orm::Condition::any()
                .add(contains_ignoring_case(Column::Name, q))
                .add(contains_ignoring_case(Column::Sku, q)),
        );
    }
    if let Some(min) = filter.min_price {
        select = select.filter(Column::PriceAmount.gte(min));
    }
    if let Some(max) = filter.max_price {
        select = select.filter(Column::PriceAmount.lte(max));
    }
    if let Some(currency) = filter.currency {
        select = select.filter(Column::PriceCurrency.eq(currency));
    }
    if let Some(after) = filter.created_after {
        select = select.filter(Column::CreatedAt.gt(after));
    }
    match filter.in_stock {
        Some(true) => select = select.filter(Column::Stock.gt(0)),
        Some(false) => select = select.filter(Column::Stock.eq(0)),
        None => {}
    }
    listing::list(db, select, order, window).await
}

// No span for `get`, `take_stock` and `return_stock`: an order calls them once per line, and
// the operation that calls them has one.
pub(crate) async fn get(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<Model, ResourcesError> {
    super::get::<Entity>(db, tenant, id).await
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn create(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    fields: ProductFields,
) -> Result<Model, ResourcesError> {
    let at = now();
    let model = Model {
        id: Uuid::now_v7(),
        tenant_id: tenant.0,
        name: fields.name,
        description: fields.description,
        sku: fields.sku,
        stock: fields.stock,
        price_amount: fields.price_amount,
        price_currency: fields.price_currency,
        created_at: at,
        updated_at: at,
    };
    Entity::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .map_err(|e| conflict(e, SKU_TAKEN))?;
    Ok(model)
}

/// Replaces a product's fields; with `expected`, only if it is still that version.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
pub(crate) async fn replace(
    db: &DatabaseConnection,
    tenant: TenantId,
    id: Uuid,
    fields: ProductFields,
    expected: Option<DateTimeUtc>,
) -> Result<Model, ResourcesError> {
    let changes = ActiveModel {
        name: Set(fields.name),
        description: Set(fields.description),
        sku: Set(fields.sku),
        stock: Set(fields.stock),
        price_amount: Set(fields.price_amount),
        price_currency: Set(fields.price_currency),
        updated_at: Set(now()),
        ..Default::default()
    };
    super::update::<Entity>(db, tenant, id, changes, expected, SKU_TAKEN).await
}

/// Deletes a product; with `expected`, only if it is still that version. Orders keep their
/// lines: each line holds the product's name, SKU and price as they were when ordered.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
pub(crate) async fn delete(
    db: &DatabaseConnection,
    tenant: TenantId,
    id: Uuid,
    expected: Option<DateTimeUtc>,
) -> Result<(), ResourcesError> {
    super::delete::<Entity>(db, tenant, id, expected).await
}

/// Takes `quantity` of a product from its stock, only if that much is there: one
/// statement, so that concurrent orders can never take the same unit twice.
pub(crate) async fn take_stock(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    quantity: i64,
) -> Result<bool, ResourcesError> {
    let taken = Entity::update_many()
        .col_expr(Column::Stock, Expr::col(Column::Stock).sub(quantity))
        .col_expr(Column::UpdatedAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::TenantId.eq(tenant.0))
        .filter(Column::Stock.gte(quantity))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Puts `quantity` of a product back (an order cancelled or changed); a product deleted
/// since has nothing to put it in.
pub(crate) async fn return_stock(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    quantity: i64,
) -> Result<(), ResourcesError> {
    Entity::update_many()
        .col_expr(Column::Stock, Expr::col(Column::Stock).add(quantity))
        .col_expr(Column::UpdatedAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::TenantId.eq(tenant.0))
        .exec(db)
        .await?;
    Ok(())
}
