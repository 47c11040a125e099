//! The audit log: one row per mutation, and the query over it (access,
//! validation, filters, pages, cursors, and plans that stay on an index).

use std::time::{Duration, Instant};

use crate::common::{dialect, on_postgres, Account, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use roster_core::audit::{ORGANIZATION_AUDIT_ACTIONS, ORGANIZATION_AUDIT_TARGET_TYPES};
use roster_core::audit_filter::AuditFilters;
use roster_core::{AUDITOR_ID, DEVELOPER_ID};
use roster_server::store::audit::{self, AuditQuery, Position};
use serde_json::{json, Value};

fn log_path(org: &str, query: &str) -> String {
    if query.is_empty() {
        format!("/api/audit/organizations/{org}")
    } else {
        format!("/api/audit/organizations/{org}?{query}")
    }
}

/// Writes rows `first..=last` for `org` straight into the table, as if made
/// by requests: row `i` has id `seed-{i}`, action
/// create/update/delete by `i % 3`, actor `even`/`odd` by `i % 2`, and is
/// created `i / 2` seconds after 2025-01-01T00:00:00Z, so pairs of rows
/// share a timestamp. Newest first is therefore `i` descending. Its target
/// is a member when `i % 4 == 0`, else an assignment; its status 403 when
/// `i % 10 == 0`, 500 when `i % 10 == 5`, else 200.
async fn seed(app: &TestApp, org: &str, first: i64, last: i64) {
    sqlx::query(&format!(
        "INSERT INTO audit_logs (id, seq, organization_id, actor_id, actor_email, action,
             target_type, target_id, status_code, error_message, metadata, source, created_at)
         WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2),
              base(seq) AS (SELECT COALESCE(MAX(seq), 0) FROM audit_logs)
         SELECT 'seed-' || i, base.seq + i, $3,
                CASE i % 2 WHEN 0 THEN 'even' ELSE 'odd' END,
                CASE i % 2 WHEN 0 THEN 'even@example.com' ELSE 'odd@example.com' END,
                CASE i % 3 WHEN 0 THEN 'create' WHEN 1 THEN 'update' ELSE 'delete' END,
                CASE i % 4 WHEN 0 THEN 'organization_user' ELSE 'organization_role' END,
                'role-' || i,
                CASE i % 10 WHEN 0 THEN 403 WHEN 5 THEN 500 ELSE 200 END,
                NULL, '{{\"method\":\"POST\"}}', 'api',
                {}
           FROM n, base",
        dialect::seconds_after("2025-01-01T00:00:00", "i / 2")
    ))
    .bind(first)
    .bind(last)
    .bind(org)
    .execute(&app.state.db)
    .await
    .unwrap();
    analyze_if_postgres(app).await;
}

/// After a bulk insert, PostgreSQL plans with statistics of the table as
/// it was (autovacuum would gather them soon; a server's log grows a row at
/// a time). SQLite's planner reads the indexes themselves.
async fn analyze_if_postgres(app: &TestApp) {
    if on_postgres() {
        sqlx::query("ANALYZE audit_logs")
            .execute(&app.state.db)
            .await
            .unwrap();
    }
}

fn filters(query: &[(&str, &str)]) -> AuditFilters {
    AuditFilters::from_query(query.iter().copied()).unwrap()
}

fn seeded_ids(rows: impl IntoIterator<Item = i64>) -> Vec<String> {
    rows.into_iter().map(|i| format!("seed-{i}")).collect()
}

