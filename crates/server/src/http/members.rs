//! Members of an organization: the list, access (role and assignments) and
//! removal.
//!
//! Every change runs in one write transaction that re-reads the caller's
//! membership and the target's row first, so roster-core decides on the
//! state the write changes; the schema's last-owner triggers are the
//! backstop.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use roster_core::wire::{
    OrganizationUser, UpdateOrganizationMemberAccess, MEMBERS_FIRST_PAGE_MAX, TOTAL_COUNT_HEADER,
};
use roster_core::{Capabilities, Refusal, Role, Target};
use serde::Deserialize;
use sqlx::SqliteConnection;

use super::context::{invalid_context, OrgContext};
use super::extract::{Json, RouteList};
use super::roles::checked_role_ids;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::list_cache::{List, SerializedList, MIN_CACHED_ITEMS};
use crate::state::AppState;
use crate::store::members::{self, MemberRow};
use crate::store::roles;

pub fn routes(routes: &mut RouteList) {
    routes.add("/organizations/{organizationId}/users", get(list_members));
    routes.add(
        "/organizations/{organizationId}/users/{userId}/access",
        post(update_access),
    );
    routes.add(
        "/organizations/{organizationId}/users/{userId}",
        delete(remove_member),
    );
}

/// The caller's capabilities as they are inside the write transaction `tx`:
/// a concurrent request may have demoted or removed the caller since the
/// access gate ran.
pub(super) async fn capabilities_now(
    tx: &mut SqliteConnection,
    ctx: &OrgContext,
) -> ApiResult<Capabilities> {
    let membership = members::membership(tx, ctx.id(), &ctx.user.id)
        .await?
        .ok_or_else(invalid_context)?;
    Ok(Capabilities::of(&membership))
}

/// Maps a failed membership write: the schema's last-owner trigger is the
/// API's last-owner refusal, anything else is unexpected.
pub(super) fn write_error(organization_id: &str) -> impl FnOnce(sqlx::Error) -> ApiError + '_ {
    move |error| {
        if members::is_last_owner_violation(&error) {
            ApiError::refused(Refusal::LastOwner, organization_id)
        } else {
            ApiError::from(error)
        }
    }
}

fn member_not_found() -> ApiError {
    ApiError::not_found("Member not found")
}

fn target_of(member: &MemberRow, ctx: &OrgContext) -> Target {
    Target {
        is_self: member.user_id == ctx.user.id,
        role: member.role,
    }
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<String>,
}

/// Every member with their assignments, oldest first. Large lists are
/// served from [`crate::list_cache`] while the organization's members version
/// stays the same.
///
/// With `?limit=n` (a Roster extension), only the first `n` members in the
/// members table's default order ([`OrganizationUser::sort_name`]), with
/// the number of all members in `X-Total-Count`: a large organization's
/// table is on screen before all its members have arrived. An organization
/// of at most `n` members gets the whole list, as without `limit` (and its
/// `ETag`). A Daytona backend ignores the parameter and sends everyone,
/// which the SPA takes as the whole list.
async fn list_members(
    State(state): State<AppState>,
    ctx: OrgContext,
    query: Result<Query<ListQuery>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Query(query) = query?;
    let limit = query.limit.as_deref().map(parse_limit).transpose()?;
    let list = serialized_members(&state, ctx.id()).await?;
    let total = (
        HeaderName::from_static(TOTAL_COUNT_HEADER),
        HeaderValue::from(list.item_count()),
    );
    match limit {
        Some(limit) if limit < list.item_count() => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-cache"),
                ),
                total,
            ],
            list.first(limit),
        )
            .into_response()),
        // Everyone: the whole list, as without `limit` (its validator too).
        limit => {
            // The first gzip of a large list takes a while: off the async workers.
            let response = tokio::task::spawn_blocking(move || list.response(&headers))
                .await
                .map_err(ApiError::internal)?;
            Ok(match limit {
                Some(_) => ([total], response).into_response(),
                None => response,
            })
        }
    }
}

fn parse_limit(text: &str) -> ApiResult<usize> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|limit| (1..=MEMBERS_FIRST_PAGE_MAX).contains(limit))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid query: limit must be a whole number between 1 and {MEMBERS_FIRST_PAGE_MAX} (got '{text}')"
            ))
        })
}

