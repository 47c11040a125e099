//! Answers requested before the app started.
//!
//! index.html starts the requests a signed-in page needs (who is signed in,
//! their organizations and, on a members page, that organization's members,
//! assignments and invitations) while the wasm downloads, reads each body as
//! it arrives, and leaves the promises of `{ status, body, etag, total }` in
//! `window.__rosterPrefetch`, keyed by API path.
//! [`take`] hands each to the first GET of the same path, once; a page that
//! never asks leaves it unused.
//!
//! The answers belong to whoever was signed in when the page loaded, so any
//! change of session [`forget`]s those not taken yet.

use wasm_bindgen::{JsCast, JsValue};

const GLOBAL: &str = "__rosterPrefetch";

fn started() -> Option<js_sys::Object> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str(GLOBAL))
        .ok()?
        .dyn_into()
        .ok()
}

/// The pending answer to `GET {api base}{path}`, if the page started one and
/// nothing took it yet.
pub fn take(path: &str) -> Option<js_sys::Promise> {
    let started = started()?;
    let key = JsValue::from_str(path);
    let promise = js_sys::Reflect::get(&started, &key)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    js_sys::Reflect::delete_property(&started, &key).ok()?;
    Some(promise)
}

/// A prefetched answer: its status and body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The answer's `ETag`, if any.
    pub etag: Option<String>,
    /// The answer's `X-Total-Count`, if any.
    pub total: Option<String>,
    /// The answer's `X-Roster-Membership`, if any.
    pub membership: Option<String>,
}

/// Waits for a prefetched answer (index.html reads it whole, as
/// `{ status, body: ArrayBuffer, etag, total, membership }`); the error is the browser's message
/// (the server could not be reached).
pub async fn answer(promise: js_sys::Promise) -> Result<Answer, String> {
    let answer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|error| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| error.as_string())
                .unwrap_or_else(|| "the request failed".to_owned())
        })?;
    let field = |name: &str| js_sys::Reflect::get(&answer, &JsValue::from_str(name)).ok();
    let status = field("status")
        .and_then(|s| s.as_f64())
        .ok_or("an answer without a status")?;
    let body = field("body")
        .and_then(|b| b.dyn_into::<js_sys::ArrayBuffer>().ok())
        .ok_or("an answer without a body")?;
    let etag = field("etag").and_then(|e| e.as_string());
    let total = field("total").and_then(|t| t.as_string());
    let membership = field("membership").and_then(|m| m.as_string());
    Ok(Answer {
        status: status as u16,
        body: js_sys::Uint8Array::new(&body).to_vec(),
        etag,
        total,
        membership,
    })
}

/// Drops every answer not taken yet (the session changed).
pub fn forget() {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&window, &JsValue::from_str(GLOBAL));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn start(paths: &[&str]) {
        let map = js_sys::Object::new();
        for path in paths {
            let promise = js_sys::Promise::resolve(&JsValue::from_str(path));
            js_sys::Reflect::set(&map, &JsValue::from_str(path), &promise).unwrap();
        }
        let window = web_sys::window().unwrap();
        js_sys::Reflect::set(&window, &JsValue::from_str(GLOBAL), &map).unwrap();
    }

    #[page_test]
    fn an_answer_is_taken_once_and_only_for_its_path() {
        start(&["/users/me", "/organizations"]);
        assert!(take("/organizations/o1/users").is_none());
        assert!(take("/users/me").is_some());
        assert!(
            take("/users/me").is_none(),
            "a second request asks the server"
        );
        assert!(take("/organizations").is_some());
        forget();
    }

    #[page_test]
    async fn an_answer_carries_its_status_and_body() {
        let answer = js_sys::Object::new();
        let body = js_sys::Uint8Array::from(&b"[1,2]"[..]).buffer();
        js_sys::Reflect::set(&answer, &"status".into(), &JsValue::from_f64(403.0)).unwrap();
        js_sys::Reflect::set(&answer, &"body".into(), &body).unwrap();
        js_sys::Reflect::set(&answer, &"etag".into(), &JsValue::NULL).unwrap();
        let taken = super::answer(js_sys::Promise::resolve(&JsValue::from(answer.clone())))
            .await
            .unwrap();
        assert_eq!(taken.status, 403);
        assert_eq!(taken.body, b"[1,2]");
        assert_eq!(taken.etag, None);
        js_sys::Reflect::set(&answer, &"etag".into(), &"W/\"1\"".into()).unwrap();
        let taken = super::answer(js_sys::Promise::resolve(&JsValue::from(answer.clone())))
            .await
            .unwrap();
        assert_eq!(taken.etag.as_deref(), Some("W/\"1\""));
        assert_eq!(taken.total, None);
        js_sys::Reflect::set(&answer, &"total".into(), &"10000".into()).unwrap();
        let taken = super::answer(js_sys::Promise::resolve(&JsValue::from(answer)))
            .await
            .unwrap();
        assert_eq!(taken.total.as_deref(), Some("10000"));

        let failed = js_sys::Promise::reject(&js_sys::Error::new("Failed to fetch"));
        assert_eq!(
            super::answer(failed).await.err().as_deref(),
            Some("Failed to fetch")
        );
    }

    #[page_test]
    fn a_change_of_session_forgets_what_was_not_taken() {
        start(&["/users/me", "/organizations"]);
        forget();
        assert!(take("/users/me").is_none());
        assert!(take("/organizations").is_none());
    }
}
