//! Members: the list (also at 10,000 members), access updates and removal,
//! with every refusal and the state afterwards.

use std::time::{Duration, Instant};

use crate::common::{dialect, personal_organization, Account, TestApp};
use axum::http::StatusCode;
use roster_core::{AUDITOR_ID, DEVELOPER_ID};
use roster_server::store::members;
use serde_json::{json, Value};

const MEMBER_REQUIRED: &[&str] = &[
    "assignedRoles",
    "createdAt",
    "email",
    "name",
    "organizationId",
    "role",
    "updatedAt",
    "userId",
];

const ROLE_REQUIRED: &[&str] = &[
    "createdAt",
    "description",
    "id",
    "isGlobal",
    "name",
    "permissions",
    "updatedAt",
];

const UNKNOWN_USER: &str = "00000000-0000-4000-8000-000000000000";

fn assert_required(value: &Value, required: &[&str]) {
    let object = value.as_object().expect("a JSON object");
    for key in required {
        assert!(object.contains_key(*key), "missing {key} in {value}");
    }
}

fn users_path(org: &str) -> String {
    format!("/api/organizations/{org}/users")
}

fn access_path(org: &str, user: &str) -> String {
    format!("/api/organizations/{org}/users/{user}/access")
}

fn member_path(org: &str, user: &str) -> String {
    format!("/api/organizations/{org}/users/{user}")
}

