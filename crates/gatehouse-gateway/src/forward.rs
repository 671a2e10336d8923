//! Passing a request on to a service, in this process or over HTTP, the same way.

use std::sync::Arc;

use bytes::Bytes;
use gatehouse_proto::{Identity, ProofKey, headers};
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderMap, HeaderName, Method, StatusCode, header};
use poem::{Endpoint, Request, Response};

use crate::GatewayError;
use crate::pool::{Balance, Outgoing, Pool};

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [HeaderName; 7] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
];

fn strip_hop_by_hop(map: &mut HeaderMap) {
    for name in &HOP_BY_HOP {
        map.remove(name);
    }
    map.remove(header::UPGRADE);
}

/// Removes identity headers a caller may have set: only the gateway speaks for callers.
pub fn strip_identity(map: &mut HeaderMap) {
    for name in headers::ALL {
        map.remove(name);
    }
}

pub fn set_identity(map: &mut HeaderMap, identity: &Identity) {
    for (name, value) in identity.to_headers() {
        if let Ok(value) = value.parse() {
            map.insert(name, value);
        }
    }
}

/// Where a service is reached, and the key that proves to it that the gateway sent a request.
#[derive(Clone)]
pub struct Upstream {
    to: To,
    proof: ProofKey,
}

#[derive(Clone)]
enum To {
    /// The service's endpoint in this process.
    InProcess(Arc<BoxEndpoint<'static, Response>>),
    /// The service's instances at base URLs such as `http://127.0.0.1:8081`.
    Http(Arc<Pool>),
}

/// The HTTP client of a pool: it never follows a redirect (a service's `303` is for the
/// browser, and following it would make the gateway fetch URLs of a client's choosing), and
/// fails fast on a connection that cannot be made, so that another instance is tried.
fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(2))
        .build()
}

impl Upstream {
    pub fn in_process(endpoint: BoxEndpoint<'static, Response>, proof: ProofKey) -> Self {
        Self {
            to: To::InProcess(Arc::new(endpoint)),
            proof,
        }
    }

    /// Instances of a service over HTTP, health-checked every `health_interval`. Fails when
    /// no HTTP client can be made (no TLS provider installed).
    pub fn http(
        base_urls: &[String],
        balance: Balance,
        health_interval: std::time::Duration,
        proof: ProofKey,
        metrics: crate::UpstreamMetrics,
    ) -> reqwest::Result<Self> {
        let pool = Arc::new(Pool::new(base_urls, http_client()?, balance, metrics));
        pool.spawn_health_checks(health_interval);
        Ok(Self {
            to: To::Http(pool),
            proof,
        })
    }

    /// Forwards the request with its body read up to `max_body` bytes, waiting at most
    /// `timeout` for the answer.
    pub async fn forward(
        &self,
        req: Request,
        max_body: usize,
        timeout: std::time::Duration,
    ) -> Result<Response, GatewayError> {
        tokio::time::timeout(timeout, self.forward_now(req, max_body))
            .await
            .map_err(|_| GatewayError::Timeout(timeout))?
    }

    async fn forward_now(
        &self,
        mut req: Request,
        max_body: usize,
    ) -> Result<Response, GatewayError> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max_body as u64) {
            return Err(GatewayError::BodyTooLarge(max_body));
        }
        let body = req
            .take_body()
            .into_bytes_limit(max_body)
            .await
            .map_err(|err| match err {
                poem::error::ReadBodyError::PayloadTooLarge => GatewayError::BodyTooLarge(max_body),
                other => GatewayError::BadBody(other.into()),
            })?;
        strip_hop_by_hop(req.headers_mut());
        let target = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let method = req.method().clone();
        self.proof.sign(&method, &target, req.headers_mut());
        match &self.to {
            To::InProcess(endpoint) => {
                req.set_body(body);
                Ok(endpoint.get_response(req).await)
            }
            To::Http(pool) => {
                let mut headers = req.headers().clone();
                headers.remove(header::HOST);
                let outgoing = Outgoing {
                    method,
                    path_and_query: target,
                    headers,
                    body,
                };
                Ok(streamed(pool.send(&outgoing).await?))
            }
        }
    }

    /// The instances behind this upstream and whether each is in rotation (none in process).
    pub fn instances(&self) -> Vec<(String, bool)> {
        match &self.to {
            To::InProcess(_) => Vec::new(),
            To::Http(pool) => pool.health(),
        }
    }

    /// A GET the gateway makes for itself (the JWKS, say).
    pub async fn get(&self, path: &str) -> Result<(StatusCode, Bytes), GatewayError> {
        let mut headers = HeaderMap::new();
        self.proof.sign(&Method::GET, path, &mut headers);
        match &self.to {
            To::InProcess(endpoint) => {
                let mut req = Request::builder().uri_str(path).finish();
                *req.headers_mut() = headers;
                let response = endpoint.get_response(req).await;
                let status = response.status();
                let body = response.into_body().into_bytes().await.map_err(|e| {
                    GatewayError::upstream("the service's answer could not be read", e)
                })?;
                Ok((status, body))
            }
            To::Http(pool) => pool.get(path, headers).await,
        }
    }
}

/// A service's answer as the gateway's: status, headers (less hop-by-hop ones) and the body,
/// streamed as it arrives.
fn streamed(response: reqwest::Response) -> Response {
    use futures_util::TryStreamExt;
    let status = response.status();
    let mut headers = response.headers().clone();
    strip_hop_by_hop(&mut headers);
    let body =
        poem::Body::from_bytes_stream(response.bytes_stream().map_err(std::io::Error::other));
    let mut out = Response::builder().status(status).body(body);
    *out.headers_mut() = headers;
    out
}
