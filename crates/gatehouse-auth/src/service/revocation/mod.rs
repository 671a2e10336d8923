//! Token introspection (RFC 7662) and revocation (RFC 7009), UserInfo, and how revocations
//! reach the gateway: each revoked access token's `jti` is announced in the cache the gateway
//! reads, for as long as the token would have lived, and bulk revocations (a client, user or
//! tenant) are rules in the feed the gateways poll.

mod feed;
mod introspection;
mod revoke;
mod userinfo;

pub use introspection::Introspection;
pub use userinfo::UserinfoError;
