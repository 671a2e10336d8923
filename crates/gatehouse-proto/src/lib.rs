//! The wire contract shared by the Gatehouse services.
//!
//! This crate is the one place that defines what crosses a service boundary: the RFC 9457
//! problem document, the identity headers the gateway sets for the services behind it, and the
//! shape of a tenant slug. It holds no logic beyond (de)serialising those.

mod etag;
mod identity;
mod problem;
mod slug;
mod text;

pub use etag::etag_matches;
pub use identity::{Identity, headers, identity_checker};
pub use problem::{
    ApiProblem, FieldError, PROBLEM_CONTENT_TYPE, Problem, ProblemType, problem_for_error,
};
pub use slug::{SLUG_MAX_LEN, SLUG_PATTERN, is_valid_slug};
pub use text::Text;
