//! Invitations: the organization's side (invite, list, edit, cancel,
//! resend) and the invitee's side (list, count, open, accept, decline),
//! including the rules that must hold under concurrent requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{dialect, Account, TestApp};
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use roster_core::{AUDITOR_ID, DEVELOPER_ID, SUPER_ADMIN_ID};
use roster_server::db::Stamp;
use serde_json::{json, Value};

const PAST: &str = "2020-01-01T00:00:00.000000Z";

/// A collaborative organization owned by `owner`, created through the store
/// so these tests do not depend on the organizations endpoints.
async fn organization(app: &TestApp, owner: &Account, name: &str) -> String {
    let mut tx = app.state.db.begin().await.unwrap();
    let org = roster_server::store::organizations::create(&mut tx, name, &owner.id, false, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    org.id
}

async fn personal_organization(app: &TestApp, account: &Account) -> String {
    sqlx::query_scalar("SELECT id FROM organizations WHERE created_by = $1 AND personal = 1")
        .bind(&account.id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// A signed-up account whose e-mail is not verified yet.
async fn unverified_account(app: &TestApp, email: &str) -> Account {
    let response = app
        .request(
            Method::POST,
            "/api/auth/sign-up",
            None,
            Some(json!({"email": email, "password": "password123", "name": "Unverified"})),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    Account {
        id: response.body["user"]["id"].as_str().unwrap().to_string(),
        email: email.to_string(),
        token: response.body["token"].as_str().unwrap().to_string(),
    }
}

async fn custom_assignment(app: &TestApp, organization_id: &str, name: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO custom_assignments (id, organization_id, name, description, permissions, created_at, updated_at)
         VALUES ($1, $2, $3, 'Custom', '[\"read:volumes\"]', $4, $5)",
    )
    .bind(&id)
    .bind(organization_id)
    .bind(name)
    .bind(PAST)
    .bind(PAST)
    .execute(&app.state.db)
    .await
    .unwrap();
    id
}

fn invitations_path(organization_id: &str) -> String {
    format!("/api/organizations/{organization_id}/invitations")
}

/// Invites `email` with the Developer assignment; returns the invitation id.
async fn invite(app: &TestApp, owner: &Account, organization_id: &str, email: &str) -> String {
    let response = app
        .post(
            &invitations_path(organization_id),
            &owner.token,
            json!({"email": email, "role": "member", "assignedRoleIds": [DEVELOPER_ID]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    response.body["id"].as_str().unwrap().to_string()
}

/// A minute passes: invitation mails to the same address are allowed again.
async fn a_minute_later(app: &TestApp) {
    app.forget_mail_cooldowns().await;
}

async fn expire(app: &TestApp, invitation_id: &str) {
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
        .bind(PAST)
        .bind(invitation_id)
        .execute(&app.state.db)
        .await
        .unwrap();
}

async fn status_of(app: &TestApp, invitation_id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM invitations WHERE id = $1")
        .bind(invitation_id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn membership(app: &TestApp, organization_id: &str, user: &Account) -> Option<String> {
    sqlx::query_scalar(
        "SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(organization_id)
    .bind(&user.id)
    .fetch_optional(&app.state.db)
    .await
    .unwrap()
}

async fn assignments(app: &TestApp, organization_id: &str, user: &Account) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT assignment_id FROM member_assignments WHERE organization_id = $1 AND user_id = $2 ORDER BY assignment_id",
    )
    .bind(organization_id)
    .bind(&user.id)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

/// Invitation e-mails sent to `to` (sign-up also mails a verification link).
async fn invitation_mails(app: &TestApp, to: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND link LIKE '%/invitations?id=%'",
    )
    .bind(to)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

struct Setup {
    app: TestApp,
    owner: Account,
    org: String,
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = organization(&app, &owner, "Acme Corp").await;
    Setup { app, owner, org }
}

// ---------------------------------------------------------------------------
// Creating

#[tokio::test]
async fn invite_answers_201_with_the_whole_invitation_and_mails_the_link() {
    let Setup { app, owner, org } = setup().await;
    let before = Utc::now();
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "  Bob@Example.COM ", "role": "member", "assignedRoleIds": [DEVELOPER_ID, AUDITOR_ID]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    let body = &response.body;
    let id = body["id"].as_str().unwrap();
    assert_eq!(body["email"], "bob@example.com");
    assert_eq!(body["invitedBy"], "owner@example.com");
    assert_eq!(body["organizationId"], org.as_str());
    assert_eq!(body["organizationName"], "Acme Corp");
    assert_eq!(body["status"], "pending");
    assert_eq!(body["role"], "member");
    let roles = body["assignedRoles"].as_array().unwrap();
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0]["id"], DEVELOPER_ID);
    assert_eq!(roles[0]["name"], "Developer");
    assert_eq!(roles[0]["isGlobal"], true);
    assert_eq!(roles[0]["permissions"], json!(["write:sandboxes"]));
    assert_eq!(roles[1]["name"], "Auditor");
    let expires = time(&body["expiresAt"]);
    let week = chrono::Duration::days(7);
    assert!(expires >= before + week && expires <= Utc::now() + week);
    assert!(time(&body["createdAt"]) >= before);
    assert!(body["updatedAt"].is_string());

    assert_eq!(
        app.last_link("bob@example.com").await.as_deref(),
        Some(format!("http://roster.test/invitations?id={id}").as_str())
    );
    let (target_type, target_id): (String, String) = sqlx::query_as(
        "SELECT target_type, target_id FROM audit_logs WHERE action = 'create' AND organization_id = $1",
    )
    .bind(&org)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(target_type, "organization_invitation");
    assert_eq!(target_id, id);
}

#[tokio::test]
async fn invite_keeps_an_explicit_future_expiry_and_resolves_custom_assignments() {
    let Setup { app, owner, org } = setup().await;
    let maintainer = custom_assignment(&app, &org, "Maintainer").await;
    let expires_at = "2099-05-01T12:00:00Z";
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "bob@example.com", "role": "owner", "assignedRoleIds": [maintainer], "expiresAt": expires_at}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    assert_eq!(time(&response.body["expiresAt"]), time(&json!(expires_at)));
    assert_eq!(response.body["role"], "owner");
    let roles = &response.body["assignedRoles"];
    assert_eq!(roles[0]["id"], maintainer.as_str());
    assert_eq!(roles[0]["name"], "Maintainer");
    assert_eq!(roles[0]["isGlobal"], false);
    assert_eq!(roles[0]["permissions"], json!(["read:volumes"]));
}

#[tokio::test]
async fn invite_applies_the_schema_defaults() {
    let Setup { app, owner, org } = setup().await;
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "bob@example.com"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    assert_eq!(response.body["role"], "member");
    assert_eq!(response.body["assignedRoles"][0]["id"], DEVELOPER_ID);
}

#[tokio::test]
async fn invite_rejects_bad_input_with_400() {
    let Setup { app, owner, org } = setup().await;
    let other = app.account("other@example.com").await;
    let other_org = organization(&app, &other, "Globex").await;
    let foreign_assignment = custom_assignment(&app, &other_org, "Foreign").await;
    let cases = [
        (
            json!({"email": "nope", "role": "member", "assignedRoleIds": []}),
            "'nope' is not a valid email address",
        ),
        (
            json!({"email": "bob@example.com", "role": "member", "assignedRoleIds": ["no-such-role"]}),
            "One or more role IDs are invalid",
        ),
        (
            json!({"email": "bob@example.com", "role": "member", "assignedRoleIds": [DEVELOPER_ID, foreign_assignment]}),
            "One or more role IDs are invalid",
        ),
        (
            json!({"email": "bob@example.com", "role": "member", "assignedRoleIds": [], "expiresAt": PAST}),
            "Expiration date must be in the future",
        ),
        // Both at once: one answer with both messages.
        (
            json!({"email": "nope", "role": "member", "assignedRoleIds": [], "expiresAt": PAST}),
            "'nope' is not a valid email address, Expiration date must be in the future",
        ),
    ];
    for (body, message) in cases {
        let response = app
            .post(&invitations_path(&org), &owner.token, body.clone())
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(response.message(), message, "{body}");
    }
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "bob@example.com", "role": "admin", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(
        response.message().starts_with("role: Unknown role 'admin'"),
        "{:?}",
        response.body
    );
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 0);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn personal_organizations_take_no_invitations() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let personal = personal_organization(&app, &owner).await;
    let response = app
        .post(
            &invitations_path(&personal),
            &owner.token,
            json!({"email": "bob@example.com", "role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "Cannot invite members to a personal organization"
    );

    let response = app
        .post(
            &format!("{}/some-id/cancel", invitations_path(&personal)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "Personal organizations have no invitations"
    );
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 0);
}

#[tokio::test]
async fn only_owners_manage_invitations() {
    let Setup { app, owner, org } = setup().await;
    let member = app.account("member@example.com").await;
    app.add_member(&org, &member, "member", &[SUPER_ADMIN_ID])
        .await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;

    let response = app
        .post(
            &invitations_path(&org),
            &member.token,
            json!({"email": "carol@example.com", "role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");
    let base = format!("{}/{id}", invitations_path(&org));
    let response = app
        .put(
            &base,
            &member.token,
            json!({"role": "owner", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "Access denied")
    );
    for action in ["cancel", "resend"] {
        let response = app
            .post(&format!("{base}/{action}"), &member.token, json!({}))
            .await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::FORBIDDEN, "Access denied")
        );
    }
    assert_eq!(status_of(&app, &id).await, "pending");

    // Members see the pending list, but not the expired ones kept for resending.
    let response = app.get(&invitations_path(&org), &member.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(ids(&response.body), vec![id]);
    let response = app
        .get(
            &format!("{}?include=expired", invitations_path(&org)),
            &member.token,
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "Access denied")
    );
}

#[tokio::test]
async fn members_cannot_be_invited_again_whatever_the_case() {
    let Setup { app, owner, org } = setup().await;
    let bob = app.account("Bob@Example.com").await;
    app.add_member(&org, &bob, "member", &[]).await;
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": " BOB@example.COM", "role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "bob@example.com is already a member of this organization"
    );

    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "OWNER@example.com", "role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "owner@example.com is already a member of this organization"
    );
}

#[tokio::test]
async fn one_pending_invitation_per_address_until_it_expires() {
    let Setup { app, owner, org } = setup().await;
    let first = invite(&app, &owner, &org, "bob@example.com").await;
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "BOB@example.com ", "role": "owner", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "bob@example.com already has a pending invitation to this organization"
    );
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 1);

    // Another organization may invite the same address.
    let globex = organization(&app, &owner, "Globex").await;
    invite(&app, &owner, &globex, "bob@example.com").await;

    // Once expired, a new invitation replaces the old one.
    expire(&app, &first).await;
    a_minute_later(&app).await;
    let second = invite(&app, &owner, &org, "bob@example.com").await;
    assert_ne!(first, second);
    assert_eq!(status_of(&app, &first).await, "cancelled");
    assert_eq!(status_of(&app, &second).await, "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_invitations_of_one_address_create_exactly_one() {
    let Setup { app, owner, org } = setup().await;
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (app, token, path) = (app.clone(), owner.token.clone(), invitations_path(&org));
        // The same address, spelt differently.
        let email = if n % 2 == 0 {
            "bob@example.com"
        } else {
            " BOB@Example.com"
        };
        tasks.push(tokio::spawn(async move {
            app.post(
                &path,
                &token,
                json!({"email": email, "role": "member", "assignedRoleIds": []}),
            )
            .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        let response = task.await.unwrap();
        match response.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => assert_eq!(
                response.message(),
                "bob@example.com already has a pending invitation to this organization"
            ),
            other => panic!("unexpected {other}: {:?}", response.body),
        }
    }
    assert_eq!(created, 1);
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE organization_id = $1 AND status = 'pending'",
    )
    .bind(&org)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(pending, 1);
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 1);
}

// ---------------------------------------------------------------------------
// Listing

#[tokio::test]
async fn the_organization_lists_pending_unexpired_invitations_newest_first() {
    let Setup { app, owner, org } = setup().await;
    let expired = invite(&app, &owner, &org, "old@example.com").await;
    let cancelled = invite(&app, &owner, &org, "gone@example.com").await;
    let older = invite(&app, &owner, &org, "bob@example.com").await;
    let newer = invite(&app, &owner, &org, "carol@example.com").await;
    expire(&app, &expired).await;
    let response = app
        .post(
            &format!("{}/{cancelled}/cancel", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);

    let response = app.get(&invitations_path(&org), &owner.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(ids(&response.body), vec![newer.clone(), older.clone()]);
    assert_eq!(response.body[0]["organizationName"], "Acme Corp");
    assert_eq!(response.body[0]["assignedRoles"][0]["name"], "Developer");

    let response = app
        .get(
            &format!("{}?include=expired", invitations_path(&org)),
            &owner.token,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(ids(&response.body), vec![newer, older, expired]);

    let response = app
        .get(
            &format!("{}?include=everything", invitations_path(&org)),
            &owner.token,
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.message(),
        "Invalid query: include must be 'expired', not 'everything'"
    );
}

#[tokio::test]
async fn listing_a_thousand_pending_invitations_is_fast() {
    let Setup { app, owner, org } = setup().await;
    let maintainer = custom_assignment(&app, &org, "Maintainer").await;
    let mut tx = app.state.db.begin().await.unwrap();
    for n in 0..1000 {
        sqlx::query(
            "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
                 assignment_ids, invited_by, status, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'member', $5, 'owner@example.com', 'pending',
                     '2099-01-01T00:00:00.000000Z', $6, $7)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&org)
        .bind(format!("user{n}@example.com"))
        .bind(format!("user{n}@example.com"))
        .bind(json!([DEVELOPER_ID, maintainer]).to_string())
        .bind(format!("2025-01-01T00:{:02}:{:02}.000000Z", n / 60, n % 60))
        .bind(PAST)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let started = Instant::now();
    let response = app.get(&invitations_path(&org), &owner.token).await;
    let elapsed = started.elapsed();
    assert_eq!(response.status, StatusCode::OK);
    let list = response.body.as_array().unwrap();
    assert_eq!(list.len(), 1000);
    assert_eq!(list[0]["email"], "user999@example.com");
    assert_eq!(list[999]["email"], "user0@example.com");
    assert_eq!(list[500]["assignedRoles"][1]["name"], "Maintainer");
    assert!(elapsed < Duration::from_secs(2), "listing took {elapsed:?}");
}

// ---------------------------------------------------------------------------
// Editing, cancelling, resending

#[tokio::test]
async fn owners_edit_pending_invitations() {
    let Setup { app, owner, org } = setup().await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;
    let path = format!("{}/{id}", invitations_path(&org));
    let response = app
        .put(
            &path,
            &owner.token,
            json!({"role": "owner", "assignedRoleIds": [AUDITOR_ID], "expiresAt": "2099-02-03T04:05:06Z"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["id"], id.as_str());
    assert_eq!(response.body["role"], "owner");
    assert_eq!(response.body["assignedRoles"][0]["name"], "Auditor");
    assert_eq!(response.body["assignedRoles"].as_array().unwrap().len(), 1);
    assert_eq!(
        time(&response.body["expiresAt"]),
        time(&json!("2099-02-03T04:05:06Z"))
    );
    assert_eq!(response.body["invitedBy"], "owner@example.com");

    // Without expiresAt the expiry stays.
    let response = app
        .put(
            &path,
            &owner.token,
            json!({"role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["role"], "member");
    assert_eq!(response.body["assignedRoles"], json!([]));
    assert_eq!(
        time(&response.body["expiresAt"]),
        time(&json!("2099-02-03T04:05:06Z"))
    );

    for (body, message) in [
        (
            json!({"role": "member", "assignedRoleIds": ["nope"]}),
            "One or more role IDs are invalid",
        ),
        (
            json!({"role": "member", "assignedRoleIds": [], "expiresAt": PAST}),
            "Expiration date must be in the future",
        ),
    ] {
        let response = app.put(&path, &owner.token, body).await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::BAD_REQUEST, message)
        );
    }
}

#[tokio::test]
async fn editing_needs_a_pending_unexpired_invitation_of_this_organization() {
    let Setup { app, owner, org } = setup().await;
    let globex = organization(&app, &owner, "Globex").await;
    let theirs = invite(&app, &owner, &globex, "bob@example.com").await;
    let expired = invite(&app, &owner, &org, "old@example.com").await;
    expire(&app, &expired).await;
    let cancelled = invite(&app, &owner, &org, "gone@example.com").await;
    app.post(
        &format!("{}/{cancelled}/cancel", invitations_path(&org)),
        &owner.token,
        json!({}),
    )
    .await;
    let body = json!({"role": "member", "assignedRoleIds": []});

    for id in ["no-such-invitation", theirs.as_str()] {
        let response = app
            .put(
                &format!("{}/{id}", invitations_path(&org)),
                &owner.token,
                body.clone(),
            )
            .await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::NOT_FOUND, "Invitation not found"),
            "{id}"
        );
    }
    let response = app
        .put(
            &format!("{}/{expired}", invitations_path(&org)),
            &owner.token,
            body.clone(),
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "This invitation has expired")
    );
    let response = app
        .put(
            &format!("{}/{cancelled}", invitations_path(&org)),
            &owner.token,
            body,
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "This invitation has been cancelled")
    );
}

#[tokio::test]
async fn cancelling_closes_a_pending_invitation_once() {
    let Setup { app, owner, org } = setup().await;
    let bob = app.account("bob@example.com").await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;
    let path = format!("{}/{id}/cancel", invitations_path(&org));

    let globex = organization(&app, &owner, "Globex").await;
    let response = app
        .post(
            &format!("{}/{id}/cancel", invitations_path(&globex)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::NOT_FOUND, "Invitation not found")
    );

    let response = app.post(&path, &owner.token, json!({})).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &id).await, "cancelled");

    let response = app.post(&path, &owner.token, json!({})).await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "This invitation has been cancelled")
    );
    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "This invitation has been cancelled")
    );
    assert_eq!(membership(&app, &org, &bob).await, None);

    // Expired invitations are still pending and can be cancelled.
    let old = invite(&app, &owner, &org, "old@example.com").await;
    expire(&app, &old).await;
    let response = app
        .post(
            &format!("{}/{old}/cancel", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &old).await, "cancelled");
}

