//! What a list accepts (sort fields, filters, the window) and how a list request is
//! understood: every wrong parameter noted, the order made total, a cursor checked.

use gatehouse_proto::Rule;
use sea_orm::Order;
use serde_json::json;

use super::cursor::decode_cursor;
use super::etag::digest_hex;
use super::params::{Param, Problems};
use crate::ResourcesConfig;
use crate::store::listing::Window;

/// How a cursor writes a sort column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Time,
    Int,
    Text,
    Uuid,
}

/// A field a list may be sorted by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortField<C: 'static> {
    pub name: &'static str,
    pub column: C,
    pub kind: Kind,
}

impl<C> SortField<C> {
    /// A field of instants (sorted as such, written into cursors in RFC 3339).
    pub(crate) const fn time(name: &'static str, column: C) -> Self {
        Self::new(name, column, Kind::Time)
    }

    /// A field of integers.
    pub(crate) const fn int(name: &'static str, column: C) -> Self {
        Self::new(name, column, Kind::Int)
    }

    /// A field of text.
    pub(crate) const fn text(name: &'static str, column: C) -> Self {
        Self::new(name, column, Kind::Text)
    }

    const fn new(name: &'static str, column: C, kind: Kind) -> Self {
        Self { name, column, kind }
    }
}

/// What a resource's list accepts: its sort fields (the first is the default order), its
/// id column (the tie-breaker), and the names of its filters.
#[derive(Debug)]
pub(crate) struct ListSpec<C: 'static> {
    pub sort_fields: &'static [SortField<C>],
    pub id: C,
    pub filters: &'static [&'static str],
}

/// The parameters every list takes besides its filters.
const WINDOW_PARAMETERS: [&str; 4] = ["page", "per_page", "cursor", "sort"];

/// A list request, understood.
#[derive(Debug)]
pub(crate) struct ListPlan<C> {
    pub order: Vec<(C, Order)>,
    pub window: Window,
    pub page: Option<u64>,
    pub per_page: u64,
    /// The query's parameters besides `page` and `cursor`, for links.
    pub carried: Vec<(String, String)>,
    /// What a cursor is bound to: the sort and the filters.
    pub query_digest: String,
}

/// The window parameters every list operation declares.
#[derive(Debug)]
pub(crate) struct WindowParams {
    pub page: Option<Param<u64>>,
    pub per_page: Option<Param<u64>>,
    pub cursor: Option<String>,
    pub sort: Option<String>,
}

impl<C> ListSpec<C> {
    /// What the OpenAPI document says of the window and sort parameters that `plan` checks.
    pub(crate) fn rules(&self, operation: &'static str, config: &ResourcesConfig) -> Vec<Rule> {
        let names: Vec<&str> = self.sort_fields.iter().map(|f| f.name).collect();
        let field = format!("-?({})", names.join("|"));
        vec![
            Rule::query(
                operation,
                "page",
                // No `default`: a generated client would send it beside `cursor`.
                json!({"minimum": 1, "maximum": u64::MAX}),
            ),
            Rule::query(
                operation,
                "per_page",
                json!({
                    "minimum": 1,
                    "maximum": config.max_per_page,
                    "default": config.default_per_page(),
                }),
            ),
            Rule::query(
                operation,
                "sort",
                json!({"pattern": format!("^{field}(,{field})*$"), "default": names.first()}),
            ),
        ]
    }
}

