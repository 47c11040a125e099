//! Organizations: list, create, read, rename, delete, leave, usage and the
//! default region.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use chrono::Utc;
use roster_core::validate::validate_display_name;
use roster_core::wire::{
    CreateOrganization, LeaveOrganization, Organization, OrganizationUsageOverview,
    RegionUsageOverview, UpdateOrganization, UpdateOrganizationDefaultRegion,
    DEFAULT_MAX_CPU_PER_SANDBOX, DEFAULT_MAX_DISK_PER_SANDBOX, DEFAULT_MAX_MEMORY_PER_SANDBOX,
};
use roster_core::{Refusal, Role, Target, MAX_CREATED_ORGANIZATIONS_PER_USER};

use super::context::{invalid_context, OrgContext};
use super::extract::{Json, RouteList};
use super::members::{capabilities_now, write_error};
use crate::audit::{AuditSlot, ORG};
use crate::auth::CurrentUser;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::regions::{is_shared_region, shared_regions};
use crate::state::AppState;
use crate::store::{members, organizations};

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
    let rows = organizations::list_for_user(&state.db, &user.id).await?;
    Ok(Json(rows.iter().map(|o| o.to_wire()).collect()))
}

async fn create_organization(
    State(state): State<AppState>,
    user: CurrentUser,
    audit: AuditSlot,
    Json(body): Json<CreateOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let name = validate_display_name(&body.name, "Name")?;
    if let Some(region) = &body.default_region_id {
        known_region(region)?;
    }
    // Counting and creating in one write transaction: concurrent requests
    // cannot both take the last free slot.
    let mut tx = begin_write(&state.db).await?;
    if organizations::count_created_by(&mut *tx, &user.id).await?
        >= MAX_CREATED_ORGANIZATIONS_PER_USER
    {
        return Err(ApiError::forbidden(format!(
            "You can create at most {MAX_CREATED_ORGANIZATIONS_PER_USER} organizations; \
             delete one you no longer need to create another"
        )));
    }
    let row = organizations::create(
        &mut tx,
        &name,
        &user.id,
        false,
        body.default_region_id.as_deref(),
    )
    .await?;
    tx.commit().await?;
    audit.set_organization(&row.id);
    audit.set_target(ORG, &row.id);
    Ok((StatusCode::CREATED, Json(row.to_wire())))
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
    ctx.capabilities
        .rename()
        .map_err(|r| ApiError::refused(r, ctx.id()))?;
    let name = validate_display_name(&body.name, "Name")?;
    let row = organizations::rename(&state.db, ctx.id(), &name)
        .await?
        .ok_or_else(invalid_context)?;
    Ok(Json(row.to_wire()))
}

async fn delete_organization(
    State(state): State<AppState>,
    ctx: OrgContext,
) -> ApiResult<StatusCode> {
    let mut tx = begin_write(&state.db).await?;
    capabilities_now(&mut tx, &ctx)
        .await?
        .delete()
        .map_err(|r| ApiError::refused(r, ctx.id()))?;
    organizations::delete(&mut *tx, ctx.id()).await?;
    tx.commit().await?;
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
    let mut tx = begin_write(&state.db).await?;
    let capabilities = capabilities_now(&mut tx, &ctx).await?;
    let refused = |r: Refusal| ApiError::refused(r, ctx.id());
    match request.successor_id {
        None => {
            capabilities.leave().map_err(refused)?;
            members::remove(&mut *tx, ctx.id(), &ctx.user.id)
                .await
                .map_err(write_error(ctx.id()))?;
        }
        Some(successor_id) => {
            let successor = members::find(&mut *tx, ctx.id(), &successor_id).await?;
            // The organization's refusals (personal, not an owner) come
            // first: judge a stranger as if they were a plain member.
            let target = successor
                .as_ref()
                .map_or(Target::other(Role::Member), |m| Target {
                    is_self: m.user_id == ctx.user.id,
                    role: m.role,
                });
            capabilities
                .leave_with_successor(Some(target))
                .map_err(refused)?;
            if successor.is_none() {
                return Err(ApiError::bad_request(Refusal::SuccessorNotMember.message()));
            }
            members::hand_over_and_leave(
                &mut tx,
                ctx.id(),
                &ctx.user.id,
                &successor_id,
                Utc::now(),
            )
            .await
            .map_err(write_error(ctx.id()))?;
        }
    }
    tx.commit().await?;
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
    ctx.capabilities
        .set_default_region()
        .map_err(|r| ApiError::refused(r, ctx.id()))?;
    known_region(&body.default_region_id)?;
    if !organizations::set_default_region(&state.db, ctx.id(), &body.default_region_id).await? {
        return Err(ApiError::conflict(
            "The organization already has a default region",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

fn known_region(region_id: &str) -> ApiResult<()> {
    if is_shared_region(region_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Unknown region '{region_id}'"
        )))
    }
}