async fn custom_assignment(app: &TestApp, org: &str, id: &str, name: &str, permissions: &[&str]) {
    sqlx::query(
        "INSERT INTO custom_assignments (id, organization_id, name, description, permissions, created_at, updated_at)
         VALUES ($1, $2, $3, 'A custom assignment', $4, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(id)
    .bind(org)
    .bind(name)
    .bind(serde_json::to_string(permissions).unwrap())
    .execute(&app.state.db)
    .await
    .unwrap();
}

async fn role_of(app: &TestApp, org: &str, user: &Account) -> Option<String> {
    sqlx::query_scalar(
        "SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(org)
    .bind(&user.id)
    .fetch_optional(&app.state.db)
    .await
    .unwrap()
}

async fn assignments_of(app: &TestApp, org: &str, user: &Account) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT assignment_id FROM member_assignments WHERE organization_id = $1 AND user_id = $2 ORDER BY assignment_id",
    )
    .bind(org)
    .bind(&user.id)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

async fn set_joined(app: &TestApp, org: &str, user: &Account, at: &str) {
    sqlx::query(
        "UPDATE organization_members SET created_at = $1 WHERE organization_id = $2 AND user_id = $3",
    )
    .bind(at)
    .bind(org)
    .bind(&user.id)
    .execute(&app.state.db)
    .await
    .unwrap();
}

fn ids(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn members_are_listed_oldest_first_with_their_assignments() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let zed = app.account("zed@example.com").await;
    let amy = app.account("amy@example.com").await;
    let cy = app.account("cy@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    custom_assignment(
        &app,
        &org,
        "custom-1",
        "Release manager",
        &["write:snapshots"],
    )
    .await;
    app.add_member(&org, &zed, "member", &[AUDITOR_ID, DEVELOPER_ID])
        .await;
    app.add_member(&org, &amy, "member", &["custom-1"]).await;
    app.add_member(&org, &cy, "owner", &[]).await;
    set_joined(&app, &org, &ada, "2025-06-01T00:00:00.000000Z").await;
    set_joined(&app, &org, &cy, "2027-01-01T00:00:00.000000Z").await;

    let response = app.get(&users_path(&org), &amy.token).await;
    assert_eq!(response.status, StatusCode::OK);
    let list = response.body.as_array().unwrap();
    let emails: Vec<&str> = list.iter().map(|m| m["email"].as_str().unwrap()).collect();
    // zed and amy joined at the same instant: by e-mail.
    assert_eq!(
        emails,
        [
            "ada@example.com",
            "amy@example.com",
            "zed@example.com",
            "cy@example.com"
        ]
    );
    for member in list {
        assert_required(member, MEMBER_REQUIRED);
        assert_eq!(member["organizationId"], org.as_str());
        for role in member["assignedRoles"].as_array().unwrap() {
            assert_required(role, ROLE_REQUIRED);
        }
    }
    assert_eq!(list[0]["userId"], ada.id.as_str());
    assert_eq!(list[0]["name"], "ada");
    assert_eq!(list[0]["role"], "owner");
    assert_eq!(list[0]["createdAt"], "2025-06-01T00:00:00Z");
    assert_eq!(list[0]["assignedRoles"], json!([]));

    let amy_assignments = &list[1]["assignedRoles"];
    assert_eq!(ids(amy_assignments), ["custom-1"]);
    assert_eq!(amy_assignments[0]["name"], "Release manager");
    assert_eq!(amy_assignments[0]["isGlobal"], false);
    assert_eq!(
        amy_assignments[0]["permissions"],
        json!(["write:snapshots"])
    );

    let zed_assignments = &list[2]["assignedRoles"];
    assert_eq!(ids(zed_assignments), [DEVELOPER_ID, AUDITOR_ID]);
    assert_eq!(zed_assignments[1]["name"], "Auditor");
    assert_eq!(zed_assignments[1]["isGlobal"], true);
    assert_eq!(
        zed_assignments[1]["permissions"],
        json!(["read:audit_logs"])
    );
    assert_eq!(list[3]["role"], "owner");

    let response = app.get(&users_path(&org), &eve.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");
}

#[tokio::test]
async fn ten_thousand_members_are_listed_in_order_and_quickly() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let org = app.organization(&ada, "Big").await;
    custom_assignment(&app, &org, "custom-1", "Custom", &["read:volumes"]).await;
    let mut tx = app.state.db.begin().await.unwrap();
    let n = dialect::padded("i", 5);
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO users (id, email, email_normalized, name, password_hash, email_verified, created_at)
         SELECT 'user-' || {n}, 'u' || {n} || '@example.com', 'u' || {n} || '@example.com',
                'User ' || i, NULL, 1, '2026-01-01T00:00:00.000000Z'
           FROM n",
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    // Join times repeat every 24 members, so the e-mail breaks most ties.
    sqlx::query(&format!(
        "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
         SELECT $1, id, 'member', '2026-01-01T' || {} || ':00:00.000000Z',
                '2026-01-01T00:00:00.000000Z'
           FROM users WHERE id LIKE 'user-%'",
        dialect::padded("CAST(substr(id, 6) AS INTEGER) % 24", 2)
    ))
    .bind(&org)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO member_assignments (organization_id, user_id, assignment_id)
         SELECT $1, id, $2 FROM users WHERE id LIKE 'user-%'
         UNION ALL
         SELECT $3, id, 'custom-1' FROM users WHERE id LIKE 'user-%' AND CAST(substr(id, 6) AS INTEGER) % 2 = 0",
    )
    .bind(&org)
    .bind(DEVELOPER_ID)
    .bind(&org)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let started = Instant::now();
    let response = app.get(&users_path(&org), &ada.token).await;
    let elapsed = started.elapsed();
    assert_eq!(response.status, StatusCode::OK);
    let list = response.body.as_array().unwrap();
    assert_eq!(list.len(), 10_001);
    let keys: Vec<(&str, &str)> = list
        .iter()
        .map(|m| {
            (
                m["createdAt"].as_str().unwrap(),
                m["email"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "sorted by createdAt, then e-mail"
    );
    let u00002 = list.iter().find(|m| m["userId"] == "user-00002").unwrap();
    assert_eq!(ids(&u00002["assignedRoles"]), [DEVELOPER_ID, "custom-1"]);
    let u00003 = list.iter().find(|m| m["userId"] == "user-00003").unwrap();
    assert_eq!(ids(&u00003["assignedRoles"]), [DEVELOPER_ID]);
    // A query per member would take far longer than this, even unoptimised.
    assert!(
        elapsed < Duration::from_secs(10),
        "listing 10,000 members took {elapsed:?}"
    );
}

#[tokio::test]
async fn owners_replace_a_members_assignments() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    custom_assignment(
        &app,
        &org,
        "custom-1",
        "Release manager",
        &["write:snapshots"],
    )
    .await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID]).await;
    let audits = app.audit_count().await;

    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": [AUDITOR_ID, "custom-1", AUDITOR_ID]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_required(&response.body, MEMBER_REQUIRED);
    assert_eq!(response.body["userId"], bob.id.as_str());
    assert_eq!(response.body["email"], "bob@example.com");
    assert_eq!(response.body["role"], "member");
    assert_eq!(
        ids(&response.body["assignedRoles"]),
        [AUDITOR_ID, "custom-1"]
    );
    assert_eq!(
        assignments_of(&app, &org, &bob).await,
        [AUDITOR_ID, "custom-1"]
    );
    assert_eq!(app.audit_count().await, audits + 1);

    // The list agrees with the answer (read by Ada: Bob's first request
    // would record his activity, which the answer does not show yet).
    let list = app.get(&users_path(&org), &ada.token).await;
    let listed = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == bob.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed, response.body);

    // No assignments at all: only the implied Viewer.
    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["assignedRoles"], json!([]));
    assert!(assignments_of(&app, &org, &bob).await.is_empty());
}

