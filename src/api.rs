//! The API client: one generic request ([`request`]) and one typed function
//! per endpoint of `docs/api.md` (Daytona's organization API plus Roster's
//! extensions).
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
//! - 401 and 403 answers are announced to [`subscribe`]rs (the state layer
//!   sends the user to sign-in, or refetches capabilities) before the error
//!   is returned to the caller.
//! - An audit export is sent the same way, but its body is read as it
//!   arrives ([`audit_export`], [`read_body`]) and cancelled by its caller.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use gloo_net::http::{Method, RequestBuilder};
use roster_core::audit::{ExportFormat, TOTAL_COUNT_HEADER};
use roster_core::audit_filter::AuditFilters;
use roster_core::wire;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::api_base;

/// A failed request: the server's status and message, or a network failure
/// (status 0) with a message fit to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    /// The message shown for a request cancelled because its view went away.
    const ABORTED: &'static str = "The request was cancelled";

    /// The request was cancelled because the view that made it went away;
    /// nobody is waiting for the outcome, so it is not reported.
    pub fn is_aborted(&self) -> bool {
        self.status == 0 && self.message == Self::ABORTED
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    pub fn is_forbidden(&self) -> bool {
        self.status == 403
    }

    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

fn network_error(error: gloo_net::Error) -> ApiError {
    if let gloo_net::Error::JsError(js) = &error {
        if js.name == "AbortError" {
            return ApiError {
                status: 0,
                message: ApiError::ABORTED.to_owned(),
            };
        }
    }
    ApiError {
        status: 0,
        message: format!("Cannot reach {} ({error})", crate::config::api_address()),
    }
}

// ---------------------------------------------------------------------------
// Events for the state layer

/// An answer the application as a whole reacts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiEvent {
    /// 401 outside `/auth/…`: the session is gone.
    Unauthorized,
    /// A 403 answer; `organization_id` is set when the path names an
    /// organization (`/organizations/{id}/…`, `/audit/organizations/{id}`).
    Forbidden {
        method: String,
        path: String,
        organization_id: Option<String>,
        message: String,
    },
}

type Listener = Rc<dyn Fn(&ApiEvent)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Keeps a listener registered; dropping it unregisters.
#[must_use = "the listener is removed when the subscription is dropped"]
pub struct Subscription(u64);

impl Drop for Subscription {
    fn drop(&mut self) {
        let id = self.0;
        LISTENERS.with(|l| l.borrow_mut().retain(|(other, _)| *other != id));
    }
}

/// Calls `listener` for every [`ApiEvent`] until the subscription is dropped.
pub fn subscribe(listener: impl Fn(&ApiEvent) + 'static) -> Subscription {
    let id = NEXT_LISTENER.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, Rc::new(listener))));
    Subscription(id)
}

fn announce(event: ApiEvent) {
    // Cloned out first: a listener may subscribe or unsubscribe.
    let listeners: Vec<Listener> =
        LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(&event);
    }
}

/// The organization an API path is about, if any.
pub fn organization_in_path(path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let rest = path
        .strip_prefix("/audit/organizations/")
        .or_else(|| path.strip_prefix("/organizations/"))?;
    let id = rest.split('/').next().unwrap_or_default();
    // `/organizations/invitations/…` is the caller's own, not an organization.
    if id.is_empty() || (id == "invitations" && path.starts_with("/organizations/")) {
        return None;
    }
    Some(crate::routes::decode(id))
}

/// Escapes a path segment or query value.
pub use crate::routes::encode;

// ---------------------------------------------------------------------------
// The generic request

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
        serde_json::from_slice(body).map_err(|e| ApiError {
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
/// message, and 401/403 are announced to the [`subscribe`]rs.
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
        crate::prefetch::take(path)
    } else {
        None
    };
    let (status, body, etag, total) = match prefetched {
        Some(promise) => {
            let answer = crate::prefetch::answer(promise)
                .await
                .map_err(|error| ApiError {
                    status: 0,
                    message: format!("Cannot reach {} ({error})", crate::config::api_address()),
                })?;
            (answer.status, answer.body, answer.etag, answer.total)
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
            (
                status,
                response.binary().await.map_err(network_error)?,
                etag,
                total,
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
        });
    }
    Err(failure(&method, path, status, &body))
}

