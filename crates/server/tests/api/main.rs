//! The server's integration tests, one binary: the real router on a real
//! SQLite file per test (`common`), one module per area of the API.
//!
//! One binary rather than one per file: linking each of them dominated a
//! clean build on two cores.

#![allow(dead_code)]

mod common;

mod access;
mod assignments;
mod audit;
mod auth;
mod bulk;
mod concurrency;
mod instances;
mod invitations;
mod limits;
mod mail;
mod members;
mod openapi;
mod organizations;
mod races;
mod schema;
mod system;