/// Asserts that exactly one row was written since the count was `before`.
async fn one_more(app: &TestApp, before: i64, label: &str) -> i64 {
    let now = app.audit_count().await;
    assert_eq!(now, before + 1, "{label} must write exactly one row");
    now
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

async fn owner_and_org(app: &TestApp) -> (Account, String) {
    let owner = app.account("owner@example.com").await;
    // Straight into the store: the organization's log starts empty.
    let org = app.organization_in_store(&owner, "Acme").await;
    (owner, org)
}

#[tokio::test]
async fn every_mutation_writes_exactly_one_row_with_its_outcome() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    let member = app.account("member@example.com").await;
    app.add_member(&org, &member, "member", &[]).await;
    let roles = format!("/api/organizations/{org}/roles");
    let body =
        |name: &str| json!({"name": name, "description": "", "permissions": ["read:runners"]});

    let mut count = app.audit_count().await;
    let created = app.post(&roles, &owner.token, body("Maintainer")).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let role = created.body["id"].as_str().unwrap().to_string();
    count = one_more(&app, count, "create").await;
    let duplicate = app.post(&roles, &owner.token, body("maintainer")).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    count = one_more(&app, count, "duplicate create").await;
    let updated = app
        .put(&format!("{roles}/{role}"), &owner.token, body("Ops"))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    count = one_more(&app, count, "update").await;
    let global = app
        .delete(&format!("{roles}/{DEVELOPER_ID}"), &owner.token)
        .await;
    assert_eq!(global.status, StatusCode::NOT_FOUND);
    count = one_more(&app, count, "delete of a global role").await;
    let refused = app.post(&roles, &member.token, body("Sneaky")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    count = one_more(&app, count, "refused create").await;
    let deleted = app.delete(&format!("{roles}/{role}"), &owner.token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    one_more(&app, count, "delete").await;

    // Reading (the roles, the log itself) writes nothing.
    let before = app.audit_count().await;
    app.get(&roles, &owner.token).await;
    let log = app.get(&log_path(&org, "limit=6"), &owner.token).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    assert_eq!(app.audit_count().await, before);

    let items = log.body["items"].as_array().unwrap();
    let summary: Vec<Value> = items
        .iter()
        .map(|i| {
            json!([
                i["action"],
                i["actorEmail"],
                i["statusCode"],
                i["errorMessage"],
                i["organizationId"]
            ])
        })
        .collect();
    let owner_email = owner.email.as_str();
    assert_eq!(
        summary,
        vec![
            json!(["delete", owner_email, 204, null, org]),
            json!(["create", "member@example.com", 403, "Access denied", org]),
            json!([
                "delete",
                owner_email,
                404,
                format!("Role with ID {DEVELOPER_ID} not found"),
                org
            ]),
            json!(["update", owner_email, 200, null, org]),
            json!([
                "create",
                owner_email,
                409,
                "A role named \u{201c}maintainer\u{201d} already exists in this organization",
                org
            ]),
            json!(["create", owner_email, 201, null, org]),
        ]
    );
    for (item, target) in [
        (&items[0], &role),
        (&items[2], &DEVELOPER_ID.to_string()),
        (&items[3], &role),
        (&items[5], &role),
    ] {
        assert_eq!(item["targetType"], "organization_role", "{item}");
        assert_eq!(&item["targetId"], target, "{item}");
    }
    assert_eq!(items[0]["actorId"], owner.id);
    assert_eq!(items[1]["actorId"], member.id);
    assert_eq!(items[0]["metadata"]["method"], "DELETE");
    assert_eq!(items[3]["metadata"]["name"], "Ops");
    assert_eq!(items[0]["source"], "api");
    assert!(items[0]["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn owners_and_holders_of_read_audit_logs_read_the_log() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    let developer = app.account("developer@example.com").await;
    let auditor = app.account("auditor@example.com").await;
    let stranger = app.account("stranger@example.com").await;
    app.add_member(&org, &developer, "member", &[DEVELOPER_ID])
        .await;
    app.add_member(&org, &auditor, "member", &[AUDITOR_ID])
        .await;
    seed(&app, &org, 1, 3).await;

    for account in [&owner, &auditor] {
        let response = app.get(&log_path(&org, ""), &account.token).await;
        assert_eq!(response.status, StatusCode::OK, "{}", account.email);
        assert_eq!(response.body["total"], 3);
    }
    let response = app.get(&log_path(&org, ""), &developer.token).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.message(), "Access denied");
    for org in [org.as_str(), "no-such-organization"] {
        let response = app.get(&log_path(org, ""), &stranger.token).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert_eq!(response.message(), "Invalid authentication context");
    }
    let response = app
        .request(axum::http::Method::GET, &log_path(&org, ""), None, None)
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);

    // Another organization's rows never show.
    let other = app.organization(&owner, "Other").await;
    seed(&app, &other, 101, 105).await;
    let response = app.get(&log_path(&org, ""), &owner.token).await;
    assert_eq!(response.body["total"], 3);
    assert!(response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|item| item["organizationId"] == org.as_str()));
}

#[tokio::test]
async fn bad_query_values_are_named_in_a_400() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    let token_like = |text: &str| hex::encode(text);
    let cases = [
        (
            "page=0",
            "page must be a whole number of at least 1 (got '0')".to_string(),
        ),
        (
            "page=two",
            "page must be a whole number of at least 1 (got 'two')".to_string(),
        ),
        (
            "page=-1",
            "page must be a whole number of at least 1 (got '-1')".to_string(),
        ),
        (
            "limit=0",
            "limit must be a whole number between 1 and 200 (got '0')".to_string(),
        ),
        (
            "limit=201",
            "limit must be a whole number between 1 and 200 (got '201')".to_string(),
        ),
        (
            "limit=ten",
            "limit must be a whole number between 1 and 200 (got 'ten')".to_string(),
        ),
        (
            "from=yesterday",
            "from must be an ISO-8601 date-time such as 2026-03-01T09:30:00Z (got 'yesterday')"
                .to_string(),
        ),
        (
            "to=2025-13-01",
            "to must be an ISO-8601 date-time such as 2026-03-01T09:30:00Z (got '2025-13-01')"
                .to_string(),
        ),
        (
            "action[like]=create",
            "action has no operator 'like'; a StringFilter takes eq, not, in, notIn".to_string(),
        ),
        (
            "statusCode[gte]=1e308",
            "statusCode[gte] must be a whole number such as 404 (got '1e308')".to_string(),
        ),
        (
            "action=%7B%22in%22%3A%22create%22%7D",
            "action.in must be a list of values".to_string(),
        ),
        (
            "nextToken=garbage",
            "nextToken is not valid; request the first page again without it".to_string(),
        ),
        (
            &format!("nextToken={}", token_like("v1:0:5:0")),
            "nextToken is not valid; request the first page again without it".to_string(),
        ),
        (
            "page=0&limit=500",
            "page must be a whole number of at least 1 (got '0'); \
             limit must be a whole number between 1 and 200 (got '500')"
                .to_string(),
        ),
        (
            "page=18446744073709551615&limit=200",
            "page is too large".to_string(),
        ),
    ];
    for (query, message) in &cases {
        let response = app.get(&log_path(&org, query), &owner.token).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{query}: {:?}",
            response.body
        );
        assert_eq!(response.message(), message, "{query}");
    }
    let response = app
        .get(&log_path(&org, "page=1&page=2"), &owner.token)
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(
        response.message().contains("page"),
        "{}",
        response.message()
    );

    // Empty values mean "not given".
    let response = app
        .get(&log_path(&org, "page=&limit=&action=&from="), &owner.token)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.body["page"], 1);
}

