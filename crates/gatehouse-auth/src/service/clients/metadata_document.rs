//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client whose
//! `client_id` is an https URL, at which a JSON document (RFC 7591 metadata) describes it. MCP
//! clients use them instead of registering. The server fetches the document itself, so the
//! fetch is guarded like any request a stranger can make a server send: https only, no
//! redirects, no proxy, at most 5 KB in 5 seconds, and never to a loopback, private,
//! link-local or otherwise non-public address (checked on every address a name resolves to,
//! and on the address connected to). The document is kept as a client row (so codes, consents
//! and refresh tokens refer to it as to any client) and refetched once the shared cache's note
//! of it lapses: its `Cache-Control: max-age`, between a minute and a day.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use gatehouse_cache::Key;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Deserialize;

use super::NewClient;
use super::registration::{metadata_error, within_policy};
use crate::entity::{client, tenant};
use crate::error::AuthError;
use crate::policy::OAuthPolicy;
use crate::service::AuthService;

/// The largest document read, in bytes.
pub const DOCUMENT_MAX_BYTES: usize = 5 * 1024;
/// How long a fetch may take, connection included.
pub const DOCUMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The note that a stored document client is fresh.
const FRESH: &[u8] = b"fresh";
/// The longest `client_id` URL (the column's width).
pub const DOCUMENT_URL_MAX_CHARS: usize = 100;
const MIN_FRESH: Duration = Duration::from_secs(60);
const MAX_FRESH: Duration = Duration::from_secs(86_400);
/// Without `max-age`, a document is kept this long.
const DEFAULT_FRESH: Duration = Duration::from_secs(600);
/// A document that could not be used is not asked for again for this long.
const REFUSAL_KEPT: Duration = Duration::from_secs(60);
/// The most clients of one tenant that metadata documents describe: every new URL a stranger
/// names would otherwise add one.
pub const DOCUMENT_CLIENTS_MAX: u64 = 1000;

/// How documents are fetched.
#[derive(Debug, Clone, Default)]
pub struct DocumentFetch {
    /// Certificates trusted besides the system's roots (an internal or test CA).
    extra_roots: Vec<reqwest::Certificate>,
    /// Whether documents may live at loopback, private and link-local addresses: only for
    /// development and closed networks.
    private_networks: bool,
}

impl DocumentFetch {
    /// Fetches trusting `extra_roots_pem` (PEM certificates) too; an error says why they are
    /// unusable.
    pub fn new(extra_roots_pem: Option<&[u8]>, private_networks: bool) -> Result<Self, String> {
        let extra_roots = match extra_roots_pem {
            Some(pem) => {
                let roots =
                    reqwest::Certificate::from_pem_bundle(pem).map_err(|e| e.to_string())?;
                if roots.is_empty() {
                    return Err("it holds no PEM certificate".into());
                }
                roots
            }
            None => Vec::new(),
        };
        Ok(Self {
            extra_roots,
            private_networks,
        })
    }
}

/// Why a client's metadata document cannot be used; told to the person on the error page and
/// to the client at the token endpoint.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the tenant does not accept client metadata documents")]
    NotAccepted,
    #[error("the client_id is not a usable document URL: {0}")]
    BadUrl(&'static str),
    #[error("the document could not be fetched: {0}")]
    Unreachable(String),
    #[error("the document is larger than {DOCUMENT_MAX_BYTES} bytes")]
    TooLarge,
    #[error("the document is not valid: {0}")]
    Invalid(String),
    #[error("the tenant already has {DOCUMENT_CLIENTS_MAX} clients described by documents")]
    TooMany,
    /// The same refusal as a moment ago, remembered.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl DocumentError {
    /// What the person or client is told: why the document is unusable, but not what the
    /// network said when it could not be fetched (that would tell strangers which internal
    /// names exist and which ports answer); the log has it.
    pub fn public_reason(&self) -> String {
        match self {
            Self::Unreachable(_) => "the document could not be fetched".into(),
            Self::Refused(reason) => reason.clone(),
            other => other.to_string(),
        }
    }
}

impl From<sea_orm::DbErr> for DocumentError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

/// Whether `client_id` is shaped as a metadata document's URL (not whether it is usable).
fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://")
}

