//! Sign-up, sign-in, sign-out, e-mail verification and the current user.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use roster_core::wire::{AuthSession, SignIn, SignUp, User, VerifyEmail};

use super::extract::{Json, RouteList};
use crate::audit::{AuditSlot, USER};
use crate::auth::session::{session_token, SESSION_COOKIE, SESSION_DAYS};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::accounts;
use crate::state::AppState;

pub fn routes(routes: &mut RouteList) {
    routes.add("/auth/sign-up", post(sign_up));
    routes.add("/auth/sign-in", post(sign_in));
    routes.add("/auth/sign-out", post(sign_out));
    routes.add("/auth/verify-email", post(verify_email));
    routes.add("/users/me", get(me));
}

/// The password endpoints exist only while Roster's own accounts are on
/// (`--auth password` or `both`); with the OpenID provider alone they
/// answer 404, as routes that do not exist.
struct PasswordAccounts;

impl FromRequestParts<AppState> for PasswordAccounts {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.settings.auth_mode().passwords() {
            Ok(PasswordAccounts)
        } else {
            Err(crate::error::api_not_found().await)
        }
    }
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.settings.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn signed_in(state: &AppState, status: StatusCode, token: String, user: User) -> Response {
    let cookie = session_cookie(state, &token, SESSION_DAYS * 24 * 3600);
    let mut response = (status, Json(AuthSession { token, user })).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

async fn sign_up(
    _: PasswordAccounts,
    State(state): State<AppState>,
    audit: AuditSlot,
    Json(body): Json<SignUp>,
) -> ApiResult<Response> {
    let public_url = state.settings.public_url();
    let (user, token) = accounts::sign_up(
        &state.db,
        &state.mailer,
        &public_url,
        state.settings.dev,
        body,
    )
    .await?;
    audit.set_actor(&user.id, &user.email);
    audit.set_target(USER, &user.id);
    Ok(signed_in(
        &state,
        StatusCode::CREATED,
        token,
        user.to_wire(),
    ))
}

async fn sign_in(
    _: PasswordAccounts,
    State(state): State<AppState>,
    audit: AuditSlot,
    Json(body): Json<SignIn>,
) -> ApiResult<Response> {
    let user = accounts::check_password(&state.db, body).await?;
    audit.set_actor(&user.id, &user.email);
    audit.set_target(USER, &user.id);
    let token = accounts::start_session(&state.db, &user.id).await?;
    Ok(signed_in(&state, StatusCode::OK, token, user.to_wire()))
}

async fn sign_out(
    _: PasswordAccounts,
    State(state): State<AppState>,
    headers: HeaderMap,
    _user: CurrentUser,
) -> ApiResult<Response> {
    if let Some((token, _)) = session_token(&headers) {
        accounts::end_session(&state.db, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

/// Verifies the signed-in account's address (see
/// [`accounts::verify_email`]).
async fn verify_email(
    _: PasswordAccounts,
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<VerifyEmail>,
) -> ApiResult<StatusCode> {
    accounts::verify_email(&state.db, &user, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: CurrentUser) -> Json<User> {
    Json(user.to_wire())
}
