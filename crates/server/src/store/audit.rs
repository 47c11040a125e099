//! The audit log's SQL: [`append`] writes the row a request leaves (built
//! by `crate::audit`); the rest reads the log.
//!
//! Pages are ordered newest first by `(created_at, seq)`, the order of the
//! `(organization_id, [action | actor_id | target_type,] created_at, seq,
//! status_code[, target_type])` indexes, so a page is an index range: no table scan and no
//! sort, however many rows there are. A page first picks its `seq`s from
//! the index alone and only then reads those rows. Every filter the Audit
//! Logs page offers (action, actor, time, outcome, target type) is read off
//! the index walked; Daytona's other filters (e-mail, target id, entry id,
//! the lists) are applied to the rows the walk meets. A cursor continues
//! strictly after the last row shown, so rows written meanwhile neither
//! repeat nor shift the next page.
//!
//! A million rows make two things slow that an index alone does not fix:
//! counting the matching rows (the `total` of every page) and skipping to a
//! deep page number (an `OFFSET` steps over every skipped index entry). Both
//! rest on one property of the log: rows are only ever appended, each with
//! a `seq` above every existing one, and never changed or removed. So
//! [`Tallies`] remembers, per set of filters, how many rows matched up to a
//! `seq` (later rows are counted through the `seq` index, which holds only
//! them) and where every `stride`th row of that order sat; a deep page
//! starts from the nearest such mark and skips fewer than `stride` rows.
//! The stride shrinks with the number of matching rows (see
//! [`stride_for`]): a filter that keeps one row in forty makes a deep page
//! walk forty index entries per row it skips.
//! Total and page are read in one transaction, so they agree.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use roster_core::audit_filter::{AuditFilters, IntFilter, StringFilter, TextColumn};
use roster_core::wire::AuditLog;
use sqlx::FromRow;

use crate::audit::Row;
use crate::db::{begin_audit, begin_read, new_id, timestamp, Backend, Conn, Db, Sql, Stamp};

/// Appends a request's row, with the next `seq`, as written `at`.
pub async fn append(db: &Db, row: Row, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    append_all(db, vec![row], at).await
}

/// Appends rows in their order, with consecutive `seq`s, as written `at`:
/// one transaction however many.
pub async fn append_all(db: &Db, rows: Vec<Row>, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = begin_audit(db).await?;
    for row in rows {
        insert(&mut tx, row, at).await?;
    }
    tx.commit().await
}

async fn insert(tx: &mut Conn, row: Row, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_logs (id, seq, organization_id, actor_id, actor_email, action,
             target_type, target_id, status_code, error_message, metadata, ip_address,
             user_agent, source, created_at)
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_logs), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'api', $13)",
    )
    .bind(new_id())
    .bind(row.organization_id)
    .bind(row.actor_id)
    .bind(row.actor_email)
    .bind(row.action)
    .bind(row.target_type)
    .bind(row.target_id)
    .bind(i64::from(row.status_code))
    .bind(row.error_message)
    .bind(row.metadata)
    .bind(row.ip_address)
    .bind(row.user_agent)
    .bind(timestamp(at))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

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
    pub filters: AuditFilters,
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
    #[sqlx(try_from = "Stamp")]
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

/// One page of rows, newest first, and how many rows match in all.
pub struct AuditPage {
    pub items: Vec<AuditLog>,
    /// Where the page ended, when more rows follow it.
    pub more_after: Option<Position>,
    pub total: i64,
}

/// The start of a read of whole rows by the `seq`s an inner query of the
/// log's index picks (the caller adds its filters and closes it).
const ROWS_BY_SEQ: &str = "SELECT id, seq, organization_id, actor_id, actor_email, action,
        target_type, target_id, status_code, error_message, metadata, ip_address, user_agent,
        source, created_at
   FROM audit_logs
  WHERE seq IN (SELECT seq FROM audit_logs";

/// How the filters are written, which decides the index SQLite walks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Terms {
    /// Rows in the log's order: one index of the log's order is walked (the
    /// action's or actor's for an equality on them, else the time index,
    /// which also holds status code and target type, so those filters are
    /// read off the index); every other term is kept off the indexes
    /// (`+column`) so SQLite never picks an index that would need a sort.
    Ordered,
    /// A count: SQLite picks any index.
    Count,
    /// Rows newer than a `seq`: every term off the indexes, so SQLite walks
    /// the `seq` index, which holds only the newer rows.
    SinceSeq,
}

