//! The customer operations.

use chrono::{DateTime, Utc};
use gatehouse_proto::ApiProblem;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::rules::{LIST, PATCHABLE, validate, writable};
use super::wire::{Customer, CustomerInput};
use crate::ResourcesError;
use crate::api::conventions::{
    self, CreatedResponse, DeletedResponse, ListResponse, Page, Param, Problems, ReadResponse,
    WindowParams, WrittenResponse, resource_id,
};
use crate::api::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::customer::{self, CustomerFilter};

pub(crate) struct CustomersApi(pub(crate) ResourcesApi);

#[OpenApi(tag = "ApiTags::Customers")]
impl CustomersApi {
    /// List the tenant's customers
    ///
    /// A page at a time (`page`, with `total` and `Link`), or by `cursor`; sorted by `sort`,
    /// oldest first by default; narrowed by the filters.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/t/:tenant/api/v1/customers",
        method = "get",
        operation_id = "listCustomers"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
    async fn list_customers(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::CustomersRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The page to return, from 1 (default 1). Not with `cursor`.
        page: Query<Option<Param<u64>>>,
        /// How many customers a page holds, from 1 to the service's maximum; default 20.
        per_page: Query<Option<Param<u64>>>,
        /// Where to go on from: the `next_cursor` of the previous page, with the same sort
        /// and filters.
        cursor: Query<Option<String>>,
        /// Comma-separated fields to sort by, `-` for descending: `created_at` (default),
        /// `updated_at`, `name`, `email`.
        sort: Query<Option<String>>,
        /// Only customers whose name or email contains this, in any case.
        q: Query<Option<String>>,
        /// Only the customer with this email address (any case).
        email: Query<Option<String>>,
        /// Only customers created after this instant (RFC 3339).
        created_after: Query<Option<Param<DateTime<Utc>>>>,
    ) -> Result<ListResponse<Page<Customer>>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::CustomersRead)?;
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
        let filter = CustomerFilter {
            q: q.0,
            email: email.0.map(|e| e.to_lowercase()),
            created_after: problems.take("created_after", created_after.0),
        };
        problems.or_fail(())?;
        let listed = customer::list(
            &self.0.db,
            tenant_id,
            filter,
            &plan.order,
            plan.window.clone(),
        )
        .await?;
        Ok(plan.respond(req, config, listed, Customer::from))
    }

    /// Create a customer
    ///
    /// An email address that another customer of the tenant has is a 409. With an
    /// `Idempotency-Key`, a retry answers the first response and creates nothing.
    #[oai(
        path = "/t/:tenant/api/v1/customers",
        method = "post",
        operation_id = "createCustomer"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
    async fn create_customer(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::CustomersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        body: Json<CustomerInput>,
    ) -> Result<CreatedResponse<Customer>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::CustomersWrite)?;
        let fields = validate(body.0.clone()).map_err(ResourcesError::InvalidFields)?;
        Ok(
            conventions::create_once(&self.0.db, req, &auth, tenant_id, &body.0, async |tx| {
                let row = customer::create(tx, tenant_id, fields).await?;
                let location = format!("/t/{}/api/v1/customers/{}", tenant.0, row.id);
                Ok((Customer::from(row), location))
            })
            .await?,
        )
    }

    /// Get a customer
    #[oai(
        path = "/t/:tenant/api/v1/customers/:id",
        method = "get",
        operation_id = "getCustomer"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn get_customer(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::CustomersRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The customer's id (a UUID).
        id: Path<String>,
    ) -> Result<ReadResponse<Customer>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::CustomersRead)?;
        let row = customer::get(&self.0.db, tenant_id, resource_id(&id)?).await?;
        Ok(conventions::read(req, &self.0.config, Customer::from(row)))
    }

    /// Replace a customer
    #[oai(
        path = "/t/:tenant/api/v1/customers/:id",
        method = "put",
        operation_id = "replaceCustomer"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn replace_customer(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::CustomersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The customer's id (a UUID).
        id: Path<String>,
        body: Json<CustomerInput>,
    ) -> Result<WrittenResponse<Customer>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::CustomersWrite)?;
        let id = resource_id(&id)?;
        let fields = validate(body.0).map_err(ResourcesError::InvalidFields)?;
        let current = customer::get(&self.0.db, tenant_id, id).await?;
        let expected = if_match(req, &current)?;
        let row = customer::replace(&self.0.db, tenant_id, id, fields, expected).await?;
        Ok(conventions::written(Customer::from(row)))
    }

    /// Change a customer
    ///
    /// A JSON Merge Patch (RFC 7396): the fields it names are set, the rest stay; the result
    /// is validated like a replacement.
    #[oai(
        path = "/t/:tenant/api/v1/customers/:id",
        method = "patch",
        operation_id = "patchCustomer"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn patch_customer(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::CustomersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The customer's id (a UUID).
        id: Path<String>,
        /// The fields to change, e.g. `{"email": "ada@example.org"}`.
        body: Json<serde_json::Value>,
    ) -> Result<WrittenResponse<Customer>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::CustomersWrite)?;
        let id = resource_id(&id)?;
        let current = customer::get(&self.0.db, tenant_id, id).await?;
        let guard = if_match(req, &current)?;
        let input = conventions::patched(writable(&current), &body.0, &PATCHABLE)?;
        let fields = validate(input).map_err(ResourcesError::InvalidFields)?;
        // Guarded by the version read above, so a concurrent write is never overwritten.
        let version = guard.unwrap_or(current.updated_at);
        let row = customer::replace(&self.0.db, tenant_id, id, fields, Some(version)).await?;
        Ok(conventions::written(Customer::from(row)))
    }

    /// Delete a customer
    ///
    /// A customer who has orders is kept (409): their orders name them.
    #[oai(
        path = "/t/:tenant/api/v1/customers/:id",
        method = "delete",
        operation_id = "deleteCustomer"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn delete_customer(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::CustomersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The customer's id (a UUID).
        id: Path<String>,
    ) -> Result<DeletedResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::CustomersWrite)?;
        let id = resource_id(&id)?;
        let current = customer::get(&self.0.db, tenant_id, id).await?;
        let expected = if_match(req, &current)?;
        let tx = conventions::begin_write(&self.0.db).await?;
        customer::delete(&tx, tenant_id, id, expected).await?;
        tx.commit().await.map_err(ResourcesError::from)?;
        Ok(DeletedResponse::Deleted)
    }
}

/// `If-Match` against the current customer (412), or its absence where the tenant requires it
/// (428): the version a write is conditioned on.
fn if_match(
    req: &poem::Request,
    current: &customer::Model,
) -> Result<Option<DateTime<Utc>>, ResourcesError> {
    conventions::guard(req, &Customer::from(current.clone()), current.updated_at)
}
