//! The last-owner rule under real concurrency: simultaneous demote, remove
//! and leave requests (with and without a successor) on the multi-threaded
//! runtime never leave an organization without an owner, and never fail
//! with a server error.

use std::sync::Arc;

use crate::common::{Account, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Barrier;

const ROUNDS: usize = 50;

/// One request of a round, and whether it acts on another member's row
/// (which a concurrent leave or removal may have deleted: then 404).
struct Call {
    label: String,
    method: Method,
    path: String,
    token: String,
    body: Option<Value>,
    targets_other: bool,
}

fn demote(org: &str, by: &Account, who: &Account) -> Call {
    Call {
        label: format!("{} demotes {}", by.email, who.email),
        method: Method::POST,
        path: format!("/api/organizations/{org}/users/{}/access", who.id),
        token: by.token.clone(),
        body: Some(json!({"role": "member", "assignedRoleIds": []})),
        targets_other: true,
    }
}

fn remove(org: &str, by: &Account, who: &Account) -> Call {
    Call {
        label: format!("{} removes {}", by.email, who.email),
        method: Method::DELETE,
        path: format!("/api/organizations/{org}/users/{}", who.id),
        token: by.token.clone(),
        body: None,
        targets_other: true,
    }
}

fn leave(org: &str, who: &Account, successor: Option<&Account>) -> Call {
    Call {
        label: match successor {
            Some(s) => format!("{} leaves for {}", who.email, s.email),
            None => format!("{} leaves", who.email),
        },
        method: Method::POST,
        path: format!("/api/organizations/{org}/leave"),
        token: who.token.clone(),
        body: successor.map(|s| json!({"successorId": s.id})),
        // The successor may have been removed or have left meanwhile.
        targets_other: successor.is_some(),
    }
}

/// A fresh organization whose members are `owners` and `members`, written
/// directly (the API would hit the per-user creation limit).
async fn organization(app: &TestApp, owners: &[&Account], members: &[&Account]) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let now = "2026-01-01T00:00:00.000000Z";
    sqlx::query(
        "INSERT INTO organizations (id, name, created_by, personal, created_at, updated_at)
         VALUES ($1, 'Race', $2, 0, $3, $4)",
    )
    .bind(&id)
    .bind(&owners[0].id)
    .bind(now)
    .bind(now)
    .execute(&app.state.db)
    .await
    .unwrap();
    for owner in owners {
        app.add_member(&id, owner, "owner", &[]).await;
    }
    for member in members {
        app.add_member(&id, member, "member", &[roster_core::DEVELOPER_ID])
            .await;
    }
    id
}

async fn owner_count(app: &TestApp, org: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND role = 'owner'",
    )
    .bind(org)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

/// Fires all calls at once and checks every answer and the audit log.
async fn race(app: &Arc<TestApp>, org: &str, calls: Vec<Call>) -> Vec<StatusCode> {
    let audits = app.audit_count().await;
    let barrier = Arc::new(Barrier::new(calls.len()));
    let tasks: Vec<_> = calls
        .into_iter()
        .map(|call| {
            let app = Arc::clone(app);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                let response = app
                    .request(call.method, &call.path, Some(&call.token), call.body)
                    .await;
                (call.label, call.targets_other, response)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let (label, targets_other, response) = task.await.unwrap();
        let status = response.status;
        let expected = status.is_success()
            || status == StatusCode::FORBIDDEN
            || (targets_other && matches!(status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST));
        assert!(expected, "{label}: {status} {:?}", response.body);
        if status == StatusCode::FORBIDDEN {
            let message = response.message();
            assert!(
                [
                    "Access denied",
                    "Invalid authentication context",
                    &roster_core::last_owner_message(org),
                ]
                .contains(&message),
                "{label}: unexpected refusal {message:?}"
            );
        }
        statuses.push(status);
    }
    assert!(
        owner_count(app, org).await >= 1,
        "organization {org} lost its last owner"
    );
    let written = app.audit_count().await - audits;
    assert_eq!(written, statuses.len() as i64, "one audit row per request");
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_owners_racing_to_demote_remove_and_leave_keep_an_owner() {
    let app = Arc::new(TestApp::new().await);
    let a = app.account("a@example.com").await;
    let b = app.account("b@example.com").await;
    for _ in 0..ROUNDS {
        let org = organization(&app, &[&a, &b], &[]).await;
        let calls = vec![
            demote(&org, &a, &b),
            demote(&org, &b, &a),
            leave(&org, &a, None),
            leave(&org, &b, None),
            remove(&org, &a, &b),
            remove(&org, &b, &a),
        ];
        let statuses = race(&app, &org, calls).await;
        // Whichever request commits first succeeds and takes one of the two
        // owners away; after that the remaining owner stays (a demoted
        // owner may still leave or be removed as a member).
        assert!(statuses.iter().any(StatusCode::is_success), "{statuses:?}");
        assert_eq!(owner_count(&app, &org).await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leaving_with_a_successor_races_with_demotions_and_removals() {
    let app = Arc::new(TestApp::new().await);
    let a = app.account("a@example.com").await;
    let b = app.account("b@example.com").await;
    let c = app.account("c@example.com").await;
    for round in 0..ROUNDS {
        // Even rounds: a is the sole owner handing over to c while c tries
        // to leave. Odd rounds: a and b are owners, both handing over.
        let calls;
        let org;
        if round % 2 == 0 {
            org = organization(&app, &[&a], &[&b, &c]).await;
            calls = vec![
                leave(&org, &a, Some(&c)),
                leave(&org, &c, None),
                remove(&org, &a, &c),
                demote(&org, &a, &b),
            ];
        } else {
            org = organization(&app, &[&a, &b], &[&c]).await;
            calls = vec![
                leave(&org, &a, Some(&c)),
                leave(&org, &b, Some(&c)),
                demote(&org, &b, &a),
                demote(&org, &a, &b),
                remove(&org, &b, &c),
            ];
        }
        race(&app, &org, calls).await;
        // Whoever is an owner now holds no assignments.
        let stale: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM member_assignments a JOIN organization_members m
                 ON m.organization_id = a.organization_id AND m.user_id = a.user_id
              WHERE a.organization_id = $1 AND m.role = 'owner'",
        )
        .bind(&org)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
        assert_eq!(stale, 0, "round {round}");
    }
}
