//! Authorization is data: every route of the router has an entry in the
//! access table, and every endpoint answers each kind of caller as expected.

use crate::common::{Account, TestApp};
use axum::http::{Method, StatusCode};
use roster_server::http::access::ROUTES;
use roster_server::http::route_list;
use serde_json::json;

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "00000000-0000-4000-8000-000000000000"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks the router: every method of every registered path that does not
/// answer 405 is a route, and must be in the table; every table entry must
/// be a route.
#[tokio::test]
async fn every_route_of_the_router_is_in_the_access_table_and_back() {
    let app = TestApp::new().await;
    let registered: Vec<&str> = route_list().paths().collect();
    let mut routed = Vec::new();
    for path in &registered {
        for method in METHODS {
            let response = app
                .request(
                    method.clone(),
                    &format!("/api{}", concrete(path)),
                    None,
                    Some(json!({})),
                )
                .await;
            if response.status != StatusCode::METHOD_NOT_ALLOWED {
                routed.push((method.clone(), *path));
            }
        }
    }
    let missing: Vec<String> = routed
        .iter()
        .filter(|(m, p)| !ROUTES.iter().any(|r| r.method == *m && r.path == *p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the access table: {missing:?}"
    );
    let stale: Vec<String> = ROUTES
        .iter()
        .filter(|r| !routed.iter().any(|(m, p)| *m == r.method && *p == r.path))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(stale.is_empty(), "table entries with no route: {stale:?}");
}

/// What a caller gets from the gate.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Gate {
    /// Passed the gate: whatever the handler answers, it is not 401, and not
    /// a 403 from the gate.
    Pass,
    /// 401: not signed in.
    SignIn,
    /// 403 "Invalid authentication context": not a member.
    NotMember,
    /// 403 "Access denied": a member without the role or permission.
    Denied,
}
use Gate::*;

/// The expected answer for: anonymous, non-member, member without
/// assignments, member with Auditor, owner. Written out, not derived from
/// the table, so a wrong table entry fails here.
fn expectations() -> Vec<(Method, &'static str, [Gate; 5])> {
    let public = [Pass, Pass, Pass, Pass, Pass];
    let user = [SignIn, Pass, Pass, Pass, Pass];
    let member = [SignIn, NotMember, Pass, Pass, Pass];
    let owner = [SignIn, NotMember, Denied, Denied, Pass];
    let auditor = [SignIn, NotMember, Denied, Pass, Pass];
    vec![
        (Method::GET, "/health", public),
        (Method::GET, "/config", public),
        (Method::GET, "/openapi.json", public),
        (Method::GET, "/shared-regions", public),
        (Method::POST, "/auth/sign-up", public),
        (Method::POST, "/auth/sign-in", public),
        (Method::POST, "/auth/verify-email", user),
        (Method::POST, "/auth/sign-out", user),
        (Method::GET, "/users/me", user),
        (Method::GET, "/organizations", user),
        (Method::POST, "/organizations", user),
        (Method::GET, "/organizations/invitations", user),
        (Method::GET, "/organizations/invitations/count", user),
        (
            Method::GET,
            "/organizations/invitations/{invitationId}",
            user,
        ),
        (
            Method::POST,
            "/organizations/invitations/{invitationId}/accept",
            user,
        ),
        (
            Method::POST,
            "/organizations/invitations/{invitationId}/decline",
            user,
        ),
        (Method::GET, "/organizations/{organizationId}", member),
        (Method::PATCH, "/organizations/{organizationId}", owner),
        (Method::DELETE, "/organizations/{organizationId}", owner),
        (
            Method::POST,
            "/organizations/{organizationId}/leave",
            member,
        ),
        (Method::GET, "/organizations/{organizationId}/usage", member),
        (
            Method::PATCH,
            "/organizations/{organizationId}/default-region",
            owner,
        ),
        (Method::GET, "/organizations/{organizationId}/users", member),
        (
            Method::POST,
            "/organizations/{organizationId}/users/{userId}/access",
            owner,
        ),
        (
            Method::DELETE,
            "/organizations/{organizationId}/users/{userId}",
            owner,
        ),
        (
            Method::POST,
            "/organizations/{organizationId}/users/bulk",
            owner,
        ),
        (
            Method::GET,
            "/organizations/{organizationId}/invitations",
            member,
        ),
        (
            Method::POST,
            "/organizations/{organizationId}/invitations",
            owner,
        ),
        (
            Method::PUT,
            "/organizations/{organizationId}/invitations/{invitationId}",
            owner,
        ),
        (
            Method::POST,
            "/organizations/{organizationId}/invitations/{invitationId}/cancel",
            owner,
        ),
        (
            Method::POST,
            "/organizations/{organizationId}/invitations/{invitationId}/resend",
            owner,
        ),
        (Method::GET, "/organizations/{organizationId}/roles", member),
        (Method::POST, "/organizations/{organizationId}/roles", owner),
        (
            Method::PUT,
            "/organizations/{organizationId}/roles/{roleId}",
            owner,
        ),
        (
            Method::DELETE,
            "/organizations/{organizationId}/roles/{roleId}",
            owner,
        ),
        (
            Method::GET,
            "/audit/organizations/{organizationId}",
            auditor,
        ),
        (
            Method::GET,
            "/audit/organizations/{organizationId}/export",
            auditor,
        ),
        (Method::GET, "/audit/scenarios", public),
    ]
}

