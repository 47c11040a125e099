//! The steps a handler runs: the write transaction, re-reading the caller's
//! membership, asking `roster_core::Capabilities`, the store calls and the
//! list-cache upkeep. Services take the handles they need (pool, caches,
//! the caller's ids and capabilities), never the HTTP layer's types.

pub mod assignments;
pub mod invitations;
pub mod members;
pub mod organizations;
