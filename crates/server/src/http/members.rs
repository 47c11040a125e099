//! Members of an organization: the list, access (role and assignments) and
//! removal. The steps of each change are `services::members`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, OriginalUri, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Extension;
use roster_core::membership_header::{self, MEMBERSHIP_HEADER};
use roster_core::wire::{
    BulkMembersRequest, BulkMembersResponse, OrganizationUser, UpdateOrganizationMemberAccess,
    MEMBERS_FIRST_PAGE_MAX, TOTAL_COUNT_HEADER,
};
use serde::Deserialize;

use super::context::OrgContext;
use super::extract::{Json, RouteList, BULK_MAX_BODY_BYTES};
use crate::audit::Origin;
use crate::error::{error_body, ApiError, ApiResult, ErrorMessage};
use crate::services::members::{self, BulkError, BulkRefused};
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
    // Up to 10,000 user ids do not fit the API's usual body limit.
    routes.add(
        "/organizations/{organizationId}/users/bulk",
        post(bulk).layer(DefaultBodyLimit::max(BULK_MAX_BODY_BYTES)),
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

/// One action on many members (a Roster extension); see
/// `services::members::bulk` for what `perMember` and `allOrNothing` mean.
/// 200 with one result per member; with `allOrNothing`, a refusal is a 409
/// whose error body lists the refused members in `results`.
async fn bulk(
    State(state): State<AppState>,
    ctx: OrgContext,
    OriginalUri(uri): OriginalUri,
    connection: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Json(body): Json<BulkMembersRequest>,
) -> ApiResult<Response> {
    let origin = Origin {
        actor_id: ctx.user.id.clone(),
        actor_email: ctx.user.email.clone(),
        method: "POST".to_owned(),
        path: uri.path().to_owned(),
        ip_address: connection.map(|Extension(ConnectInfo(address))| address.ip().to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .map(str::to_owned),
    };
    match members::bulk(&state.db, &state.lists, ctx.id(), &origin, &body).await {
        Ok(answer) => Ok(Json(answer).into_response()),
        Err(BulkError::Api(error)) => Err(error),
        Err(BulkError::Refused(BulkRefused(refused))) => Ok(refused_whole(&origin.path, refused)),
    }
}

/// The 409 of an `allOrNothing` request with refused members: the API's
/// error body, plus the refused members in `results`.
fn refused_whole(path: &str, refused: BulkMembersResponse) -> Response {
    let status = StatusCode::CONFLICT;
    let message = format!(
        "No member was changed: {} of the selected members cannot be (see results)",
        refused.refused
    );
    let mut body = error_body(path, status, &message);
    body["results"] = serde_json::to_value(&refused.results).unwrap_or_default();
    let mut response = (status, axum::Json(body)).into_response();
    // For the audit row; the body is already the API's error body.
    response.extensions_mut().insert(ErrorMessage(message));
    response
}