/// The error of an answer that is no success: the server's message, and
/// 401/403 announced to the [`subscribe`]rs.
fn failure(method: &Method, path: &str, status: u16, body: &[u8]) -> ApiError {
    let message = serde_json::from_slice::<wire::ApiError>(body)
        .map(|body| body.message)
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("Request failed with status {status}"));
    match status {
        401 if !path.starts_with("/auth/") => announce(ApiEvent::Unauthorized),
        403 => announce(ApiEvent::Forbidden {
            method: method.to_string(),
            path: path.to_owned(),
            organization_id: organization_in_path(path),
            message: message.clone(),
        }),
        _ => {}
    }
    ApiError { status, message }
}

/// An answer kept with its validator, so that reading it again costs
/// neither the transfer nor the parsing while it has not changed.
#[derive(Debug)]
pub struct Validated<T> {
    pub value: Arc<T>,
    etag: Option<String>,
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

/// GETs `path` as `T`, unless `known` (an earlier answer to it) is still
/// current: then `known` comes back as it was, the same `Arc`. A server
/// without validators (no `ETag`) is simply asked again.
async fn get_validated<T: DeserializeOwned>(
    path: &str,
    known: Option<&Validated<T>>,
) -> ApiResult<Validated<T>> {
    let if_none_match = known.and_then(|k| k.etag.as_deref());
    let reply = exchange(Method::GET, path, Body::None, if_none_match).await?;
    match known {
        Some(known) if reply.status == 304 => Ok(known.clone()),
        _ => {
            let etag = reply.etag.clone();
            Ok(Validated::new(Arc::new(reply.json()?), etag))
        }
    }
}

/// One request as it is sent.
struct Outgoing<'a> {
    method: Method,
    path: &'a str,
    body: Body,
    /// A validator from an earlier answer.
    if_none_match: Option<&'a str>,
    accept: &'a str,
    /// Cancels the request and the reading of its body. Without it, the
    /// request is cancelled when the reactive owner current when it is sent
    /// is cleaned up.
    abort: Option<&'a web_sys::AbortSignal>,
}

impl<'a> Outgoing<'a> {
    fn new(method: Method, path: &'a str, body: Body) -> Self {
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
async fn send_authorized(
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
            .map_err(|message| ApiError { status: 0, message })?,
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
            let text = text.clone().map_err(|e| ApiError {
                status: 0,
                message: format!("Cannot encode the request: {e}"),
            })?;
            builder
                .header("Content-Type", "application/json")
                .body(text)
        }
        Body::None => builder.build(),
    }
    .map_err(network_error)?;
    request.send().await.map_err(network_error)
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    request(Method::GET, path, Body::None).await?.json()
}

/// A mutation whose answer the caller does not need.
async fn send(method: Method, path: &str, body: Body) -> ApiResult<()> {
    request(method, path, body).await.map(drop)
}

/// A mutation whose answer is used when the server sends one.
async fn send_for<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Body,
) -> ApiResult<Option<T>> {
    Ok(request(method, path, body).await?.optional())
}

fn org_path(organization_id: &str) -> String {
    format!("/organizations/{}", encode(organization_id))
}

// ---------------------------------------------------------------------------
// Authentication and the backend (Roster's own)

const CONFIG_PATH: &str = "/config";

/// `GET /config`: version, how to sign in (the OpenID provider), dev mode
/// and demo accounts.
pub async fn config() -> ApiResult<wire::RosterConfig> {
    get(CONFIG_PATH).await
}

/// `POST /auth/sign-up`.
pub async fn sign_up(body: &wire::SignUp) -> ApiResult<wire::AuthSession> {
    request(Method::POST, "/auth/sign-up", Body::json(body))
        .await?
        .json()
}

/// `POST /auth/sign-in`; the server also sets the session cookie.
pub async fn sign_in(body: &wire::SignIn) -> ApiResult<wire::AuthSession> {
    request(Method::POST, "/auth/sign-in", Body::json(body))
        .await?
        .json()
}

/// `POST /auth/sign-out`: revokes the session.
pub async fn sign_out() -> ApiResult<()> {
    send(Method::POST, "/auth/sign-out", Body::None).await
}

/// `POST /auth/verify-email`.
pub async fn verify_email(token: &str) -> ApiResult<()> {
    let body = wire::VerifyEmail {
        token: token.to_owned(),
    };
    send(Method::POST, "/auth/verify-email", Body::json(&body)).await
}

