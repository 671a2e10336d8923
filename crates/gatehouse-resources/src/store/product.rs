//! The `resources_products` table and the tenant-scoped queries on it.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use super::{TenantId, now};
use crate::ResourcesError;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources_products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub description: String,
    pub price_amount: i64,
    pub price_currency: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The fields a client sets, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProductFields {
    pub name: String,
    pub description: String,
    pub price_amount: i64,
    pub price_currency: String,
}

/// The tenant's products, and nothing else.
fn of_tenant(tenant: TenantId) -> Select<Entity> {
    Entity::find().filter(Column::TenantId.eq(tenant.0))
}

/// A page of the tenant's products in a stable order (creation time, then id), and how many
/// products the tenant has in all.
pub(crate) async fn list(
    db: &DatabaseConnection,
    tenant: TenantId,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), ResourcesError> {
    let total = of_tenant(tenant).count(db).await?;
    if offset >= total {
        // Also keeps an absurd offset (a huge `page`) away from the database.
        return Ok((Vec::new(), total));
    }
    let items = of_tenant(tenant)
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((items, total))
}

pub(crate) async fn get(
    db: &DatabaseConnection,
    tenant: TenantId,
    id: Uuid,
) -> Result<Model, ResourcesError> {
    of_tenant(tenant)
        .filter(Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ResourcesError::NotFound)
}

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
        price_amount: fields.price_amount,
        price_currency: fields.price_currency,
        created_at: at,
        updated_at: at,
    };
    Entity::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Replaces the client's fields of one of the tenant's products.
/// Replaces a product; with `expected`, only if it is still that version (`updated_at`), in
/// the same statement, so that two concurrent writers cannot both win.
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
        price_amount: Set(fields.price_amount),
        price_currency: Set(fields.price_currency),
        updated_at: Set(now()),
        ..Default::default()
    };
    let mut update = Entity::update_many()
        .set(changes)
        .filter(Column::Id.eq(id))
        .filter(Column::TenantId.eq(tenant.0));
    if let Some(version) = expected {
        update = update.filter(Column::UpdatedAt.eq(version));
    }
    if update.exec(db).await?.rows_affected == 0 {
        return Err(missing_or_changed(db, tenant, id, expected).await);
    }
    get(db, tenant, id).await
}

/// Why a guarded write touched nothing: the product is gone, or it changed.
async fn missing_or_changed(
    db: &DatabaseConnection,
    tenant: TenantId,
    id: Uuid,
    expected: Option<DateTimeUtc>,
) -> ResourcesError {
    match (expected, get(db, tenant, id).await) {
        (Some(_), Ok(_)) => ResourcesError::PreconditionFailed,
        (_, Err(err)) => err,
        (None, Ok(_)) => ResourcesError::NotFound,
    }
}

/// Deletes a product; with `expected`, only if it is still that version.
pub(crate) async fn delete(
    db: &DatabaseConnection,
    tenant: TenantId,
    id: Uuid,
    expected: Option<DateTimeUtc>,
) -> Result<(), ResourcesError> {
    let mut delete = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::TenantId.eq(tenant.0));
    if let Some(version) = expected {
        delete = delete.filter(Column::UpdatedAt.eq(version));
    }
    if delete.exec(db).await?.rows_affected == 0 {
        return Err(missing_or_changed(db, tenant, id, expected).await);
    }
    Ok(())
}
