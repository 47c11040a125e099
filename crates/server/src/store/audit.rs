//! Reading the audit log (the rows are written by `crate::audit`).
//!
//! Pages are ordered newest first by `(created_at, seq)`, the order of the
//! `(organization_id, [action | actor_id,] created_at, seq)` indexes, so a
//! page is an index range walked backwards: no table scan and no sort,
//! however many rows there are. A page first picks its `seq`s from the index
//! alone (an `OFFSET` then skips index entries, not table rows) and only then
//! reads those rows. A cursor continues strictly after the last row shown,
//! so rows written meanwhile neither repeat nor shift the next page.

use chrono::{DateTime, Utc};
use roster_core::wire::AuditLog;
use sqlx::{FromRow, QueryBuilder, Sqlite, SqlitePool};

use crate::db::timestamp;

/// The position of a row in the log's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub created_at: DateTime<Utc>,
    pub seq: i64,
}

/// Which rows of one organization, and which slice of them.
#[derive(Clone, Debug)]
pub struct AuditQuery {
    pub organization_id: String,
    pub action: Option<String>,
    pub actor_id: Option<String>,
    /// Inclusive bounds on `created_at`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only rows older than this one (keyset pagination).
    pub after: Option<Position>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, FromRow)]
struct AuditRow {
    id: String,
    seq: i64,
    organization_id: Option<String>,
    actor_id: String,
    actor_email: String,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    status_code: Option<i64>,
    error_message: Option<String>,
    metadata: Option<String>,
    ip_address: Option<String>,
    user_agent: Option<String>,
    source: Option<String>,
    created_at: DateTime<Utc>,
}

impl AuditRow {
    fn position(&self) -> Position {
        Position {
            created_at: self.created_at,
            seq: self.seq,
        }
    }

    fn into_wire(self) -> AuditLog {
        let metadata = self
            .metadata
            .as_deref()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .and_then(|value| match value {
                serde_json::Value::Object(map) => Some(map),
                _ => None,
            });
        AuditLog {
            id: self.id,
            actor_id: self.actor_id,
            actor_email: self.actor_email,
            actor_api_key_prefix: None,
            actor_api_key_suffix: None,
            organization_id: self.organization_id,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            status_code: self.status_code.and_then(|code| u16::try_from(code).ok()),
            error_message: self.error_message,
            ip_address: self.ip_address,
            user_agent: self.user_agent,
            source: self.source,
            metadata,
            created_at: self.created_at,
        }
    }
}

/// One page of rows, newest first.
pub struct AuditPage {
    pub items: Vec<AuditLog>,
    /// Where the page ended, when more rows follow it.
    pub more_after: Option<Position>,
}

/// `WHERE …` for the query's rows; the cursor is left to the caller so the
/// total can ignore it.
fn push_filters(sql: &mut QueryBuilder<'_, Sqlite>, query: &AuditQuery) {
    sql.push(" WHERE organization_id = ")
        .push_bind(query.organization_id.clone());
    if let Some(action) = &query.action {
        sql.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(actor_id) = &query.actor_id {
        sql.push(" AND actor_id = ").push_bind(actor_id.clone());
    }
    if let Some(from) = query.from {
        sql.push(" AND created_at >= ").push_bind(timestamp(from));
    }
    if let Some(to) = query.to {
        sql.push(" AND created_at <= ").push_bind(timestamp(to));
    }
}

/// The page query: `seq`s from the index, then their rows. Fetches one row
/// more than the limit to learn whether another page follows. `prefix` is
/// empty, or `EXPLAIN QUERY PLAN ` for tests.
fn page_sql(prefix: &str, query: &AuditQuery) -> QueryBuilder<'static, Sqlite> {
    let mut sql = QueryBuilder::new(format!(
        "{prefix}SELECT id, seq, organization_id, actor_id, actor_email, action, target_type,
                target_id, status_code, error_message, metadata, ip_address, user_agent, source,
                created_at
           FROM audit_logs
          WHERE seq IN (SELECT seq FROM audit_logs"
    ));
    push_filters(&mut sql, query);
    if let Some(after) = &query.after {
        sql.push(" AND (created_at, seq) < (")
            .push_bind(timestamp(after.created_at))
            .push(", ")
            .push_bind(after.seq)
            .push(")");
    }
    sql.push(" ORDER BY created_at DESC, seq DESC LIMIT ")
        .push_bind(query.limit.saturating_add(1))
        .push(" OFFSET ")
        .push_bind(query.offset)
        .push(")");
    sql
}

fn count_sql(prefix: &str, query: &AuditQuery) -> QueryBuilder<'static, Sqlite> {
    let mut sql = QueryBuilder::new(format!("{prefix}SELECT COUNT(*) FROM audit_logs"));
    push_filters(&mut sql, query);
    sql
}

/// How many rows match the filters (whatever the page or cursor).
pub async fn count(db: &SqlitePool, query: &AuditQuery) -> Result<i64, sqlx::Error> {
    count_sql("", query)
        .build_query_scalar()
        .fetch_one(db)
        .await
}

pub async fn page(db: &SqlitePool, query: &AuditQuery) -> Result<AuditPage, sqlx::Error> {
    let mut rows: Vec<AuditRow> = page_sql("", query).build_query_as().fetch_all(db).await?;
    // The outer query reads rows by `seq`; put them back in the log's order.
    rows.sort_by_key(|row| std::cmp::Reverse((row.created_at, row.seq)));
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let more_after = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(AuditRow::position)
    } else {
        None
    };
    Ok(AuditPage {
        items: rows.into_iter().map(AuditRow::into_wire).collect(),
        more_after,
    })
}

/// SQLite's plan (`EXPLAIN QUERY PLAN` details) for the page and the count
/// queries, so tests can prove both walk an index.
pub async fn explain(db: &SqlitePool, query: &AuditQuery) -> Result<Vec<String>, sqlx::Error> {
    let prefix = "EXPLAIN QUERY PLAN ";
    let mut details = Vec::new();
    for mut sql in [page_sql(prefix, query), count_sql(prefix, query)] {
        let rows: Vec<(i64, i64, i64, String)> = sql.build_query_as().fetch_all(db).await?;
        details.extend(rows.into_iter().map(|(_, _, _, detail)| detail));
    }
    Ok(details)
}
