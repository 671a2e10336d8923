//! What every resource of the API does the same way: lenient query parameters (every wrong
//! one reported at once), lists (pages, cursors, sorting, `Link`), entity tags and
//! conditional writes, JSON Merge Patch, and `Idempotency-Key`.

mod cursor;
mod etag;
mod fields;
mod idempotency;
mod listing;
mod merge_patch;
mod page;
mod params;
mod responses;
mod rules;
mod transaction;

pub(crate) use etag::guard;
pub(crate) use fields::{name, name_rule, resource_id};
pub(crate) use idempotency::create_once;
pub(crate) use listing::{ListSpec, SortField, WindowParams};
pub(crate) use merge_patch::{Shape, patched};
pub(crate) use page::Page;
pub(crate) use params::{Param, Problems};
pub(crate) use responses::{
    CreatedResponse, DeletedResponse, ListResponse, ReadResponse, WrittenResponse, read, written,
};
pub(crate) use rules::resource_rules;
pub(crate) use transaction::begin_write;
