//! Assignments ("organization roles" on the wire): every member lists them;
//! owners create, change and delete the custom ones of a collaborative
//! organization. Global assignments come from roster-core and never change.

use crate::db::{begin_write, Conn, Db};
use roster_core::validate::{
    join_messages, validate_description, validate_display_name, validate_permissions,
    ValidationError,
};
use roster_core::wire::{CreateOrganizationRole, OrganizationRole, UpdateOrganizationRole};
use roster_core::{assignment_name_taken, Capabilities, Permission};

use crate::error::{ApiError, ApiResult};
use crate::store::assignments::{self, AssignmentContent, CustomAssignmentRow};

/// Every assignment of the organization: the global ones, then its custom
/// ones.
pub async fn list(db: &Db, organization_id: &str) -> ApiResult<Vec<OrganizationRole>> {
    Ok(assignments::list(db, organization_id).await?)
}

/// Creates a custom assignment; `capabilities` are the caller's.
pub async fn create(
    db: &Db,
    organization_id: &str,
    capabilities: &Capabilities,
    body: &CreateOrganizationRole,
) -> ApiResult<OrganizationRole> {
    may_manage(capabilities, organization_id)?;
    let content = validated(&body.name, &body.description, &body.permissions)?;
    let mut tx = begin_write(db).await?;
    ensure_name_free(&mut tx, organization_id, &content.name, None).await?;
    let row = assignments::create(&mut tx, organization_id, &content).await?;
    tx.commit().await?;
    Ok(row.to_wire())
}

/// Replaces a custom assignment's name, description and permissions.
pub async fn update(
    db: &Db,
    organization_id: &str,
    capabilities: &Capabilities,
    assignment_id: &str,
    body: &UpdateOrganizationRole,
) -> ApiResult<OrganizationRole> {
    may_manage(capabilities, organization_id)?;
    let content = validated(&body.name, &body.description, &body.permissions)?;
    let mut tx = begin_write(db).await?;
    let existing = assignments::find_custom(&mut *tx, organization_id, assignment_id)
        .await?
        .ok_or_else(|| assignment_not_found(assignment_id))?;
    ensure_name_free(&mut tx, organization_id, &content.name, Some(assignment_id)).await?;
    let row = assignments::update(&mut tx, existing, &content).await?;
    tx.commit().await?;
    Ok(row.to_wire())
}

/// Deleting an assignment someone holds would silently take permissions
/// away, so it is refused until nobody holds it. Pending invitations count
/// as holders too (expired ones included, since a resend revives them): an
/// invitee would otherwise join with less than they were offered.
pub async fn remove(
    db: &Db,
    organization_id: &str,
    capabilities: &Capabilities,
    assignment_id: &str,
) -> ApiResult<()> {
    may_manage(capabilities, organization_id)?;
    let mut tx = begin_write(db).await?;
    let assignment = assignments::find_custom(&mut *tx, organization_id, assignment_id)
        .await?
        .ok_or_else(|| assignment_not_found(assignment_id))?;
    let members =
        assignments::member_emails_holding(&mut *tx, organization_id, assignment_id).await?;
    if !members.is_empty() {
        return Err(ApiError::conflict(format!(
            "{} is assigned to {}; remove it from them first",
            assignment.name,
            some_of(&members)
        )));
    }
    let invitees =
        assignments::pending_invitation_emails_with(&mut *tx, organization_id, assignment_id)
            .await?;
    if !invitees.is_empty() {
        let (invitations, them) = if invitees.len() == 1 {
            ("the pending invitation", "it")
        } else {
            ("pending invitations", "them")
        };
        return Err(ApiError::conflict(format!(
            "{} is offered in {invitations} for {}; edit or cancel {them} first",
            assignment.name,
            some_of(&invitees)
        )));
    }
    assignments::delete(&mut tx, organization_id, assignment_id).await?;
    tx.commit().await?;
    Ok(())
}

fn may_manage(capabilities: &Capabilities, organization_id: &str) -> ApiResult<()> {
    capabilities
        .manage_custom_assignments()
        .map_err(|refusal| ApiError::refused(refusal, organization_id))
}

/// The assignment ids of an access change or invitation, checked.
/// Global assignments and other organizations' look the same: not found.
pub fn checked_assignment_ids(
    ids: &[String],
    custom: &[CustomAssignmentRow],
) -> ApiResult<Vec<String>> {
    assignments::known_ids(ids, custom)
        .ok_or_else(|| ApiError::bad_request("One or more role IDs are invalid"))
}

fn assignment_not_found(assignment_id: &str) -> ApiError {
    ApiError::not_found(format!("Role with ID {assignment_id} not found"))
}

/// Validates a create or update body, reporting every problem at once.
fn validated(
    name: &str,
    description: &str,
    permissions: &[Permission],
) -> Result<AssignmentContent, ApiError> {
    let name = validate_display_name(name, "name");
    let description = validate_description(description);
    let permissions = validate_permissions(permissions);
    match (name, description, permissions) {
        (Ok(name), Ok(description), Ok(permissions)) => Ok(AssignmentContent {
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
    tx: &mut Conn,
    organization_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> ApiResult<()> {
    let existing = assignments::list(&mut *tx, organization_id).await?;
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