/// `WHERE …` for the query's rows; the cursor is left to the caller so the
/// total can ignore it.
fn push_filters(sql: &mut Sql, query: &AuditQuery) {
    push_terms(sql, query, Terms::Ordered);
}

/// The log's columns of the filterable text fields. Roster has no API keys,
/// so their prefix and suffix are always `NULL`.
fn column(text: TextColumn) -> &'static str {
    match text {
        TextColumn::Id => "id",
        TextColumn::ActorId => "actor_id",
        TextColumn::ActorEmail => "actor_email",
        TextColumn::ActorApiKeyPrefix | TextColumn::ActorApiKeySuffix => "NULL",
        TextColumn::Action => "action",
        TextColumn::TargetType => "target_type",
        TextColumn::TargetId => "target_id",
    }
}

/// The text column whose index walks an ordered read: one compared for
/// equality that has an index of the log's order.
fn driving_column(filters: &AuditFilters) -> Option<TextColumn> {
    [
        TextColumn::Action,
        TextColumn::ActorId,
        TextColumn::TargetType,
    ]
    .into_iter()
    .find(|text| filters.text(*text).eq.is_some())
}

/// The filters as terms joined by AND.
fn push_terms(sql: &mut Sql, query: &AuditQuery, terms: Terms) {
    // SQLite's `+column` keeps a term off the indexes; PostgreSQL's planner
    // needs no such hint (and has no unary plus on text).
    let sqlite = sql.backend() == Backend::Sqlite;
    let off_index = |indexed: bool| if indexed || !sqlite { "" } else { "+" };
    let keyed = terms != Terms::SinceSeq;
    sql.push(format!(" WHERE {}organization_id = ", off_index(keyed)))
        .push_bind(query.organization_id.clone());
    let filters = &query.filters;
    let driver = driving_column(filters);
    for (text, filter) in filters.texts() {
        let indexed = match terms {
            Terms::Ordered => driver == Some(text),
            Terms::Count => true,
            Terms::SinceSeq => false,
        };
        let name = format!("{}{}", off_index(indexed), column(text));
        push_text_filter(sql, &name, filter);
    }
    let status = format!("{}status_code", off_index(terms == Terms::Count));
    push_int_filter(sql, &status, &filters.status_code);
    // The time is the ordered indexes' second key: a range on it is an
    // index range, never a scan.
    let created = format!("{}created_at", off_index(keyed));
    let dates = &filters.created_at;
    for (comparison, value) in [
        (">=", dates.gte),
        ("<=", dates.lte),
        (">", dates.gt),
        ("<", dates.lt),
    ] {
        if let Some(at) = value {
            sql.push(format!(" AND {created} {comparison} "))
                .push_bind(timestamp(at));
        }
    }
}

/// `eq`, `not`, `in`, `notIn`; `not` and `notIn` keep rows without a
/// value (`NULL`).
fn push_text_filter(sql: &mut Sql, name: &str, filter: &StringFilter) {
    if let Some(value) = &filter.eq {
        sql.push(format!(" AND {name} = ")).push_bind(value.clone());
    }
    if let Some(value) = &filter.not {
        sql.push(format!(" AND {name} IS DISTINCT FROM "))
            .push_bind(value.clone());
    }
    push_membership(
        sql,
        name,
        filter.any_of.as_deref(),
        filter.none_of.as_deref(),
    );
}

fn push_int_filter(sql: &mut Sql, name: &str, filter: &IntFilter) {
    for (comparison, value) in [
        ("=", filter.eq),
        (">=", filter.gte),
        ("<=", filter.lte),
        (">", filter.gt),
        ("<", filter.lt),
    ] {
        if let Some(value) = value {
            sql.push(format!(" AND {name} {comparison} "))
                .push_bind(value);
        }
    }
    if let Some(value) = filter.not {
        sql.push(format!(" AND {name} IS DISTINCT FROM "))
            .push_bind(value);
    }
    push_membership(
        sql,
        name,
        filter.any_of.as_deref(),
        filter.none_of.as_deref(),
    );
}

/// `in` (an empty list matches nothing) and `notIn` (which keeps rows
/// without a value; an empty list excludes nothing).
fn push_membership<T>(sql: &mut Sql, name: &str, any_of: Option<&[T]>, none_of: Option<&[T]>)
where
    T: 'static + Clone + Send + sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    if let Some(values) = any_of {
        push_list(sql, &format!(" AND {name} IN ("), values, " AND 1 = 0");
    }
    if let Some(values) = none_of.filter(|values| !values.is_empty()) {
        push_list(
            sql,
            &format!(" AND ({name} IS NULL OR {name} NOT IN ("),
            values,
            "",
        );
        sql.push(")");
    }
}

