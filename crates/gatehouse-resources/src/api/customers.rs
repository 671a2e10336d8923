//! `/t/{tenant}/api/v1/customers`: the people and companies a tenant sells to.

use chrono::{DateTime, Utc};
use gatehouse_proto::{ApiProblem, EMAIL_MAX_CHARS, FieldError, Rule, Text, email_rule, is_email};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::conventions::{
    self, CreatedResponse, DeletedResponse, Kind, ListResponse, ListSpec, Page, Param, Problems,
    ReadResponse, Shape, SortField, WindowParams, WrittenResponse, resource_id,
};
use super::{ApiTags, ResourceScope, ResourcesApi, ResourcesAuth};
use crate::store::customer::{self, Column, CustomerFields, CustomerFilter};
use crate::{ResourcesConfig, ResourcesError};

/// A customer of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Customer {
    /// The customer's id, assigned by the service.
    pub id: Uuid,
    /// The customer's name (1 to 200 characters, without surrounding whitespace).
    pub name: String,
    /// The customer's email address, in lower case; unique in the tenant.
    pub email: String,
    /// When the customer was created (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When the customer last changed, or was created (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Customer {
    fn example() -> Self {
        let at = DateTime::parse_from_rfc3339("2026-11-27T09:31:00.654321Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Self {
            id: Uuid::from_u128(0x0193_6a3f_1a2b_7c3d_8e4f_5a6b_7c8d_9e0f),
            name: "Ada Lovelace".to_owned(),
            email: "ada@example.com".to_owned(),
            created_at: at,
            updated_at: at,
        }
    }
}

impl From<customer::Model> for Customer {
    fn from(row: customer::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            email: row.email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// What a client sets on a customer, to create or replace it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct CustomerInput {
    /// The customer's name: 1 to 200 characters once surrounding whitespace is trimmed.
    pub name: Text,
    /// An email address (`local@domain`, up to 254 characters), stored in lower case; no
    /// other customer of the tenant may have it.
    pub email: Text,
}

impl poem_openapi::types::Example for CustomerInput {
    fn example() -> Self {
        Self {
            name: Text::from("Ada Lovelace"),
            email: Text::from("Ada@Example.com"),
        }
    }
}

const PATCHABLE: [(&str, Shape, bool); 2] = [
    ("name", Shape::String, true),
    ("email", Shape::String, true),
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
            name: "email",
            column: Column::Email,
            kind: Kind::Text,
        },
    ],
    id: Column::Id,
    filters: &["q", "email", "created_after"],
};

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
        let (body, links) = plan.page(req.uri().path(), listed, Customer::from);
        Ok(conventions::listed(req, config, body, links))
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
        let created =
            conventions::create_once(&self.0.db, req, &auth, tenant_id, &body.0, async |tx| {
                let row = customer::create(tx, tenant_id, fields).await?;
                let location = format!("/t/{}/api/v1/customers/{}", tenant.0, row.id);
                Ok((Customer::from(row), location))
            })
            .await?;
        Ok(conventions::created(created))
    }

    /// Get a customer
    #[oai(
        path = "/t/:tenant/api/v1/customers/:id",
        method = "get",
        operation_id = "getCustomer"
    )]
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
        let version = current.updated_at;
        let expected = conventions::guard(req, &Customer::from(current), version)?;
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
        let version = current.updated_at;
        let as_input = serde_json::json!({"name": current.name, "email": current.email});
        let guard = conventions::guard(req, &Customer::from(current), version)?;
        let input = conventions::patched(as_input, &body.0, &PATCHABLE)?;
        let fields = validate(input).map_err(ResourcesError::InvalidFields)?;
        let version = guard.unwrap_or(version);
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
        let version = current.updated_at;
        let expected = conventions::guard(req, &Customer::from(current), version)?;
        let tx = conventions::begin_write(&self.0.db).await?;
        customer::delete(&tx, tenant_id, id, expected).await?;
        tx.commit().await.map_err(ResourcesError::from)?;
        Ok(DeletedResponse::Deleted)
    }
}

/// Checks every field of a customer at once; the name is trimmed, the email lower-cased.
fn validate(input: CustomerInput) -> Result<CustomerFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = conventions::name(&input.name.0, &mut errors);
    if !is_email(&input.email.0) {
        errors.push(FieldError::new(
            "email",
            format!(
                "must be an email address: local@domain, at most {EMAIL_MAX_CHARS} characters, \
                 without spaces"
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let email = input.email.0.to_lowercase();
    Ok(CustomerFields { name, email })
}

/// What the OpenAPI document says of this API's fields and parameters.
pub(crate) fn document_rules(config: &ResourcesConfig) -> Vec<Rule> {
    conventions::resource_rules(
        &[("name", conventions::name_rule()), ("email", email_rule())],
        |path| format!("CustomerInput.{path}"),
        ("patchCustomer", &PATCHABLE),
        ("listCustomers", &LIST),
        config,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem_openapi::types::Example;

    #[test]
    fn every_wrong_field_is_reported_at_once_and_emails_are_lower_cased() {
        let errors = validate(CustomerInput {
            name: Text::from("  "),
            email: Text::from("nope"),
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email"]);
        let fields = validate(CustomerInput::example()).expect("valid");
        assert_eq!(fields.email, "ada@example.com");
    }
}
