//! Assignments ("organization roles"): the global ones from roster-core and
//! each organization's custom ones.

use crate::db::{new_id, timestamp, Conn, Executor, Stamp};
use chrono::{DateTime, SubsecRound, Utc};
use roster_core::assignment::{global_assignment, global_assignments_wire};
use roster_core::wire::OrganizationRole;
use roster_core::PermissionSet;
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct CustomAssignmentRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub permissions: String,
    #[sqlx(try_from = "Stamp")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Stamp")]
    pub updated_at: DateTime<Utc>,
}

impl CustomAssignmentRow {
    pub fn to_wire(&self) -> OrganizationRole {
        OrganizationRole {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            permissions: serde_json::from_str(&self.permissions).unwrap_or_default(),
            is_global: false,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// When the global assignments "were created": a fixed instant, so the
/// responses are stable.
pub fn global_epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600, 0).unwrap_or_default()
}

/// Turns stored assignment ids into their wire form, global ones from core.
pub fn resolve(ids: &[String], custom: &[CustomAssignmentRow]) -> Vec<OrganizationRole> {
    let mut assignments: Vec<OrganizationRole> = ids
        .iter()
        .filter_map(|id| {
            global_assignment(id)
                .map(|g| g.to_wire(global_epoch()))
                .or_else(|| {
                    custom
                        .iter()
                        .find(|c| &c.id == id)
                        .map(CustomAssignmentRow::to_wire)
                })
        })
        .collect();
    assignments.sort_by(|a, b| a.id.cmp(&b.id));
    assignments
}

pub async fn custom_assignments(
    db: impl Executor<'_>,
    organization_id: &str,
) -> Result<Vec<CustomAssignmentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, organization_id, name, description, permissions, created_at, updated_at
           FROM custom_assignments WHERE organization_id = $1 ORDER BY id",
    )
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// The assignments one member holds in one organization.
pub async fn held_by(
    db: &crate::db::Db,
    organization_id: &str,
    user_id: &str,
) -> Result<Vec<OrganizationRole>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT assignment_id FROM member_assignments WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(organization_id)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let custom = if ids.iter().any(|id| global_assignment(id).is_none()) {
        custom_assignments(db, organization_id).await?
    } else {
        Vec::new()
    };
    Ok(resolve(&ids, &custom))
}

/// Every assignment of an organization as listed by the API: the global
/// ones, then the organization's custom ones, each ordered by id.
pub async fn list(
    db: impl Executor<'_>,
    organization_id: &str,
) -> Result<Vec<OrganizationRole>, sqlx::Error> {
    let mut assignments = global_assignments_wire(global_epoch());
    assignments.extend(
        custom_assignments(db, organization_id)
            .await?
            .iter()
            .map(CustomAssignmentRow::to_wire),
    );
    Ok(assignments)
}

/// One custom assignment of this organization; `None` for a global id or
/// another organization's assignment.
pub async fn find_custom(
    db: impl Executor<'_>,
    organization_id: &str,
    assignment_id: &str,
) -> Result<Option<CustomAssignmentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, organization_id, name, description, permissions, created_at, updated_at
           FROM custom_assignments WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(assignment_id)
    .fetch_optional(db)
    .await
}

/// A custom assignment's content, already validated.
pub struct AssignmentContent {
    pub name: String,
    pub description: String,
    pub permissions: PermissionSet,
}

impl AssignmentContent {
    /// Stored as a JSON array of wire strings, in the spec's order.
    fn permissions_json(&self) -> String {
        let strings: Vec<&str> = self.permissions.iter().map(|p| p.as_str()).collect();
        serde_json::Value::from(strings).to_string()
    }
}

pub async fn create(
    tx: &mut Conn,
    organization_id: &str,
    content: &AssignmentContent,
) -> Result<CustomAssignmentRow, sqlx::Error> {
    // As precise as stored, so the answer equals what a later read returns.
    let now = Utc::now().trunc_subsecs(6);
    let row = CustomAssignmentRow {
        id: new_id(),
        organization_id: organization_id.to_string(),
        name: content.name.clone(),
        description: content.description.clone(),
        permissions: content.permissions_json(),
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO custom_assignments
             (id, organization_id, name, description, permissions, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(&row.organization_id)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.permissions)
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    Ok(row)
}

/// Replaces the content of an existing custom assignment.
pub async fn update(
    tx: &mut Conn,
    existing: CustomAssignmentRow,
    content: &AssignmentContent,
) -> Result<CustomAssignmentRow, sqlx::Error> {
    // As precise as stored, so the answer equals what a later read returns.
    let now = Utc::now().trunc_subsecs(6);
    let row = CustomAssignmentRow {
        name: content.name.clone(),
        description: content.description.clone(),
        permissions: content.permissions_json(),
        updated_at: now,
        ..existing
    };
    sqlx::query(
        "UPDATE custom_assignments SET name = $1, description = $2, permissions = $3, updated_at = $4
          WHERE organization_id = $5 AND id = $6",
    )
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.permissions)
    .bind(timestamp(now))
    .bind(&row.organization_id)
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    Ok(row)
}

pub async fn delete(
    tx: &mut Conn,
    organization_id: &str,
    assignment_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM custom_assignments WHERE organization_id = $1 AND id = $2")
        .bind(organization_id)
        .bind(assignment_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The e-mails of the members holding an assignment, in order.
pub async fn member_emails_holding(
    db: impl Executor<'_>,
    organization_id: &str,
    assignment_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT u.email FROM member_assignments a JOIN users u ON u.id = a.user_id
          WHERE a.organization_id = $1 AND a.assignment_id = $2
          ORDER BY u.email_normalized",
    )
    .bind(organization_id)
    .bind(assignment_id)
    .fetch_all(db)
    .await
}

/// The invitees of the pending invitations (expired ones included: they can
/// be resent) that would grant an assignment, in order.
pub async fn pending_invitation_emails_with(
    db: impl Executor<'_>,
    organization_id: &str,
    assignment_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    // The ids are a JSON array, which the two databases take apart with
    // different functions; an organization's pending invitations are few,
    // so they are read and the array is looked into here.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.email, i.assignment_ids FROM invitations i
          WHERE i.organization_id = $1 AND i.status = 'pending'
          ORDER BY i.email_normalized",
    )
    .bind(organization_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, ids)| {
            serde_json::from_str::<Vec<String>>(ids)
                .is_ok_and(|ids| ids.iter().any(|id| id == assignment_id))
        })
        .map(|(email, _)| email)
        .collect())
}

/// The distinct assignment ids of a request, in their first order, if every
/// one names a global assignment or one of the organization's custom ones.
pub fn known_ids(ids: &[String], custom: &[CustomAssignmentRow]) -> Option<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let mut known = Vec::new();
    for id in ids {
        if global_assignment(id).is_none() && !custom.iter().any(|c| &c.id == id) {
            return None;
        }
        if seen.insert(id.as_str()) {
            known.push(id.clone());
        }
    }
    Some(known)
}

/// The ids that still exist, for applying stored ids whose custom
/// assignments may have been deleted since.
pub fn existing_ids(ids: &[String], custom: &[CustomAssignmentRow]) -> Vec<String> {
    let existing: Vec<String> = ids
        .iter()
        .filter(|id| global_assignment(id).is_some() || custom.iter().any(|c| &c.id == *id))
        .cloned()
        .collect();
    known_ids(&existing, custom).unwrap_or_default()
}
