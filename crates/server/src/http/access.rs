//! Authorization is data: for every route of the API, who may call it and
//! how a call is named in the audit log. `enforce` applies this table before
//! any handler runs; a test fails when a route of the router is missing here.
//!
//! The table decides the coarse gate (signed in, member, owner, permission).
//! Finer business rules — personal organizations, one's own row, the last
//! owner — are `roster_core::Capabilities` predicates the handlers call.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use roster_core::protocol;
use roster_core::Permission;

use super::context::OrgContext;
use crate::audit::{ASSIGNMENT, INVITATION, MEMBER, ORG, USER};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// No authentication.
    Anyone,
    /// Any signed-in user.
    User,
    /// A member of the organization in the path.
    Member,
    /// An owner of the organization in the path.
    Owner,
    /// An owner, or a member holding the permission.
    Permission(Permission),
}

#[derive(Debug)]
pub struct RouteAccess {
    pub method: Method,
    /// The route as in the OpenAPI document, without the `/api` prefix.
    pub path: &'static str,
    pub who: Who,
    /// Audit action (Daytona's names) and the kind of object it acts on.
    pub action: &'static str,
    pub target: &'static str,
    /// A call by a signed-in user (not through an organization's path)
    /// whose row still goes to an organization's log: creating one, and
    /// answering its invitation.
    acts_on_organization: bool,
}

const fn route(
    method: Method,
    path: &'static str,
    who: Who,
    action: &'static str,
    target: &'static str,
) -> RouteAccess {
    RouteAccess {
        method,
        path,
        who,
        action,
        target,
        acts_on_organization: false,
    }
}

/// A [`route`] of a signed-in user whose row goes to an organization's log.
const fn user_route_on_organization(
    method: Method,
    path: &'static str,
    action: &'static str,
    target: &'static str,
) -> RouteAccess {
    let mut access = route(method, path, User, action, target);
    access.acts_on_organization = true;
    access
}

impl RouteAccess {
    /// Whether a call writes a row to an organization's audit log: every
    /// mutation is recorded (`super::audit_trail`), and it lands in an
    /// organization's log when the organization is in the path or the
    /// call acts on one.
    pub fn recorded_in_organization_log(&self) -> bool {
        let mutation = !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let scoped = matches!(self.who, Member | Owner | Permission(_));
        mutation && (scoped || self.acts_on_organization)
    }
}

/// `GET /audit/scenarios`: what an organization's log can hold, read off
/// this table, so it cannot drift from what is recorded. Target types
/// sorted, each with its actions sorted (as Daytona lists them).
pub fn organization_log_scenarios() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut scenarios: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for route in ROUTES.iter().filter(|r| r.recorded_in_organization_log()) {
        scenarios
            .entry(route.target)
            .or_default()
            .insert(route.action);
    }
    scenarios
        .into_iter()
        .map(|(target, actions)| (target, actions.into_iter().collect()))
        .collect()
}

use Who::*;