/// `GET /users/me`.
pub async fn me() -> ApiResult<wire::User> {
    get("/users/me").await
}

/// `GET /shared-regions`.
pub async fn shared_regions() -> ApiResult<Vec<wire::Region>> {
    get("/shared-regions").await
}

// ---------------------------------------------------------------------------
// Organizations

/// `GET /organizations`: the caller's organizations.
pub async fn list_organizations() -> ApiResult<Vec<wire::Organization>> {
    get("/organizations").await
}

/// `POST /organizations`; the caller becomes its owner.
pub async fn create_organization(
    body: &wire::CreateOrganization,
) -> ApiResult<Option<wire::Organization>> {
    send_for(Method::POST, "/organizations", Body::json(body)).await
}

/// `GET /organizations/{id}`.
pub async fn get_organization(organization_id: &str) -> ApiResult<wire::Organization> {
    get(&org_path(organization_id)).await
}

/// `PATCH /organizations/{id}` (Roster extension): rename.
pub async fn rename_organization(
    organization_id: &str,
    name: &str,
) -> ApiResult<Option<wire::Organization>> {
    let body = wire::UpdateOrganization {
        name: name.to_owned(),
    };
    send_for(Method::PATCH, &org_path(organization_id), Body::json(&body)).await
}

/// `DELETE /organizations/{id}`.
pub async fn delete_organization(organization_id: &str) -> ApiResult<()> {
    send(Method::DELETE, &org_path(organization_id), Body::None).await
}

/// `POST /organizations/{id}/leave`; with a successor (Roster extension) a
/// sole owner promotes them and leaves in one step.
pub async fn leave_organization(
    organization_id: &str,
    successor_id: Option<&str>,
) -> ApiResult<()> {
    let path = format!("{}/leave", org_path(organization_id));
    match successor_id {
        // Daytona's endpoint takes no body: send none unless needed.
        None => send(Method::POST, &path, Body::None).await,
        Some(successor) => {
            let body = wire::LeaveOrganization {
                successor_id: Some(successor.to_owned()),
            };
            send(Method::POST, &path, Body::json(&body)).await
        }
    }
}

/// `GET /organizations/{id}/usage`.
pub async fn organization_usage(
    organization_id: &str,
) -> ApiResult<wire::OrganizationUsageOverview> {
    get(&format!("{}/usage", org_path(organization_id))).await
}

/// `PATCH /organizations/{id}/default-region`.
pub async fn set_default_region(organization_id: &str, region_id: &str) -> ApiResult<()> {
    let body = wire::UpdateOrganizationDefaultRegion {
        default_region_id: region_id.to_owned(),
    };
    let path = format!("{}/default-region", org_path(organization_id));
    send(Method::PATCH, &path, Body::json(&body)).await
}

// ---------------------------------------------------------------------------
// Members

/// `GET /organizations/{id}/users`.
/// `GET /organizations/{id}/users`; `known`, an earlier answer, comes back
/// as it was when the list has not changed.
pub async fn list_members(
    organization_id: &str,
    known: Option<&Validated<Vec<wire::OrganizationUser>>>,
) -> ApiResult<Validated<Vec<wire::OrganizationUser>>> {
    get_validated(&format!("{}/users", org_path(organization_id)), known).await
}

/// The answer to `GET /organizations/{id}/users?limit=n` (a Roster
/// extension).
#[derive(Clone, Debug)]
pub enum FirstMembers {
    /// Every member: the organization fits in the page, or the backend
    /// does not know `limit` (Daytona).
    All(Validated<Vec<wire::OrganizationUser>>),
    /// The first members in the members table's default order, and how
    /// many there are in all.
    Page {
        members: Vec<wire::OrganizationUser>,
        total: usize,
    },
}

/// `GET /organizations/{id}/users?limit=n`: the first `limit` members, so
/// that a large organization's table shows before all of its members have
/// arrived. Roster says how many there are in all (`X-Total-Count`); a
/// backend that does not sends every member.
pub async fn first_members(organization_id: &str, limit: usize) -> ApiResult<FirstMembers> {
    let path = format!("{}/users?limit={limit}", org_path(organization_id));
    let reply = request(Method::GET, &path, Body::None).await?;
    let (total, etag) = (reply.total, reply.etag.clone());
    let members: Vec<wire::OrganizationUser> = reply.json()?;
    Ok(match total {
        Some(total) if total > members.len() => FirstMembers::Page { members, total },
        _ => FirstMembers::All(Validated::new(Arc::new(members), etag)),
    })
}

