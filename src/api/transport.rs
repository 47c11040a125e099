//! The generic request ([`request`]) every endpoint module is written with.
//!
//! - The base URL comes from the page at run time ([`crate::config`]).
//! - How a request proves who the user is follows [`crate::auth`]: the
//!   session cookie (`credentials: include`), or `Authorization: Bearer`
//!   without credentials (OpenID Connect, a host page's tokens), where a
//!   401 renews the token and retries once. `/config`, which decides that,
//!   is sent with neither.
//! - Any 2xx is success, with or without a body. Mutations whose answer the
//!   SPA does not need read the body leniently ([`Reply::optional`]), because
//!   Daytona answers 201/200 with a body where the contract says 204.
//! - Errors carry the server's message, decoded from the API error body.
//! - A request made while a reactive owner is current (a `LocalResource`
//!   fetcher, an `Action`, a component) is aborted when that owner is
//!   cleaned up, so a view that goes away cancels what it asked for.
//! - A GET the page started before the app did ([`super::prefetch`]) is
//!   answered from there.
//! - A streamed answer (an audit export) is read as it arrives
//!   ([`read_body`]) and cancelled by its caller.

use std::sync::Arc;

use gloo_net::http::{Method, RequestBuilder};
use roster_core::membership_header::MEMBERSHIP_HEADER;
use roster_core::wire;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{network_error, unreachable_server};
use super::events::{announce, organization_in_path, ApiEvent};
use super::{json_slices, prefetch, ApiError, ApiResult};
use crate::config::api_base;
use crate::routes::encode;

/// `GET /config` says how to authenticate: it is asked before knowing.
pub(super) const CONFIG_PATH: &str = "/config";

/// A successful answer: its status and body (possibly empty).
///
/// The body is read as bytes: a JS string would be copied into wasm and
/// re-encoded from UTF-16 first, which for a 6 MB member list cost more
/// than parsing it.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The answer's validator (`ETag`), when the server gives one.
    pub etag: Option<String>,
    /// `X-Total-Count`: how many items a partial list is taken from.
    pub total: Option<usize>,
    /// `X-Roster-Membership` (`roster_core::membership_header`), as sent.
    pub membership: Option<String>,
}

