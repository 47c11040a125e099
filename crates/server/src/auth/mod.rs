//! Who is calling, and the pure parts of proving it. One extractor (in
//! `http::extract`), [`CurrentUser`], whatever proved it:
//!
//! - a bearer JWT access token from the configured OpenID provider
//!   ([`oidc`]): the user is the provider's issuer and subject, created on
//!   first sight with a personal organization, as Daytona does
//!   (`services::accounts`);
//! - one of Roster's own session tokens ([`session`]), as a bearer token or
//!   the session cookie (then unsafe methods must not come cross-site).
//!
//! Passwords ([`password`]) and the sign-in throttle ([`throttle`]) serve
//! the password endpoints. Nothing here reads the database.

pub mod oidc;
pub mod password;
pub mod session;
pub mod throttle;

use chrono::{DateTime, Utc};

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

impl CurrentUser {
    pub fn to_wire(&self) -> roster_core::wire::User {
        roster_core::wire::User {
            id: self.id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            public_keys: Vec::new(),
            created_at: self.created_at,
            email_verified: Some(self.email_verified),
        }
    }
}
