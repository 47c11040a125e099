//! The outbox table: every message the server sends, delivered or not,
//! with its delivery attempts (the delivery itself is `services::mail`).

use crate::db::{timestamp, Executor};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// An outbox row claimed for delivery.
#[derive(FromRow)]
pub struct Queued {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub attempts: i64,
}

/// Writes a message due at once; `sent_at` when it is delivered as it is
/// written (to the log).
pub async fn insert(
    db: impl Executor<'_>,
    recipient: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body, link, created_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(link)
    .bind(timestamp(created_at))
    .bind(sent_at.map(timestamp))
    .execute(db)
    .await?;
    Ok(())
}

/// Writes a message not to be delivered before `until`.
pub async fn insert_held(
    db: impl Executor<'_>,
    recipient: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
    created_at: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body, link, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(link)
    .bind(timestamp(created_at))
    .bind(timestamp(until))
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the undelivered messages about `link` as given up (their
/// attempts set to `max_attempts`) without deleting them; returns how many.
pub async fn withdraw(
    db: impl Executor<'_>,
    link: &str,
    max_attempts: i64,
) -> Result<u64, sqlx::Error> {
    let withdrawn = sqlx::query(
        "UPDATE outbox SET attempts = $1, next_attempt_at = NULL,
                last_error = 'withdrawn before delivery: the link no longer works'
          WHERE link = $2 AND sent_at IS NULL",
    )
    .bind(max_attempts)
    .bind(link)
    .execute(db)
    .await?;
    Ok(withdrawn.rows_affected())
}

/// Claims up to `batch` undelivered messages that are due at `now`, have
/// had fewer than `max_attempts` attempts and were written after
/// `created_after`: counts the attempt and keeps them from other deliverers
/// until `lease_until`.
pub async fn claim_due(
    db: impl Executor<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    max_attempts: i64,
    created_after: DateTime<Utc>,
    batch: i64,
) -> Result<Vec<Queued>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1
          WHERE id IN (SELECT id FROM outbox
                        WHERE sent_at IS NULL AND attempts < $2 AND created_at > $3
                          AND (next_attempt_at IS NULL OR next_attempt_at <= $4)
                        ORDER BY id LIMIT $5)
            -- Again on the row itself: on PostgreSQL another instance may
            -- claim a row between the inner read and this update, and
            -- only these terms are checked again on the row it wrote.
            AND sent_at IS NULL AND attempts < $2
            AND (next_attempt_at IS NULL OR next_attempt_at <= $4)
         RETURNING id, recipient, subject, body, link, attempts",
    )
    .bind(timestamp(lease_until))
    .bind(max_attempts)
    .bind(timestamp(created_after))
    .bind(timestamp(now))
    .bind(batch)
    .fetch_all(db)
    .await
}

pub async fn mark_sent(
    db: impl Executor<'_>,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2")
        .bind(timestamp(at))
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: its error, when to try again, and when the
/// sender `gives_up`, attempts set to `max_attempts` so it is not retried.
pub async fn mark_failed(
    db: impl Executor<'_>,
    id: i64,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    gives_up: bool,
    max_attempts: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET last_error = $1, next_attempt_at = $2,
                attempts = CASE WHEN $3 THEN $4 ELSE attempts END
          WHERE id = $5",
    )
    .bind(error)
    .bind(timestamp(next_attempt_at))
    .bind(gives_up)
    .bind(max_attempts)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