/// `POST /organizations/{id}/users/{userId}/access`: role and assignments.
pub async fn update_member_access(
    organization_id: &str,
    user_id: &str,
    body: &wire::UpdateOrganizationMemberAccess,
) -> ApiResult<Option<wire::OrganizationUser>> {
    let path = format!(
        "{}/users/{}/access",
        org_path(organization_id),
        encode(user_id)
    );
    send_for(Method::POST, &path, Body::json(body)).await
}

/// `DELETE /organizations/{id}/users/{userId}`.
pub async fn remove_member(organization_id: &str, user_id: &str) -> ApiResult<()> {
    let path = format!("{}/users/{}", org_path(organization_id), encode(user_id));
    send(Method::DELETE, &path, Body::None).await
}

// ---------------------------------------------------------------------------
// An organization's invitations

fn invitation_path(organization_id: &str, invitation_id: &str) -> String {
    format!(
        "{}/invitations/{}",
        org_path(organization_id),
        encode(invitation_id)
    )
}

/// `GET /organizations/{id}/invitations`: pending and unexpired; with
/// `include_expired` (Roster extension, owners) expired pending ones too.
pub async fn list_organization_invitations(
    organization_id: &str,
    include_expired: bool,
) -> ApiResult<Vec<wire::OrganizationInvitation>> {
    let query = if include_expired {
        "?include=expired"
    } else {
        ""
    };
    get(&format!("{}/invitations{query}", org_path(organization_id))).await
}

/// `POST /organizations/{id}/invitations`.
pub async fn create_invitation(
    organization_id: &str,
    body: &wire::CreateOrganizationInvitation,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = format!("{}/invitations", org_path(organization_id));
    send_for(Method::POST, &path, Body::json(body)).await
}

/// `PUT /organizations/{id}/invitations/{invitationId}`.
pub async fn update_invitation(
    organization_id: &str,
    invitation_id: &str,
    body: &wire::UpdateOrganizationInvitation,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = invitation_path(organization_id, invitation_id);
    send_for(Method::PUT, &path, Body::json(body)).await
}

/// `POST /organizations/{id}/invitations/{invitationId}/cancel`.
pub async fn cancel_invitation(organization_id: &str, invitation_id: &str) -> ApiResult<()> {
    let path = format!("{}/cancel", invitation_path(organization_id, invitation_id));
    send(Method::POST, &path, Body::None).await
}

/// `POST /organizations/{id}/invitations/{invitationId}/resend` (Roster
/// extension): sends again and renews the expiry.
pub async fn resend_invitation(
    organization_id: &str,
    invitation_id: &str,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = format!("{}/resend", invitation_path(organization_id, invitation_id));
    send_for(Method::POST, &path, Body::None).await
}

// ---------------------------------------------------------------------------
// The caller's own invitations

fn my_invitation_path(invitation_id: &str) -> String {
    format!("/organizations/invitations/{}", encode(invitation_id))
}

/// `GET /organizations/invitations`: pending, unexpired, for the caller.
pub async fn my_invitations() -> ApiResult<Vec<wire::OrganizationInvitation>> {
    get("/organizations/invitations").await
}

/// `GET /organizations/invitations/count`: a bare JSON number.
pub async fn my_invitation_count() -> ApiResult<u64> {
    let count: f64 = get("/organizations/invitations/count").await?;
    // `as` saturates: a negative or odd number reads as 0.
    Ok(count.max(0.0) as u64)
}

/// `GET /organizations/invitations/{id}` (Roster extension): one invitation
/// addressed to the caller, whatever its state; 404 when unknown.
///
/// A backend with only Daytona's contract answers 404 for the path itself:
/// the invitation is then looked for among the caller's pending ones, so
/// the e-mailed link still opens it there.
pub async fn my_invitation(invitation_id: &str) -> ApiResult<wire::OrganizationInvitation> {
    match get(&my_invitation_path(invitation_id)).await {
        Err(not_found) if not_found.is_not_found() => my_invitations()
            .await?
            .into_iter()
            .find(|invitation| invitation.id == invitation_id)
            .ok_or(not_found),
        answer => answer,
    }
}

