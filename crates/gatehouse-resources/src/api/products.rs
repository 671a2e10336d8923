//! `/t/{tenant}/api/v1/products`: the tenant's product catalogue.

use chrono::{DateTime, Utc};
use gatehouse_proto::{ApiProblem, FieldError, Rule, Text};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde_json::{Value, json};
use uuid::Uuid;

use super::conventions::{
    self, CreatedResponse, DeletedResponse, Kind, ListResponse, ListSpec, Page, Param, Problems,
    ReadResponse, Shape, SortField, WindowParams, WrittenResponse, resource_id,
};
use super::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::product::{self, AMOUNT_MAX, Column, ProductFields, ProductFilter};
use crate::{ResourcesConfig, ResourcesError};

pub(crate) const DESCRIPTION_MAX_CHARS: usize = 2000;
const SKU_MAX_CHARS: usize = 64;
const STOCK_MAX: i64 = 1_000_000_000;
const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Price {
    /// The amount in the currency's minor unit (cents for `EUR`), from 0 to 10^18.
    pub amount: i64,
    /// The ISO 4217 code of the currency: three capital letters, such as `EUR`.
    pub currency: Text,
}

impl poem_openapi::types::Example for Price {
    fn example() -> Self {
        Self {
            amount: 1999,
            currency: Text::from("EUR"),
        }
    }
}

/// A product of the tenant's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Product {
    /// The product's id, assigned by the service.
    pub id: Uuid,
    /// The product's name (1 to 200 characters, without surrounding whitespace).
    pub name: String,
    /// A description of the product (up to 2000 characters; may be empty).
    pub description: String,
    /// The stock-keeping unit: unique in the tenant, 1 to 64 of `A-Z a-z 0-9 . _ -`.
    pub sku: String,
    /// How many are in stock; orders take from it and are refused when it is short.
    pub stock: i64,
    /// The product's price.
    pub price: Price,
    /// When the product was created (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When the product last changed, or was created (RFC 3339); an order changes its stock.
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Product {
    fn example() -> Self {
        let at = DateTime::parse_from_rfc3339("2026-11-27T09:30:00.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Self {
            id: Uuid::from_u128(0x0193_6a3e_8f2c_7b41_9d0e_5c4a_2b1f_3e6d),
            name: "Espresso cup".to_owned(),
            description: "Porcelain, 90 ml.".to_owned(),
            sku: "CUP-ESP-90".to_owned(),
            stock: 120,
            price: Price::example(),
            created_at: at,
            updated_at: at,
        }
    }
}

