//! An organization's members: the list (whole, validated, or its first
//! page), access changes and removal.

use std::sync::Arc;

use gloo_net::http::Method;
use roster_core::wire;

use super::transport::{get_validated, org_path, request, send, send_for, Body, Validated};
use super::{encode, ApiResult};

/// `/organizations/{id}/users`: an organization's member list.
pub fn members_path(organization_id: &str) -> String {
    format!("{}/users", org_path(organization_id))
}

/// `GET /organizations/{id}/users`; `known`, an earlier answer, comes back
/// as it was when the list has not changed.
pub async fn list_members(
    organization_id: &str,
    known: Option<&Validated<Vec<wire::OrganizationUser>>>,
) -> ApiResult<Validated<Vec<wire::OrganizationUser>>> {
    get_validated(&members_path(organization_id), known).await
}

/// The answer to `GET /organizations/{id}/users?limit=n` (a Roster
/// extension).
#[derive(Clone, Debug)]
pub enum FirstMembers {
    /// Every member: the organization fits in the page, or the backend
    /// does not know `limit` (Daytona).
    All(Validated<Vec<wire::OrganizationUser>>),
    /// The first members in the members table's default order, how many
    /// there are in all, and what the caller may do
    /// (`X-Roster-Membership`, read with `roster_core::membership_header`).
    Page {
        members: Vec<wire::OrganizationUser>,
        total: usize,
        membership: Option<String>,
    },
}

/// `GET /organizations/{id}/users?limit=n`: the first `limit` members, so
/// that a large organization's table shows before all of its members have
/// arrived. Roster says how many there are in all (`X-Total-Count`); a
/// backend that does not sends every member.
pub async fn first_members(organization_id: &str, limit: usize) -> ApiResult<FirstMembers> {
    let path = format!("{}/users?limit={limit}", org_path(organization_id));
    let reply = request(Method::GET, &path, Body::None).await?;
    let (total, etag, membership) = (reply.total, reply.etag.clone(), reply.membership.clone());
    let members: Vec<wire::OrganizationUser> = reply.json_list().await?;
    Ok(match total {
        Some(total) if total > members.len() => FirstMembers::Page {
            members,
            total,
            membership,
        },
        _ => FirstMembers::All(Validated::new(Arc::new(members), etag)),
    })
}

/// `POST /organizations/{id}/users/{userId}/access`: role and assignments.
pub async fn update_member_access(
    organization_id: &str,
    user_id: &str,
    body: &wire::UpdateOrganizationMemberAccess,
) -> ApiResult<Option<wire::OrganizationUser>> {
    let path = format!(
        "{}/users/{}/access",
        org_path(organization_id),
        encode(user_id)
    );
    send_for(Method::POST, &path, Body::json(body)).await
}

/// `DELETE /organizations/{id}/users/{userId}`.
pub async fn remove_member(organization_id: &str, user_id: &str) -> ApiResult<()> {
    let path = format!("{}/users/{}", org_path(organization_id), encode(user_id));
    send(Method::DELETE, &path, Body::None).await
}

/// The API client against a backend with only Daytona's contract, played by
/// `window.fetch` for the length of a test.
#[cfg(all(test, target_arch = "wasm32"))]
mod daytona_backend_tests {
    use super::*;
    use crate::testing::fixtures::member;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Answers every request with `members` and, when given, an
    /// `X-Total-Count` of `total`; returns a function that restores fetch.
    fn members_backend(
        members: &[wire::OrganizationUser],
        total: Option<usize>,
    ) -> js_sys::Function {
        let install = js_sys::Function::new_with_args(
            "members, total",
            r#"
            const real = window.fetch;
            window.fetch = async () => {
              const headers = { "content-type": "application/json", "etag": 'W/"list"' };
              if (total !== undefined) {
                headers["x-total-count"] = String(total);
                headers["x-roster-membership"] = "role=owner; owners=1; permissions=";
              }
              return new Response(members, { status: 200, headers });
            };
            return () => { window.fetch = real; };
            "#,
        );
        let members = serde_json::to_string(members).unwrap();
        let total = total.map_or(JsValue::UNDEFINED, |t| JsValue::from_f64(t as f64));
        install
            .call2(&JsValue::NULL, &JsValue::from_str(&members), &total)
            .unwrap()
            .into()
    }

    #[page_test]
    async fn a_first_page_is_told_from_the_whole_list() {
        let members: Vec<_> = (0..3)
            .map(|n| member(n, roster_core::Role::Member))
            .collect();
        let ask = |limit: usize, total: Option<usize>| {
            let restore = members_backend(&members, total);
            async move {
                let answer = first_members("org", limit).await;
                restore.call0(&JsValue::NULL).unwrap();
                answer.expect("an answer")
            }
        };

        match ask(3, Some(10_000)).await {
            FirstMembers::Page {
                members: page,
                total,
                membership,
            } => {
                assert_eq!(page, members);
                assert_eq!(total, 10_000);
                assert_eq!(
                    membership.as_deref(),
                    Some("role=owner; owners=1; permissions=")
                );
            }
            other => panic!("not a page: {other:?}"),
        }
        // Roster with a small organization: everyone, with the validator.
        match ask(25, Some(3)).await {
            FirstMembers::All(all) => {
                assert_eq!(*all.value, members);
                assert_eq!(all.etag.as_deref(), Some("W/\"list\""));
            }
            other => panic!("not everyone: {other:?}"),
        }
        // Daytona ignores `limit`: everyone, and no count.
        match ask(2, None).await {
            FirstMembers::All(all) => assert_eq!(all.value.len(), 3),
            other => panic!("not everyone: {other:?}"),
        }
    }
}
