//! An organization's members: the list (whole, validated, or its first
//! page), access changes and removal, one member or many at once.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use gloo_net::http::Method;
use roster_core::bulk::{BulkPlan, MemberChange, PlannedOutcome};
use roster_core::wire::{self, BulkMemberResult, BulkMembersResponse, BulkMode, BulkStatus};

use super::transport::{get_validated, org_path, request, send, send_for, Body, Validated};
use super::{encode, ApiError, ApiResult};

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

/// How far a bulk change is: `done` of the `total` changes answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkProgress {
    pub done: usize,
    pub total: usize,
    /// Sent one request per member, so `done` counts up; else one request
    /// answers them all at once.
    pub one_by_one: bool,
}

/// What a bulk change did, member by member, and how it was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkOutcome {
    pub response: BulkMembersResponse,
    /// Sent as one request per member: the backend has no bulk endpoint
    /// (Daytona).
    pub one_by_one: bool,
}

/// How many single-member requests a bulk change keeps in flight against
/// a backend without the bulk endpoint: a few, so that 1,000 members take
/// seconds rather than minutes, without queueing the browser's six
/// connections to the host behind them.
pub const ONE_BY_ONE_IN_FLIGHT: usize = 4;

thread_local! {
    /// The API bases that answered the bulk endpoint with 404 or 405, and
    /// that answer: for the rest of the session their bulk changes go one
    /// by one at once.
    static WITHOUT_BULK_ENDPOINT: RefCell<Vec<(String, ApiError)>> =
        const { RefCell::new(Vec::new()) };
}

/// `POST /organizations/{id}/users/bulk` (a Roster extension): `request`'s
/// action on its members, whose `plan` (`roster_core::bulk::plan`, the
/// one the confirmation showed) says what changes for whom.
///
/// A backend without the endpoint (Daytona: 404 or 405) gets one request
/// per planned change instead, [`ONE_BY_ONE_IN_FLIGHT`] at a time, and the
/// answer is made the same way: applied (with the member as the server
/// sent them, when it did) or failed with the server's message, and the
/// plan's refusals and no-ops. `on_progress` hears how many of the changes
/// are answered. All or nothing cannot be had one by one: against such a
/// backend that mode fails with the endpoint's 404 or 405.
pub async fn bulk_members(
    organization_id: &str,
    request: &wire::BulkMembersRequest,
    plan: &BulkPlan,
    on_progress: impl Fn(BulkProgress),
) -> ApiResult<BulkOutcome> {
    let total = plan.change_count();
    let base = crate::config::api_base();
    let missing = WITHOUT_BULK_ENDPOINT.with_borrow(|bases| {
        bases
            .iter()
            .find(|(known, _)| *known == base)
            .map(|(_, error)| error.clone())
    });
    let missing = match missing {
        Some(error) => error,
        None => {
            on_progress(BulkProgress {
                done: 0,
                total,
                one_by_one: false,
            });
            let path = format!("{}/bulk", members_path(organization_id));
            match super::transport::request(Method::POST, &path, Body::json(request)).await {
                Ok(reply) => {
                    let response: BulkMembersResponse = reply.json()?;
                    on_progress(BulkProgress {
                        done: total,
                        total,
                        one_by_one: false,
                    });
                    return Ok(BulkOutcome {
                        response,
                        one_by_one: false,
                    });
                }
                Err(error) if matches!(error.status(), Some(404 | 405)) => {
                    WITHOUT_BULK_ENDPOINT
                        .with_borrow_mut(|bases| bases.push((base, error.clone())));
                    error
                }
                Err(error) => return Err(error),
            }
        }
    };
    if request.mode == BulkMode::AllOrNothing {
        return Err(missing);
    }
    Ok(BulkOutcome {
        response: one_by_one(organization_id, plan, &on_progress).await,
        one_by_one: true,
    })
}

/// The planned changes sent one request per member, a few at a time, and
/// the answer the bulk endpoint would have given.
async fn one_by_one(
    organization_id: &str,
    plan: &BulkPlan,
    on_progress: &dyn Fn(BulkProgress),
) -> BulkMembersResponse {
    let changes: Vec<(&str, &MemberChange)> =
        plan.changes().map(|(id, c)| (id, &c.change)).collect();
    let total = changes.len();
    on_progress(BulkProgress {
        done: 0,
        total,
        one_by_one: true,
    });
    let next = RefCell::new(changes.into_iter());
    let answered = RefCell::new(std::collections::HashMap::with_capacity(total));
    let done = Cell::new(0);
    let worker = || async {
        loop {
            // Not held across the await: the other workers take from it.
            let Some((user_id, change)) = next.borrow_mut().next() else {
                return;
            };
            let result = apply_one(organization_id, user_id, change).await;
            answered.borrow_mut().insert(user_id, result);
            done.set(done.get() + 1);
            on_progress(BulkProgress {
                done: done.get(),
                total,
                one_by_one: true,
            });
        }
    };
    JoinAll::new((0..ONE_BY_ONE_IN_FLIGHT.min(total)).map(|_| worker())).await;

    let mut answered = answered.into_inner();
    let results = plan
        .members
        .iter()
        .map(|planned| {
            let line = |status, message: Option<String>| BulkMemberResult {
                user_id: planned.user_id.clone(),
                status,
                message,
                member: None,
            };
            match &planned.outcome {
                PlannedOutcome::Change(_) => answered
                    .remove(planned.user_id.as_str())
                    .unwrap_or_else(|| line(BulkStatus::Failed, None)),
                PlannedOutcome::Unchanged(why) => line(BulkStatus::Unchanged, Some(why.message())),
                PlannedOutcome::Refused(why) => {
                    line(BulkStatus::Refused, Some(why.message_in(organization_id)))
                }
            }
        })
        .collect();
    BulkMembersResponse::new(results)
}

