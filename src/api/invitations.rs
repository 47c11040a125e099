//! Invitations: an organization's (sent by its owners) and the caller's own
//! (to accept or decline).

use gloo_net::http::Method;
use roster_core::wire;

use super::transport::{get, org_path, send, send_for, Body};
use super::{encode, ApiResult};

// An organization's invitations

fn invitation_path(organization_id: &str, invitation_id: &str) -> String {
    format!(
        "{}/invitations/{}",
        org_path(organization_id),
        encode(invitation_id)
    )
}

/// `GET /organizations/{id}/invitations`: pending and unexpired; with
/// `include_expired` (Roster extension, owners) expired pending ones too.
pub async fn list_organization_invitations(
    organization_id: &str,
    include_expired: bool,
) -> ApiResult<Vec<wire::OrganizationInvitation>> {
    let query = if include_expired {
        "?include=expired"
    } else {
        ""
    };
    get(&format!("{}/invitations{query}", org_path(organization_id))).await
}

/// `POST /organizations/{id}/invitations`.
pub async fn create_invitation(
    organization_id: &str,
    body: &wire::CreateOrganizationInvitation,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = format!("{}/invitations", org_path(organization_id));
    send_for(Method::POST, &path, Body::json(body)).await
}

/// `PUT /organizations/{id}/invitations/{invitationId}`.
pub async fn update_invitation(
    organization_id: &str,
    invitation_id: &str,
    body: &wire::UpdateOrganizationInvitation,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = invitation_path(organization_id, invitation_id);
    send_for(Method::PUT, &path, Body::json(body)).await
}

/// `POST /organizations/{id}/invitations/{invitationId}/cancel`.
pub async fn cancel_invitation(organization_id: &str, invitation_id: &str) -> ApiResult<()> {
    let path = format!("{}/cancel", invitation_path(organization_id, invitation_id));
    send(Method::POST, &path, Body::None).await
}

/// `POST /organizations/{id}/invitations/{invitationId}/resend` (Roster
/// extension): sends again and renews the expiry.
pub async fn resend_invitation(
    organization_id: &str,
    invitation_id: &str,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = format!("{}/resend", invitation_path(organization_id, invitation_id));
    send_for(Method::POST, &path, Body::None).await
}

// The caller's own invitations

fn my_invitation_path(invitation_id: &str) -> String {
    format!("/organizations/invitations/{}", encode(invitation_id))
}

/// `GET /organizations/invitations`: pending, unexpired, for the caller.
pub async fn my_invitations() -> ApiResult<Vec<wire::OrganizationInvitation>> {
    get("/organizations/invitations").await
}

/// `GET /organizations/invitations/count`: a bare JSON number.
pub async fn my_invitation_count() -> ApiResult<u64> {
    let count: f64 = get("/organizations/invitations/count").await?;
    // `as` saturates: a negative or odd number reads as 0.
    Ok(count.max(0.0) as u64)
}

/// `GET /organizations/invitations/{id}` (Roster extension): one invitation
/// addressed to the caller, whatever its state; 404 when unknown.
///
/// A backend with only Daytona's contract answers 404 for the path itself:
/// the invitation is then looked for among the caller's pending ones, so
/// the e-mailed link still opens it there.
pub async fn my_invitation(invitation_id: &str) -> ApiResult<wire::OrganizationInvitation> {
    match get(&my_invitation_path(invitation_id)).await {
        Err(not_found) if not_found.is_not_found() => my_invitations()
            .await?
            .into_iter()
            .find(|invitation| invitation.id == invitation_id)
            .ok_or(not_found),
        answer => answer,
    }
}

/// `POST /organizations/invitations/{id}/accept`.
pub async fn accept_invitation(
    invitation_id: &str,
) -> ApiResult<Option<wire::OrganizationInvitation>> {
    let path = format!("{}/accept", my_invitation_path(invitation_id));
    send_for(Method::POST, &path, Body::None).await
}

/// `POST /organizations/invitations/{id}/decline`.
pub async fn decline_invitation(invitation_id: &str) -> ApiResult<()> {
    let path = format!("{}/decline", my_invitation_path(invitation_id));
    send(Method::POST, &path, Body::None).await
}

/// The API client against a backend with only Daytona's contract, played by
/// `window.fetch` for the length of a test.
#[cfg(all(test, target_arch = "wasm32"))]
mod daytona_backend_tests {
    use super::*;
    use crate::testing::fixtures::invitation;
    use roster_core::wire::OrganizationInvitation;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Answers `GET …/organizations/invitations` with `pending` and every
    /// other path with NestJS's 404; returns a function that restores fetch.
    fn daytona_with(pending: &[OrganizationInvitation]) -> js_sys::Function {
        let install = js_sys::Function::new_with_args(
            "pending",
            r#"
            const real = window.fetch;
            window.fetch = async (input) => {
              const url = typeof input === "string" ? input : input.url;
              const json = { "content-type": "application/json" };
              if (new URL(url, location.href).pathname.endsWith("/organizations/invitations")) {
                return new Response(pending, { status: 200, headers: json });
              }
              return new Response(
                JSON.stringify({ statusCode: 404, message: "Cannot GET " + url, error: "Not Found" }),
                { status: 404, headers: json });
            };
            return () => { window.fetch = real; };
            "#,
        );
        let pending = serde_json::to_string(pending).unwrap();
        install
            .call1(&JsValue::NULL, &JsValue::from_str(&pending))
            .unwrap()
            .into()
    }

    #[page_test]
    async fn an_invitation_link_opens_against_a_backend_without_the_lookup_by_id() {
        let restore = daytona_with(&[invitation(1), invitation(2)]);
        let found = my_invitation("i002").await;
        let unknown = my_invitation("i009").await;
        restore.call0(&JsValue::NULL).unwrap();

        assert_eq!(found.map(|i| i.id), Ok("i002".to_string()));
        // Not among the pending ones either: still "not found", which the
        // dialog explains.
        assert!(unknown.is_err_and(|error| error.is_not_found()));
    }
}
