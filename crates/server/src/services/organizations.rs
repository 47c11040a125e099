//! Organizations: creating, renaming, deleting, leaving and the default
//! region, each checked by roster-core.

use crate::db::{begin_write, Db};
use chrono::Utc;
use roster_core::validate::validate_display_name;
use roster_core::wire::{CreateOrganization, Organization};
use roster_core::{Capabilities, Refusal, Role, Target, MAX_CREATED_ORGANIZATIONS_PER_USER};

use super::members::{capabilities_now, no_longer_member, write_error};
use crate::error::{ApiError, ApiResult};
use crate::regions::is_shared_region;
use crate::store::{members, organizations};

/// The user's organizations: personal first, then by name.
pub async fn list_for_user(db: &Db, user_id: &str) -> ApiResult<Vec<Organization>> {
    let rows = organizations::list_for_user(db, user_id).await?;
    Ok(rows.iter().map(|o| o.to_wire()).collect())
}

/// Creates a collaborative organization with `user_id` as its owner.
pub async fn create(db: &Db, user_id: &str, body: &CreateOrganization) -> ApiResult<Organization> {
    let name = validate_display_name(&body.name, "Name")?;
    if let Some(region) = &body.default_region_id {
        known_region(region)?;
    }
    // Counting and creating in one write transaction: concurrent requests
    // cannot both take the last free slot.
    let mut tx = begin_write(db).await?;
    if organizations::count_created_by(&mut *tx, user_id).await?
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
        user_id,
        false,
        body.default_region_id.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(row.to_wire())
}

/// Renames the organization; `capabilities` are the caller's.
pub async fn rename(
    db: &Db,
    organization_id: &str,
    capabilities: &Capabilities,
    name: &str,
) -> ApiResult<Organization> {
    capabilities
        .rename()
        .map_err(|r| ApiError::refused(r, organization_id))?;
    let name = validate_display_name(name, "Name")?;
    let row = organizations::rename(db, organization_id, &name)
        .await?
        .ok_or_else(no_longer_member)?;
    Ok(row.to_wire())
}

/// Deletes the organization, if the caller may as they are now.
pub async fn delete(db: &Db, organization_id: &str, caller_id: &str) -> ApiResult<()> {
    let mut tx = begin_write(db).await?;
    capabilities_now(&mut tx, organization_id, caller_id)
        .await?
        .delete()
        .map_err(|r| ApiError::refused(r, organization_id))?;
    organizations::delete(&mut *tx, organization_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller leaves; with a `successor_id` the successor is made an owner
/// and the caller leaves, in one transaction.
pub async fn leave(
    db: &Db,
    organization_id: &str,
    caller_id: &str,
    successor_id: Option<&str>,
) -> ApiResult<()> {
    let mut tx = begin_write(db).await?;
    let capabilities = capabilities_now(&mut tx, organization_id, caller_id).await?;
    let refused = |r: Refusal| ApiError::refused(r, organization_id);
    match successor_id {
        None => {
            capabilities.leave().map_err(refused)?;
            members::remove(&mut *tx, organization_id, caller_id)
                .await
                .map_err(write_error(organization_id))?;
        }
        Some(successor_id) => {
            let successor = members::find(&mut *tx, organization_id, successor_id).await?;
            // The organization's refusals (personal, not an owner) come
            // first: judge a stranger as if they were a plain member.
            let target = successor
                .as_ref()
                .map_or(Target::other(Role::Member), |m| Target {
                    is_self: m.user_id == caller_id,
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
                organization_id,
                caller_id,
                successor_id,
                Utc::now(),
            )
            .await
            .map_err(write_error(organization_id))?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the default region once; `capabilities` are the caller's.
pub async fn set_default_region(
    db: &Db,
    organization_id: &str,
    capabilities: &Capabilities,
    region_id: &str,
) -> ApiResult<()> {
    capabilities
        .set_default_region()
        .map_err(|r| ApiError::refused(r, organization_id))?;
    known_region(region_id)?;
    if !organizations::set_default_region(db, organization_id, region_id).await? {
        return Err(ApiError::conflict(
            "The organization already has a default region",
        ));
    }
    Ok(())
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
