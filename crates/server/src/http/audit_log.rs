//! `GET /audit/organizations/{organizationId}`: an organization's audit log,
//! newest first, by page number or by cursor (`nextToken`), with Roster's
//! `action` and `actorId` filters.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use roster_core::wire::PaginatedAuditLogs;
use serde::Deserialize;

use super::context::OrgContext;
use super::{Json, RouteList};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditQuery, Position};
use crate::AppState;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 200;

pub fn routes(routes: &mut RouteList) {
    routes.add(
        "/audit/organizations/{organizationId}",
        get(organization_log),
    );
}

/// The query string as sent; every value is checked by hand so that a bad
/// one gets a message naming it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawQuery {
    page: Option<String>,
    limit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    next_token: Option<String>,
    action: Option<String>,
    actor_id: Option<String>,
}

async fn organization_log(
    State(state): State<AppState>,
    ctx: OrgContext,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> ApiResult<Json<PaginatedAuditLogs>> {
    ctx.capabilities
        .read_audit_log()
        .map_err(|refusal| ApiError::refused(refusal, ctx.id()))?;
    let Query(raw) = query?;
    let request = parse(raw, ctx.id())?;
    let page = audit::read(&state.db, &state.audit_tallies, &request.query).await?;
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

fn parse(raw: RawQuery, organization_id: &str) -> ApiResult<LogRequest> {
    let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let mut errors = Vec::new();
    let page = present(raw.page).and_then(|v| noted(&mut errors, parse_page(&v)));
    let limit = present(raw.limit).and_then(|v| noted(&mut errors, parse_limit(&v)));
    let from =
        present(raw.from).and_then(|v| noted(&mut errors, parse_time(&v, "from", Bound::Start)));
    let to = present(raw.to).and_then(|v| noted(&mut errors, parse_time(&v, "to", Bound::End)));
    let cursor = present(raw.next_token).and_then(|v| {
        let cursor = Cursor::decode(&v).ok_or_else(|| {
            "nextToken is not valid; request the first page again without it".to_string()
        });
        noted(&mut errors, cursor)
    });
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            errors.push("from must not be later than to".to_string());
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::bad_request(errors.join(", ")));
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
            action: present(raw.action),
            actor_id: present(raw.actor_id),
            from,
            to,
            after,
            limit,
            offset,
        },
        page,
    })
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

#[derive(Clone, Copy)]
enum Bound {
    Start,
    End,
}

/// An ISO-8601 date-time with an offset, or a bare date: `from` then means
/// the start of that day (UTC), `to` its end.
fn parse_time(text: &str, name: &str, bound: Bound) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    // An unencoded `+02:00` offset arrives as " 02:00".
    let repaired = text.replace(' ', "+");
    if let Ok(at) = DateTime::parse_from_rfc3339(&repaired) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
        return Ok(match bound {
            Bound::Start => start,
            Bound::End => start + TimeDelta::days(1) - TimeDelta::microseconds(1),
        });
    }
    Err(format!(
        "{name} must be an ISO-8601 date-time such as 2025-03-01T09:30:00Z (got '{text}')"
    ))
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