#[tokio::test]
async fn resending_renews_the_expiry_and_mails_the_link_again() {
    let Setup { app, owner, org } = setup().await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;
    expire(&app, &id).await;
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 1);
    a_minute_later(&app).await;

    let before = Utc::now();
    let response = app
        .post(
            &format!("{}/{id}/resend", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["status"], "pending");
    let expires = time(&response.body["expiresAt"]);
    let week = chrono::Duration::days(7);
    assert!(expires >= before + week && expires <= Utc::now() + week);
    let stored: DateTime<Utc> =
        sqlx::query_scalar::<_, Stamp>("SELECT expires_at FROM invitations WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db)
            .await
            .unwrap()
            .into();
    assert_eq!(stored, expires);

    assert_eq!(invitation_mails(&app, "bob@example.com").await, 2);
    let link = app.last_link("bob@example.com").await.unwrap();
    assert!(link.contains(&format!("/invitations?id={id}")), "{link}");

    // Again at once: refused, nothing sent or renewed (one mail a minute,
    // so nobody can flood an inbox through Roster).
    let marked = "2099-01-01T00:00:00.000000Z";
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
        .bind(marked)
        .bind(&id)
        .execute(&app.state.db)
        .await
        .unwrap();
    let again = app
        .post(
            &format!("{}/{id}/resend", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        again
            .message()
            .starts_with("An invitation was sent to bob@example.com less than a minute ago"),
        "{:?}",
        again.body
    );
    assert!(again.headers.contains_key(axum::http::header::RETRY_AFTER));
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 2);
    let kept: String = sqlx::query_scalar("SELECT expires_at FROM invitations WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(kept, marked, "the refused resend renewed the invitation");

    // It is open again: listed and acceptable.
    let response = app.get(&invitations_path(&org), &owner.token).await;
    assert_eq!(ids(&response.body), vec![id.clone()]);

    let bob = app.account("bob@example.com").await;
    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let response = app
        .post(
            &format!("{}/{id}/resend", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (
            StatusCode::FORBIDDEN,
            "This invitation has already been accepted"
        )
    );
    assert_eq!(invitation_mails(&app, "bob@example.com").await, 2);
}

/// An invitation mail in the outbox.
#[derive(Debug, sqlx::FromRow)]
struct InvitationMail {
    link: String,
    sent_at: Option<String>,
    /// Held until then (the cooldown), when not delivered yet.
    next_attempt_at: Option<Stamp>,
    /// Why it was not delivered.
    last_error: Option<String>,
}

/// The invitation mails to `to`, oldest first.
async fn invitation_outbox(app: &TestApp, to: &str) -> Vec<InvitationMail> {
    sqlx::query_as(
        "SELECT link, sent_at, next_attempt_at, last_error FROM outbox
          WHERE recipient = $1 AND link LIKE '%/invitations?id=%' ORDER BY id",
    )
    .bind(to)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn cancelling_and_inviting_again_at_once_invites_and_holds_the_mail_for_the_minute() {
    let Setup { app, owner, org } = setup().await;
    let first = invite(&app, &owner, &org, "bob@example.com").await;
    let cancelled = app
        .post(
            &format!("{}/{first}/cancel", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::NO_CONTENT);

    // Invited again at once: the invitation exists at once, as on Daytona.
    let sent_at = Utc::now();
    let second = invite(&app, &owner, &org, "bob@example.com").await;
    let listed = app.get(&invitations_path(&org), &owner.token).await;
    assert_eq!(ids(&listed.body), vec![second.clone()]);

    // Its mail waits for the rest of the minute (nobody floods an inbox by
    // cancelling and inviting in a loop).
    let mails = invitation_outbox(&app, "bob@example.com").await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails[0].sent_at.is_some(),
        "the first mail was delivered at once"
    );
    let held = &mails[1];
    assert!(
        held.link.ends_with(&format!("/invitations?id={second}")),
        "{held:?}"
    );
    assert!(
        held.sent_at.is_none(),
        "the second mail went out within the minute"
    );
    let until: DateTime<Utc> = held
        .next_attempt_at
        .expect("held until the minute is over")
        .into();
    let wait = until - sent_at;
    assert!(
        wait > chrono::Duration::seconds(55) && wait <= chrono::Duration::seconds(60),
        "held for {wait}"
    );
    assert_eq!(
        app.state.mailer.deliver_due(&app.state.db).await.unwrap(),
        0
    );

    // An explicit resend within the minute is still refused.
    let resend = app
        .post(
            &format!("{}/{second}/resend", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(
        resend.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        resend.body
    );
    assert!(resend.headers.contains_key(axum::http::header::RETRY_AFTER));

    // Cancelled while held: its mail is withdrawn, never delivered.
    let cancelled = app
        .post(
            &format!("{}/{second}/cancel", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::NO_CONTENT);
    let third = invite(&app, &owner, &org, "bob@example.com").await;
    let mails = invitation_outbox(&app, "bob@example.com").await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    assert!(mails[1].sent_at.is_none());
    assert!(
        mails[1]
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("withdrawn")),
        "{:?}",
        mails[1]
    );
    // The third waits for the slot after the second's: one mail a minute.
    let third_until: DateTime<Utc> = mails[2].next_attempt_at.expect("held").into();
    assert!(
        third_until - until >= chrono::Duration::seconds(59),
        "{third_until} after {until}"
    );

    // When its time comes the outbox delivers it (to the log here), and
    // only it.
    sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE next_attempt_at IS NOT NULL")
        .bind(PAST)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        app.state.mailer.deliver_due(&app.state.db).await.unwrap(),
        1
    );
    let mails = invitation_outbox(&app, "bob@example.com").await;
    assert!(mails[1].sent_at.is_none(), "a withdrawn mail was delivered");
    assert!(
        mails[2].sent_at.is_some(),
        "the held mail was not delivered: {:?}",
        mails[2]
    );
    assert!(mails[2].link.ends_with(&format!("/invitations?id={third}")));
}

// ---------------------------------------------------------------------------
// The invitee's side

#[tokio::test]
async fn invitees_list_and_count_their_open_invitations_across_organizations() {
    let Setup { app, owner, org } = setup().await;
    let globex = organization(&app, &owner, "Globex").await;
    let initech = organization(&app, &owner, "Initech").await;
    let bob = app.account("Bob@Example.com").await;
    let acme_invitation = invite(&app, &owner, &org, "bob@example.com").await;
    let globex_invitation = invite(&app, &owner, &globex, "BOB@example.com").await;
    let expired = invite(&app, &owner, &initech, "bob@example.com").await;
    expire(&app, &expired).await;
    invite(&app, &owner, &initech, "carol@example.com").await;

    let response = app.get("/api/organizations/invitations", &bob.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        ids(&response.body),
        vec![globex_invitation, acme_invitation]
    );
    assert_eq!(response.body[0]["organizationName"], "Globex");
    assert_eq!(response.body[1]["organizationName"], "Acme Corp");
    assert_eq!(response.body[1]["invitedBy"], "owner@example.com");

    let response = app
        .get("/api/organizations/invitations/count", &bob.token)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, json!(2));

    let carol = unverified_account(&app, "carol@example.com").await;
    let response = app
        .get("/api/organizations/invitations", &carol.token)
        .await;
    assert_eq!(
        (response.status, response.body.clone()),
        (StatusCode::OK, json!([]))
    );
    let response = app
        .get("/api/organizations/invitations/count", &carol.token)
        .await;
    assert_eq!(
        (response.status, response.body.clone()),
        (StatusCode::OK, json!(0))
    );
}

#[tokio::test]
async fn invitees_open_their_invitation_in_any_status_and_nobody_else_can() {
    let Setup { app, owner, org } = setup().await;
    let bob = app.account("bob@example.com").await;
    let eve = app.account("eve@example.com").await;
    let id = invite(&app, &owner, &org, "BOB@example.com").await;
    let path = format!("/api/organizations/invitations/{id}");

    let response = app.get(&path, &bob.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["id"], id.as_str());
    assert_eq!(response.body["status"], "pending");
    assert_eq!(response.body["organizationName"], "Acme Corp");

    for (path, who) in [
        (path.clone(), &eve),
        (path.clone(), &owner),
        (
            "/api/organizations/invitations/no-such-id".to_string(),
            &bob,
        ),
    ] {
        let response = app.get(&path, &who.token).await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::NOT_FOUND, "Invitation not found")
        );
    }

    let response = app
        .post(&format!("{path}/decline"), &bob.token, json!({}))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let response = app.get(&path, &bob.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["status"], "declined");

    let unverified = unverified_account(&app, "dave@example.com").await;
    let dave_invitation = invite(&app, &owner, &org, "dave@example.com").await;
    let response = app
        .get(
            &format!("/api/organizations/invitations/{dave_invitation}"),
            &unverified.token,
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (StatusCode::FORBIDDEN, "Please verify your email address")
    );
}

#[tokio::test]
async fn accepting_joins_with_the_invited_role_and_assignments() {
    let Setup { app, owner, org } = setup().await;
    let maintainer = custom_assignment(&app, &org, "Maintainer").await;
    let bob = app.account("Bob@Example.com").await;
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "bob@example.com", "role": "owner", "assignedRoleIds": [AUDITOR_ID, maintainer]}),
        )
        .await;
    let id = response.body["id"].as_str().unwrap().to_string();

    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["id"], id.as_str());
    assert_eq!(response.body["status"], "accepted");
    assert_eq!(membership(&app, &org, &bob).await.as_deref(), Some("owner"));
    let mut expected = vec![AUDITOR_ID.to_string(), maintainer];
    expected.sort();
    assert_eq!(assignments(&app, &org, &bob).await, expected);
    assert_eq!(status_of(&app, &id).await, "accepted");

    let audited: Option<String> = sqlx::query_scalar(
        "SELECT organization_id FROM audit_logs WHERE action = 'accept' AND status_code = 200",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(audited.as_deref(), Some(org.as_str()));

    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (response.status, response.message()),
        (
            StatusCode::FORBIDDEN,
            "This invitation has already been accepted"
        )
    );
    let response = app
        .get("/api/organizations/invitations/count", &bob.token)
        .await;
    assert_eq!(response.body, json!(0));
}

