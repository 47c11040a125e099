//! Assignments ("organization roles"): every member lists them; owners
//! create, change and delete the custom ones of a collaborative
//! organization. Global assignments come from roster-core and never change.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use roster_core::assignment_name_taken;
use roster_core::validate::{
    join_messages, validate_description, validate_display_name, validate_permissions,
    ValidationError,
};
use roster_core::wire::{CreateOrganizationRole, OrganizationRole, UpdateOrganizationRole};
use roster_core::Permission;
use sqlx::SqliteConnection;

use super::context::OrgContext;
use super::extract::{Json, RouteList};
use crate::audit::{AuditSlot, ROLE};
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::roles::{self, RoleContent};

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
    Ok(Json(roles::list(&state.db, ctx.id()).await?))
}

async fn create(
    State(state): State<AppState>,
    ctx: OrgContext,
    audit: AuditSlot,
    Json(body): Json<CreateOrganizationRole>,
) -> ApiResult<(StatusCode, Json<OrganizationRole>)> {
    may_manage(&ctx)?;
    let content = validated(&body.name, &body.description, &body.permissions)?;
    let mut tx = begin_write(&state.db).await?;
    ensure_name_free(&mut tx, ctx.id(), &content.name, None).await?;
    let row = roles::create(&mut tx, ctx.id(), &content).await?;
    tx.commit().await?;
    audit.set_target(ROLE, &row.id);
    Ok((StatusCode::CREATED, Json(row.to_wire())))
}

async fn update(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, role_id)): Path<(String, String)>,
    Json(body): Json<UpdateOrganizationRole>,
) -> ApiResult<Json<OrganizationRole>> {
    may_manage(&ctx)?;
    let content = validated(&body.name, &body.description, &body.permissions)?;
    let mut tx = begin_write(&state.db).await?;
    let existing = roles::find_custom(&mut *tx, ctx.id(), &role_id)
        .await?
        .ok_or_else(|| role_not_found(&role_id))?;
    ensure_name_free(&mut tx, ctx.id(), &content.name, Some(&role_id)).await?;
    let row = roles::update(&mut tx, existing, &content).await?;
    tx.commit().await?;
    Ok(Json(row.to_wire()))
}

/// Deleting an assignment someone holds would silently take permissions
/// away, so it is refused until nobody holds it. Pending invitations count
/// as holders too (expired ones included, since a resend revives them): an
/// invitee would otherwise join with less than they were offered.
async fn remove(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((_, role_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    may_manage(&ctx)?;
    let mut tx = begin_write(&state.db).await?;
    let role = roles::find_custom(&mut *tx, ctx.id(), &role_id)
        .await?
        .ok_or_else(|| role_not_found(&role_id))?;
    let members = roles::member_emails_holding(&mut *tx, ctx.id(), &role_id).await?;
    if !members.is_empty() {
        return Err(ApiError::conflict(format!(
            "{} is assigned to {}; remove it from them first",
            role.name,
            some_of(&members)
        )));
    }
    let invitees = roles::pending_invitation_emails_with(&mut *tx, ctx.id(), &role_id).await?;
    if !invitees.is_empty() {
        let (invitations, them) = if invitees.len() == 1 {
            ("the pending invitation", "it")
        } else {
            ("pending invitations", "them")
        };
        return Err(ApiError::conflict(format!(
            "{} is offered in {invitations} for {}; edit or cancel {them} first",
            role.name,
            some_of(&invitees)
        )));
    }
    roles::delete(&mut tx, ctx.id(), &role_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn may_manage(ctx: &OrgContext) -> ApiResult<()> {
    ctx.capabilities
        .manage_custom_assignments()
        .map_err(|refusal| ApiError::refused(refusal, ctx.id()))
}

/// Global assignments and other organizations' look the same: not found.
/// The assignment ids of an access change or invitation, checked.
pub(super) fn checked_role_ids(
    ids: &[String],
    custom: &[roles::CustomRoleRow],
) -> ApiResult<Vec<String>> {
    roles::known_ids(ids, custom)
        .ok_or_else(|| ApiError::bad_request("One or more role IDs are invalid"))
}

fn role_not_found(role_id: &str) -> ApiError {
    ApiError::not_found(format!("Role with ID {role_id} not found"))
}

/// Validates a create or update body, reporting every problem at once.
fn validated(
    name: &str,
    description: &str,
    permissions: &[Permission],
) -> Result<RoleContent, ApiError> {
    let name = validate_display_name(name, "name");
    let description = validate_description(description);
    let permissions = validate_permissions(permissions);
    match (name, description, permissions) {
        (Ok(name), Ok(description), Ok(permissions)) => Ok(RoleContent {
            name,
            description,
            permissions,
        }),
        (name, description, permissions) => {
            let errors: Vec<ValidationError> = [name.err(), description.err(), permissions.err()]
                .into_iter()
                .flatten()
                .collect();
            Err(ApiError::bad_request(join_messages(&errors)))
        }
    }
}

async fn ensure_name_free(
    tx: &mut SqliteConnection,
    organization_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> ApiResult<()> {
    let existing = roles::list(&mut *tx, organization_id).await?;
    if assignment_name_taken(name, &existing, except_id) {
        return Err(ApiError::conflict(format!(
            "A role named \u{201c}{name}\u{201d} already exists in this organization"
        )));
    }
    Ok(())
}

/// "a@x.com", "a@x.com and 1 other", "a@x.com and 3 others".
fn some_of(emails: &[String]) -> String {
    match emails {
        [] => String::new(),
        [only] => only.clone(),
        [first, rest @ ..] if rest.len() == 1 => format!("{first} and 1 other"),
        [first, rest @ ..] => format!("{first} and {} others", rest.len()),
    }
}
