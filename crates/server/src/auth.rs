//! Who is calling: sessions (cookie or bearer token), password hashing,
//! CSRF defence for cookie-authenticated unsafe requests, and throttling of
//! failed sign-ins.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "roster_session";
pub const SESSION_DAYS: i64 = 30;

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

/// A fresh random token (sent to the client once) and the hash we store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(ApiError::internal)
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so a wrong
/// e-mail costs as much time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("roster-decoy-password").unwrap_or_default())
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim())
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

/// A browser's cross-site request carrying our cookie must not act on the
/// user's behalf. Browsers send `Sec-Fetch-Site`; older ones send `Origin`.
fn refuse_cross_site(parts: &Parts) -> Result<(), ApiError> {
    let refused = || ApiError::forbidden("Cross-site request refused");
    if let Some(site) = parts.headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(refused()),
        };
    }
    if let Some(origin) = parts.headers.get(header::ORIGIN) {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest);
        if origin_host.is_none() || origin_host != host {
            return Err(refused());
        }
    }
    Ok(())
}

/// The session token of the request, and whether it came from the cookie.
pub fn session_token(headers: &HeaderMap) -> Option<(String, bool)> {
    bearer_token(headers)
        .map(|t| (t.to_string(), false))
        .or_else(|| cookie_token(headers).map(|t| (t.to_string(), true)))
}

pub async fn user_for_token(
    state: &AppState,
    token: &str,
) -> Result<Option<CurrentUser>, ApiError> {
    let row = sqlx::query_as::<_, (String, String, String, bool, DateTime<Utc>)>(
        "SELECT u.id, u.email, u.name, u.email_verified, u.created_at
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(hash_token(token))
    .bind(crate::db::timestamp(Utc::now()))
    .fetch_optional(&state.db)
    .await?;
    Ok(row.map(
        |(id, email, name, email_verified, created_at)| CurrentUser {
            id,
            email,
            name,
            email_verified,
            created_at,
        },
    ))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let (token, via_cookie) =
            session_token(&parts.headers).ok_or_else(|| ApiError::unauthorized("Unauthorized"))?;
        let user = user_for_token(state, &token).await?.ok_or_else(|| {
            ApiError::unauthorized("Your session has expired; please sign in again")
        })?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if via_cookie && unsafe_method {
            refuse_cross_site(parts)?;
        }
        parts.extensions.insert(user.clone());
        if let Some(audit) = parts.extensions.get::<crate::audit::AuditSlot>() {
            audit.set_actor(&user.id, &user.email);
        }
        Ok(user)
    }
}

/// Failed sign-ins per e-mail address: after `LIMIT` failures within
/// `WINDOW`, further attempts are refused until the window passes.
#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl SignInThrottle {
    const LIMIT: usize = 5;
    const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Addresses tracked before the expired ones are dropped.
    const PRUNE_AT: usize = 10_000;

    /// Starts an attempt for this address, counted as failed until
    /// [`clear`](Self::clear) (a success): parallel guesses cannot all pass
    /// the check before the first failure is recorded. `Err` is the seconds
    /// to wait.
    pub fn begin(&self, email: &str) -> Result<(), u64> {
        self.begin_at(email, Instant::now())
    }

    fn begin_at(&self, email: &str, now: Instant) -> Result<(), u64> {
        let recent_at = |t: &Instant| now.saturating_duration_since(*t) < Self::WINDOW;
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= Self::PRUNE_AT {
            failures.retain(|_, times| {
                times.retain(recent_at);
                !times.is_empty()
            });
        }
        let recent = failures.entry(email.to_string()).or_default();
        recent.retain(recent_at);
        if recent.len() >= Self::LIMIT {
            let oldest = recent
                .iter()
                .map(|t| now.saturating_duration_since(*t))
                .max()
                .unwrap_or_default();
            return Err(Self::WINDOW.saturating_sub(oldest).as_secs().max(1));
        }
        recent.push(now);
        Ok(())
    }

    /// Addresses with an attempt in the window (for tests of the bound).
    pub fn tracked(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn clear(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn throttle_refuses_the_sixth_attempt_and_clears_on_success() {
        let throttle = SignInThrottle::default();
        // Five attempts begun and not cleared: five failures.
        for _ in 0..5 {
            assert_eq!(throttle.begin("a@example.com"), Ok(()));
        }
        assert!(throttle.begin("a@example.com").is_err_and(|s| s > 0));
        assert_eq!(throttle.begin("b@example.com"), Ok(()));
        throttle.clear("a@example.com");
        assert_eq!(throttle.begin("a@example.com"), Ok(()));
    }

    #[test]
    fn throttle_forgets_addresses_whose_attempts_expired() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for n in 0..SignInThrottle::PRUNE_AT {
            throttle
                .begin_at(&format!("old{n}@example.com"), start)
                .unwrap();
        }
        let later = start + SignInThrottle::WINDOW + Duration::from_secs(1);
        throttle.begin_at("new@example.com", later).unwrap();
        assert_eq!(throttle.tracked(), 1);
    }
}
