//! `/t/{tenant}/api/v1/products`: the tenant's product catalogue.

use chrono::{DateTime, Utc};
use gatehouse_proto::{ApiProblem, FieldError};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::idempotency;
use crate::store::product::{self, ProductFields};
use crate::{ResourcesConfig, ResourcesError};
use gatehouse_proto::Text;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sea_orm::TransactionTrait;

pub(crate) const NAME_MAX_CHARS: usize = 200;
pub(crate) const DESCRIPTION_MAX_CHARS: usize = 2000;
pub(crate) const AMOUNT_MAX: i64 = 1_000_000_000_000_000;

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub(crate) struct Price {
    /// The amount in the currency's minor unit (cents for `EUR`), from 0 to 10^18.
    pub amount: i64,
    /// The ISO 4217 code of the currency: three capital letters, such as `EUR`.
    pub currency: Text,
}

/// A product of the tenant's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub(crate) struct Product {
    /// The product's id, assigned by the service.
    pub id: Uuid,
    /// The product's name (1 to 200 characters, without surrounding whitespace).
    pub name: String,
    /// A description of the product (up to 2000 characters; may be empty).
    pub description: String,
    /// The product's price.
    pub price: Price,
    /// When the product was created (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When the product was last replaced, or created (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<product::Model> for Product {
    fn from(row: product::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            price: Price {
                amount: row.price_amount,
                currency: Text(row.price_currency),
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// What a client sets on a product, to create it or to replace it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub(crate) struct ProductInput {
    /// The product's name: 1 to 200 characters once surrounding whitespace is trimmed.
    pub name: Text,
    /// A description of the product, up to 2000 characters; empty when left out.
    #[oai(default)]
    pub description: Text,
    /// The product's price.
    pub price: Price,
}

/// One page of the tenant's products.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub(crate) struct ProductPage {
    /// The products on this page, oldest first (by creation time, then id).
    pub items: Vec<Product>,
    /// The page number, from 1.
    pub page: u64,
    /// The page size asked for.
    pub per_page: u64,
    /// How many products the tenant has in all.
    pub total: u64,
}

