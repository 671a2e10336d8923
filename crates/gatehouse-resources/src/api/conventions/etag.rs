//! Entity tags, and writes conditioned on them (`If-Match`, `If-None-Match`).

use chrono::{DateTime, Utc};
use poem_openapi::types::ToJSON;

use crate::ResourcesError;

/// A strong entity tag: a digest of the JSON the body is sent as.
pub(crate) fn etag(body: &impl ToJSON) -> String {
    format!("\"{}\"", json_digest(body, 16))
}

/// The first `bytes` bytes of the SHA-256 of a value's JSON, in hexadecimal.
pub(super) fn json_digest(value: &impl ToJSON, bytes: usize) -> String {
    let json = value.to_json().map(|v| v.to_string()).unwrap_or_default();
    digest_hex(json.as_bytes(), bytes)
}

/// The first `bytes` bytes of the SHA-256 of `data`, in hexadecimal.
pub(super) fn digest_hex(data: &[u8], bytes: usize) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether an `If-Match` / `If-None-Match` value names the entity tag (or is `*`).
pub(super) fn matches_any(condition: Option<&poem::http::HeaderValue>, etag: &str) -> bool {
    condition
        .and_then(|v| v.to_str().ok())
        .is_some_and(|condition| gatehouse_proto::etag_matches(condition, etag))
}

/// The version a write is conditioned on; `current` is the resource as the API shows it, at
/// `version`. With `If-Match`: that version if the resource's entity tag matches, else 412.
/// Without: nothing, or 428 when the tenant requires conditional writes (the gateway says so
/// in a header).
pub(crate) fn guard<T: ToJSON>(
    req: &poem::Request,
    current: &T,
    version: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ResourcesError> {
    match req.headers().get("if-match") {
        Some(condition) if matches_any(Some(condition), &etag(current)) => Ok(Some(version)),
        Some(_) => Err(ResourcesError::PreconditionFailed),
        None if requires_if_match(req) => Err(ResourcesError::PreconditionRequired),
        None => Ok(None),
    }
}

/// Whether the caller's tenant requires `If-Match` on writes.
fn requires_if_match(req: &poem::Request) -> bool {
    req.headers()
        .get(gatehouse_proto::headers::REQUIRE_IF_MATCH)
        .is_some_and(|v| v.as_bytes() == b"true")
}
