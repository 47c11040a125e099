//! Members of an organization: the list, access (role and assignments) and
//! removal.
//!
//! Every change runs in one write transaction that re-reads the caller's
//! membership and the target's row first, so roster-core decides on the
//! state the write changes; the schema's last-owner triggers are the
//! backstop.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::db::{begin_read, begin_write, Conn, Db};
use roster_core::protocol;
use roster_core::wire::{OrganizationUser, UpdateOrganizationMemberAccess};
use roster_core::{Capabilities, Refusal, Role, Target};

use super::assignments::checked_assignment_ids;
use crate::error::{ApiError, ApiResult};
use crate::list_cache::{List, ListCache, SerializedList, MIN_CACHED_ITEMS};
use crate::store::assignments;
use crate::store::members::{self, MemberRow};

/// The caller's capabilities as they are inside the write transaction `tx`:
/// a concurrent request may have demoted or removed the caller since the
/// access gate ran.
pub async fn capabilities_now(
    tx: &mut Conn,
    organization_id: &str,
    caller_id: &str,
) -> ApiResult<Capabilities> {
    let membership = members::membership(tx, organization_id, caller_id)
        .await?
        .ok_or_else(no_longer_member)?;
    Ok(Capabilities::of(&membership))
}

/// The answer for a caller who is no longer a member (or whose organization
/// is gone): the same as the access gate's for a non-member, so the caller
/// learns nothing more.
pub fn no_longer_member() -> ApiError {
    ApiError::forbidden(protocol::INVALID_AUTHENTICATION_CONTEXT)
}

/// Maps a failed membership write: the schema's last-owner trigger is the
/// API's last-owner refusal, anything else is unexpected.
pub fn write_error(organization_id: &str) -> impl FnOnce(sqlx::Error) -> ApiError + '_ {
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

fn target_of(member: &MemberRow, caller_id: &str) -> Target {
    Target {
        is_self: member.user_id == caller_id,
        role: member.role,
    }
}

/// The organization's member list, serialized: from the cache at the
/// current members version, else read (and kept when large).
pub async fn serialized_list(
    db: &Db,
    lists: &ListCache,
    organization_id: &str,
) -> ApiResult<Arc<SerializedList>> {
    // One read transaction: the version, members and assignments from the
    // same snapshot.
    let mut tx = begin_read(db).await?;
    let version = members::list_version(&mut *tx, organization_id).await?;
    let now = chrono::Utc::now();
    let cached = version.and_then(|v| lists.get(&List::Members, organization_id, v, now));
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
                lists.put(List::Members, organization_id, version, None, list.clone());
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
fn rebuild_large_list(db: &Db, lists: &Arc<ListCache>, organization_id: &str) {
    let rebuild = {
        let db = db.clone();
        let lists = Arc::clone(lists);
        let organization_id = organization_id.to_owned();
        async move {
            match serialized_list(&db, &lists, &organization_id).await {
                Ok(list) => {
                    let _ = tokio::task::spawn_blocking(move || list.warm_gzip()).await;
                }
                Err(error) => tracing::warn!("cannot rebuild a member list: {error:?}"),
            }
        }
    };
    lists.schedule_rebuild(&List::Members, organization_id, rebuild);
}

/// Sets a member's role and assignments; owners keep none (they hold every
/// permission). Returns the member as they are now.
pub async fn update_access(
    db: &Db,
    lists: &Arc<ListCache>,
    organization_id: &str,
    caller_id: &str,
    user_id: &str,
    body: &UpdateOrganizationMemberAccess,
) -> ApiResult<OrganizationUser> {
    let refused = |r: Refusal| ApiError::refused(r, organization_id);
    let mut tx = begin_write(db).await?;
    let capabilities = capabilities_now(&mut tx, organization_id, caller_id).await?;
    let member = members::find(&mut *tx, organization_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let target = target_of(&member, caller_id);
    capabilities
        .change_role(target, body.role)
        .map_err(refused)?;
    capabilities.change_assignments(target).map_err(refused)?;

    let custom = assignments::custom_assignments(&mut *tx, organization_id).await?;
    let assignment_ids: BTreeSet<String> =
        checked_assignment_ids(&body.assigned_role_ids, &custom)?
            .into_iter()
            .collect();

    members::update_access(
        &mut tx,
        organization_id,
        user_id,
        body.role,
        &assignment_ids,
        chrono::Utc::now(),
    )
    .await
    .map_err(write_error(organization_id))?;
    let updated = members::find(&mut *tx, organization_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    tx.commit().await?;
    rebuild_large_list(db, lists, organization_id);
    let held: Vec<String> = match body.role {
        Role::Member => assignment_ids.into_iter().collect(),
        Role::Owner => Vec::new(),
    };
    Ok(updated.to_wire(&held, &custom))
}

/// Removes a member, as the caller's capabilities allow.
pub async fn remove(
    db: &Db,
    lists: &Arc<ListCache>,
    organization_id: &str,
    caller_id: &str,
    user_id: &str,
) -> ApiResult<()> {
    let mut tx = begin_write(db).await?;
    let capabilities = capabilities_now(&mut tx, organization_id, caller_id).await?;
    let member = members::find(&mut *tx, organization_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    capabilities
        .remove_member(target_of(&member, caller_id))
        .map_err(|r| ApiError::refused(r, organization_id))?;
    members::remove(&mut *tx, organization_id, user_id)
        .await
        .map_err(write_error(organization_id))?;
    tx.commit().await?;
    rebuild_large_list(db, lists, organization_id);
    Ok(())
}
