//! `Idempotency-Key` on POST: the key is claimed in the same transaction as the write, so a
//! concurrent retry waits for the first and then replays its answer.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, SqlErr};

use super::TenantId;
use crate::ResourcesError;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources_idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub request_hash: String,
    pub location: Option<String>,
    pub body: Option<String>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What a key says about a request.
pub(crate) enum Claim {
    /// The key is new: it is now held by this transaction.
    New,
    /// Another request holds or held the key; see [`earlier`].
    Taken,
    /// The key answered this same request before: here is that answer.
    Replay { location: String, body: String },
}

/// Claims `key` for a request whose content hashes to `request_hash`, inside `tx`. A
/// concurrent claim of the same key waits here for the first transaction to end.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn claim(
    tx: &DatabaseTransaction,
    tenant: TenantId,
    client_id: &str,
    key: &str,
    request_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<Claim, ResourcesError> {
    Entity::delete_many()
        .filter(Column::TenantId.eq(tenant.0))
        .filter(Column::ExpiresAt.lt(Utc::now()))
        .exec(tx)
        .await?;
    let row = ActiveModel {
        tenant_id: Set(tenant.0),
        client_id: Set(client_id.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        location: Set(None),
        body: Set(None),
        expires_at: Set(expires_at),
    };
    match Entity::insert(row).exec(tx).await {
        Ok(_) => Ok(Claim::New),
        // The transaction is spoilt (PostgreSQL aborts it): the caller rolls it back and
        // reads the earlier answer outside it.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(Claim::Taken)
        }
        Err(err) => Err(err.into()),
    }
}

/// The earlier answer to a taken key: a replay, or why there is none.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn earlier(
    db: &DatabaseConnection,
    tenant: TenantId,
    client_id: &str,
    key: &str,
    request_hash: &str,
) -> Result<Claim, ResourcesError> {
    let existing = Entity::find_by_id((tenant.0, client_id.to_owned(), key.to_owned()))
        .one(db)
        .await?
        .ok_or(ResourcesError::IdempotencyInProgress)?;
    if existing.request_hash != request_hash {
        return Err(ResourcesError::IdempotencyMismatch);
    }
    match (existing.location, existing.body) {
        (Some(location), Some(body)) => Ok(Claim::Replay { location, body }),
        _ => Err(ResourcesError::IdempotencyInProgress),
    }
}

/// Records the answer under the claimed key, inside the same transaction as the write.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
pub(crate) async fn record(
    tx: &DatabaseTransaction,
    tenant: TenantId,
    client_id: &str,
    key: &str,
    location: &str,
    body: &str,
) -> Result<(), ResourcesError> {
    let row = ActiveModel {
        tenant_id: Set(tenant.0),
        client_id: Set(client_id.to_owned()),
        key: Set(key.to_owned()),
        location: Set(Some(location.to_owned())),
        body: Set(Some(body.to_owned())),
        ..Default::default()
    };
    Entity::update(row).exec(tx).await?;
    Ok(())
}
