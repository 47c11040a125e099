//! Authentication and the backend (Roster's own): its configuration, the
//! password accounts' sign-up, sign-in and sign-out, and who is signed in.

use gloo_net::http::Method;
use roster_core::wire;

use super::transport::{get, request, send, Body, CONFIG_PATH};
use super::ApiResult;

/// `GET /config`: version, how to sign in (the OpenID provider), dev mode
/// and demo accounts.
pub async fn config() -> ApiResult<wire::RosterConfig> {
    get(CONFIG_PATH).await
}

/// `POST /auth/sign-up`.
pub async fn sign_up(body: &wire::SignUp) -> ApiResult<wire::AuthSession> {
    request(Method::POST, "/auth/sign-up", Body::json(body))
        .await?
        .json()
}

/// `POST /auth/sign-in`; the server also sets the session cookie.
pub async fn sign_in(body: &wire::SignIn) -> ApiResult<wire::AuthSession> {
    request(Method::POST, "/auth/sign-in", Body::json(body))
        .await?
        .json()
}

/// `POST /auth/sign-out`: revokes the session.
pub async fn sign_out() -> ApiResult<()> {
    send(Method::POST, "/auth/sign-out", Body::None).await
}

/// `POST /auth/verify-email`.
pub async fn verify_email(token: &str) -> ApiResult<()> {
    let body = wire::VerifyEmail {
        token: token.to_owned(),
    };
    send(Method::POST, "/auth/verify-email", Body::json(&body)).await
}

/// `GET /users/me`.
pub async fn me() -> ApiResult<wire::User> {
    get("/users/me").await
}