/// `opening v1, v2, …)`, or `when_empty` for an empty list.
fn push_list<T>(sql: &mut Sql, opening: &str, values: &[T], when_empty: &str)
where
    T: 'static + Clone + Send + sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    if values.is_empty() {
        sql.push(when_empty);
        return;
    }
    sql.push(opening).push_binds(values).push(")");
}

/// The most rows between two marks.
pub const MAX_STRIDE: i64 = 1024;
/// The fewest rows between two marks.
const MIN_STRIDE: i64 = 64;

/// Every `stride`th matching row of a filtered log is remembered as a mark:
/// about a thousand marks at most (a few tens of KB per tally), and short
/// skips for the few matches of a narrow filter, whose rows lie far apart
/// in the index a page walks.
pub fn stride_for(total: i64) -> i64 {
    (total / 1024).clamp(MIN_STRIDE, MAX_STRIDE)
}

/// Pages this many strides from either end of the log skip rows with a
/// plain `OFFSET`.
const NEAR_END_STRIDES: i64 = 4;
/// After this many newer rows (of any organization) a tally is recounted
/// rather than brought up to date, and marks are set again.
const RECOUNT_AFTER: i64 = 100_000;
const REMARK_AFTER: i64 = 8 * MAX_STRIDE;
/// Filter sets remembered at most.
const MAX_TALLIES: usize = 256;

/// Where a page's rows are taken from.
enum Slice<'a> {
    /// Newest first: after the cursor's row, or from the newest, skipping `offset`.
    NewestFirst {
        after: Option<&'a Position>,
        offset: i64,
    },
    /// Oldest first: from `start` (inclusive) or from the oldest, skipping `offset`.
    OldestFirst {
        start: Option<&'a Position>,
        offset: i64,
    },
}

/// The page query: `seq`s from the index, then their rows. `prefix` is
/// empty, or `EXPLAIN QUERY PLAN ` for tests.
fn page_sql(
    backend: Backend,
    prefix: &str,
    query: &AuditQuery,
    slice: &Slice<'_>,
    rows: i64,
) -> Sql {
    let mut sql = Sql::new(backend, format!("{prefix}{ROWS_BY_SEQ}"));
    push_filters(&mut sql, query);
    let (bound, order, offset) = match slice {
        Slice::NewestFirst { after, offset } => (after.map(|p| (p, "<")), "DESC", *offset),
        Slice::OldestFirst { start, offset } => (start.map(|p| (p, ">=")), "ASC", *offset),
    };
    if let Some((position, comparison)) = bound {
        sql.push(format!(" AND (created_at, seq) {comparison} ("))
            .push_bind(timestamp(position.created_at))
            .push(", ")
            .push_bind(position.seq)
            .push(")");
    }
    sql.push(format!(" ORDER BY created_at {order}, seq {order} LIMIT "))
        .push_bind(rows)
        .push(" OFFSET ")
        .push_bind(offset)
        .push(")");
    sql
}

fn count_sql(backend: Backend, prefix: &str, query: &AuditQuery) -> Sql {
    let mut sql = Sql::new(backend, format!("{prefix}SELECT COUNT(*) FROM audit_logs"));
    push_terms(&mut sql, query, Terms::Count);
    sql
}

/// Matching rows newer than `seq`, optionally only those ordered before
/// `before`. The filters are kept off the indexes, so SQLite walks the `seq`
/// index, which holds only the newer rows.
fn count_since_sql(
    backend: Backend,
    prefix: &str,
    query: &AuditQuery,
    seq: i64,
    before: Option<&Position>,
) -> Sql {
    let mut sql = Sql::new(backend, format!("{prefix}SELECT COUNT(*) FROM audit_logs"));
    push_terms(&mut sql, query, Terms::SinceSeq);
    sql.push(" AND seq > ").push_bind(seq);
    if let Some(before) = before {
        let (created_at, seq) = match backend {
            Backend::Sqlite => ("+created_at", "+seq"),
            Backend::Postgres => ("created_at", "seq"),
        };
        sql.push(format!(" AND ({created_at}, {seq}) < ("))
            .push_bind(timestamp(before.created_at))
            .push(", ")
            .push_bind(before.seq)
            .push(")");
    }
    sql
}

