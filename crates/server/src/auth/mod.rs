//! Who is calling. One extractor, [`CurrentUser`], whatever proved it:
//!
//! - a bearer JWT access token from the configured OpenID provider
//!   ([`oidc`]): the user is the provider's issuer and subject, created on
//!   first sight with a personal organization, as Daytona does;
//! - one of Roster's own session tokens ([`session`]), as a bearer token or
//!   the session cookie (then unsafe methods must not come cross-site).
//!
//! Passwords ([`password`]) and the sign-in throttle ([`throttle`]) serve
//! the password endpoints.

pub mod oidc;
pub mod password;
pub mod session;
pub mod throttle;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use chrono::{DateTime, Utc};

pub use password::{decoy_hash, hash_password, verify_password};
pub use session::{hash_token, new_token, session_token, SESSION_COOKIE, SESSION_DAYS};
pub use throttle::SignInThrottle;

use crate::db::begin_write;
use crate::error::ApiError;
use crate::store::users::{self, CreateOutcome, UserRow};
use crate::AppState;

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

impl From<UserRow> for CurrentUser {
    fn from(row: UserRow) -> Self {
        CurrentUser {
            id: row.id,
            email: row.email,
            name: row.name,
            email_verified: row.email_verified,
            created_at: row.created_at,
        }
    }
}

/// How the server lets people sign in (`--auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Roster's own accounts (e-mail and password).
    Password,
    /// Only the OpenID provider's access tokens.
    Oidc,
    /// Both.
    Both,
}

impl AuthMode {
    pub fn passwords(self) -> bool {
        matches!(self, AuthMode::Password | AuthMode::Both)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Password => "password",
            AuthMode::Oidc => "oidc",
            AuthMode::Both => "both",
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let user = authenticate(parts, state).await?;
        parts.extensions.insert(user.clone());
        if let Some(audit) = parts.extensions.get::<crate::audit::AuditSlot>() {
            audit.set_actor(&user.id, &user.email);
        }
        Ok(user)
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<CurrentUser, ApiError> {
    let bearer = session::bearer_token(&parts.headers);
    if let (Some(token), Some(verifier)) = (bearer, &state.oidc) {
        if oidc::Verifier::looks_like_jwt(token) || !state.settings.auth_mode().passwords() {
            let identity = verifier
                .verify(token)
                .await
                .map_err(|rejection| match rejection {
                    oidc::Rejection::Provider(cause) => {
                        tracing::error!("cannot verify an access token: {cause}");
                        ApiError::unavailable("The identity provider cannot be reached")
                    }
                    refused => ApiError::unauthorized(refused.to_string()),
                })?;
            return user_for_identity(state, &identity).await;
        }
    }
    if !state.settings.auth_mode().passwords() {
        return Err(ApiError::unauthorized("Unauthorized"));
    }
    let (token, via_cookie) =
        session_token(&parts.headers).ok_or_else(|| ApiError::unauthorized("Unauthorized"))?;
    let user = users::find_by_session(&state.db, &hash_token(&token), Utc::now())
        .await?
        .ok_or_else(|| ApiError::unauthorized("Your session has expired; please sign in again"))?;
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && unsafe_method {
        session::refuse_cross_site(parts)?;
    }
    Ok(user.into())
}

/// The account of a provider's user: known by issuer and subject (their
/// e-mail address, its verification and name follow the provider), else an
/// account with the same verified address (the dev seed's demo users, a
/// password account moving to the provider), else a new one with its
/// personal organization.
async fn user_for_identity(
    state: &AppState,
    identity: &oidc::Identity,
) -> Result<CurrentUser, ApiError> {
    let name = identity
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            identity
                .email
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        });
    if let Some(user) =
        users::find_by_identity(&state.db, &identity.issuer, &identity.subject).await?
    {
        let current = user.email == identity.email.trim()
            && user.email_verified == identity.email_verified
            && user.name == name;
        if current {
            return Ok(user.into());
        }
    }
    let mut tx = begin_write(&state.db).await?;
    let user = match users::find_by_identity(&mut *tx, &identity.issuer, &identity.subject).await? {
        Some(user) => {
            let follows = users::update_from_provider(
                &mut *tx,
                &user.id,
                &identity.email,
                identity.email_verified,
                &name,
            )
            .await?;
            if !follows {
                tracing::warn!(
                    user = %user.id,
                    "the provider's e-mail address {} belongs to another account; kept {}",
                    identity.email,
                    user.email
                );
            }
            users::find_by_id(&mut *tx, &user.id).await?.unwrap_or(user)
        }
        None => match users::find_by_email(&mut *tx, &identity.email).await? {
            Some(existing) if identity.email_verified => {
                users::link_identity(&mut *tx, &identity.issuer, &identity.subject, &existing.id)
                    .await?;
                users::update_from_provider(&mut *tx, &existing.id, &identity.email, true, &name)
                    .await?;
                users::find_by_id(&mut *tx, &existing.id)
                    .await?
                    .unwrap_or(existing)
            }
            Some(_) => {
                return Err(ApiError::forbidden(
                    "An account with this e-mail address exists; verify the address at your identity provider to use it",
                ))
            }
            None => {
                let created = users::create(
                    &mut tx,
                    &identity.email,
                    &name,
                    None,
                    identity.email_verified,
                )
                .await?;
                let CreateOutcome::Created(user) = created else {
                    return Err(ApiError::conflict(
                        "An account with this e-mail address was created meanwhile; try again",
                    ));
                };
                users::link_identity(&mut *tx, &identity.issuer, &identity.subject, &user.id)
                    .await?;
                user
            }
        },
    };
    tx.commit().await?;
    Ok(user.into())
}