/// The organization's member list, serialized: from the cache at the
/// current members version, else read (and kept when large).
async fn serialized_members(
    state: &AppState,
    organization_id: &str,
) -> ApiResult<Arc<SerializedList>> {
    // One read transaction: the version, members and assignments from the
    // same snapshot.
    let mut tx = state.db.begin().await?;
    let version = members::list_version(&mut *tx, organization_id).await?;
    let now = chrono::Utc::now();
    let cached = version.and_then(|v| state.lists.get(&List::Members, organization_id, v, now));
    let list = match cached {
        Some(list) => list,
        None => {
            let members = members::list(&mut tx, organization_id).await?;
            let count = members.len();
            let list = tokio::task::spawn_blocking(move || {
                SerializedList::with_display_order(&members, OrganizationUser::sort_name)
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
            let list = Arc::new(list);
            if let Some(version) = version.filter(|_| count >= MIN_CACHED_ITEMS) {
                state
                    .lists
                    .put(List::Members, organization_id, version, None, list.clone());
            }
            list
        }
    };
    tx.commit().await?;
    Ok(list)
}

/// After a change to a large organization's members, serializes (and
/// gzips) its list again in the background, so that the next reader of
/// 10,000 members does not wait 0.2 s for it; changes in quick succession
/// share one rebuild ([`crate::list_cache::ListCache::schedule_rebuild`]).
fn rebuild_large_list(state: &AppState, organization_id: &str) {
    let rebuild = {
        let state = state.clone();
        let organization_id = organization_id.to_owned();
        async move {
            match serialized_members(&state, &organization_id).await {
                Ok(list) => {
                    let _ = tokio::task::spawn_blocking(move || list.warm_gzip()).await;
                }
                Err(error) => tracing::warn!("cannot rebuild a member list: {error:?}"),
            }
        }
    };
    state
        .lists
        .schedule_rebuild(&List::Members, organization_id, rebuild);
}

/// Sets a member's role and assignments; owners keep none (they hold every
/// permission).
async fn update_access(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, user_id)): Path<(String, String)>,
    Json(body): Json<UpdateOrganizationMemberAccess>,
) -> ApiResult<Json<OrganizationUser>> {
    let refused = |r: Refusal| ApiError::refused(r, ctx.id());
    let mut tx = begin_write(&state.db).await?;
    let capabilities = capabilities_now(&mut tx, &ctx).await?;
    let member = members::find(&mut *tx, ctx.id(), &user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let target = target_of(&member, &ctx);
    capabilities
        .change_role(target, body.role)
        .map_err(refused)?;
    capabilities.change_assignments(target).map_err(refused)?;

    let custom = roles::custom_roles(&mut *tx, ctx.id()).await?;
    let role_ids: BTreeSet<String> = checked_role_ids(&body.assigned_role_ids, &custom)?
        .into_iter()
        .collect();

    members::update_access(
        &mut tx,
        ctx.id(),
        &user_id,
        body.role,
        &role_ids,
        chrono::Utc::now(),
    )
    .await
    .map_err(write_error(ctx.id()))?;
    let updated = members::find(&mut *tx, ctx.id(), &user_id)
        .await?
        .ok_or_else(member_not_found)?;
    tx.commit().await?;
    rebuild_large_list(&state, ctx.id());
    let held: Vec<String> = match body.role {
        Role::Member => role_ids.into_iter().collect(),
        Role::Owner => Vec::new(),
    };
    Ok(Json(updated.to_wire(&held, &custom)))
}

async fn remove_member(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let mut tx = begin_write(&state.db).await?;
    let capabilities = capabilities_now(&mut tx, &ctx).await?;
    let member = members::find(&mut *tx, ctx.id(), &user_id)
        .await?
        .ok_or_else(member_not_found)?;
    capabilities
        .remove_member(target_of(&member, &ctx))
        .map_err(|r| ApiError::refused(r, ctx.id()))?;
    members::remove(&mut *tx, ctx.id(), &user_id)
        .await
        .map_err(write_error(ctx.id()))?;
    tx.commit().await?;
    rebuild_large_list(&state, ctx.id());
    Ok(StatusCode::NO_CONTENT)
}