/// `POST /organizations/invitations/{id}/accept`.
pub async fn accept_invitation(
    invitation_id: &str,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = format!("{}/accept", my_invitation_path(invitation_id));
    send_for(Method::POST, &path, Body::None).await
}

/// `POST /organizations/invitations/{id}/decline`.
pub async fn decline_invitation(invitation_id: &str) -> ApiResult<()> {
    let path = format!("{}/decline", my_invitation_path(invitation_id));
    send(Method::POST, &path, Body::None).await
}

// ---------------------------------------------------------------------------
// Assignments ("organization roles" on the wire)

fn role_path(organization_id: &str, role_id: &str) -> String {
    format!("{}/roles/{}", org_path(organization_id), encode(role_id))
}

/// `GET /organizations/{id}/roles`: global then custom.
pub async fn list_roles(organization_id: &str) -> ApiResult<Vec<wire::OrganizationRole>> {
    get(&format!("{}/roles", org_path(organization_id))).await
}

/// `POST /organizations/{id}/roles`.
pub async fn create_role(
    organization_id: &str,
    body: &wire::CreateOrganizationRole,
) -> ApiResult<Option<wire::OrganizationRole>> {
    let path = format!("{}/roles", org_path(organization_id));
    send_for(Method::POST, &path, Body::json(body)).await
}

/// `PUT /organizations/{id}/roles/{roleId}`.
pub async fn update_role(
    organization_id: &str,
    role_id: &str,
    body: &wire::UpdateOrganizationRole,
) -> ApiResult<Option<wire::OrganizationRole>> {
    let path = role_path(organization_id, role_id);
    send_for(Method::PUT, &path, Body::json(body)).await
}

/// `DELETE /organizations/{id}/roles/{roleId}`; 409 with who holds it.
pub async fn delete_role(organization_id: &str, role_id: &str) -> ApiResult<()> {
    send(
        Method::DELETE,
        &role_path(organization_id, role_id),
        Body::None,
    )
    .await
}

// ---------------------------------------------------------------------------
// Audit log

/// Query of `GET /audit/organizations/{id}`; `None` fields are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// 1-based.
    pub page: Option<u32>,
    /// 1–200; the server's default is 100.
    pub limit: Option<u32>,
    /// Cursor pagination; takes precedence over `page`.
    pub next_token: Option<String>,
    /// In Daytona's syntax, written in the bracket style
    /// (`action[in]=…&statusCode[gte]=400`).
    pub filters: AuditFilters,
}

impl AuditQuery {
    /// `?page=…&limit=…&action[in]=…`, or empty.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(String, String)> = [
            ("page", self.page.map(|p| p.to_string())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("nextToken", self.next_token.clone()),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key.to_owned(), v)))
        .collect();
        pairs.extend(self.filters.to_query());
        query_string(&pairs)
    }
}

