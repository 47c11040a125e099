//! Assignments ("organization roles"): the global ones from roster-core and
//! each organization's custom ones.

use chrono::{DateTime, Utc};
use roster_core::assignment::global_assignment;
use roster_core::wire::OrganizationRole;
use sqlx::{FromRow, SqliteExecutor};

#[derive(Clone, Debug, FromRow)]
pub struct CustomRoleRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub permissions: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CustomRoleRow {
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

/// Turns stored assignment ids into wire roles, global ones from core.
pub fn resolve(ids: &[String], custom: &[CustomRoleRow]) -> Vec<OrganizationRole> {
    let mut roles: Vec<OrganizationRole> = ids
        .iter()
        .filter_map(|id| {
            global_assignment(id)
                .map(|g| g.to_wire(global_epoch()))
                .or_else(|| custom.iter().find(|c| &c.id == id).map(CustomRoleRow::to_wire))
        })
        .collect();
    roles.sort_by(|a, b| a.id.cmp(&b.id));
    roles
}

pub async fn custom_roles(
    db: impl SqliteExecutor<'_>,
    organization_id: &str,
) -> Result<Vec<CustomRoleRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, organization_id, name, description, permissions, created_at, updated_at
           FROM organization_roles WHERE organization_id = ? ORDER BY id",
    )
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// The assignments one member holds in one organization.
pub async fn assigned_roles(
    db: &sqlx::SqlitePool,
    organization_id: &str,
    user_id: &str,
) -> Result<Vec<OrganizationRole>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT role_id FROM member_assignments WHERE organization_id = ? AND user_id = ?",
    )
    .bind(organization_id)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let custom = if ids.iter().any(|id| global_assignment(id).is_none()) {
        custom_roles(db, organization_id).await?
    } else {
        Vec::new()
    };
    Ok(resolve(&ids, &custom))
}
