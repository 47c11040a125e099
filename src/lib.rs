//! Roster's single-page app, in layers that import only those below them
//! (`docs/architecture.md`; `cargo xtask layers` checks every import):
//! leaves → api client → state (contexts) → components → layout and pages
//! → app.
//!
//! Every decision about what to show or enable is asked of `roster_core`.
//!
//! - Leaves: [`routes`], [`config`], [`dom`], [`format`](mod@format), [`icons`],
//!   [`crash`], and [`auth`] (how requests prove who the user is).
//! - [`api`]: transport, errors, and one module per resource with one typed
//!   async function per API endpoint.
//! - [`state`]: contexts (session, organizations, current organization and
//!   capabilities, pending invitations, theme, toasts) and stores.
//! - [`components`]: reusable, accessible building blocks, and the dialogs
//!   more than one page uses.
//! - [`layout`]: the signed-in shell (sidebar, switcher, user menu).
//! - [`pages`]: one module per route; no page imports another.
//! - [`app`]: the routes.

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod config;
pub mod crash;
pub mod dom;
pub mod format;
pub mod icons;
pub mod layout;
pub mod pages;
pub mod routes;
pub mod state;
#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) mod testing;

use wasm_bindgen::JsCast;

/// Mounts the app into `#roster` when the host page has one (embedding in a
/// portal), otherwise into `<body>`; a panic then replaces it with a
/// message and "Reload" ([`crash`]).
pub fn mount() {
    crash::install();
    let finishing_sign_in = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.contains("code=") && q.contains("state="));
    if finishing_sign_in {
        // Back from the OpenID provider: the address bar is set to the
        // page asked for before the router reads it.
        wasm_bindgen_futures::spawn_local(async {
            auth::start(backend_config).await;
            mount_app();
        });
    } else {
        // Before the app is mounted: not on Leptos's executor, which
        // mounting sets up.
        wasm_bindgen_futures::spawn_local(auth::start(backend_config));
        mount_app();
    }
}

/// The backend's configuration, for [`auth::start`] to decide how to sign
/// in; unknown when it cannot be read.
async fn backend_config() -> Option<roster_core::wire::RosterConfig> {
    api::session::config().await.ok()
}

fn mount_app() {
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("roster"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match host {
        Some(element) => leptos::mount::mount_to(element, app::App).forget(),
        None => leptos::mount::mount_to_body(app::App),
    }
}
