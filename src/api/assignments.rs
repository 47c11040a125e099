//! Assignments: an organization's permission sets, global and custom.
//! Daytona calls them "organization roles": the wire keeps its paths
//! (`/roles`) and types (`OrganizationRole`).

use gloo_net::http::Method;
use roster_core::wire;

use super::transport::{get, org_path, send, send_for, Body};
use super::{encode, ApiResult};

fn assignment_path(organization_id: &str, assignment_id: &str) -> String {
    format!(
        "{}/roles/{}",
        org_path(organization_id),
        encode(assignment_id)
    )
}

/// `GET /organizations/{id}/roles`: global then custom.
pub async fn list_assignments(organization_id: &str) -> ApiResult<Vec<wire::OrganizationRole>> {
    get(&format!("{}/roles", org_path(organization_id))).await
}

/// `POST /organizations/{id}/roles`.
pub async fn create_assignment(
    organization_id: &str,
    body: &wire::CreateOrganizationRole,
) -> ApiResult<Option<wire::OrganizationRole>> {
    let path = format!("{}/roles", org_path(organization_id));
    send_for(Method::POST, &path, Body::json(body)).await
}

/// `PUT /organizations/{id}/roles/{roleId}`.
pub async fn update_assignment(
    organization_id: &str,
    assignment_id: &str,
    body: &wire::UpdateOrganizationRole,
) -> ApiResult<Option<wire::OrganizationRole>> {
    let path = assignment_path(organization_id, assignment_id);
    send_for(Method::PUT, &path, Body::json(body)).await
}

/// `DELETE /organizations/{id}/roles/{roleId}`; 409 with who holds it.
pub async fn delete_assignment(organization_id: &str, assignment_id: &str) -> ApiResult<()> {
    send(
        Method::DELETE,
        &assignment_path(organization_id, assignment_id),
        Body::None,
    )
    .await
}
