//! Reading an organization's audit log: one page with the total of its
//! filters, or an export in batches that add up to a snapshot taken when it
//! starts. The reads themselves, and the counts they reuse, are the store's
//! (`store::audit`); the handler has checked the caller may read the log.

use crate::db::Db;
use roster_core::wire::AuditLog;

pub use crate::store::audit::{AuditPage, AuditQuery, ExportSnapshot, Position, Tallies};

use crate::error::ApiResult;
use crate::store::audit;

/// One page of `query`, newest first, and the number of rows its filters
/// select.
pub async fn page(db: &Db, tallies: &Tallies, query: &AuditQuery) -> ApiResult<AuditPage> {
    Ok(audit::read(db, tallies, query).await?)
}

/// What an export of `query`'s filters will hold, as of now.
pub async fn export_snapshot(
    db: &Db,
    tallies: &Tallies,
    query: &AuditQuery,
) -> ApiResult<ExportSnapshot> {
    Ok(audit::export_snapshot(db, tallies, query).await?)
}

/// The export's next `rows` rows after `after`, none newer than `snapshot`.
/// Its error stays the database's: the response has started by then, so a
/// failure can only end the download, not become an error status.
pub async fn export_batch(
    db: &Db,
    query: &AuditQuery,
    snapshot: &ExportSnapshot,
    after: Option<&Position>,
    rows: i64,
) -> Result<Vec<(Position, AuditLog)>, sqlx::Error> {
    audit::export_batch(db, query, snapshot, after, rows).await
}