#[tokio::test]
async fn filters_by_action_actor_and_time() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    // The set-up requests wrote rows of their own, dated now: the filters
    // below exclude them by time range or by actor.
    seed(&app, &org, 1, 30).await;
    let get = |query: String| {
        let app = &app;
        let token = owner.token.clone();
        let path = log_path(&org, &query);
        async move {
            let response = app.get(&path, &token).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {:?}",
                response.body
            );
            response.body
        }
    };

    let updates_by_odd = get("action=update&actorId=odd".into()).await;
    let expected: Vec<i64> = (1..=30)
        .rev()
        .filter(|i| i % 3 == 1 && i % 2 == 1)
        .collect();
    assert_eq!(ids(&updates_by_odd), seeded_ids(expected.clone()));
    assert_eq!(updates_by_odd["total"], expected.len());

    let by_even = get("actorId=even&limit=200".into()).await;
    assert_eq!(
        ids(&by_even),
        seeded_ids((1..=30).rev().filter(|i| i % 2 == 0))
    );
    let deletes = get("action=delete&to=2025-12-31".into()).await;
    assert_eq!(
        ids(&deletes),
        seeded_ids((1..=30).rev().filter(|i| i % 3 == 2))
    );
    assert_eq!(get("action=nothing".into()).await["total"], 0);

    // Row i is at second i / 2; both bounds are inclusive.
    let window = get("from=2025-01-01T00:00:05Z&to=2025-01-01T00:00:07Z".into()).await;
    assert_eq!(ids(&window), seeded_ids((10..=15).rev()));
    assert_eq!(window["total"], 6);
    let with_offset = get("from=2025-01-01T01:00:05%2B01:00&to=2025-01-01T00:00:07Z".into()).await;
    assert_eq!(ids(&with_offset), seeded_ids((10..=15).rev()));
    // An unencoded "+" arrives as a space; it is still understood.
    let with_space = get("from=2025-01-01T01:00:05+01:00&to=2025-01-01T00:00:07Z".into()).await;
    assert_eq!(ids(&with_space), seeded_ids((10..=15).rev()));
    let since = get("from=2025-01-01T00:00:13Z&to=2025-12-31&action=create".into()).await;
    assert_eq!(ids(&since), seeded_ids([30, 27]));
    // A bare date covers its whole day.
    let day = get("from=2025-01-01&to=2025-01-01".into()).await;
    assert_eq!(day["total"], 30);
    let before = get("to=2024-12-31".into()).await;
    assert_eq!(before["total"], 0);
}

#[tokio::test]
async fn pages_are_newest_first_with_totals() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 250).await;
    let page = |query: &'static str| {
        let path = log_path(&org, query);
        let app = &app;
        let token = owner.token.clone();
        async move { app.get(&path, &token).await }
    };

    let first = page("to=2025-12-31").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["total"], 250);
    assert_eq!(first.body["page"], 1);
    assert_eq!(first.body["totalPages"], 3);
    assert_eq!(ids(&first.body), seeded_ids((151..=250).rev()));
    assert!(first.body["nextToken"].is_string());

    let third = page("to=2025-12-31&page=3").await;
    assert_eq!(third.body["page"], 3);
    assert_eq!(ids(&third.body), seeded_ids((1..=50).rev()));
    assert!(third.body.get("nextToken").is_none(), "{:?}", third.body);

    let beyond = page("to=2025-12-31&page=9").await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert_eq!(beyond.body["items"], json!([]));
    assert_eq!(beyond.body["total"], 250);
    assert_eq!(beyond.body["page"], 9);

    let small = page("to=2025-12-31&page=2&limit=7").await;
    assert_eq!(small.body["totalPages"], 36);
    assert_eq!(ids(&small.body), seeded_ids((237..=243).rev()));
    // Rows sharing a timestamp (243 and 242, …) come by seq, newest first.
    assert_eq!(
        small.body["items"][0]["createdAt"],
        small.body["items"][1]["createdAt"]
    );

    // The set-up wrote no row for this organization.
    let all = page("").await;
    assert_eq!(all.body["total"], 250);
    assert_eq!(ids(&all.body), ids(&first.body));
}