/// The URL `client_id` names, if it may be a document's: https, a host, a path below `/`, no
/// credentials, fragment or dot segments.
fn document_url(client_id: &str) -> Result<url::Url, DocumentError> {
    if client_id.chars().count() > DOCUMENT_URL_MAX_CHARS {
        return Err(DocumentError::BadUrl("longer than 100 characters"));
    }
    let url = url::Url::parse(client_id).map_err(|_| DocumentError::BadUrl("not a URL"))?;
    if url.scheme() != "https" {
        return Err(DocumentError::BadUrl("not https"));
    }
    // The parsed URL must be the very string: no normalising (dot segments, case, port 443).
    if url.as_str() != client_id {
        return Err(DocumentError::BadUrl("not in its normal form"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DocumentError::BadUrl("it has credentials"));
    }
    if url.fragment().is_some() {
        return Err(DocumentError::BadUrl("it has a fragment"));
    }
    if url.path() == "/" {
        return Err(DocumentError::BadUrl("it has no path"));
    }
    Ok(url)
}

/// Whether an address is on the public internet: not loopback, private, link-local, unique
/// local, shared (CGNAT), documentation, benchmarking, multicast, reserved or unspecified, nor
/// an IPv6 form of one of those IPv4 addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let segments = v6.segments();
            // Local-use NAT64 (64:ff9b:1::/48, RFC 8215) reaches a network's own IPv4.
            if segments[..3] == [0x64, 0xff9b, 1] {
                return false;
            }
            // NAT64 (64:ff9b::/96), IPv4-translated (::ffff:0:0/96) and 6to4 (2002::/16)
            // carry an IPv4 address.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                || segments[..6] == [0, 0, 0, 0, 0xffff, 0]
            {
                let [a, b] = segments[6].to_be_bytes();
                let [c, d] = segments[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            if segments[0] == 0x2002 {
                let [a, b] = segments[1].to_be_bytes();
                let [c, d] = segments[2].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (segments[0] & 0xfe00) == 0xfc00 // unique local
                || (segments[0] & 0xffc0) == 0xfe80 // link-local
                || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0)
                || segments[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible, deprecated
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 192 && b == 0 && c == 0)) // IETF protocol assignments
}

/// Resolves names to their public addresses only; a name with none is refused. The client
/// connects to what this returns, so a name cannot be re-pointed between check and use.
struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 443))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addresses.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client of document fetches, made on first use (with the TLS provider the process
/// installed at start).
#[derive(Default)]
pub(crate) struct Fetcher {
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fetcher")
    }
}

impl Fetcher {
    fn client(&self, config: &DocumentFetch) -> Result<&reqwest::Client, DocumentError> {
        let built = self.client.get_or_init(|| {
            let mut builder = reqwest::Client::builder()
                .https_only(true)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(DOCUMENT_TIMEOUT)
                .connect_timeout(DOCUMENT_TIMEOUT)
                .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")));
            if !config.private_networks {
                builder = builder.dns_resolver(Arc::new(PublicResolver));
            }
            builder
                .tls_certs_merge(config.extra_roots.clone())
                .build()
                .map_err(|e| e.to_string())
        });
        built
            .as_ref()
            .map_err(|e| DocumentError::Unreachable(format!("no HTTP client: {e}")))
    }

