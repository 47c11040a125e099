//! Roster's reference API server.
//!
//! Every permission decision is asked of `roster_core`; the database
//! enforces the invariants. The modules form layers, each importing only
//! from the layers below it (`docs/architecture.md`, checked by `cargo xtask
//! layers`):
//!
//! - this file, `main.rs` and `cli`: the application, and how it starts;
//! - `http`: routes, extractors, middleware, handlers, the OpenAPI document;
//!   `spa`: the SPA's static files;
//! - `state`: [`AppState`](state::AppState), the shared handles;
//! - `services`: the steps a request runs (one module per resource, and
//!   accounts, mail, the demo seed);
//! - `store`: all SQL but the pool's (`db`);
//! - `db`: the pool, migrations, write transactions, ids and timestamps;
//! - leaves: `error`, `config`, `auth` (passwords, tokens, the throttle, the
//!   OpenID verifier), `audit` (what a request's row says), `cooldown`,
//!   `list_cache`, `regions`.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod cooldown;
pub mod db;
pub mod error;
pub mod http;
pub mod list_cache;
pub mod regions;
pub mod services;
pub mod spa;
pub mod state;
pub mod store;

use axum::response::Redirect;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::error::BoxError;
use crate::services::{mail, seed};
use crate::state::AppState;

/// The whole application: the API under `/api`, the SPA everywhere else
/// (or under the public URL's path, when it has one).
pub fn app(state: AppState) -> Router {
    let state_cors = state.settings.cors_origins.clone();
    let static_dir = state.settings.static_dir.clone();
    let base_path = state.settings.base_path();
    let api = http::router(state);
    let app = if base_path.is_empty() {
        api.fallback_service(spa::router(&static_dir))
    } else {
        let home = format!("{base_path}/");
        api.nest_service(&base_path, spa::router_under(&static_dir, &base_path))
            .route("/", get(move || async move { Redirect::to(&home) }))
    };
    app.layer(CompressionLayer::new())
        .layer(http::cors(&state_cors))
        .layer(TraceLayer::new_for_http())
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("roster_server=info,tower_http=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Opens the database (running migrations) and serves until Ctrl-C.
pub async fn serve(settings: Settings) -> Result<(), BoxError> {
    settings.oidc()?;
    let db = db::connect(&settings.database_url).await?;
    match db::Backend::of(&db) {
        db::Backend::Sqlite => tracing::info!("database: SQLite, {}", settings.database_url),
        db::Backend::Postgres => tracing::info!(
            "database: PostgreSQL, {}",
            db::redact(&settings.database_url)
        ),
    }
    if settings.dev && seed::seed_if_empty(&db).await? {
        tracing::info!("seeded the demo data");
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    let address = listener.local_addr()?;
    // Without TCP_NODELAY the last segment of a streamed file waits for the
    // client's delayed ACK: 40 ms added to static files and large answers.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!("cannot set TCP_NODELAY: {error}");
        }
    });
    if !settings.static_dir.join("index.html").exists() {
        tracing::warn!(
            "{} has no index.html; build the SPA with `cargo xtask dist`",
            settings.static_dir.display()
        );
    }
    let mailer = mail::Mailer::from_settings(&settings)?;
    let state = AppState::with_mailer(db, settings, mailer);
    state.mailer.start(state.db.clone());
    println!("Roster is running at http://{address}");
    if state.settings.dev && !state.settings.auth_mode().passwords() {
        println!("Demo users (sign in at the OpenID provider):");
        for account in seed::demo_accounts() {
            println!("  {:<20} {}", account.email, account.description);
        }
    } else if state.settings.dev {
        println!("Demo sign-ins (password \"{}\"):", seed::DEMO_PASSWORD);
        for account in seed::demo_accounts() {
            println!("  {:<20} {}", account.email, account.description);
        }
    }
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