impl From<product::Model> for Product {
    fn from(row: product::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            sku: row.sku,
            stock: row.stock,
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
#[oai(example)]
pub(crate) struct ProductInput {
    /// The product's name: 1 to 200 characters once surrounding whitespace is trimmed.
    pub name: Text,
    /// A description of the product, up to 2000 characters; empty when left out.
    #[oai(default)]
    pub description: Text,
    /// The stock-keeping unit: unique in the tenant, 1 to 64 of `A-Z a-z 0-9 . _ -`.
    pub sku: Text,
    /// How many are in stock, from 0 to 10^9; 0 when left out.
    #[oai(default)]
    pub stock: i64,
    /// The product's price.
    pub price: Price,
}

impl poem_openapi::types::Example for ProductInput {
    fn example() -> Self {
        let product = Product::example();
        Self {
            name: Text(product.name),
            description: Text(product.description),
            sku: Text(product.sku),
            stock: product.stock,
            price: product.price,
        }
    }
}

/// The writable fields of a merge patch: path, shape, required.
const PATCHABLE: [(&str, Shape, bool); 6] = [
    ("name", Shape::String, true),
    ("description", Shape::String, false),
    ("sku", Shape::String, true),
    ("stock", Shape::Integer, false),
    ("price.amount", Shape::Integer, true),
    ("price.currency", Shape::String, true),
];

const LIST: ListSpec<Column> = ListSpec {
    sort_fields: &[
        SortField {
            name: "created_at",
            column: Column::CreatedAt,
            kind: Kind::Time,
        },
        SortField {
            name: "updated_at",
            column: Column::UpdatedAt,
            kind: Kind::Time,
        },
        SortField {
            name: "name",
            column: Column::Name,
            kind: Kind::Text,
        },
        SortField {
            name: "sku",
            column: Column::Sku,
            kind: Kind::Text,
        },
        SortField {
            name: "price",
            column: Column::PriceAmount,
            kind: Kind::Int,
        },
        SortField {
            name: "stock",
            column: Column::Stock,
            kind: Kind::Int,
        },
    ],
    id: Column::Id,
    filters: &[
        "q",
        "min_price",
        "max_price",
        "currency",
        "created_after",
        "in_stock",
    ],
};

pub(crate) struct ProductsApi(pub(crate) ResourcesApi);

#[OpenApi(tag = "ApiTags::Products")]
impl ProductsApi {
    /// List the tenant's products
    ///
    /// A page at a time (`page`, with `total` and `Link`), or by `cursor` (pass the
    /// `next_cursor` of the previous page; as fast at any depth). Sorted by `sort`, oldest
    /// first by default; narrowed by the filters.
    #[allow(clippy::too_many_arguments)]
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
        /// The page to return, from 1 (default 1). Not with `cursor`.
        page: Query<Option<Param<u64>>>,
        /// How many products a page holds, from 1 to the service's maximum (100 unless
        /// configured otherwise); default 20.
        per_page: Query<Option<Param<u64>>>,
        /// Where to go on from: the `next_cursor` of the previous page, with the same sort
        /// and filters.
        cursor: Query<Option<String>>,
        /// Comma-separated fields to sort by, `-` before a field for descending: `created_at`
        /// (default), `updated_at`, `name`, `sku`, `price`, `stock`. Ties are broken by id.
        #[oai(example = "sort_example")]
        sort: Query<Option<String>>,
        /// Only products whose name or SKU contains this, in any case.
        q: Query<Option<String>>,
        /// Only products priced at least this (minor units).
        min_price: Query<Option<Param<i64>>>,
        /// Only products priced at most this (minor units).
        max_price: Query<Option<Param<i64>>>,
        /// Only products priced in this currency (ISO 4217).
        currency: Query<Option<String>>,
        /// Only products created after this instant (RFC 3339).
        created_after: Query<Option<Param<DateTime<Utc>>>>,
        /// `true`: only products in stock; `false`: only those out of stock.
        in_stock: Query<Option<Param<bool>>>,
    ) -> Result<ListResponse<Page<Product>>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsRead)?;
        let config = &self.0.config;
        let mut problems = Problems::default();
        let plan = LIST.plan(
            req.uri().query(),
            WindowParams {
                page: page.0,
                per_page: per_page.0,
                cursor: cursor.0,
                sort: sort.0,
            },
            config,
            &mut problems,
        );
        let filter = ProductFilter {
            q: q.0,
            min_price: problems.take("min_price", min_price.0),
            max_price: problems.take("max_price", max_price.0),
            currency: currency.0,
            created_after: problems.take("created_after", created_after.0),
            in_stock: problems.take("in_stock", in_stock.0),
        };
        if let (Some(min), Some(max)) = (filter.min_price, filter.max_price)
            && min > max
        {
            problems.unprocessable("max_price", "must not be below min_price");
        }
        problems.or_fail(())?;
        let listed = product::list(
            &self.0.db,
            tenant_id,
            filter,
            &plan.order,
            plan.window.clone(),
        )
        .await?;
        let (body, links) = plan.page(req.uri().path(), listed, Product::from);
        Ok(conventions::listed(req, config, body, links))
    }

    /// Create a product
    ///
    /// With an `Idempotency-Key`, a retry answers the first response and creates nothing.
    /// A SKU that another product of the tenant has is a 409.
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
    ) -> Result<CreatedResponse<Product>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let fields = validate(body.0.clone()).map_err(ResourcesError::InvalidFields)?;
        let created =
            conventions::create_once(&self.0.db, req, &auth, tenant_id, &body.0, async |tx| {
                let row = product::create(tx, tenant_id, fields).await?;
                let location = format!("/t/{}/api/v1/products/{}", tenant.0, row.id);
                Ok((Product::from(row), location))
            })
            .await?;
        Ok(conventions::created(created))
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
    ) -> Result<ReadResponse<Product>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsRead)?;
        let row = product::get(&self.0.db, tenant_id, resource_id(&id)?).await?;
        Ok(conventions::read(req, &self.0.config, Product::from(row)))
    }

    /// Replace a product
    ///
    /// Sets every field a client sets, as on creation: a left-out description becomes empty
    /// and a left-out stock 0.
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
    ) -> Result<WrittenResponse<Product>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let id = resource_id(&id)?;
        let fields = validate(body.0).map_err(ResourcesError::InvalidFields)?;
        let current = product::get(&self.0.db, tenant_id, id).await?;
        let version = current.updated_at;
        let expected = conventions::guard(req, &Product::from(current), version)?;
        let row = product::replace(&self.0.db, tenant_id, id, fields, expected).await?;
        Ok(conventions::written(Product::from(row)))
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
    ) -> Result<WrittenResponse<Product>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let id = resource_id(&id)?;
        let current = product::get(&self.0.db, tenant_id, id).await?;
        let version = current.updated_at;
        let as_input = writable(&current);
        let guard = conventions::guard(req, &Product::from(current), version)?;
        let input = conventions::patched(as_input, &body.0, &PATCHABLE)?;
        let fields = validate(input).map_err(ResourcesError::InvalidFields)?;
        // Guarded by the version read above, so a concurrent write is never overwritten.
        let version = guard.unwrap_or(version);
        let row = product::replace(&self.0.db, tenant_id, id, fields, Some(version)).await?;
        Ok(conventions::written(Product::from(row)))
    }

    /// Delete a product
    ///
    /// Orders keep their lines (each holds the product's name, SKU and price as ordered).
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
    ) -> Result<DeletedResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::ProductsWrite)?;
        let id = resource_id(&id)?;
        let current = product::get(&self.0.db, tenant_id, id).await?;
        let version = current.updated_at;
        let expected = conventions::guard(req, &Product::from(current), version)?;
        product::delete(&self.0.db, tenant_id, id, expected).await?;
        Ok(DeletedResponse::Deleted)
    }
}