/// The position of every `stride`th matching row, oldest first: each step
/// skips `stride` matching index entries from the previous mark.
fn marks_sql(backend: Backend, prefix: &str, query: &AuditQuery, stride: i64) -> Sql {
    let mut sql = Sql::new(
        backend,
        format!(
            "{prefix}WITH RECURSIVE mark(seq, created_at) AS (
             SELECT * FROM (SELECT seq, created_at FROM audit_logs"
        ),
    );
    push_filters(&mut sql, query);
    sql.push(" ORDER BY created_at, seq LIMIT 1 OFFSET ")
        .push_bind(stride)
        .push(") AS first_mark UNION ALL ");
    match backend {
        // The next mark's `seq` by a subquery, then its row by `seq`.
        Backend::Sqlite => {
            sql.push(
                "SELECT a.seq, a.created_at FROM mark JOIN audit_logs a ON a.seq = (
                     SELECT seq FROM audit_logs",
            );
        }
        // PostgreSQL would join every row of the log to the subquery's
        // answer; a lateral subquery is one index walk per step.
        Backend::Postgres => {
            sql.push(
                "SELECT next.seq, next.created_at FROM mark CROSS JOIN LATERAL (
                     SELECT seq, created_at FROM audit_logs",
            );
        }
    }
    push_filters(&mut sql, query);
    sql.push(
        " AND (created_at, seq) > (mark.created_at, mark.seq)
           ORDER BY created_at, seq LIMIT 1 OFFSET ",
    )
    .push_bind(stride - 1)
    .push(match backend {
        Backend::Sqlite => "))",
        Backend::Postgres => ") AS next)",
    })
    .push(" SELECT created_at, seq FROM mark");
    sql
}

/// The filters of a query: what a tally is kept for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FilterKey {
    organization_id: String,
    filters: AuditFilters,
}

impl FilterKey {
    fn of(query: &AuditQuery) -> Self {
        FilterKey {
            organization_id: query.organization_id.clone(),
            filters: query.filters.clone(),
        }
    }
}

/// Marks of one filtered log as of `seq`: `positions[k]` had exactly
/// `(k + 1) * stride` matching rows before it.
#[derive(Debug)]
struct Marks {
    seq: i64,
    stride: i64,
    positions: Vec<Position>,
}

/// What is known of one filtered log: `count` rows matched up to `seq`.
#[derive(Clone, Debug)]
struct Tally {
    seq: i64,
    count: i64,
    marks: Option<Arc<Marks>>,
    last_used: u64,
}

/// The tallies of the filtered logs read lately (in `AppState`).
#[derive(Default)]
pub struct Tallies {
    inner: Mutex<(HashMap<FilterKey, Tally>, u64)>,
}

impl Tallies {
    fn get(&self, key: &FilterKey) -> Option<Tally> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.0.get(key).cloned()
    }

    fn put(&self, key: FilterKey, mut tally: Tally) {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (tallies, clock) = &mut *guard;
        *clock += 1;
        tally.last_used = *clock;
        if tallies.get(&key).is_some_and(|known| known.seq > tally.seq) {
            return; // a request that read later rows already told us more
        }
        tallies.insert(key, tally);
        if tallies.len() > MAX_TALLIES {
            let oldest = tallies
                .iter()
                .min_by_key(|(_, t)| t.last_used)
                .map(|(key, _)| key.clone());
            if let Some(key) = oldest {
                tallies.remove(&key);
            }
        }
    }
}

/// The newest `seq` of the whole log (0 when empty).
async fn newest_seq(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_logs")
        .fetch_one(conn)
        .await
}

async fn count_since(
    conn: &mut Conn,
    query: &AuditQuery,
    seq: i64,
    before: Option<&Position>,
) -> Result<i64, sqlx::Error> {
    count_since_sql(Backend::of_conn(conn), "", query, seq, before)
        .build_query_scalar()
        .fetch_one(conn)
        .await
}

async fn fetch_rows(
    conn: &mut Conn,
    query: &AuditQuery,
    slice: Slice<'_>,
    rows: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    page_sql(Backend::of_conn(conn), "", query, &slice, rows)
        .build_query_as()
        .fetch_all(conn)
        .await
}

