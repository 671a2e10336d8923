//! The `resources_customers` table and the tenant-scoped queries on it.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Order, QuerySelect};

use super::listing::{self, Listed, Window};
use super::{TenantId, TenantRows, conflict, contains_ignoring_case, now, of_tenant};
use crate::ResourcesError;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources_customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub email: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The fields a client sets, already validated (the email in lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CustomerFields {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Default)]
pub(crate) struct CustomerFilter {
    /// Part of the name or email, any case.
    pub q: Option<String>,
    pub email: Option<String>,
    pub created_after: Option<DateTimeUtc>,
}

impl TenantRows for Entity {
    const ID: Column = Column::Id;
    const TENANT: Column = Column::TenantId;
    const VERSION: Column = Column::UpdatedAt;
}

/// What a customer's email address colliding with another's is.
const EMAIL_TAKEN: &str = "another customer of this tenant has this email address";

#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn list(
    db: &DatabaseConnection,
    tenant: TenantId,
    filter: CustomerFilter,
    order: &[(Column, Order)],
    window: Window,
) -> Result<Listed<Model>, ResourcesError> {
    let mut select = of_tenant::<Entity>(tenant);
    if let Some(q) = &filter.q {
        select = select.filter(
            sea_orm::Condition::any()
                .add(contains_ignoring_case(Column::Name, q))
                .add(contains_ignoring_case(Column::Email, q)),
        );
    }
    if let Some(email) = filter.email {
        select = select.filter(Column::Email.eq(email));
    }
    if let Some(after) = filter.created_after {
        select = select.filter(Column::CreatedAt.gt(after));
    }
    listing::list(db, select, order, window).await
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
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
    fields: CustomerFields,
) -> Result<Model, ResourcesError> {
    let at = now();
    let model = Model {
        id: Uuid::now_v7(),
        tenant_id: tenant.0,
        name: fields.name,
        email: fields.email,
        created_at: at,
        updated_at: at,
    };
    Entity::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .map_err(|e| conflict(e, EMAIL_TAKEN))?;
    Ok(model)
}

/// Replaces a customer's fields; with `expected`, only if it is still that version.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
pub(crate) async fn replace(
    db: &DatabaseConnection,
    tenant: TenantId,
    id: Uuid,
    fields: CustomerFields,
    expected: Option<DateTimeUtc>,
) -> Result<Model, ResourcesError> {
    let changes = ActiveModel {
        name: Set(fields.name),
        email: Set(fields.email),
        updated_at: Set(now()),
        ..Default::default()
    };
    super::update::<Entity>(db, tenant, id, changes, expected, EMAIL_TAKEN).await
}

/// Deletes a customer who has no orders; with `expected`, only if still that version. Runs in
/// the caller's transaction after locking the customer's row, which an order being placed
/// also locks: the two cannot interleave.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id))]
pub(crate) async fn delete(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    expected: Option<DateTimeUtc>,
) -> Result<(), ResourcesError> {
    let current = locked(tx, tenant, id).await?;
    if expected.is_some_and(|version| version != current.updated_at) {
        return Err(ResourcesError::PreconditionFailed);
    }
    if super::order::customer_has_orders(tx, tenant, id).await? {
        return Err(ResourcesError::Conflict(
            "the customer has orders; a customer with orders cannot be deleted".to_owned(),
        ));
    }
    Entity::delete_by_id(id).exec(tx).await?;
    Ok(())
}

/// The customer, its row locked until the transaction ends (PostgreSQL and MySQL; SQLite
/// transactions here hold the database's write lock already).
pub(crate) async fn locked(
    tx: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<Model, ResourcesError> {
    of_tenant::<Entity>(tenant)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or(ResourcesError::NotFound)
}