/// `?k=v&…` of pairs whose value is not empty, each part escaped; empty
/// when there are none.
fn query_string(pairs: &[(String, String)]) -> String {
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

/// `GET /audit/organizations/{id}`, newest first.
pub async fn audit_logs(
    organization_id: &str,
    query: &AuditQuery,
) -> ApiResult<wire::PaginatedAuditLogs> {
    get(&format!(
        "/audit/organizations/{}{}",
        encode(organization_id),
        query.to_query_string()
    ))
    .await
}

/// `GET /audit/scenarios`: the actions an audit log records, by target
/// type (Daytona v0.205; absent from older backends).
pub async fn audit_scenarios() -> ApiResult<wire::AuditScenarios> {
    get("/audit/scenarios").await
}

/// The path of `GET /audit/organizations/{id}/export` (Roster): the rows
/// `filters` select, every page of them.
pub fn audit_export_path(
    organization_id: &str,
    format: ExportFormat,
    filters: &AuditFilters,
) -> String {
    let mut pairs = vec![("format".to_owned(), format.as_str().to_owned())];
    pairs.extend(filters.to_query());
    format!(
        "/audit/organizations/{}/export{}",
        encode(organization_id),
        query_string(&pairs)
    )
}

/// An answer whose body is read as it arrives.
pub struct Streamed {
    /// The body, once: [`web_sys::Response::body`].
    pub response: web_sys::Response,
    /// `X-Total-Count`: how many rows the body holds.
    pub total: Option<u64>,
    /// The file name of `Content-Disposition`, when the server gives one.
    pub file_name: Option<String>,
}

/// `GET /audit/organizations/{id}/export` (Roster), authenticated as every
/// other request; `abort` cancels it, the reading of the body included.
/// A failure is the server's message, as for any request.
pub async fn audit_export(
    organization_id: &str,
    format: ExportFormat,
    filters: &AuditFilters,
    abort: &web_sys::AbortSignal,
) -> ApiResult<Streamed> {
    let path = audit_export_path(organization_id, format, filters);
    let mode = crate::auth::ready().await;
    let outgoing = Outgoing {
        accept: format.content_type(),
        abort: Some(abort),
        ..Outgoing::new(Method::GET, &path, Body::None)
    };
    let response = send_authorized(&outgoing, Some(&mode)).await?;
    let status = response.status();
    if !(200..300).contains(&status) {
        let body = response.binary().await.map_err(network_error)?;
        return Err(failure(&Method::GET, &path, status, &body));
    }
    let headers = response.headers();
    let total = headers
        .get(TOTAL_COUNT_HEADER)
        .and_then(|t| t.trim().parse().ok());
    let file_name = headers
        .get("content-disposition")
        .and_then(|value| attachment_file_name(&value));
    Ok(Streamed {
        response: response.into(),
        total,
        file_name,
    })
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
                    return ApiError {
                        status: 0,
                        message: ApiError::ABORTED.to_owned(),
                    };
                }
                let reason = text("message").unwrap_or_else(|| format!("{error:?}"));
                ApiError {
                    status: 0,
                    message: format!(
                        "The answer of {} broke off ({reason})",
                        crate::config::api_address()
                    ),
                }
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
    use roster_core::audit::ExportFormat;
    use roster_core::audit_filter::{Outcome, TextColumn};

    #[test]
    fn organization_is_read_from_org_scoped_paths_only() {
        assert_eq!(
            organization_in_path("/organizations/o%201/users").as_deref(),
            Some("o 1")
        );
        assert_eq!(
            organization_in_path("/audit/organizations/o1?page=2").as_deref(),
            Some("o1")
        );
        assert_eq!(
            organization_in_path("/organizations/o1").as_deref(),
            Some("o1")
        );
        assert_eq!(
            organization_in_path("/organizations/invitations/i1/accept"),
            None
        );
        assert_eq!(organization_in_path("/organizations"), None);
        assert_eq!(organization_in_path("/users/me"), None);
    }

    #[test]
    fn audit_query_sends_the_filters_in_brackets_and_escapes_values() {
        assert_eq!(AuditQuery::default().to_query_string(), "");
        let mut filters = AuditFilters::default();
        filters.text_mut(TextColumn::Action).any_of = Some(vec!["update_access".into()]);
        filters.text_mut(TextColumn::ActorEmail).eq = Some("a+b@example.com".into());
        filters.status_code = Outcome::ClientError.filter();
        filters.created_at.gte = Some("2025-03-01T00:00:00Z".parse().expect("timestamp"));
        let query = AuditQuery {
            page: Some(2),
            limit: Some(50),
            filters,
            ..AuditQuery::default()
        };
        assert_eq!(
            query.to_query_string(),
            "?page=2&limit=50\
             &actorEmail%5Beq%5D=a%2Bb%40example.com\
             &action%5Bin%5D=update_access\
             &statusCode%5Bgte%5D=400&statusCode%5Blt%5D=500\
             &createdAt%5Bgte%5D=2025-03-01T00%3A00%3A00.000Z"
        );
    }

    #[test]
    fn an_export_asks_for_the_same_filters_without_pages() {
        let mut filters = AuditFilters::default();
        filters.text_mut(TextColumn::TargetType).eq = Some("organization_user".into());
        assert_eq!(
            audit_export_path("o 1", ExportFormat::Ndjson, &filters),
            "/audit/organizations/o%201/export?format=ndjson&targetType%5Beq%5D=organization_user"
        );
        assert_eq!(
            audit_export_path("o1", ExportFormat::Csv, &AuditFilters::default()),
            "/audit/organizations/o1/export?format=csv"
        );
    }

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
        };
        assert_eq!(empty.clone().json::<()>(), Ok(()));
        assert_eq!(empty.optional::<wire::Organization>(), None);
        let text = Reply {
            status: 201,
            body: b"Created".to_vec(),
            etag: None,
            total: None,
        };
        assert_eq!(text.optional::<wire::Organization>(), None);
        assert_eq!(
            Reply {
                status: 200,
                body: b"3".to_vec(),
                etag: None,
                total: None,
            }
            .json::<f64>(),
            Ok(3.0)
        );
    }
}

