//! The shared regions this server offers (`GET /shared-regions`), which an
//! organization may choose as its default region.

use chrono::{DateTime, Utc};
use roster_core::wire::{Region, RegionType};

/// The regions of the reference server: (id, name).
const SHARED_REGIONS: &[(&str, &str)] = &[("us", "us"), ("eu", "eu")];

/// When the built-in regions "were created": a fixed instant, so responses
/// are stable.
fn regions_epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600, 0).unwrap_or_default()
}

pub fn shared_regions() -> Vec<Region> {
    SHARED_REGIONS
        .iter()
        .map(|(id, name)| Region {
            id: (*id).to_string(),
            name: (*name).to_string(),
            organization_id: None,
            region_type: RegionType::Shared,
            created_at: regions_epoch(),
            updated_at: regions_epoch(),
            proxy_url: None,
            ssh_gateway_url: None,
            snapshot_manager_url: None,
        })
        .collect()
}

pub fn is_shared_region(id: &str) -> bool {
    SHARED_REGIONS.iter().any(|(region_id, _)| *region_id == id)
}
