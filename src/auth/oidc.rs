//! OpenID Connect in the browser: the authorization code flow with PKCE
//! (S256) against the provider the backend names, as Daytona's dashboard
//! signs in.
//!
//! - Signing in goes to the provider's authorization endpoint with a fresh
//!   verifier, `state` and `nonce` (kept in sessionStorage for the round
//!   trip, with the deep link asked for) and the API's `audience`.
//! - Back from it, the code is exchanged, `state` and `nonce` are checked,
//!   `code` and `state` leave the address bar and the deep link is restored.
//! - The access token lives in memory only. The refresh token (rotated at
//!   every use) stays in sessionStorage, so that a reloaded tab keeps its
//!   session and a closed one forgets it; the access token is renewed a
//!   minute before it expires.
//! - "Sign out" goes through the provider's `end_session_endpoint` when it
//!   has one.

use std::cell::RefCell;
use std::time::Duration;

use roster_core::wire::OidcConfig;
use serde::Deserialize;
use wasm_bindgen::JsCast;

const PENDING_KEY: &str = "roster.oidc.pending";
const REFRESH_KEY: &str = "roster.oidc.refresh";
const ID_TOKEN_KEY: &str = "roster.oidc.id-token";
/// Renew this long before the access token expires.
const RENEW_AHEAD: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// A sign-in on its way to the provider and back.
#[derive(Debug, serde::Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    return_to: String,
}

pub struct Client {
    settings: OidcConfig,
    discovery: RefCell<Option<Discovery>>,
    access_token: RefCell<Option<String>>,
    renewal: RefCell<Option<leptos::prelude::TimeoutHandle>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(settings: OidcConfig) -> Self {
        Client {
            settings,
            discovery: RefCell::default(),
            access_token: RefCell::default(),
            renewal: RefCell::default(),
        }
    }

    pub fn access_token(&self) -> Option<String> {
        self.access_token.borrow().clone()
    }

    /// At start: finishes a sign-in the provider sent back, or renews a
    /// reloaded page's session from its refresh token.
    pub async fn start(self: &std::rc::Rc<Self>) -> Result<(), String> {
        let params = current_query();
        if let (Some(code), Some(state)) = (param(&params, "code"), param(&params, "state")) {
            return self.finish_sign_in(&code, &state).await;
        }
        if let Some(error) = param(&params, "error") {
            take_session(PENDING_KEY);
            return Err(format!("the provider refused: {error}"));
        }
        if session_item(REFRESH_KEY).is_some() {
            return self.renew().await;
        }
        Ok(())
    }

    async fn discovery(&self) -> Result<Discovery, String> {
        if let Some(found) = self.discovery.borrow().clone() {
            return Ok(found);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let found: Discovery = get_json(&url).await?;
        *self.discovery.borrow_mut() = Some(found.clone());
        Ok(found)
    }

    /// Goes to the provider's sign-in; the user comes back to `return_to`
    /// (a path of the app).
    pub async fn sign_in(&self, return_to: &str) -> Result<(), String> {
        let discovery = self.discovery().await?;
        let pending = Pending {
            state: random_text(),
            nonce: random_text(),
            verifier: random_text(),
            return_to: return_to.to_owned(),
        };
        let challenge = base64url(&sha256(pending.verifier.as_bytes()).await?);
        let query = form(&[
            ("client_id", &self.settings.client_id),
            ("response_type", "code"),
            ("redirect_uri", &redirect_uri()),
            ("scope", "openid profile email offline_access"),
            ("audience", &self.settings.audience),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", &pending.state),
            ("nonce", &pending.nonce),
        ]);
        set_session(
            PENDING_KEY,
            &serde_json::to_string(&pending).map_err(|e| e.to_string())?,
        );
        let separator = if discovery.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        go_to(&format!(
            "{}{separator}{query}",
            discovery.authorization_endpoint
        ));
        Ok(())
    }

    async fn finish_sign_in(
        self: &std::rc::Rc<Self>,
        code: &str,
        state: &str,
    ) -> Result<(), String> {
        let pending: Pending = take_session(PENDING_KEY)
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or("no sign-in was started in this tab")?;
        // The address bar loses the code and state whatever happens next.
        replace_address(&pending.return_to);
        if pending.state != state {
            return Err("the provider answered another sign-in (state)".into());
        }
        let discovery = self.discovery().await?;
        let answer = token_request(
            &discovery.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &redirect_uri()),
                ("client_id", &self.settings.client_id),
                ("code_verifier", &pending.verifier),
            ],
        )
        .await?;
        let nonce = answer.id_token.as_deref().and_then(claim_of_jwt("nonce"));
        if answer.id_token.is_some() && nonce.as_deref() != Some(pending.nonce.as_str()) {
            return Err("the provider's ID token is for another sign-in (nonce)".into());
        }
        self.keep(answer);
        Ok(())
    }

    /// Gets a new access token with the refresh token.
    pub async fn renew(self: &std::rc::Rc<Self>) -> Result<(), String> {
        let refresh = session_item(REFRESH_KEY).ok_or("no refresh token")?;
        let discovery = self.discovery().await?;
        let answer = token_request(
            &discovery.token_endpoint,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("client_id", &self.settings.client_id),
            ],
        )
        .await;
        match answer {
            Ok(answer) => {
                self.keep(answer);
                Ok(())
            }
            Err(error) => {
                take_session(REFRESH_KEY);
                self.access_token.borrow_mut().take();
                Err(error)
            }
        }
    }

    fn keep(self: &std::rc::Rc<Self>, answer: TokenAnswer) {
        *self.access_token.borrow_mut() = Some(answer.access_token);
        match &answer.refresh_token {
            Some(refresh) => set_session(REFRESH_KEY, refresh),
            None => {
                take_session(REFRESH_KEY);
            }
        }
        if let Some(id_token) = &answer.id_token {
            set_session(ID_TOKEN_KEY, id_token);
        }
        if let Some(old) = self.renewal.borrow_mut().take() {
            old.clear();
        }
        if let (Some(lifetime), true) = (answer.expires_in, answer.refresh_token.is_some()) {
            let lifetime = Duration::from_secs(lifetime);
            let ahead = RENEW_AHEAD.min(lifetime / 2);
            let this = std::rc::Rc::clone(self);
            let timer = leptos::prelude::set_timeout_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        if let Err(error) = this.renew().await {
                            leptos::logging::warn!("cannot renew the access token: {error}");
                        }
                    });
                },
                lifetime - ahead,
            );
            *self.renewal.borrow_mut() = timer.ok();
        }
    }

    /// Forgets the tokens and ends the session at the provider when it
    /// can; the provider sends the user back to the app.
    pub fn sign_out(&self) {
        self.access_token.borrow_mut().take();
        take_session(REFRESH_KEY);
        let id_token = take_session(ID_TOKEN_KEY);
        let end = self
            .discovery
            .borrow()
            .as_ref()
            .and_then(|d| d.end_session_endpoint.clone());
        match end {
            Some(end) => {
                let mut params = vec![
                    ("client_id", self.settings.client_id.clone()),
                    ("post_logout_redirect_uri", redirect_uri()),
                ];
                if let Some(hint) = id_token {
                    params.push(("id_token_hint", hint));
                }
                let pairs: Vec<(&str, &str)> =
                    params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let separator = if end.contains('?') { '&' } else { '?' };
                go_to(&format!("{end}{separator}{}", form(&pairs)));
            }
            None => go_to(&redirect_uri()),
        }
    }
}

