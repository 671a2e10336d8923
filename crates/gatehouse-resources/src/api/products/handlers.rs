//! The product operations.

use chrono::{DateTime, Utc};
use gatehouse_proto::ApiProblem;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::rules::{LIST, PATCHABLE, validate, writable};
use super::wire::{Product, ProductInput};
use crate::ResourcesError;
use crate::api::conventions::{
    self, CreatedResponse, DeletedResponse, ListResponse, Page, Param, Problems, ReadResponse,
    WindowParams, WrittenResponse, resource_id,
};
use crate::api::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::product::{self, ProductFilter};

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
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
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
        Ok(plan.respond(req, config, listed, Product::from))
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
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
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
        Ok(
            conventions::create_once(&self.0.db, req, &auth, tenant_id, &body.0, async |tx| {
                let row = product::create(tx, tenant_id, fields).await?;
                let location = format!("/t/{}/api/v1/products/{}", tenant.0, row.id);
                Ok((Product::from(row), location))
            })
            .await?,
        )
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
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
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
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
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
        let expected = if_match(req, &current)?;
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
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
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
        let guard = if_match(req, &current)?;
        let input = conventions::patched(writable(&current), &body.0, &PATCHABLE)?;
        let fields = validate(input).map_err(ResourcesError::InvalidFields)?;
        // Guarded by the version read above, so a concurrent write is never overwritten.
        let version = guard.unwrap_or(current.updated_at);
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
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
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
        let expected = if_match(req, &current)?;
        product::delete(&self.0.db, tenant_id, id, expected).await?;
        Ok(DeletedResponse::Deleted)
    }
}

fn sort_example() -> Option<String> {
    Some("-created_at,name".to_owned())
}

/// `If-Match` against the current product (412), or its absence where the tenant requires it
/// (428): the version a write is conditioned on.
fn if_match(
    req: &poem::Request,
    current: &product::Model,
) -> Result<Option<DateTime<Utc>>, ResourcesError> {
    conventions::guard(req, &Product::from(current.clone()), current.updated_at)
}