#[tokio::test]
async fn next_tokens_walk_every_row_once_even_while_rows_are_added() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 100).await;
    let first_page = log_path(&org, "action=update&to=2025-12-31&limit=7");
    let mut response = app.get(&first_page, &owner.token).await;
    let mut walked = Vec::new();
    let mut pages = 0;
    loop {
        assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
        pages += 1;
        assert_eq!(response.body["page"], pages);
        // The total counts rows as they are now, the walk continues as it began.
        assert_eq!(response.body["total"], if pages <= 2 { 34 } else { 37 });
        walked.extend(ids(&response.body));
        let Some(token) = response.body["nextToken"].as_str().map(str::to_string) else {
            break;
        };
        if pages == 2 {
            // Newer rows arrive meanwhile: they do not shift the walk.
            seed(&app, &org, 101, 110).await;
        }
        response = app
            .get(
                &log_path(
                    &org,
                    &format!("action=update&to=2025-12-31&limit=7&nextToken={token}&page=1"),
                ),
                &owner.token,
            )
            .await;
    }
    assert_eq!(pages, 5);
    assert_eq!(walked, seeded_ids((1..=100).rev().filter(|i| i % 3 == 1)));
}

fn plan_is_index_only(details: &[String]) -> Result<(), String> {
    let bad: Vec<&String> = details
        .iter()
        .filter(|d| d.starts_with("SCAN") || d.contains("TEMP B-TREE"))
        .collect();
    if bad.is_empty()
        && details
            .iter()
            .any(|d| d.contains("USING COVERING INDEX audit_logs_org_"))
    {
        Ok(())
    } else {
        Err(format!("{details:#?}"))
    }
}

#[tokio::test]
async fn queries_walk_an_index_without_scans_or_sorts() {
    if on_postgres() {
        return; // SQLite's own query plans
    }
    let app = TestApp::new().await;
    let (_, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 2000).await;
    sqlx::query("ANALYZE").execute(&app.state.db).await.unwrap();
    let base = AuditQuery {
        organization_id: org.clone(),
        filters: AuditFilters::default(),
        after: None,
        limit: 100,
        offset: 0,
    };
    let at = |text: &str| text.parse().unwrap();
    let with = |query: &[(&str, &str)]| AuditQuery {
        filters: filters(query),
        ..base.clone()
    };
    let after = Some(Position {
        created_at: at("2025-01-01T00:05:00Z"),
        seq: 600,
    });
    let variants = [
        base.clone(),
        AuditQuery {
            offset: 1900,
            ..base.clone()
        },
        with(&[("action", "update")]),
        AuditQuery {
            offset: 500,
            ..with(&[("actorId", "odd")])
        },
        with(&[
            ("createdAt[gte]", "2025-01-01T00:01:00Z"),
            ("createdAt[lte]", "2025-01-01T00:05:00Z"),
        ]),
        AuditQuery {
            after: after.clone(),
            ..with(&[("action[eq]", "create")])
        },
        AuditQuery {
            after: after.clone(),
            ..with(&[("from", "2025-01-01T00:01:00Z")])
        },
        // The filters the Audit Logs page offers, alone and together.
        with(&[("statusCode[gte]", "400"), ("statusCode[lt]", "500")]),
        with(&[("targetType[eq]", "organization_user")]),
        with(&[("action[in]", "create,delete")]),
        with(&[
            ("action[eq]", "update"),
            ("targetType[eq]", "organization_role"),
            ("statusCode[gte]", "500"),
            ("createdAt[gte]", "2025-01-01T00:01:00Z"),
        ]),
        AuditQuery {
            offset: 300,
            ..with(&[("actorId", "odd"), ("statusCode[lt]", "400")])
        },
    ];
    for query in &variants {
        let details = audit::explain(&app.state.db, query).await.unwrap();
        if let Err(plan) = plan_is_index_only(&details) {
            panic!("{query:?} is not index-only:\n{plan}");
        }
    }
    // An equality on the target type walks that type's rows only.
    let target = audit::explain(
        &app.state.db,
        &with(&[
            ("targetType[eq]", "organization_user"),
            ("statusCode[gte]", "400"),
        ]),
    )
    .await
    .unwrap();
    assert!(
        target.iter().any(|d| d.contains("audit_logs_org_target")),
        "{target:#?}"
    );
    // The check itself fails on a plan that scans.
    let scan = ["SCAN audit_logs".to_string()];
    assert!(plan_is_index_only(&scan).is_err());
}

/// At a million rows of one organization, first and deep pages still
/// answer quickly: they walk covering indexes (about 0.2 s each in a debug
/// build; seeding takes some 15 s).
#[tokio::test]
async fn a_million_rows_stay_fast() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 1_000_000).await;
    let timed = |query: &'static str| {
        let app = &app;
        let path = log_path(&org, query);
        let token = owner.token.clone();
        async move {
            let started = Instant::now();
            let response = app.get(&path, &token).await;
            assert_eq!(response.status, StatusCode::OK, "{query}");
            (started.elapsed(), response.body)
        }
    };
    for query in [
        "",
        "page=9000&limit=100",
        "action=update&page=3000",
        "actorId=odd&limit=200&page=2000",
        // The Audit Logs page's Outcome and Target filters, deep pages.
        "statusCode%5Bgte%5D=400&statusCode%5Blt%5D=500&page=900",
        "statusCode%5Bgte%5D=500&targetType%5Beq%5D=organization_role&page=500",
        "action%5Beq%5D=update&statusCode%5Bgte%5D=400&statusCode%5Blt%5D=500&page=300",
    ] {
        let (elapsed, body) = timed(query).await;
        println!("{query}: {elapsed:?}");
        assert_eq!(body["items"].as_array().unwrap().len().min(1), 1, "{query}");
        assert!(elapsed < Duration::from_secs(2), "{query} took {elapsed:?}");
    }
}

