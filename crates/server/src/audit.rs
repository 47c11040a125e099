//! The audit log: every mutation through the API writes exactly one row, with
//! its outcome, whatever the handler did.
//!
//! `record_mutations` wraps every unsafe request: it gives the request an
//! `AuditSlot` that the authentication and organization extractors and the
//! handler fill in (actor, organization, target), runs the request, and writes
//! one row with the status code and error message of the response.

use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::db::{new_id, timestamp};
use crate::error::ErrorMessage;
use crate::http::access::{route_access, INVITATION, MEMBER, ORG, ROLE, USER};
use crate::http::MAX_BODY_BYTES;
use crate::AppState;

#[derive(Default, Debug, Clone)]
struct AuditEntry {
    actor_id: String,
    actor_email: String,
    organization_id: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
}

/// What a request learned about itself for its audit row.
#[derive(Clone, Default)]
pub struct AuditSlot(Arc<Mutex<AuditEntry>>);

impl AuditSlot {
    fn with<R>(&self, f: impl FnOnce(&mut AuditEntry) -> R) -> R {
        let mut entry = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut entry)
    }
    pub fn set_actor(&self, id: &str, email: &str) {
        self.with(|e| {
            e.actor_id = id.to_string();
            e.actor_email = email.to_string();
        });
    }
    pub fn set_organization(&self, id: &str) {
        self.with(|e| e.organization_id = Some(id.to_string()));
    }
    /// The object acted on; handlers that create one name it here.
    pub fn set_target(&self, kind: &str, id: &str) {
        self.with(|e| {
            e.target_type = Some(kind.to_string());
            e.target_id = Some(id.to_string());
        });
    }
}

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

/// Body fields never written to the log.
const SECRET_FIELDS: &[&str] = &["password", "token", "newPassword", "currentPassword"];

/// What a row keeps of a request body is bounded: anyone may send 64 KB to
/// any route, signed in or not, and each request writes a row.
const METADATA_MAX_BYTES: usize = 4096;
/// A field longer than this is replaced by its size.
const FIELD_MAX_BYTES: usize = 512;
/// Longer user agents are cut.
const USER_AGENT_MAX_CHARS: usize = 256;

fn metadata_of(body: &[u8]) -> Option<Value> {
    let mut value: Value = serde_json::from_slice(body).ok()?;
    if let Value::Object(map) = &mut value {
        for field in SECRET_FIELDS {
            if map.contains_key(*field) {
                map.insert((*field).to_string(), Value::String("[redacted]".into()));
            }
        }
        for field in map.values_mut() {
            let size = field.to_string().len();
            if size > FIELD_MAX_BYTES {
                *field = Value::String(format!("[{size} bytes left out]"));
            }
        }
    }
    if value.to_string().len() > METADATA_MAX_BYTES {
        return Some(serde_json::json!({ "body": format!("[{} bytes left out]", body.len()) }));
    }
    Some(value)
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
        .map(|agent| agent.chars().take(USER_AGENT_MAX_CHARS).collect::<String>());

    // Read the body once to keep its (redacted) content as metadata, then
    // hand the same bytes to the handler. Oversized bodies are left to the
    // handler's extractor, which answers 413.
    let (mut parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return crate::error::ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is too large",
            )
            .into_response()
        }
    };
    let metadata = metadata_of(&bytes);
    let slot = AuditSlot::default();
    parts.extensions.insert(slot.clone());
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;

    let Some(route) = route else {
        return response; // unknown route: nothing was mutated
    };
    let access = route_access(&method, &route);
    let action = access.map_or("unknown", |a| a.action);
    let entry = slot.with(|e| e.clone());
    let (target_type, target_id) = match (entry.target_type, entry.target_id) {
        (Some(kind), Some(id)) => (Some(kind), Some(id)),
        _ => (
            access
                .map(|a| a.target.to_string())
                .filter(|t| !t.is_empty()),
            access.and_then(|a| target_id_from_path(&route, &path, a.target)),
        ),
    };
    let status = response.status();
    let error_message = response
        .extensions()
        .get::<ErrorMessage>()
        .map(|m| m.0.clone())
        .filter(|_| !status.is_success());
    let mut metadata = match metadata {
        Some(Value::Object(map)) => map,
        Some(other) => Map::from_iter([("body".to_string(), other)]),
        None => Map::new(),
    };
    metadata.insert("method".into(), Value::String(method.to_string()));
    metadata.insert("path".into(), Value::String(path));

    let (actor_id, actor_email) = if entry.actor_id.is_empty() {
        // Sign-in and sign-up act before anyone is signed in.
        let email = metadata
            .get("email")
            .and_then(Value::as_str)
            .map(roster_core::validate::normalize_email)
            .unwrap_or_default();
        (String::new(), email)
    } else {
        (entry.actor_id, entry.actor_email)
    };
    let result = sqlx::query(
        "INSERT INTO audit_logs (id, seq, organization_id, actor_id, actor_email, action,
             target_type, target_id, status_code, error_message, metadata, ip_address,
             user_agent, source, created_at)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_logs), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'api', ?)",
    )
    .bind(new_id())
    .bind(entry.organization_id)
    .bind(actor_id)
    .bind(actor_email)
    .bind(action)
    .bind(target_type)
    .bind(target_id)
    .bind(i64::from(status.as_u16()))
    .bind(error_message)
    .bind(Value::Object(metadata).to_string())
    .bind(ip)
    .bind(user_agent)
    .bind(timestamp(chrono::Utc::now()))
    .execute(&state.db)
    .await;
    if let Err(error) = result {
        tracing::error!("cannot write audit row for {action}: {error}");
    }
    response
}

/// The id in the path that names an object of the route's target kind
/// (e.g. `{userId}` for `organization_user`); none when the path has no such
/// id, as when creating one.
fn target_id_from_path(route: &str, path: &str, target: &str) -> Option<String> {
    route
        .split('/')
        .zip(path.split('/'))
        .find(|(pattern, _)| param_kind(pattern).is_some_and(|kinds| kinds.contains(&target)))
        .map(|(_, value)| value.to_string())
}

fn param_kind(pattern: &str) -> Option<&'static [&'static str]> {
    match pattern {
        "{organizationId}" => Some(&[ORG]),
        "{userId}" => Some(&[MEMBER, USER]),
        "{invitationId}" => Some(&[INVITATION]),
        "{roleId}" => Some(&[ROLE]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_from_metadata() {
        let metadata = metadata_of(br#"{"email":"a@example.com","password":"hunter22"}"#).unwrap();
        assert_eq!(metadata["email"], "a@example.com");
        assert_eq!(metadata["password"], "[redacted]");
    }

    #[test]
    fn target_is_the_path_id_of_the_targets_kind() {
        assert_eq!(
            target_id_from_path(
                "/api/organizations/{organizationId}/users/{userId}/access",
                "/api/organizations/o1/users/u2/access",
                MEMBER,
            ),
            Some("u2".into())
        );
        assert_eq!(
            target_id_from_path("/api/organizations", "/api/organizations", ORG),
            None
        );
        // Creating a role: the organization's id is not the role's.
        assert_eq!(
            target_id_from_path(
                "/api/organizations/{organizationId}/roles",
                "/api/organizations/o1/roles",
                ROLE,
            ),
            None
        );
    }
}
