//! The OpenAPI document as a tenant's page shows it.

use serde_json::Value;

/// The document as a tenant's page shows it: each path with the tenant's slug in place of
/// `{tenant}` and without the `tenant` parameter, and the OAuth URLs of the tenant.
pub(super) fn for_tenant(document: &Value, slug: &str) -> Value {
    let mut document = document.clone();
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        *paths = std::mem::take(paths)
            .into_iter()
            .map(|(path, mut item)| {
                if let Some(item) = item.as_object_mut() {
                    // The path item's own parameters, and each operation's.
                    drop_tenant_parameter(item);
                    for operation in item.values_mut().filter_map(Value::as_object_mut) {
                        drop_tenant_parameter(operation);
                    }
                }
                (fill_in_tenant(&path, slug), item)
            })
            .collect();
    }
    let flows = document
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|schemes| schemes.values_mut())
        .filter_map(|scheme| scheme.get_mut("flows").and_then(Value::as_object_mut))
        .flat_map(|flows| flows.values_mut().filter_map(Value::as_object_mut));
    for flow in flows {
        for key in ["authorizationUrl", "tokenUrl", "refreshUrl"] {
            if let Some(Value::String(url)) = flow.get_mut(key) {
                *url = fill_in_tenant(url, slug);
            }
        }
    }
    with_note(
        document,
        &format!(
            "**Tenant `{slug}`.** This page's paths and sign-in are the tenant's. *Authorize* \
             with a client of the tenant: a machine client's id and secret (client \
             credentials), or the id of the tenant's public client for these docs \
             (authorization code with PKCE: you sign in as a user of the tenant)."
        ),
    )
}

/// What the generic page says first.
pub(super) const GENERIC_NOTE: &str = "To try the API, open a tenant's page, `/t/{tenant}/docs`: its paths \
    and *Authorize* are the tenant's.";

/// The document with `note` as the first paragraph of its description.
pub(super) fn with_note(mut document: Value, note: &str) -> Value {
    if let Some(Value::String(description)) = document.pointer_mut("/info/description") {
        *description = format!("{note}\n\n{description}");
    }
    document
}

/// `path` with each segment `{tenant}` replaced by `slug`.
fn fill_in_tenant(path: &str, slug: &str) -> String {
    path.split('/')
        .map(|segment| if segment == "{tenant}" { slug } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// Removes the path parameter `tenant` from an operation's (or path item's) `parameters`.
fn drop_tenant_parameter(holder: &mut serde_json::Map<String, Value>) {
    let Some(parameters) = holder.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    parameters.retain(|p| !(p["in"] == "path" && p["name"] == "tenant"));
    if parameters.is_empty() {
        holder.remove("parameters");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_tenants_document_is_the_tenants() {
        let document: Value = serde_json::from_str(&crate::openapi_json()).expect("json");
        let acme = for_tenant(&document, "acme");
        let paths = acme["paths"].as_object().expect("paths");
        assert_eq!(
            paths.len(),
            document["paths"].as_object().expect("paths").len()
        );
        for (path, item) in paths {
            assert!(path.starts_with("/t/acme/api/v1/"), "{path}");
            assert!(!path.contains("{tenant}"), "{path}");
            for operation in item.as_object().expect("path item").values() {
                let names: Vec<&Value> = operation["parameters"]
                    .as_array()
                    .map(|p| p.iter().map(|p| &p["name"]).collect())
                    .unwrap_or_default();
                assert!(!names.contains(&&json!("tenant")), "{path}");
            }
        }
        assert!(
            paths["/t/acme/api/v1/products/{id}"]["get"]["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .any(|p| p["name"] == "id"),
            "other parameters stay"
        );
        let flows = &acme["components"]["securitySchemes"]["ResourcesAuth"]["flows"];
        assert_eq!(
            flows["clientCredentials"]["tokenUrl"],
            "/t/acme/oauth2/token"
        );
        assert_eq!(
            flows["authorizationCode"]["authorizationUrl"],
            "/t/acme/oauth2/authorize"
        );
        assert_eq!(
            flows["authorizationCode"]["tokenUrl"],
            "/t/acme/oauth2/token"
        );
    }
}
