//! Health, the configuration the SPA reads about its backend, and regions.

use axum::extract::State;
use axum::routing::get;
use roster_core::wire::RosterConfig;
use serde_json::{json, Value};

use super::{Json, RouteList};
use crate::AppState;

pub fn routes(routes: &mut RouteList) {
    routes.add("/health", get(health));
    routes.add("/config", get(config));
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
