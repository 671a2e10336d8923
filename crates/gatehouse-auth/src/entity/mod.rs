//! sea-orm entities of the auth server's tables. Bodies on the wire live in `api`, not here.

pub mod client;
pub mod installation;
pub mod signing_key;
pub mod tenant;
pub mod user;