#[tokio::test]
async fn accepting_skips_assignments_deleted_in_the_meantime() {
    let Setup { app, owner, org } = setup().await;
    let maintainer = custom_assignment(&app, &org, "Maintainer").await;
    let bob = app.account("bob@example.com").await;
    let response = app
        .post(
            &invitations_path(&org),
            &owner.token,
            json!({"email": "bob@example.com", "role": "member", "assignedRoleIds": [DEVELOPER_ID, maintainer]}),
        )
        .await;
    let id = response.body["id"].as_str().unwrap().to_string();
    sqlx::query("DELETE FROM custom_assignments WHERE id = $1")
        .bind(&maintainer)
        .execute(&app.state.db)
        .await
        .unwrap();

    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(
        membership(&app, &org, &bob).await.as_deref(),
        Some("member")
    );
    assert_eq!(
        assignments(&app, &org, &bob).await,
        vec![DEVELOPER_ID.to_string()]
    );
}

#[tokio::test]
async fn a_member_accepting_keeps_their_membership() {
    let Setup { app, owner, org } = setup().await;
    let bob = app.account("bob@example.com").await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;
    // Bob joined some other way after being invited.
    app.add_member(&org, &bob, "member", &[AUDITOR_ID]).await;

    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(status_of(&app, &id).await, "accepted");
    let members: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(&org)
    .bind(&bob.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(members, 1);
    assert_eq!(
        assignments(&app, &org, &bob).await,
        vec![AUDITOR_ID.to_string()]
    );
}

#[tokio::test]
async fn only_the_verified_invitee_can_answer_an_open_invitation() {
    let Setup { app, owner, org } = setup().await;
    let eve = app.account("eve@example.com").await;
    let dave = unverified_account(&app, "dave@example.com").await;
    let for_bob = invite(&app, &owner, &org, "bob@example.com").await;
    let for_dave = invite(&app, &owner, &org, "dave@example.com").await;

    for action in ["accept", "decline"] {
        let response = app
            .post(
                &format!("/api/organizations/invitations/{for_dave}/{action}"),
                &dave.token,
                json!({}),
            )
            .await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::FORBIDDEN, "Please verify your email address"),
            "{action}"
        );
        for id in [for_bob.as_str(), "no-such-id"] {
            let response = app
                .post(
                    &format!("/api/organizations/invitations/{id}/{action}"),
                    &eve.token,
                    json!({}),
                )
                .await;
            assert_eq!(
                (response.status, response.message()),
                (StatusCode::NOT_FOUND, "Invitation not found"),
                "{action} {id}"
            );
        }
    }
    assert_eq!(membership(&app, &org, &dave).await, None);
    assert_eq!(membership(&app, &org, &eve).await, None);
    assert_eq!(status_of(&app, &for_bob).await, "pending");
    assert_eq!(status_of(&app, &for_dave).await, "pending");

    // An expired invitation can no longer be answered.
    let bob = app.account("bob@example.com").await;
    expire(&app, &for_bob).await;
    for action in ["accept", "decline"] {
        let response = app
            .post(
                &format!("/api/organizations/invitations/{for_bob}/{action}"),
                &bob.token,
                json!({}),
            )
            .await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::FORBIDDEN, "This invitation has expired"),
            "{action}"
        );
    }
    assert_eq!(membership(&app, &org, &bob).await, None);
    assert_eq!(status_of(&app, &for_bob).await, "pending");
}

