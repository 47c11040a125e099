//! The audit log: every mutation through the API writes exactly one row, with
//! its outcome, whatever the handler did.
//!
//! This module is what a row says, built without HTTP or SQL: the kinds of
//! object a row names, the [`AuditSlot`] that the authentication and
//! organization extractors and the handler fill in (actor, organization,
//! target), and the [`Row`] made of it and of the request. The middleware
//! that gives every unsafe request its slot and writes its row is
//! `http::audit_trail`; the SQL is `store::audit`.

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

/// The kinds of object a row's target names (Daytona's names).
pub const ORG: &str = "organization";
pub const INVITATION: &str = "organization_invitation";
pub const MEMBER: &str = "organization_user";
pub const ASSIGNMENT: &str = "organization_role";
pub const USER: &str = "user";

/// What the request's extractors and handler said about it.
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

/// Who made a request and from where, for the rows a handler writes
/// itself: a bulk request writes one row per member it changed, each as
/// the single-member endpoint would have (its action, the member as the
/// target), besides the request's own row.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub actor_id: String,
    pub actor_email: String,
    pub method: String,
    pub path: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

impl Origin {
    /// The row of a change to member `user_id` of `organization_id` that
    /// succeeded with `status_code`; `details` (a JSON object) says what
    /// changed and goes to the metadata with `method`, `path` and `bulk`.
    pub fn member_row(
        &self,
        organization_id: &str,
        action: &'static str,
        user_id: &str,
        status_code: u16,
        details: Value,
    ) -> Row {
        let mut metadata = match details {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        metadata.insert("method".into(), Value::String(self.method.clone()));
        metadata.insert("path".into(), Value::String(self.path.clone()));
        metadata.insert("bulk".into(), Value::Bool(true));
        Row {
            organization_id: Some(organization_id.to_owned()),
            actor_id: self.actor_id.clone(),
            actor_email: self.actor_email.clone(),
            action,
            target_type: Some(MEMBER.to_owned()),
            target_id: Some(user_id.to_owned()),
            status_code,
            error_message: None,
            metadata: Value::Object(metadata).to_string(),
            ip_address: self.ip_address.clone(),
            user_agent: self
                .user_agent
                .as_deref()
                .map(|agent| agent.chars().take(USER_AGENT_MAX_CHARS).collect()),
        }
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

/// What a request tells of itself before it runs.
pub struct Request {
    method: String,
    path: String,
    metadata: Option<Value>,
    ip_address: Option<String>,
    user_agent: Option<String>,
}

/// How the access table names a route: its action and the kind of object
/// it acts on ("" for none).
#[derive(Clone, Copy, Debug)]
pub struct Naming {
    pub action: &'static str,
    pub target: &'static str,
}

/// One row of the log, as written.
#[derive(Debug)]
pub struct Row {
    pub organization_id: Option<String>,
    pub actor_id: String,
    pub actor_email: String,
    pub action: &'static str,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub status_code: u16,
    pub error_message: Option<String>,
    pub metadata: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

impl Request {
    /// The request as its row keeps it: the body (redacted and bounded),
    /// the address and a cut user agent.
    pub fn new(
        method: &str,
        path: &str,
        body: &[u8],
        ip_address: Option<String>,
        user_agent: Option<&str>,
    ) -> Self {
        Request {
            method: method.to_string(),
            path: path.to_string(),
            metadata: metadata_of(body),
            ip_address,
            user_agent: user_agent
                .map(|agent| agent.chars().take(USER_AGENT_MAX_CHARS).collect::<String>()),
        }
    }

    /// The row of the request once it has run on the matched `route`:
    /// what the slot learned, else what the route's naming and path say.
    /// `error_message` is the failed response's message.
    pub fn into_row(
        self,
        slot: &AuditSlot,
        route: &str,
        naming: Option<Naming>,
        status_code: u16,
        error_message: Option<String>,
    ) -> Row {
        let action = naming.map_or("unknown", |n| n.action);
        let entry = slot.with(|e| e.clone());
        let (target_type, target_id) = match (entry.target_type, entry.target_id) {
            (Some(kind), Some(id)) => (Some(kind), Some(id)),
            _ => (
                naming
                    .map(|n| n.target.to_string())
                    .filter(|t| !t.is_empty()),
                naming.and_then(|n| target_id_from_path(route, &self.path, n.target)),
            ),
        };
        let mut metadata = match self.metadata {
            Some(Value::Object(map)) => map,
            Some(other) => Map::from_iter([("body".to_string(), other)]),
            None => Map::new(),
        };
        metadata.insert("method".into(), Value::String(self.method));
        metadata.insert("path".into(), Value::String(self.path));

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
        Row {
            organization_id: entry.organization_id,
            actor_id,
            actor_email,
            action,
            target_type,
            target_id,
            status_code,
            error_message,
            metadata: Value::Object(metadata).to_string(),
            ip_address: self.ip_address,
            user_agent: self.user_agent,
        }
    }
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
        "{roleId}" => Some(&[ASSIGNMENT]),
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
                ASSIGNMENT,
            ),
            None
        );
    }
}