#[derive(ApiResponse)]
pub(crate) enum ListProductsResponse {
    /// A page of the tenant's products.
    #[oai(status = 200)]
    Ok(
        Json<ProductPage>,
        /// RFC 8288 links to the `first`, `prev`, `next` and `last` pages.
        #[oai(header = "Link")]
        String,
        /// How long the page may be reused: private to the caller.
        #[oai(header = "Cache-Control")]
        String,
        /// A strong validator of the page.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
pub(crate) enum CreateProductResponse {
    /// The product was created; the `Location` header holds its URL.
    #[oai(status = 201)]
    Created(
        Json<Product>,
        /// The product's URL.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
pub(crate) enum GetProductResponse {
    /// The product.
    #[oai(status = 200)]
    Ok(
        Json<Product>,
        /// How long the product may be reused: private to the caller.
        #[oai(header = "Cache-Control")]
        String,
        /// A strong validator of the product.
        #[oai(header = "ETag")]
        String,
    ),
    /// The product is the version named in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "ETag")] String,
    ),
}

#[derive(ApiResponse)]
pub(crate) enum ReplaceProductResponse {
    /// The product, as replaced.
    #[oai(status = 200)]
    Ok(
        Json<Product>,
        /// The new version's entity tag, for the next `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
pub(crate) enum PatchProductResponse {
    /// The product, as changed.
    #[oai(status = 200)]
    Ok(
        Json<Product>,
        /// The new version's entity tag, for the next `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
pub(crate) enum DeleteProductResponse {
    /// The product was deleted.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(tag = "ApiTags::Products")]
impl ResourcesApi {
    /// List the tenant's products
    ///
    /// One page at a time, in a stable order: oldest first (by creation time, then id).
    #[oai(
        path = "/t/:tenant/api/v1/products",
        method = "get",
        operation_id = "listProducts"
    )]
    async fn list_products(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::ProductsRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The page to return, from 1 (default 1).
        page: Query<Option<u64>>,
        /// How many products a page holds, from 1 to the service's maximum (100 unless
        /// configured otherwise); default 20.
        per_page: Query<Option<u64>>,
    ) -> Result<ListProductsResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsRead)?;
        refuse_unknown_parameters(req.uri().query(), &["page", "per_page"])?;
        let (page, per_page) = page_window(page.0, per_page.0, &self.config)?;
        let offset = (page - 1).saturating_mul(per_page);
        let (rows, total) = product::list(&self.db, tenant_id, offset, per_page).await?;
        let body = ProductPage {
            items: rows.into_iter().map(Product::from).collect(),
            page,
            per_page,
            total,
        };
        let etag = etag(&body);
        let links = page_links(req.uri().path(), page, per_page, body.total);
        Ok(ListProductsResponse::Ok(
            Json(body),
            links,
            self.config.read_cache_control(),
            etag,
        ))
    }

    /// Create a product
    #[oai(
        path = "/t/:tenant/api/v1/products",
        method = "post",
        operation_id = "createProduct"
    )]
    async fn create_product(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::ProductsWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        body: Json<ProductInput>,
    ) -> Result<CreateProductResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let key = idempotency_key(req)?;
        let request_hash = request_hash(&body.0);
        let fields = validate(body.0).map_err(ResourcesError::InvalidFields)?;
        let Some(key) = key else {
            let row = product::create(&self.db, tenant_id, fields).await?;
            let location = format!("/t/{}/api/v1/products/{}", tenant.0, row.id);
            return Ok(CreateProductResponse::Created(
                Json(Product::from(row)),
                location,
            ));
        };
        let client_id = &auth.0.client_id;
        let tx = self.db.begin().await.map_err(ResourcesError::from)?;
        let expires = Utc::now() + chrono::Duration::hours(IDEMPOTENCY_HOURS);
        let claim =
            idempotency::claim(&tx, tenant_id, client_id, &key, &request_hash, expires).await?;
        if let idempotency::Claim::Taken = claim {
            tx.rollback().await.map_err(ResourcesError::from)?;
            let earlier =
                idempotency::earlier(&self.db, tenant_id, client_id, &key, &request_hash).await?;
            let idempotency::Claim::Replay { location, body } = earlier else {
                return Err(ResourcesError::IdempotencyInProgress.into());
            };
            let product = serde_json::from_str(&body)
                .ok()
                .and_then(|v| Product::parse_from_json(Some(v)).ok())
                .ok_or(ResourcesError::IdempotencyInProgress)?;
            return Ok(CreateProductResponse::Created(Json(product), location));
        }
        let row = product::create(&tx, tenant_id, fields).await?;
        let location = format!("/t/{}/api/v1/products/{}", tenant.0, row.id);
        let product = Product::from(row);
        let stored = product.to_json().map(|v| v.to_string()).unwrap_or_default();
        idempotency::record(&tx, tenant_id, client_id, &key, &location, &stored).await?;
        tx.commit().await.map_err(ResourcesError::from)?;
        Ok(CreateProductResponse::Created(Json(product), location))
    }

    /// Get a product
    ///
    /// An id that is not a UUID, or a product of another tenant, answers 404 like an unknown
    /// id.
    #[oai(
        path = "/t/:tenant/api/v1/products/:id",
        method = "get",
        operation_id = "getProduct"
    )]
    async fn get_product(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::ProductsRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The product's id (a UUID).
        id: Path<String>,
    ) -> Result<GetProductResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsRead)?;
        let row = product::get(&self.db, tenant_id, product_id(&id)?).await?;
        let body = Product::from(row);
        let etag = etag(&body);
        if matches_any(req.headers().get("if-none-match"), &etag) {
            return Ok(GetProductResponse::NotModified(
                self.config.read_cache_control(),
                etag,
            ));
        }
        Ok(GetProductResponse::Ok(
            Json(body),
            self.config.read_cache_control(),
            etag,
        ))
    }

    /// Replace a product
    ///
    /// Sets every field a client sets, as on creation; a left-out description becomes empty.
    #[oai(
        path = "/t/:tenant/api/v1/products/:id",
        method = "put",
        operation_id = "replaceProduct"
    )]
    async fn replace_product(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::ProductsWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The product's id (a UUID).
        id: Path<String>,
        body: Json<ProductInput>,
    ) -> Result<ReplaceProductResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let id = product_id(&id)?;
        let fields = validate(body.0).map_err(ResourcesError::InvalidFields)?;
        let expected = self.expected_version(req, tenant_id, id).await?;
        let row = product::replace(&self.db, tenant_id, id, fields, expected).await?;
        let body = Product::from(row);
        let etag = etag(&body);
        Ok(ReplaceProductResponse::Ok(Json(body), etag))
    }

    /// Change a product
    ///
    /// A JSON Merge Patch (RFC 7396, `application/merge-patch+json` or `application/json`):
    /// the fields it names are set, `null` removes an optional one (the description), and
    /// the rest stay. The result is validated like a replacement; with `If-Match`, a stale
    /// version gets 412.
    #[oai(
        path = "/t/:tenant/api/v1/products/:id",
        method = "patch",
        operation_id = "patchProduct"
    )]
    async fn patch_product(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::ProductsWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The product's id (a UUID).
        id: Path<String>,
        /// The fields to change, e.g. `{"price": {"amount": 2499}}`.
        body: Json<serde_json::Value>,
    ) -> Result<PatchProductResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let id = product_id(&id)?;
        if !body.0.is_object() {
            return Err(ResourcesError::InvalidFields(vec![field_error(
                "body",
                "a merge patch is a JSON object",
            )])
            .into());
        }
        let guard = self.expected_version(req, tenant_id, id).await?;
        let current = product::get(&self.db, tenant_id, id).await?;
        let version = guard.unwrap_or(current.updated_at);
        let mut merged = current_input(&current);
        merge_patch(&mut merged, &body.0);
        let input = input_from_merged(merged)?;
        let fields = validate(input).map_err(ResourcesError::InvalidFields)?;
        // Guarded by the version read above, so a concurrent write is never overwritten.
        let row = product::replace(&self.db, tenant_id, id, fields, Some(version)).await?;
        let body = Product::from(row);
        let etag = etag(&body);
        Ok(PatchProductResponse::Ok(Json(body), etag))
    }

    /// Delete a product
    ///
    /// Deleting a product that does not exist (any more) answers 404.
    #[oai(
        path = "/t/:tenant/api/v1/products/:id",
        method = "delete",
        operation_id = "deleteProduct"
    )]
    async fn delete_product(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::ProductsWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The product's id (a UUID).
        id: Path<String>,
    ) -> Result<DeleteProductResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let id = product_id(&id)?;
        let expected = self.expected_version(req, tenant_id, id).await?;
        product::delete(&self.db, tenant_id, id, expected).await?;
        Ok(DeleteProductResponse::Deleted)
    }
}

