//! List cursors: opaque to clients, bound to the query that gave them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::Value;
use uuid::Uuid;

use super::listing::Kind;

/// A cursor: the position after the last item of a page, bound to the query that listed it.
/// Opaque to clients (base64url JSON); a cursor of another query, or a forged one, is a 400.
pub(super) fn encode_cursor(position: &[Value], query_digest: &str) -> String {
    let values: Vec<serde_json::Value> = position.iter().map(value_to_json).collect();
    let json = serde_json::json!({ "q": query_digest, "p": values });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

pub(super) fn decode_cursor(
    cursor: &str,
    kinds: &[Kind],
    query_digest: &str,
) -> Result<Vec<Value>, String> {
    let invalid = || "is not a cursor this list gave; start again without it".to_owned();
    let json: serde_json::Value = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(invalid)?;
    if json.get("q").and_then(|q| q.as_str()) != Some(query_digest) {
        return Err("was given by a list with another sort or other filters; \
                    repeat that list's parameters or start again without a cursor"
            .to_owned());
    }
    let values = json
        .get("p")
        .and_then(|p| p.as_array())
        .ok_or_else(invalid)?;
    if values.len() != kinds.len() {
        return Err(invalid());
    }
    values
        .iter()
        .zip(kinds)
        .map(|(value, kind)| json_to_value(value, *kind).ok_or_else(invalid))
        .collect()
}

fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::BigInt(Some(n)) => (*n).into(),
        Value::Int(Some(n)) => (*n).into(),
        Value::String(Some(s)) => s.clone().into(),
        Value::ChronoDateTimeUtc(Some(t)) => t.to_rfc3339_opts(SecondsFormat::Micros, true).into(),
        Value::Uuid(Some(u)) => u.to_string().into(),
        _ => serde_json::Value::Null,
    }
}

fn json_to_value(json: &serde_json::Value, kind: Kind) -> Option<Value> {
    Some(match kind {
        Kind::Int => Value::from(json.as_i64()?),
        Kind::Text => Value::from(json.as_str()?.to_owned()),
        Kind::Time => Value::from(
            DateTime::parse_from_rfc3339(json.as_str()?)
                .ok()?
                .with_timezone(&Utc),
        ),
        Kind::Uuid => Value::from(Uuid::parse_str(json.as_str()?).ok()?),
    })
}
