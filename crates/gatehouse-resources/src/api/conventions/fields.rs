//! Checks of fields more than one resource has: a name, an id in the path.

use gatehouse_proto::FieldError;
use uuid::Uuid;

use crate::ResourcesError;

/// The longest name of a product or customer, in characters.
const NAME_MAX_CHARS: usize = 200;

/// A name as stored: 1 to 200 characters, not all white space, stored trimmed (else `name` is
/// noted in `errors`).
pub(crate) fn name(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let name = raw.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "must not be empty or blank"));
    } else if raw.chars().count() > NAME_MAX_CHARS {
        errors.push(FieldError::new(
            "name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    name.to_owned()
}

/// What the OpenAPI document says of a name: [`name`]'s rule.
pub(crate) fn name_rule() -> serde_json::Value {
    serde_json::json!({
        "minLength": 1,
        "maxLength": NAME_MAX_CHARS,
        "pattern": gatehouse_proto::NOT_BLANK_PATTERN,
    })
}

/// A resource id from the path; one that is not a UUID names nothing (404, not 400).
pub(crate) fn resource_id(raw: &str) -> Result<Uuid, ResourcesError> {
    Uuid::parse_str(raw).map_err(|_| ResourcesError::NotFound)
}
