//! `Idempotency-Key` on creations: a retry gets the first answer and creates nothing.

use chrono::Utc;
use gatehouse_proto::FieldError;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::etag::json_digest;
use super::responses::{CreatedResponse, created};
use super::transaction::begin_write;
use crate::ResourcesError;
use crate::api::ResourcesAuth;
use crate::store::{TenantId, idempotency};

/// How long an `Idempotency-Key` is remembered.
const IDEMPOTENCY_HOURS: i64 = 24;

/// The request's `Idempotency-Key`: 1 to 255 visible ASCII characters.
fn idempotency_key(req: &poem::Request) -> Result<Option<String>, ResourcesError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(ResourcesError::InvalidFields(vec![FieldError::new(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )])),
    }
}

/// Runs `create` in one transaction, honouring the request's `Idempotency-Key`: a key seen
/// before with the same request replays the first answer (and creates nothing), with another
/// request it is refused (422). `create` answers the created resource and its URL; the
/// answer is a 201 with both.
pub(crate) async fn create_once<T: ParseFromJSON + ToJSON>(
    db: &DatabaseConnection,
    req: &poem::Request,
    auth: &ResourcesAuth,
    tenant: TenantId,
    input: &impl ToJSON,
    create: impl AsyncFnOnce(&DatabaseTransaction) -> Result<(T, String), ResourcesError>,
) -> Result<CreatedResponse<T>, ResourcesError> {
    let key = idempotency_key(req)?;
    let tx = begin_write(db).await?;
    let Some(key) = key else {
        let answer = create(&tx).await?;
        tx.commit().await?;
        return Ok(created(answer));
    };
    let client_id = &auth.0.client_id;
    let request_hash = json_digest(
        &serde_json::json!({ "path": req.uri().path(), "body": input.to_json() }),
        32,
    );
    let expires = Utc::now() + chrono::Duration::hours(IDEMPOTENCY_HOURS);
    let claim = idempotency::claim(&tx, tenant, client_id, &key, &request_hash, expires).await?;
    if let idempotency::Claim::Taken = claim {
        tx.rollback().await?;
        let earlier = idempotency::earlier(db, tenant, client_id, &key, &request_hash).await?;
        let idempotency::Claim::Replay { location, body } = earlier else {
            return Err(ResourcesError::IdempotencyInProgress);
        };
        let resource = serde_json::from_str(&body)
            .ok()
            .and_then(|v| T::parse_from_json(Some(v)).ok())
            .ok_or(ResourcesError::IdempotencyInProgress)?;
        return Ok(created((resource, location)));
    }
    let (resource, location) = create(&tx).await?;
    let stored = resource
        .to_json()
        .map(|v| v.to_string())
        .unwrap_or_default();
    idempotency::record(&tx, tenant, client_id, &key, &location, &stored).await?;
    tx.commit().await?;
    Ok(created((resource, location)))
}
