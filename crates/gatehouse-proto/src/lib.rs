//! The wire contract shared by the Gatehouse services.
//!
//! This crate is the one place that defines what crosses a service boundary: the RFC 9457
//! problem document, the identity headers the gateway sets for the services behind it and the
//! proof that the gateway set them, the access token's claims, the names of the operator's
//! tenant and the admin scopes, the tenant policy the gateway reads, the keys of the shared
//! cache, and the shape of a tenant slug. It does no I/O; its only logic is (de)serialising
//! these, computing the gateway's proof, and checking a client's DPoP proof (RFC 9449), which
//! the auth server and the gateway both do. With the `migration` feature it also holds the column types
//! of the database the services share (`columns`), so that every service lays them out alike,
//! and which database errors mean "unavailable, retry" (`database`), so that every service
//! answers them alike.

pub mod cache_key;
mod chain;
mod claims;
#[cfg(feature = "migration")]
pub mod columns;
#[cfg(feature = "migration")]
pub mod database;
mod dpop;
mod etag;
mod identity;
mod policy;
mod problem;
mod proof;
mod revocations;
mod schema_rules;
mod slug;
mod text;

pub use chain::ErrorChain;
pub use claims::{
    API_SCOPES, AccessClaims, Confirmation, PLATFORM_ADMIN, PLATFORM_ADMIN_RESOURCE, SYSTEM_TENANT,
    TENANT_ADMIN, api_resource, tenant_admin_resource, tenant_resources,
};
pub use dpop::{
    DPOP_ALGORITHMS, DPOP_MAX_SKEW_SECONDS, DPOP_REPLAY_SECONDS, DpopError, DpopNonces, DpopProof,
    DpopRequest, access_token_hash, check_request as check_dpop_request, dpop_challenge,
    verify_proof,
};
pub use etag::etag_matches;
pub use identity::{Identity, client_address, headers, identity_checker};
pub use policy::{TENANT_POLICY_ROUTE, TenantPolicy, tenant_policy_path};
pub use problem::{
    ApiProblem, FieldError, PROBLEM_CONTENT_TYPE, Problem, ProblemType, RETRY_AFTER_SECONDS,
    problem_for_error,
};
pub use proof::{
    FromGateway, PROOF_KEY_MIN_LEN, PROOF_MAX_SKEW_SECONDS, ProofError, ProofKey,
    RequireGatewayProof,
};
pub use revocations::{
    REVOCATIONS_ROUTE, RevocationFeed, RevocationKind, RevocationRule, RevokedToken,
    revocations_path,
};
pub use schema_rules::{
    EMAIL_MAX_CHARS, NOT_BLANK_PATTERN, Place, Rule, UUID_PATTERN, documented, email_rule,
    is_email, is_hyphenated_uuid, with_rules,
};
pub use slug::{SLUG_MAX_LEN, SLUG_PATTERN, is_valid_slug};
pub use text::Text;