#[tokio::test]
async fn an_organizations_log_starts_with_its_creation() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let response = app.get(&log_path(&org, ""), &owner.token).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["total"], 1);
    let created = &response.body["items"][0];
    assert_eq!(created["action"], "create");
    assert_eq!(created["targetType"], "organization");
    assert_eq!(created["targetId"], org.as_str());
    assert_eq!(created["actorEmail"], "owner@example.com");
    assert_eq!(created["statusCode"], 201);
}

/// The ids of a page as the plain query (an `OFFSET` over the whole order)
/// gives them: what the server's marks must reproduce.
/// A filter as a query string and as the SQL condition it stands for.
struct Filter {
    query: &'static str,
    sql: &'static str,
}

async fn plain_page(
    app: &TestApp,
    org: &str,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM audit_logs WHERE organization_id = $1 AND {}
          ORDER BY created_at DESC, seq DESC LIMIT $2 OFFSET $3",
        filter.sql
    ))
    .bind(org)
    .bind(limit)
    .bind(offset)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

/// Rows `first..=last` written after the others but dated 2024, so they
/// sort before every row `seed` wrote.
async fn seed_backdated(app: &TestApp, org: &str, first: i64, last: i64) {
    sqlx::query(&format!(
        "INSERT INTO audit_logs (id, seq, organization_id, actor_id, actor_email, action,
             target_type, target_id, status_code, metadata, source, created_at)
         WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2),
              base(seq) AS (SELECT MAX(seq) FROM audit_logs)
         SELECT 'old-' || i, base.seq + i - $1 + 1, $3, 'odd', 'odd@example.com', 'update',
                'organization_role', 'role-' || i, 200, '{{}}', 'api',
                {}
           FROM n, base",
        dialect::seconds_after("2024-01-01T00:00:00", "i")
    ))
    .bind(first)
    .bind(last)
    .bind(org)
    .execute(&app.state.db)
    .await
    .unwrap();
    analyze_if_postgres(app).await;
}

/// Deep page numbers start from remembered marks instead of skipping every
/// row before them; the pages must be exactly those of the plain order, at
/// any depth, with filters, and after rows are added at either end.
#[tokio::test]
async fn deep_pages_are_those_of_the_plain_order_even_after_rows_are_added() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 20_000).await;
    let check = |label: &'static str| {
        let app = &app;
        let org = org.clone();
        let token = owner.token.clone();
        async move {
            let total_of = |filter: &Filter| {
                let sql = format!(
                    "SELECT COUNT(*) FROM audit_logs WHERE organization_id = $1 AND {}",
                    filter.sql
                );
                let org = org.clone();
                async move {
                    sqlx::query_scalar::<_, i64>(&sql)
                        .bind(&org)
                        .fetch_one(&app.state.db)
                        .await
                        .unwrap()
                }
            };
            let all = Filter {
                query: "",
                sql: "TRUE",
            };
            let updates = Filter {
                query: "action=update&",
                sql: "action = 'update'",
            };
            // One row in twenty: marks close together, deep pages that walk
            // far in the index.
            let sparse = Filter {
                query: "statusCode%5Bgte%5D=500&targetType%5Beq%5D=organization_role&",
                sql: "status_code >= 500 AND target_type = 'organization_role'",
            };
            for (filter, limit, pages) in [
                (
                    &all,
                    100,
                    vec![1, 2, 41, 42, 100, 150, 199, 200, 201, 203, 250],
                ),
                (&all, 7, vec![586, 1000, 2000, 2857, 2858, 2900]),
                (&updates, 100, vec![1, 30, 60, 66, 67, 68]),
                (&sparse, 10, vec![1, 3, 26, 27, 60, 100, 101, 102, 110]),
            ] {
                let total = total_of(filter).await;
                for page in pages {
                    let query = format!("{}limit={limit}&page={page}", filter.query);
                    let response = app.get(&log_path(&org, &query), &token).await;
                    assert_eq!(response.status, StatusCode::OK, "{label} {query}");
                    assert_eq!(response.body["total"], total, "{label} {query}");
                    let offset = (page - 1) * limit;
                    let expected = plain_page(app, &org, filter, limit, offset).await;
                    assert_eq!(ids(&response.body), expected, "{label} {query}");
                    assert_eq!(
                        response.body["nextToken"].is_string(),
                        offset + limit < total,
                        "{label} {query}"
                    );
                }
            }
        }
    };
    check("as seeded").await;
    seed(&app, &org, 20_001, 20_500).await;
    check("after newer rows").await;
    seed_backdated(&app, &org, 1, 3_000).await;
    check("after backdated rows").await;
}

