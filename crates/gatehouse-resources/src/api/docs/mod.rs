//! The documentation this service owns: the resource API's OpenAPI document
//! (`/openapi/resources.json`), Swagger UI for it (`/docs/resources`), and a tenant's Swagger UI
//! (`/t/{tenant}/docs`), whose document is the tenant's own and whose *Authorize* signs in at
//! the tenant: client credentials, or the authorization code flow with PKCE, which ends on
//! `/t/{tenant}/docs/oauth2-redirect.html`.
//!
//! Every page is built from the document of the service's configuration, computed once.
//! Swagger UI's script and stylesheet (those poem-openapi bundles) are served once, under
//! `/docs/resources/`, so that the pages run no script but theirs and one inline script of
//! ours, under a strict CSP.

mod assets;
mod pages;
mod scripts;
mod tenant_document;

pub(crate) use pages::routes;
