//! The API under `/api`, one module per resource. Every route is listed in
//! the access table (`access.rs`), which is enforced before its handler.
//!
//! Handler modules (one per resource) import the shared modules (`access`,
//! `audit_trail`, `context`, `extract`, `openapi`), not this file: what two
//! handlers share belongs in a shared module, so no import goes back up.

pub mod access;
mod assignments;
mod audit_log;
pub mod audit_trail;
mod auth;
pub mod context;
pub mod extract;
mod invitations;
mod members;
pub mod openapi;
mod organizations;
mod system;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::any;
use axum::{middleware, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use self::extract::{RouteList, MAX_BODY_BYTES};
use crate::error::{api_not_found, render_errors};
use crate::state::AppState;

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
            HeaderName::from_static(roster_core::membership_header::MEMBERSHIP_HEADER),
        ])
        .max_age(std::time::Duration::from_secs(600))
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
    for (path, handler) in route_list().into_routes() {
        api = api.route(&format!("/api{path}"), handler.route_layer(gate.clone()));
    }
    api.route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            audit_trail::record_mutations,
        ))
        .layer(middleware::from_fn(render_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}
