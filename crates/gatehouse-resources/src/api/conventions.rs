//! What every resource of the API does the same way: lenient query parameters (every wrong
//! one reported at once), lists (pages, cursors, sorting, `Link`), entity tags and
//! conditional writes, JSON Merge Patch, and `Idempotency-Key`.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use gatehouse_proto::{FieldError, Rule};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{Example, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type};
use poem_openapi::{ApiResponse, Object};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, Order, SqliteTransactionMode, TransactionOptions,
    TransactionTrait, Value,
};
use serde_json::json;
use uuid::Uuid;

use super::ResourcesAuth;
use crate::store::listing::{Listed, Window};
use crate::store::{TenantId, idempotency};
use crate::{ResourcesConfig, ResourcesError};

/// A query parameter parsed without failing the request: a wrong value is kept with its
/// reason, so that an operation reports every wrong parameter at once.
#[derive(Debug, Clone)]
pub(crate) struct Param<T>(pub Result<T, String>);

impl<T: Type> Type for Param<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().ok().and_then(Type::as_raw_value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Ok(value) => value.raw_element_iter(),
            Err(_) => Box::new(std::iter::empty()),
        }
    }
}

impl<T: ParseFromParameter> ParseFromParameter for Param<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(
            T::parse_from_parameter(value).map_err(|e| e.into_message()),
        ))
    }
}

/// Wrong fields and parameters, gathered so that a request hears of all of them at once.
///
/// Two kinds: a value the OpenAPI document already rules out (malformed: 400), and one that
/// is well-formed but cannot be served: it names what does not exist, or disagrees with
/// another (unprocessable: 422). A request with both kinds gets a 400 that lists them all.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    malformed: Vec<FieldError>,
    unprocessable: Vec<FieldError>,
}

impl Problems {
    /// A value the document rules out (its type, range, length, pattern or enum).
    pub(crate) fn add(&mut self, field: &str, reason: impl Into<String>) {
        self.malformed.push(FieldError::new(field, reason));
    }

    /// A well-formed value that cannot be served.
    pub(crate) fn unprocessable(&mut self, field: &str, reason: impl Into<String>) {
        self.unprocessable.push(FieldError::new(field, reason));
    }

    fn names(&self, field: &str) -> bool {
        self.malformed
            .iter()
            .chain(&self.unprocessable)
            .any(|e| e.field == field)
    }

    /// The value of a lenient parameter, or `None` with its reason noted.
    pub(crate) fn take<T>(&mut self, field: &str, param: Option<Param<T>>) -> Option<T> {
        match param?.0 {
            Ok(value) => Some(value),
            Err(reason) => {
                self.add(field, reason);
                None
            }
        }
    }

    /// `Ok(value)` if nothing was wrong, else a 400 (or 422) listing every problem.
    pub(crate) fn or_fail<T>(self, value: T) -> Result<T, ResourcesError> {
        match (self.malformed.is_empty(), self.unprocessable.is_empty()) {
            (true, true) => Ok(value),
            (true, false) => Err(ResourcesError::UnprocessableFields(self.unprocessable)),
            (false, _) => {
                let mut all = self.malformed;
                all.extend(self.unprocessable);
                Err(ResourcesError::InvalidFields(all))
            }
        }
    }
}

/// The longest name of a product or customer, in characters.
const NAME_MAX_CHARS: usize = 200;

