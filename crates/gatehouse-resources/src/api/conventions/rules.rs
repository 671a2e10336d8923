//! What the OpenAPI document says of a resource's fields and parameters that the handlers
//! check themselves.

use gatehouse_proto::Rule;
use serde_json::json;

use super::listing::ListSpec;
use super::merge_patch::Shape;
use crate::ResourcesConfig;

/// What the OpenAPI document says of a resource: each field's rules (`fields`, by path) on the
/// component schema `schema_of` names for it, the merge patch's body (`patch`: its operation
/// and writable fields), and the list's parameters (`list`: its operation and spec).
pub(crate) fn resource_rules<C>(
    fields: &[(&str, serde_json::Value)],
    schema_of: impl Fn(&str) -> String,
    patch: (&'static str, &[(&str, Shape, bool)]),
    list: (&'static str, &ListSpec<C>),
    config: &ResourcesConfig,
) -> Vec<Rule> {
    let (patch_operation, patchable) = patch;
    let (list_operation, list) = list;
    fields
        .iter()
        .map(|(path, keywords)| Rule::field(schema_of(path), keywords.clone()))
        .chain([Rule::body(patch_operation, patch_schema(patchable, fields))])
        .chain(list.rules(list_operation, config))
        .collect()
}

/// What the OpenAPI document says of a merge patch of `fields`: each field optional, `null`
/// only where a field may be removed, no other fields; `rules` holds each field's keywords.
fn patch_schema(
    fields: &[(&str, Shape, bool)],
    rules: &[(&str, serde_json::Value)],
) -> serde_json::Value {
    let object = || json!({"type": "object", "additionalProperties": false, "properties": {}});
    let mut root = object();
    for (path, shape, required) in fields {
        let mut leaf = json!({"type": shape.json_type()});
        if let Some((_, keywords)) = rules.iter().find(|(p, _)| p == path)
            && let (Some(leaf), Some(keywords)) = (leaf.as_object_mut(), keywords.as_object())
        {
            leaf.extend(keywords.clone());
        }
        if !required {
            leaf["nullable"] = json!(true);
        }
        match path.split_once('.') {
            // One level of nesting is all a resource has (`price.amount`).
            Some((outer, inner)) => {
                let nested = &mut root["properties"][outer];
                if nested.is_null() {
                    *nested = object();
                }
                nested["properties"][inner] = leaf;
            }
            None => root["properties"][*path] = leaf,
        }
    }
    root
}
