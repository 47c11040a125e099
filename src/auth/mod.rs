//! How the SPA proves who the user is, decided at run time from the page
//! and the backend (product.md §4):
//!
//! - **Host**: `<meta name="roster-auth" content="host">` — a portal that
//!   signs its users in itself hands out access tokens through
//!   `window.rosterHost.getAccessToken()`, asked before every request
//!   ([`host`]).
//! - **OpenID Connect**: the backend's `GET /config` names a provider
//!   (`"oidc": {"issuer", "clientId", "audience"}`, Daytona's shape): the
//!   authorization code flow with PKCE against it ([`oidc`]).
//! - **Password**: Roster's own accounts and session cookie.
//!
//! In the first two every request carries `Authorization: Bearer` and no
//! credentials, so the API may live on another origin than the page.

pub mod host;
pub mod oidc;

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use leptos::prelude::*;
use roster_core::wire;

/// How requests are authenticated.
#[derive(Clone, Debug)]
pub enum Mode {
    Password,
    Oidc(Rc<oidc::Client>),
    Host,
}

impl Mode {
    /// Requests carry a bearer token rather than the session cookie.
    pub fn uses_bearer(&self) -> bool {
        !matches!(self, Mode::Password)
    }
}

thread_local! {
    /// [`start`] was called: requests wait for the mode.
    static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static MODE: RefCell<Option<Mode>> = const { RefCell::new(None) };
    static WAITING: RefCell<Vec<oneshot::Sender<()>>> = const { RefCell::new(Vec::new()) };
}

/// The page asks for the host's sign-in.
pub fn page_wants_host() -> bool {
    crate::config::meta_content("roster-auth").is_some_and(|m| m.trim() == "host")
}

/// The mode, once known.
pub fn mode() -> Option<Mode> {
    MODE.with_borrow(Clone::clone)
}

fn set_mode(mode: Mode) {
    MODE.with_borrow_mut(|m| *m = Some(mode));
    for waiting in WAITING.with_borrow_mut(std::mem::take) {
        let _ = waiting.send(());
    }
}

/// Waits until the mode is known (requests other than `/config` wait).
/// Without [`start`] (a component tested on its own) it is Roster's own
/// accounts.
pub async fn ready() -> Mode {
    if let Some(mode) = mode() {
        return mode;
    }
    if !STARTED.get() {
        return Mode::Password;
    }
    let (sender, receiver) = oneshot::channel();
    WAITING.with_borrow_mut(|w| w.push(sender));
    let _ = receiver.await;
    mode().unwrap_or(Mode::Password)
}

/// Decides the mode: the page, else the backend's configuration, which
/// `config` asks for (`GET /config`, sent without credentials: this module
/// sits below the API client, which asks it how to authenticate). With
/// OpenID Connect it also finishes a sign-in the provider sent the user
/// back from, or renews the session of a reloaded page. From the call on
/// (before the returned future runs), requests wait for it.
pub fn start<F>(config: impl FnOnce() -> F) -> impl std::future::Future<Output = ()>
where
    F: std::future::Future<Output = Option<wire::RosterConfig>>,
{
    STARTED.set(true);
    decide(config)
}

async fn decide<F>(config: impl FnOnce() -> F)
where
    F: std::future::Future<Output = Option<wire::RosterConfig>>,
{
    if page_wants_host() {
        set_mode(Mode::Host);
        return;
    }
    let config: Option<wire::RosterConfig> = config().await;
    let Some(settings) = config.and_then(|c| c.oidc) else {
        remember_mode("password");
        set_mode(Mode::Password);
        return;
    };
    remember_mode("oidc");
    let client = Rc::new(oidc::Client::new(settings));
    let started = client.start().await;
    set_mode(Mode::Oidc(Rc::clone(&client)));
    if let Err(error) = started {
        leptos::logging::warn!("OpenID Connect sign-in did not complete: {error}");
    }
}

/// What index.html's head start reads: a page that signs in with tokens
/// must not start cookie requests that can only answer 401.
fn remember_mode(mode: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let key = format!("roster.auth:{}", crate::config::api_base());
        let _ = storage.set_item(&key, mode);
    }
}

/// The `Authorization` header value for the next request, when the mode
/// uses bearer tokens.
pub async fn authorization(mode: &Mode) -> Result<Option<String>, String> {
    match mode {
        Mode::Password => Ok(None),
        Mode::Oidc(client) => Ok(client.access_token().map(|t| format!("Bearer {t}"))),
        Mode::Host => host::access_token()
            .await
            .map(|t| Some(format!("Bearer {t}"))),
    }
}

/// A 401 in a bearer mode: renews the token once; true when a retry may
/// succeed.
pub async fn renew_after_unauthorized(mode: &Mode) -> bool {
    match mode {
        Mode::Password => false,
        Mode::Oidc(client) => client.renew().await.is_ok(),
        // The host renews its own tokens; asking again gets a fresh one.
        Mode::Host => true,
    }
}

/// Starts signing in where the mode signs in: the provider's login page
/// (coming back to `return_to`), nothing for the host.
pub fn sign_in_elsewhere(return_to: &str) -> bool {
    match mode() {
        Some(Mode::Oidc(client)) => {
            let client = Rc::clone(&client);
            let return_to = return_to.to_owned();
            leptos::task::spawn_local(async move {
                if let Err(error) = client.sign_in(&return_to).await {
                    leptos::logging::warn!("cannot start signing in: {error}");
                }
            });
            true
        }
        Some(Mode::Host) => true,
        _ => false,
    }
}

/// Ends the session where the mode keeps it; false for password sessions
/// (the API ends those).
pub fn sign_out_elsewhere() -> bool {
    match mode() {
        Some(Mode::Oidc(client)) => {
            client.sign_out();
            true
        }
        Some(Mode::Host) => {
            host::sign_out();
            true
        }
        _ => false,
    }
}

/// Whether sign-in happens elsewhere (OpenID provider or host page).
pub fn signs_in_elsewhere() -> Signal<Option<bool>> {
    let known = RwSignal::new(mode().map(|m| m.uses_bearer()));
    if known.get_untracked().is_none() {
        leptos::task::spawn_local(async move {
            let mode = ready().await;
            known.try_set(Some(mode.uses_bearer()));
        });
    }
    known.into()
}
