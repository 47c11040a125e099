//! Health, the configuration the SPA reads about its backend, and regions.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use roster_core::wire::{Region, RosterConfig};
use serde_json::{json, Value};

use super::extract::{Json, RouteList};
use super::openapi;
use crate::error::{ApiError, ApiResult};
use crate::services::seed;
use crate::state::AppState;

pub fn routes(routes: &mut RouteList) {
    routes.add("/health", get(health));
    routes.add("/config", get(config));
    routes.add("/shared-regions", get(shared_regions));
    routes.add("/openapi.json", get(openapi_document));
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn config(State(state): State<AppState>) -> Json<RosterConfig> {
    Json(RosterConfig {
        version: env!("CARGO_PKG_VERSION").to_string(),
        auth: state.settings.auth_mode().as_str().to_string(),
        oidc: state.oidc.as_ref().map(|verifier| {
            let settings = verifier.settings();
            roster_core::wire::OidcConfig {
                issuer: settings.issuer.clone(),
                client_id: settings.client_id.clone(),
                audience: settings.audience.clone(),
            }
        }),
        dev: state.settings.dev,
        audit_export: true,
        // Their passwords only matter while passwords sign people in.
        demo_accounts: if state.settings.dev && state.settings.auth_mode().passwords() {
            seed::demo_accounts()
        } else {
            Vec::new()
        },
    })
}

async fn shared_regions() -> Json<Vec<Region>> {
    Json(crate::regions::shared_regions())
}

/// The document is the same for every request: serialized once.
async fn openapi_document() -> ApiResult<impl IntoResponse> {
    static BODY: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    let body = BODY
        .get_or_init(|| {
            openapi::document()
                .and_then(|doc| serde_json::to_string(doc).map_err(|e| e.to_string()))
        })
        .as_ref()
        .map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body.as_str()))
}