/// A product id from the path; one that is not a UUID names no product (404, not 400).
fn product_id(raw: &str) -> Result<Uuid, ResourcesError> {
    Uuid::parse_str(raw).map_err(|_| ResourcesError::NotFound)
}

/// The page and page size a list asks for, with their defaults; both are checked at once,
/// and a value out of range is refused, never clamped.
/// The product's writable fields as JSON, the target of a merge patch.
fn current_input(row: &product::Model) -> serde_json::Value {
    serde_json::json!({
        "name": row.name,
        "description": row.description,
        "price": {"amount": row.price_amount, "currency": row.price_currency},
    })
}

/// RFC 7396 §2.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
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

/// The patched product as input: required fields that the patch removed, unknown fields and
/// values of the wrong type are named, all at once.
fn input_from_merged(merged: serde_json::Value) -> Result<ProductInput, ResourcesError> {
    let mut errors = Vec::new();
    let known = ["name", "description", "price"];
    if let Some(fields) = merged.as_object() {
        for name in fields.keys().filter(|k| !known.contains(&k.as_str())) {
            errors.push(field_error(name, "unknown field"));
        }
    }
    for (path, value) in [
        ("name", merged.get("name")),
        (
            "price.amount",
            merged.get("price").and_then(|p| p.get("amount")),
        ),
        (
            "price.currency",
            merged.get("price").and_then(|p| p.get("currency")),
        ),
    ] {
        match value {
            None => errors.push(field_error(path, "is required and cannot be removed")),
            Some(v) if path == "price.amount" && !v.is_i64() => {
                errors.push(field_error(path, "must be an integer"));
            }
            Some(v) if path != "price.amount" && !v.is_string() => {
                errors.push(field_error(path, "must be a string"));
            }
            Some(_) => {}
        }
    }
    if merged.get("description").is_some_and(|d| !d.is_string()) {
        errors.push(field_error("description", "must be a string"));
    }
    if !errors.is_empty() {
        return Err(ResourcesError::InvalidFields(errors));
    }
    ProductInput::parse_from_json(Some(merged))
        .map_err(|e| ResourcesError::InvalidFields(vec![field_error("body", e.into_message())]))
}

