//! Deletes the rows that have expired (pending authorization requests, codes, sessions,
//! access-token records, refresh families past their absolute lifetime, idempotency keys), so
//! that tables do not grow forever. Each pass deletes in batches of at most about `batch` rows
//! per statement, oldest first, so that no statement holds a lock for long; several instances
//! may sweep at once. (Used client assertions live in the cache with a TTL: nothing to sweep.)

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

/// (table, expiry column, seconds kept past expiry)
pub type Expiring = (&'static str, &'static str, u64);

/// Deletes the expired rows of `tables`; returns how many went.
pub async fn sweep(db: &DatabaseConnection, tables: &[Expiring], batch: u64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let mut deleted = 0;
    for &(table, column, keep_seconds) in tables {
        let cutoff = Utc::now() - Duration::from_secs(keep_seconds);
        loop {
            // The batch-th oldest expired row bounds this batch (ties may add a few more).
            let bound = Query::select()
                .column(Alias::new(column))
                .from(Alias::new(table))
                .and_where(Expr::col(Alias::new(column)).lt(cutoff))
                .order_by(Alias::new(column), Order::Asc)
                .limit(1)
                .offset(batch.saturating_sub(1))
                .to_owned();
            let bound: Option<DateTime<Utc>> = match db.query_one_raw(backend.build(&bound)).await?
            {
                Some(row) => Some(row.try_get("", column)?),
                None => None,
            };
            let mut delete = Query::delete();
            delete
                .from_table(Alias::new(table))
                .and_where(Expr::col(Alias::new(column)).lt(cutoff));
            if let Some(bound) = bound {
                delete.and_where(Expr::col(Alias::new(column)).lte(bound));
            }
            deleted += db
                .execute_raw(backend.build(&delete))
                .await?
                .rows_affected();
            if bound.is_none() {
                break;
            }
        }
    }
    Ok(deleted)
}

/// Sweeps `tables` every `interval` (none when it is zero), logging what went.
pub fn spawn(db: DatabaseConnection, tables: Vec<Expiring>, interval: Duration, batch: u64) {
    if interval.is_zero() || tables.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(interval);
        loop {
            every.tick().await;
            match sweep(&db, &tables, batch).await {
                Ok(0) => {}
                Ok(rows) => tracing::info!(rows, "swept expired rows"),
                Err(err) => {
                    tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "sweeping expired rows failed")
                }
            }
        }
    });
}