/// One member's planned change, through the single-member endpoints.
async fn apply_one(
    organization_id: &str,
    user_id: &str,
    change: &MemberChange,
) -> BulkMemberResult {
    let answer = match change {
        MemberChange::Access {
            role,
            assignment_ids,
        } => {
            let body = wire::UpdateOrganizationMemberAccess {
                role: *role,
                assigned_role_ids: assignment_ids.clone(),
            };
            update_member_access(organization_id, user_id, &body).await
        }
        MemberChange::Remove => remove_member(organization_id, user_id).await.map(|()| None),
    };
    let (status, message, member) = match answer {
        Ok(member) => (BulkStatus::Applied, None, member),
        Err(error) => (BulkStatus::Failed, Some(error.message().to_owned()), None),
    };
    BulkMemberResult {
        user_id: user_id.to_owned(),
        status,
        message,
        member,
    }
}

/// Runs futures together on the task that awaits it, until all have ended
/// (requests sent while a view's owner is current still go with it).
struct JoinAll<F> {
    running: Vec<Pin<Box<F>>>,
}

impl<F: Future<Output = ()>> JoinAll<F> {
    fn new(futures: impl IntoIterator<Item = F>) -> Self {
        JoinAll {
            running: futures.into_iter().map(Box::pin).collect(),
        }
    }
}

impl<F: Future<Output = ()>> Future for JoinAll<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
        let running = &mut self.get_mut().running;
        running.retain_mut(|future| future.as_mut().poll(context).is_pending());
        if running.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Forgets which backends lack the bulk endpoint (each test fakes its own).
