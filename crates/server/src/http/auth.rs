//! Sign-up, sign-in, sign-out, e-mail verification and the current user.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use roster_core::validate::{normalize_email, validate_sign_up, EMAIL_MAX_CHARS};
use roster_core::wire::{AuthSession, SignIn, SignUp, User, VerifyEmail};

use super::access::USER;
use super::{Json, RouteList};
use crate::audit::AuditSlot;
use crate::auth::{self, CurrentUser, SESSION_COOKIE, SESSION_DAYS};
use crate::db::{begin_write, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::mail;
use crate::store::users::{self, CreateOutcome};
use crate::AppState;

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

/// Argon2 is deliberately slow and takes 19 MiB per hash: keep it off the
/// async workers, a few at a time (requests beyond wait their turn, so a
/// flood of sign-ins cannot exhaust memory).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
    let turn = HASHING.acquire().await.map_err(ApiError::internal)?;
    // The hash holds the turn, not the request: a client that hangs up
    // does not free it while the hash still runs.
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        work()
    })
    .await
    .map_err(ApiError::internal)
}

async fn sign_up(
    _: PasswordAccounts,
    State(state): State<AppState>,
    audit: AuditSlot,
    Json(body): Json<SignUp>,
) -> ApiResult<Response> {
    let (email, name) = validate_sign_up(&body.email, &body.name, &body.password)?;
    let password = body.password;
    let hash = blocking(move || auth::hash_password(&password))
        .await?
        .map_err(ApiError::internal)?;

    let verified = state.settings.dev;
    let mut tx = begin_write(&state.db).await?;
    let user = match users::create(&mut tx, &email, &name, Some(&hash), verified).await? {
        CreateOutcome::Created(user) => user,
        CreateOutcome::EmailTaken => {
            return Err(ApiError::conflict(
                "An account with this email already exists",
            ))
        }
    };
    if !verified {
        let (token, token_hash) = auth::new_token();
        sqlx::query(
            "INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
        )
        .bind(token_hash)
        .bind(&user.id)
        .bind(timestamp(Utc::now() + chrono::Duration::days(2)))
        .execute(&mut *tx)
        .await?;
        let link = format!("{}/verify-email?token={token}", state.settings.public_url());
        mail::send(
            &state.mailer,
            &mut *tx,
            &mail::Message {
                to: user.email.clone(),
                subject: "Verify your email address for Roster".into(),
                body: format!(
                    "Hello {},\n\nConfirm your email address to accept organization invitations:\n{link}\n",
                    user.name
                ),
                link: Some(link),
            },
        )
        .await?;
    }
    let token = users::start_session(&mut *tx, &user.id).await?;
    tx.commit().await?;
    state.mailer.wake();
    audit.set_actor(&user.id, &user.email);
    audit.set_target(USER, &user.id);
    let user = CurrentUser::from(user);
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
    let key = normalize_email(&body.email);
    // No account has a longer address (sign-up refuses it); nothing to check
    // or remember.
    if key.chars().count() > EMAIL_MAX_CHARS {
        return Err(ApiError::unauthorized("Invalid email or password"));
    }
    if let Err(seconds) = state.sign_in_throttle.begin(&key) {
        let minutes = seconds.div_ceil(60);
        return Err(ApiError::too_many_requests(
            format!("Too many failed sign-in attempts; try again in {minutes} minute(s)"),
            seconds,
        ));
    }
    let user = users::find_by_email(&state.db, &body.email).await?;
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| auth::decoy_hash().to_string());
    let password = body.password;
    let matches = blocking(move || auth::verify_password(&password, &stored)).await?;
    let user = match user {
        Some(user) if matches && user.password_hash.is_some() => user,
        // The attempt begun above stays counted.
        _ => return Err(ApiError::unauthorized("Invalid email or password")),
    };
    state.sign_in_throttle.clear(&key);
    audit.set_actor(&user.id, &user.email);
    audit.set_target(USER, &user.id);
    let token = users::start_session(&state.db, &user.id).await?;
    Ok(signed_in(
        &state,
        StatusCode::OK,
        token,
        CurrentUser::from(user).to_wire(),
    ))
}

async fn sign_out(
    _: PasswordAccounts,
    State(state): State<AppState>,
    headers: HeaderMap,
    _user: CurrentUser,
) -> ApiResult<Response> {
    if let Some((token, _)) = auth::session_token(&headers) {
        users::end_session(&state.db, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

/// Verifies the signed-in account's address. The link alone is not
/// enough: whoever signed up with someone else's address could otherwise
/// get it verified by its owner clicking the mail, and then accept every
/// invitation sent to it.
async fn verify_email(
    _: PasswordAccounts,
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<VerifyEmail>,
) -> ApiResult<StatusCode> {
    let token_hash = auth::hash_token(body.token.trim());
    let mut tx = begin_write(&state.db).await?;
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM email_verifications WHERE token_hash = ? AND expires_at > ?",
    )
    .bind(&token_hash)
    .bind(timestamp(Utc::now()))
    .fetch_optional(&mut *tx)
    .await?;
    let user_id = match owner {
        None => {
            return Err(ApiError::bad_request(
                "This verification link is invalid or has expired",
            ))
        }
        Some(owner) if owner != user.id => {
            return Err(ApiError::forbidden(
                "This link verifies another account: sign in with the address it was sent to",
            ))
        }
        Some(owner) => owner,
    };
    sqlx::query("DELETE FROM email_verifications WHERE token_hash = ?")
        .bind(&token_hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET email_verified = 1 WHERE id = ?")
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: CurrentUser) -> Json<User> {
    Json(user.to_wire())
}
