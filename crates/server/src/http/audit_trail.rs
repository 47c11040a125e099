//! The audit log's middleware: `record_mutations` wraps every unsafe
//! request, gives it an [`AuditSlot`] that the authentication and
//! organization extractors and the handler fill in (actor, organization,
//! target), runs the request, and writes one row with the status code and
//! error message of the response (what the row says: `crate::audit`).

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::access::route_access;
use super::extract::body_limit;
use crate::audit::{self, AuditSlot, Naming};
use crate::error::{ApiError, ErrorMessage};
use crate::state::AppState;
use crate::store;

/// Handlers take the request's slot to name what they created; outside an
/// audited request they get a detached one.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AuditSlot {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<AuditSlot>()
            .cloned()
            .unwrap_or_default())
    }
}

pub async fn record_mutations(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let ip = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);

    // Read the body once to keep its (redacted) content as metadata, then
    // hand the same bytes to the handler. Oversized bodies are left to the
    // handler's extractor, which answers 413.
    let (mut parts, body) = request.into_parts();
    let bytes = match to_bytes(body, body_limit(route.as_deref())).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
                .into_response()
        }
    };
    let recorded = audit::Request::new(method.as_str(), &path, &bytes, ip, user_agent.as_deref());
    let slot = AuditSlot::default();
    parts.extensions.insert(slot.clone());
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;

    let Some(route) = route else {
        return response; // unknown route: nothing was mutated
    };
    let naming = route_access(&method, &route).map(|a| Naming {
        action: a.action,
        target: a.target,
    });
    let status = response.status();
    let error_message = response
        .extensions()
        .get::<ErrorMessage>()
        .map(|m| m.0.clone())
        .filter(|_| !status.is_success());
    let row = recorded.into_row(&slot, &route, naming, status.as_u16(), error_message);
    let action = row.action;
    if let Err(error) = store::audit::append(&state.db, row, chrono::Utc::now()).await {
        tracing::error!("cannot write audit row for {action}: {error}");
    }
    response
}