/// Where the provider sends the user back: the app's root.
fn redirect_uri() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{}/", crate::config::base_path())
}

fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

fn param(query: &str, name: &str) -> Option<String> {
    web_sys::UrlSearchParams::new_with_str(query)
        .ok()?
        .get(name)
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                js_sys::encode_uri_component(k),
                js_sys::encode_uri_component(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// Shows `app_path` in the address bar without loading it (before the
/// router reads it).
fn replace_address(app_path: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let target = crate::config::href(if app_path.starts_with('/') {
            app_path
        } else {
            "/"
        });
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn session_item(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok()?
}

fn set_session(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(key, value);
    }
}

fn take_session(key: &str) -> Option<String> {
    let storage = session_storage()?;
    let value = storage.get_item(key).ok()?;
    let _ = storage.remove_item(key);
    value
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url} answered {}", response.status()));
    }
    response.json().await.map_err(|e| format!("{url}: {e}"))
}

async fn token_request(endpoint: &str, params: &[(&str, &str)]) -> Result<TokenAnswer, String> {
    let response = gloo_net::http::Request::post(endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(form(params))
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("{endpoint}: {e}"))?;
    if !response.ok() {
        let text = response.text().await.unwrap_or_default();
        return Err(format!(
            "the token endpoint answered {}: {text}",
            response.status()
        ));
    }
    response
        .json()
        .await
        .map_err(|e| format!("{endpoint}: {e}"))
}

/// A claim of a JWT's payload, read without verifying it (the ID token
/// came straight from the token endpoint; only its nonce is compared).
fn claim_of_jwt(name: &'static str) -> impl Fn(&str) -> Option<String> {
    move |jwt| {
        let payload = jwt.split('.').nth(1)?;
        let bytes = base64url_decode(payload)?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        claims.get(name)?.as_str().map(str::to_owned)
    }
}

fn random_text() -> String {
    let mut bytes = [0u8; 32];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    base64url(&bytes)
}

async fn sha256(data: &[u8]) -> Result<Vec<u8>, String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("no Web Crypto")?;
    let promise = crypto
        .subtle()
        .digest_with_str_and_u8_array("SHA-256", data)
        .map_err(|e| format!("{e:?}"))?;
    let digest = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let buffer = digest
        .dyn_into::<js_sys::ArrayBuffer>()
        .map_err(|_| "SHA-256 gave no bytes")?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 7636's encoding of the challenge).
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&a| a == c)? as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use roster_test_macros::page_test;

    #[page_test]
    async fn the_challenge_is_the_base64url_sha256_of_the_verifier() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = base64url(&sha256(verifier.as_bytes()).await.unwrap());
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(base64url_decode(&base64url(b"roster")).unwrap(), b"roster");
        assert_eq!(random_text().len(), 43);
        assert_ne!(random_text(), random_text());
    }
}