impl Reply {
    /// The body as `T`; an empty body reads as JSON `null`, so `()` and
    /// `Option<T>` accept it.
    pub fn json<T: DeserializeOwned>(self) -> ApiResult<T> {
        reserve_memory_for(self.body.len());
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| ApiError::Http {
            status: self.status,
            message: format!("Unexpected response from the server: {e}"),
        })
    }

    /// The body, a JSON array, as `Vec<T>`, decoded a slice at a time
    /// ([`super::json_slices`]): for lists that may be long.
    pub async fn json_list<T: DeserializeOwned>(self) -> ApiResult<Vec<T>> {
        reserve_memory_for(self.body.len());
        json_slices::read_list(&self.body)
            .await
            .map_err(|e| ApiError::Http {
                status: self.status,
                message: format!("Unexpected response from the server: {e}"),
            })
    }

    /// The body as `T` when there is one that reads as `T`; the request
    /// succeeded either way.
    pub fn optional<T: DeserializeOwned>(self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Reading a large body (a 6 MB member list) allocates a few times its size
/// in small pieces, and wasm memory grows in as many steps (140 of them,
/// 20 ms, for 10,000 members). Allocating the room once, and freeing it for
/// the allocator to hand out again, grows it in one step.
fn reserve_memory_for(body_len: usize) {
    const LARGE: usize = 1 << 20;
    if body_len >= LARGE {
        drop(std::hint::black_box(Vec::<u8>::with_capacity(body_len * 4)));
    }
}

/// What a request sends: nothing, or a JSON body (already encoded).
#[derive(Clone)]
pub enum Body {
    None,
    Json(Result<String, String>),
}

impl Body {
    pub fn json(value: &impl Serialize) -> Self {
        Body::Json(serde_json::to_string(value).map_err(|e| e.to_string()))
    }
}

/// Sends one request to `path` (relative to the API base, starting with
/// `/`). Any 2xx is success; otherwise the error carries the server's
/// message, and 401/403 are announced to the [`subscribe`](super::subscribe)rs.
pub async fn request(method: Method, path: &str, body: Body) -> ApiResult<Reply> {
    exchange(method, path, body, None).await
}

/// [`request`], sending `if_none_match` (a validator from an earlier
/// answer): a server that still has the same answer replies 304 with no
/// body, which is a success here.
async fn exchange(
    method: Method,
    path: &str,
    body: Body,
    if_none_match: Option<&str>,
) -> ApiResult<Reply> {
    // `/config` says how to authenticate: it is asked before knowing.
    let mode = if path == CONFIG_PATH {
        None
    } else {
        Some(crate::auth::ready().await)
    };
    let bearer = mode.as_ref().is_some_and(crate::auth::Mode::uses_bearer);
    // The page's head start asked with cookies: of no use with tokens.
    let prefetched = if method == Method::GET && matches!(body, Body::None) && !bearer {
        prefetch::take(path)
    } else {
        None
    };
    let (status, body, etag, total, membership) = match prefetched {
        Some(promise) => {
            let answer = prefetch::answer(promise)
                .await
                .map_err(unreachable_server)?;
            (
                answer.status,
                answer.body,
                answer.etag,
                answer.total,
                answer.membership,
            )
        }
        None => {
            let outgoing = Outgoing {
                if_none_match,
                ..Outgoing::new(method.clone(), path, body)
            };
            let response = send_authorized(&outgoing, mode.as_ref()).await?;
            let status = response.status();
            let etag = response.headers().get("etag");
            let total = response.headers().get(wire::TOTAL_COUNT_HEADER);
            let membership = response.headers().get(MEMBERSHIP_HEADER);
            (
                status,
                response.binary().await.map_err(network_error)?,
                etag,
                total,
                membership,
            )
        }
    };
    if (200..300).contains(&status) || (status == 304 && if_none_match.is_some()) {
        let total = total.and_then(|t| t.trim().parse().ok());
        return Ok(Reply {
            status,
            body,
            etag,
            total,
            membership,
        });
    }
    Err(failure(&method, path, status, &body))
}

/// The error of an answer that is no success: the server's message, and
/// 401/403 announced to the [`subscribe`](super::subscribe)rs.
pub(super) fn failure(method: &Method, path: &str, status: u16, body: &[u8]) -> ApiError {
    let message = serde_json::from_slice::<wire::ApiError>(body)
        .map(|body| body.message)
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("Request failed with status {status}"));
    let error = ApiError::from_status(status, message);
    match status {
        401 if !path.starts_with("/auth/") => announce(ApiEvent::Unauthorized),
        403 => announce(ApiEvent::Forbidden {
            method: method.to_string(),
            path: path.to_owned(),
            organization_id: organization_in_path(path),
            error: error.clone(),
        }),
        _ => {}
    }
    error
}

/// An answer kept with its validator, so that reading it again costs
/// neither the transfer nor the parsing while it has not changed.
#[derive(Debug)]
pub struct Validated<T> {
    pub value: Arc<T>,
    pub(super) etag: Option<String>,
}

impl<T> Clone for Validated<T> {
    fn clone(&self) -> Self {
        Validated {
            value: Arc::clone(&self.value),
            etag: self.etag.clone(),
        }
    }
}

impl<T> Validated<T> {
    pub fn new(value: Arc<T>, etag: Option<String>) -> Self {
        Validated { value, etag }
    }
}

