//! Storage. Every function takes the caller's [`TenantId`] and filters by it: there is no way
//! to reach a row of another tenant through this module.

pub(crate) mod customer;
pub(crate) mod idempotency;
pub(crate) mod listing;
pub(crate) mod order;
pub(crate) mod order_line;
pub(crate) mod product;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select, SqlErr};
use uuid::Uuid;

use crate::ResourcesError;

/// The id of the tenant a request acts for, as vouched for by the gateway. Only the API layer
/// makes one, from the caller's identity; the store scopes every query by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TenantId(Uuid);

impl TenantId {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        Uuid::parse_str(raw).ok().map(Self)
    }
}

/// A table of tenants' rows, each with an id and a version (`updated_at`, which every write
/// sets): what the reads and the guarded writes below need to know of it.
pub(crate) trait TenantRows: EntityTrait {
    const ID: Self::Column;
    const TENANT: Self::Column;
    const VERSION: Self::Column;
}

/// The tenant's rows of a table, and nothing else.
pub(crate) fn of_tenant<E: TenantRows>(tenant: TenantId) -> Select<E> {
    E::find().filter(E::TENANT.eq(tenant.0))
}

/// One of the tenant's rows; another tenant's is as missing as one that never was.
pub(crate) async fn get<E: TenantRows>(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<E::Model, ResourcesError> {
    of_tenant::<E>(tenant)
        .filter(E::ID.eq(id))
        .one(db)
        .await?
        .ok_or(ResourcesError::NotFound)
}

/// Applies `changes` to one of the tenant's rows; with `expected`, only if it is still that
/// version, in the same statement, so that two concurrent writers cannot both win. A unique
/// index the change collides with is a conflict, said by `taken`.
pub(crate) async fn update<E: TenantRows>(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    changes: E::ActiveModel,
    expected: Option<DateTime<Utc>>,
    taken: &str,
) -> Result<E::Model, ResourcesError> {
    let mut update = E::update_many()
        .set(changes)
        .filter(E::ID.eq(id))
        .filter(E::TENANT.eq(tenant.0));
    if let Some(version) = expected {
        update = update.filter(E::VERSION.eq(version));
    }
    let updated = update.exec(db).await.map_err(|e| conflict(e, taken))?;
    if updated.rows_affected == 0 {
        return Err(missing_or_changed::<E>(db, tenant, id, expected).await);
    }
    get::<E>(db, tenant, id).await
}

/// Deletes one of the tenant's rows; with `expected`, only if it is still that version.
pub(crate) async fn delete<E: TenantRows>(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    expected: Option<DateTime<Utc>>,
) -> Result<(), ResourcesError> {
    let mut delete = E::delete_many()
        .filter(E::ID.eq(id))
        .filter(E::TENANT.eq(tenant.0));
    if let Some(version) = expected {
        delete = delete.filter(E::VERSION.eq(version));
    }
    if delete.exec(db).await?.rows_affected == 0 {
        return Err(missing_or_changed::<E>(db, tenant, id, expected).await);
    }
    Ok(())
}

/// Why a guarded write touched nothing: the row is gone, or it changed.
async fn missing_or_changed<E: TenantRows>(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
    expected: Option<DateTime<Utc>>,
) -> ResourcesError {
    match (expected, get::<E>(db, tenant, id).await) {
        (Some(_), Ok(_)) => ResourcesError::PreconditionFailed,
        (_, Err(err)) => err,
        (None, Ok(_)) => ResourcesError::NotFound,
    }
}

/// A write that collides with a unique index (a SKU, an email address) is a 409 saying
/// `taken`; any other database error stays one.
pub(crate) fn conflict(err: DbErr, taken: &str) -> ResourcesError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ResourcesError::Conflict(taken.to_owned()),
        _ => err.into(),
    }
}

/// The current time at the precision every backend stores (microseconds), so that what an
/// operation answers is exactly what a later read returns.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// `column` contains `needle`, ignoring case; `%` and `_` in the needle are literal.
pub(crate) fn contains_ignoring_case(column: impl ColumnTrait, needle: &str) -> SimpleExpr {
    let mut pattern = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern).escape('!'))
}
