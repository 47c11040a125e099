//! The host page's sign-in (`<meta name="roster-auth" content="host">`):
//! the portal defines, before the app starts,
//!
//! ```js
//! window.rosterHost = {
//!   getAccessToken: () => Promise<string>, // asked before every request
//!   signOut: () => void,                   // optional: the user menu's "Sign out"
//! };
//! ```

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn host_function(name: &str) -> Option<(JsValue, Function)> {
    let window = web_sys::window()?;
    let host = Reflect::get(&window, &JsValue::from_str("rosterHost")).ok()?;
    if host.is_undefined() || host.is_null() {
        return None;
    }
    let function = Reflect::get(&host, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((host, function))
}

/// A fresh access token from the host page.
pub async fn access_token() -> Result<String, String> {
    let (host, get) = host_function("getAccessToken").ok_or(
        "the page asks for its own sign-in but defines no window.rosterHost.getAccessToken",
    )?;
    let answer = get
        .call0(&host)
        .map_err(|e| format!("window.rosterHost.getAccessToken failed: {e:?}"))?;
    let token = match answer.dyn_into::<Promise>() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| format!("window.rosterHost.getAccessToken failed: {e:?}"))?,
        Err(value) => value,
    };
    token
        .as_string()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "window.rosterHost.getAccessToken gave no token".to_owned())
}

/// Whether the host offers "Sign out".
pub fn can_sign_out() -> bool {
    host_function("signOut").is_some()
}

pub fn sign_out() {
    if let Some((host, sign_out)) = host_function("signOut") {
        let _ = sign_out.call0(&host);
    }
}
