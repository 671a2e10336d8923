//! `resources_orders`: a customer's order of products, and the rules that keep stock true.
//!
//! Every change of an order runs in one transaction that also moves the stock it holds: an
//! order that is not cancelled holds its lines' quantities; placing, changing, cancelling or
//! deleting it takes or returns the difference. Stock is taken by a conditional `UPDATE`
//! (`stock >= quantity`), so concurrent orders can never take the same unit twice; when any
//! product is short, the caller rolls the whole transaction back.

mod entity;
mod read;
mod stock;
mod write;

pub(crate) use entity::{Column, FullOrder, LineRequest, OrderFields, OrderFilter, Status};
pub(crate) use read::{customer_has_orders, get, list, locked};
pub(crate) use write::{create, delete, update};
