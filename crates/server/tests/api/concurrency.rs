//! The last-owner rule under real concurrency: simultaneous demote, remove
//! and leave requests (with and without a successor) on the multi-threaded
//! runtime never leave an organization without an owner, and never fail
//! with a server error.

use std::sync::Arc;

use crate::common::TestApp;
use crate::races::{self, demote, leave, remove, Call};
use axum::http::StatusCode;
use tokio::sync::Barrier;

const ROUNDS: usize = 50;

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
        let org = races::organization(&app.state.db, &[&a, &b], &[]).await;
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
            org = races::organization(&app.state.db, &[&a], &[&b, &c]).await;
            calls = vec![
                leave(&org, &a, Some(&c)),
                leave(&org, &c, None),
                remove(&org, &a, &c),
                demote(&org, &a, &b),
            ];
        } else {
            org = races::organization(&app.state.db, &[&a, &b], &[&c]).await;
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