#[tokio::test]
async fn promoting_to_owner_clears_assignments_and_owners_can_demote_each_other() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID]).await;

    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "owner", "assignedRoleIds": [AUDITOR_ID]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["role"], "owner");
    assert_eq!(response.body["assignedRoles"], json!([]));
    assert_eq!(role_of(&app, &org, &bob).await.as_deref(), Some("owner"));
    assert!(assignments_of(&app, &org, &bob).await.is_empty());

    // Two owners: either may demote the other, but only one of them.
    let response = app
        .post(
            &access_path(&org, &ada.id),
            &bob.token,
            json!({"role": "member", "assignedRoleIds": [AUDITOR_ID]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("member"));
    assert_eq!(assignments_of(&app, &org, &ada).await, [AUDITOR_ID]);

    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");
    assert_eq!(role_of(&app, &org, &bob).await.as_deref(), Some("owner"));
}

#[tokio::test]
async fn nobody_updates_their_own_access() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "owner", &[]).await;

    let response = app
        .post(
            &access_path(&org, &ada.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "You cannot update your own access");
    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("owner"));

    let personal = personal_organization(&app, &ada).await;
    let response = app
        .post(
            &access_path(&personal, &ada.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "Cannot change roles in a personal organization"
    );
    assert_eq!(
        role_of(&app, &personal, &ada).await.as_deref(),
        Some("owner")
    );
}

#[tokio::test]
async fn access_updates_refuse_unknown_members_and_invalid_input() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    let other = app.organization(&eve, "Other").await;
    custom_assignment(&app, &other, "theirs", "Theirs", &["read:volumes"]).await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID]).await;

    for user in [eve.id.as_str(), UNKNOWN_USER] {
        let response = app
            .post(
                &access_path(&org, user),
                &ada.token,
                json!({"role": "member", "assignedRoleIds": []}),
            )
            .await;
        assert_eq!(response.status, StatusCode::NOT_FOUND);
        assert_eq!(response.message(), "Member not found");
    }

    for assignment_ids in [
        json!(["nope"]),
        json!([DEVELOPER_ID, "theirs"]),
        json!([""]),
        json!(["Viewer"]),
    ] {
        let response = app
            .post(
                &access_path(&org, &bob.id),
                &ada.token,
                json!({"role": "member", "assignedRoleIds": assignment_ids}),
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{assignment_ids}");
        assert_eq!(response.message(), "One or more role IDs are invalid");
    }

    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "admin", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(
        response.message().contains("Unknown role 'admin'"),
        "{}",
        response.message()
    );
    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": "all"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);

    assert_eq!(role_of(&app, &org, &bob).await.as_deref(), Some("member"));
    assert_eq!(assignments_of(&app, &org, &bob).await, [DEVELOPER_ID]);
}

#[tokio::test]
async fn only_owners_of_the_organization_change_access() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let cy = app.account("cy@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[AUDITOR_ID]).await;
    app.add_member(&org, &cy, "member", &[]).await;
    let body = json!({"role": "owner", "assignedRoleIds": []});

    let response = app
        .post(&access_path(&org, &cy.id), &bob.token, body.clone())
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");

    let response = app
        .post(&access_path(&org, &cy.id), &eve.token, body.clone())
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");

    assert_eq!(role_of(&app, &org, &cy).await.as_deref(), Some("member"));
}

