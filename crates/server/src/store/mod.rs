//! The store: SQL for each resource. Services call these; invariants that
//! must hold under concurrency live in the schema (constraints, triggers)
//! and in single-statement or `BEGIN IMMEDIATE` writes here. All SQL but
//! the pool's and the migrations (`db`) is here.

pub mod assignments;
pub mod audit;
pub mod demo;
pub mod invitations;
pub mod limits;
pub mod members;
pub mod organizations;
pub mod outbox;
pub mod users;