#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) fn forget_missing_bulk_endpoints() {
    WITHOUT_BULK_ENDPOINT.with_borrow_mut(Vec::clear);
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

    /// Daytona without the bulk endpoint: 404 to `/users/bulk`, and the
    /// single-member endpoints, each answered after a few milliseconds
    /// (`failing`'s with a rule's 403). Returns what it saw (`calls`, and
    /// `most`: the most requests in flight at once) and a function that
    /// restores fetch.
    fn single_member_backend(
        members: &[wire::OrganizationUser],
        failing: &str,
    ) -> (JsValue, js_sys::Function) {
        let install = js_sys::Function::new_with_args(
            "members, failing",
            r#"
            const real = window.fetch;
            const byId = Object.fromEntries(JSON.parse(members).map(m => [m.userId, m]));
            const seen = { calls: [], inFlight: 0, most: 0 };
            const json = (status, body) => new Response(JSON.stringify(body), {
              status, headers: { "content-type": "application/json" },
            });
            const refusal = (status, path, message) => json(status, {
              path, timestamp: "2026-03-01T09:30:00.000Z", statusCode: status,
              error: status === 404 ? "Not Found" : "Forbidden", message,
            });
            window.fetch = async (request) => {
              const path = new URL(request.url).pathname;
              seen.calls.push(`${request.method} ${path}`);
              if (path.endsWith("/users/bulk")) {
                return refusal(404, path, `Cannot POST ${path}`);
              }
              seen.inFlight += 1;
              seen.most = Math.max(seen.most, seen.inFlight);
              const body = request.method === "POST" ? await request.json() : null;
              await new Promise(resolve => setTimeout(resolve, 5));
              seen.inFlight -= 1;
              const id = decodeURIComponent(path.split("/users/")[1].split("/")[0]);
              if (id === failing) {
                return refusal(403, path, "Organization with ID org must have at least one owner");
              }
              if (request.method === "DELETE") {
                return new Response(null, { status: 204 });
              }
              return json(200, { ...byId[id], role: body.role, assignedRoles: [] });
            };
            return [seen, () => { window.fetch = real; }];
            "#,
        );
        let members = serde_json::to_string(members).unwrap();
        let installed: js_sys::Array = install
            .call2(
                &JsValue::NULL,
                &JsValue::from_str(&members),
                &JsValue::from_str(failing),
            )
            .unwrap()
            .into();
        (installed.get(0), installed.get(1).into())
    }

    fn seen_calls(seen: &JsValue) -> Vec<String> {
        let calls = js_sys::Reflect::get(seen, &"calls".into()).unwrap();
        js_sys::Array::from(&calls)
            .iter()
            .filter_map(|call| call.as_string())
            .collect()
    }

    fn most_in_flight(seen: &JsValue) -> f64 {
        js_sys::Reflect::get(seen, &"most".into())
            .unwrap()
            .as_f64()
            .unwrap()
    }

    #[page_test]
    async fn without_the_bulk_endpoint_members_change_one_by_one_four_at_a_time() {
        use roster_core::bulk::plan;
        use roster_core::wire::{BulkAction, BulkMembersRequest};
        use roster_core::{Capabilities, Membership, Role};

        forget_missing_bulk_endpoints();
        // Member 0 is the caller, 11 another owner; 1 to 10 are members,
        // and the server refuses member 7.
        let mut members: Vec<_> = (0..=11).map(|n| member(n, Role::Member)).collect();
        members[0].role = Role::Owner;
        members[11].role = Role::Owner;
        let caps = Capabilities::of(&Membership::from_members("u000", false, &members).unwrap());
        let (seen, restore) = single_member_backend(&members, "u007");
        let send = |action: BulkAction, user_ids: Vec<String>| {
            let plan = plan("u000", &caps, &members, &[], &action, &user_ids).unwrap();
            let request = BulkMembersRequest {
                action,
                user_ids,
                mode: BulkMode::PerMember,
            };
            async move {
                let heard = RefCell::new(Vec::new());
                let outcome = bulk_members("org", &request, &plan, |p| heard.borrow_mut().push(p))
                    .await
                    .expect("an outcome");
                (outcome, heard.into_inner())
            }
        };

        let promote: Vec<String> = (0..=11).map(|n| format!("u{n:03}")).collect();
        let (outcome, heard) = send(BulkAction::ChangeRole { role: Role::Owner }, promote).await;
        assert!(outcome.one_by_one);
        let calls = seen_calls(&seen);
        assert_eq!(
            calls[0], "POST /api/organizations/org/users/bulk",
            "{calls:?}"
        );
        assert_eq!(
            calls.len(),
            11,
            "the bulk endpoint, then one per member: {calls:?}"
        );
        assert!(calls[1..].iter().all(
            |c| c.starts_with("POST /api/organizations/org/users/u0") && c.ends_with("/access")
        ));
        assert_eq!(most_in_flight(&seen), 4.0, "four requests at a time");

        let response = &outcome.response;
        let lines: Vec<(&str, BulkStatus, Option<&str>)> = response
            .results
            .iter()
            .map(|r| (r.user_id.as_str(), r.status, r.message.as_deref()))
            .collect();
        assert_eq!(
            lines[0],
            (
                "u000",
                BulkStatus::Refused,
                Some("You cannot update your own access")
            )
        );
        assert_eq!(lines[1], ("u001", BulkStatus::Applied, None));
        assert_eq!(
            lines[7],
            (
                "u007",
                BulkStatus::Failed,
                Some("Organization with ID org must have at least one owner")
            )
        );
        assert_eq!(
            lines[11],
            ("u011", BulkStatus::Unchanged, Some("Already an owner"))
        );
        assert_eq!(
            (
                response.applied,
                response.failed,
                response.refused,
                response.unchanged
            ),
            (9, 1, 1, 1)
        );
        let promoted = response.results[1]
            .member
            .as_ref()
            .expect("the member as sent");
        assert_eq!(
            (promoted.user_id.as_str(), promoted.role),
            ("u001", Role::Owner)
        );
        // The bulk endpoint's attempt, then each answer counted.
        let counted: Vec<(usize, usize, bool)> = heard
            .iter()
            .map(|p| (p.done, p.total, p.one_by_one))
            .collect();
        assert_eq!(counted[0], (0, 10, false));
        assert_eq!(counted[1], (0, 10, true));
        assert_eq!(counted.last(), Some(&(10, 10, true)));
        assert!(
            counted[1..].windows(2).all(|w| w[0].0 + 1 == w[1].0),
            "{counted:?}"
        );

        // The backend is known now: the next change goes one by one at once.
        let (outcome, _) = send(BulkAction::Remove, vec!["u002".into(), "u003".into()]).await;
        restore.call0(&JsValue::NULL).unwrap();
        forget_missing_bulk_endpoints();
        let calls = seen_calls(&seen);
        assert_eq!(
            calls[11..],
            [
                "DELETE /api/organizations/org/users/u002",
                "DELETE /api/organizations/org/users/u003"
            ]
        );
        assert_eq!(outcome.response.applied, 2);
        assert!(outcome.response.results.iter().all(|r| r.member.is_none()));
    }
}