fn sort_example() -> Option<String> {
    Some("-created_at,name".to_owned())
}

/// The product's writable fields as JSON, the target of a merge patch.
fn writable(row: &product::Model) -> serde_json::Value {
    serde_json::json!({
        "name": row.name,
        "description": row.description,
        "sku": row.sku,
        "stock": row.stock,
        "price": {"amount": row.price_amount, "currency": row.price_currency},
    })
}

/// Checks every field of a product at once, and returns what to store (the name trimmed), or
/// every field that is wrong.
fn validate(input: ProductInput) -> Result<ProductFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = conventions::name(&input.name.0, &mut errors);
    if input.description.0.chars().count() > DESCRIPTION_MAX_CHARS {
        errors.push(FieldError::new(
            "description",
            format!("must be at most {DESCRIPTION_MAX_CHARS} characters"),
        ));
    }
    let sku = &input.sku.0;
    if sku.is_empty()
        || sku.len() > SKU_MAX_CHARS
        || !sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        errors.push(FieldError::new(
            "sku",
            format!("must be 1 to {SKU_MAX_CHARS} of the characters A-Z a-z 0-9 . _ -"),
        ));
    }
    if !(0..=STOCK_MAX).contains(&input.stock) {
        errors.push(FieldError::new(
            "stock",
            format!("must be between 0 and {STOCK_MAX}"),
        ));
    }
    if !(0..=AMOUNT_MAX).contains(&input.price.amount) {
        errors.push(FieldError::new(
            "price.amount",
            format!("must be between 0 and {AMOUNT_MAX} (in the currency's minor unit)"),
        ));
    }
    let currency = &input.price.currency.0;
    if !is_currency(currency) {
        errors.push(FieldError::new(
            "price.currency",
            "must be an ISO 4217 code: three capital letters",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProductFields {
        name,
        description: input.description.0,
        sku: input.sku.0,
        stock: input.stock,
        price_amount: input.price.amount,
        price_currency: input.price.currency.0,
    })
}

/// The rules [`validate`] checks, by field path, for the OpenAPI document.
fn field_rules() -> Vec<(&'static str, Value)> {
    vec![
        ("name", conventions::name_rule()),
        ("description", json!({"maxLength": DESCRIPTION_MAX_CHARS})),
        (
            "sku",
            json!({"pattern": format!("^[A-Za-z0-9._-]{{1,{SKU_MAX_CHARS}}}$")}),
        ),
        ("stock", json!({"minimum": 0, "maximum": STOCK_MAX})),
        ("price.amount", json!({"minimum": 0, "maximum": AMOUNT_MAX})),
        ("price.currency", json!({"pattern": CURRENCY_PATTERN})),
    ]
}

/// What the OpenAPI document says of this API's fields and parameters.
pub(crate) fn document_rules(config: &ResourcesConfig) -> Vec<Rule> {
    conventions::resource_rules(
        &field_rules(),
        |path| match path.strip_prefix("price.") {
            Some(field) => format!("Price.{field}"),
            None => format!("ProductInput.{path}"),
        },
        ("patchProduct", &PATCHABLE),
        ("listProducts", &LIST),
        config,
    )
}

fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, description: &str, amount: i64, currency: &str) -> ProductInput {
        ProductInput {
            name: Text(name.to_owned()),
            description: Text(description.to_owned()),
            sku: Text("SKU-1".to_owned()),
            stock: 0,
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
                sku: "SKU-1".into(),
                stock: 0,
                price_amount: 1999,
                price_currency: "EUR".into(),
            }
        );
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let mut wrong = input("   ", &"d".repeat(2001), -1, "eur");
        wrong.sku = Text("no spaces".into());
        wrong.stock = -1;
        let errors = validate(wrong).expect_err("invalid");
        assert_eq!(
            fields_of(&errors),
            [
                "name",
                "description",
                "sku",
                "stock",
                "price.amount",
                "price.currency"
            ]
        );
        assert!(errors.iter().all(|e| !e.reason.is_empty()));
    }

    #[test]
    fn limits_are_inclusive_and_counted_in_characters() {
        let mut at_limit = input(&"é".repeat(200), &"ü".repeat(2000), AMOUNT_MAX, "XXX");
        at_limit.sku = Text("a".repeat(SKU_MAX_CHARS));
        at_limit.stock = STOCK_MAX;
        assert!(validate(at_limit).is_ok());
        let zero = input("a", "", 0, "JPY");
        assert!(validate(zero).is_ok());

        let mut over = input(&"a".repeat(201), &"b".repeat(2001), AMOUNT_MAX + 1, "EUR");
        over.sku = Text("a".repeat(SKU_MAX_CHARS + 1));
        over.stock = STOCK_MAX + 1;
        let errors = validate(over).expect_err("over the limits");
        assert_eq!(
            fields_of(&errors),
            ["name", "description", "sku", "stock", "price.amount"]
        );
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
}
