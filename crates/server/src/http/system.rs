//! Health and the configuration the SPA reads about its backend.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use roster_core::wire::RosterConfig;
use serde_json::{json, Value};

use super::Json;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/config", get(config))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn config(State(state): State<AppState>) -> Json<RosterConfig> {
    Json(RosterConfig {
        version: env!("CARGO_PKG_VERSION").to_string(),
        auth: "password".to_string(),
        dev: state.settings.dev,
        demo_accounts: Vec::new(),
    })
}
