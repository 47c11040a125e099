//! One module per route (a folder per area once it grows).

pub mod assignments;
pub mod audit_logs;
pub mod auth;
pub mod home;
pub mod invitations;
pub mod members;
pub mod not_found;
pub mod org_scope;
pub mod settings;
