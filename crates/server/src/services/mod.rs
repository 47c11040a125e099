//! The steps a handler runs, between the HTTP layer and the store: the
//! write transaction, re-reading the caller's membership, asking
//! `roster_core::Capabilities`, the store calls, the list-cache upkeep and
//! what is sent and logged. Services take the handles they need (pool,
//! caches, the caller's ids and capabilities), never the HTTP layer's types.

pub mod accounts;
pub mod assignments;
pub mod audit_log;
pub mod invitations;
pub mod mail;
pub mod members;
pub mod organizations;
pub mod seed;
