//! Members of an organization: the list, access (role and assignments) and
//! removal. The steps of each change are `services::members`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use roster_core::membership_header::{self, MEMBERSHIP_HEADER};
use roster_core::wire::{
    OrganizationUser, UpdateOrganizationMemberAccess, MEMBERS_FIRST_PAGE_MAX, TOTAL_COUNT_HEADER,
};
use serde::Deserialize;

use super::context::OrgContext;
use super::extract::{Json, RouteList};
use crate::error::{ApiError, ApiResult};
use crate::services::members;
use crate::state::AppState;

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
/// which the SPA takes as the whole list. A first page also says what the
/// caller may do (`X-Roster-Membership`, [`membership_header`]): the first
/// members may not include them, and never tell how many owners there are.
async fn list_members(
    State(state): State<AppState>,
    ctx: OrgContext,
    query: Result<Query<ListQuery>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Query(query) = query?;
    let limit = query.limit.as_deref().map(parse_limit).transpose()?;
    let list = members::serialized_list(&state.db, &state.lists, ctx.id()).await?;
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
                (
                    HeaderName::from_static(MEMBERSHIP_HEADER),
                    HeaderValue::from_str(&membership_header::header_value(&ctx.capabilities))
                        .map_err(ApiError::internal)?,
                ),
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

/// Sets a member's role and assignments; owners keep none (they hold every
/// permission).
async fn update_access(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, user_id)): Path<(String, String)>,
    Json(body): Json<UpdateOrganizationMemberAccess>,
) -> ApiResult<Json<OrganizationUser>> {
    let updated = members::update_access(
        &state.db,
        &state.lists,
        ctx.id(),
        &ctx.user.id,
        &user_id,
        &body,
    )
    .await?;
    Ok(Json(updated))
}

async fn remove_member(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    members::remove(&state.db, &state.lists, ctx.id(), &ctx.user.id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