    /// The document at `url`, and how long it may be kept.
    async fn fetch(
        &self,
        config: &DocumentFetch,
        url: &url::Url,
    ) -> Result<(Bytes, Duration), DocumentError> {
        if let Some(host) = url.host()
            && !config.private_networks
        {
            let literal = match host {
                url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
                url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
                url::Host::Domain(_) => None,
            };
            if literal.is_some_and(|ip| !is_public(ip)) {
                return Err(DocumentError::Unreachable(
                    "its address is not a public one".into(),
                ));
            }
        }
        let unreachable = |e: reqwest::Error| {
            DocumentError::Unreachable(gatehouse_proto::ErrorChain(&e).to_string())
        };
        let mut response = self
            .client(config)?
            .get(url.as_str())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(DocumentError::Unreachable(format!(
                "it answered {} (redirects are not followed)",
                response.status()
            )));
        }
        if response
            .content_length()
            .is_some_and(|n| n > DOCUMENT_MAX_BYTES as u64)
        {
            return Err(DocumentError::TooLarge);
        }
        let fresh = freshness(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > DOCUMENT_MAX_BYTES {
                return Err(DocumentError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok((Bytes::from(body), fresh))
    }
}

/// How long a document may be kept: its `max-age` (none with `no-store` or `no-cache`), between
/// a minute and a day.
fn freshness(headers: &reqwest::header::HeaderMap) -> Duration {
    let directives: Vec<String> = headers
        .get_all(reqwest::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    if directives
        .iter()
        .any(|d| d == "no-store" || d == "no-cache")
    {
        return MIN_FRESH;
    }
    directives
        .iter()
        .find_map(|d| d.strip_prefix("max-age=")?.parse::<u64>().ok())
        .map_or(DEFAULT_FRESH, Duration::from_secs)
        .clamp(MIN_FRESH, MAX_FRESH)
}

/// The metadata a document may give (RFC 7591 §2); others are ignored.
#[derive(Deserialize)]
struct Document {
    client_id: String,
    client_name: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
    scope: Option<String>,
    token_endpoint_auth_method: Option<String>,
    jwks: Option<serde_json::Value>,
    jwks_uri: Option<String>,
    client_secret: Option<serde_json::Value>,
    #[serde(default)]
    dpop_bound_access_tokens: bool,
}

/// The client a document describes, within the tenant's policy for registered clients. Its
/// name shows where it comes from: a document may call itself anything.
fn described_client(
    url: &url::Url,
    body: &[u8],
    policy: &OAuthPolicy,
) -> Result<NewClient, DocumentError> {
    let invalid = |why: &str| DocumentError::Invalid(why.to_owned());
    let document: Document =
        serde_json::from_slice(body).map_err(|e| DocumentError::Invalid(e.to_string()))?;
    if document.client_id != url.as_str() {
        return Err(invalid("its client_id is not the URL it was fetched from"));
    }
    if document.client_secret.is_some() {
        return Err(invalid("it holds a client_secret"));
    }
    let method = document
        .token_endpoint_auth_method
        .unwrap_or_else(|| "none".into());
    match (method.as_str(), &document.jwks, &document.jwks_uri) {
        ("none", _, _) | ("private_key_jwt", Some(_), None) => {}
        ("private_key_jwt", _, Some(_)) => {
            return Err(invalid("jwks_uri is not supported: give the keys in jwks"));
        }
        ("private_key_jwt", None, None) => return Err(invalid("private_key_jwt needs jwks")),
        _ => {
            return Err(invalid(
                "token_endpoint_auth_method must be none or private_key_jwt (a document cannot hold a secret)",
            ));
        }
    }
    if document.redirect_uris.is_empty() {
        return Err(invalid("it names no redirect_uris"));
    }
    if document
        .response_types
        .is_some_and(|types| types.iter().any(|t| t != "code"))
    {
        return Err(invalid("response_types: only code is supported"));
    }
    let host = url.host_str().unwrap_or_default();
    let name = document
        .client_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .map_or_else(|| host.to_owned(), |n| format!("{n} ({host})"));
    let new = NewClient {
        client_name: name.chars().take(super::CLIENT_NAME_MAX_CHARS).collect(),
        grant_types: document
            .grant_types
            .unwrap_or_else(|| vec!["authorization_code".into()]),
        redirect_uris: document.redirect_uris,
        scope: document.scope.unwrap_or_default(),
        token_endpoint_auth_method: Some(method),
        jwks: document.jwks,
        dpop_bound_access_tokens: document.dpop_bound_access_tokens,
        ..NewClient::default()
    };
    within_policy(&policy.registration, new).map_err(|e| DocumentError::Invalid(e.to_string()))
}

impl AuthService {
    /// The client `client_id` names, when it is a metadata document's URL and the tenant
    /// accepts them: the stored row while the shared cache says it is fresh, else the document
    /// fetched again and the row written from it. `None` when `client_id` is not such a URL.
    pub(crate) async fn document_client(
        &self,
        tenant: &tenant::Model,
        client_id: &str,
    ) -> Result<Option<client::Model>, DocumentError> {
        if !is_document_url(client_id) {
            return Ok(None);
        }
        let policy = OAuthPolicy::of(tenant);
        if !policy.client_id_metadata_documents {
            return Err(DocumentError::NotAccepted);
        }
        let url = document_url(client_id)?;
        let stored = self.find_client(tenant.id, client_id).await?;
        // One note per document: "fresh" while the stored row may be used, or the reason it
        // was refused, so that neither a good nor a bad document is fetched on every request.
        let note = Key::new("client-document", &tenant.slug, client_id);
        match self.cache.get(&note).await {
            // Fresh, but deleted meanwhile: fetched again below.
            Ok(Some(noted)) if noted.as_ref() == FRESH && stored.is_some() => return Ok(stored),
            Ok(Some(noted)) if noted.as_ref() == FRESH => {}
            Ok(Some(refused)) => {
                return Err(DocumentError::Refused(
                    String::from_utf8_lossy(&refused).into_owned(),
                ));
            }
            _ => {}
        }
        let (described, keep) = match self
            .fetch_described(tenant, &url, &policy, stored.is_none())
            .await
        {
            Ok(described) => described,
            Err(DocumentError::Internal(err)) => return Err(err.into()),
            Err(refused) => {
                let told = Bytes::from(refused.public_reason());
                if let Err(err) = self.cache.set(&note, told, REFUSAL_KEPT).await {
                    tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "could not note a refused client metadata document");
                }
                return Err(refused);
            }
        };
        let client = match stored {
            None => {
                let inserted = self
                    .insert_client(tenant, client_id.to_owned(), described, None, None)
                    .await;
                match inserted {
                    Ok((client, _)) => client,
                    // Another request fetched it at the same moment and stored it first.
                    Err(AuthError::Conflict(_)) => self
                        .find_client(tenant.id, client_id)
                        .await?
                        .ok_or_else(|| DocumentError::Unreachable("stored meanwhile".into()))?,
                    Err(err) => return Err(err.into()),
                }
            }
            Some(stored) => {
                self.rewrite_document_client(tenant, stored, described)
                    .await?
            }
        };
        if let Err(err) = self.cache.set(&note, Bytes::from_static(FRESH), keep).await {
            tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "could not note a client metadata document as fresh");
        }
        tracing::info!(tenant = %tenant.slug, client_id, "client metadata document fetched");
        Ok(Some(client))
    }

    /// The document at `url`, fetched and checked, as a client, and how long it may be kept;
    /// for a `new` client, only while the tenant has room for one.
    async fn fetch_described(
        &self,
        tenant: &tenant::Model,
        url: &url::Url,
        policy: &OAuthPolicy,
        new: bool,
    ) -> Result<(NewClient, Duration), DocumentError> {
        if new {
            let described = client::Entity::find()
                .filter(client::Column::TenantId.eq(tenant.id))
                .filter(client::Column::ClientId.starts_with("https://"))
                .count(&self.db)
                .await?;
            if described >= DOCUMENT_CLIENTS_MAX {
                return Err(DocumentError::TooMany);
            }
        }
        let (body, keep) = self
            .fetcher
            .fetch(&self.config.client_documents, url)
            .await?;
        let described = described_client(url, &body, policy)?;
        described
            .validate(&tenant.slug)
            .map_err(|e| DocumentError::Invalid(metadata_error(e).to_string()))?;
        Ok((described, keep))
    }

    /// The stored client as its document now describes it; every process forgets the old one.
    /// An unchanged document changes nothing (and makes no process forget anything).
    async fn rewrite_document_client(
        &self,
        tenant: &tenant::Model,
        stored: client::Model,
        new: NewClient,
    ) -> Result<client::Model, DocumentError> {
        let method = new
            .token_endpoint_auth_method
            .clone()
            .unwrap_or_else(|| "none".into());
        let jwks = new.jwks.as_ref().map(serde_json::Value::to_string);
        let unchanged = stored.client_name == new.client_name
            && stored.grant_types == new.grant_types.join(" ")
            && stored.redirect_uris == new.redirect_uris.join(" ")
            && stored.scope == new.scope
            && stored.token_endpoint_auth_method == method
            && stored.jwks == jwks
            && stored.dpop_bound_access_tokens == new.dpop_bound_access_tokens;
        if unchanged {
            return Ok(stored);
        }
        let mut active: client::ActiveModel = stored.into();
        active.client_name = Set(new.client_name);
        active.grant_types = Set(new.grant_types.join(" "));
        active.redirect_uris = Set(new.redirect_uris.join(" "));
        active.scope = Set(new.scope);
        active.token_endpoint_auth_method = Set(new
            .token_endpoint_auth_method
            .unwrap_or_else(|| "none".into()));
        active.jwks = Set(new.jwks.map(|j| j.to_string()));
        active.dpop_bound_access_tokens = Set(new.dpop_bound_access_tokens);
        let tx = sea_orm::TransactionTrait::begin(&self.db).await?;
        let updated = active.update(&tx).await.map_err(|err| match err {
            sea_orm::DbErr::RecordNotUpdated => {
                DocumentError::Refused("the client was deleted meanwhile; try again".into())
            }
            err => err.into(),
        })?;
        self.commit_change(tx, &tenant.slug).await?;
        Ok(updated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched_from() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2001:db8::1",
            "64:ff9b:1::a00:1",
            "::ffff:0:a00:1",
        ] {
            let ip: IpAddr = private.parse().expect("an address");
            assert!(!is_public(ip), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            let ip: IpAddr = public.parse().expect("an address");
            assert!(is_public(ip), "{public}");
        }
    }

    #[test]
    fn a_client_id_is_a_document_url_only_in_normal_form_with_a_path() {
        assert!(document_url("https://app.example/client.json").is_ok());
        for bad in [
            "https://app.example/",
            "https://app.example",
            "http://app.example/client.json",
            "https://user:pw@app.example/client.json",
            "https://app.example/a/../client.json",
            "https://APP.example/client.json",
            "https://app.example:443/client.json",
            "https://app.example/client.json#x",
        ] {
            assert!(document_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_document_keeps_its_max_age_within_a_minute_and_a_day() {
        let with = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("cache-control", value.parse().expect("header"));
            freshness(&headers)
        };
        assert_eq!(with("public, max-age=3600"), Duration::from_secs(3600));
        assert_eq!(with("max-age=5"), MIN_FRESH);
        assert_eq!(with("max-age=99999999"), MAX_FRESH);
        assert_eq!(with("no-store"), MIN_FRESH);
        assert_eq!(freshness(&reqwest::header::HeaderMap::new()), DEFAULT_FRESH);
    }
}