#[tokio::test]
async fn every_endpoint_answers_each_kind_of_caller_as_expected() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let outsider = app.account("outsider@example.com").await;
    let member = app.account("member@example.com").await;
    let auditor = app.account("auditor@example.com").await;

    let expectations = expectations();
    assert_eq!(
        expectations.len(),
        ROUTES.len(),
        "the matrix must cover every route of the table"
    );
    let mut failures = Vec::new();
    for (method, path, expected) in expectations {
        // A fresh organization per route: the owner's call may delete it.
        let org = app.organization_in_store(&owner, "Matrix").await;
        app.add_member(&org, &member, "member", &[]).await;
        app.add_member(&org, &auditor, "member", &[roster_core::AUDITOR_ID])
            .await;
        // Signing out ends the session it is called with: use spare ones.
        let spare = |account: &Account| {
            let app = &app;
            let account = account.clone();
            async move {
                let token =
                    roster_server::services::accounts::start_session(&app.state.db, &account.id)
                        .await
                        .expect("session");
                Account { token, ..account }
            }
        };
        let (outsider, member, auditor, owner) = if path == "/auth/sign-out" {
            (
                spare(&outsider).await,
                spare(&member).await,
                spare(&auditor).await,
                spare(&owner).await,
            )
        } else {
            (
                outsider.clone(),
                member.clone(),
                auditor.clone(),
                owner.clone(),
            )
        };
        let callers: [Option<&Account>; 5] = [
            None,
            Some(&outsider),
            Some(&member),
            Some(&auditor),
            Some(&owner),
        ];
        let concrete_path = path
            .replace("{organizationId}", &org)
            .replace("{userId}", &member.id)
            .replace("{invitationId}", "00000000-0000-4000-8000-000000000001")
            .replace("{roleId}", "00000000-0000-4000-8000-000000000002");
        // The owner goes last: the organization may not survive the call.
        for (caller, gate) in callers.iter().zip(expected) {
            let response = app
                .request(
                    method.clone(),
                    &format!("/api{concrete_path}"),
                    caller.map(|a| a.token.as_str()),
                    (method != Method::GET).then(|| json!({})),
                )
                .await;
            let got = match (response.status, response.message()) {
                (StatusCode::UNAUTHORIZED, _) => SignIn,
                (StatusCode::FORBIDDEN, "Invalid authentication context") => NotMember,
                (StatusCode::FORBIDDEN, "Access denied") => Denied,
                _ => Pass,
            };
            if got != gate {
                let who = caller.map_or("anonymous", |a| a.email.as_str());
                failures.push(format!(
                    "{method} {path} as {who}: expected {gate:?}, got {} {:?}",
                    response.status, response.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The SPA's action filter lists roster-core's vocabulary; it must be
/// exactly the actions an organization's log can hold: those of the
/// mutating routes that act in an organization.
#[test]
fn organization_audit_actions_are_the_core_vocabulary() {
    use std::collections::BTreeSet;
    let recorded: BTreeSet<&str> = ROUTES
        .iter()
        .filter(|r| r.method != Method::GET)
        .filter(|r| r.path.starts_with("/organizations"))
        .map(|r| r.action)
        .collect();
    let vocabulary: BTreeSet<&str> = roster_core::audit::ORGANIZATION_AUDIT_ACTIONS
        .into_iter()
        .collect();
    assert_eq!(recorded, vocabulary);
}
