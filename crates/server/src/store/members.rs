//! Members of an organization and the assignments they hold.
//!
//! The last-owner rule is the schema's (triggers on `organization_members`);
//! writes here that could break it fail with a database error that
//! [`is_last_owner_violation`] recognises.

use std::collections::{BTreeSet, HashMap};

use crate::db::{timestamp, Backend, Conn, Executor, Sql, Stamp};
use chrono::{DateTime, Utc};
use roster_core::assignment::global_assignment;
use roster_core::wire::OrganizationUser;
use roster_core::{Membership, Role};
use sqlx::FromRow;

use super::assignments::{self, CustomAssignmentRow};
use super::organizations;

/// A member with the user's name and e-mail.
#[derive(Clone, Debug, FromRow)]
pub struct MemberRow {
    pub organization_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "Stamp")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Stamp")]
    pub updated_at: DateTime<Utc>,
    /// `None`: never active (see [`record_activity`]).
    pub last_active_at: Option<Stamp>,
}

impl MemberRow {
    /// The wire form, with the member's assignments resolved.
    pub fn to_wire(
        &self,
        assignment_ids: &[String],
        custom: &[CustomAssignmentRow],
    ) -> OrganizationUser {
        OrganizationUser {
            user_id: self.user_id.clone(),
            organization_id: self.organization_id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            assigned_roles: assignments::resolve(assignment_ids, custom),
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_active_at: self.last_active_at.map(DateTime::from),
        }
    }
}

const MEMBER_COLUMNS: &str =
    "m.organization_id, m.user_id, u.name, u.email, m.role, m.created_at, m.updated_at,
            m.last_active_at
           FROM organization_members m
           JOIN users u ON u.id = m.user_id";

pub async fn find(
    db: impl Executor<'_>,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<MemberRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} WHERE m.organization_id = $1 AND m.user_id = $2"
    ))
    .bind(organization_id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Every member with their assignments, oldest first (then by e-mail).
///
/// Three queries whatever the size of the organization: the members, all
/// their assignments, and the custom assignments when anyone holds one.
pub async fn list(
    db: &mut Conn,
    organization_id: &str,
) -> Result<Vec<OrganizationUser>, sqlx::Error> {
    let members: Vec<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} WHERE m.organization_id = $1
          ORDER BY m.created_at, u.email_normalized, m.user_id"
    ))
    .bind(organization_id)
    .fetch_all(&mut *db)
    .await?;
    let held_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, assignment_id FROM member_assignments WHERE organization_id = $1
          ORDER BY user_id, assignment_id",
    )
    .bind(organization_id)
    .fetch_all(&mut *db)
    .await?;
    let custom =
        custom_assignments_if_held(db, organization_id, held_rows.iter().map(|(_, a)| a)).await?;

    let mut held: HashMap<String, Vec<String>> = HashMap::new();
    for (user_id, assignment_id) in held_rows {
        held.entry(user_id).or_default().push(assignment_id);
    }
    Ok(members
        .iter()
        .map(|m| {
            let ids = held.get(&m.user_id).map(Vec::as_slice).unwrap_or_default();
            m.to_wire(ids, &custom)
        })
        .collect())
}

/// How many ids one `IN (…)` list binds: well under either database's
/// limit on parameters.
const IN_LIST_MAX: usize = 500;

/// The members among `user_ids`, with their assignments (ids that are not
/// members are left out), in no particular order. A few queries per 500
/// ids, however many members the organization has.
pub async fn find_many(
    db: &mut Conn,
    organization_id: &str,
    user_ids: &[String],
) -> Result<Vec<OrganizationUser>, sqlx::Error> {
    let backend = Backend::of_conn(db);
    let mut rows: Vec<MemberRow> = Vec::with_capacity(user_ids.len());
    let mut held: HashMap<String, Vec<String>> = HashMap::new();
    for ids in user_ids.chunks(IN_LIST_MAX) {
        let mut sql = Sql::new(
            backend,
            format!("SELECT {MEMBER_COLUMNS} WHERE m.organization_id = "),
        );
        sql.push_bind(organization_id.to_owned())
            .push(" AND m.user_id IN (")
            .push_binds(ids)
            .push(")");
        rows.extend(
            sql.build_query_as::<MemberRow>()
                .fetch_all(&mut *db)
                .await?,
        );

        let mut sql = Sql::new(
            backend,
            "SELECT user_id, assignment_id FROM member_assignments WHERE organization_id = ",
        );
        sql.push_bind(organization_id.to_owned())
            .push(" AND user_id IN (")
            .push_binds(ids)
            .push(") ORDER BY user_id, assignment_id");
        let pairs: Vec<(String, String)> = sql.build_query_as().fetch_all(&mut *db).await?;
        for (user_id, assignment_id) in pairs {
            held.entry(user_id).or_default().push(assignment_id);
        }
    }
    let custom = custom_assignments_if_held(db, organization_id, held.values().flatten()).await?;
    Ok(rows
        .iter()
        .map(|m| {
            let ids = held.get(&m.user_id).map(Vec::as_slice).unwrap_or_default();
            m.to_wire(ids, &custom)
        })
        .collect())
}

