//! Roster's own sessions: random tokens (stored only as hashes), sent as
//! a bearer token or the session cookie, and the CSRF defence for
//! cookie-authenticated unsafe requests.

use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "roster_session";
pub const SESSION_DAYS: i64 = 30;

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

/// The `Authorization: Bearer` credential of the request.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
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
pub fn refuse_cross_site(parts: &Parts) -> Result<(), ApiError> {
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
