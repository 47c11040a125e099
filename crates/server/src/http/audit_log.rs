//! The audit log: `GET /audit/organizations/{organizationId}` (newest
//! first, by page number or by cursor, `nextToken`), with Daytona's filters
//! (`roster_core::audit_filter`); `GET /audit/scenarios`, what a log can
//! hold; and `GET /audit/organizations/{organizationId}/export` (Roster),
//! the filtered log streamed as CSV or newline-delimited JSON.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use roster_core::audit::{csv_line, ExportFormat, CSV_COLUMNS, TOTAL_COUNT_HEADER};
use roster_core::audit_filter::AuditFilters;
use roster_core::wire::{AuditLog, AuditScenarios, AuditTargetScenario, PaginatedAuditLogs};

use super::access::organization_log_scenarios;
use super::context::OrgContext;
use super::extract::{Json, RouteList};
use crate::error::{ApiError, ApiResult};
use crate::services::audit_log::{self, AuditQuery, ExportSnapshot, Position};
use crate::state::AppState;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 200;
/// Rows an export reads from the database at a time.
const EXPORT_BATCH: i64 = 1000;

pub fn routes(routes: &mut RouteList) {
    routes.add(
        "/audit/organizations/{organizationId}",
        get(organization_log),
    );
    routes.add(
        "/audit/organizations/{organizationId}/export",
        get(export_log),
    );
    routes.add("/audit/scenarios", get(scenarios));
}

/// What an organization's log can hold, read off the access table.
async fn scenarios() -> Json<AuditScenarios> {
    Json(AuditScenarios {
        targets: organization_log_scenarios()
            .into_iter()
            .map(|(target, actions)| AuditTargetScenario {
                target_type: target.to_owned(),
                actions: actions.into_iter().map(str::to_owned).collect(),
            })
            .collect(),
    })
}

/// The query string's pairs, percent-decoded (`+` as a space).
fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The one value of a parameter that is not a filter; refused when given
/// twice.
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, String> {
    let mut values = pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, v)| v.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(format!("{name} is given more than once"));
    }
    Ok(first.filter(|v| !v.trim().is_empty()))
}

fn filters_of(pairs: &[(String, String)], errors: &mut Vec<String>) -> AuditFilters {
    AuditFilters::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap_or_else(
        |found| {
            errors.extend(found);
            AuditFilters::default()
        },
    )
}