pub static ROUTES: &[RouteAccess] = &[
    route(Method::GET, "/health", Anyone, "read", ""),
    route(Method::GET, "/config", Anyone, "read", ""),
    route(Method::GET, "/openapi.json", Anyone, "read", ""),
    route(Method::GET, "/shared-regions", Anyone, "read", "region"),
    route(Method::POST, "/auth/sign-up", Anyone, "create", USER),
    route(Method::POST, "/auth/sign-in", Anyone, "login", USER),
    route(
        Method::POST,
        "/auth/verify-email",
        User,
        "verify_email",
        USER,
    ),
    route(Method::POST, "/auth/sign-out", User, "logout", USER),
    route(Method::GET, "/users/me", User, "read", USER),
    route(Method::GET, "/organizations", User, "read", ORG),
    user_route_on_organization(Method::POST, "/organizations", "create", ORG),
    route(
        Method::GET,
        "/organizations/invitations",
        User,
        "read",
        INVITATION,
    ),
    route(
        Method::GET,
        "/organizations/invitations/count",
        User,
        "read",
        INVITATION,
    ),
    route(
        Method::GET,
        "/organizations/invitations/{invitationId}",
        User,
        "read",
        INVITATION,
    ),
    user_route_on_organization(
        Method::POST,
        "/organizations/invitations/{invitationId}/accept",
        "accept",
        INVITATION,
    ),
    user_route_on_organization(
        Method::POST,
        "/organizations/invitations/{invitationId}/decline",
        "decline",
        INVITATION,
    ),
    route(
        Method::GET,
        "/organizations/{organizationId}",
        Member,
        "read",
        ORG,
    ),
    route(
        Method::PATCH,
        "/organizations/{organizationId}",
        Owner,
        "update",
        ORG,
    ),
    route(
        Method::DELETE,
        "/organizations/{organizationId}",
        Owner,
        "delete",
        ORG,
    ),
    route(
        Method::POST,
        "/organizations/{organizationId}/leave",
        Member,
        "leave",
        ORG,
    ),
    route(
        Method::GET,
        "/organizations/{organizationId}/usage",
        Member,
        "read",
        ORG,
    ),
    route(
        Method::PATCH,
        "/organizations/{organizationId}/default-region",
        Owner,
        "set_default_region",
        ORG,
    ),
    route(
        Method::GET,
        "/organizations/{organizationId}/users",
        Member,
        "read",
        MEMBER,
    ),
    route(
        Method::POST,
        "/organizations/{organizationId}/users/{userId}/access",
        Owner,
        "update_access",
        MEMBER,
    ),
    route(
        Method::DELETE,
        "/organizations/{organizationId}/users/{userId}",
        Owner,
        "delete",
        MEMBER,
    ),
    // One row for the request, and one per member changed with the
    // single-member action (`update_access`, `delete`).
    route(
        Method::POST,
        "/organizations/{organizationId}/users/bulk",
        Owner,
        "bulk_update",
        MEMBER,
    ),
    route(
        Method::GET,
        "/organizations/{organizationId}/invitations",
        Member,
        "read",
        INVITATION,
    ),
    route(
        Method::POST,
        "/organizations/{organizationId}/invitations",
        Owner,
        "create",
        INVITATION,
    ),
    route(
        Method::PUT,
        "/organizations/{organizationId}/invitations/{invitationId}",
        Owner,
        "update",
        INVITATION,
    ),
    route(
        Method::POST,
        "/organizations/{organizationId}/invitations/{invitationId}/cancel",
        Owner,
        "cancel",
        INVITATION,
    ),
    route(
        Method::POST,
        "/organizations/{organizationId}/invitations/{invitationId}/resend",
        Owner,
        "resend",
        INVITATION,
    ),
    route(
        Method::GET,
        "/organizations/{organizationId}/roles",
        Member,
        "read",
        ASSIGNMENT,
    ),
    route(
        Method::POST,
        "/organizations/{organizationId}/roles",
        Owner,
        "create",
        ASSIGNMENT,
    ),
    route(
        Method::PUT,
        "/organizations/{organizationId}/roles/{roleId}",
        Owner,
        "update",
        ASSIGNMENT,
    ),
    route(
        Method::DELETE,
        "/organizations/{organizationId}/roles/{roleId}",
        Owner,
        "delete",
        ASSIGNMENT,
    ),
    route(
        Method::GET,
        "/audit/organizations/{organizationId}",
        Permission(Permission::ReadAuditLogs),
        "read",
        "audit_log",
    ),
    route(
        Method::GET,
        "/audit/organizations/{organizationId}/export",
        Permission(Permission::ReadAuditLogs),
        "read",
        "audit_log",
    ),
    // Public in Daytona's document (its clients send no credentials): the
    // actions Roster can record are no secret.
    route(Method::GET, "/audit/scenarios", Anyone, "read", "audit_log"),
];

/// The table entry of a matched route (with or without the `/api` prefix).
pub fn route_access(method: &Method, matched: &str) -> Option<&'static RouteAccess> {
    let path = matched.strip_prefix("/api").unwrap_or(matched);
    ROUTES
        .iter()
        .find(|r| r.method == *method && r.path == path)
}

/// Applies the table before the handler runs. A route missing from the table
/// is refused (fail closed).
pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let matched = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let Some(access) = matched.and_then(|m| route_access(&parts.method, &m)) else {
        tracing::error!(
            "{} {} has no entry in the access table",
            parts.method,
            parts.uri.path()
        );
        return ApiError::forbidden(protocol::ACCESS_DENIED).into_response();
    };
    let gate = match access.who {
        Anyone => Ok(()),
        User => CurrentUser::from_request_parts(&mut parts, &state)
            .await
            .map(drop),
        Member | Owner | Permission(_) => {
            match OrgContext::from_request_parts(&mut parts, &state).await {
                Ok(context) => check(access.who, &context),
                Err(error) => Err(error),
            }
        }
    };
    match gate {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(error) => error.into_response(),
    }
}

fn check(who: Who, context: &OrgContext) -> Result<(), ApiError> {
    let allowed = match who {
        Anyone | User | Member => true,
        Owner => context.capabilities.is_owner(),
        Permission(permission) => context.capabilities.has(permission),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(protocol::ACCESS_DENIED))
    }
}
