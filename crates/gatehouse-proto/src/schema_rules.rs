//! The rules a service checks itself, written into its OpenAPI document.
//!
//! The services check request fields in their handlers rather than in poem-openapi's parsers,
//! so that one answer names every wrong field (`errors`) instead of the first. The same rules
//! go into the generated document as JSON Schema keywords (`minLength`, `pattern`, `maximum`,
//! …), so that generated clients and Swagger UI know them. Each service declares its rules
//! next to the checks they describe, from the same constants.

use serde_json::{Map, Value};

/// Where a rule applies.
#[derive(Debug, Clone)]
pub enum Place {
    /// A property of a component schema: `"ProductInput.name"`; `"OrderInput.lines[]"` for the
    /// items of an array property.
    Field(String),
    /// A query parameter of an operation: (operation id, parameter name).
    Query(&'static str, &'static str),
    /// The request body of an operation, in every media type it takes.
    Body(&'static str),
}

/// JSON Schema keywords to merge into the schema at a place.
#[derive(Debug, Clone)]
pub struct Rule {
    pub place: Place,
    pub keywords: Value,
}

impl Rule {
    pub fn field(path: impl Into<String>, keywords: Value) -> Self {
        Self {
            place: Place::Field(path.into()),
            keywords,
        }
    }

    pub fn query(operation: &'static str, name: &'static str, keywords: Value) -> Self {
        Self {
            place: Place::Query(operation, name),
            keywords,
        }
    }

    pub fn body(operation: &'static str, keywords: Value) -> Self {
        Self {
            place: Place::Body(operation),
            keywords,
        }
    }
}

/// Matches a string holding at least one character that is not white space (Unicode
/// `White_Space`, what Rust's `str::trim` removes): a name that is not blank once trimmed.
pub const NOT_BLANK_PATTERN: &str =
    "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// A UUID in its hyphenated form, the only form the services accept in a body.
pub const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// Whether `text` is a hyphenated UUID, as [`UUID_PATTERN`] says.
pub fn is_hyphenated_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The longest email address, in characters (RFC 5321's path limit less its brackets).
pub const EMAIL_MAX_CHARS: usize = 254;

/// What an email address may not hold, as a regular expression's class: white space and
/// control characters (`char::is_whitespace`, `char::is_control`).
const EMAIL_EXCLUDED: &str =
    "\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// A plain address: one `@`, a local part of 1 to 64 characters, a domain of two or more
/// non-empty labels, at most 254 characters; no white space or control characters.
/// (Deliverability is not for the platform to judge.) [`email_rule`] says the same.
pub fn is_email(email: &str) -> bool {
    let excluded = |c: char| c == '@' || c.is_whitespace() || c.is_control();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= EMAIL_MAX_CHARS
        && (1..=64).contains(&local.chars().count())
        && !local.chars().any(excluded)
        && domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.chars().any(excluded))
}

/// [`is_email`] as JSON Schema keywords.
pub fn email_rule() -> Value {
    let x = EMAIL_EXCLUDED;
    serde_json::json!({
        "maxLength": EMAIL_MAX_CHARS,
        "pattern": format!("^[^@{x}]{{1,64}}@[^@.{x}]+(\\.[^@.{x}]+)+$"),
    })
}

/// [`with_rules`]; or, should a rule have lost its place (only a change to the code can cause
/// that, and each service has a test that every rule finds its place), the document as given,
/// with an error logged.
pub fn documented(document: String, rules: &[Rule]) -> String {
    with_rules(&document, rules).unwrap_or_else(|missing| {
        tracing::error!(%missing, "an OpenAPI document lacks a rule its service checks");
        document
    })
}

/// `document` (pretty JSON) with every rule merged in, or the places that are not in it.
pub fn with_rules(document: &str, rules: &[Rule]) -> Result<String, String> {
    let mut doc: Value = serde_json::from_str(document).map_err(|e| e.to_string())?;
    let mut missing = Vec::new();
    for rule in rules {
        let targets = targets(&mut doc, &rule.place);
        if targets.is_empty() {
            missing.push(format!("{:?}", rule.place));
        }
        for schema in targets {
            merge(schema, &rule.keywords);
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "no such place in the document: {}",
            missing.join(", ")
        ));
    }
    plain_references(&mut doc);
    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())
}

/// poem-openapi describes a field whose type is a component as
/// `allOf: [{$ref}, {description}]`; generators read that as a new type (a `ProductPrice`
/// beside `Price`), or give up on it. A plain `$ref` (with its description beside it, which
/// OpenAPI 3.0 tools show and otherwise ignore) is the same type, and where other keywords
/// stand beside it (`nullable`), `allOf: [{$ref}]` keeps them.
fn plain_references(value: &mut Value) {
    match value {
        Value::Object(schema) => {
            let reference = match schema
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([first, second])
                    if first.get("$ref").is_some()
                        && second
                            .as_object()
                            .is_some_and(|o| o.keys().all(|k| k == "description")) =>
                {
                    Some(first.clone())
                }
                _ => None,
            };
            if let Some(reference) = reference {
                if schema.keys().all(|k| k == "allOf" || k == "description") {
                    schema.remove("allOf");
                    if let Some(target) = reference.get("$ref") {
                        schema.insert("$ref".into(), target.clone());
                    }
                } else {
                    schema.insert("allOf".into(), Value::Array(vec![reference]));
                }
            }
            schema.values_mut().for_each(plain_references);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_references),
        _ => {}
    }
}

