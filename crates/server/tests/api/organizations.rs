//! Organizations: list, create (with its limit), read, rename, delete,
//! leave (with and without a successor), usage and the default region.

use crate::common::{personal_organization, Account, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use roster_core::{AUDITOR_ID, DEVELOPER_ID, MAX_CREATED_ORGANIZATIONS_PER_USER};
use serde_json::{json, Value};

const ORGANIZATION_REQUIRED: &[&str] = &[
    "authenticatedRateLimit",
    "authenticatedRateLimitTtlSeconds",
    "createdAt",
    "createdBy",
    "experimentalConfig",
    "id",
    "maxCpuPerSandbox",
    "maxDiskPerSandbox",
    "maxMemoryPerSandbox",
    "name",
    "otelConfig",
    "personal",
    "sandboxCreateRateLimit",
    "sandboxCreateRateLimitTtlSeconds",
    "sandboxLifecycleRateLimit",
    "sandboxLifecycleRateLimitTtlSeconds",
    "sandboxLimitedNetworkEgress",
    "snapshotDeactivationTimeoutMinutes",
    "suspended",
    "suspendedAt",
    "suspendedUntil",
    "suspensionCleanupGracePeriodHours",
    "suspensionReason",
    "updatedAt",
];

fn assert_required(value: &Value, required: &[&str]) {
    let object = value.as_object().expect("a JSON object");
    for key in required {
        assert!(object.contains_key(*key), "missing {key} in {value}");
    }
}

fn org_path(id: &str) -> String {
    format!("/api/organizations/{id}")
}

/// The member's role in the organization, straight from the database.
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

async fn assignment_count(app: &TestApp, org: &str, user: &Account) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM member_assignments WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(org)
    .bind(&user.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

async fn rows_of(app: &TestApp, table: &str, org: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE organization_id = $1"
    ))
    .bind(org)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

async fn leave(
    app: &TestApp,
    org: &str,
    who: &Account,
    body: Option<Value>,
) -> crate::common::Response {
    app.request(
        Method::POST,
        &format!("{}/leave", org_path(org)),
        Some(&who.token),
        body,
    )
    .await
}

#[tokio::test]
async fn list_shows_personal_first_then_collaborative_by_name() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    for name in ["zeta", "Alpha", "beta"] {
        app.organization(&ada, name).await;
    }
    app.organization(&bob, "Bob's").await;

    let response = app.get("/api/organizations", &ada.token).await;
    assert_eq!(response.status, StatusCode::OK);
    let list = response.body.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Personal", "Alpha", "beta", "zeta"]);
    assert_eq!(list[0]["personal"], true);
    assert!(list[1..].iter().all(|o| o["personal"] == false));
    for organization in list {
        assert_required(organization, ORGANIZATION_REQUIRED);
    }
}

#[tokio::test]
async fn create_returns_the_organization_and_makes_the_caller_its_owner() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let audits = app.audit_count().await;

    let response = app
        .post(
            "/api/organizations",
            &ada.token,
            json!({"name": "  Acme  "}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    let org = &response.body;
    assert_required(org, ORGANIZATION_REQUIRED);
    assert_eq!(org["name"], "Acme");
    assert_eq!(org["personal"], false);
    assert_eq!(org["createdBy"], ada.id.as_str());
    assert_eq!(org["suspended"], false);
    assert_eq!(org["suspendedAt"], Value::Null);
    assert_eq!(org["experimentalConfig"], json!({}));
    let id = org["id"].as_str().unwrap();
    assert_eq!(role_of(&app, id, &ada).await.as_deref(), Some("owner"));

    // One audit row, naming the new organization.
    assert_eq!(app.audit_count().await, audits + 1);
    let (action, target_type, target_id): (String, String, String) = sqlx::query_as(
        "SELECT action, target_type, target_id FROM audit_logs ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        (action.as_str(), target_type.as_str(), target_id.as_str()),
        ("create", "organization", id)
    );
}

#[tokio::test]
async fn create_refuses_unsafe_or_missing_names() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let cases = [
        (json!({"name": "   "}), "Name is required"),
        (
            json!({"name": "<b>Acme</b>"}),
            "Name must not contain HTML tags",
        ),
        (
            json!({"name": "Visit https://evil.example"}),
            "Name must not contain links",
        ),
        (
            json!({"name": "x".repeat(51)}),
            "Name must be at most 50 characters",
        ),
    ];
    for (body, message) in cases {
        let response = app.post("/api/organizations", &ada.token, body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(response.message(), message);
    }
    let response = app.post("/api/organizations", &ada.token, json!({})).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(
        response.message().contains("name"),
        "{}",
        response.message()
    );
    let response = app
        .post("/api/organizations", &ada.token, json!({"name": 5}))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);

    let list = app.get("/api/organizations", &ada.token).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "only Personal");
}

