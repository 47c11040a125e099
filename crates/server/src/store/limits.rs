//! The limits every server instance shares: the sign-in attempts recorded
//! per address (`sign_in_attempts`, one row per slot; the rule is
//! `auth::throttle`) and when each cooldown key is free again
//! (`mail_slots`; the rule is `cooldown`). Rows that no longer count are
//! pruned a bounded batch at a time by the calls that write.

use chrono::{DateTime, Utc};

use crate::db::{timestamp, Executor, Stamp};

/// The attempts recorded for an address: slot and start, oldest first.
pub async fn sign_in_attempts(
    db: impl Executor<'_>,
    email_normalized: &str,
) -> Result<Vec<(i64, DateTime<Utc>)>, sqlx::Error> {
    let rows: Vec<(i64, Stamp)> = sqlx::query_as(
        "SELECT slot, attempted_at FROM sign_in_attempts
          WHERE email_normalized = $1 ORDER BY attempted_at, slot",
    )
    .bind(email_normalized)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(slot, at)| (slot, at.0)).collect())
}

/// Records an attempt at `now` in the address's `slot` if that slot is
/// free: never used, or its attempt started at or before `over_by`. One
/// statement, so of two concurrent attempts (on any instance) for the same
/// slot only one takes it; `false` for the other, which reads again.
pub async fn claim_sign_in_slot(
    db: impl Executor<'_>,
    email_normalized: &str,
    slot: i64,
    now: DateTime<Utc>,
    over_by: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    // On PostgreSQL the conflict's condition is checked again on the row
    // as a concurrent attempt left it, under its lock.
    let claimed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO sign_in_attempts (email_normalized, slot, attempted_at)
         VALUES ($1, $2, $3)
         ON CONFLICT (email_normalized, slot)
         DO UPDATE SET attempted_at = excluded.attempted_at
          WHERE sign_in_attempts.attempted_at <= $4
         RETURNING slot",
    )
    .bind(email_normalized)
    .bind(slot)
    .bind(timestamp(now))
    .bind(timestamp(over_by))
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// Forgets the address's attempts (it signed in).
pub async fn clear_sign_in_attempts(
    db: impl Executor<'_>,
    email_normalized: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_attempts WHERE email_normalized = $1")
        .bind(email_normalized)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes at most `batch` attempts that started at or before `over_by`
/// (a slot whose attempt is over is as good as never used); returns how
/// many.
pub async fn prune_sign_in_attempts(
    db: impl Executor<'_>,
    over_by: DateTime<Utc>,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    let pruned = sqlx::query(
        "DELETE FROM sign_in_attempts
          WHERE (email_normalized, slot) IN (SELECT email_normalized, slot FROM sign_in_attempts
                                              WHERE attempted_at <= $1 LIMIT $2)
            AND attempted_at <= $1",
    )
    .bind(timestamp(over_by))
    .bind(batch)
    .execute(db)
    .await?;
    Ok(pruned.rows_affected())
}

/// When the cooldown `key` is free again, if that is remembered. Read and
/// then [`set_mail_slot`] in one write transaction (`db::begin_write`):
/// nothing else books the key between the two.
pub async fn mail_slot(
    db: impl Executor<'_>,
    key: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let free_at: Option<Stamp> =
        sqlx::query_scalar("SELECT free_at FROM mail_slots WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    Ok(free_at.map(DateTime::from))
}

/// Records that the cooldown `key` is free again at `free_at`.
pub async fn set_mail_slot(
    db: impl Executor<'_>,
    key: &str,
    free_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_slots (key, free_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET free_at = excluded.free_at",
    )
    .bind(key)
    .bind(timestamp(free_at))
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes at most `batch` keys that are free again at `now` (as good as
/// never used); returns how many.
pub async fn prune_mail_slots(
    db: impl Executor<'_>,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    let pruned = sqlx::query(
        "DELETE FROM mail_slots
          WHERE key IN (SELECT key FROM mail_slots WHERE free_at <= $1 LIMIT $2)
            AND free_at <= $1",
    )
    .bind(timestamp(now))
    .bind(batch)
    .execute(db)
    .await?;
    Ok(pruned.rows_affected())
}
