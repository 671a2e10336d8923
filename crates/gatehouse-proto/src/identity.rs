use poem::http::HeaderMap;

/// Headers through which the gateway tells a service who is calling.
///
/// The gateway removes any of these that arrive from outside before it sets its own, and signs
/// them (see [`crate::ProofKey`]); a service reads them only from a request whose proof it has
/// verified. Services never see, let alone parse, a token.
pub mod headers {
    /// Slug of the tenant in the request path (`/t/{tenant}`).
    pub const TENANT: &str = "x-gatehouse-tenant";
    /// Id of the tenant that issued the token (the `tid` claim).
    pub const TENANT_ID: &str = "x-gatehouse-tenant-id";
    /// The token's `sub`: a user id, or the client id for a machine client.
    pub const SUBJECT: &str = "x-gatehouse-subject";
    /// The token's `client_id`.
    pub const CLIENT_ID: &str = "x-gatehouse-client-id";
    /// The token's `scope`, space separated.
    pub const SCOPE: &str = "x-gatehouse-scope";
    /// Slug of the tenant that issued the token; differs from [`TENANT`] only for platform
    /// operators (`system`) acting on another tenant.
    pub const TOKEN_TENANT: &str = "x-gatehouse-token-tenant";

    /// `true` when the tenant requires `If-Match` on writes (a tenant setting the gateway
    /// reads from the authorization service).
    pub const REQUIRE_IF_MATCH: &str = "x-gatehouse-require-if-match";

    /// The caller's address, as the gateway determined it (the peer, or what trusted proxies
    /// in front of it said).
    pub const CLIENT_ADDRESS: &str = "x-gatehouse-client-address";

    /// The gateway's proof that it sent the request with these headers.
    pub const PROOF: &str = "x-gatehouse-proof";

    /// Every header the gateway vouches for, for it to strip from incoming requests.
    pub const ALL: [&str; 9] = [
        TENANT,
        TENANT_ID,
        SUBJECT,
        CLIENT_ID,
        SCOPE,
        TOKEN_TENANT,
        REQUIRE_IF_MATCH,
        CLIENT_ADDRESS,
        PROOF,
    ];
}

/// The caller of a request, as vouched for by the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub tenant: String,
    pub tenant_id: String,
    pub token_tenant: String,
    pub subject: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

/// The caller's address the gateway vouched for, on a request whose proof was verified.
pub fn client_address(req: &poem::Request) -> Option<&str> {
    req.extensions().get::<crate::FromGateway>()?;
    req.headers().get(headers::CLIENT_ADDRESS)?.to_str().ok()
}

impl Identity {
    /// Reads the identity headers; `None` when any is missing or not UTF-8.
    pub fn from_headers(map: &HeaderMap) -> Option<Self> {
        let get = |name: &str| map.get(name)?.to_str().ok().map(str::to_owned);
        Some(Self {
            tenant: get(headers::TENANT)?,
            tenant_id: get(headers::TENANT_ID)?,
            token_tenant: get(headers::TOKEN_TENANT)?,
            subject: get(headers::SUBJECT)?,
            client_id: get(headers::CLIENT_ID)?,
            scopes: get(headers::SCOPE)?
                .split_ascii_whitespace()
                .map(str::to_owned)
                .collect(),
        })
    }

    /// The header pairs that carry this identity.
    pub fn to_headers(&self) -> [(&'static str, String); 6] {
        [
            (headers::TENANT, self.tenant.clone()),
            (headers::TENANT_ID, self.tenant_id.clone()),
            (headers::TOKEN_TENANT, self.token_tenant.clone()),
            (headers::SUBJECT, self.subject.clone()),
            (headers::CLIENT_ID, self.client_id.clone()),
            (headers::SCOPE, self.scopes.join(" ")),
        ]
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The checker of every service's poem-openapi security scheme: the gateway has already
/// validated the bearer token, so the service reads the identity it vouched for (on a request
/// whose proof was verified), and refuses a request whose identity speaks for another tenant
/// than the one in its path.
pub async fn identity_checker(
    req: &poem::Request,
    _token: poem_openapi::auth::Bearer,
) -> poem::Result<Identity> {
    let problem = |kind, detail: &str| {
        poem::Error::from_response(poem::IntoResponse::into_response(crate::Problem::new(
            kind, detail,
        )))
    };
    // Only headers whose proof was verified are believed (`RequireGatewayProof`).
    let vouched = req.extensions().get::<crate::FromGateway>().is_some();
    let identity = vouched
        .then(|| Identity::from_headers(req.headers()))
        .flatten()
        .ok_or_else(|| {
            problem(
                crate::ProblemType::Unauthorized,
                "this service is reached through the gateway, which vouches for the caller",
            )
        })?;
    // poem-openapi renames path parameters, so the tenant is read from the path itself.
    let path_tenant = req
        .uri()
        .path()
        .strip_prefix("/t/")
        .and_then(|rest| rest.split('/').next());
    if path_tenant.is_some_and(|t| t != identity.tenant) {
        return Err(problem(
            crate::ProblemType::Forbidden,
            "the token was not issued for this tenant",
        ));
    }
    Ok(identity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_round_trips_through_headers() {
        let id = Identity {
            tenant: "acme".into(),
            tenant_id: "0193".into(),
            token_tenant: "acme".into(),
            subject: "svc".into(),
            client_id: "svc".into(),
            scopes: vec!["products:read".into(), "products:write".into()],
        };
        let mut map = HeaderMap::new();
        for (k, v) in id.to_headers() {
            map.insert(k, v.parse().expect("ascii"));
        }
        assert_eq!(Identity::from_headers(&map), Some(id));
        map.remove(headers::SCOPE);
        assert_eq!(Identity::from_headers(&map), None);
    }
}
