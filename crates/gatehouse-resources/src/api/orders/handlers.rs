//! The order operations.

use chrono::{DateTime, Utc};
use gatehouse_proto::ApiProblem;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::rules::{LIST, PATCHABLE, validate, writable};
use super::wire::{Order, OrderInput, OrderStatus};
use crate::ResourcesError;
use crate::api::conventions::{
    self, CreatedResponse, DeletedResponse, ListResponse, Page, Param, Problems, ReadResponse,
    WindowParams, WrittenResponse, resource_id,
};
use crate::api::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::order::{self, FullOrder, OrderFields, OrderFilter, Status};

pub(crate) struct OrdersApi(pub(crate) ResourcesApi);

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// List the tenant's orders
    ///
    /// A page at a time (`page`, with `total` and `Link`), or by `cursor`; sorted by `sort`,
    /// oldest first by default; narrowed by the filters.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/t/:tenant/api/v1/orders",
        method = "get",
        operation_id = "listOrders"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
    async fn list_orders(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The page to return, from 1 (default 1). Not with `cursor`.
        page: Query<Option<Param<u64>>>,
        /// How many orders a page holds, from 1 to the service's maximum; default 20.
        per_page: Query<Option<Param<u64>>>,
        /// Where to go on from: the `next_cursor` of the previous page, with the same sort
        /// and filters.
        cursor: Query<Option<String>>,
        /// Comma-separated fields to sort by, `-` for descending: `created_at` (default),
        /// `updated_at`, `total`, `status`.
        sort: Query<Option<String>>,
        /// Only orders in this status: `pending`, `paid`, `shipped` or `cancelled`.
        status: Query<Option<Param<OrderStatus>>>,
        /// Only orders of this customer (a UUID).
        customer_id: Query<Option<Param<Uuid>>>,
        /// Only orders placed after this instant (RFC 3339).
        created_after: Query<Option<Param<DateTime<Utc>>>>,
        /// Only orders whose total is at least this (minor units).
        min_total: Query<Option<Param<i64>>>,
        /// Only orders whose total is at most this (minor units).
        max_total: Query<Option<Param<i64>>>,
    ) -> Result<ListResponse<Page<Order>>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersRead)?;
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
        let filter = OrderFilter {
            status: problems.take("status", status.0).map(Status::from),
            customer_id: problems.take("customer_id", customer_id.0),
            created_after: problems.take("created_after", created_after.0),
            min_total: problems.take("min_total", min_total.0),
            max_total: problems.take("max_total", max_total.0),
        };
        problems.or_fail(())?;
        let listed = order::list(
            &self.0.db,
            tenant_id,
            filter,
            &plan.order,
            plan.window.clone(),
        )
        .await?;
        Ok(plan.respond(req, config, listed, Order::from))
    }

    /// Place an order
    ///
    /// Takes the lines' quantities from the products' stock and prices the lines, in one
    /// transaction: when any product is short the order is refused (409
    /// `insufficient-stock`, naming each short line) and nothing changes. A customer or
    /// product that does not exist in the tenant is a 422 naming each. With an
    /// `Idempotency-Key`, a retry answers the first response and places nothing.
    #[oai(
        path = "/t/:tenant/api/v1/orders",
        method = "post",
        operation_id = "createOrder"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
    async fn create_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        body: Json<OrderInput>,
    ) -> Result<CreatedResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let fields = validate(&body.0)?;
        Ok(
            conventions::create_once(&self.0.db, req, &auth, tenant_id, &body.0, async |tx| {
                let full = order::create(tx, tenant_id, fields).await?;
                let location = format!("/t/{}/api/v1/orders/{}", tenant.0, full.order.id);
                Ok((Order::from(full), location))
            })
            .await?,
        )
    }

    /// Get an order
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "get",
        operation_id = "getOrder"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn get_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersRead")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
    ) -> Result<ReadResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersRead)?;
        let full = order::get(&self.0.db, tenant_id, resource_id(&id)?).await?;
        Ok(conventions::read(req, &self.0.config, Order::from(full)))
    }

    /// Replace an order
    ///
    /// Sets the customer, the lines and the status. The status may only move along
    /// `pending → paid → shipped` or to `cancelled` from `pending` or `paid` (409
    /// otherwise); the customer and lines may only change while the order is pending. Stock
    /// moves with the change in one transaction: cancelling gives it back, more of a product
    /// takes more (409 `insufficient-stock` when short, and nothing changes).
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "put",
        operation_id = "replaceOrder"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn replace_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
        body: Json<OrderInput>,
    ) -> Result<WrittenResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let id = resource_id(&id)?;
        let fields = validate(&body.0)?;
        Ok(conventions::written(
            self.change(req, tenant_id, id, |_| Ok(fields)).await?,
        ))
    }

    /// Change an order
    ///
    /// A JSON Merge Patch (RFC 7396) of `customer_id`, `lines` (replaced whole) and
    /// `status`, e.g. `{"status": "paid"}`; the result is checked like a replacement.
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "patch",
        operation_id = "patchOrder"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn patch_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
        /// The fields to change, e.g. `{"status": "paid"}`.
        body: Json<serde_json::Value>,
    ) -> Result<WrittenResponse<Order>, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let id = resource_id(&id)?;
        let changed = self
            .change(req, tenant_id, id, |current| {
                let input: OrderInput =
                    conventions::patched(writable(current), &body.0, &PATCHABLE)?;
                validate(&input)
            })
            .await?;
        Ok(conventions::written(changed))
    }

    /// Delete an order
    ///
    /// Only a pending order (its stock is given back) or a cancelled one; a paid or shipped
    /// order is kept (409).
    #[oai(
        path = "/t/:tenant/api/v1/orders/:id",
        method = "delete",
        operation_id = "deleteOrder"
    )]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0, id = %id.0))]
    async fn delete_order(
        &self,
        req: &poem::Request,
        #[oai(scope = "ResourceScope::OrdersWrite")] auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
        /// The order's id (a UUID).
        id: Path<String>,
    ) -> Result<DeletedResponse, ApiProblem> {
        let tenant_id = auth.authorize(&tenant, ResourceScope::OrdersWrite)?;
        let id = resource_id(&id)?;
        let tx = conventions::begin_write(&self.0.db).await?;
        let current = order::locked(&tx, tenant_id, id).await?;
        check_if_match(req, &current)?;
        order::delete(&tx, tenant_id, current).await?;
        tx.commit().await.map_err(ResourcesError::from)?;
        Ok(DeletedResponse::Deleted)
    }
}

impl OrdersApi {
    /// Changes an order in one transaction, with its row locked: `fields` computes the new
    /// fields from the current order.
    async fn change(
        &self,
        req: &poem::Request,
        tenant: crate::store::TenantId,
        id: Uuid,
        fields: impl FnOnce(&FullOrder) -> Result<OrderFields, ResourcesError>,
    ) -> Result<Order, ResourcesError> {
        let tx = conventions::begin_write(&self.0.db).await?;
        let current = order::locked(&tx, tenant, id).await?;
        check_if_match(req, &current)?;
        let fields = fields(&current)?;
        let changed = order::update(&tx, tenant, current, fields).await?;
        tx.commit().await?;
        Ok(Order::from(changed))
    }
}

/// `If-Match` against the locked current order (412), or its absence where the tenant
/// requires it (428).
fn check_if_match(req: &poem::Request, current: &FullOrder) -> Result<(), ResourcesError> {
    conventions::guard(req, &Order::from(current.clone()), current.order.updated_at).map(|_| ())
}