#[tokio::test]
async fn owners_remove_members_and_other_owners() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let cy = app.account("cy@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID, AUDITOR_ID])
        .await;
    app.add_member(&org, &cy, "owner", &[]).await;
    let audits = app.audit_count().await;

    let response = app.delete(&member_path(&org, &bob.id), &ada.token).await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    assert_eq!(app.audit_count().await, audits + 1);
    assert_eq!(role_of(&app, &org, &bob).await, None);
    assert!(assignments_of(&app, &org, &bob).await.is_empty());
    let response = app.get(&users_path(&org), &bob.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");

    let response = app.delete(&member_path(&org, &cy.id), &ada.token).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let list = app.get(&users_path(&org), &ada.token).await;
    assert_eq!(ids_of_members(&list.body), [ada.id.as_str()]);

    // Gone already.
    let response = app.delete(&member_path(&org, &cy.id), &ada.token).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.message(), "Member not found");
}

fn ids_of_members(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["userId"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn removal_refusals() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let cy = app.account("cy@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;
    app.add_member(&org, &cy, "member", &[]).await;

    let response = app.delete(&member_path(&org, &ada.id), &ada.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "You cannot remove yourself; leave the organization instead"
    );

    let response = app
        .delete(&member_path(&org, UNKNOWN_USER), &ada.token)
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.message(), "Member not found");

    let response = app.delete(&member_path(&org, &cy.id), &bob.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");

    let response = app.delete(&member_path(&org, &cy.id), &eve.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");

    let personal = personal_organization(&app, &ada).await;
    let response = app
        .delete(&member_path(&personal, &ada.id), &ada.token)
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "Cannot remove members from a personal organization"
    );

    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("owner"));
    assert_eq!(role_of(&app, &org, &cy).await.as_deref(), Some("member"));
    assert_eq!(
        role_of(&app, &personal, &ada).await.as_deref(),
        Some("owner")
    );
}

/// The handlers decide on fresh data, so the schema's triggers only fire
/// under races; here they are exercised directly.
#[tokio::test]
async fn the_schema_refuses_to_demote_or_remove_the_last_owner() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let org = app.organization(&ada, "Acme").await;

    let mut tx = app.state.db.begin().await.unwrap();
    let error = members::update_access(
        &mut tx,
        &org,
        &ada.id,
        roster_core::Role::Member,
        &Default::default(),
        chrono::Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(members::is_last_owner_violation(&error), "{error}");
    drop(tx);

    let error = members::remove(&app.state.db, &org, &ada.id)
        .await
        .unwrap_err();
    assert!(members::is_last_owner_violation(&error), "{error}");
    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("owner"));
}

/// Adds `count` generated members (`gen-00001`…) straight into the store.
pub(crate) async fn generated_members(app: &TestApp, org: &str, count: i64) {
    let mut tx = app.state.db.begin().await.unwrap();
    let n = dialect::padded("i", 5);
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO users (id, email, email_normalized, name, password_hash, email_verified, created_at)
         SELECT 'gen-' || {n}, 'g' || {n} || '@example.com', 'g' || {n} || '@example.com',
                'Generated ' || i, NULL, 1, '2026-01-01T00:00:00.000000Z'
           FROM n",
    ))
    .bind(count)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
         SELECT $1, id, 'member', '2026-01-02T00:00:00.000000Z', '2026-01-02T00:00:00.000000Z'
           FROM users WHERE id LIKE 'gen-%'",
    )
    .bind(org)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Large lists are kept serialized while nothing they show changes; every
