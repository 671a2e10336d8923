//! JSON Merge Patch (RFC 7396): applied to a resource's writable fields, every wrong field
//! named at once.

use gatehouse_proto::FieldError;
use poem_openapi::types::ParseFromJSON;

use super::params::Problems;
use crate::ResourcesError;

/// RFC 7396 §2.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::json!({});
    }
    if let serde_json::Value::Object(fields) = target {
        for (name, change) in changes {
            if change.is_null() {
                fields.remove(name);
            } else {
                merge_patch(
                    fields
                        .entry(name.clone())
                        .or_insert(serde_json::Value::Null),
                    change,
                );
            }
        }
    }
}

/// What a field of a patched resource must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    String,
    Integer,
    Array,
}

impl Shape {
    /// Its JSON Schema `type`.
    pub(super) fn json_type(self) -> &'static str {
        match self {
            Shape::String => "string",
            Shape::Integer => "integer",
            Shape::Array => "array",
        }
    }

    fn fits(self, value: &serde_json::Value) -> bool {
        match self {
            Shape::String => value.is_string(),
            Shape::Integer => value.is_i64(),
            Shape::Array => value.is_array(),
        }
    }

    fn described(self) -> &'static str {
        match self {
            Shape::String => "a string",
            Shape::Integer => "an integer",
            Shape::Array => "an array",
        }
    }
}

/// Applies a merge patch to a resource's writable fields (`current`) and reads the result as
/// the resource's input type. Unknown fields, removed required fields and values of the wrong
/// type are all named at once; `fields` lists each writable field by its path (`price.amount`),
/// its shape and whether it is required.
pub(crate) fn patched<T: ParseFromJSON>(
    mut current: serde_json::Value,
    patch: &serde_json::Value,
    fields: &[(&str, Shape, bool)],
) -> Result<T, ResourcesError> {
    let Some(members) = patch.as_object() else {
        return Err(ResourcesError::InvalidFields(vec![FieldError::new(
            "body",
            "a merge patch is a JSON object",
        )]));
    };
    let mut problems = Problems::default();
    note_unknown(members, fields, &mut problems);
    merge_patch(&mut current, patch);
    note_misshapen(&current, fields, &mut problems);
    problems.malformed.sort_by(|a, b| a.field.cmp(&b.field));
    problems.or_fail(())?;
    T::parse_from_json(Some(current))
        .map_err(|e| ResourcesError::InvalidFields(vec![FieldError::new("body", e.into_message())]))
}

/// Notes the patch's members that name no field: refused even when `null`, which would change
/// nothing.
fn note_unknown(
    members: &serde_json::Map<String, serde_json::Value>,
    fields: &[(&str, Shape, bool)],
    problems: &mut Problems,
) {
    let known = |path: &str| {
        fields
            .iter()
            .any(|(f, _, _)| *f == path || f.starts_with(&format!("{path}.")))
    };
    for (name, value) in members {
        if !known(name) {
            problems.add(name, "unknown field");
        } else if let Some(inner) = value.as_object() {
            for inner_name in inner.keys() {
                let path = format!("{name}.{inner_name}");
                if !known(&path) {
                    problems.add(&path, "unknown field");
                }
            }
        }
    }
}

/// Notes the fields of the patched resource that are missing though required, or of the wrong
/// shape.
fn note_misshapen(
    patched: &serde_json::Value,
    fields: &[(&str, Shape, bool)],
    problems: &mut Problems,
) {
    for (path, shape, required) in fields {
        let value = path
            .split('.')
            .try_fold(patched, |value, name| value.get(name));
        match value {
            None if *required => problems.add(path, "is required and cannot be removed"),
            Some(value) if !shape.fits(value) => {
                problems.add(path, format!("must be {}", shape.described()));
            }
            _ => {}
        }
    }
}