/// The API client against a backend with only Daytona's contract, played by
/// `window.fetch` for the length of a test.
#[cfg(all(test, target_arch = "wasm32"))]
mod daytona_backend_tests {
    use super::*;
    use crate::pages::members::test_util::invitation;
    use roster_core::wire::OrganizationInvitation;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Answers `GET …/organizations/invitations` with `pending` and every
    /// other path with NestJS's 404; returns a function that restores fetch.
    fn daytona_with(pending: &[OrganizationInvitation]) -> js_sys::Function {
        let install = js_sys::Function::new_with_args(
            "pending",
            r#"
            const real = window.fetch;
            window.fetch = async (input) => {
              const url = typeof input === "string" ? input : input.url;
              const json = { "content-type": "application/json" };
              if (new URL(url, location.href).pathname.endsWith("/organizations/invitations")) {
                return new Response(pending, { status: 200, headers: json });
              }
              return new Response(
                JSON.stringify({ statusCode: 404, message: "Cannot GET " + url, error: "Not Found" }),
                { status: 404, headers: json });
            };
            return () => { window.fetch = real; };
            "#,
        );
        let pending = serde_json::to_string(pending).unwrap();
        install
            .call1(&JsValue::NULL, &JsValue::from_str(&pending))
            .unwrap()
            .into()
    }

    /// Answers every request with `members` and, when given, an
    /// `X-Total-Count` of `total`; returns a function that restores fetch.
    fn members_backend(
        members: &[wire::OrganizationUser],
        total: Option<usize>,
    ) -> js_sys::Function {
        let install = js_sys::Function::new_with_args(
            "members, total",
            r#"
            const real = window.fetch;
            window.fetch = async () => {
              const headers = { "content-type": "application/json", "etag": 'W/"list"' };
              if (total !== undefined) headers["x-total-count"] = String(total);
              return new Response(members, { status: 200, headers });
            };
            return () => { window.fetch = real; };
            "#,
        );
        let members = serde_json::to_string(members).unwrap();
        let total = total.map_or(JsValue::UNDEFINED, |t| JsValue::from_f64(t as f64));
        install
            .call2(&JsValue::NULL, &JsValue::from_str(&members), &total)
            .unwrap()
            .into()
    }

    #[page_test]
    async fn a_first_page_is_told_from_the_whole_list() {
        use crate::pages::members::test_util::member;
        let members: Vec<_> = (0..3)
            .map(|n| member(n, roster_core::Role::Member))
            .collect();
        let ask = |limit: usize, total: Option<usize>| {
            let restore = members_backend(&members, total);
            async move {
                let answer = first_members("org", limit).await;
                restore.call0(&JsValue::NULL).unwrap();
                answer.expect("an answer")
            }
        };

        match ask(3, Some(10_000)).await {
            FirstMembers::Page {
                members: page,
                total,
            } => {
                assert_eq!(page, members);
                assert_eq!(total, 10_000);
            }
            other => panic!("not a page: {other:?}"),
        }
        // Roster with a small organization: everyone, with the validator.
        match ask(25, Some(3)).await {
            FirstMembers::All(all) => {
                assert_eq!(*all.value, members);
                assert_eq!(all.etag.as_deref(), Some("W/\"list\""));
            }
            other => panic!("not everyone: {other:?}"),
        }
        // Daytona ignores `limit`: everyone, and no count.
        match ask(2, None).await {
            FirstMembers::All(all) => assert_eq!(all.value.len(), 3),
            other => panic!("not everyone: {other:?}"),
        }
    }

    #[page_test]
    async fn an_invitation_link_opens_against_a_backend_without_the_lookup_by_id() {
        let restore = daytona_with(&[invitation(1), invitation(2)]);
        let found = my_invitation("i002").await;
        let unknown = my_invitation("i009").await;
        restore.call0(&JsValue::NULL).unwrap();

        assert_eq!(found.map(|i| i.id), Ok("i002".to_string()));
        // Not among the pending ones either: still "not found", which the
        // dialog explains.
        assert!(unknown.is_err_and(|error| error.is_not_found()));
    }
}
