//! Deleting and leaving an organization. What is offered comes from
//! `roster_core::Capabilities`: owners delete (typing the name), members and
//! owners with another owner leave, a sole owner names a successor who is
//! promoted in the same step, and personal organizations offer neither.
//! Leaving uses `pages::members::LeaveDialog`, shared with the members table.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::wire::Organization;

use crate::api;
use crate::components::{Button, ButtonVariant, ConfirmDialog, SkeletonBlock};
use crate::pages::members::{LeaveDialog, MemberStore};
use crate::state::{use_current_organization, use_organizations, use_toasts};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Offer {
    Loading,
    Personal,
    Collaborative {
        delete: bool,
        leave: bool,
        leave_with_successor: bool,
    },
}

#[component]
pub fn DangerZone(organization: Organization) -> impl IntoView {
    let current = use_current_organization();
    let offer = Memo::new(move |_| match current.capabilities() {
        None => Offer::Loading,
        Some(c) if c.is_personal() => Offer::Personal,
        Some(c) => Offer::Collaborative {
            delete: c.delete().is_ok(),
            leave: c.leave().is_ok(),
            leave_with_successor: c.needs_successor_to_leave(),
        },
    });
    let organization = StoredValue::new(organization);
    view! {
        <section class="card danger-zone" aria-labelledby="danger-zone-title">
            <h2 id="danger-zone-title" class="card-title">"Danger zone"</h2>
            {move || match offer.get() {
                Offer::Loading => view! { <SkeletonBlock lines=2 /> }.into_any(),
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
            let result = api::delete_organization(&id).await;
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
                <li>"its custom assignments and audit log are deleted."</li>
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
