//! What the services' database errors mean for a client.

use sea_orm_migration::sea_orm::{DbErr, RuntimeErr, sqlx};

/// Whether `err` says the database cannot be reached right now (a restart, a failover, a
/// saturated pool), rather than that this request went wrong: such a request may be retried
/// as it is, so it is answered 503 with `Retry-After`, not 500.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(err))
        | DbErr::Exec(RuntimeErr::SqlxError(err))
        | DbErr::Query(RuntimeErr::SqlxError(err)) => sqlx_unavailable(err),
        _ => false,
    }
}

fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(err) => {
            let code = err.code();
            let code = code.as_deref().unwrap_or_default();
            // PostgreSQL: connection exceptions (08…), too many connections, shutting down
            // or starting (57P01–57P03). MySQL/MariaDB: communication failure (08S01). SQLite:
            // busy or locked (5, 6, and their extended codes).
            code.starts_with("08")
                || matches!(code, "53300" | "57P01" | "57P02" | "57P03")
                || code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
        }
        _ => false,
    }
}
