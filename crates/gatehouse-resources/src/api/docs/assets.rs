//! Swagger UI's own script and stylesheet, taken out of poem-openapi's page and served as
//! files.

use poem::Response;
use poem::http::header;
use sha2::{Digest, Sha256};

/// Where Swagger UI's own files are served; the gateway routes `/docs/resources/...` here.
pub(super) const ASSETS: &str = "/docs/resources";

/// One of Swagger UI's files, with a tag of its content for its URL.
pub(super) struct Asset {
    body: String,
    content_type: &'static str,
    pub(super) version: String,
}

impl Asset {
    pub(super) fn new(body: &str, content_type: &'static str) -> Self {
        let digest = Sha256::digest(body.as_bytes());
        let version = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            body: body.to_owned(),
            content_type,
            version,
        }
    }

    pub(super) fn response(&self) -> Response {
        Response::builder()
            .content_type(self.content_type)
            // The pages name each file with a tag of its content.
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(self.body.clone())
    }
}

/// Swagger UI's stylesheet and script, out of poem-openapi's page.
pub(super) fn swagger_ui_assets(html: &str) -> Option<(&str, &str)> {
    let between = |open: &str, close: &str| {
        let start = html.find(open)? + open.len();
        let end = html[start..].find(close)? + start;
        Some(&html[start..end])
    };
    let style = between("<style charset=\"UTF-8\">", "</style>")?;
    let script = between("<script charset=\"UTF-8\">", "</script>")?;
    (style.len() > 1000 && script.contains("SwaggerUIBundle")).then_some((style, script))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_ui_is_found_in_poem_openapis_page() {
        let api = crate::api::service(
            sea_orm::DatabaseConnection::default(),
            crate::ResourcesConfig::default(),
        );
        let html = api.swagger_ui_html();
        let (style, script) = swagger_ui_assets(&html).expect("Swagger UI's files");
        assert!(style.contains(".swagger-ui"));
        assert!(script.starts_with("/*!") || script.contains("webpackUniversalModuleDefinition"));
    }
}
