//! Organizations: the caller's list, create, rename, delete, leave, usage
//! and default region.

use gloo_net::http::Method;
use roster_core::wire;

use super::transport::{get, org_path, send, send_for, Body};
use super::ApiResult;

/// `GET /organizations`: the caller's organizations.
pub async fn list_organizations() -> ApiResult<Vec<wire::Organization>> {
    get("/organizations").await
}

/// `POST /organizations`; the caller becomes its owner.
pub async fn create_organization(
    body: &wire::CreateOrganization,
) -> ApiResult<Option<wire::Organization>> {
    send_for(Method::POST, "/organizations", Body::json(body)).await
}

/// `GET /organizations/{id}`.
pub async fn get_organization(organization_id: &str) -> ApiResult<wire::Organization> {
    get(&org_path(organization_id)).await
}

/// `PATCH /organizations/{id}` (Roster extension): rename.
pub async fn rename_organization(
    organization_id: &str,
    name: &str,
) -> ApiResult<Option<wire::Organization>> {
    let body = wire::UpdateOrganization {
        name: name.to_owned(),
    };
    send_for(Method::PATCH, &org_path(organization_id), Body::json(&body)).await
}

/// `DELETE /organizations/{id}`.
pub async fn delete_organization(organization_id: &str) -> ApiResult<()> {
    send(Method::DELETE, &org_path(organization_id), Body::None).await
}

/// `POST /organizations/{id}/leave`; with a successor (Roster extension) a
/// sole owner promotes them and leaves in one step.
pub async fn leave_organization(
    organization_id: &str,
    successor_id: Option<&str>,
) -> ApiResult<()> {
    let path = format!("{}/leave", org_path(organization_id));
    match successor_id {
        // Daytona's endpoint takes no body: send none unless needed.
        None => send(Method::POST, &path, Body::None).await,
        Some(successor) => {
            let body = wire::LeaveOrganization {
                successor_id: Some(successor.to_owned()),
            };
            send(Method::POST, &path, Body::json(&body)).await
        }
    }
}

/// `GET /organizations/{id}/usage`.
pub async fn organization_usage(
    organization_id: &str,
) -> ApiResult<wire::OrganizationUsageOverview> {
    get(&format!("{}/usage", org_path(organization_id))).await
}

/// `PATCH /organizations/{id}/default-region`.
pub async fn set_default_region(organization_id: &str, region_id: &str) -> ApiResult<()> {
    let body = wire::UpdateOrganizationDefaultRegion {
        default_region_id: region_id.to_owned(),
    };
    let path = format!("{}/default-region", org_path(organization_id));
    send(Method::PATCH, &path, Body::json(&body)).await
}
