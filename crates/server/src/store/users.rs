//! Accounts. Every account is created with its personal organization.

use crate::db::{new_id, timestamp, Executor, Flag, Stamp};
use chrono::{DateTime, Utc};
use roster_core::validate::normalize_email;
use sqlx::FromRow;

use roster_core::PERSONAL_ORGANIZATION_NAME;

use super::organizations;

#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub email_verified: bool,
    #[sqlx(try_from = "Stamp")]
    pub created_at: DateTime<Utc>,
}

pub enum CreateOutcome {
    Created(UserRow),
    EmailTaken,
}

/// Creates the account and its personal organization in one transaction.
pub async fn create(
    tx: &mut crate::db::Conn,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    email_verified: bool,
) -> Result<CreateOutcome, sqlx::Error> {
    let now = Utc::now();
    let user = UserRow {
        id: new_id(),
        email: email.trim().to_string(),
        name: name.to_string(),
        password_hash: password_hash.map(str::to_string),
        email_verified,
        created_at: now,
    };
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, email_normalized, name, password_hash, email_verified, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (email_normalized) DO NOTHING",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(normalize_email(email))
    .bind(&user.name)
    .bind(&user.password_hash)
    .bind(i64::from(user.email_verified))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(CreateOutcome::EmailTaken);
    }
    organizations::create(tx, PERSONAL_ORGANIZATION_NAME, &user.id, true, None).await?;
    Ok(CreateOutcome::Created(user))
}

pub async fn find_by_email(
    db: impl Executor<'_>,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, name, password_hash, email_verified, created_at
           FROM users WHERE email_normalized = $1",
    )
    .bind(normalize_email(email))
    .fetch_optional(db)
    .await
}

pub async fn find_by_id(db: impl Executor<'_>, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, name, password_hash, email_verified, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The user of a live session, by the hash of its token.
pub async fn find_by_session(
    db: impl Executor<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.password_hash, u.email_verified, u.created_at
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(timestamp(now))
    .fetch_optional(db)
    .await
}

/// The user an OpenID provider knows as `subject`, if seen before.
pub async fn find_by_identity(
    db: impl Executor<'_>,
    issuer: &str,
    subject: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.password_hash, u.email_verified, u.created_at
           FROM oidc_identities i JOIN users u ON u.id = i.user_id
          WHERE i.issuer = $1 AND i.subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(db)
    .await
}

/// Remembers that the provider's `subject` is `user_id`.
pub async fn link_identity(
    db: impl Executor<'_>,
    issuer: &str,
    subject: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO oidc_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(timestamp(Utc::now()))
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the provider's word for the user's e-mail address, its
/// verification and name. False when the address belongs to another
/// account.
pub async fn update_from_provider(
    db: impl Executor<'_>,
    user_id: &str,
    email: &str,
    email_verified: bool,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE users SET email = $1, email_normalized = $2, email_verified = $3, name = $4
          WHERE id = $5
            AND NOT EXISTS (SELECT 1 FROM users o WHERE o.email_normalized = $6 AND o.id <> $7)",
    )
    .bind(email.trim())
    .bind(normalize_email(email))
    .bind(i64::from(email_verified))
    .bind(name)
    .bind(user_id)
    .bind(normalize_email(email))
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Records a session by the hash of its token (the token itself is never
/// stored).
pub async fn insert_session(
    db: impl Executor<'_>,
    token_hash: &str,
    user_id: &str,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(timestamp(created_at))
    .bind(timestamp(expires_at))
    .execute(db)
    .await?;
    Ok(())
}

/// Ends the session with this token hash, if any.
pub async fn end_session(db: impl Executor<'_>, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Records an e-mail verification link's token (by its hash) for the user.
pub async fn insert_email_verification(
    db: impl Executor<'_>,
    token_hash: &str,
    user_id: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(timestamp(expires_at))
    .execute(db)
    .await?;
    Ok(())
}

/// The user an unexpired verification token was sent for.
pub async fn email_verification_owner(
    db: impl Executor<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM email_verifications WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(timestamp(now))
    .fetch_optional(db)
    .await
}

/// Uses up a verification token and marks its user's address verified.
pub async fn complete_email_verification(
    tx: &mut crate::db::Conn,
    token_hash: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM email_verifications WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET email_verified = 1 WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// How many accounts exist.
pub async fn count(db: impl Executor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}
