//! Lenient query parameters, and the wrong fields and parameters of a request gathered so that
//! it hears of all of them at once.

use std::borrow::Cow;

use gatehouse_proto::FieldError;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromParameter, ParseResult, Type};

use crate::ResourcesError;

/// A query parameter parsed without failing the request: a wrong value is kept with its
/// reason, so that an operation reports every wrong parameter at once.
#[derive(Debug, Clone)]
pub(crate) struct Param<T>(pub Result<T, String>);

impl<T: Type> Type for Param<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().ok().and_then(Type::as_raw_value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Ok(value) => value.raw_element_iter(),
            Err(_) => Box::new(std::iter::empty()),
        }
    }
}

impl<T: ParseFromParameter> ParseFromParameter for Param<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(
            T::parse_from_parameter(value).map_err(|e| e.into_message()),
        ))
    }
}

/// Wrong fields and parameters, gathered so that a request hears of all of them at once.
///
/// Two kinds: a value the OpenAPI document already rules out (malformed: 400), and one that
/// is well-formed but cannot be served: it names what does not exist, or disagrees with
/// another (unprocessable: 422). A request with both kinds gets a 400 that lists them all.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub(super) malformed: Vec<FieldError>,
    unprocessable: Vec<FieldError>,
}

impl Problems {
    /// A value the document rules out (its type, range, length, pattern or enum).
    pub(crate) fn add(&mut self, field: &str, reason: impl Into<String>) {
        self.malformed.push(FieldError::new(field, reason));
    }

    /// A well-formed value that cannot be served.
    pub(crate) fn unprocessable(&mut self, field: &str, reason: impl Into<String>) {
        self.unprocessable.push(FieldError::new(field, reason));
    }

    pub(super) fn names(&self, field: &str) -> bool {
        self.malformed
            .iter()
            .chain(&self.unprocessable)
            .any(|e| e.field == field)
    }

    /// The value of a lenient parameter, or `None` with its reason noted.
    pub(crate) fn take<T>(&mut self, field: &str, param: Option<Param<T>>) -> Option<T> {
        match param?.0 {
            Ok(value) => Some(value),
            Err(reason) => {
                self.add(field, reason);
                None
            }
        }
    }

    /// `Ok(value)` if nothing was wrong, else a 400 (or 422) listing every problem.
    pub(crate) fn or_fail<T>(self, value: T) -> Result<T, ResourcesError> {
        match (self.malformed.is_empty(), self.unprocessable.is_empty()) {
            (true, true) => Ok(value),
            (true, false) => Err(ResourcesError::UnprocessableFields(self.unprocessable)),
            (false, _) => {
                let mut all = self.malformed;
                all.extend(self.unprocessable);
                Err(ResourcesError::InvalidFields(all))
            }
        }
    }
}
