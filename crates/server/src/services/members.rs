//! Members of an organization: the list, access (role and assignments) and
//! removal.
//!
//! Every change runs in one write transaction that re-reads the caller's
//! membership and the target's row first, so roster-core decides on the
//! state the write changes; the schema's last-owner triggers are the
//! backstop.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::db::{self, begin_read, begin_write, Conn, Db};
use roster_core::bulk::{self, MemberChange, PlannedOutcome};
use roster_core::global_assignments_wire;
use roster_core::protocol;
use roster_core::wire::{
    BulkMemberResult, BulkMembersRequest, BulkMembersResponse, BulkMode, BulkStatus,
    OrganizationUser, UpdateOrganizationMemberAccess,
};
use roster_core::{Capabilities, Refusal, Role, Target};

use super::assignments::checked_assignment_ids;
use crate::audit::{self, Origin};
use crate::error::{ApiError, ApiResult};
use crate::list_cache::{List, ListCache, SerializedList, MIN_CACHED_ITEMS};
use crate::store;
use crate::store::assignments::{self, CustomAssignmentRow};
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

/// How often a member's activity in an organization is recorded, at most
/// (`lastActiveAt`): coarse, so that reads stay reads.
pub const ACTIVITY_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Records that a member used the API `now`, when what is recorded
/// (`last_known`, read with the request's membership) is older than
/// [`ACTIVITY_INTERVAL`]; a fresh value costs nothing. The write is a
/// conditional update, so instances that both saw a stale value write once
/// between them, and it moves the member list's version (the list shows
/// the value): at most once an hour per active member.
///
/// It takes the write lock as every writer does (on PostgreSQL, an update
/// of a member row outside it could deadlock with a write transaction on
/// the organization's row). A failure is logged, never the request's.
pub async fn record_activity(
    db: &Db,
    organization_id: &str,
    user_id: &str,
    last_known: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) {
    if last_known.is_some_and(|at| now - at < ACTIVITY_INTERVAL) {
        return;
    }
    let write = async {
        let mut tx = begin_write(db).await?;
        members::record_activity(&mut *tx, organization_id, user_id, now, ACTIVITY_INTERVAL)
            .await?;
        tx.commit().await
    };
    if let Err(error) = write.await {
        tracing::warn!("cannot record activity of {user_id} in {organization_id}: {error}");
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

/// How many selected members one write transaction of a `perMember` bulk
/// request takes: other writers (every instance's) wait for the write lock
/// while it is held, so a batch of thousands lets them in between.
const BULK_MEMBERS_PER_TRANSACTION: usize = 250;

/// A bulk request that changed nothing because some members are refused
/// (`allOrNothing`): the refused members, with why.
pub struct BulkRefused(pub BulkMembersResponse);

/// What a bulk request ends in, besides an answer.
pub enum BulkError {
    Api(ApiError),
    Refused(BulkRefused),
}

impl<E: Into<ApiError>> From<E> for BulkError {
    fn from(error: E) -> Self {
        BulkError::Api(error.into())
    }
}

/// Applies one action to many members (`POST …/users/bulk`), as
/// `roster_core::bulk::plan` decides inside the write transaction.
///
/// `perMember`: the members are taken a few hundred per write transaction,
/// each member's change under its own savepoint, so a refused or failed
/// member leaves the others' changes in place; each transaction plans on
/// the state it changes (the owners demoted by the transaction before
/// count). `allOrNothing`: one transaction; any refusal rolls it back and
/// is answered as [`BulkError::Refused`]. Either way: one audit row per
/// member changed (`origin` says by whom), and the member list rebuilt once.
pub async fn bulk(
    db: &Db,
    lists: &Arc<ListCache>,
    organization_id: &str,
    origin: &Origin,
    request: &BulkMembersRequest,
) -> Result<BulkMembersResponse, BulkError> {
    bulk::check_selection(&request.user_ids).map_err(|e| ApiError::bad_request(e.message()))?;
    let per_transaction = match request.mode {
        BulkMode::PerMember => BULK_MEMBERS_PER_TRANSACTION,
        BulkMode::AllOrNothing => request.user_ids.len(),
    };
    let mut results = Vec::with_capacity(request.user_ids.len());
    let mut changed = false;
    for (n, user_ids) in request.user_ids.chunks(per_transaction).enumerate() {
        let (chunk, rows) =
            match bulk_transaction(db, organization_id, origin, request, user_ids).await {
                Ok(done) => done,
                // The first transaction answers for the whole request (a bad
                // assignment id, a caller who may not): nothing is written yet.
                Err(error @ BulkError::Refused(_)) => return Err(error),
                Err(error) if n == 0 => return Err(error),
                Err(BulkError::Api(error)) => {
                    // The caller lost the right meanwhile, or the database
                    // failed: the rest are not applied, and say why.
                    let status = if error.status.is_server_error() {
                        BulkStatus::Failed
                    } else {
                        BulkStatus::Refused
                    };
                    let rest = request.user_ids[n * per_transaction..].iter();
                    results.extend(rest.map(|user_id| BulkMemberResult {
                        user_id: user_id.clone(),
                        status,
                        message: Some(error.message.clone()),
                        member: None,
                    }));
                    break;
                }
            };
        changed |= !rows.is_empty();
        if let Err(error) = store::audit::append_all(db, rows, chrono::Utc::now()).await {
            tracing::error!("cannot write the audit rows of a bulk request: {error}");
        }
        results.extend(chunk);
    }
    if changed {
        rebuild_large_list(db, lists, organization_id);
    }
    Ok(BulkMembersResponse::new(results))
}

/// One write transaction of a bulk request, over `user_ids`: their results
/// and the audit rows of the members it changed (written once it is
/// committed).
async fn bulk_transaction(
    db: &Db,
    organization_id: &str,
    origin: &Origin,
    request: &BulkMembersRequest,
    user_ids: &[String],
) -> Result<(Vec<BulkMemberResult>, Vec<audit::Row>), BulkError> {
    let refused = |r: Refusal| ApiError::refused(r, organization_id);
    let mut tx = begin_write(db).await?;
    let capabilities = capabilities_now(&mut tx, organization_id, &origin.actor_id).await?;
    bulk::authorize(&capabilities, &request.action).map_err(refused)?;
    let selected = members::find_many(&mut tx, organization_id, user_ids).await?;
    let custom = assignments::custom_assignments(&mut *tx, organization_id).await?;
    let mut offered = global_assignments_wire(assignments::global_epoch());
    offered.extend(custom.iter().map(CustomAssignmentRow::to_wire));
    let plan = bulk::plan(
        &origin.actor_id,
        &capabilities,
        &selected,
        &offered,
        &request.action,
        user_ids,
    )
    .map_err(|e| ApiError::bad_request(e.message()))?;

    let all_or_nothing = request.mode == BulkMode::AllOrNothing;
    if all_or_nothing && plan.refused_count() > 0 {
        let refusals = plan
            .refusals()
            .map(|(user_id, refusal)| BulkMemberResult {
                user_id: user_id.to_owned(),
                status: BulkStatus::Refused,
                message: Some(refusal.message_in(organization_id)),
                member: None,
            })
            .collect();
        return Err(BulkError::Refused(BulkRefused(BulkMembersResponse::new(
            refusals,
        ))));
    }

    let by_id: HashMap<&str, &OrganizationUser> =
        selected.iter().map(|m| (m.user_id.as_str(), m)).collect();
    // As stored (microseconds), so the answer is what the list shows.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let mut results = Vec::with_capacity(plan.members.len());
    let mut rows = Vec::new();
    for planned in &plan.members {
        let user_id = planned.user_id.as_str();
        let result = |status, message: Option<String>, member| BulkMemberResult {
            user_id: user_id.to_owned(),
            status,
            message,
            member,
        };
        match &planned.outcome {
            PlannedOutcome::Refused(refusal) => results.push(result(
                BulkStatus::Refused,
                Some(refusal.message_in(organization_id)),
                None,
            )),
            PlannedOutcome::Unchanged(why) => {
                results.push(result(BulkStatus::Unchanged, Some(why.message()), None))
            }
            PlannedOutcome::Change(change) => {
                let written = if all_or_nothing {
                    write_change(&mut tx, organization_id, user_id, &change.change, now).await
                } else {
                    write_isolated(&mut tx, organization_id, user_id, &change.change, now).await
                };
                match written {
                    Ok(()) => {
                        let (member, row) = applied(
                            origin,
                            organization_id,
                            by_id.get(user_id).copied(),
                            &change.change,
                            &custom,
                            now,
                        );
                        rows.push(row);
                        results.push(result(BulkStatus::Applied, None, member));
                    }
                    Err(error) if all_or_nothing => {
                        return Err(write_error(organization_id)(error).into())
                    }
                    Err(error) if members::is_last_owner_violation(&error) => results.push(result(
                        BulkStatus::Refused,
                        Some(Refusal::LastOwner.message_in(organization_id)),
                        None,
                    )),
                    Err(error) => {
                        tracing::error!("bulk change of {user_id} in {organization_id}: {error}");
                        results.push(result(
                            BulkStatus::Failed,
                            Some(ApiError::internal(error).message),
                            None,
                        ))
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok((results, rows))
}

/// Writes one member's change.
async fn write_change(
    tx: &mut Conn,
    organization_id: &str,
    user_id: &str,
    change: &MemberChange,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    match change {
        MemberChange::Access {
            role,
            assignment_ids,
        } => {
            let ids: BTreeSet<String> = assignment_ids.iter().cloned().collect();
            members::update_access(tx, organization_id, user_id, *role, &ids, now).await
        }
        MemberChange::Remove => members::remove(&mut *tx, organization_id, user_id).await,
    }
}

/// [`write_change`] under a savepoint: a failure undoes this member's
/// change only, and the transaction goes on (PostgreSQL would otherwise
/// refuse every later statement of it).
async fn write_isolated(
    tx: &mut Conn,
    organization_id: &str,
    user_id: &str,
    change: &MemberChange,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    db::savepoint(tx).await?;
    let written = write_change(tx, organization_id, user_id, change, now).await;
    match written {
        Ok(()) => db::release_savepoint(tx).await?,
        Err(_) => db::rollback_to_savepoint(tx).await?,
    }
    written
}

/// An applied change's answer (the member as they are now, unless
/// removed) and its audit row, as the single-member endpoint writes it.
fn applied(
    origin: &Origin,
    organization_id: &str,
    before: Option<&OrganizationUser>,
    change: &MemberChange,
    custom: &[CustomAssignmentRow],
    now: chrono::DateTime<chrono::Utc>,
) -> (Option<OrganizationUser>, audit::Row) {
    let user_id = before.map_or("", |m| m.user_id.as_str());
    match change {
        MemberChange::Access {
            role,
            assignment_ids,
        } => {
            let member = before.map(|before| OrganizationUser {
                role: *role,
                assigned_roles: assignments::resolve(assignment_ids, custom),
                updated_at: now,
                ..before.clone()
            });
            let row = origin.member_row(
                organization_id,
                "update_access",
                user_id,
                200,
                serde_json::json!({"role": role, "assignedRoleIds": assignment_ids}),
            );
            (member, row)
        }
        MemberChange::Remove => (
            None,
            origin.member_row(
                organization_id,
                "delete",
                user_id,
                204,
                serde_json::json!({}),
            ),
        ),
    }
}