#[tokio::test]
async fn deep_page_queries_walk_indexes() {
    if on_postgres() {
        return; // SQLite's own query plans
    }
    let app = TestApp::new().await;
    let (_, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 5000).await;
    let query = AuditQuery {
        organization_id: org.clone(),
        filters: filters(&[("action", "update"), ("statusCode[gte]", "400")]),
        after: None,
        limit: 100,
        offset: 0,
    };
    let mark = Position {
        created_at: "2025-01-01T00:05:00Z".parse().unwrap(),
        seq: 600,
    };
    let plans = audit::explain_deep(&app.state.db, &query, &mark)
        .await
        .unwrap();
    let [since, marks, page] = &plans[..] else {
        panic!("three plans: {plans:#?}");
    };
    // Rows newer than a seq: the seq index, which holds only them.
    assert!(
        since.iter().any(|d| d.contains("(seq>?)")) && !since.iter().any(|d| d.starts_with("SCAN")),
        "{since:#?}"
    );
    for plan in [marks, page] {
        assert!(
            !plan
                .iter()
                .any(|d| d.starts_with("SCAN audit_logs") || d.contains("TEMP B-TREE")),
            "{plan:#?}"
        );
        assert!(
            plan.iter()
                .any(|d| d.contains("USING COVERING INDEX audit_logs_org_")),
            "{plan:#?}"
        );
    }
}

#[tokio::test]
async fn a_row_keeps_a_bounded_part_of_a_large_body() {
    let app = TestApp::new().await;
    let padding = "A".repeat(60_000);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/auth/sign-in")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "B".repeat(10_000))
        .body(Body::from(
            json!({"email": "x@example.com", "password": "secret", "pad": padding}).to_string(),
        ))
        .unwrap();
    let response = app.send(request).await;
    assert!(response.status.is_client_error(), "{:?}", response.status);
    let (metadata, user_agent): (String, String) =
        sqlx::query_as("SELECT metadata, user_agent FROM audit_logs ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(metadata.len() < 1024, "{} bytes kept", metadata.len());
    let metadata: Value = serde_json::from_str(&metadata).unwrap();
    assert_eq!(metadata["email"], "x@example.com");
    assert_eq!(metadata["password"], "[redacted]");
    assert_eq!(metadata["pad"], "[60002 bytes left out]");
    assert_eq!(user_agent.len(), 256);
}

/// Daytona's filters, in the syntax of each kind of client: the Python
/// client's JSON objects, NestJS-style brackets with commas or repeated
/// keys, and bare values.
#[tokio::test]
async fn daytona_filters_read_alike_in_every_client_style() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 60).await;
    let get = |query: &str| {
        let path = log_path(&org, &format!("{query}&limit=200"));
        let token = owner.token.clone();
        let app = &app;
        async move {
            let response = app.get(&path, &token).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{path}: {:?}",
                response.body
            );
            ids(&response.body)
        }
    };
    let expect = |keep: &dyn Fn(i64) -> bool| seeded_ids((1..=60).rev().filter(|i| keep(*i)));

    let creates_and_deletes = expect(&|i| i % 3 != 1);
    for query in [
        "action=%7B%22in%22%3A%5B%22create%22%2C%22delete%22%5D%7D",
        "action%5Bin%5D=create,delete",
        "action%5Bin%5D=create&action%5Bin%5D=delete",
        "action%5Bin%5D%5B%5D=create&action%5Bin%5D%5B%5D=delete",
        "action%5BnotIn%5D=update",
        "action%5Bnot%5D=update",
    ] {
        assert_eq!(get(query).await, creates_and_deletes, "{query}");
    }
    // The outcome filters of the Audit Logs page.
    let client_errors = expect(&|i| i % 10 == 0);
    for query in [
        "statusCode%5Bgte%5D=400&statusCode%5Blt%5D=500",
        "statusCode=%7B%22gte%22%3A400%2C%22lt%22%3A500%7D",
        "statusCode%5Bin%5D=400,403,404",
        "statusCode=403",
    ] {
        assert_eq!(get(query).await, client_errors, "{query}");
    }
    assert_eq!(
        get("statusCode%5Bgte%5D=500").await,
        expect(&|i| i % 10 == 5)
    );
    assert_eq!(
        get("statusCode%5Blt%5D=400").await,
        expect(&|i| i % 10 != 0 && i % 10 != 5)
    );
    assert_eq!(
        get("targetType%5Beq%5D=organization_user&statusCode%5Bnot%5D=200").await,
        expect(&|i| i % 4 == 0 && i % 10 == 0)
    );
    assert_eq!(
        get("actorEmail%5Beq%5D=even%40example.com&targetId%5Bin%5D=role-2,role-3,role-4").await,
        seeded_ids([4, 2])
    );
    assert_eq!(get("id=seed-7").await, seeded_ids([7]));
    assert_eq!(get("id%5BnotIn%5D=").await, expect(&|_| true));
    // Roster has no API keys: no row has one.
    assert_eq!(get("actorApiKeyPrefix%5Beq%5D=dtn_").await, seeded_ids([]));
    assert_eq!(
        get("actorApiKeySuffix%5Bnot%5D=abcd").await,
        expect(&|_| true)
    );
    // An empty JSON list matches nothing; an empty notIn, everything.
    assert_eq!(get("action=%7B%22in%22%3A%5B%5D%7D").await, seeded_ids([]));
    assert_eq!(
        get("action=%7B%22notIn%22%3A%5B%5D%7D").await,
        expect(&|_| true)
    );
    // Dates: the deprecated aliases and the DateFilter agree.
    let window = "createdAt%5Bgte%5D=2025-01-01T00:00:05Z&createdAt%5Blte%5D=2025-01-01T00:00:07Z";
    assert_eq!(get(window).await, seeded_ids((10..=15).rev()));
    assert_eq!(
        get("from=2025-01-01T00:00:05Z&to=2025-01-01T00:00:07Z").await,
        seeded_ids((10..=15).rev())
    );
    assert_eq!(
        get("createdAt=%7B%22gt%22%3A%222025-01-01T00%3A00%3A05Z%22%2C%22lt%22%3A%222025-01-01T00%3A00%3A07Z%22%7D").await,
        seeded_ids([13, 12])
    );
    // A later start than end is no error: nothing matches.
    assert_eq!(
        get("createdAt%5Bgte%5D=2025-03-02&createdAt%5Blte%5D=2025-03-01").await,
        seeded_ids([])
    );

    // A hundred values at most, and a clear 400 for anything else.
    let many: Vec<String> = (0..101).map(|i| format!("a{i}")).collect();
    let response = app
        .get(
            &log_path(&org, &format!("action%5Bin%5D={}", many.join(","))),
            &owner.token,
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.message(),
        "action[in] has more than 100 values; narrow the filter"
    );
    for (query, message) in [
        ("createdAt=2025-01-01", "createdAt needs an operator"),
        ("targetType%5Bgte%5D=a", "targetType has no operator 'gte'"),
        (
            "statusCode=%7B%22in%22%3A%5B%22x%22%5D%7D",
            "statusCode[in] must be a whole number",
        ),
        ("actorId=%7Bbroken", "actorId is not a valid JSON object"),
    ] {
        let response = app.get(&log_path(&org, query), &owner.token).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            response.message().contains(message),
            "{query}: {}",
            response.message()
        );
    }
}

