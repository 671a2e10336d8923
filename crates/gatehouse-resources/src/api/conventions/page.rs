//! One page of a list, and its RFC 8288 `Link` field.

use poem_openapi::Object;
use poem_openapi::types::{Example, ParseFromJSON, ToJSON};

use super::cursor::encode_cursor;
use super::listing::ListPlan;
use super::responses::{self, ListResponse};
use crate::ResourcesConfig;
use crate::store::listing::Listed;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(example)]
pub(crate) struct Page<T: ParseFromJSON + ToJSON + Example> {
    /// The items, in the order asked for by `sort` (oldest first unless told otherwise).
    pub items: Vec<T>,
    /// The page number, from 1; absent when the list is read by cursor.
    #[oai(skip_serializing_if_is_none)]
    pub page: Option<u64>,
    /// The page size asked for.
    pub per_page: u64,
    /// How many items match, in all; absent when the list is read by cursor (counting would
    /// cost as much as reading the whole list).
    #[oai(skip_serializing_if_is_none)]
    pub total: Option<u64>,
    /// Pass as `cursor` to read the items after this page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

impl<T: ParseFromJSON + ToJSON + Example> Example for Page<T> {
    fn example() -> Self {
        Self {
            items: vec![T::example()],
            page: Some(1),
            per_page: 20,
            total: Some(1),
            next_cursor: None,
        }
    }
}

impl<C> ListPlan<C> {
    /// The answer to the list: the page, or a 304 when it is the version `If-None-Match`
    /// names.
    pub(crate) fn respond<M, T: ParseFromJSON + ToJSON + Example>(
        &self,
        req: &poem::Request,
        config: &ResourcesConfig,
        listed: Listed<M>,
        into: impl Fn(M) -> T,
    ) -> ListResponse<Page<T>> {
        let (body, links) = self.page(req.uri().path(), listed, into);
        responses::listed(req, config, body, links)
    }

    /// The page's body and its RFC 8288 `Link` field (`first`, `prev`, `next`, `last` for
    /// pages; `first` and `next` for cursors), keeping the query's sort and filters.
    fn page<M, T: ParseFromJSON + ToJSON + Example>(
        &self,
        path: &str,
        listed: Listed<M>,
        into: impl Fn(M) -> T,
    ) -> (Page<T>, String) {
        let next_cursor = listed
            .next
            .as_ref()
            .map(|position| encode_cursor(position, &self.query_digest));
        let link = |extra: &[(&str, String)], rel: &str| {
            let mut pairs: Vec<(String, String)> = extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            pairs.push(("per_page".to_owned(), self.per_page.to_string()));
            pairs.extend(self.carried.iter().cloned());
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            format!("<{path}?{query}>; rel=\"{rel}\"")
        };
        let mut links = Vec::new();
        match (self.page, listed.total) {
            (Some(page), Some(total)) => {
                let last = total.div_ceil(self.per_page).max(1);
                links.push(link(&[("page", "1".into())], "first"));
                if page > 1 {
                    links.push(link(&[("page", (page - 1).min(last).to_string())], "prev"));
                }
                if page < last {
                    links.push(link(&[("page", (page + 1).to_string())], "next"));
                }
                links.push(link(&[("page", last.to_string())], "last"));
            }
            _ => {
                links.push(link(&[], "first"));
                if let Some(cursor) = &next_cursor {
                    links.push(link(&[("cursor", cursor.clone())], "next"));
                }
            }
        }
        let body = Page {
            items: listed.items.into_iter().map(into).collect(),
            page: self.page,
            per_page: self.per_page,
            total: listed.total,
            next_cursor,
        };
        (body, links.join(", "))
    }
}
