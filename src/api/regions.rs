//! Regions an organization can pick as its default.

use roster_core::wire;

use super::transport::get;
use super::ApiResult;

/// `GET /shared-regions`.
pub async fn shared_regions() -> ApiResult<Vec<wire::Region>> {
    get("/shared-regions").await
}
