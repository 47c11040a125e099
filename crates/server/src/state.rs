//! The shared handles every handler can reach.

use std::sync::Arc;

use crate::db::Db;

use crate::auth::oidc::Verifier;
use crate::config::Settings;
use crate::list_cache::ListCache;
use crate::services::mail::Mailer;
use crate::store::audit::Tallies;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub mailer: Mailer,
    pub lists: Arc<ListCache>,
    pub audit_tallies: Arc<Tallies>,
    /// The OpenID provider's token verifier, when one is configured.
    pub oidc: Option<Arc<Verifier>>,
}

impl AppState {
    /// A state whose mailer follows the settings; an unusable `--smtp-url`
    /// is logged and mail then only goes to the outbox and the log
    /// (`serve` refuses to start with one instead).
    pub fn new(db: Db, settings: Settings) -> Self {
        let mailer = Mailer::from_settings(&settings).unwrap_or_else(|error| {
            tracing::error!("{error}; mail goes to the outbox and the log only");
            Mailer::default()
        });
        AppState::with_mailer(db, settings, mailer)
    }

    pub fn with_mailer(db: Db, settings: Settings, mailer: Mailer) -> Self {
        // `serve` refuses an unusable configuration before this point.
        let oidc = settings
            .oidc()
            .unwrap_or_else(|error| {
                tracing::error!("{error}; OpenID Connect is off");
                None
            })
            .map(|oidc| Arc::new(Verifier::new(oidc)));
        AppState {
            oidc,
            db,
            settings: Arc::new(settings),
            mailer,
            lists: Arc::default(),
            audit_tallies: Arc::default(),
        }
    }
}