async fn organization_log(
    State(state): State<AppState>,
    ctx: OrgContext,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PaginatedAuditLogs>> {
    ctx.capabilities
        .read_audit_log()
        .map_err(|refusal| ApiError::refused(refusal, ctx.id()))?;
    let request = parse(&pairs(raw.as_deref()), ctx.id())?;
    let page = audit_log::page(&state.db, &state.audit_tallies, &request.query).await?;
    let next_token = page.more_after.map(|position| Cursor {
        page: request.page.saturating_add(1),
        position,
    });
    let total = u64::try_from(page.total).unwrap_or(0);
    let limit = request.query.limit.unsigned_abs();
    Ok(Json(PaginatedAuditLogs {
        items: page.items,
        total,
        page: request.page,
        total_pages: total.div_ceil(limit),
        next_token: next_token.map(|cursor| cursor.encode()),
    }))
}

struct LogRequest {
    query: AuditQuery,
    /// The page number reported back: the requested one, or the one the
    /// cursor continues with.
    page: u64,
}

fn parse(pairs: &[(String, String)], organization_id: &str) -> ApiResult<LogRequest> {
    let mut errors = Vec::new();
    let mut text = |name: &str| {
        single(pairs, name)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    let (page, limit, next_token) = (text("page"), text("limit"), text("nextToken"));
    let page = page.and_then(|v| noted(&mut errors, parse_page(v)));
    let limit = limit.and_then(|v| noted(&mut errors, parse_limit(v)));
    let cursor = next_token.and_then(|v| {
        let cursor = Cursor::decode(v).ok_or_else(|| {
            "nextToken is not valid; request the first page again without it".to_string()
        });
        noted(&mut errors, cursor)
    });
    let filters = filters_of(pairs, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::bad_request(errors.join("; ")));
    }

    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    // A cursor takes precedence over the page number (as in Daytona).
    let (page, offset, after) = match cursor {
        Some(cursor) => (cursor.page, 0, Some(cursor.position)),
        None => {
            let page = page.unwrap_or(1);
            let offset = page
                .checked_sub(1)
                .and_then(|skipped| skipped.checked_mul(limit.unsigned_abs()))
                .and_then(|offset| i64::try_from(offset).ok())
                .ok_or_else(|| ApiError::bad_request("page is too large"))?;
            (page, offset, None)
        }
    };
    Ok(LogRequest {
        query: AuditQuery {
            organization_id: organization_id.to_string(),
            filters,
            after,
            limit,
            offset,
        },
        page,
    })
}

/// The filtered log as a file, newest first, streamed: rows are read from
/// the database a batch at a time as the client takes them, so an export
/// of a million rows never sits in memory. It holds the rows that matched
/// when it started (their number is in `X-Total-Count`).
async fn export_log(
    State(state): State<AppState>,
    ctx: OrgContext,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    ctx.capabilities
        .read_audit_log()
        .map_err(|refusal| ApiError::refused(refusal, ctx.id()))?;
    let pairs = pairs(raw.as_deref());
    let mut errors = Vec::new();
    let format = match single(&pairs, "format") {
        Ok(None) => Some(ExportFormat::Csv),
        Ok(Some(text)) => ExportFormat::parse(text).or_else(|| {
            errors.push(format!("format must be csv or ndjson (got '{text}')"));
            None
        }),
        Err(message) => {
            errors.push(message);
            None
        }
    };
    for paging in ["page", "limit", "nextToken"] {
        if pairs.iter().any(|(key, _)| key == paging) {
            errors.push(format!(
                "an export holds every matching row: leave out {paging}"
            ));
        }
    }
    let filters = filters_of(&pairs, &mut errors);
    let Some(format) = format.filter(|_| errors.is_empty()) else {
        return Err(ApiError::bad_request(errors.join("; ")));
    };
    let query = AuditQuery {
        organization_id: ctx.id().to_string(),
        filters,
        after: None,
        limit: EXPORT_BATCH,
        offset: 0,
    };
    let snapshot = audit_log::export_snapshot(&state.db, &state.audit_tallies, &query).await?;
    let filename = format!(
        "audit-log-{}-{}.{}",
        ctx.id(),
        Utc::now().format("%Y%m%dT%H%M%SZ"),
        format.as_str()
    );
    let total = snapshot.total;
    let body = Body::from_stream(export_stream(state, query, snapshot, format));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(TOTAL_COUNT_HEADER, HeaderValue::from(total));
    Ok(response)
}

/// Where an export stands between two batches.
struct Export {
    state: AppState,
    query: AuditQuery,
    snapshot: ExportSnapshot,
    format: ExportFormat,
    after: Option<Position>,
    /// Rows still to send.
    left: i64,
    header_sent: bool,
}

fn export_stream(
    state: AppState,
    query: AuditQuery,
    snapshot: ExportSnapshot,
    format: ExportFormat,
) -> impl futures_util::Stream<Item = Result<Bytes, sqlx::Error>> {
    let export = Export {
        state,
        left: snapshot.total,
        query,
        snapshot,
        format,
        after: None,
        header_sent: false,
    };
    futures_util::stream::try_unfold(export, |mut export| async move {
        if !export.header_sent {
            export.header_sent = true;
            let header = match export.format {
                ExportFormat::Csv => csv_line(CSV_COLUMNS),
                ExportFormat::Ndjson => String::new(),
            };
            return Ok(Some((Bytes::from(header), export)));
        }
        if export.left <= 0 {
            return Ok(None);
        }
        let rows = audit_log::export_batch(
            &export.state.db,
            &export.query,
            &export.snapshot,
            export.after.as_ref(),
            EXPORT_BATCH.min(export.left),
        )
        .await?;
        let Some((last, _)) = rows.last() else {
            return Ok(None); // fewer rows than counted: the organization went
        };
        export.after = Some(last.clone());
        export.left -= rows.len() as i64;
        let mut chunk = String::with_capacity(rows.len() * 256);
        for (_, row) in &rows {
            match export.format {
                ExportFormat::Csv => chunk.push_str(&csv_row(row)),
                ExportFormat::Ndjson => {
                    chunk.push_str(&serde_json::to_string(row).unwrap_or_default());
                    chunk.push('\n');
                }
            }
        }
        Ok(Some((Bytes::from(chunk), export)))
    })
}

/// One entry as a CSV line, in [`CSV_COLUMNS`]' order.
fn csv_row(row: &AuditLog) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let cells = [
        row.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        row.actor_email.clone(),
        row.actor_id.clone(),
        row.action.clone(),
        text(&row.target_type),
        text(&row.target_id),
        row.status_code.map(|c| c.to_string()).unwrap_or_default(),
        text(&row.error_message),
        text(&row.ip_address),
        text(&row.user_agent),
        text(&row.source),
        row.id.clone(),
        row.metadata
            .as_ref()
            .map(|m| serde_json::Value::Object(m.clone()).to_string())
            .unwrap_or_default(),
    ];
    csv_line(cells.iter().map(String::as_str))
}

/// The value, or `None` with its message added to `errors`.
fn noted<T>(errors: &mut Vec<String>, result: Result<T, String>) -> Option<T> {
    result.map_err(|message| errors.push(message)).ok()
}

fn parse_page(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|page| *page >= 1)
        .ok_or_else(|| format!("page must be a whole number of at least 1 (got '{text}')"))
}

fn parse_limit(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| {
            format!("limit must be a whole number between 1 and {MAX_LIMIT} (got '{text}')")
        })
}

/// Where the next page starts, and its number. Opaque to clients: hex of
/// `v1:{page}:{seq}:{createdAt}`.
struct Cursor {
    page: u64,
    position: Position,
}

impl Cursor {
    fn encode(&self) -> String {
        hex::encode(format!(
            "v1:{}:{}:{}",
            self.page,
            self.position.seq,
            self.position.created_at.timestamp_micros()
        ))
    }

    fn decode(token: &str) -> Option<Cursor> {
        let bytes = hex::decode(token.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split(':');
        if parts.next()? != "v1" {
            return None;
        }
        let page = parts.next()?.parse::<u64>().ok().filter(|p| *p >= 1)?;
        let seq = parts.next()?.parse::<i64>().ok()?;
        let micros = parts.next()?.parse::<i64>().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Cursor {
            page,
            position: Position {
                created_at: DateTime::from_timestamp_micros(micros)?,
                seq,
            },
        })
    }
}