/// A GET of a list that may be long, decoded a slice at a time
/// ([`Reply::json_list`]); `known`, an earlier answer, comes back as it was
/// when the server says it has not changed (304).
pub(super) async fn get_validated<T: DeserializeOwned>(
    path: &str,
    known: Option<&Validated<Vec<T>>>,
) -> ApiResult<Validated<Vec<T>>> {
    let if_none_match = known.and_then(|k| k.etag.as_deref());
    let reply = exchange(Method::GET, path, Body::None, if_none_match).await?;
    match known {
        Some(known) if reply.status == 304 => Ok(known.clone()),
        _ => {
            let etag = reply.etag.clone();
            Ok(Validated::new(Arc::new(reply.json_list().await?), etag))
        }
    }
}

/// One request as it is sent.
pub(super) struct Outgoing<'a> {
    pub(super) method: Method,
    pub(super) path: &'a str,
    pub(super) body: Body,
    /// A validator from an earlier answer.
    pub(super) if_none_match: Option<&'a str>,
    pub(super) accept: &'a str,
    /// Cancels the request and the reading of its body. Without it, the
    /// request is cancelled when the reactive owner current when it is sent
    /// is cleaned up.
    pub(super) abort: Option<&'a web_sys::AbortSignal>,
}

impl<'a> Outgoing<'a> {
    pub(super) fn new(method: Method, path: &'a str, body: Body) -> Self {
        Outgoing {
            method,
            path,
            body,
            if_none_match: None,
            accept: "application/json",
            abort: None,
        }
    }
}

/// Sends `outgoing` as the mode authenticates; in a bearer mode a 401
/// renews the token and sends it once more. Any status is returned.
pub(super) async fn send_authorized(
    outgoing: &Outgoing<'_>,
    mode: Option<&crate::auth::Mode>,
) -> ApiResult<gloo_net::http::Response> {
    let response = send_request(outgoing, mode).await?;
    let bearer = mode.filter(|mode| mode.uses_bearer());
    if let (401, Some(mode)) = (response.status(), bearer) {
        if crate::auth::renew_after_unauthorized(mode).await {
            return send_request(outgoing, Some(mode)).await;
        }
    }
    Ok(response)
}

/// Sends `outgoing` (the fetch itself).
async fn send_request(
    outgoing: &Outgoing<'_>,
    mode: Option<&crate::auth::Mode>,
) -> ApiResult<gloo_net::http::Response> {
    let url = format!("{}{}", api_base(), outgoing.path);
    let authorization = match mode {
        Some(mode) => crate::auth::authorization(mode)
            .await
            .map_err(ApiError::Network)?,
        None => None,
    };
    let credentials = match mode {
        Some(crate::auth::Mode::Password) => web_sys::RequestCredentials::Include,
        _ => web_sys::RequestCredentials::Omit,
    };
    let controller = match outgoing.abort {
        Some(_) => None,
        None => web_sys::AbortController::new().ok(),
    };
    let signal = outgoing
        .abort
        .cloned()
        .or_else(|| controller.as_ref().map(|c| c.signal()));
    let mut builder = RequestBuilder::new(&url)
        .method(outgoing.method.clone())
        .credentials(credentials)
        .header("Accept", outgoing.accept)
        .abort_signal(signal.as_ref());
    if let Some(authorization) = &authorization {
        builder = builder.header("Authorization", authorization);
    }
    // A conditional request bypasses the browser's cache (Fetch: a request
    // with If-None-Match is "no-store"), so a 304 reaches us as it is.
    if let Some(etag) = outgoing.if_none_match {
        builder = builder.header("If-None-Match", etag);
    }
    if let Some(controller) = controller {
        let controller = send_wrapper::SendWrapper::new(controller);
        leptos::prelude::on_cleanup(move || controller.abort());
    }
    let request = match &outgoing.body {
        Body::Json(text) => {
            let text = text
                .clone()
                .map_err(|e| ApiError::Network(format!("Cannot encode the request: {e}")))?;
            builder
                .header("Content-Type", "application/json")
                .body(text)
        }
        Body::None => builder.build(),
    }
    .map_err(network_error)?;
    request.send().await.map_err(network_error)
}