fn merge(schema: &mut Map<String, Value>, keywords: &Value) {
    // OpenAPI 3.0 ignores the siblings of a `$ref`: the reference moves into an `allOf`.
    if let Some(reference) = schema.remove("$ref") {
        schema.insert(
            "allOf".into(),
            Value::Array(vec![Value::Object(Map::from_iter([(
                "$ref".into(),
                reference,
            )]))]),
        );
    }
    if let Value::Object(keywords) = keywords {
        for (key, value) in keywords {
            schema.insert(key.clone(), value.clone());
        }
    }
}

fn operation<'a>(doc: &'a mut Value, id: &str) -> Option<&'a mut Value> {
    doc.get_mut("paths")?
        .as_object_mut()?
        .values_mut()
        .flat_map(|item| {
            item.as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
        })
        .find(|op| op["operationId"] == id)
}

fn targets<'a>(doc: &'a mut Value, place: &Place) -> Vec<&'a mut Map<String, Value>> {
    let found = match place {
        Place::Field(path) => field(doc, path).into_iter().collect(),
        Place::Query(id, name) => operation(doc, id)
            .and_then(|op| op.get_mut("parameters")?.as_array_mut())
            .and_then(|ps| {
                ps.iter_mut()
                    .find(|p| p["in"] == "query" && p["name"] == *name)
            })
            .and_then(|p| p.get_mut("schema"))
            .into_iter()
            .collect(),
        Place::Body(id) => operation(doc, id)
            .and_then(|op| op.pointer_mut("/requestBody/content")?.as_object_mut())
            .into_iter()
            .flat_map(|content| content.values_mut())
            .filter_map(|media| media.get_mut("schema"))
            .collect::<Vec<_>>(),
    };
    found.into_iter().filter_map(Value::as_object_mut).collect()
}

fn field<'a>(doc: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let (schema, field) = path.split_once('.')?;
    let (field, items) = match field.strip_suffix("[]") {
        Some(field) => (field, true),
        None => (field, false),
    };
    let property = doc
        .pointer_mut(&format!("/components/schemas/{schema}/properties"))?
        .get_mut(field)?;
    if items {
        property.get_mut("items")
    } else {
        Some(property)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_land_on_fields_items_and_query_parameters() {
        let doc = json!({
            "paths": {"/x": {
                "get": {"operationId": "listX", "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer"}}
                ]},
                "patch": {"operationId": "patchX", "requestBody": {"content": {
                    "application/json": {"schema": {}}
                }}}
            }},
            "components": {"schemas": {"X": {"properties": {
                "name": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}}
            }}}}
        });
        let out = with_rules(
            &doc.to_string(),
            &[
                Rule::field("X.name", json!({"maxLength": 3})),
                Rule::field("X.tags[]", json!({"enum": ["a"]})),
                Rule::query("listX", "page", json!({"minimum": 1})),
                Rule::body("patchX", json!({"type": "object"})),
            ],
        )
        .expect("every place exists");
        let out: Value = serde_json::from_str(&out).expect("json");
        let x = &out["components"]["schemas"]["X"]["properties"];
        assert_eq!(x["name"], json!({"type": "string", "maxLength": 3}));
        assert_eq!(x["tags"]["items"]["enum"], json!(["a"]));
        assert_eq!(
            out["paths"]["/x"]["get"]["parameters"][0]["schema"]["minimum"],
            1
        );
        assert_eq!(
            out["paths"]["/x"]["patch"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "object"})
        );
        let missing = with_rules(&doc.to_string(), &[Rule::field("X.nope", json!({}))]);
        assert!(missing.is_err_and(|e| e.contains("X.nope")));
    }

    #[test]
    fn the_not_blank_pattern_is_what_trim_leaves() {
        // The pattern's class lists exactly the characters `char::is_whitespace` accepts.
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            let listed = matches!(c, '\t'..='\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}'
                | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}'
                | '\u{3000}');
            assert_eq!(listed, c.is_whitespace(), "{:?}", c);
        }
    }

    #[test]
    fn emails_are_plain_addresses() {
        for ok in [
            "a@b.co",
            "ada.lovelace+shop@example.com",
            "x@sub.example.org",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        let long_local = format!("{}@b.co", "a".repeat(65));
        for bad in [
            "",
            "a",
            "@b.co",
            "a@",
            "a@b",
            "a@b.",
            "a@.b",
            "a b@c.de",
            "a@b@c.de",
            " a@b.co",
            "a@b.co\u{7f}",
            &long_local,
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn only_hyphenated_uuids_are_accepted() {
        assert!(is_hyphenated_uuid("0193a3e8-8f2c-7b41-9d0e-5c4a2b1f3e6d"));
        for wrong in [
            "0193a3e88f2c7b419d0e5c4a2b1f3e6d",
            "{0193a3e8-8f2c-7b41-9d0e-5c4a2b1f3e6d}",
            "0193a3e8-8f2c-7b41-9d0e-5c4a2b1f3e6g",
            "",
        ] {
            assert!(!is_hyphenated_uuid(wrong), "{wrong}");
        }
    }
}
