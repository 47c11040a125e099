//! What the handlers share: the JSON body and answer, the route list they
//! add themselves to, and the [`CurrentUser`] extractor.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::Method;
use axum::routing::MethodRouter;
use roster_core::protocol;

use crate::audit::AuditSlot;
use crate::auth::{oidc, session, CurrentUser};
use crate::error::ApiError;
use crate::services::accounts;
use crate::state::AppState;

/// Bodies of this API are small; anything bigger is refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A bulk request may name 10,000 members (`wire::BULK_MEMBERS_MAX`),
/// some 400 KB of ids.
pub const BULK_MAX_BODY_BYTES: usize = 640 * 1024;
/// The routes whose bodies may be as large as [`BULK_MAX_BODY_BYTES`].
const BULK_ROUTES: [&str; 1] = ["/api/organizations/{organizationId}/users/bulk"];

/// The largest body the matched `route` takes.
pub fn body_limit(route: Option<&str>) -> usize {
    match route {
        Some(route) if BULK_ROUTES.contains(&route) => BULK_MAX_BODY_BYTES,
        _ => MAX_BODY_BYTES,
    }
}

/// `axum::Json` whose rejections are rendered as API errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// The routes of the API as registered, so a test can compare them with the
/// access table. Paths are as in the OpenAPI document (no `/api` prefix).
#[derive(Default)]
pub struct RouteList {
    routes: Vec<(&'static str, MethodRouter<AppState>)>,
}

impl RouteList {
    pub fn add(&mut self, path: &'static str, handler: MethodRouter<AppState>) {
        self.routes.push((path, handler));
    }

    pub fn paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.routes.iter().map(|(path, _)| *path)
    }

    /// The routes, for the router to register.
    pub fn into_routes(self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        self.routes
    }
}

/// Who is calling, whatever proved it (see `crate::auth`); remembered for
/// the rest of the request and named in its audit row.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let user = authenticate(parts, state).await?;
        parts.extensions.insert(user.clone());
        if let Some(audit) = parts.extensions.get::<AuditSlot>() {
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
            return accounts::user_for_identity(&state.db, &identity).await;
        }
    }
    if !state.settings.auth_mode().passwords() {
        return Err(ApiError::unauthorized(protocol::UNAUTHORIZED));
    }
    let (token, via_cookie) = session::session_token(&parts.headers)
        .ok_or_else(|| ApiError::unauthorized(protocol::UNAUTHORIZED))?;
    let user = accounts::session_user(&state.db, &token)
        .await?
        .ok_or_else(|| ApiError::unauthorized("Your session has expired; please sign in again"))?;
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && unsafe_method {
        session::refuse_cross_site(parts)?;
    }
    Ok(user)
}