/// How long an `Idempotency-Key` is remembered.
const IDEMPOTENCY_HOURS: i64 = 24;

/// The request's `Idempotency-Key`: 1 to 255 visible ASCII characters.
fn idempotency_key(req: &poem::Request) -> Result<Option<String>, ResourcesError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(ResourcesError::InvalidFields(vec![field_error(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )])),
    }
}

/// A digest of what the request asks for, to tell a replay from another request.
fn request_hash(input: &ProductInput) -> String {
    json_digest(input, 32)
}

/// A 400 naming every query parameter the operation does not take.
fn refuse_unknown_parameters(query: Option<&str>, known: &[&str]) -> Result<(), ResourcesError> {
    let pairs: Vec<(String, String)> = query
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, _) in pairs {
        if !known.contains(&name.as_str()) && !errors.iter().any(|e| e.field == name) {
            errors.push(field_error(
                &name,
                format!(
                    "unknown parameter; this operation takes {}",
                    known.join(", ")
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ResourcesError::InvalidFields(errors))
    }
}

/// The RFC 8288 `Link` field of a page: `first` and `last` always, `prev` and `next` when
/// they exist.
fn page_links(path: &str, page: u64, per_page: u64, total: u64) -> String {
    let last = total.div_ceil(per_page).max(1);
    let link = |n: u64, rel: &str| format!("<{path}?page={n}&per_page={per_page}>; rel=\"{rel}\"");
    let mut links = vec![link(1, "first")];
    if page > 1 {
        links.push(link((page - 1).min(last), "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
    }
    links.push(link(last, "last"));
    links.join(", ")
}

fn page_window(
    page: Option<u64>,
    per_page: Option<u64>,
    config: &ResourcesConfig,
) -> Result<(u64, u64), ResourcesError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or_else(|| config.default_per_page());
    let mut errors = Vec::new();
    if page < 1 {
        errors.push(field_error("page", "must be at least 1"));
    }
    if !(1..=config.max_per_page).contains(&per_page) {
        errors.push(field_error(
            "per_page",
            format!("must be between 1 and {}", config.max_per_page),
        ));
    }
    if errors.is_empty() {
        Ok((page, per_page))
    } else {
        Err(ResourcesError::InvalidFields(errors))
    }
}

/// Checks every field of a product at once, and returns what to store (the name trimmed), or
/// every field that is wrong.
pub(crate) fn validate(input: ProductInput) -> Result<ProductFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.0.trim();
    if name.is_empty() {
        errors.push(field_error("name", "must not be empty"));
    } else if name.chars().count() > NAME_MAX_CHARS {
        errors.push(field_error(
            "name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if input.description.0.chars().count() > DESCRIPTION_MAX_CHARS {
        errors.push(field_error(
            "description",
            format!("must be at most {DESCRIPTION_MAX_CHARS} characters"),
        ));
    }
    if !(0..=AMOUNT_MAX).contains(&input.price.amount) {
        errors.push(field_error(
            "price.amount",
            format!("must be between 0 and {AMOUNT_MAX} (in the currency's minor unit)"),
        ));
    }
    let currency = &input.price.currency.0;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(field_error(
            "price.currency",
            "must be an ISO 4217 code: three capital letters",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProductFields {
        name: name.to_owned(),
        description: input.description.0,
        price_amount: input.price.amount,
        price_currency: input.price.currency.0,
    })
}

fn field_error(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Whether an `If-Match` / `If-None-Match` value names the entity tag (or is `*`).
fn matches_any(condition: Option<&poem::http::HeaderValue>, etag: &str) -> bool {
    condition
        .and_then(|v| v.to_str().ok())
        .is_some_and(|condition| gatehouse_proto::etag_matches(condition, etag))
}

impl ResourcesApi {
    /// The version a write is conditioned on: with `If-Match`, the current product's
    /// `updated_at` if its entity tag matches, else 412.
    async fn expected_version(
        &self,
        req: &poem::Request,
        tenant: crate::store::TenantId,
        id: Uuid,
    ) -> Result<Option<DateTime<Utc>>, ResourcesError> {
        let Some(condition) = req.headers().get("if-match") else {
            return Ok(None);
        };
        let current = product::get(&self.db, tenant, id).await?;
        let version = current.updated_at;
        if !matches_any(Some(condition), &etag(&Product::from(current))) {
            return Err(ResourcesError::PreconditionFailed);
        }
        Ok(Some(version))
    }
}

/// A strong entity tag: a digest of the JSON the body is sent as.
fn etag(body: &impl ToJSON) -> String {
    format!("\"{}\"", json_digest(body, 16))
}

/// The first `bytes` bytes of the SHA-256 of a value's JSON, in hexadecimal.
fn json_digest(value: &impl ToJSON, bytes: usize) -> String {
    use sha2::Digest;
    let json = value.to_json().map(|v| v.to_string()).unwrap_or_default();
    sha2::Sha256::digest(json.as_bytes())[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, description: &str, amount: i64, currency: &str) -> ProductInput {
        ProductInput {
            name: Text(name.to_owned()),
            description: Text(description.to_owned()),
            price: Price {
                amount,
                currency: Text(currency.to_owned()),
            },
        }
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_valid_product_is_stored_with_its_name_trimmed() {
        let fields = validate(input("  Widget \n", " as is ", 1999, "EUR")).expect("valid");
        assert_eq!(
            fields,
            ProductFields {
                name: "Widget".into(),
                description: " as is ".into(),
                price_amount: 1999,
                price_currency: "EUR".into(),
            }
        );
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let errors = validate(input("   ", &"d".repeat(2001), -1, "eur")).expect_err("invalid");
        assert_eq!(
            fields_of(&errors),
            ["name", "description", "price.amount", "price.currency"]
        );
        assert!(errors.iter().all(|e| !e.reason.is_empty()));
    }

    #[test]
    fn limits_are_inclusive_and_counted_in_characters() {
        let at_limit = input(&"é".repeat(200), &"ü".repeat(2000), AMOUNT_MAX, "XXX");
        assert!(validate(at_limit).is_ok());
        let zero = input("a", "", 0, "JPY");
        assert!(validate(zero).is_ok());

        let over = input(&"a".repeat(201), &"b".repeat(2001), AMOUNT_MAX + 1, "EUR");
        let errors = validate(over).expect_err("over the limits");
        assert_eq!(fields_of(&errors), ["name", "description", "price.amount"]);
    }

    #[test]
    fn currency_is_three_capital_ascii_letters() {
        for ok in ["EUR", "USD", "XAU"] {
            assert!(validate(input("a", "", 1, ok)).is_ok(), "{ok}");
        }
        for bad in ["", "EU", "EURO", "eur", "Eur", "E1R", "ÉUR", " EUR", "EU "] {
            let errors = validate(input("a", "", 1, bad)).expect_err(bad);
            assert_eq!(fields_of(&errors), ["price.currency"], "{bad}");
        }
    }

    #[test]
    fn page_window_defaults_and_refuses_out_of_range_values() {
        let config = ResourcesConfig::default();
        assert_eq!(page_window(None, None, &config).ok(), Some((1, 20)));
        assert_eq!(
            page_window(Some(3), Some(100), &config).ok(),
            Some((3, 100))
        );
        let small = ResourcesConfig {
            max_per_page: 5,
            ..ResourcesConfig::default()
        };
        assert_eq!(page_window(None, None, &small).ok(), Some((1, 5)));

        match page_window(Some(0), Some(101), &config) {
            Err(ResourcesError::InvalidFields(errors)) => {
                assert_eq!(fields_of(&errors), ["page", "per_page"]);
            }
            other => panic!("expected invalid fields, got {other:?}"),
        }
        match page_window(None, Some(0), &config) {
            Err(ResourcesError::InvalidFields(errors)) => {
                assert_eq!(fields_of(&errors), ["per_page"]);
            }
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }
}
