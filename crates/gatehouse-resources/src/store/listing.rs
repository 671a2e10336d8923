//! Lists of any entity: a page by offset (with the total), or the rows after a position in the
//! sort order (keyset pagination), which costs the same at any depth.

use sea_orm::sea_query::{Condition, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Value,
};

use crate::ResourcesError;

/// Which rows of the sorted list to return.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Window {
    /// `limit` rows from `offset`, and how many rows there are in all.
    Page { offset: u64, limit: u64 },
    /// `limit` rows after `position` (the values of the sort columns of the last row seen),
    /// or from the start.
    After {
        position: Option<Vec<Value>>,
        limit: u64,
    },
}

/// Rows of a list, with the total (pages) or the position after the last row when more rows
/// follow (keyset).
#[derive(Debug)]
pub(crate) struct Listed<M> {
    pub items: Vec<M>,
    pub total: Option<u64>,
    pub next: Option<Vec<Value>>,
}

/// Lists the rows `select` finds, ordered by `order` (which must end with a unique column, so
/// that the order is total and a position names one place in it).
pub(crate) async fn list<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    order: &[(E::Column, Order)],
    window: Window,
) -> Result<Listed<E::Model>, ResourcesError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let mut sorted = select.clone();
    for (column, direction) in order {
        sorted = sorted.order_by(*column, direction.clone());
    }
    match window {
        Window::Page { offset, limit } => {
            let total = select.count(db).await?;
            if offset >= total {
                // Also keeps an absurd offset (a huge `page`) away from the database.
                return Ok(Listed {
                    items: Vec::new(),
                    total: Some(total),
                    next: None,
                });
            }
            let items = sorted.offset(offset).limit(limit).all(db).await?;
            // A page also tells where the next one starts, so that a client may go on by
            // cursor from any page.
            let more = offset + (items.len() as u64) < total;
            let next = items
                .last()
                .filter(|_| more)
                .map(|last| position_of(last, order));
            Ok(Listed {
                items,
                total: Some(total),
                next,
            })
        }
        Window::After { position, limit } => {
            if let Some(position) = &position {
                sorted = sorted.filter(after(order, position));
            }
            let mut items = sorted.limit(limit + 1).all(db).await?;
            let more = items.len() as u64 > limit;
            items.truncate(limit as usize);
            let next = items
                .last()
                .filter(|_| more)
                .map(|last| position_of(last, order));
            Ok(Listed {
                items,
                total: None,
                next,
            })
        }
    }
}

/// Where `row` stands in `order`: the values of its sort columns.
fn position_of<M: ModelTrait>(
    row: &M,
    order: &[(<M::Entity as EntityTrait>::Column, Order)],
) -> Vec<Value> {
    order.iter().map(|(column, _)| row.get(*column)).collect()
}

/// The rows after `position` in `order`: `(a > x) OR (a = x AND b > y) OR ...`, with `>`
/// turned to `<` for descending columns, and led by `a >= x` so that an index on the first
/// column bounds the scan on every backend.
fn after<C: ColumnTrait>(order: &[(C, Order)], position: &[Value]) -> Condition {
    let beyond = |column: C, direction: &Order, value: &Value| -> SimpleExpr {
        match direction {
            Order::Desc => column.lt(value.clone()),
            _ => column.gt(value.clone()),
        }
    };
    let mut any = Condition::any();
    for (i, ((column, direction), value)) in order.iter().zip(position).enumerate() {
        let mut all = Condition::all();
        for ((earlier, _), earlier_value) in order.iter().zip(position).take(i) {
            all = all.add(earlier.eq(earlier_value.clone()));
        }
        any = any.add(all.add(beyond(*column, direction, value)));
    }
    let mut bounded = Condition::all();
    if let (Some((first, direction)), Some(value)) = (order.first(), position.first()) {
        bounded = bounded.add(match direction {
            Order::Desc => first.lte(value.clone()),
            _ => first.gte(value.clone()),
        });
    }
    bounded.add(any)
}
