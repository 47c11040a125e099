//! The SQLite pool: WAL, foreign keys on, migrations run at start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::BoxError;

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