/// change shows at once, made through the API or straight in the database.
#[tokio::test]
async fn a_large_list_follows_every_change_it_shows() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Big").await;
    app.add_member(&org, &bob, "member", &[]).await;
    custom_assignment(&app, &org, "custom-1", "Custom", &["read:volumes"]).await;
    let generated = roster_server::list_cache::MIN_CACHED_ITEMS as i64;
    generated_members(&app, &org, generated).await;

    let bob_now = || async {
        let response = app.get(&users_path(&org), &ada.token).await;
        assert_eq!(response.status, StatusCode::OK);
        let list = response.body.as_array().unwrap();
        assert!(list.len() >= 2 + generated as usize - 1);
        list.iter()
            .find(|m| m["userId"] == bob.id.as_str())
            .cloned()
    };
    let assigned = |bob: &Option<Value>| -> Vec<String> {
        bob.as_ref().unwrap()["assignedRoles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let first = bob_now().await;
    assert_eq!(first.as_ref().unwrap()["name"], "bob");
    assert_eq!(bob_now().await, first);

    let response = app
        .post(
            &access_path(&org, &bob.id),
            &ada.token,
            json!({"role": "member", "assignedRoleIds": [DEVELOPER_ID]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(assigned(&bob_now().await), ["Developer"]);

    let sql = |statement: &'static str| {
        let app = &app;
        let org = org.clone();
        let bob = bob.id.clone();
        async move {
            sqlx::query(statement)
                .bind(&bob)
                .bind(&org)
                .execute(&app.state.db)
                .await
                .unwrap();
        }
    };
    sql("UPDATE users SET name = 'Robert' WHERE id = $1 AND $2 IS NOT NULL").await;
    assert_eq!(bob_now().await.unwrap()["name"], "Robert");
    sql("INSERT INTO member_assignments (organization_id, user_id, assignment_id) VALUES ($2, $1, 'custom-1')")
        .await;
    assert_eq!(assigned(&bob_now().await), ["Developer", "Custom"]);
    sql("UPDATE custom_assignments SET name = 'Renamed' WHERE organization_id = $2 AND $1 IS NOT NULL")
        .await;
    assert_eq!(assigned(&bob_now().await), ["Developer", "Renamed"]);
    sql("DELETE FROM organization_members WHERE user_id = $1 AND organization_id = $2").await;
    assert_eq!(bob_now().await, None);
}

/// After a change to a large organization's members, the list is
/// serialized and gzipped again in the background: the next reader finds it
/// ready at the new version. A small organization keeps nothing.
#[tokio::test]
async fn a_change_to_a_large_list_rebuilds_it_in_the_background() {
    use roster_server::list_cache::List;

    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Big").await;
    app.add_member(&org, &bob, "member", &[]).await;
    generated_members(
        &app,
        &org,
        roster_server::list_cache::MIN_CACHED_ITEMS as i64,
    )
    .await;
    let small = app.organization(&ada, "Small").await;
    let carol = app.account("carol@example.com").await;
    app.add_member(&small, &carol, "member", &[]).await;

    // Read once: the large list is kept from then on.
    assert_eq!(
        app.get(&users_path(&org), &ada.token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&users_path(&small), &ada.token).await.status,
        StatusCode::OK
    );
    let version = |org: String| {
        let app = &app;
        async move {
            members::list_version(&app.state.db, &org)
                .await
                .unwrap()
                .expect("a version")
        }
    };
    let kept_at = |org: &str, version: i64| {
        app.state
            .lists
            .get(&List::Members, org, version, chrono::Utc::now())
            .is_some()
    };
    let before = version(org.clone()).await;
    assert!(kept_at(&org, before));

    for (org, member) in [(&org, &bob), (&small, &carol)] {
        let response = app
            .post(
                &access_path(org, &member.id),
                &ada.token,
                json!({"role": "owner", "assignedRoleIds": []}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    }
    let after = version(org.clone()).await;
    assert_ne!(before, after, "the change bumped the version");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !kept_at(&org, after) {
        assert!(
            Instant::now() < deadline,
            "the list was not rebuilt after the change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let small_version = version(small.clone()).await;
    assert!(!kept_at(&small, small_version), "small lists are not kept");
    assert!(!app.state.lists.holds(&List::Members, &small));

    // What is kept is what the API says now.
    let response = app.get(&users_path(&org), &ada.token).await;
    let list = response.body.as_array().unwrap();
    let bob_now = list
        .iter()
        .find(|m| m["userId"] == bob.id.as_str())
        .unwrap();
    assert_eq!(bob_now["role"], "owner");
}

#[tokio::test]
async fn a_large_list_is_sent_gzipped_to_clients_that_accept_it() {
    use std::io::Read;
    use tower::ServiceExt;

    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let org = app.organization(&ada, "Big").await;
    generated_members(
        &app,
        &org,
        2 * roster_server::list_cache::MIN_CACHED_ITEMS as i64,
    )
    .await;
    let fetch = |encoding: Option<&'static str>| {
        let mut request = axum::http::Request::get(users_path(&org))
            .header("authorization", format!("Bearer {}", ada.token));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        let router = app.router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let encoding = response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (encoding, body)
        }
    };
    let (plain_encoding, plain) = fetch(None).await;
    assert_eq!(plain_encoding, None);
    for _ in 0..2 {
        let (encoding, gzip) = fetch(Some("gzip, deflate, br")).await;
        assert_eq!(encoding.as_deref(), Some("gzip"));
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_end(&mut json)
            .unwrap();
        assert_eq!(json, plain.to_vec());
    }
    let list: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        1 + 2 * roster_server::list_cache::MIN_CACHED_ITEMS
    );
}

#[tokio::test]
async fn a_client_holding_the_current_list_is_told_it_did_not_change() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let eve = app.account("eve@example.com").await;
    let small = app.organization(&ada, "Small").await;
    app.add_member(&small, &bob, "member", &[]).await;
    let big = app.organization(&ada, "Big").await;
    generated_members(
        &app,
        &big,
        roster_server::list_cache::MIN_CACHED_ITEMS as i64,
    )
    .await;
    let asking = |org: &str, token: &str, etag: &str| {
        axum::http::Request::get(users_path(org))
            .header("authorization", format!("Bearer {token}"))
            .header("if-none-match", etag)
            .body(axum::body::Body::empty())
            .unwrap()
    };

    // Bob's first request to the organization records his activity,
    // which the list shows (a new tag, at most once an hour).
    app.get(&format!("/api/organizations/{small}"), &bob.token)
        .await;

    for org in [&small, &big] {
        let first = app.get(&users_path(org), &ada.token).await;
        assert_eq!(first.status, StatusCode::OK);
        let etag = first.headers["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with("W/\""), "{etag}");
        // The browser may keep it (and must ask again); no shared cache.
        assert_eq!(first.headers["cache-control"], "private, no-cache");

        // Unchanged: 304, the same tag, no body; for another member too.
        for token in [&ada.token, &bob.token] {
            if org == &big && token == &bob.token {
                continue;
            }
            let again = app.send(asking(org, token, &etag)).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{org}");
            assert_eq!(again.headers["etag"], etag.as_str());
            assert_eq!(again.body, Value::Null, "no body");
        }
        // Someone who may not read the list learns nothing from the tag.
        let outsider = app.send(asking(org, &eve.token, &etag)).await;
        assert_eq!(outsider.status, StatusCode::FORBIDDEN);

        // A change: the full list again, under a new tag.
        let member = first
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["userId"].as_str().unwrap().to_owned())
            .find(|id| *id != ada.id)
            .unwrap();
        let changed = app
            .post(
                &access_path(org, &member),
                &ada.token,
                json!({"role": "owner", "assignedRoleIds": []}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
        let after = app.send(asking(org, &ada.token, &etag)).await;
        assert_eq!(after.status, StatusCode::OK);
        assert_ne!(after.headers["etag"], etag.as_str());
        let now = after
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["userId"] == member.as_str())
            .unwrap();
        assert_eq!(now["role"], "owner");
    }
}

/// `?limit=n` (a Roster extension): the first `n` members in the table's
/// default order (name, else e-mail, case-insensitively; ties oldest
/// first), and how many there are in all; for a small organization read
/// on the spot and for a large one copied from the kept list, following
/// every change.
#[tokio::test]
async fn the_first_page_is_the_tables_first_page_with_the_total() {
    use roster_core::wire::OrganizationUser;

    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    let mut accounts = Vec::new();
    for (email, name) in [
        ("zoe@example.com", "Zoë"),
        ("bea@example.com", "bea"),
        ("Ann@example.com", ""),
        ("carl@example.com", "  Beatrice  "),
    ] {
        let member = app.account(email).await;
        app.add_member(&org, &member, "member", &[DEVELOPER_ID])
            .await;
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(&member.id)
            .execute(&app.state.db)
            .await
            .unwrap();
        accounts.push(member);
    }

    let first_page = |limit: &'static str| {
        let app = &app;
        let path = format!("{}?limit={limit}", users_path(&org));
        let token = ada.token.clone();
        async move { app.get(&path, &token).await }
    };
    let expected = |n: usize| {
        let (app, org, ada) = (&app, &org, &ada);
        async move {
            let all = app.get(&users_path(org), &ada.token).await;
            let mut all: Vec<OrganizationUser> = serde_json::from_value(all.body).unwrap();
            let total = all.len();
            all.sort_by_key(OrganizationUser::sort_name);
            all.truncate(n);
            (all, total)
        }
    };
    let names = |list: &[OrganizationUser]| -> Vec<String> {
        list.iter().map(|m| m.name.clone()).collect()
    };

    let response = first_page("3").await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.headers["x-total-count"], "5");
    let page: Vec<OrganizationUser> = serde_json::from_value(response.body).unwrap();
    // "Ann" has no name: by her address.
    assert_eq!(names(&page), ["ada", "", "bea"]);
    assert_eq!(page[1].email, "ann@example.com");
    assert_eq!(page[2].assigned_roles[0].id, DEVELOPER_ID);
    assert!(!response.headers.contains_key("etag"));
    // What the caller may do, which the page alone does not tell.
    assert_eq!(
        response.headers["x-roster-membership"],
        "role=owner; owners=1; permissions="
    );
    let zoe = &accounts[0];
    let as_zoe = app
        .get(&format!("{}?limit=2", users_path(&org)), &zoe.token)
        .await;
    let membership = roster_core::membership_header::parse(
        as_zoe.headers["x-roster-membership"].to_str().unwrap(),
        false,
    )
    .expect("the header reads back");
    assert_eq!(membership.role, roster_core::Role::Member);
    assert_eq!(membership.owner_count, 1);
    assert!(
        !membership.permissions.is_empty(),
        "Developer's permissions"
    );
    // Everyone fits: the whole list, as without `limit`, with its validator.
    let everyone = app.get(&users_path(&org), &ada.token).await;
    for limit in ["5", "100"] {
        let response = first_page(limit).await;
        assert_eq!(response.headers["x-total-count"], "5");
        assert_eq!(response.body, everyone.body);
        assert_eq!(response.headers["etag"], everyone.headers["etag"]);
    }

    for bad in ["0", "101", "-1", "ten", ""] {
        let response = first_page(bad).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "limit={bad}");
        assert_eq!(
            response.message(),
            format!("Invalid query: limit must be a whole number between 1 and 100 (got '{bad}')")
        );
    }
    let path = format!("{}?limit=3", users_path(&org));
    let response = app.get(&path, &eve.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);

    // A large organization: the page comes from the kept list.
    generated_members(
        &app,
        &org,
        roster_server::list_cache::MIN_CACHED_ITEMS as i64,
    )
    .await;
    let response = first_page("25").await;
    let total = 5 + roster_server::list_cache::MIN_CACHED_ITEMS;
    assert_eq!(
        response.headers["x-total-count"],
        total.to_string().as_str()
    );
    let page: Vec<OrganizationUser> = serde_json::from_value(response.body).unwrap();
    let (want, all) = expected(25).await;
    assert_eq!(all, total);
    assert_eq!(page, want);
    assert_eq!(&names(&page)[..4], ["ada", "", "bea", "  Beatrice  "]);
    assert_eq!(page[4].name, "Generated 1");

    sqlx::query("UPDATE users SET name = 'Aaron' WHERE email = 'g00150@example.com'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let page: Vec<OrganizationUser> = serde_json::from_value(first_page("2").await.body).unwrap();
    assert_eq!(names(&page), ["Aaron", "ada"]);
    assert_eq!(page, expected(2).await.0);
}
