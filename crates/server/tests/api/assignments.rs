//! Custom assignments ("organization roles"): listing, creation, changes and
//! deletion, with every refusal a client can meet and the state afterwards.

use crate::common::{dialect, personal_organization, Account, TestApp};
use axum::http::StatusCode;
use roster_core::{AUDITOR_ID, DEVELOPER_ID, GLOBAL_ASSIGNMENTS, SUPER_ADMIN_ID};
use serde_json::{json, Value};

fn assignments_path(org: &str) -> String {
    format!("/api/organizations/{org}/roles")
}

fn assignment_path(org: &str, assignment: &str) -> String {
    format!("/api/organizations/{org}/roles/{assignment}")
}

async fn create_assignment(
    app: &TestApp,
    owner: &Account,
    org: &str,
    name: &str,
    permissions: &[&str],
) -> String {
    let response = app
        .post(
            &assignments_path(org),
            &owner.token,
            json!({"name": name, "description": "Custom", "permissions": permissions}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    response.body["id"].as_str().unwrap().to_string()
}

async fn assignment_ids(app: &TestApp, token: &str, org: &str) -> Vec<String> {
    let response = app.get(&assignments_path(org), token).await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    response
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The newest audit row, straight from the table.
async fn last_audit(app: &TestApp) -> Value {
    let row: String = sqlx::query_scalar(&format!(
        "SELECT {} FROM audit_logs ORDER BY seq DESC LIMIT 1",
        dialect::json_object(
            "'action', action, 'targetType', target_type, 'targetId', target_id,
             'statusCode', status_code, 'errorMessage', error_message,
             'organizationId', organization_id"
        )
    ))
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    serde_json::from_str(&row).unwrap()
}

async fn pending_invitation(
    app: &TestApp,
    org: &str,
    email: &str,
    assignment_ids: &[&str],
    expires_at: &str,
) {
    sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
             assignment_ids, invited_by, status, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'member', $5, 'owner@example.com', 'pending', $6,
                 '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(org)
    .bind(email)
    .bind(email)
    .bind(serde_json::to_string(assignment_ids).unwrap())
    .bind(expires_at)
    .execute(&app.state.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn members_list_global_assignments_then_custom_ones_by_id() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let member = app.account("member@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    app.add_member(&org, &member, "member", &[]).await;
    let first = create_assignment(&app, &owner, &org, "Maintainer", &["write:registries"]).await;
    let second =
        create_assignment(&app, &owner, &org, "Release Manager", &["write:snapshots"]).await;

    let response = app.get(&assignments_path(&org), &member.token).await;
    assert_eq!(response.status, StatusCode::OK);
    let assignments = response.body.as_array().unwrap();
    assert_eq!(assignments.len(), 10);
    for (listed, global) in assignments.iter().zip(GLOBAL_ASSIGNMENTS.iter()) {
        assert_eq!(listed["id"], global.id);
        assert_eq!(listed["name"], global.name);
        assert_eq!(listed["isGlobal"], true);
    }
    let mut custom = vec![first, second];
    custom.sort();
    let listed_custom: Vec<&str> = assignments[8..]
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed_custom, custom);
    assert!(assignments[8..].iter().all(|r| r["isGlobal"] == false));

    // Another organization's custom assignments are not listed.
    let other = app.organization(&owner, "Other").await;
    assert_eq!(assignment_ids(&app, &owner.token, &other).await.len(), 8);
}

#[tokio::test]
async fn owner_creates_an_assignment_with_each_permission_once() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;

    let response = app
        .post(
            &assignments_path(&org),
            &owner.token,
            json!({
                "name": "  Maintainer ",
                "description": "Can manage registries",
                "permissions": ["read:audit_logs", "write:registries", "read:audit_logs"]
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    let assignment = &response.body;
    let id = assignment["id"].as_str().unwrap().to_string();
    assert_eq!(assignment["name"], "Maintainer");
    assert_eq!(assignment["description"], "Can manage registries");
    // De-duplicated, in the spec's order.
    assert_eq!(
        assignment["permissions"],
        json!(["write:registries", "read:audit_logs"])
    );
    assert_eq!(assignment["isGlobal"], false);
    assert_eq!(assignment["createdAt"], assignment["updatedAt"]);

    assert!(assignment_ids(&app, &owner.token, &org).await.contains(&id));
    assert_eq!(
        last_audit(&app).await,
        json!({"action": "create", "targetType": "organization_role", "targetId": id,
               "statusCode": 201, "errorMessage": null, "organizationId": org})
    );

    // An empty description is allowed.
    let response = app
        .post(
            &assignments_path(&org),
            &owner.token,
            json!({"name": "Ops", "description": "", "permissions": ["read:runners"]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    assert_eq!(response.body["description"], "");
}

#[tokio::test]
async fn invalid_assignments_are_refused_with_the_reason() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let long_description = "d".repeat(201);
    let cases = [
        (
            json!({"name": "", "description": "", "permissions": ["read:runners"]}),
            "Name is required",
        ),
        (
            json!({"name": "<b>Boss</b>", "description": "", "permissions": ["read:runners"]}),
            "Name must not contain HTML tags",
        ),
        (
            json!({"name": "x".repeat(51), "description": "", "permissions": ["read:runners"]}),
            "Name must be at most 50 characters",
        ),
        (
            json!({"name": "Ops", "description": "See https://evil.example", "permissions": ["read:runners"]}),
            "Description must not contain links",
        ),
        (
            json!({"name": "Ops", "description": long_description, "permissions": ["read:runners"]}),
            "Description must be at most 200 characters",
        ),
        (
            json!({"name": "Ops", "description": "", "permissions": []}),
            "At least one permission is required",
        ),
        (
            json!({"name": " ", "description": "", "permissions": []}),
            "Name is required, At least one permission is required",
        ),
    ];
    for (body, message) in cases {
        let response = app
            .post(&assignments_path(&org), &owner.token, body.clone())
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(response.message(), message, "{body}");
        assert_eq!(last_audit(&app).await["statusCode"], 400);
        assert_eq!(last_audit(&app).await["errorMessage"], message);
    }

    // Unknown permission strings are named (serde's message through the
    // JSON extractor), and are a client error, not a 422 or 500.
    let response = app
        .post(
            &assignments_path(&org),
            &owner.token,
            json!({"name": "Ops", "description": "", "permissions": ["read:runners", "write:billing"]}),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        response.body
    );
    assert!(
        response
            .message()
            .contains("Unknown permission 'write:billing'"),
        "{}",
        response.message()
    );
    let response = app
        .post(
            &assignments_path(&org),
            &owner.token,
            json!({"name": "Ops", "description": ""}),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        response.body
    );
    assert!(
        response.message().contains("permissions"),
        "{}",
        response.message()
    );

    // Nothing was stored.
    assert_eq!(assignment_ids(&app, &owner.token, &org).await.len(), 8);
}

#[tokio::test]
async fn assignment_names_are_unique_within_an_organization() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let maintainer =
        create_assignment(&app, &owner, &org, "Maintainer", &["write:registries"]).await;
    let ops = create_assignment(&app, &owner, &org, "Ops", &["read:runners"]).await;

    for (name, shown) in [
        (" maintainer ", "maintainer"),
        ("AUDITOR", "AUDITOR"),
        ("Viewer", "Viewer"),
    ] {
        let response = app
            .post(
                &assignments_path(&org),
                &owner.token,
                json!({"name": name, "description": "", "permissions": ["read:runners"]}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CONFLICT, "{name}");
        assert_eq!(
            response.message(),
            format!("A role named \u{201c}{shown}\u{201d} already exists in this organization")
        );
    }
    assert_eq!(
        last_audit(&app).await["errorMessage"],
        "A role named \u{201c}Viewer\u{201d} already exists in this organization"
    );
    assert_eq!(assignment_ids(&app, &owner.token, &org).await.len(), 10);

    // Renaming onto another assignment's name conflicts; changing one's own case does not.
    let response = app
        .put(
            &assignment_path(&org, &ops),
            &owner.token,
            json!({"name": "Maintainer", "description": "", "permissions": ["read:runners"]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "A role named \u{201c}Maintainer\u{201d} already exists in this organization"
    );
    let response = app
        .put(
            &assignment_path(&org, &maintainer),
            &owner.token,
            json!({"name": "MAINTAINER", "description": "", "permissions": ["write:registries"]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["name"], "MAINTAINER");

    // The same name in another organization is fine.
    let other = app.organization(&owner, "Other").await;
    create_assignment(&app, &owner, &other, "Maintainer", &["write:registries"]).await;
}

#[tokio::test]
async fn only_owners_of_collaborative_organizations_manage_assignments() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let admin = app.account("admin@example.com").await;
    let stranger = app.account("stranger@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    app.add_member(&org, &admin, "member", &[SUPER_ADMIN_ID])
        .await;
    let assignment =
        create_assignment(&app, &owner, &org, "Maintainer", &["write:registries"]).await;
    let body = json!({"name": "Renamed", "description": "", "permissions": ["read:runners"]});

    for (account, message) in [
        (&admin, "Access denied"),
        (&stranger, "Invalid authentication context"),
    ] {
        let created = app
            .post(&assignments_path(&org), &account.token, body.clone())
            .await;
        let updated = app
            .put(
                &assignment_path(&org, &assignment),
                &account.token,
                body.clone(),
            )
            .await;
        let deleted = app
            .delete(&assignment_path(&org, &assignment), &account.token)
            .await;
        for response in [created, updated, deleted] {
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{}", account.email);
            assert_eq!(response.message(), message);
        }
    }
    let listed = app.get(&assignments_path(&org), &stranger.token).await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN);
    assert_eq!(listed.message(), "Invalid authentication context");
    let assignments = app.get(&assignments_path(&org), &owner.token).await;
    assert_eq!(assignments.body[8]["name"], "Maintainer");

    // A personal organization lists the global assignments and has no others.
    let personal = personal_organization(&app, &owner).await;
    assert_eq!(assignment_ids(&app, &owner.token, &personal).await.len(), 8);
    let response = app
        .post(&assignments_path(&personal), &owner.token, body)
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        "Cannot manage assignments in a personal organization"
    );
}

#[tokio::test]
async fn update_replaces_the_role_and_what_its_holders_may_do() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let member = app.account("member@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let assignment =
        create_assignment(&app, &owner, &org, "Maintainer", &["write:registries"]).await;
    app.add_member(&org, &member, "member", &[&assignment])
        .await;
    let audit_path = format!("/api/audit/organizations/{org}");
    let before = app.get(&audit_path, &member.token).await;
    assert_eq!(before.status, StatusCode::FORBIDDEN);
    assert_eq!(before.message(), "Access denied");

    let response = app
        .put(
            &assignment_path(&org, &assignment),
            &owner.token,
            json!({"name": "Auditing maintainer", "description": "Reads the log",
                   "permissions": ["read:audit_logs", "write:registries", "read:audit_logs"]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["id"], assignment);
    assert_eq!(response.body["name"], "Auditing maintainer");
    assert_eq!(response.body["description"], "Reads the log");
    assert_eq!(
        response.body["permissions"],
        json!(["write:registries", "read:audit_logs"])
    );
    assert_eq!(response.body["isGlobal"], false);
    assert_ne!(response.body["updatedAt"], response.body["createdAt"]);
    assert_eq!(
        last_audit(&app).await,
        json!({"action": "update", "targetType": "organization_role", "targetId": assignment,
               "statusCode": 200, "errorMessage": null, "organizationId": org})
    );

    let listed = app.get(&assignments_path(&org), &owner.token).await;
    assert_eq!(listed.body[8], response.body);
    // The member now holds read:audit_logs through the changed assignment.
    let after = app.get(&audit_path, &member.token).await;
    assert_eq!(after.status, StatusCode::OK, "{:?}", after.body);

    // The same validation as creation.
    let response = app
        .put(
            &assignment_path(&org, &assignment),
            &owner.token,
            json!({"name": "X", "description": "", "permissions": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.message(), "At least one permission is required");
}

#[tokio::test]
async fn global_and_other_organizations_assignments_are_not_found() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let other = app.organization(&owner, "Other").await;
    let foreign = create_assignment(&app, &owner, &other, "Foreign", &["read:runners"]).await;
    let body = json!({"name": "Hijacked", "description": "", "permissions": ["read:runners"]});

    for id in [DEVELOPER_ID, AUDITOR_ID, foreign.as_str(), "no-such-role"] {
        let updated = app
            .put(&assignment_path(&org, id), &owner.token, body.clone())
            .await;
        assert_eq!(updated.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(updated.message(), format!("Role with ID {id} not found"));
        let deleted = app.delete(&assignment_path(&org, id), &owner.token).await;
        assert_eq!(deleted.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(deleted.message(), format!("Role with ID {id} not found"));
        assert_eq!(
            last_audit(&app).await,
            json!({"action": "delete", "targetType": "organization_role", "targetId": id,
                   "statusCode": 404, "errorMessage": format!("Role with ID {id} not found"),
                   "organizationId": org})
        );
    }
    let foreign_now = app.get(&assignments_path(&other), &owner.token).await;
    assert_eq!(foreign_now.body[8]["name"], "Foreign");
    let globals = app.get(&assignments_path(&org), &owner.token).await;
    assert_eq!(globals.body[0]["name"], "Developer");
}

#[tokio::test]
async fn an_assignment_held_by_members_cannot_be_deleted() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let assignment =
        create_assignment(&app, &owner, &org, "Maintainer", &["write:registries"]).await;
    let mut holders = Vec::new();
    for email in ["dave@example.com", "bob@example.com", "carol@example.com"] {
        let account = app.account(email).await;
        app.add_member(&org, &account, "member", &[&assignment, DEVELOPER_ID])
            .await;
        holders.push(account);
    }

    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "Maintainer is assigned to bob@example.com and 2 others; remove it from them first"
    );
    assert_eq!(last_audit(&app).await["statusCode"], 409);
    assert_eq!(last_audit(&app).await["errorMessage"], response.message());

    let unassign = |account: &Account| {
        sqlx::query("DELETE FROM member_assignments WHERE user_id = $1 AND assignment_id = $2")
            .bind(account.id.clone())
            .bind(assignment.clone())
            .execute(&app.state.db)
    };
    unassign(&holders[1]).await.unwrap();
    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(
        response.message(),
        "Maintainer is assigned to carol@example.com and 1 other; remove it from them first"
    );
    unassign(&holders[2]).await.unwrap();
    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(
        response.message(),
        "Maintainer is assigned to dave@example.com; remove it from them first"
    );
    assert!(assignment_ids(&app, &owner.token, &org)
        .await
        .contains(&assignment));

    unassign(&holders[0]).await.unwrap();
    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    assert_eq!(response.body, Value::Null);
    assert!(!assignment_ids(&app, &owner.token, &org)
        .await
        .contains(&assignment));
    assert_eq!(
        last_audit(&app).await,
        json!({"action": "delete", "targetType": "organization_role", "targetId": assignment,
               "statusCode": 204, "errorMessage": null, "organizationId": org})
    );
    // The members keep their other assignments.
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM member_assignments WHERE assignment_id = $1")
            .bind(DEVELOPER_ID)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(kept, 3);
}

#[tokio::test]
async fn an_assignment_offered_in_pending_invitations_cannot_be_deleted() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let assignment =
        create_assignment(&app, &owner, &org, "Maintainer", &["write:registries"]).await;
    pending_invitation(
        &app,
        &org,
        "carol@example.com",
        &[DEVELOPER_ID, &assignment],
        "2999-01-01T00:00:00.000000Z",
    )
    .await;

    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "Maintainer is offered in the pending invitation for carol@example.com; edit or cancel it first"
    );

    // An expired pending invitation still counts: a resend revives it.
    pending_invitation(
        &app,
        &org,
        "erin@example.com",
        &[&assignment],
        "2000-01-01T00:00:00.000000Z",
    )
    .await;
    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "Maintainer is offered in pending invitations for carol@example.com and 1 other; edit or cancel them first"
    );

    // Answered or cancelled invitations do not hold it.
    sqlx::query("UPDATE invitations SET status = 'cancelled' WHERE email = 'carol@example.com'")
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE invitations SET status = 'declined' WHERE email = 'erin@example.com'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let response = app
        .delete(&assignment_path(&org, &assignment), &owner.token)
        .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    assert!(!assignment_ids(&app, &owner.token, &org)
        .await
        .contains(&assignment));
}
