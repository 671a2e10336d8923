//! What a customer's fields and a list of customers may be: the checks the handlers make, and
//! what the OpenAPI document says of them.

use gatehouse_proto::{EMAIL_MAX_CHARS, FieldError, Rule, email_rule, is_email};

use super::wire::CustomerInput;
use crate::ResourcesConfig;
use crate::api::conventions::{self, ListSpec, Shape, SortField};
use crate::store::customer::{self, Column, CustomerFields};

pub(super) const PATCHABLE: [(&str, Shape, bool); 2] = [
    ("name", Shape::String, true),
    ("email", Shape::String, true),
];

pub(super) const LIST: ListSpec<Column> = ListSpec {
    sort_fields: &[
        SortField::time("created_at", Column::CreatedAt),
        SortField::time("updated_at", Column::UpdatedAt),
        SortField::text("name", Column::Name),
        SortField::text("email", Column::Email),
    ],
    id: Column::Id,
    filters: &["q", "email", "created_after"],
};

/// The customer's writable fields as JSON, the target of a merge patch.
pub(super) fn writable(row: &customer::Model) -> serde_json::Value {
    serde_json::json!({"name": row.name, "email": row.email})
}

/// Checks every field of a customer at once; the name is trimmed, the email lower-cased.
pub(super) fn validate(input: CustomerInput) -> Result<CustomerFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = conventions::name(&input.name.0, &mut errors);
    if !is_email(&input.email.0) {
        errors.push(FieldError::new(
            "email",
            format!(
                "must be an email address: local@domain, at most {EMAIL_MAX_CHARS} characters, \
                 without spaces"
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let email = input.email.0.to_lowercase();
    Ok(CustomerFields { name, email })
}

/// What the OpenAPI document says of this API's fields and parameters.
pub(crate) fn document_rules(config: &ResourcesConfig) -> Vec<Rule> {
    conventions::resource_rules(
        &[("name", conventions::name_rule()), ("email", email_rule())],
        |path| format!("CustomerInput.{path}"),
        ("patchCustomer", &PATCHABLE),
        ("listCustomers", &LIST),
        config,
    )
}

#[cfg(test)]
mod tests {
    use gatehouse_proto::Text;

    use super::*;
    use poem_openapi::types::Example;

    #[test]
    fn every_wrong_field_is_reported_at_once_and_emails_are_lower_cased() {
        let errors = validate(CustomerInput {
            name: Text::from("  "),
            email: Text::from("nope"),
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email"]);
        let fields = validate(CustomerInput::example()).expect("valid");
        assert_eq!(fields.email, "ada@example.com");
    }
}
