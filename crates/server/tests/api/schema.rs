//! The two schemas (migrations/sqlite and migrations/postgres) are one
//! schema: the same tables and columns, and the same guards for any writer,
//! not only the server: the last-owner rule, one pending invitation per
//! address, and the list versions the list caches trust. The guard tests
//! run on whichever database the suite runs on (`cargo xtask test` runs the
//! suite on both); the comparison of columns needs both at once.

use std::collections::BTreeSet;

use crate::common::{database_url, on_postgres, Account, TestApp};
use roster_server::db::{Backend, Db};

/// Every (table, column, NOT NULL) of a database, migration bookkeeping aside.
async fn columns(db: &Db) -> BTreeSet<(String, String, bool)> {
    let rows: Vec<(String, String, i64)> = match Backend::of(db) {
        Backend::Sqlite => sqlx::query_as(
            "SELECT t.name, c.name, c.\"notnull\" OR c.pk > 0
               FROM sqlite_master t, pragma_table_info(t.name) c
              WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%'
                AND t.name <> '_sqlx_migrations'",
        ),
        Backend::Postgres => sqlx::query_as(
            "SELECT table_name::text, column_name::text,
                    CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END::bigint
               FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        ),
    }
    .fetch_all(db)
    .await
    .expect("columns");
    rows.into_iter()
        .map(|(table, column, not_null)| (table, column, not_null != 0))
        .collect()
}

