//! Organizations and memberships.

use crate::db::{new_id, timestamp, Executor, Flag, Stamp};
use chrono::{DateTime, Utc};
use roster_core::wire::Organization;
use roster_core::Role;
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub created_by: String,
    #[sqlx(try_from = "Flag")]
    pub personal: bool,
    pub default_region_id: Option<String>,
    #[sqlx(try_from = "Stamp")]
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "Stamp")]
    pub updated_at: DateTime<Utc>,
}

impl OrganizationRow {
    pub fn to_wire(&self) -> Organization {
        let mut organization = Organization::new(
            &self.id,
            &self.name,
            &self.created_by,
            self.personal,
            self.created_at,
        );
        organization.updated_at = self.updated_at;
        organization.default_region_id = self.default_region_id.clone();
        organization
    }
}

/// The caller's membership in one organization.
pub struct MembershipRow {
    pub organization: OrganizationRow,
    pub role: Role,
    pub owner_count: usize,
    /// When the member last used the API here (`None`: never).
    pub last_active_at: Option<DateTime<Utc>>,
}

pub async fn membership(
    db: impl Executor<'_>,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<MembershipRow>, sqlx::Error> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        organization: OrganizationRow,
        role: String,
        owner_count: i64,
        last_active_at: Option<Stamp>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT o.id, o.name, o.created_by, o.personal, o.default_region_id, o.created_at,
                o.updated_at, m.role, m.last_active_at,
                (SELECT COUNT(*) FROM organization_members
                  WHERE organization_id = o.id AND role = 'owner') AS owner_count
           FROM organizations o
           JOIN organization_members m ON m.organization_id = o.id
          WHERE o.id = $1 AND m.user_id = $2",
    )
    .bind(organization_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| MembershipRow {
        organization: row.organization,
        role: row.role.parse().unwrap_or(Role::Member),
        owner_count: usize::try_from(row.owner_count).unwrap_or(0),
        last_active_at: row.last_active_at.map(DateTime::from),
    }))
}

/// Creates an organization with its creator as the first owner.
pub async fn create(
    tx: &mut crate::db::Conn,
    name: &str,
    created_by: &str,
    personal: bool,
    default_region_id: Option<&str>,
) -> Result<OrganizationRow, sqlx::Error> {
    let now = Utc::now();
    let row = OrganizationRow {
        id: new_id(),
        name: name.to_string(),
        created_by: created_by.to_string(),
        personal,
        default_region_id: default_region_id.map(str::to_string),
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO organizations (id, name, created_by, personal, default_region_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(&row.name)
    .bind(&row.created_by)
    .bind(i64::from(row.personal))
    .bind(&row.default_region_id)
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
         VALUES ($1, $2, 'owner', $3, $4)",
    )
    .bind(&row.id)
    .bind(created_by)
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    Ok(row)
}

/// The user's organizations: personal first, then by name.
pub async fn list_for_user(
    db: impl Executor<'_>,
    user_id: &str,
) -> Result<Vec<OrganizationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.name, o.created_by, o.personal, o.default_region_id, o.created_at, o.updated_at
           FROM organizations o
           JOIN organization_members m ON m.organization_id = o.id
          WHERE m.user_id = $1
          ORDER BY o.personal DESC, lower(o.name), o.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// How many collaborative organizations the user created that still exist.
pub async fn count_created_by(db: impl Executor<'_>, user_id: &str) -> Result<usize, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM organizations WHERE created_by = $1 AND personal = 0",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// Renames the organization; `None` when it no longer exists.
pub async fn rename(
    db: impl Executor<'_>,
    organization_id: &str,
    name: &str,
) -> Result<Option<OrganizationRow>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE organizations SET name = $1, updated_at = $2 WHERE id = $3
         RETURNING id, name, created_by, personal, default_region_id, created_at, updated_at",
    )
    .bind(name)
    .bind(timestamp(Utc::now()))
    .bind(organization_id)
    .fetch_optional(db)
    .await
}

/// Sets the default region unless one is set already; `false` when it was.
pub async fn set_default_region(
    db: impl Executor<'_>,
    organization_id: &str,
    region_id: &str,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE organizations SET default_region_id = $1, updated_at = $2
          WHERE id = $3 AND default_region_id IS NULL",
    )
    .bind(region_id)
    .bind(timestamp(Utc::now()))
    .bind(organization_id)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// Deletes the organization with its members, their assignments, its custom
/// assignments and invitations (foreign-key cascades).
pub async fn delete(db: impl Executor<'_>, organization_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(organization_id)
        .execute(db)
        .await?;
    Ok(())
}
