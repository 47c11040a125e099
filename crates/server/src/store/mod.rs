//! The store: SQL for each resource. Handlers call these; invariants that
//! must hold under concurrency live in the schema (constraints, triggers)
//! and in single-statement or `BEGIN IMMEDIATE` writes here.

pub mod assignments;
pub mod audit;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod users;