#[tokio::test]
async fn create_accepts_a_shared_default_region_and_refuses_unknown_ones() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let response = app
        .post(
            "/api/organizations",
            &ada.token,
            json!({"name": "Acme", "defaultRegionId": "eu"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.body["defaultRegionId"], "eu");

    let response = app
        .post(
            "/api/organizations",
            &ada.token,
            json!({"name": "Mars", "defaultRegionId": "mars"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.message(), "Unknown region 'mars'");
    let list = app.get("/api/organizations", &ada.token).await;
    assert!(list
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["name"] != "Mars"));
}

#[tokio::test]
async fn each_user_creates_at_most_the_limit_of_organizations() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let mut ids = Vec::new();
    for i in 0..MAX_CREATED_ORGANIZATIONS_PER_USER {
        ids.push(app.organization(&ada, &format!("Org {i}")).await);
    }
    let response = app
        .post(
            "/api/organizations",
            &ada.token,
            json!({"name": "One more"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        format!(
            "You can create at most {MAX_CREATED_ORGANIZATIONS_PER_USER} organizations; \
             delete one you no longer need to create another"
        )
    );
    let list = app.get("/api/organizations", &ada.token).await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        MAX_CREATED_ORGANIZATIONS_PER_USER + 1
    );

    // Organizations joined do not count; deleting one frees a slot.
    let bob = app.account("bob@example.com").await;
    let bobs = app.organization(&bob, "Bob's").await;
    app.add_member(&bobs, &ada, "owner", &[]).await;
    let response = app.delete(&org_path(&ids[0]), &ada.token).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let response = app
        .post(
            "/api/organizations",
            &ada.token,
            json!({"name": "One more"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
}

#[tokio::test]
async fn reading_an_organization_requires_membership() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;

    let response = app.get(&org_path(&org), &bob.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_required(&response.body, ORGANIZATION_REQUIRED);
    assert_eq!(response.body["id"], org.as_str());
    assert_eq!(response.body["name"], "Acme");

    for path in [
        org_path(&org),
        org_path("00000000-0000-4000-8000-000000000000"),
    ] {
        let response = app.get(&path, &eve.token).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert_eq!(response.message(), "Invalid authentication context");
    }
}

#[tokio::test]
async fn owners_rename_collaborative_organizations() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;

    let response = app
        .patch(&org_path(&org), &ada.token, json!({"name": " Acme Corp "}))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_required(&response.body, ORGANIZATION_REQUIRED);
    assert_eq!(response.body["name"], "Acme Corp");
    let read = app.get(&org_path(&org), &bob.token).await;
    assert_eq!(read.body["name"], "Acme Corp");

    let response = app
        .patch(&org_path(&org), &ada.token, json!({"name": "<script>"}))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.message(), "Name must not contain HTML tags");

    let response = app
        .patch(&org_path(&org), &bob.token, json!({"name": "Mine"}))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");

    let personal = personal_organization(&app, &ada).await;
    let response = app
        .patch(&org_path(&personal), &ada.token, json!({"name": "Mine"}))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Cannot rename personal organization");

    let read = app.get(&org_path(&org), &ada.token).await;
    assert_eq!(read.body["name"], "Acme Corp");
}

#[tokio::test]
async fn deleting_an_organization_cascades_to_everything_in_it() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID, AUDITOR_ID])
        .await;
    sqlx::query(
        "INSERT INTO custom_assignments (id, organization_id, name, description, permissions, created_at, updated_at)
         VALUES ('custom-1', $1, 'Custom', 'd', '[\"read:volumes\"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(&org)
    .execute(&app.state.db)
    .await
    .unwrap();

    let response = app.delete(&org_path(&org), &bob.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");

    let personal = personal_organization(&app, &ada).await;
    let response = app.delete(&org_path(&personal), &ada.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Cannot delete personal organization");
    assert!(role_of(&app, &personal, &ada).await.is_some());

    let audits = app.audit_count().await;
    let response = app.delete(&org_path(&org), &ada.token).await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    assert_eq!(app.audit_count().await, audits + 1);
    for table in [
        "organization_members",
        "member_assignments",
        "custom_assignments",
        "invitations",
    ] {
        assert_eq!(rows_of(&app, table, &org).await, 0, "{table}");
    }
    let response = app.get(&org_path(&org), &ada.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");
    let list = app.get("/api/organizations", &bob.token).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn members_and_one_of_several_owners_leave() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let cy = app.account("cy@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID]).await;
    app.add_member(&org, &cy, "owner", &[]).await;

    // No body at all.
    let response = leave(&app, &org, &bob, None).await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    assert_eq!(role_of(&app, &org, &bob).await, None);
    assert_eq!(assignment_count(&app, &org, &bob).await, 0);
    let response = app.get(&org_path(&org), &bob.token).await;
    assert_eq!(response.message(), "Invalid authentication context");

    // `{}` as the body: one of two owners.
    let response = leave(&app, &org, &cy, Some(json!({}))).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(role_of(&app, &org, &cy).await, None);

    // Left already: not a member any more.
    let response = leave(&app, &org, &cy, None).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");
}

#[tokio::test]
async fn the_last_owner_and_personal_organizations_cannot_be_left() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;

    let audits = app.audit_count().await;
    let response = leave(&app, &org, &ada, None).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        response.message(),
        format!("Organization with ID {org} must have at least one owner")
    );
    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("owner"));
    assert_eq!(app.audit_count().await, audits + 1, "refusals are audited");

    let personal = personal_organization(&app, &ada).await;
    let response = leave(&app, &personal, &ada, Some(json!({}))).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Cannot leave personal organization");
    assert_eq!(
        role_of(&app, &personal, &ada).await.as_deref(),
        Some("owner")
    );
}

#[tokio::test]
async fn a_sole_owner_hands_over_to_a_successor_and_leaves_in_one_step() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[DEVELOPER_ID, AUDITOR_ID])
        .await;

    let response = leave(&app, &org, &ada, Some(json!({"successorId": bob.id}))).await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    assert_eq!(role_of(&app, &org, &ada).await, None);
    assert_eq!(role_of(&app, &org, &bob).await.as_deref(), Some("owner"));
    assert_eq!(
        assignment_count(&app, &org, &bob).await,
        0,
        "owners hold everything"
    );
    let members = app
        .get(&format!("{}/users", org_path(&org)), &bob.token)
        .await;
    assert_eq!(members.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn leaving_with_a_successor_needs_another_member_and_the_owner_role() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;

    let not_a_member = "The new owner must be another member of the organization";
    let response = leave(&app, &org, &ada, Some(json!({"successorId": eve.id}))).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.message(), not_a_member);
    let response = leave(&app, &org, &ada, Some(json!({"successorId": ada.id}))).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), not_a_member);
    // Naming a successor promotes them: an owner's decision.
    let response = leave(&app, &org, &bob, Some(json!({"successorId": ada.id}))).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");
    let response = leave(&app, &org, &ada, Some(json!({"successorId": 7}))).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let malformed = Request::builder()
        .method(Method::POST)
        .uri(format!("{}/leave", org_path(&org)))
        .header(header::AUTHORIZATION, format!("Bearer {}", ada.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let response = app.send(malformed).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.message(), "Malformed JSON in the request body");

    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("owner"));
    assert_eq!(role_of(&app, &org, &bob).await.as_deref(), Some("member"));

    let personal = personal_organization(&app, &ada).await;
    let response = leave(&app, &personal, &ada, Some(json!({"successorId": bob.id}))).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Cannot leave personal organization");
}

