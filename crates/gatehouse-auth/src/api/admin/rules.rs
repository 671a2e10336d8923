//! The rules of the admin document's fields (see `gatehouse_proto::with_rules`).

use gatehouse_proto::{NOT_BLANK_PATTERN, Rule, SLUG_MAX_LEN, SLUG_PATTERN, email_rule};
use serde_json::json;

/// What the OpenAPI document says of the fields the service checks itself (see
/// `gatehouse_proto::with_rules`): what a field must be alone; rules between fields and the
/// platform's policy are 422s that no schema states.
pub(crate) fn document_rules() -> Vec<Rule> {
    use crate::service::clients::{
        ACCESS_TOKEN_FORMATS, CLIENT_NAME_MAX_CHARS, ID_TOKEN_ALGS, REDIRECT_URI_MAX_CHARS,
        REDIRECT_URIS_MAX, SCOPE_MAX_CHARS, SCOPE_PATTERN, SUPPORTED_AUTH_METHODS,
        SUPPORTED_GRANT_TYPES,
    };
    use crate::service::clients::{INITIAL_TOKEN_MAX_SECONDS, INITIAL_TOKEN_MAX_USES};
    use crate::service::tenants::{DISPLAY_NAME_MAX_CHARS, RATE_LIMIT_PER_MINUTE, REFRESH_SECONDS};
    use crate::service::users::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_PATTERN};

    let name = |max: usize| json!({"minLength": 1, "maxLength": max, "pattern": NOT_BLANK_PATTERN});
    let refresh = json!({
        "minimum": REFRESH_SECONDS.start(),
        "maximum": REFRESH_SECONDS.end(),
        "nullable": true,
    });
    // Optional fields take `null` for "absent" (the default, or no change).
    let nullable = [
        "TenantCreate.signing_alg",
        "TenantPatch.display_name",
        "TenantPatch.require_if_match",
        "TenantPatch.disabled",
        "ClientCreate.grant_types",
        "ClientCreate.redirect_uris",
        "ClientCreate.scope",
        "ClientCreate.token_endpoint_auth_method",
        "ClientCreate.id_token_signed_response_alg",
        "ClientCreate.jwks",
        "ClientCreate.access_token_format",
        "ClientCreate.resource_server",
        "ClientCreate.require_pushed_authorization_requests",
        "ClientPatch.disabled",
        "ClientPatch.resource_server",
        "ClientPatch.require_pushed_authorization_requests",
        "ClientCreate.dpop_bound_access_tokens",
        "ClientPatch.dpop_bound_access_tokens",
        "OAuthPolicy.require_pushed_authorization_requests",
        "OAuthPolicy.registration",
        "RegistrationPolicy.mode",
        "RegistrationPolicy.allowed_scopes",
        "RegistrationPolicy.allowed_grant_types",
        "OAuthPolicy.token_exchange",
        "OAuthPolicy.client_id_metadata_documents",
        "ExchangeRule.delegation",
        "ExchangeRule.impersonation",
        "UserCreate.role",
        "UserPatch.role",
        "UserPatch.disabled",
    ]
    .map(|field| Rule::field(field, json!({"nullable": true})));
    nullable
        .into_iter()
        .chain([
            Rule::field(
                "TenantCreate.slug",
                json!({"pattern": SLUG_PATTERN, "maxLength": SLUG_MAX_LEN}),
            ),
            Rule::field("TenantCreate.display_name", name(DISPLAY_NAME_MAX_CHARS)),
            Rule::field("TenantPatch.display_name", name(DISPLAY_NAME_MAX_CHARS)),
            Rule::field("TenantPatch.refresh_idle_seconds", refresh.clone()),
            Rule::field("TenantPatch.refresh_absolute_seconds", refresh),
            Rule::field(
                "TenantPatch.rate_limit_per_minute",
                json!({
                    "minimum": RATE_LIMIT_PER_MINUTE.start(),
                    "maximum": RATE_LIMIT_PER_MINUTE.end(),
                    "nullable": true,
                }),
            ),
            Rule::field(
                "InitialAccessTokenCreate.expires_in",
                json!({"minimum": 60, "maximum": INITIAL_TOKEN_MAX_SECONDS, "nullable": true}),
            ),
            Rule::field(
                "InitialAccessTokenCreate.max_uses",
                json!({"minimum": 1, "maximum": INITIAL_TOKEN_MAX_USES, "nullable": true}),
            ),
            Rule::field(
                "RegistrationPolicy.allowed_grant_types[]",
                json!({"enum": SUPPORTED_GRANT_TYPES}),
            ),
            Rule::field("ClientCreate.client_name", name(CLIENT_NAME_MAX_CHARS)),
            Rule::field("ClientCreate.grant_types", json!({"minItems": 1})),
            Rule::field(
                "ClientCreate.grant_types[]",
                json!({"enum": SUPPORTED_GRANT_TYPES}),
            ),
            Rule::field(
                "ClientCreate.redirect_uris",
                json!({"maxItems": REDIRECT_URIS_MAX}),
            ),
            Rule::field(
                "ClientCreate.redirect_uris[]",
                json!({"maxLength": REDIRECT_URI_MAX_CHARS}),
            ),
            Rule::field(
                "ClientCreate.scope",
                json!({"maxLength": SCOPE_MAX_CHARS, "pattern": SCOPE_PATTERN}),
            ),
            Rule::field(
                "ClientCreate.token_endpoint_auth_method",
                json!({"enum": SUPPORTED_AUTH_METHODS}),
            ),
            Rule::field(
                "ClientCreate.id_token_signed_response_alg",
                json!({"enum": ID_TOKEN_ALGS}),
            ),
            Rule::field(
                "ClientCreate.access_token_format",
                json!({"enum": ACCESS_TOKEN_FORMATS}),
            ),
            Rule::field("UserCreate.username", json!({"pattern": USERNAME_PATTERN})),
            Rule::field(
                "UserCreate.password",
                json!({"minLength": PASSWORD_MIN_CHARS, "maxLength": PASSWORD_MAX_CHARS}),
            ),
            Rule::field("UserCreate.email", email_rule()),
        ])
        .collect()
}