pub(super) async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    request(Method::GET, path, Body::None).await?.json()
}

/// A mutation whose answer the caller does not need.
pub(super) async fn send(method: Method, path: &str, body: Body) -> ApiResult<()> {
    request(method, path, body).await.map(drop)
}

/// A mutation whose answer is used when the server sends one.
pub(super) async fn send_for<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Body,
) -> ApiResult<Option<T>> {
    Ok(request(method, path, body).await?.optional())
}

pub(super) fn org_path(organization_id: &str) -> String {
    format!("/organizations/{}", encode(organization_id))
}

/// `?k=v&…` of pairs whose value is not empty, each part escaped; empty
/// when there are none.
pub(super) fn query_string(pairs: &[(String, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    }
}

/// Reads `response`'s body as it arrives, handing each chunk to
/// `on_chunk`. Cancelled through the request's abort signal.
pub async fn read_body(
    response: &web_sys::Response,
    mut on_chunk: impl FnMut(js_sys::Uint8Array),
) -> ApiResult<()> {
    use wasm_bindgen::JsCast;
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let field = |object: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(object, &wasm_bindgen::JsValue::from_str(name)).ok()
    };
    loop {
        let read = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|error| {
                let text = |name: &str| field(&error, name).and_then(|v| v.as_string());
                if text("name").as_deref() == Some("AbortError") {
                    return ApiError::Aborted;
                }
                let reason = text("message").unwrap_or_else(|| format!("{error:?}"));
                ApiError::Network(format!(
                    "The answer of {} broke off ({reason})",
                    crate::config::api_address()
                ))
            })?;
        if field(&read, "done")
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            return Ok(());
        }
        if let Some(chunk) = field(&read, "value").and_then(|v| v.dyn_into().ok()) {
            on_chunk(chunk);
        }
    }
}

/// The `filename` of a `Content-Disposition` header (`filename*=UTF-8''…`
/// preferred), without any directory part.
pub fn attachment_file_name(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for part in header.split(';').map(str::trim) {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let value = value.trim();
                let encoded = value.split_once("''").map_or(value, |(_, encoded)| encoded);
                extended = Some(crate::routes::decode(encoded));
            }
            "filename" => plain = Some(value.trim().trim_matches('"').to_owned()),
            _ => {}
        }
    }
    extended
        .or(plain)
        .map(|name| {
            name.rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .filter(|name| !name.is_empty())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_read_from_content_disposition() {
        assert_eq!(
            attachment_file_name("attachment; filename=\"audit-log.csv\"").as_deref(),
            Some("audit-log.csv")
        );
        assert_eq!(
            attachment_file_name("attachment; filename=\"a.csv\"; filename*=UTF-8''acme%20log.csv")
                .as_deref(),
            Some("acme log.csv")
        );
        assert_eq!(
            attachment_file_name("attachment; filename=../../etc/x.csv").as_deref(),
            Some("x.csv")
        );
        assert_eq!(attachment_file_name("attachment"), None);
        assert_eq!(attachment_file_name("attachment; filename=\"\""), None);
    }

    #[test]
    fn replies_accept_empty_and_unexpected_bodies() {
        let empty = Reply {
            status: 204,
            body: Vec::new(),
            etag: None,
            total: None,
            membership: None,
        };
        assert_eq!(empty.clone().json::<()>(), Ok(()));
        assert_eq!(empty.optional::<wire::Organization>(), None);
        let text = Reply {
            status: 201,
            body: b"Created".to_vec(),
            etag: None,
            total: None,
            membership: None,
        };
        assert_eq!(text.optional::<wire::Organization>(), None);
        assert_eq!(
            Reply {
                status: 200,
                body: b"3".to_vec(),
                etag: None,
                total: None,
                membership: None,
            }
            .json::<f64>(),
            Ok(3.0)
        );
    }
}