/// The rows at oldest-first ranks `first..first + rows` (`first` ≥ 0), from
/// the nearest mark at or before `first`.
async fn rows_from_rank(
    conn: &mut Conn,
    query: &AuditQuery,
    marks: &Marks,
    first: i64,
    rows: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let stride = marks.stride;
    let mut index = usize::try_from(first / stride)
        .unwrap_or(0)
        .min(marks.positions.len());
    while index > 0 {
        let mark = &marks.positions[index - 1];
        // Rows appended since the marks were set may sort before a mark
        // (their clock was behind, or they were written with an older time).
        let rank = stride * index as i64 + count_since(conn, query, marks.seq, Some(mark)).await?;
        if rank <= first {
            let slice = Slice::OldestFirst {
                start: Some(mark),
                offset: first - rank,
            };
            return fetch_rows(conn, query, slice, rows).await;
        }
        index -= 1;
    }
    let slice = Slice::OldestFirst {
        start: None,
        offset: first,
    };
    fetch_rows(conn, query, slice, rows).await
}

async fn set_marks(
    conn: &mut Conn,
    query: &AuditQuery,
    seq: i64,
    stride: i64,
) -> Result<Marks, sqlx::Error> {
    let rows: Vec<(Stamp, i64)> = marks_sql(Backend::of_conn(conn), "", query, stride)
        .build_query_as()
        .fetch_all(conn)
        .await?;
    Ok(Marks {
        seq,
        stride,
        positions: rows
            .into_iter()
            .map(|(created_at, seq)| Position {
                created_at: created_at.0,
                seq,
            })
            .collect(),
    })
}

/// How many rows match, from the tally when there is a recent one.
async fn total(
    conn: &mut Conn,
    query: &AuditQuery,
    known: Option<&Tally>,
    newest: i64,
) -> Result<i64, sqlx::Error> {
    match known {
        Some(tally) if newest - tally.seq <= RECOUNT_AFTER => {
            Ok(tally.count + count_since(conn, query, tally.seq, None).await?)
        }
        _ => {
            count_sql(Backend::of_conn(conn), "", query)
                .build_query_scalar()
                .fetch_one(conn)
                .await
        }
    }
}

/// The newest `seq` of the log, the query's tally key, how many rows match
/// and the tally that told (when a recent one did).
async fn counted(
    conn: &mut Conn,
    tallies: &Tallies,
    query: &AuditQuery,
) -> Result<(i64, FilterKey, i64, Option<Tally>), sqlx::Error> {
    let newest = newest_seq(conn).await?;
    let key = FilterKey::of(query);
    let known = tallies.get(&key).filter(|t| t.seq <= newest);
    let count = total(conn, query, known.as_ref(), newest).await?;
    Ok((newest, key, count, known))
}

/// The rows of an export: those matching when it started.
#[derive(Clone, Debug)]
pub struct ExportSnapshot {
    /// How many rows the export holds.
    pub total: i64,
    /// The newest row of the log when it started; later rows are left out.
    pub newest_seq: i64,
}

/// Counts what an export of the query's filters will hold, as of now.
pub async fn export_snapshot(
    db: &Db,
    tallies: &Tallies,
    query: &AuditQuery,
) -> Result<ExportSnapshot, sqlx::Error> {
    let mut tx = begin_read(db).await?;
    let (newest, key, count, known) = counted(&mut tx, tallies, query).await?;
    tx.commit().await?;
    let marks = known.and_then(|t| t.marks);
    tallies.put(
        key,
        Tally {
            seq: newest,
            count,
            marks,
            last_used: 0,
        },
    );
    Ok(ExportSnapshot {
        total: count,
        newest_seq: newest,
    })
}

/// The next `rows` rows of an export, newest first, after `after` (or from
/// the newest), none newer than the snapshot. Each batch is its own short
/// read: the log only grows, so batches read at different times still add
/// up to the snapshot's rows exactly.
pub async fn export_batch(
    db: &Db,
    query: &AuditQuery,
    snapshot: &ExportSnapshot,
    after: Option<&Position>,
    rows: i64,
) -> Result<Vec<(Position, AuditLog)>, sqlx::Error> {
    let mut sql = Sql::new(Backend::of(db), ROWS_BY_SEQ);
    push_filters(&mut sql, query);
    // `+seq`: the bound must not make SQLite walk the `seq` index and sort.
    sql.push(" AND +seq <= ").push_bind(snapshot.newest_seq);
    if let Some(position) = after {
        sql.push(" AND (created_at, seq) < (")
            .push_bind(timestamp(position.created_at))
            .push(", ")
            .push_bind(position.seq)
            .push(")");
    }
    sql.push(" ORDER BY created_at DESC, seq DESC LIMIT ")
        .push_bind(rows)
        .push(")");
    let mut found: Vec<AuditRow> = sql.build_query_as().fetch_all(db).await?;
    found.sort_by_key(|row| std::cmp::Reverse((row.created_at, row.seq)));
    Ok(found
        .into_iter()
        .map(|row| (row.position(), row.into_wire()))
        .collect())
}