/// Every index's table and name (the unique ones and the ones of the
/// list orders), as both databases name them.
async fn indexes(db: &Db) -> BTreeSet<(String, String)> {
    let rows: Vec<(String, String)> = match Backend::of(db) {
        Backend::Sqlite => sqlx::query_as(
            "SELECT tbl_name, name FROM sqlite_master
              WHERE type = 'index' AND sql IS NOT NULL",
        ),
        Backend::Postgres => sqlx::query_as(
            "SELECT tablename::text, indexname::text FROM pg_indexes
              WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'
                AND indexname NOT LIKE '%_key'",
        ),
    }
    .fetch_all(db)
    .await
    .expect("indexes");
    rows.into_iter().collect()
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_tables_columns_and_indexes() {
    if !on_postgres() {
        return; // needs both databases: `cargo xtask test` runs it with PostgreSQL
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite_url = format!("sqlite://{}", dir.path().join("roster.db").display());
    let sqlite = roster_server::db::connect(&sqlite_url)
        .await
        .expect("SQLite");
    let postgres = roster_server::db::connect(&database_url(&dir).await)
        .await
        .expect("PostgreSQL");

    let (on_sqlite, on_postgres) = (columns(&sqlite).await, columns(&postgres).await);
    assert!(on_sqlite.len() > 40, "{on_sqlite:#?}");
    assert_eq!(
        on_sqlite.difference(&on_postgres).collect::<Vec<_>>(),
        Vec::<&(String, String, bool)>::new(),
        "only in SQLite"
    );
    assert_eq!(
        on_postgres.difference(&on_sqlite).collect::<Vec<_>>(),
        Vec::<&(String, String, bool)>::new(),
        "only in PostgreSQL"
    );

    let (on_sqlite, on_postgres) = (indexes(&sqlite).await, indexes(&postgres).await);
    assert!(
        on_sqlite.contains(&("invitations".into(), "invitations_one_pending".into())),
        "{on_sqlite:#?}"
    );
    assert_eq!(on_sqlite, on_postgres);
}

/// An organization of `owner` with `member`, written as the API would.
async fn team(app: &TestApp) -> (Account, Account, String) {
    let owner = app.account("owner@example.com").await;
    let member = app.account("member@example.com").await;
    let org = app.organization(&owner, "Team").await;
    app.add_member(&org, &member, "member", &[]).await;
    (owner, member, org)
}

async fn versions(app: &TestApp, org: &str) -> (i64, i64) {
    sqlx::query_as("SELECT members_version, invitations_version FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_one(&app.state.db)
        .await
        .expect("versions")
}

/// A statement run straight on the database, as another tool would.
async fn write(app: &TestApp, sql: &str, binds: &[&str]) -> Result<u64, String> {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query
        .execute(&app.state.db)
        .await
        .map(|done| done.rows_affected())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_database_keeps_an_owner_whoever_writes() {
    let app = TestApp::new().await;
    let (owner, member, org) = team(&app).await;
    let demote = "UPDATE organization_members SET role = 'member'
                   WHERE organization_id = $1 AND user_id = $2";
    let remove = "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2";

    let refused = write(&app, demote, &[&org, &owner.id]).await.unwrap_err();
    assert!(refused.contains("last owner"), "{refused}");
    let refused = write(&app, remove, &[&org, &owner.id]).await.unwrap_err();
    assert!(refused.contains("last owner"), "{refused}");

    // With a second owner either may go, not both.
    let promote = "UPDATE organization_members SET role = 'owner'
                    WHERE organization_id = $1 AND user_id = $2";
    assert_eq!(write(&app, promote, &[&org, &member.id]).await, Ok(1));
    assert_eq!(write(&app, demote, &[&org, &owner.id]).await, Ok(1));
    let refused = write(&app, remove, &[&org, &member.id]).await.unwrap_err();
    assert!(refused.contains("last owner"), "{refused}");

    // Deleting the organization takes its last owner with it.
    assert_eq!(
        write(&app, "DELETE FROM organizations WHERE id = $1", &[&org]).await,
        Ok(1)
    );
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organization_members WHERE organization_id = $1")
            .bind(&org)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn the_database_keeps_one_pending_invitation_per_address() {
    let app = TestApp::new().await;
    let (owner, _, org) = team(&app).await;
    let invite = |id: &'static str, email: &'static str, status: &'static str| {
        let (app, org, owner) = (&app, org.clone(), owner.email.clone());
        async move {
            write(
                app,
                "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
                     assignment_ids, invited_by, status, expires_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $3, 'member', '[]', $4, $5,
                         '2999-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z',
                         '2026-01-01T00:00:00.000000Z')",
                &[id, &org, email, &owner, status],
            )
            .await
        }
    };
    assert_eq!(invite("a", "x@example.com", "pending").await, Ok(1));
    let refused = invite("b", "x@example.com", "pending").await.unwrap_err();
    assert!(refused.to_lowercase().contains("unique"), "{refused}");
    // Answered ones do not count; another address is another invitation.
    assert_eq!(invite("c", "x@example.com", "declined").await, Ok(1));
    assert_eq!(invite("d", "y@example.com", "pending").await, Ok(1));
}

#[tokio::test]
async fn every_change_a_list_shows_moves_its_version() {
    let app = TestApp::new().await;
    let (owner, member, org) = team(&app).await;
    let mut last = versions(&app, &org).await;
    // What each statement must move: (members list, invitations list).
    let steps: [(&str, Vec<&str>, (bool, bool)); 9] = [
        (
            "UPDATE organization_members SET updated_at = 'x' WHERE organization_id = $1 AND user_id = $2",
            vec![&org, &member.id],
            (true, false),
        ),
        (
            "INSERT INTO member_assignments (organization_id, user_id, assignment_id) VALUES ($1, $2, 'developer')",
            vec![&org, &member.id],
            (true, false),
        ),
        (
            "DELETE FROM member_assignments WHERE organization_id = $1 AND user_id = $2",
            vec![&org, &member.id],
            (true, false),
        ),
        (
            "UPDATE users SET name = 'Renamed' WHERE id = $1",
            vec![&member.id],
            (true, false),
        ),
        (
            "INSERT INTO custom_assignments (id, organization_id, name, description, permissions, created_at, updated_at)
             VALUES ('c1', $1, 'C', '', '[]', 'x', 'x')",
            vec![&org],
            (true, true),
        ),
        (
            "UPDATE custom_assignments SET name = 'D' WHERE id = 'c1'",
            vec![],
            (true, true),
        ),
        (
            "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
                 assignment_ids, invited_by, status, expires_at, created_at, updated_at)
             VALUES ('i1', $1, 'z@example.com', 'z@example.com', 'member', '[]', $2, 'pending',
                     '2999-01-01T00:00:00.000000Z', 'x', 'x')",
            vec![&org, &owner.email],
            (false, true),
        ),
        (
            "UPDATE organizations SET name = 'Renamed team' WHERE id = $1",
            vec![&org],
            (false, true),
        ),
        (
            "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2",
            vec![&org, &member.id],
            (true, false),
        ),
    ];
    for (sql, binds, (members_move, invitations_move)) in steps {
        assert_eq!(write(&app, sql, &binds).await.map(|_| ()), Ok(()), "{sql}");
        let now = versions(&app, &org).await;
        assert_eq!(now.0 > last.0, members_move, "members version after {sql}");
        assert_eq!(
            now.1 > last.1,
            invitations_move,
            "invitations version after {sql}"
        );
        last = now;
    }
}
