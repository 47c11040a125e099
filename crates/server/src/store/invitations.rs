//! Invitations, and joining an organization by accepting one.
//!
//! Every write here runs inside the caller's `begin_write` transaction, so a
//! check and the write that depends on it see the same state. The schema
//! adds a belt: at most one pending invitation per address and organization
//! (`invitations_one_pending`), one membership per user and organization.

use crate::db::{new_id, timestamp, Conn, Executor, Flag, Stamp};
use chrono::{DateTime, Utc};
use roster_core::wire::{InvitationStatus, OrganizationInvitation};
use roster_core::{InvitationState, Role};
use sqlx::FromRow;

use super::assignments::{self, CustomAssignmentRow};
use super::members;

/// An invitation with its organization's name, as the API shows it.
#[derive(Clone, Debug, FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub email: String,
    pub email_normalized: String,
    pub role: String,
    /// JSON array of assignment ids.
    #[sqlx(rename = "assignment_ids")]
    pub assignment_ids_json: String,
    /// The inviter's e-mail.
    pub invited_by: String,
    pub status: String,
    #[sqlx(try_from = "Stamp")]
    pub expires_at: DateTime<Utc>,
    #[sqlx(try_from = "Stamp")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Stamp")]
    pub updated_at: DateTime<Utc>,
}

impl InvitationRow {
    pub fn status(&self) -> InvitationStatus {
        match self.status.as_str() {
            "accepted" => InvitationStatus::Accepted,
            "declined" => InvitationStatus::Declined,
            "cancelled" => InvitationStatus::Cancelled,
            _ => InvitationStatus::Pending,
        }
    }

    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Member)
    }

    pub fn state(&self, now: DateTime<Utc>) -> InvitationState {
        InvitationState::of(self.status(), self.expires_at, now)
    }

    pub fn assignment_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.assignment_ids_json).unwrap_or_default()
    }

    /// The wire form; `custom` may hold the custom assignments of several
    /// organizations, only this invitation's organization's are used.
    pub fn to_wire(&self, custom: &[CustomAssignmentRow]) -> OrganizationInvitation {
        let own: Vec<CustomAssignmentRow> = custom
            .iter()
            .filter(|c| c.organization_id == self.organization_id)
            .cloned()
            .collect();
        OrganizationInvitation {
            id: self.id.clone(),
            email: self.email.clone(),
            invited_by: self.invited_by.clone(),
            organization_id: self.organization_id.clone(),
            organization_name: self.organization_name.clone(),
            expires_at: self.expires_at,
            status: self.status(),
            role: self.role(),
            assigned_roles: assignments::resolve(&self.assignment_ids(), &own),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

const SELECT: &str = "SELECT i.id, i.organization_id, o.name AS organization_name, i.email,
        i.email_normalized, i.role, i.assignment_ids, i.invited_by, i.status, i.expires_at,
        i.created_at, i.updated_at
   FROM invitations i JOIN organizations o ON o.id = i.organization_id";

pub async fn find(db: impl Executor<'_>, id: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The organization's `invitations_version` (migration 0005): it changes
/// with anything [`list_for_organization`] returns. `None` when the
/// organization is gone.
pub async fn list_version(
    db: impl Executor<'_>,
    organization_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT invitations_version FROM organizations WHERE id = $1")
        .bind(organization_id)
        .fetch_optional(db)
        .await
}

/// An organization's pending invitations, newest first; expired ones only
/// when asked for.
pub async fn list_for_organization(
    db: impl Executor<'_>,
    organization_id: &str,
    include_expired: bool,
    now: DateTime<Utc>,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    // Every stored expiry sorts after the empty string.
    let cutoff = if include_expired {
        String::new()
    } else {
        timestamp(now)
    };
    sqlx::query_as(&format!(
        "{SELECT} WHERE i.organization_id = $1 AND i.status = 'pending' AND i.expires_at > $2
          ORDER BY i.created_at DESC, i.id DESC"
    ))
    .bind(organization_id)
    .bind(cutoff)
    .fetch_all(db)
    .await
}

/// The pending, unexpired invitations addressed to `email_normalized`,
/// across organizations, newest first.
pub async fn list_for_email(
    db: impl Executor<'_>,
    email_normalized: &str,
    now: DateTime<Utc>,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE i.email_normalized = $1 AND i.status = 'pending' AND i.expires_at > $2
          ORDER BY i.created_at DESC, i.id DESC"
    ))
    .bind(email_normalized)
    .bind(timestamp(now))
    .fetch_all(db)
    .await
}

pub async fn count_for_email(
    db: impl Executor<'_>,
    email_normalized: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations
          WHERE email_normalized = $1 AND status = 'pending' AND expires_at > $2",
    )
    .bind(email_normalized)
    .bind(timestamp(now))
    .fetch_one(db)
    .await
}