/// One page of the query and the total of its filters, from one snapshot.
pub async fn read(
    db: &Db,
    tallies: &Tallies,
    query: &AuditQuery,
) -> Result<AuditPage, sqlx::Error> {
    let mut tx = begin_read(db).await?;
    let (newest, key, total, known) = counted(&mut tx, tallies, query).await?;
    let mut marks = known.and_then(|t| t.marks);
    let stride = stride_for(total);
    let near_end = NEAR_END_STRIDES * stride;

    // One row more than the limit tells whether another page follows.
    let wanted = query.limit.saturating_add(1);
    let mut rows = match &query.after {
        Some(after) => {
            let slice = Slice::NewestFirst {
                after: Some(after),
                offset: query.offset,
            };
            fetch_rows(&mut tx, query, slice, wanted).await?
        }
        None if query.offset >= total => Vec::new(),
        None if query.offset <= near_end => {
            let slice = Slice::NewestFirst {
                after: None,
                offset: query.offset,
            };
            fetch_rows(&mut tx, query, slice, wanted).await?
        }
        None => {
            // The same rows counted from the oldest end.
            let last = total - 1 - query.offset;
            let first = (last + 1 - wanted).max(0);
            let rows = last + 1 - first;
            if first <= near_end {
                let slice = Slice::OldestFirst {
                    start: None,
                    offset: first,
                };
                fetch_rows(&mut tx, query, slice, rows).await?
            } else {
                let current = match marks.take() {
                    Some(m) if newest - m.seq <= REMARK_AFTER && m.stride == stride => m,
                    _ => Arc::new(set_marks(&mut tx, query, newest, stride).await?),
                };
                let found = rows_from_rank(&mut tx, query, &current, first, rows).await?;
                marks = Some(current);
                found
            }
        }
    };
    tx.commit().await?;
    tallies.put(
        key,
        Tally {
            seq: newest,
            count: total,
            marks,
            last_used: 0,
        },
    );

    // The outer query reads rows by `seq`; put them in the log's order.
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
        total,
    })
}

/// SQLite's plans (`EXPLAIN QUERY PLAN` details) for the query's page from
/// the newest end and for its count, so tests can prove both walk an index.
pub async fn explain(db: &Db, query: &AuditQuery) -> Result<Vec<String>, sqlx::Error> {
    let slice = Slice::NewestFirst {
        after: query.after.as_ref(),
        offset: query.offset,
    };
    explain_all(
        db,
        [
            page_sql(Backend::Sqlite, PLAN, query, &slice, query.limit + 1),
            count_sql(Backend::Sqlite, PLAN, query),
        ],
    )
    .await
}

/// The plans of what a deep page adds: counting rows newer than a `seq`,
/// setting marks, and a page from a mark, oldest first.
pub async fn explain_deep(
    db: &Db,
    query: &AuditQuery,
    mark: &Position,
) -> Result<Vec<Vec<String>>, sqlx::Error> {
    let slice = Slice::OldestFirst {
        start: Some(mark),
        offset: 10,
    };
    let mut plans = Vec::new();
    for sql in [
        count_since_sql(Backend::Sqlite, PLAN, query, mark.seq, Some(mark)),
        marks_sql(Backend::Sqlite, PLAN, query, MAX_STRIDE),
        page_sql(Backend::Sqlite, PLAN, query, &slice, query.limit + 1),
    ] {
        plans.push(explain_all(db, [sql]).await?);
    }
    Ok(plans)
}

const PLAN: &str = "EXPLAIN QUERY PLAN ";

async fn explain_all(
    db: &Db,
    queries: impl IntoIterator<Item = Sql>,
) -> Result<Vec<String>, sqlx::Error> {
    let mut details = Vec::new();
    for mut sql in queries {
        let rows: Vec<(i64, i64, i64, String)> = sql.build_query_as().fetch_all(db).await?;
        details.extend(rows.into_iter().map(|(_, _, _, detail)| detail));
    }
    Ok(details)
}
