//! sea-orm entities of the auth server's tables. Bodies on the wire live in `api`, not here.

pub mod access_token;
pub mod authorization_request;
pub mod client;
pub mod code;
pub mod consent;
pub mod device_code;
pub mod directory_change;
pub mod initial_access_token;
pub mod installation;
pub mod pushed_request;
pub mod refresh_token;
pub mod revocation;
pub mod session;
pub mod signing_key;
pub mod tenant;
pub mod user;
