//! The SQLite pool: WAL, foreign keys on, migrations run at start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::error::BoxError;

pub async fn connect(url: &str) -> Result<SqlitePool, BoxError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("invalid database URL {url}: {e}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// A new random id (UUID v4), as every table's primary key.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Timestamps are stored as fixed-width RFC 3339 text, so text order is time
/// order and range queries can use indexes.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Opens a write transaction that takes SQLite's write lock at once, so
/// reads inside it cannot be invalidated by a concurrent writer (and no
/// read-to-write upgrade can deadlock).
pub async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}