/// The custom assignments of every organization that has a pending,
/// unexpired invitation for `email_normalized` (one query for the whole
/// list).
pub async fn custom_assignments_for_email(
    db: impl Executor<'_>,
    email_normalized: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CustomAssignmentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, organization_id, name, description, permissions, created_at, updated_at
           FROM custom_assignments
          WHERE organization_id IN (
                SELECT organization_id FROM invitations
                 WHERE email_normalized = $1 AND status = 'pending' AND expires_at > $2)
          ORDER BY id",
    )
    .bind(email_normalized)
    .bind(timestamp(now))
    .fetch_all(db)
    .await
}

/// Whether the account with this address is a member of the organization.
pub async fn is_member(
    db: impl Executor<'_>,
    organization_id: &str,
    email_normalized: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar::<_, Flag>(
        "SELECT EXISTS (SELECT 1 FROM organization_members m JOIN users u ON u.id = m.user_id
                         WHERE m.organization_id = $1 AND u.email_normalized = $2)",
    )
    .bind(organization_id)
    .bind(email_normalized)
    .fetch_one(db)
    .await
    .map(bool::from)
}

pub async fn has_open_invitation(
    db: impl Executor<'_>,
    organization_id: &str,
    email_normalized: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar::<_, Flag>(
        "SELECT EXISTS (SELECT 1 FROM invitations
                         WHERE organization_id = $1 AND email_normalized = $2
                           AND status = 'pending' AND expires_at > $3)",
    )
    .bind(organization_id)
    .bind(email_normalized)
    .bind(timestamp(now))
    .fetch_one(db)
    .await
    .map(bool::from)
}

pub struct NewInvitation<'a> {
    pub organization_id: &'a str,
    /// Validated and normalised.
    pub email: &'a str,
    pub role: Role,
    pub assignment_ids: &'a [String],
    pub invited_by: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// Creates a pending invitation. An expired pending invitation for the same
/// address is superseded (cancelled): the new one replaces it.
pub async fn create(
    tx: &mut Conn,
    new: &NewInvitation<'_>,
    now: DateTime<Utc>,
) -> Result<InvitationRow, sqlx::Error> {
    sqlx::query(
        "UPDATE invitations SET status = 'cancelled', updated_at = $1
          WHERE organization_id = $2 AND email_normalized = $3 AND status = 'pending'
            AND expires_at <= $4",
    )
    .bind(timestamp(now))
    .bind(new.organization_id)
    .bind(new.email)
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
             assignment_ids, invited_by, status, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)",
    )
    .bind(&id)
    .bind(new.organization_id)
    .bind(new.email)
    .bind(new.email)
    .bind(new.role.as_str())
    .bind(ids_json(new.assignment_ids))
    .bind(new.invited_by)
    .bind(timestamp(new.expires_at))
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    find(&mut *tx, &id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Changes what a pending, unexpired invitation grants; false when it is no
/// longer open.
pub async fn update_open(
    tx: &mut Conn,
    id: &str,
    role: Role,
    assignment_ids: &[String],
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations
            SET role = $1, assignment_ids = $2, expires_at = COALESCE($3, expires_at),
                updated_at = $4
          WHERE id = $5 AND status = 'pending' AND expires_at > $6",
    )
    .bind(role.as_str())
    .bind(ids_json(assignment_ids))
    .bind(expires_at.map(timestamp))
    .bind(timestamp(now))
    .bind(id)
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a pending invitation (expired or not) a new expiry.
pub async fn renew(
    tx: &mut Conn,
    id: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET expires_at = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(timestamp(expires_at))
    .bind(timestamp(now))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels a pending invitation (expired or not).
pub async fn cancel(tx: &mut Conn, id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET status = 'cancelled', updated_at = $1
          WHERE id = $2 AND status = 'pending'",
    )
    .bind(timestamp(now))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The invitee's answer. Only a pending, unexpired invitation can be
/// answered, and only once: false when it was no longer open.
pub async fn answer(
    tx: &mut Conn,
    id: &str,
    answer: InvitationStatus,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET status = $1, updated_at = $2
          WHERE id = $3 AND status = 'pending' AND expires_at > $4",
    )
    .bind(answer.as_str())
    .bind(timestamp(now))
    .bind(id)
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes the invitee a member with the invitation's role and the
/// assignments that still exist. Someone who already is a member keeps
/// their membership as it is. Returns whether a membership was created.
pub async fn join(
    tx: &mut Conn,
    invitation: &InvitationRow,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, user_id) DO NOTHING",
    )
    .bind(&invitation.organization_id)
    .bind(user_id)
    .bind(invitation.role().as_str())
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    let custom = assignments::custom_assignments(&mut *tx, &invitation.organization_id).await?;
    let existing = assignments::existing_ids(&invitation.assignment_ids(), &custom);
    members::add_assignments(tx, &invitation.organization_id, user_id, existing).await?;
    Ok(true)
}

/// Assignment ids as the invitation stores them: a JSON array.
fn ids_json(ids: &[String]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string())
}
