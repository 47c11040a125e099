//! Assignments ("organization roles" on the wire, hence the paths): every
//! member lists them; owners create, change and delete the custom ones of
//! a collaborative organization (`services::assignments`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use roster_core::wire::{CreateOrganizationRole, OrganizationRole, UpdateOrganizationRole};

use super::context::OrgContext;
use super::extract::{Json, RouteList};
use crate::audit::{AuditSlot, ASSIGNMENT};
use crate::error::ApiResult;
use crate::services::assignments;
use crate::state::AppState;

pub fn routes(routes: &mut RouteList) {
    routes.add(
        "/organizations/{organizationId}/roles",
        get(list).post(create),
    );
    routes.add(
        "/organizations/{organizationId}/roles/{roleId}",
        axum::routing::put(update).delete(remove),
    );
}

async fn list(
    State(state): State<AppState>,
    ctx: OrgContext,
) -> ApiResult<Json<Vec<OrganizationRole>>> {
    Ok(Json(assignments::list(&state.db, ctx.id()).await?))
}

async fn create(
    State(state): State<AppState>,
    ctx: OrgContext,
    audit: AuditSlot,
    Json(body): Json<CreateOrganizationRole>,
) -> ApiResult<(StatusCode, Json<OrganizationRole>)> {
    let created = assignments::create(&state.db, ctx.id(), &ctx.capabilities, &body).await?;
    audit.set_target(ASSIGNMENT, &created.id);
    Ok((StatusCode::CREATED, Json(created)))
}

async fn update(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, assignment_id)): Path<(String, String)>,
    Json(body): Json<UpdateOrganizationRole>,
) -> ApiResult<Json<OrganizationRole>> {
    let updated = assignments::update(
        &state.db,
        ctx.id(),
        &ctx.capabilities,
        &assignment_id,
        &body,
    )
    .await?;
    Ok(Json(updated))
}

/// Refused while a member or a pending invitation holds the assignment.
async fn remove(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, assignment_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    assignments::remove(&state.db, ctx.id(), &ctx.capabilities, &assignment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
