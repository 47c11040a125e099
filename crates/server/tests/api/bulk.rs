//! `POST /organizations/{id}/users/bulk` (issue 19) and `lastActiveAt`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{personal_organization, Account, TestApp};
use crate::races;
use axum::http::StatusCode;
use roster_core::{last_owner_message, AUDITOR_ID, DEVELOPER_ID};
use serde_json::{json, Value};
use tokio::sync::Barrier;

const UNKNOWN_USER: &str = "00000000-0000-4000-8000-000000000000";

fn bulk_path(org: &str) -> String {
    format!("/api/organizations/{org}/users/bulk")
}

/// An organization of owners Ada and Bo, and members Cy (Developer) and
/// Di (Auditor).
struct Org {
    app: TestApp,
    id: String,
    ada: Account,
    bo: Account,
    cy: Account,
    di: Account,
}

async fn org() -> Org {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bo = app.account("bo@example.com").await;
    let cy = app.account("cy@example.com").await;
    let di = app.account("di@example.com").await;
    let id = app.organization(&ada, "Bulk").await;
    app.add_member(&id, &bo, "owner", &[]).await;
    app.add_member(&id, &cy, "member", &[DEVELOPER_ID]).await;
    app.add_member(&id, &di, "member", &[AUDITOR_ID]).await;
    Org {
        app,
        id,
        ada,
        bo,
        cy,
        di,
    }
}

/// Each result's user id and status, in order.
fn statuses(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["userId"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pair(user: &str, status: &str) -> (String, String) {
    (user.to_owned(), status.to_owned())
}

/// Every member's (user id, role, sorted assignment ids) in the database.
async fn snapshot(app: &TestApp, org: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT m.user_id, m.role,
                COALESCE((SELECT MIN(assignment_id) FROM member_assignments a
                           WHERE a.organization_id = m.organization_id AND a.user_id = m.user_id), '')
           FROM organization_members m WHERE m.organization_id = $1 ORDER BY m.user_id",
    )
    .bind(org)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

/// The audit rows of `org` after `seq`: (action, target id, metadata).
async fn audit_rows_after(
    app: &TestApp,
    org: &str,
    seq: i64,
) -> Vec<(String, Option<String>, Value)> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT action, target_id, metadata FROM audit_logs
          WHERE organization_id = $1 AND seq > $2 ORDER BY seq",
    )
    .bind(org)
    .bind(seq)
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(a, t, m)| (a, t, serde_json::from_str(&m).unwrap_or(Value::Null)))
        .collect()
}

