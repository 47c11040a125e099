//! Deleting and leaving an organization. What is offered comes from
//! `roster_core::Capabilities`: owners delete (typing the name), members and
//! owners with another owner leave, a sole owner names a successor who is
//! promoted in the same step, and personal organizations offer neither.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::wire::Organization;
use roster_core::Target;

use crate::api;
use crate::components::{Button, ButtonVariant, ConfirmDialog, Dialog, ErrorState, SkeletonBlock};
use crate::dom;
use crate::routes::{self, OrgPage};
use crate::state::{
    use_current_organization, use_organizations, use_session, use_toasts, Organizations,
};

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
                    {leave.then(|| view! { <LeaveOrganization organization=organization.get_value() /> })}
                    {leave_with_successor.then(|| view! { <HandOverAndLeave organization=organization.get_value() /> })}
                }
                .into_any(),
            }}
        </section>
    }
}

/// After deleting or leaving: the list without it, then the personal
/// organization.
async fn go_to_personal(
    organizations: Organizations,
    navigate: impl Fn(&str, leptos_router::NavigateOptions),
) {
    let _ = organizations.refresh().await;
    let target = organizations
        .personal()
        .map(|o| routes::org_page(&o.id, OrgPage::Members))
        .unwrap_or_else(|| "/".to_owned());
    navigate(&target, Default::default());
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
                go_to_personal(organizations, navigate).await;
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

fn leave_action(organization_id: String, name: String) -> Action<Option<String>, ()> {
    let organizations = use_organizations();
    let toasts = use_toasts();
    let navigate = use_navigate();
    Action::new_local(move |successor: &Option<String>| {
        let successor = successor.clone();
        let organization_id = organization_id.clone();
        let name = name.clone();
        let navigate = navigate.clone();
        async move {
            let result = api::leave_organization(&organization_id, successor.as_deref()).await;
            toasts.outcome(&result, format!("You left \u{201c}{name}\u{201d}"));
            if result.is_ok() {
                go_to_personal(organizations, navigate).await;
            }
        }
    })
}

#[component]
fn LeaveOrganization(organization: Organization) -> impl IntoView {
    let open = RwSignal::new(false);
    let leave = leave_action(organization.id.clone(), organization.name.clone());
    let name = organization.name.clone();
    view! {
        <div class="danger-row">
            <div>
                <p class="danger-title">"Leave Organization"</p>
                <p class="muted">"You lose access to this organization until someone invites you again."</p>
            </div>
            <Button variant=ButtonVariant::Danger on_click=Callback::new(move |_| open.set(true))>
                "Leave Organization"
            </Button>
        </div>
        <ConfirmDialog
            open=open
            on_close=Callback::new(move |_| open.set(false))
            title="Leave Organization"
            confirm_label="Leave"
            on_confirm=Callback::new(move |_| {
                leave.dispatch(None);
            })
            busy=leave.pending()
            destructive=true
        >
            <p>
                "Leave " <strong>{name.clone()}</strong>
                "? You lose access to it until someone invites you again."
            </p>
        </ConfirmDialog>
    }
}

/// A sole owner leaves by promoting a successor in the same step.
#[component]
fn HandOverAndLeave(organization: Organization) -> impl IntoView {
    let open = RwSignal::new(false);
    let leave = leave_action(organization.id.clone(), organization.name.clone());
    let name = StoredValue::new(organization.name.clone());
    view! {
        <div class="danger-row">
            <div>
                <p class="danger-title">"Leave Organization"</p>
                <p class="muted">"You are its only owner: choose who becomes owner when you leave."</p>
            </div>
            <Button variant=ButtonVariant::Danger on_click=Callback::new(move |_| open.set(true))>
                "Leave Organization"
            </Button>
        </div>
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Leave Organization" alert=true>
            <SuccessorForm
                name=name.get_value()
                on_cancel=Callback::new(move |_| open.set(false))
                on_leave=Callback::new(move |successor: String| {
                    if !leave.pending().get_untracked() {
                        leave.dispatch(Some(successor));
                    }
                })
                busy=leave.pending().into()
            />
        </Dialog>
    }
}

#[component]
fn SuccessorForm(
    name: String,
    on_cancel: Callback<()>,
    on_leave: Callback<String>,
    busy: Signal<bool>,
) -> impl IntoView {
    let current = use_current_organization();
    let session = use_session();
    let chosen = RwSignal::new(String::new());
    let field_id = dom::unique_id("successor");
    let name = StoredValue::new(name);

    move || {
        let me = session.user_id().unwrap_or_default();
        match current.members() {
            None => view! { <div class="dialog-body"><SkeletonBlock lines=3 /></div> }.into_any(),
            Some(Err(error)) => view! {
                <div class="dialog-body">
                    <ErrorState message=error.message on_retry=Callback::new(move |_| current.refetch()) />
                </div>
            }
            .into_any(),
            Some(Ok(members)) => {
                let candidates: Vec<_> = members.iter().filter(|m| m.user_id != me).cloned().collect();
                if candidates.is_empty() {
                    return view! {
                        <div class="dialog-body">
                            <p>
                                "You are the only member of " <strong>{name.get_value()}</strong>
                                ", so there is nobody to hand it over to."
                            </p>
                            <p>"Delete the organization instead if you no longer need it."</p>
                        </div>
                        <div class="dialog-footer">
                            <button type="button" class="btn btn-secondary" data-autofocus="" on:click=move |_| on_cancel.run(())>
                                "Close"
                            </button>
                        </div>
                    }
                    .into_any();
                }
                // The successor must be acceptable to roster_core.
                let capabilities = current.capabilities();
                let can_leave_with = move |user_id: &str| {
                    let target = candidates_target(&members, user_id, &me);
                    capabilities
                        .as_ref()
                        .is_some_and(|c| c.leave_with_successor(target).is_ok())
                };
                let field = field_id.clone();
                view! {
                    <form on:submit=move |event: web_sys::SubmitEvent| {
                        event.prevent_default();
                        let successor = chosen.get_untracked();
                        if can_leave_with(&successor) {
                            on_leave.run(successor);
                        }
                    }>
                        <div class="dialog-body">
                            <p>
                                "You are the only owner of " <strong>{name.get_value()}</strong>
                                ". Choose a member to become its owner: they are promoted and you leave in one step."
                            </p>
                            <div class="field">
                                <label for=field.clone()>"New owner"</label>
                                <select
                                    id=field
                                    class="input"
                                    on:change=move |event| chosen.set(event_target_value(&event))
                                >
                                    <option value="" selected=move || chosen.with(String::is_empty)>"Choose a member…"</option>
                                    {candidates
                                        .into_iter()
                                        .map(|m| {
                                            let label = if m.name.is_empty() {
                                                m.email.clone()
                                            } else {
                                                format!("{} ({})", m.name, m.email)
                                            };
                                            view! { <option value=m.user_id.clone()>{label}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                        </div>
                        <div class="dialog-footer">
                            <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                                "Cancel"
                            </button>
                            <Button
                                variant=ButtonVariant::Danger
                                submit=true
                                busy=busy
                                disabled=Signal::derive(move || chosen.with(String::is_empty))
                            >
                                "Leave"
                            </Button>
                        </div>
                    </form>
                }
                .into_any()
            }
        }
    }
}

fn candidates_target(
    members: &[roster_core::wire::OrganizationUser],
    user_id: &str,
    me: &str,
) -> Option<Target> {
    members
        .iter()
        .find(|m| m.user_id == user_id)
        .map(|m| Target::of(m, me))
}
