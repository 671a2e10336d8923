//! The HTTP surface: the typed API, its security scheme, and the documentation routes.

mod conventions;
mod customers;
mod docs;
mod me;
mod orders;
mod products;

use gatehouse_proto::Identity;
use poem::endpoint::BoxEndpoint;
use poem::{EndpointExt, Route};
use poem_openapi::{OAuthScopes, OpenApiService, SecurityScheme, Tags};
use sea_orm::DatabaseConnection;

use crate::store::TenantId;
use crate::{ResourcesConfig, ResourcesError};

/// The scopes of the resource API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, OAuthScopes)]
pub(crate) enum ResourceScope {
    /// Read the tenant's products.
    #[oai(rename = "products:read")]
    ProductsRead,
    /// Create, change and delete the tenant's products.
    #[oai(rename = "products:write")]
    ProductsWrite,
    /// Read the tenant's customers.
    #[oai(rename = "customers:read")]
    CustomersRead,
    /// Create, change and delete the tenant's customers.
    #[oai(rename = "customers:write")]
    CustomersWrite,
    /// Read the tenant's orders.
    #[oai(rename = "orders:read")]
    OrdersRead,
    /// Place, change, cancel and delete the tenant's orders.
    #[oai(rename = "orders:write")]
    OrdersWrite,
}

/// An OAuth2 access token of the tenant: a machine client's (client credentials), or a
/// person's, signed in through an app (authorization code with PKCE). The gateway validates it
/// and vouches for the caller; this service only reads the identity it vouched for.
#[derive(SecurityScheme)]
#[oai(
    ty = "oauth2",
    flows(
        client_credentials(token_url = "/t/{tenant}/oauth2/token", scopes = "ResourceScope"),
        authorization_code(
            authorization_url = "/t/{tenant}/oauth2/authorize",
            token_url = "/t/{tenant}/oauth2/token",
            scopes = "ResourceScope"
        )
    ),
    checker = "gatehouse_proto::identity_checker"
)]
pub(crate) struct ResourcesAuth(pub(crate) Identity);

impl ResourcesAuth {
    /// Checks that the caller acts for the tenant in the path and holds `scope`, and returns
    /// the tenant whose rows the request may touch.
    ///
    /// The gateway has checked all this already; checking again costs nothing.
    pub(crate) fn authorize(
        &self,
        path_tenant: &str,
        scope: ResourceScope,
    ) -> Result<TenantId, ResourcesError> {
        if !gatehouse_proto::is_valid_slug(path_tenant) {
            return Err(ResourcesError::NotFound);
        }
        let identity = &self.0;
        let tenant_id = TenantId::parse(&identity.tenant_id).ok_or(
            ResourcesError::Unauthorized("the caller's tenant id is not valid"),
        )?;
        if identity.tenant != path_tenant {
            return Err(ResourcesError::Forbidden(
                "the token was not issued for this tenant".to_owned(),
            ));
        }
        if !identity.has_scope(scope.name()) {
            return Err(ResourcesError::Forbidden(format!(
                "the token lacks the `{}` scope",
                scope.name()
            )));
        }
        Ok(tenant_id)
    }
}

#[derive(Tags)]
pub(crate) enum ApiTags {
    /// The tenant's product catalogue, with stock.
    Products,
    /// The tenant's customers.
    Customers,
    /// Customers' orders of products.
    Orders,
    /// Who the caller is.
    Profile,
}

/// State shared by the operations of a resource.
#[derive(Clone)]
pub(crate) struct ResourcesApi {
    db: DatabaseConnection,
    config: ResourcesConfig,
}

type Apis = (
    products::ProductsApi,
    customers::CustomersApi,
    orders::OrdersApi,
    me::MeApi,
);

pub(crate) fn service(db: DatabaseConnection, config: ResourcesConfig) -> OpenApiService<Apis, ()> {
    let state = ResourcesApi { db, config };
    OpenApiService::new(
        (
            products::ProductsApi(state.clone()),
            customers::CustomersApi(state.clone()),
            orders::OrdersApi(state),
            me::MeApi,
        ),
        "Gatehouse resource API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "A tenant's business data. Every path starts with `/t/{tenant}`, the tenant's slug; \
         every operation needs an access token of that tenant with the operation's scope. \
         Errors are RFC 9457 problem documents (`application/problem+json`) whose `type` \
         names the kind of problem.\n\n\
         **Lists** take `page`/`per_page` (with `total` and RFC 8288 `Link` headers) or \
         `cursor` (the `next_cursor` of the previous page: the same cost at any depth), \
         `sort` (e.g. `-created_at,name`) and the filters each list names; an unknown \
         parameter is a 400 that names it.\n\n\
         **Writes** answer the new `ETag`; `If-Match` makes one conditional (412 when the \
         resource changed since); a tenant may require it (428 without). `POST` honours \
         `Idempotency-Key` for 24 hours: a retry gets the first answer and creates nothing.\n\n\
         **Validation** reports every wrong field at once: 400 when a field is malformed, \
         422 when well-formed fields name what does not exist (a customer, a product).",
    )
}

/// What the OpenAPI document says of the fields and parameters the handlers check themselves.
pub(crate) fn document_rules(config: &ResourcesConfig) -> Vec<gatehouse_proto::Rule> {
    let mut rules = products::document_rules(config);
    rules.extend(customers::document_rules(config));
    rules.extend(orders::document_rules(config));
    rules
}

pub(crate) fn endpoint(db: DatabaseConnection, config: ResourcesConfig) -> BoxEndpoint<'static> {
    // The served document states this service's own page sizes.
    let document = crate::document(&config);
    let api = service(db, config);
    docs::routes(Route::new(), &api, document)
        .nest("/", api)
        .catch_all_error(gatehouse_proto::problem_for_error)
        .boxed()
}

#[cfg(test)]
mod tests {
    use poem_openapi::OAuthScopes;

    #[test]
    fn the_scopes_published_for_the_api_are_this_services_own() {
        let names: Vec<&str> = super::ResourceScope::meta()
            .iter()
            .map(|scope| scope.name)
            .collect();
        assert_eq!(names, gatehouse_proto::API_SCOPES);
    }
}