#[tokio::test]
async fn declining_closes_the_invitation_without_joining() {
    let Setup { app, owner, org } = setup().await;
    let bob = app.account("bob@example.com").await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;
    let response = app
        .post(
            &format!("/api/organizations/invitations/{id}/decline"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(status_of(&app, &id).await, "declined");
    assert_eq!(membership(&app, &org, &bob).await, None);

    for action in ["accept", "decline"] {
        let response = app
            .post(
                &format!("/api/organizations/invitations/{id}/{action}"),
                &bob.token,
                json!({}),
            )
            .await;
        assert_eq!(
            (response.status, response.message()),
            (StatusCode::FORBIDDEN, "This invitation has been declined")
        );
    }
    // The owner may invite again (a minute later: one mail a minute).
    a_minute_later(&app).await;
    invite(&app, &owner, &org, "bob@example.com").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_accepts_create_exactly_one_membership() {
    let Setup { app, owner, org } = setup().await;
    let bob = app.account("bob@example.com").await;
    let id = invite(&app, &owner, &org, "bob@example.com").await;
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (app, token) = (app.clone(), bob.token.clone());
        let path = format!("/api/organizations/invitations/{id}/accept");
        tasks.push(tokio::spawn(async move {
            app.post(&path, &token, json!({})).await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        let response = task.await.unwrap();
        match response.status {
            StatusCode::OK => accepted += 1,
            StatusCode::FORBIDDEN => assert_eq!(
                response.message(),
                "This invitation has already been accepted"
            ),
            other => panic!("unexpected {other}: {:?}", response.body),
        }
    }
    assert_eq!(accepted, 1);
    let members: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(&org)
    .bind(&bob.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(members, 1);
    assert_eq!(
        assignments(&app, &org, &bob).await,
        vec![DEVELOPER_ID.to_string()]
    );
    assert_eq!(status_of(&app, &id).await, "accepted");
}

/// Adds `count` pending invitations straight into the store, expiring in a
/// week.
async fn many_invitations(app: &TestApp, organization_id: &str, inviter: &Account, count: i64) {
    let expires = roster_server::db::timestamp(Utc::now() + chrono::TimeDelta::days(7));
    let n = dialect::padded("i", 5);
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO invitations (id, organization_id, email, email_normalized, role,
             assignment_ids, invited_by, status, expires_at, created_at, updated_at)
         SELECT 'bulk-' || {n}, $2, 'b' || {n} || '@example.com', 'b' || {n} || '@example.com',
                'member', '[]', $3, 'pending', $4, $5, $6
           FROM n",
    ))
    .bind(count)
    .bind(organization_id)
    .bind(&inviter.email)
    .bind(&expires)
    .bind(PAST)
    .bind(PAST)
    .execute(&app.state.db)
    .await
    .unwrap();
}

/// Large lists are kept serialized while nothing they show changes; every
/// change shows at once, and an invitation leaves the list when it expires.
#[tokio::test]
async fn a_large_invitation_list_follows_every_change_and_expiry() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = organization(&app, &owner, "Acme").await;
    let bulk = roster_server::list_cache::MIN_CACHED_ITEMS as i64;
    many_invitations(&app, &org, &owner, bulk).await;
    let list = || async {
        let response = app.get(&invitations_path(&org), &owner.token).await;
        assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
        response.body.as_array().unwrap().clone()
    };
    let find = |list: &[Value], email: &str| list.iter().find(|i| i["email"] == email).cloned();
    assert_eq!(list().await.len(), bulk as usize);
    assert_eq!(list().await.len(), bulk as usize);

    let invited = invite(&app, &owner, &org, "new@example.com").await;
    let now = list().await;
    assert_eq!(now.len(), bulk as usize + 1);
    assert_eq!(
        find(&now, "new@example.com").unwrap()["assignedRoles"][0]["name"],
        "Developer"
    );

    let renamed = app
        .patch(
            &format!("/api/organizations/{org}"),
            &owner.token,
            json!({"name": "Acme Renamed"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(
        find(&list().await, "new@example.com").unwrap()["organizationName"],
        "Acme Renamed"
    );

    let assignment = custom_assignment(&app, &org, "Release").await;
    sqlx::query("UPDATE invitations SET assignment_ids = '[\"' || $1 || '\"]' WHERE id = $2")
        .bind(&assignment)
        .bind(&invited)
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE custom_assignments SET name = 'Releases' WHERE id = $1")
        .bind(&assignment)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        find(&list().await, "new@example.com").unwrap()["assignedRoles"][0]["name"],
        "Releases"
    );

    let cancelled = app
        .post(
            &format!("{}/{invited}/cancel", invitations_path(&org)),
            &owner.token,
            json!({}),
        )
        .await;
    assert!(cancelled.status.is_success(), "{:?}", cancelled.body);
    assert_eq!(find(&list().await, "new@example.com"), None);

    // One invitation expires in a moment: the kept list ends with it.
    let soon = roster_server::db::timestamp(Utc::now() + chrono::TimeDelta::milliseconds(800));
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = 'bulk-00001'")
        .bind(soon)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert!(find(&list().await, "b00001@example.com").is_some());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(find(&list().await, "b00001@example.com"), None);
    assert_eq!(list().await.len(), bulk as usize - 1);
}