/// Records that a member used the API `now`, unless that was already
/// recorded within `interval`. The condition is in the statement, so
/// instances that both saw a stale value write once between them.
/// Returns whether it wrote.
pub async fn record_activity(
    db: impl Executor<'_>,
    organization_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
    interval: chrono::TimeDelta,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE organization_members SET last_active_at = $1
          WHERE organization_id = $2 AND user_id = $3
            AND (last_active_at IS NULL OR last_active_at < $4)",
    )
    .bind(timestamp(now))
    .bind(organization_id)
    .bind(user_id)
    .bind(timestamp(now - interval))
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The organization's `members_version` (migration 0004): it changes with
/// anything [`list`] returns. `None` when the organization is gone.
pub async fn list_version(
    db: impl Executor<'_>,
    organization_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT members_version FROM organizations WHERE id = $1")
        .bind(organization_id)
        .fetch_optional(db)
        .await
}

/// The assignment ids one member holds.
pub async fn assignment_ids(
    db: impl Executor<'_>,
    organization_id: &str,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT assignment_id FROM member_assignments WHERE organization_id = $1 AND user_id = $2
          ORDER BY assignment_id",
    )
    .bind(organization_id)
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The organization's custom assignments, read only when one of `ids` is
/// not a global assignment.
async fn custom_assignments_if_held<'a>(
    db: &mut Conn,
    organization_id: &str,
    mut ids: impl Iterator<Item = &'a String>,
) -> Result<Vec<CustomAssignmentRow>, sqlx::Error> {
    if ids.any(|id| global_assignment(id).is_none()) {
        assignments::custom_assignments(db, organization_id).await
    } else {
        Ok(Vec::new())
    }
}

/// A user's membership as it is now, read on `conn` (inside a write
/// transaction, the decision then rests on the state the write will change).
/// `None` when the user is not a member or the organization is gone.
pub async fn membership(
    conn: &mut Conn,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<Membership>, sqlx::Error> {
    let Some(row) = organizations::membership(&mut *conn, organization_id, user_id).await? else {
        return Ok(None);
    };
    let ids = assignment_ids(&mut *conn, organization_id, user_id).await?;
    let custom = custom_assignments_if_held(conn, organization_id, ids.iter()).await?;
    Ok(Some(Membership::new(
        row.role,
        &assignments::resolve(&ids, &custom),
        row.organization.personal,
        row.owner_count,
    )))
}

/// Sets a member's role and replaces their assignments. Owners hold every
/// permission, so an owner keeps no assignments. Call inside a write
/// transaction; demoting the last owner fails (see
/// [`is_last_owner_violation`]).
pub async fn update_access(
    tx: &mut Conn,
    organization_id: &str,
    user_id: &str,
    role: Role,
    assignment_ids: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE organization_members SET role = $1, updated_at = $2
          WHERE organization_id = $3 AND user_id = $4",
    )
    .bind(role.as_str())
    .bind(timestamp(now))
    .bind(organization_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM member_assignments WHERE organization_id = $1 AND user_id = $2")
        .bind(organization_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if role == Role::Member {
        add_assignments(tx, organization_id, user_id, assignment_ids).await?;
    }
    Ok(())
}

/// Gives a member the assignments `ids`; one they already hold stays as it
/// is.
pub async fn add_assignments(
    tx: &mut Conn,
    organization_id: &str,
    user_id: &str,
    ids: impl IntoIterator<Item = impl AsRef<str>>,
) -> Result<(), sqlx::Error> {
    for assignment_id in ids {
        sqlx::query(
            "INSERT INTO member_assignments (organization_id, user_id, assignment_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(assignment_id.as_ref())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Removes a member (their assignments go with them). Removing the last
/// owner fails (see [`is_last_owner_violation`]).
pub async fn remove(
    db: impl Executor<'_>,
    organization_id: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2")
        .bind(organization_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Makes `successor` an owner, then removes `leaver`: a sole owner's
/// hand-over. Call inside a write transaction, so both happen or neither.
pub async fn hand_over_and_leave(
    tx: &mut Conn,
    organization_id: &str,
    leaver: &str,
    successor: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE organization_members SET role = 'owner', updated_at = $1
          WHERE organization_id = $2 AND user_id = $3 AND role <> 'owner'",
    )
    .bind(timestamp(now))
    .bind(organization_id)
    .bind(successor)
    .execute(&mut *tx)
    .await?;
    // An owner holds every permission, so assignments would only mislead.
    sqlx::query("DELETE FROM member_assignments WHERE organization_id = $1 AND user_id = $2")
        .bind(organization_id)
        .bind(successor)
        .execute(&mut *tx)
        .await?;
    remove(&mut *tx, organization_id, leaver).await
}

/// The error of the schema's last-owner triggers.
pub fn is_last_owner_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.message().contains("last owner"))
}