impl<C: Copy> ListSpec<C> {
    /// Understands a list request: unknown parameters, the window and the sort, with every
    /// problem noted in `problems` (the caller adds its filters' and then fails once).
    pub(crate) fn plan(
        &self,
        query: Option<&str>,
        params: WindowParams,
        config: &ResourcesConfig,
        problems: &mut Problems,
    ) -> ListPlan<C> {
        let pairs: Vec<(String, String)> = query
            .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
            .unwrap_or_default();
        self.note_unknown(&pairs, problems);
        let (page, per_page) = window_size(&params, config, problems);
        let (order, kinds) = self.order(params.sort.as_deref(), problems);
        let query_digest = query_digest(&pairs);

        let window = match &params.cursor {
            Some(cursor) => Window::After {
                position: decode_cursor(cursor, &kinds, &query_digest)
                    .map_err(|reason| problems.unprocessable("cursor", reason))
                    .ok(),
                limit: per_page,
            },
            None => Window::Page {
                offset: page.unwrap_or(1).saturating_sub(1).saturating_mul(per_page),
                limit: per_page,
            },
        };
        // Pages count from 1; a cursor replaces the page number.
        let page = params.cursor.is_none().then(|| page.unwrap_or(1));
        let carried = pairs
            .into_iter()
            .filter(|(name, _)| name != "page" && name != "cursor" && name != "per_page")
            .collect();
        ListPlan {
            order,
            window,
            page,
            per_page,
            carried,
            query_digest,
        }
    }

    /// Notes every parameter that neither the window nor a filter takes.
    fn note_unknown(&self, pairs: &[(String, String)], problems: &mut Problems) {
        let known: Vec<&str> = WINDOW_PARAMETERS
            .iter()
            .chain(self.filters)
            .copied()
            .collect();
        for (name, _) in pairs {
            if !known.contains(&name.as_str()) && !problems.names(name) {
                problems.add(
                    name,
                    format!(
                        "unknown parameter; this operation takes {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    /// `sort=-created_at,name`: fields of the whitelist, `-` for descending; the id ends
    /// every order, in the first field's direction, so that the order is total.
    fn order(&self, sort: Option<&str>, problems: &mut Problems) -> (Vec<(C, Order)>, Vec<Kind>) {
        let mut order = Vec::new();
        let mut kinds = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let default = self.sort_fields[0].name;
        for item in sort.unwrap_or(default).split(',') {
            let (direction, name) = match item.strip_prefix('-') {
                Some(name) => (Order::Desc, name),
                None => (Order::Asc, item),
            };
            match self.sort_fields.iter().find(|f| f.name == name) {
                Some(field) if !seen.contains(&name) => {
                    seen.push(name);
                    order.push((field.column, direction));
                    kinds.push(field.kind);
                }
                Some(_) => problems.unprocessable("sort", format!("`{name}` is named twice")),
                None => {
                    let names: Vec<&str> = self.sort_fields.iter().map(|f| f.name).collect();
                    problems.add(
                        "sort",
                        format!(
                            "cannot sort by `{name}`; sort by {} (`-` before a field for \
                             descending)",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        let tie = order.first().map_or(Order::Asc, |(_, d)| d.clone());
        order.push((self.id, tie));
        kinds.push(Kind::Uuid);
        (order, kinds)
    }
}

/// The page asked for and the page size, each checked against the other parameters and the
/// service's limits.
fn window_size(
    params: &WindowParams,
    config: &ResourcesConfig,
    problems: &mut Problems,
) -> (Option<u64>, u64) {
    let page = problems.take("page", params.page.clone());
    let per_page = problems
        .take("per_page", params.per_page.clone())
        .unwrap_or_else(|| config.default_per_page());
    if page == Some(0) {
        problems.add("page", "must be at least 1");
    }
    if !(1..=config.max_per_page).contains(&per_page) {
        problems.add(
            "per_page",
            format!("must be between 1 and {}", config.max_per_page),
        );
    }
    if page.is_some() && params.cursor.is_some() {
        problems.unprocessable(
            "cursor",
            "cannot be combined with page; use one or the other",
        );
    }
    (page, per_page)
}

/// What a cursor is bound to: a digest of the sort and the filters.
fn query_digest(pairs: &[(String, String)]) -> String {
    let mut bound: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(name, _)| !WINDOW_PARAMETERS.contains(&name.as_str()) || name == "sort")
        .collect();
    bound.sort();
    digest_hex(format!("{bound:?}").as_bytes(), 8)
}
