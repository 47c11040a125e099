//! Deleting and leaving an organization. What is offered comes from
//! `roster_core::Capabilities`: owners delete (typing the name), members and
//! owners with another owner leave, a sole owner names a successor who is
//! promoted in the same step, and personal organizations offer neither.
//! Leaving uses `components::LeaveDialog`, shared with the members table.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::wire::Organization;

use crate::api;
use crate::components::LeaveDialog;
use crate::components::{Button, ButtonVariant, ConfirmDialog, ErrorState, SkeletonBlock};
use crate::state::MemberStore;
use crate::state::{use_current_organization, use_organizations, use_toasts, Access};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Offer {
    Loading,
    /// Your access could not be loaded: say so, with Retry.
    Failed(String),
    /// Not (or no longer) a member: nothing to offer.
    Nothing,
    Personal,
    Collaborative {
        delete: bool,
        leave: bool,
        leave_with_successor: bool,
    },
}

fn offer(access: &Access) -> Offer {
    match access {
        Access::Loading => Offer::Loading,
        Access::Failed(error) => Offer::Failed(error.to_string()),
        Access::NotAMember => Offer::Nothing,
        Access::Member(c) if c.is_personal() => Offer::Personal,
        Access::Member(c) => Offer::Collaborative {
            delete: c.delete().is_ok(),
            leave: c.leave().is_ok(),
            leave_with_successor: c.needs_successor_to_leave(),
        },
    }
}

#[component]
pub fn DangerZone(organization: Organization) -> impl IntoView {
    let current = use_current_organization();
    let offer = Memo::new(move |_| offer(&current.access()));
    let organization = StoredValue::new(organization);
    view! {
        <section class="card danger-zone" aria-labelledby="danger-zone-title">
            <h2 id="danger-zone-title" class="card-title">"Danger zone"</h2>
            {move || match offer.get() {
                Offer::Loading => view! { <SkeletonBlock lines=2 /> }.into_any(),
                Offer::Failed(message) => view! {
                    <ErrorState
                        title="Could not load your access"
                        message=message
                        on_retry=Callback::new(move |_| current.refetch())
                    />
                }
                .into_any(),
                Offer::Nothing => ().into_any(),
                Offer::Personal => view! {
                    <p class="muted">"Personal organizations cannot be deleted or left."</p>
                }
                .into_any(),
                Offer::Collaborative { delete, leave, leave_with_successor } => view! {
                    {delete.then(|| view! { <DeleteOrganization organization=organization.get_value() /> })}
                    {(leave || leave_with_successor).then(|| view! { <LeaveOrganization sole_owner=leave_with_successor /> })}
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
fn DeleteOrganization(organization: Organization) -> impl IntoView {
    let organizations = use_organizations();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let name = organization.name.clone();
    let id = organization.id.clone();
    let delete = Action::new_local(move |_: &()| {
        let id = id.clone();
        let name = name.clone();
        let navigate = navigate.clone();
        async move {
            let result = api::organizations::delete_organization(&id).await;
            toasts.outcome(
                &result,
                format!("Organization \u{201c}{name}\u{201d} deleted"),
            );
            if result.is_ok() {
                open.try_set(false);
                let target = organizations.landing_after_leaving().await;
                navigate(&target, Default::default());
            }
        }
    });
    let name = organization.name.clone();
    view! {
        <div class="danger-row">
            <div>
                <p class="danger-title">"Delete Organization"</p>
                <p class="muted">"Remove this organization, its members' access, invitations and custom assignments for good."</p>
            </div>
            <Button variant=ButtonVariant::Danger on_click=Callback::new(move |_| open.set(true))>
                "Delete Organization"
            </Button>
        </div>
        <ConfirmDialog
            open=open
            on_close=Callback::new(move |_| open.set(false))
            title="Delete Organization"
            confirm_label="Delete"
            on_confirm=Callback::new(move |_| {
                delete.dispatch(());
            })
            busy=delete.pending()
            destructive=true
            confirm_text=name.clone()
        >
            <p>"This permanently deletes " <strong>{name.clone()}</strong> ":"</p>
            <ul class="consequences">
                <li>"every member loses access to it;"</li>
                <li>"its pending invitations can no longer be accepted;"</li>
                <li>"its custom assignments are deleted, and its audit log can no longer be read."</li>
            </ul>
            <p>"This cannot be undone."</p>
        </ConfirmDialog>
    }
}

/// "Leave Organization": the same dialog as "Leave" on one's own row of
/// the members table.
#[component]
fn LeaveOrganization(sole_owner: bool) -> impl IntoView {
    let open = RwSignal::new(false);
    let store = MemberStore::of_current_organization();
    let consequence = if sole_owner {
        "You are its only owner: choose who becomes owner when you leave."
    } else {
        "You lose access to this organization until someone invites you again."
    };
    view! {
        <div class="danger-row">
            <div>
                <p class="danger-title">"Leave Organization"</p>
                <p class="muted">{consequence}</p>
            </div>
            <Button variant=ButtonVariant::Danger on_click=Callback::new(move |_| open.set(true))>
                "Leave Organization"
            </Button>
        </div>
        <LeaveDialog open=open store=store />
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::api::ApiError;
    use crate::testing::fixtures::member;
    use roster_core::wire::OrganizationUser;
    use roster_core::{Capabilities, Membership, Role};
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn access_of(me: &str, members: &[OrganizationUser]) -> Access {
        let membership = Membership::from_members(me, false, members).unwrap();
        Access::Member(Capabilities::of(&membership))
    }

    #[page_test]
    fn a_failed_load_of_your_access_is_said_with_its_message_not_left_loading() {
        let failed = Access::Failed(ApiError::Http {
            status: 500,
            message: "Internal server error".into(),
        });
        assert_eq!(
            offer(&failed),
            Offer::Failed("Internal server error".into())
        );
        assert_eq!(offer(&Access::Loading), Offer::Loading);
        assert_eq!(offer(&Access::NotAMember), Offer::Nothing);
    }

    #[page_test]
    fn owners_delete_and_a_sole_owner_leaves_only_with_a_successor() {
        // u000 owns the organization alone; u001 is a member.
        let members = [member(0, Role::Owner), member(1, Role::Member)];
        assert_eq!(
            offer(&access_of("u000", &members)),
            Offer::Collaborative {
                delete: true,
                leave: false,
                leave_with_successor: true
            }
        );
        assert_eq!(
            offer(&access_of("u001", &members)),
            Offer::Collaborative {
                delete: false,
                leave: true,
                leave_with_successor: false
            }
        );
    }
}
