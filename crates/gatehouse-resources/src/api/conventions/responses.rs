//! The answers every resource gives, with the headers that make reads cacheable and writes
//! conditional.

use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;

use super::etag::{etag, matches_any};
use crate::ResourcesConfig;

/// The answer to a list.
#[derive(ApiResponse)]
pub(crate) enum ListResponse<T: ToJSON> {
    /// A page of the list.
    #[oai(status = 200)]
    Ok(
        Json<T>,
        /// RFC 8288 links: `first`, `prev`, `next` and `last` for pages; `first` and `next`
        /// (by cursor) otherwise. They keep the request's sort and filters.
        #[oai(header = "Link")]
        String,
        /// How long the page may be reused: private to the caller.
        #[oai(header = "Cache-Control")]
        String,
        /// A strong validator of the page.
        #[oai(header = "ETag")]
        String,
    ),
    /// The page is the version named in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "ETag")] String,
    ),
}

/// The answer to a read of one resource.
#[derive(ApiResponse)]
pub(crate) enum ReadResponse<T: ToJSON> {
    /// The resource.
    #[oai(status = 200)]
    Ok(
        Json<T>,
        /// How long the resource may be reused: private to the caller.
        #[oai(header = "Cache-Control")]
        String,
        /// A strong validator of the resource, for `If-None-Match` and `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
    /// The resource is the version named in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "ETag")] String,
    ),
}

/// The answer to a creation.
#[derive(ApiResponse)]
pub(crate) enum CreatedResponse<T: ToJSON> {
    /// Created (or, for a retry with the same `Idempotency-Key`, created before).
    #[oai(status = 201)]
    Created(
        Json<T>,
        /// The new resource's URL.
        #[oai(header = "Location")]
        String,
        /// The new resource's entity tag, for a later `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

/// The answer to a replacement or a merge patch.
#[derive(ApiResponse)]
pub(crate) enum WrittenResponse<T: ToJSON> {
    /// The resource, as it now is.
    #[oai(status = 200)]
    Ok(
        Json<T>,
        /// The new version's entity tag, for the next `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

/// The answer to a deletion.
#[derive(ApiResponse)]
pub(crate) enum DeletedResponse {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

pub(crate) fn read<T: ToJSON>(
    req: &poem::Request,
    config: &ResourcesConfig,
    body: T,
) -> ReadResponse<T> {
    let etag = etag(&body);
    let cache_control = config.read_cache_control();
    if matches_any(req.headers().get("if-none-match"), &etag) {
        return ReadResponse::NotModified(cache_control, etag);
    }
    ReadResponse::Ok(Json(body), cache_control, etag)
}

pub(crate) fn listed<T: ToJSON>(
    req: &poem::Request,
    config: &ResourcesConfig,
    body: T,
    links: String,
) -> ListResponse<T> {
    let etag = etag(&body);
    let cache_control = config.read_cache_control();
    if matches_any(req.headers().get("if-none-match"), &etag) {
        return ListResponse::NotModified(cache_control, etag);
    }
    ListResponse::Ok(Json(body), links, cache_control, etag)
}

pub(super) fn created<T: ToJSON>((body, location): (T, String)) -> CreatedResponse<T> {
    let etag = etag(&body);
    CreatedResponse::Created(Json(body), location, etag)
}

pub(crate) fn written<T: ToJSON>(body: T) -> WrittenResponse<T> {
    let etag = etag(&body);
    WrittenResponse::Ok(Json(body), etag)
}
