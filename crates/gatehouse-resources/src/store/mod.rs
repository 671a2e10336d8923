//! Storage. Every function takes the caller's [`TenantId`] and filters by it: there is no way
//! to reach a row of another tenant through this module.

pub(crate) mod customer;
pub(crate) mod idempotency;
pub(crate) mod listing;
pub(crate) mod order;
pub(crate) mod order_line;
pub(crate) mod product;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use uuid::Uuid;

/// The id of the tenant a request acts for, as vouched for by the gateway. Only the API layer
/// makes one, from the caller's identity; the store scopes every query by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TenantId(Uuid);

impl TenantId {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        Uuid::parse_str(raw).ok().map(Self)
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