async fn last_seq(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_logs")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn per_member_results_skip_no_ops_refuse_rules_and_audit_each_change() {
    let o = org().await;
    let seq = last_seq(&o.app).await;
    let response = o
        .app
        .post(
            &bulk_path(&o.id),
            &o.ada.token,
            json!({"action": "changeRole", "role": "owner",
                   "userIds": [o.cy.id, o.ada.id, o.bo.id, UNKNOWN_USER]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(
        statuses(&response.body),
        [
            pair(&o.cy.id, "applied"),
            pair(&o.ada.id, "refused"),
            pair(&o.bo.id, "unchanged"),
            pair(UNKNOWN_USER, "refused"),
        ]
    );
    let results = &response.body["results"];
    assert_eq!(results[0]["member"]["role"], "owner");
    assert_eq!(results[0]["member"]["assignedRoles"], json!([]));
    assert_eq!(results[1]["message"], "You cannot update your own access");
    assert_eq!(results[2]["message"], "Already an owner");
    assert_eq!(results[3]["message"], "Member not found");
    assert_eq!(
        (
            &response.body["applied"],
            &response.body["unchanged"],
            &response.body["refused"],
            &response.body["failed"]
        ),
        (&json!(1), &json!(1), &json!(2), &json!(0))
    );
    // Cy is an owner now, with no assignments left.
    let members = o
        .app
        .get(&format!("/api/organizations/{}/users", o.id), &o.ada.token)
        .await;
    let cy = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == o.cy.id.as_str())
        .unwrap();
    assert_eq!(cy["role"], "owner");
    assert_eq!(results[0]["member"], *cy);

    // One row for the request, one per member changed, as the single
    // endpoint names it.
    let rows = audit_rows_after(&o.app, &o.id, seq).await;
    let named: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|(a, t, _)| (a.as_str(), t.as_deref()))
        .collect();
    assert_eq!(
        named,
        [
            ("update_access", Some(o.cy.id.as_str())),
            ("bulk_update", None)
        ]
    );
    assert_eq!(rows[0].2["bulk"], true);
    assert_eq!(rows[0].2["role"], "owner");
}

#[tokio::test]
async fn assignments_are_added_and_removed_and_members_removed() {
    let o = org().await;
    let add = o
        .app
        .post(
            &bulk_path(&o.id),
            &o.ada.token,
            json!({"action": "addAssignment", "assignmentId": AUDITOR_ID,
                   "userIds": [o.cy.id, o.di.id, o.bo.id]}),
        )
        .await;
    assert_eq!(add.status, StatusCode::OK, "{:?}", add.body);
    assert_eq!(
        statuses(&add.body),
        [
            pair(&o.cy.id, "applied"),
            pair(&o.di.id, "unchanged"),
            pair(&o.bo.id, "unchanged")
        ]
    );
    let held: Vec<&str> = add.body["results"][0]["member"]["assignedRoles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(held, [DEVELOPER_ID, AUDITOR_ID]);

    let take = o
        .app
        .post(
            &bulk_path(&o.id),
            &o.ada.token,
            json!({"action": "removeAssignment", "assignmentId": DEVELOPER_ID,
                   "userIds": [o.cy.id, o.di.id]}),
        )
        .await;
    assert_eq!(
        statuses(&take.body),
        [pair(&o.cy.id, "applied"), pair(&o.di.id, "unchanged")]
    );

    let seq = last_seq(&o.app).await;
    let remove = o
        .app
        .post(
            &bulk_path(&o.id),
            &o.ada.token,
            json!({"action": "remove", "userIds": [o.cy.id, o.di.id, o.ada.id]}),
        )
        .await;
    assert_eq!(
        statuses(&remove.body),
        [
            pair(&o.cy.id, "applied"),
            pair(&o.di.id, "applied"),
            pair(&o.ada.id, "refused")
        ]
    );
    assert!(remove.body["results"][0].get("member").is_none());
    let left: Vec<String> = snapshot(&o.app, &o.id)
        .await
        .into_iter()
        .map(|(u, _, _)| u)
        .collect();
    let mut expected = vec![o.ada.id.clone(), o.bo.id.clone()];
    expected.sort();
    assert_eq!(left, expected);
    let actions: Vec<String> = audit_rows_after(&o.app, &o.id, seq)
        .await
        .into_iter()
        .map(|(a, _, _)| a)
        .collect();
    assert_eq!(actions, ["delete", "delete", "bulk_update"]);
}

#[tokio::test]
async fn all_or_nothing_changes_nothing_when_one_member_is_refused() {
    let o = org().await;
    let before = snapshot(&o.app, &o.id).await;
    let seq = last_seq(&o.app).await;
    let response = o
        .app
        .post(
            &bulk_path(&o.id),
            &o.ada.token,
            json!({"action": "changeRole", "role": "member", "mode": "allOrNothing",
                   "userIds": [o.bo.id, o.ada.id, o.cy.id]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{:?}", response.body);
    assert_eq!(response.body["statusCode"], 409);
    assert!(
        response.message().starts_with("No member was changed"),
        "{}",
        response.message()
    );
    assert_eq!(statuses(&response.body), [pair(&o.ada.id, "refused")]);
    assert_eq!(snapshot(&o.app, &o.id).await, before);
    let rows = audit_rows_after(&o.app, &o.id, seq).await;
    assert_eq!(rows.len(), 1, "only the request's row: {rows:?}");
    assert_eq!(rows[0].0, "bulk_update");

    // Without the refused row, everything is applied at once.
    let response = o
        .app
        .post(
            &bulk_path(&o.id),
            &o.ada.token,
            json!({"action": "changeRole", "role": "member", "mode": "allOrNothing",
                   "userIds": [o.bo.id, o.cy.id]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(
        statuses(&response.body),
        [pair(&o.bo.id, "applied"), pair(&o.cy.id, "unchanged")]
    );
}

#[tokio::test]
async fn callers_who_may_not_and_personal_organizations_are_refused_whole() {
    let o = org().await;
    let body = json!({"action": "remove", "userIds": [o.di.id]});
    let member = o
        .app
        .post(&bulk_path(&o.id), &o.cy.token, body.clone())
        .await;
    assert_eq!(member.status, StatusCode::FORBIDDEN);
    assert_eq!(member.message(), "Access denied");
    let stranger = o.app.account("eve@example.com").await;
    let outside = o.app.post(&bulk_path(&o.id), &stranger.token, body).await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    assert_eq!(outside.message(), "Invalid authentication context");

    let personal = personal_organization(&o.app, &o.ada).await;
    let response = o
        .app
        .post(
            &bulk_path(&personal),
            &o.ada.token,
            json!({"action": "changeRole", "role": "member", "userIds": [o.ada.id]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "Cannot change roles in a personal organization"
    );
    assert_eq!(snapshot(&o.app, &o.id).await.len(), 4);
}

#[tokio::test]
async fn bad_requests_are_400_and_change_nothing() {
    let o = org().await;
    let before = snapshot(&o.app, &o.id).await;
    let too_many: Vec<String> = (0..10_001)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let cases = [
        (
            json!({"action": "remove", "userIds": []}),
            "userIds must name at least one member",
        ),
        (
            json!({"action": "remove", "userIds": [o.cy.id, o.di.id, o.cy.id]}),
            "more than once",
        ),
        (
            json!({"action": "remove", "userIds": too_many}),
            "at most 10000 members",
        ),
        (
            json!({"action": "addAssignment", "assignmentId": "00000000-0000-0000-0000-000000000009",
                   "userIds": [o.cy.id]}),
            "One or more role IDs are invalid",
        ),
        (
            json!({"action": "promote", "userIds": [o.cy.id]}),
            "unknown variant",
        ),
        (
            json!({"action": "changeRole", "userIds": [o.cy.id]}),
            "missing field",
        ),
        (
            json!({"action": "remove", "userIds": [o.cy.id], "mode": "some"}),
            "unknown variant",
        ),
    ];
    for (body, message) in cases {
        let response = o
            .app
            .post(&bulk_path(&o.id), &o.ada.token, body.clone())
            .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{body}: {:?}",
            response.body
        );
        assert!(
            response.message().contains(message),
            "{body}: {}",
            response.message()
        );
    }
    assert_eq!(snapshot(&o.app, &o.id).await, before);
}

/// Two owners demoting each other and a third at once, many times: the
/// organization always keeps an owner, and nobody gets a server error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bulk_demotions_keep_an_owner() {
    let app = Arc::new(TestApp::new().await);
    let a = app.account("a@example.com").await;
    let b = app.account("b@example.com").await;
    let c = app.account("c@example.com").await;
    for round in 0..20 {
        let org = races::organization(&app.state.db, &[&a, &b, &c], &[]).await;
        let barrier = Arc::new(Barrier::new(3));
        let requests = [
            (
                a.token.clone(),
                vec![b.id.clone(), c.id.clone()],
                "perMember",
            ),
            (
                b.token.clone(),
                vec![a.id.clone(), c.id.clone()],
                "allOrNothing",
            ),
            (
                c.token.clone(),
                vec![a.id.clone(), b.id.clone()],
                "perMember",
            ),
        ];
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(token, ids, mode)| {
                let app = Arc::clone(&app);
                let barrier = Arc::clone(&barrier);
                let path = bulk_path(&org);
                tokio::spawn(async move {
                    barrier.wait().await;
                    app.post(
                        &path,
                        &token,
                        json!({"action": "changeRole", "role": "member", "userIds": ids, "mode": mode}),
                    )
                    .await
                })
            })
            .collect();
        for task in tasks {
            let response = task.await.unwrap();
            let allowed = [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::CONFLICT];
            assert!(
                allowed.contains(&response.status),
                "round {round}: {:?}",
                response.body
            );
            if response.status == StatusCode::FORBIDDEN {
                assert!(
                    [
                        "Access denied",
                        "Invalid authentication context",
                        &last_owner_message(&org)
                    ]
                    .contains(&response.message()),
                    "{}",
                    response.message()
                );
            }
        }
        let owners: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND role = 'owner'",
        )
        .bind(&org)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
        assert_eq!(
            owners, 1,
            "round {round}: whoever went first demoted both others"
        );
    }
}

async fn generated_members(app: &TestApp, org: &str, count: i64) -> Vec<String> {
    crate::members::generated_members(app, org, count).await;
    sqlx::query(
        "INSERT INTO member_assignments (organization_id, user_id, assignment_id)
         SELECT $1, id, $2 FROM users WHERE id LIKE 'gen-%'",
    )
    .bind(org)
    .bind(DEVELOPER_ID)
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query_scalar("SELECT id FROM users WHERE id LIKE 'gen-%' ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_thousand_members_change_role_in_seconds_with_an_audit_row_each() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Large").await;
    let ids = generated_members(&app, &org, 2_000).await;
    let selected = &ids[..1_000];
    let audits = app.audit_count().await;
    let started = Instant::now();
    let response = app
        .post(
            &bulk_path(&org),
            &owner.token,
            json!({"action": "changeRole", "role": "owner", "userIds": selected}),
        )
        .await;
    let took = started.elapsed();
    eprintln!("bulk role change of 1,000 of 2,000 members: {took:?}");
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["applied"], 1_000);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let owners: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND role = 'owner'",
    )
    .bind(&org)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(owners, 1_001);
    assert_eq!(app.audit_count().await - audits, 1_001);
    // The list shows it at once.
    let list = app
        .get(&format!("/api/organizations/{org}/users"), &owner.token)
        .await;
    let listed_owners = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "owner")
        .count();
    assert_eq!(listed_owners, 1_001);
}

async fn last_active(app: &TestApp, org: &str, user: &Account) -> Option<String> {
    sqlx::query_scalar(
        "SELECT last_active_at FROM organization_members WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(org)
    .bind(&user.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

async fn members_version(app: &TestApp, org: &str) -> i64 {
    sqlx::query_scalar("SELECT members_version FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn last_active_is_recorded_at_most_once_an_hour() {
    let o = org().await;
    assert_eq!(last_active(&o.app, &o.id, &o.bo).await, None);
    let list = o
        .app
        .get(&format!("/api/organizations/{}/users", o.id), &o.ada.token)
        .await;
    let listed = |body: &Value, user: &Account| {
        body.as_array()
            .unwrap()
            .iter()
            .find(|m| m["userId"] == user.id.as_str())
            .cloned()
            .unwrap()
    };
    let first = last_active(&o.app, &o.id, &o.ada).await.expect("recorded");
    // The list answering the request already shows it; Bo never came.
    let ada = listed(&list.body, &o.ada);
    let shown = ada["lastActiveAt"].as_str().expect("lastActiveAt");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(shown).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&first).unwrap()
    );
    assert!(listed(&list.body, &o.bo).get("lastActiveAt").is_none());

    // Within the hour: no write, the list's version (and ETag) stays.
    let version = members_version(&o.app, &o.id).await;
    for _ in 0..3 {
        let again = o
            .app
            .get(&format!("/api/organizations/{}", o.id), &o.ada.token)
            .await;
        assert_eq!(again.status, StatusCode::OK);
    }
    assert_eq!(
        last_active(&o.app, &o.id, &o.ada).await.as_deref(),
        Some(first.as_str())
    );
    assert_eq!(members_version(&o.app, &o.id).await, version);

    // An hour later, the next request records it again.
    let earlier = roster_server::db::timestamp(chrono::Utc::now() - chrono::TimeDelta::minutes(61));
    sqlx::query("UPDATE organization_members SET last_active_at = $1 WHERE user_id = $2 AND organization_id = $3")
        .bind(&earlier)
        .bind(&o.ada.id)
        .bind(&o.id)
        .execute(&o.app.state.db)
        .await
        .unwrap();
    o.app
        .get(&format!("/api/organizations/{}", o.id), &o.ada.token)
        .await;
    let later = last_active(&o.app, &o.id, &o.ada).await.expect("recorded");
    assert!(later > earlier, "{later} after {earlier}");
    assert!(later >= first);

    // Two instances that both read a stale value write once between them.
    let record = || {
        roster_server::store::members::record_activity(
            &o.app.state.db,
            &o.id,
            &o.cy.id,
            chrono::Utc::now(),
            chrono::TimeDelta::hours(1),
        )
    };
    assert!(record().await.unwrap());
    assert!(!record().await.unwrap());
}
