//! What a product's fields and a list of products may be: the checks the handlers make, and
//! what the OpenAPI document says of them.

use gatehouse_proto::{FieldError, Rule};
use serde_json::{Value, json};

use super::wire::ProductInput;
use crate::ResourcesConfig;
use crate::api::conventions::{self, ListSpec, Shape, SortField};
use crate::store::product::{self, AMOUNT_MAX, Column, ProductFields};

const DESCRIPTION_MAX_CHARS: usize = 2000;
const SKU_MAX_CHARS: usize = 64;
const STOCK_MAX: i64 = 1_000_000_000;
const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

/// The writable fields of a merge patch: path, shape, required.
pub(super) const PATCHABLE: [(&str, Shape, bool); 6] = [
    ("name", Shape::String, true),
    ("description", Shape::String, false),
    ("sku", Shape::String, true),
    ("stock", Shape::Integer, false),
    ("price.amount", Shape::Integer, true),
    ("price.currency", Shape::String, true),
];

pub(super) const LIST: ListSpec<Column> = ListSpec {
    sort_fields: &[
        SortField::time("created_at", Column::CreatedAt),
        SortField::time("updated_at", Column::UpdatedAt),
        SortField::text("name", Column::Name),
        SortField::text("sku", Column::Sku),
        SortField::int("price", Column::PriceAmount),
        SortField::int("stock", Column::Stock),
    ],
    id: Column::Id,
    filters: &[
        "q",
        "min_price",
        "max_price",
        "currency",
        "created_after",
        "in_stock",
    ],
};

/// The product's writable fields as JSON, the target of a merge patch.
pub(super) fn writable(row: &product::Model) -> serde_json::Value {
    serde_json::json!({
        "name": row.name,
        "description": row.description,
        "sku": row.sku,
        "stock": row.stock,
        "price": {"amount": row.price_amount, "currency": row.price_currency},
    })
}

/// Checks every field of a product at once, and returns what to store (the name trimmed), or
/// every field that is wrong.
pub(super) fn validate(input: ProductInput) -> Result<ProductFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = conventions::name(&input.name.0, &mut errors);
    if input.description.0.chars().count() > DESCRIPTION_MAX_CHARS {
        errors.push(FieldError::new(
            "description",
            format!("must be at most {DESCRIPTION_MAX_CHARS} characters"),
        ));
    }
    let sku = &input.sku.0;
    if sku.is_empty()
        || sku.len() > SKU_MAX_CHARS
        || !sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        errors.push(FieldError::new(
            "sku",
            format!("must be 1 to {SKU_MAX_CHARS} of the characters A-Z a-z 0-9 . _ -"),
        ));
    }
    if !(0..=STOCK_MAX).contains(&input.stock) {
        errors.push(FieldError::new(
            "stock",
            format!("must be between 0 and {STOCK_MAX}"),
        ));
    }
    if !(0..=AMOUNT_MAX).contains(&input.price.amount) {
        errors.push(FieldError::new(
            "price.amount",
            format!("must be between 0 and {AMOUNT_MAX} (in the currency's minor unit)"),
        ));
    }
    let currency = &input.price.currency.0;
    if !is_currency(currency) {
        errors.push(FieldError::new(
            "price.currency",
            "must be an ISO 4217 code: three capital letters",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProductFields {
        name,
        description: input.description.0,
        sku: input.sku.0,
        stock: input.stock,
        price_amount: input.price.amount,
        price_currency: input.price.currency.0,
    })
}

/// The rules [`validate`] checks, by field path, for the OpenAPI document.
fn field_rules() -> Vec<(&'static str, Value)> {
    vec![
        ("name", conventions::name_rule()),
        ("description", json!({"maxLength": DESCRIPTION_MAX_CHARS})),
        (
            "sku",
            json!({"pattern": format!("^[A-Za-z0-9._-]{{1,{SKU_MAX_CHARS}}}$")}),
        ),
        ("stock", json!({"minimum": 0, "maximum": STOCK_MAX})),
        ("price.amount", json!({"minimum": 0, "maximum": AMOUNT_MAX})),
        ("price.currency", json!({"pattern": CURRENCY_PATTERN})),
    ]
}

/// What the OpenAPI document says of this API's fields and parameters.
pub(crate) fn document_rules(config: &ResourcesConfig) -> Vec<Rule> {
    conventions::resource_rules(
        &field_rules(),
        |path| match path.strip_prefix("price.") {
            Some(field) => format!("Price.{field}"),
            None => format!("ProductInput.{path}"),
        },
        ("patchProduct", &PATCHABLE),
        ("listProducts", &LIST),
        config,
    )
}

fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use gatehouse_proto::Text;

    use super::super::wire::Price;
    use super::*;

    fn input(name: &str, description: &str, amount: i64, currency: &str) -> ProductInput {
        ProductInput {
            name: Text(name.to_owned()),
            description: Text(description.to_owned()),
            sku: Text("SKU-1".to_owned()),
            stock: 0,
            price: Price {
                amount,
                currency: Text(currency.to_owned()),
            },
        }
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_valid_product_is_stored_with_its_name_trimmed() {
        let fields = validate(input("  Widget \n", " as is ", 1999, "EUR")).expect("valid");
        assert_eq!(
            fields,
            ProductFields {
                name: "Widget".into(),
                description: " as is ".into(),
                sku: "SKU-1".into(),
                stock: 0,
                price_amount: 1999,
                price_currency: "EUR".into(),
            }
        );
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let mut wrong = input("   ", &"d".repeat(2001), -1, "eur");
        wrong.sku = Text("no spaces".into());
        wrong.stock = -1;
        let errors = validate(wrong).expect_err("invalid");
        assert_eq!(
            fields_of(&errors),
            [
                "name",
                "description",
                "sku",
                "stock",
                "price.amount",
                "price.currency"
            ]
        );
        assert!(errors.iter().all(|e| !e.reason.is_empty()));
    }

    #[test]
    fn limits_are_inclusive_and_counted_in_characters() {
        let mut at_limit = input(&"é".repeat(200), &"ü".repeat(2000), AMOUNT_MAX, "XXX");
        at_limit.sku = Text("a".repeat(SKU_MAX_CHARS));
        at_limit.stock = STOCK_MAX;
        assert!(validate(at_limit).is_ok());
        let zero = input("a", "", 0, "JPY");
        assert!(validate(zero).is_ok());

        let mut over = input(&"a".repeat(201), &"b".repeat(2001), AMOUNT_MAX + 1, "EUR");
        over.sku = Text("a".repeat(SKU_MAX_CHARS + 1));
        over.stock = STOCK_MAX + 1;
        let errors = validate(over).expect_err("over the limits");
        assert_eq!(
            fields_of(&errors),
            ["name", "description", "sku", "stock", "price.amount"]
        );
    }

    #[test]
    fn currency_is_three_capital_ascii_letters() {
        for ok in ["EUR", "USD", "XAU"] {
            assert!(validate(input("a", "", 1, ok)).is_ok(), "{ok}");
        }
        for bad in ["", "EU", "EURO", "eur", "Eur", "E1R", "ÉUR", " EUR", "EU "] {
            let errors = validate(input("a", "", 1, bad)).expect_err(bad);
            assert_eq!(fields_of(&errors), ["price.currency"], "{bad}");
        }
    }
}