/// `GET /audit/scenarios` is read off the access table; every row a
/// journey of mutations writes to an organization's log is among them.
#[tokio::test]
async fn scenarios_list_every_action_an_organizations_log_holds() {
    let app = TestApp::new().await;
    let owner = app.account("owner@example.com").await;
    let invitee = app.account("invitee@example.com").await;
    // Public, as in Daytona's document: its clients send no credentials.
    let response = app
        .request(Method::GET, "/api/audit/scenarios", None, None)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let signed_in = app.get("/api/audit/scenarios", &invitee.token).await;
    assert_eq!(signed_in.body, response.body);
    let targets = response.body["targets"].as_array().unwrap().clone();
    let listed: Vec<(String, String)> = targets
        .iter()
        .flat_map(|t| {
            let target = t["targetType"].as_str().unwrap().to_owned();
            t["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |a| (target.clone(), a.as_str().unwrap().to_owned()))
        })
        .collect();
    let types: Vec<&str> = targets
        .iter()
        .map(|t| t["targetType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "organization",
            "organization_invitation",
            "organization_role",
            "organization_user"
        ]
    );
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "sorted by target, then action");
    // What the SPA offers a backend without scenarios is what Roster records.
    let mut known = ORGANIZATION_AUDIT_TARGET_TYPES.to_vec();
    known.sort_unstable();
    assert_eq!(types, known);
    let mut actions: Vec<&str> = listed.iter().map(|(_, a)| a.as_str()).collect();
    actions.sort_unstable();
    actions.dedup();
    let mut offered = ORGANIZATION_AUDIT_ACTIONS.to_vec();
    offered.sort_unstable();
    assert_eq!(actions, offered);
    for expected in [
        ("organization", "create"),
        ("organization", "leave"),
        ("organization", "set_default_region"),
        ("organization_invitation", "accept"),
        ("organization_invitation", "resend"),
        ("organization_user", "update_access"),
        ("organization_role", "delete"),
    ] {
        assert!(
            listed.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {listed:?}"
        );
    }
    assert!(!listed
        .iter()
        .any(|(_, action)| action == "read" || action == "login"));

    // A journey through the API; each row of the log is a listed scenario.
    let org = app.organization(&owner, "Acme").await;
    let invited = app
        .post(
            &format!("/api/organizations/{org}/invitations"),
            &owner.token,
            json!({"email": invitee.email, "role": "member", "assignedRoleIds": [DEVELOPER_ID]}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
    let invitation = invited.body["id"].as_str().unwrap();
    let accepted = app
        .post(
            &format!("/api/organizations/invitations/{invitation}/accept"),
            &invitee.token,
            json!({}),
        )
        .await;
    assert!(accepted.status.is_success(), "{:?}", accepted.body);
    let access = app
        .post(
            &format!("/api/organizations/{org}/users/{}/access", invitee.id),
            &owner.token,
            json!({"role": "member", "assignedRoleIds": [AUDITOR_ID]}),
        )
        .await;
    assert_eq!(access.status, StatusCode::OK, "{:?}", access.body);
    let left = app
        .post(
            &format!("/api/organizations/{org}/leave"),
            &invitee.token,
            json!({}),
        )
        .await;
    assert!(left.status.is_success(), "{:?}", left.body);
    let renamed = app
        .patch(
            &format!("/api/organizations/{org}"),
            &owner.token,
            json!({"name": "Acme 2"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    let log = app.get(&log_path(&org, "limit=200"), &owner.token).await;
    let rows: Vec<(String, String)> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["targetType"].as_str().unwrap_or_default().to_owned(),
                row["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(rows.len() >= 6, "{rows:?}");
    for row in &rows {
        assert!(
            listed.contains(row),
            "{row:?} is recorded but not a scenario"
        );
    }
}

/// `GET /audit/organizations/{id}/export`: the filtered log, newest first,
/// as CSV or NDJSON, with the same rows as the pages and cells that a
/// spreadsheet will not run.
#[tokio::test]
async fn exports_stream_the_filtered_log_as_csv_and_ndjson() {
    let app = TestApp::new().await;
    let (owner, org) = owner_and_org(&app).await;
    seed(&app, &org, 1, 2500).await;
    sqlx::query("UPDATE audit_logs SET actor_email = '=HYPERLINK(\"http://x\")', error_message = 'a, \"quoted\"\nline' WHERE id = 'seed-2491'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let filter = "action%5Bin%5D=update,delete&createdAt%5Blt%5D=2026-01-01";
    let expected: Vec<String> = seeded_ids((1..=2500).rev().filter(|i| i % 3 != 0));

    let csv = app
        .get(
            &format!("/api/audit/organizations/{org}/export?format=csv&{filter}"),
            &owner.token,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers["x-total-count"].to_str().unwrap(),
        expected.len().to_string()
    );
    let disposition = csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"audit-log-{org}-"))
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = csv.body.as_str().unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "createdAt,actorEmail,actorId,action,targetType,targetId,statusCode,errorMessage,\
         ipAddress,userAgent,source,id,metadata"
    );
    // Row 2491 is an update; its cells are neutralised and quoted, and its
    // error message spans two lines inside quotes.
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\")\",odd,update,")
            || text.contains("\"'=HYPERLINK(\"\"http://x\"\")\",even,update,"),
        "{}",
        &text[..600]
    );
    assert!(text.contains("\"a, \"\"quoted\"\"\nline\""));
    let csv_ids: Vec<String> = text
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .filter_map(|line| line.split(',').find(|cell| cell.starts_with("seed-")))
        .map(str::to_owned)
        .collect();
    assert_eq!(csv_ids, expected);

    let ndjson = app
        .get(
            &format!("/api/audit/organizations/{org}/export?format=ndjson&{filter}"),
            &owner.token,
        )
        .await;
    assert_eq!(ndjson.status, StatusCode::OK);
    assert_eq!(ndjson.headers[header::CONTENT_TYPE], "application/x-ndjson");
    let rows: Vec<Value> = ndjson
        .body
        .as_str()
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let ndjson_ids: Vec<String> = rows
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ndjson_ids, expected);
    // The same entries as the log's pages.
    let page = app
        .get(&log_path(&org, &format!("{filter}&limit=3")), &owner.token)
        .await;
    assert_eq!(&page.body["items"].as_array().unwrap()[..], &rows[..3]);

    // An empty export is a header alone; bad parameters are a 400.
    let none = app
        .get(
            &format!("/api/audit/organizations/{org}/export?action=nothing"),
            &owner.token,
        )
        .await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.headers["x-total-count"], "0");
    assert_eq!(
        none.body.as_str().unwrap().lines().count(),
        1,
        "{:?}",
        none.body
    );
    for (query, message) in [
        ("format=xlsx", "format must be csv or ndjson (got 'xlsx')"),
        (
            "page=2",
            "an export holds every matching row: leave out page",
        ),
        ("action%5Bbad%5D=x", "action has no operator 'bad'"),
    ] {
        let response = app
            .get(
                &format!("/api/audit/organizations/{org}/export?{query}"),
                &owner.token,
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            response.message().contains(message),
            "{query}: {}",
            response.message()
        );
    }

    // The same permission as reading the log.
    let member = app.account("member@example.com").await;
    app.add_member(&org, &member, "member", &[DEVELOPER_ID])
        .await;
    let refused = app
        .get(
            &format!("/api/audit/organizations/{org}/export"),
            &member.token,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let auditor = app.account("auditor@example.com").await;
    app.add_member(&org, &auditor, "member", &[AUDITOR_ID])
        .await;
    let allowed = app
        .get(
            &format!("/api/audit/organizations/{org}/export?format=ndjson&{filter}"),
            &auditor.token,
        )
        .await;
    assert_eq!(allowed.status, StatusCode::OK);
}