#[tokio::test]
async fn usage_reports_zero_against_default_quotas_in_every_shared_region() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let eve = app.account("eve@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;

    let response = app
        .get(&format!("{}/usage", org_path(&org)), &bob.token)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let usage = &response.body;
    assert_required(
        usage,
        &[
            "currentSnapshotUsage",
            "currentVolumeUsage",
            "regionUsage",
            "totalSnapshotQuota",
            "totalVolumeQuota",
        ],
    );
    assert_eq!(usage["currentSnapshotUsage"], 0.0);
    let regions = usage["regionUsage"].as_array().unwrap();
    let ids: Vec<&str> = regions
        .iter()
        .map(|r| r["regionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["us", "eu"]);
    for region in regions {
        assert_required(
            region,
            &[
                "currentCpuUsage",
                "currentDiskUsage",
                "currentGpuUsage",
                "currentMemoryUsage",
                "maxCpuPerGpuSandbox",
                "maxCpuPerSandbox",
                "maxDiskPerGpuSandbox",
                "maxDiskPerNonEphemeralSandbox",
                "maxDiskPerSandbox",
                "maxMemoryPerGpuSandbox",
                "maxMemoryPerSandbox",
                "regionId",
                "sandboxClass",
                "totalCpuQuota",
                "totalDiskQuota",
                "totalGpuQuota",
                "totalMemoryQuota",
            ],
        );
        assert_eq!(region["currentCpuUsage"], 0.0);
        assert!(region["totalCpuQuota"].as_f64().unwrap() > 0.0);
        assert_eq!(region["maxCpuPerGpuSandbox"], Value::Null);
    }

    let response = app
        .get(&format!("{}/usage", org_path(&org)), &eve.token)
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Invalid authentication context");
}

#[tokio::test]
async fn the_default_region_is_set_once_by_an_owner() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    let bob = app.account("bob@example.com").await;
    let org = app.organization(&ada, "Acme").await;
    app.add_member(&org, &bob, "member", &[]).await;
    let path = format!("{}/default-region", org_path(&org));

    let response = app
        .patch(&path, &bob.token, json!({"defaultRegionId": "us"}))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");

    let response = app
        .patch(&path, &ada.token, json!({"defaultRegionId": "atlantis"}))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.message(), "Unknown region 'atlantis'");
    let response = app.patch(&path, &ada.token, json!({})).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);

    let response = app
        .patch(&path, &ada.token, json!({"defaultRegionId": "us"}))
        .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        response.body
    );
    let read = app.get(&org_path(&org), &bob.token).await;
    assert_eq!(read.body["defaultRegionId"], "us");

    let response = app
        .patch(&path, &ada.token, json!({"defaultRegionId": "eu"}))
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.message(),
        "The organization already has a default region"
    );
    let read = app.get(&org_path(&org), &ada.token).await;
    assert_eq!(read.body["defaultRegionId"], "us");

    // Personal organizations need a default region too.
    let personal = personal_organization(&app, &ada).await;
    let response = app
        .patch(
            &format!("{}/default-region", org_path(&personal)),
            &ada.token,
            json!({"defaultRegionId": "eu"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
}
