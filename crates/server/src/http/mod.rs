//! The API under `/api`, one module per resource. Every route is listed in
//! the access table (`access.rs`), which is enforced before its handler.

pub mod access;
mod assignments;
mod audit_log;
mod auth;
pub mod context;
mod invitations;
mod members;
mod organizations;
mod system;

use axum::extract::{DefaultBodyLimit, FromRequest};
use axum::http::{header, HeaderValue};
use axum::routing::{any, MethodRouter};
use axum::{middleware, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::{api_not_found, render_errors, ApiError};
use crate::AppState;

/// CORS for pages on the `--cors-origin` origins: bearer-token requests
/// (with `Authorization`), never credentials, so a cookie session cannot
/// be used from there. Without origins, no CORS headers at all.
pub fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderName, Method};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.trim_end_matches('/')).ok())
        .collect();
    if origins.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            // The audit export's file name.
            header::CONTENT_DISPOSITION,
            HeaderName::from_static(roster_core::wire::TOTAL_COUNT_HEADER),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// Bodies of this API are small; anything bigger is refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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
}

pub fn route_list() -> RouteList {
    let mut routes = RouteList::default();
    system::routes(&mut routes);
    auth::routes(&mut routes);
    organizations::routes(&mut routes);
    members::routes(&mut routes);
    invitations::routes(&mut routes);
    assignments::routes(&mut routes);
    audit_log::routes(&mut routes);
    routes
}

/// The API router, with the access gate on every route, the audit log on
/// every mutation and the JSON error body on every failure. Answers are
/// `Cache-Control: no-store` unless they say otherwise (the member and
/// invitation lists, which carry a validator): they belong to whoever
/// asked, and no cache need keep them.
pub fn router(state: AppState) -> Router {
    let gate = middleware::from_fn_with_state(state.clone(), access::enforce);
    let mut api = Router::new();
    for (path, handler) in route_list().routes {
        api = api.route(&format!("/api{path}"), handler.route_layer(gate.clone()));
    }
    api.route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::audit::record_mutations,
        ))
        .layer(middleware::from_fn(render_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}