/// A name as stored: 1 to 200 characters, not all white space, stored trimmed (else `name` is
/// noted in `errors`).
pub(crate) fn name(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let name = raw.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "must not be empty or blank"));
    } else if raw.chars().count() > NAME_MAX_CHARS {
        errors.push(FieldError::new(
            "name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    name.to_owned()
}

/// What the OpenAPI document says of a name: [`name`]'s rule.
pub(crate) fn name_rule() -> serde_json::Value {
    serde_json::json!({
        "minLength": 1,
        "maxLength": NAME_MAX_CHARS,
        "pattern": gatehouse_proto::NOT_BLANK_PATTERN,
    })
}

/// A resource id from the path; one that is not a UUID names nothing (404, not 400).
pub(crate) fn resource_id(raw: &str) -> Result<Uuid, ResourcesError> {
    Uuid::parse_str(raw).map_err(|_| ResourcesError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// Responses

/// The answer to a list.
#[derive(ApiResponse)]
pub(crate) enum ListResponse<T: ToJSON> {
    /// A page of the list.
    #[oai(status = 200)]
    Ok(
        Json<T>,
        /// RFC 8288 links: `first`, `prev`, `next` and `last` for pages; `first` and `next`
        /// (by cursor) otherwise. They keep the request's sort and filters.
        #[oai(header = "Link")]
        String,
        /// How long the page may be reused: private to the caller.
        #[oai(header = "Cache-Control")]
        String,
        /// A strong validator of the page.
        #[oai(header = "ETag")]
        String,
    ),
    /// The page is the version named in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "ETag")] String,
    ),
}

/// The answer to a read of one resource.
#[derive(ApiResponse)]
pub(crate) enum ReadResponse<T: ToJSON> {
    /// The resource.
    #[oai(status = 200)]
    Ok(
        Json<T>,
        /// How long the resource may be reused: private to the caller.
        #[oai(header = "Cache-Control")]
        String,
        /// A strong validator of the resource, for `If-None-Match` and `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
    /// The resource is the version named in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "ETag")] String,
    ),
}

/// The answer to a creation.
#[derive(ApiResponse)]
pub(crate) enum CreatedResponse<T: ToJSON> {
    /// Created (or, for a retry with the same `Idempotency-Key`, created before).
    #[oai(status = 201)]
    Created(
        Json<T>,
        /// The new resource's URL.
        #[oai(header = "Location")]
        String,
        /// The new resource's entity tag, for a later `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

/// The answer to a replacement or a merge patch.
#[derive(ApiResponse)]
pub(crate) enum WrittenResponse<T: ToJSON> {
    /// The resource, as it now is.
    #[oai(status = 200)]
    Ok(
        Json<T>,
        /// The new version's entity tag, for the next `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

/// The answer to a deletion.
#[derive(ApiResponse)]
pub(crate) enum DeletedResponse {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

pub(crate) fn read<T: ToJSON>(
    req: &poem::Request,
    config: &ResourcesConfig,
    body: T,
) -> ReadResponse<T> {
    let etag = etag(&body);
    let cache_control = config.read_cache_control();
    if matches_any(req.headers().get("if-none-match"), &etag) {
        return ReadResponse::NotModified(cache_control, etag);
    }
    ReadResponse::Ok(Json(body), cache_control, etag)
}

pub(crate) fn listed<T: ToJSON>(
    req: &poem::Request,
    config: &ResourcesConfig,
    body: T,
    links: String,
) -> ListResponse<T> {
    let etag = etag(&body);
    let cache_control = config.read_cache_control();
    if matches_any(req.headers().get("if-none-match"), &etag) {
        return ListResponse::NotModified(cache_control, etag);
    }
    ListResponse::Ok(Json(body), links, cache_control, etag)
}

pub(crate) fn created<T: ToJSON>((body, location): (T, String)) -> CreatedResponse<T> {
    let etag = etag(&body);
    CreatedResponse::Created(Json(body), location, etag)
}

pub(crate) fn written<T: ToJSON>(body: T) -> WrittenResponse<T> {
    let etag = etag(&body);
    WrittenResponse::Ok(Json(body), etag)
}

// ---------------------------------------------------------------------------------------------
// Lists

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

/// What a resource's list accepts: its sort fields (the first is the default order), its
/// id column (the tie-breaker), and the names of its filters.
#[derive(Debug)]
pub(crate) struct ListSpec<C: 'static> {
    pub sort_fields: &'static [SortField<C>],
    pub id: C,
    pub filters: &'static [&'static str],
}

/// The parameters every list takes besides its filters.
pub(crate) const WINDOW_PARAMETERS: [&str; 4] = ["page", "per_page", "cursor", "sort"];

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
        let known: Vec<&str> = WINDOW_PARAMETERS
            .iter()
            .chain(self.filters)
            .copied()
            .collect();
        for (name, _) in &pairs {
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

        let page = problems.take("page", params.page);
        let per_page = problems
            .take("per_page", params.per_page)
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

        let (order, kinds) = self.order(params.sort.as_deref(), problems);
        let mut bound: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(name, _)| !WINDOW_PARAMETERS.contains(&name.as_str()) || name == "sort")
            .collect();
        bound.sort();
        let query_digest = digest_hex(format!("{bound:?}").as_bytes(), 8);

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

impl<C> ListPlan<C> {
    /// The page's body and its RFC 8288 `Link` field (`first`, `prev`, `next`, `last` for
    /// pages; `first` and `next` for cursors), keeping the query's sort and filters.
    pub(crate) fn page<M, T: ParseFromJSON + ToJSON + Example>(
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

/// A cursor: the position after the last item of a page, bound to the query that listed it.
/// Opaque to clients (base64url JSON); a cursor of another query, or a forged one, is a 400.
fn encode_cursor(position: &[Value], query_digest: &str) -> String {
    let values: Vec<serde_json::Value> = position.iter().map(value_to_json).collect();
    let json = serde_json::json!({ "q": query_digest, "p": values });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

fn decode_cursor(cursor: &str, kinds: &[Kind], query_digest: &str) -> Result<Vec<Value>, String> {
    let invalid = || "is not a cursor this list gave; start again without it".to_owned();
    let json: serde_json::Value = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(invalid)?;
    if json.get("q").and_then(|q| q.as_str()) != Some(query_digest) {
        return Err("was given by a list with another sort or other filters; \
                    repeat that list's parameters or start again without a cursor"
            .to_owned());
    }
    let values = json
        .get("p")
        .and_then(|p| p.as_array())
        .ok_or_else(invalid)?;
    if values.len() != kinds.len() {
        return Err(invalid());
    }
    values
        .iter()
        .zip(kinds)
        .map(|(value, kind)| json_to_value(value, *kind).ok_or_else(invalid))
        .collect()
}

fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::BigInt(Some(n)) => (*n).into(),
        Value::Int(Some(n)) => (*n).into(),
        Value::String(Some(s)) => s.clone().into(),
        Value::ChronoDateTimeUtc(Some(t)) => t.to_rfc3339_opts(SecondsFormat::Micros, true).into(),
        Value::Uuid(Some(u)) => u.to_string().into(),
        _ => serde_json::Value::Null,
    }
}

fn json_to_value(json: &serde_json::Value, kind: Kind) -> Option<Value> {
    Some(match kind {
        Kind::Int => Value::from(json.as_i64()?),
        Kind::Text => Value::from(json.as_str()?.to_owned()),
        Kind::Time => Value::from(
            DateTime::parse_from_rfc3339(json.as_str()?)
                .ok()?
                .with_timezone(&Utc),
        ),
        Kind::Uuid => Value::from(Uuid::parse_str(json.as_str()?).ok()?),
    })
}

// ---------------------------------------------------------------------------------------------
// Entity tags and conditional requests

/// A strong entity tag: a digest of the JSON the body is sent as.
pub(crate) fn etag(body: &impl ToJSON) -> String {
    format!("\"{}\"", json_digest(body, 16))
}

/// The first `bytes` bytes of the SHA-256 of a value's JSON, in hexadecimal.
pub(crate) fn json_digest(value: &impl ToJSON, bytes: usize) -> String {
    let json = value.to_json().map(|v| v.to_string()).unwrap_or_default();
    digest_hex(json.as_bytes(), bytes)
}

fn digest_hex(data: &[u8], bytes: usize) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether an `If-Match` / `If-None-Match` value names the entity tag (or is `*`).
pub(crate) fn matches_any(condition: Option<&poem::http::HeaderValue>, etag: &str) -> bool {
    condition
        .and_then(|v| v.to_str().ok())
        .is_some_and(|condition| gatehouse_proto::etag_matches(condition, etag))
}

/// The version a write is conditioned on. With `If-Match`: the current version if its
/// entity tag matches, else 412. Without: nothing, or 428 when the tenant requires
/// conditional writes (the gateway says so in a header).
pub(crate) fn expected_version(
    req: &poem::Request,
    current_etag: &str,
    current_version: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ResourcesError> {
    match req.headers().get("if-match") {
        Some(condition) if matches_any(Some(condition), current_etag) => Ok(Some(current_version)),
        Some(_) => Err(ResourcesError::PreconditionFailed),
        None if requires_if_match(req) => Err(ResourcesError::PreconditionRequired),
        None => Ok(None),
    }
}

/// [`expected_version`] of a resource as the API shows it.
pub(crate) fn guard<T: ToJSON>(
    req: &poem::Request,
    current: &T,
    version: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ResourcesError> {
    expected_version(req, &etag(current), version)
}

/// Whether the caller's tenant requires `If-Match` on writes.
pub(crate) fn requires_if_match(req: &poem::Request) -> bool {
    req.headers()
        .get(gatehouse_proto::headers::REQUIRE_IF_MATCH)
        .is_some_and(|v| v.as_bytes() == b"true")
}

// ---------------------------------------------------------------------------------------------
// JSON Merge Patch

/// RFC 7396 §2.
pub(crate) fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::json!({});
    }
    if let serde_json::Value::Object(fields) = target {
        for (name, change) in changes {
            if change.is_null() {
                fields.remove(name);
            } else {
                merge_patch(
                    fields
                        .entry(name.clone())
                        .or_insert(serde_json::Value::Null),
                    change,
                );
            }
        }
    }
}

/// What a field of a patched resource must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    String,
    Integer,
    Array,
}

/// Applies a merge patch to a resource's writable fields (`current`) and reads the result as
/// the resource's input type. Unknown fields, removed required fields and values of the wrong
/// type are all named at once; `fields` lists each writable field by its path (`price.amount`),
/// its shape and whether it is required.
pub(crate) fn patched<T: ParseFromJSON>(
    mut current: serde_json::Value,
    patch: &serde_json::Value,
    fields: &[(&str, Shape, bool)],
) -> Result<T, ResourcesError> {
    if !patch.is_object() {
        return Err(ResourcesError::InvalidFields(vec![FieldError::new(
            "body",
            "a merge patch is a JSON object",
        )]));
    }
    let mut problems = Problems::default();
    let known = |path: &str| {
        fields
            .iter()
            .any(|(f, _, _)| *f == path || f.starts_with(&format!("{path}.")))
    };
    // The patch's own members: one that names no field is refused even when it is `null`,
    // which would change nothing.
    if let Some(object) = patch.as_object() {
        for (name, value) in object {
            if !known(name) {
                problems.add(name, "unknown field");
            } else if let Some(inner) = value.as_object() {
                for inner_name in inner.keys() {
                    let path = format!("{name}.{inner_name}");
                    if !known(&path) {
                        problems.add(&path, "unknown field");
                    }
                }
            }
        }
    }
    merge_patch(&mut current, patch);
    for (path, shape, required) in fields {
        let value = path
            .split('.')
            .try_fold(&current, |value, name| value.get(name));
        match value {
            None if *required => problems.add(path, "is required and cannot be removed"),
            None => {}
            Some(value) => {
                let fits = match shape {
                    Shape::String => value.is_string(),
                    Shape::Integer => value.is_i64(),
                    Shape::Array => value.is_array(),
                };
                if !fits {
                    let expected = match shape {
                        Shape::String => "a string",
                        Shape::Integer => "an integer",
                        Shape::Array => "an array",
                    };
                    problems.add(path, format!("must be {expected}"));
                }
            }
        }
    }
    problems.malformed.sort_by(|a, b| a.field.cmp(&b.field));
    problems.or_fail(())?;
    T::parse_from_json(Some(current))
        .map_err(|e| ResourcesError::InvalidFields(vec![FieldError::new("body", e.into_message())]))
}

/// What the OpenAPI document says of a resource: each field's rules (`fields`, by path) on the
/// component schema `schema_of` names for it, the merge patch's body (`patch`: its operation
/// and writable fields), and the list's parameters (`list`: its operation and spec).
pub(crate) fn resource_rules<C>(
    fields: &[(&str, serde_json::Value)],
    schema_of: impl Fn(&str) -> String,
    patch: (&'static str, &[(&str, Shape, bool)]),
    list: (&'static str, &ListSpec<C>),
    config: &ResourcesConfig,
) -> Vec<Rule> {
    let (patch_operation, patchable) = patch;
    let (list_operation, list) = list;
    fields
        .iter()
        .map(|(path, keywords)| Rule::field(schema_of(path), keywords.clone()))
        .chain([Rule::body(patch_operation, patch_schema(patchable, fields))])
        .chain(list.rules(list_operation, config))
        .collect()
}

/// What the OpenAPI document says of a merge patch of `fields`: each field optional, `null`
/// only where a field may be removed, no other fields; `rules` holds each field's keywords.
fn patch_schema(
    fields: &[(&str, Shape, bool)],
    rules: &[(&str, serde_json::Value)],
) -> serde_json::Value {
    let object = || json!({"type": "object", "additionalProperties": false, "properties": {}});
    let mut root = object();
    for (path, shape, required) in fields {
        let kind = match shape {
            Shape::String => "string",
            Shape::Integer => "integer",
            Shape::Array => "array",
        };
        let mut leaf = json!({"type": kind});
        if let Some((_, keywords)) = rules.iter().find(|(p, _)| p == path)
            && let (Some(leaf), Some(keywords)) = (leaf.as_object_mut(), keywords.as_object())
        {
            leaf.extend(keywords.clone());
        }
        if !required {
            leaf["nullable"] = json!(true);
        }
        match path.split_once('.') {
            // One level of nesting is all a resource has (`price.amount`).
            Some((outer, inner)) => {
                let nested = &mut root["properties"][outer];
                if nested.is_null() {
                    *nested = object();
                }
                nested["properties"][inner] = leaf;
            }
            None => root["properties"][*path] = leaf,
        }
    }
    root
}

// ---------------------------------------------------------------------------------------------
// Writes: transactions and Idempotency-Key

/// How long an `Idempotency-Key` is remembered.
const IDEMPOTENCY_HOURS: i64 = 24;

/// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
/// a deferred transaction that read first could not take it later without failing.
pub(crate) async fn begin_write(
    db: &DatabaseConnection,
) -> Result<DatabaseTransaction, ResourcesError> {
    Ok(db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?)
}

/// The request's `Idempotency-Key`: 1 to 255 visible ASCII characters.
fn idempotency_key(req: &poem::Request) -> Result<Option<String>, ResourcesError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(ResourcesError::InvalidFields(vec![FieldError::new(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )])),
    }
}

/// Runs `create` in one transaction, honouring the request's `Idempotency-Key`: a key seen
/// before with the same request replays the first answer (and creates nothing), with another
/// request it is refused (422). `create` answers the created resource and its URL.
pub(crate) async fn create_once<T: ParseFromJSON + ToJSON>(
    db: &DatabaseConnection,
    req: &poem::Request,
    auth: &ResourcesAuth,
    tenant: TenantId,
    input: &impl ToJSON,
    create: impl AsyncFnOnce(&DatabaseTransaction) -> Result<(T, String), ResourcesError>,
) -> Result<(T, String), ResourcesError> {
    let key = idempotency_key(req)?;
    let tx = begin_write(db).await?;
    let Some(key) = key else {
        let created = create(&tx).await?;
        tx.commit().await?;
        return Ok(created);
    };
    let client_id = &auth.0.client_id;
    let request_hash = json_digest(
        &serde_json::json!({ "path": req.uri().path(), "body": input.to_json() }),
        32,
    );
    let expires = Utc::now() + chrono::Duration::hours(IDEMPOTENCY_HOURS);
    let claim = idempotency::claim(&tx, tenant, client_id, &key, &request_hash, expires).await?;
    if let idempotency::Claim::Taken = claim {
        tx.rollback().await?;
        let earlier = idempotency::earlier(db, tenant, client_id, &key, &request_hash).await?;
        let idempotency::Claim::Replay { location, body } = earlier else {
            return Err(ResourcesError::IdempotencyInProgress);
        };
        let resource = serde_json::from_str(&body)
            .ok()
            .and_then(|v| T::parse_from_json(Some(v)).ok())
            .ok_or(ResourcesError::IdempotencyInProgress)?;
        return Ok((resource, location));
    }
    let (resource, location) = create(&tx).await?;
    let stored = resource
        .to_json()
        .map(|v| v.to_string())
        .unwrap_or_default();
    idempotency::record(&tx, tenant, client_id, &key, &location, &stored).await?;
    tx.commit().await?;
    Ok((resource, location))
}
