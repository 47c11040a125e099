//! The demo seed's writes (`services::seed`): rows put in place as they
//! would have been written, bypassing the handlers' steps.

use chrono::{DateTime, Duration, Utc};

use crate::db::{new_id, timestamp};

/// A demo audit row, as a past request would have left it.
pub struct AuditRow {
    pub organization_id: String,
    pub actor: (String, String),
    pub action: &'static str,
    pub target: (&'static str, String),
    pub status: u16,
    pub error: Option<&'static str>,
    pub method: &'static str,
    pub path: String,
    pub minutes_ago: i64,
}

/// Writes the rows in the given order (`seq` 1, 2, …), each dated
/// `minutes_ago` before `now`.
pub async fn write_audit_history(
    tx: &mut crate::db::Conn,
    rows: &[AuditRow],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for (seq, row) in (1_i64..).zip(rows) {
        let metadata = serde_json::json!({ "method": row.method, "path": row.path });
        sqlx::query(
            "INSERT INTO audit_logs (id, seq, organization_id, actor_id, actor_email, action,
                 target_type, target_id, status_code, error_message, metadata, ip_address,
                 user_agent, source, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '192.0.2.10',
                 'Mozilla/5.0 (X11; Linux x86_64) Chrome/141.0 Safari/537.36', 'api', $12)",
        )
        .bind(new_id())
        .bind(seq)
        .bind(&row.organization_id)
        .bind(&row.actor.0)
        .bind(&row.actor.1)
        .bind(row.action)
        .bind(row.target.0)
        .bind(&row.target.1)
        .bind(i64::from(row.status))
        .bind(row.error)
        .bind(metadata.to_string())
        .bind(timestamp(now - Duration::minutes(row.minutes_ago)))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Dave's pending invitation to the organization, as a member with the
/// assignments (`assignment_ids`, a JSON list).
pub async fn insert_invitation_to_dave(
    tx: &mut crate::db::Conn,
    id: &str,
    organization_id: &str,
    assignment_ids: &str,
    invited_by: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
             assignment_ids, invited_by, status, expires_at, created_at, updated_at)
         VALUES ($1, $2, 'dave@example.com', 'dave@example.com', 'member', $3, $4, 'pending', $5, $6, $7)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(assignment_ids)
    .bind(invited_by)
    .bind(timestamp(expires_at))
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Adds a member with these assigned roles, last active at
/// `last_active_at` (`None`: never).
pub async fn add_member(
    tx: &mut crate::db::Conn,
    organization_id: &str,
    user_id: &str,
    assignments: &[&str],
    last_active_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    let now = timestamp(Utc::now());
    sqlx::query(
        "INSERT INTO organization_members
             (organization_id, user_id, role, created_at, updated_at, last_active_at)
         VALUES ($1, $2, 'member', $3, $4, $5)",
    )
    .bind(organization_id)
    .bind(user_id)
    .bind(&now)
    .bind(&now)
    .bind(last_active_at.map(timestamp))
    .execute(&mut *tx)
    .await?;
    super::members::add_assignments(tx, organization_id, user_id, assignments).await
}
