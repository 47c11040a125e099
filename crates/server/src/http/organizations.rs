//! Organizations: list, create, read, rename, delete, leave, usage and the
//! default region.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use roster_core::wire::{
    CreateOrganization, LeaveOrganization, Organization, OrganizationUsageOverview,
    RegionUsageOverview, UpdateOrganization, UpdateOrganizationDefaultRegion,
    DEFAULT_MAX_CPU_PER_SANDBOX, DEFAULT_MAX_DISK_PER_SANDBOX, DEFAULT_MAX_MEMORY_PER_SANDBOX,
};

use super::context::OrgContext;
use super::extract::{Json, RouteList};
use crate::audit::{AuditSlot, ORG};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::regions::shared_regions;
use crate::services::organizations;
use crate::state::AppState;

pub fn routes(routes: &mut RouteList) {
    routes.add(
        "/organizations",
        get(list_organizations).post(create_organization),
    );
    routes.add(
        "/organizations/{organizationId}",
        get(get_organization)
            .patch(rename_organization)
            .delete(delete_organization),
    );
    routes.add("/organizations/{organizationId}/leave", post(leave));
    routes.add("/organizations/{organizationId}/usage", get(usage));
    routes.add(
        "/organizations/{organizationId}/default-region",
        patch(set_default_region),
    );
}

/// The caller's organizations: personal first, then by name.
async fn list_organizations(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<Organization>>> {
    Ok(Json(
        organizations::list_for_user(&state.db, &user.id).await?,
    ))
}

async fn create_organization(
    State(state): State<AppState>,
    user: CurrentUser,
    audit: AuditSlot,
    Json(body): Json<CreateOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let created = organizations::create(&state.db, &user.id, &body).await?;
    audit.set_organization(&created.id);
    audit.set_target(ORG, &created.id);
    Ok((StatusCode::CREATED, Json(created)))
}

async fn get_organization(ctx: OrgContext) -> Json<Organization> {
    Json(ctx.organization.to_wire())
}

/// Roster extension: `PATCH /organizations/{id}` with `{name}`.
async fn rename_organization(
    State(state): State<AppState>,
    ctx: OrgContext,
    Json(body): Json<UpdateOrganization>,
) -> ApiResult<Json<Organization>> {
    let renamed = organizations::rename(&state.db, ctx.id(), &ctx.capabilities, &body.name).await?;
    Ok(Json(renamed))
}

async fn delete_organization(
    State(state): State<AppState>,
    ctx: OrgContext,
) -> ApiResult<StatusCode> {
    organizations::delete(&state.db, ctx.id(), &ctx.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /organizations/{id}/leave`. Without a body (or with `{}`) the
/// caller leaves; with `{successorId}` (Roster extension) the successor is
/// made an owner and the caller leaves, in one transaction.
async fn leave(
    State(state): State<AppState>,
    ctx: OrgContext,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let request = leave_request(&body)?;
    organizations::leave(
        &state.db,
        ctx.id(),
        &ctx.user.id,
        request.successor_id.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The leave body is optional: none, `null`, `{}` or `{successorId}`.
fn leave_request(body: &[u8]) -> ApiResult<LeaveOrganization> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(LeaveOrganization::default());
    }
    match serde_json::from_slice::<Option<LeaveOrganization>>(body) {
        Ok(request) => Ok(request.unwrap_or_default()),
        Err(e) if e.is_syntax() || e.is_eof() => {
            Err(ApiError::bad_request("Malformed JSON in the request body"))
        }
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    }
}

// Daytona's default quotas of a new organization.
const DEFAULT_TOTAL_CPU_QUOTA: f64 = 10.0;
const DEFAULT_TOTAL_MEMORY_QUOTA: f64 = 10.0;
const DEFAULT_TOTAL_DISK_QUOTA: f64 = 30.0;
const DEFAULT_SNAPSHOT_QUOTA: f64 = 100.0;
const DEFAULT_VOLUME_QUOTA: f64 = 100.0;

/// Roster runs no sandboxes: usage is zero against the default quotas, in
/// every shared region.
async fn usage(_ctx: OrgContext) -> Json<OrganizationUsageOverview> {
    let region_usage = shared_regions()
        .into_iter()
        .map(|region| RegionUsageOverview {
            region_id: region.id,
            sandbox_class: "container".to_string(),
            total_cpu_quota: DEFAULT_TOTAL_CPU_QUOTA,
            total_memory_quota: DEFAULT_TOTAL_MEMORY_QUOTA,
            total_disk_quota: DEFAULT_TOTAL_DISK_QUOTA,
            max_cpu_per_sandbox: Some(DEFAULT_MAX_CPU_PER_SANDBOX),
            max_memory_per_sandbox: Some(DEFAULT_MAX_MEMORY_PER_SANDBOX),
            max_disk_per_sandbox: Some(DEFAULT_MAX_DISK_PER_SANDBOX),
            max_disk_per_non_ephemeral_sandbox: Some(DEFAULT_MAX_DISK_PER_SANDBOX),
            ..RegionUsageOverview::default()
        })
        .collect();
    Json(OrganizationUsageOverview {
        region_usage,
        total_snapshot_quota: DEFAULT_SNAPSHOT_QUOTA,
        current_snapshot_usage: 0.0,
        total_volume_quota: DEFAULT_VOLUME_QUOTA,
        current_volume_usage: 0.0,
    })
}

async fn set_default_region(
    State(state): State<AppState>,
    ctx: OrgContext,
    Json(body): Json<UpdateOrganizationDefaultRegion>,
) -> ApiResult<StatusCode> {
    organizations::set_default_region(
        &state.db,
        ctx.id(),
        &ctx.capabilities,
        &body.default_region_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
