//! "Leave" on one's own row: a confirmation, or for a sole owner the choice
//! of a successor who is promoted in the same step (as in Settings). After
//! leaving, the personal organization is shown.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::wire::OrganizationUser;
use roster_core::Target;

use super::member_chooser::MemberChooser;
use super::store::MemberStore;
use crate::api;
use crate::components::{Button, ButtonVariant, ConfirmDialog, Dialog};
use crate::routes::{self, OrgPage};
use crate::state::{use_current_organization, use_organizations, use_session, use_toasts};

#[component]
pub fn LeaveDialog(open: RwSignal<bool>, store: MemberStore) -> impl IntoView {
    let current = use_current_organization();
    let session = use_session();
    let organizations = use_organizations();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let organization_id = current.id_untracked().unwrap_or_default();
    let name = StoredValue::new(current.name().unwrap_or_default());
    let me = StoredValue::new(session.user_id_untracked().unwrap_or_default());

    let leave = Action::new_local(move |successor: &Option<String>| {
        let successor = successor.clone();
        let organization_id = organization_id.clone();
        let navigate = navigate.clone();
        async move {
            let result = api::leave_organization(&organization_id, successor.as_deref()).await;
            toasts.outcome(
                &result,
                format!("You left \u{201c}{}\u{201d}", name.get_value()),
            );
            if result.is_ok() {
                open.try_set(false);
                let _ = organizations.refresh().await;
                let target = organizations
                    .personal()
                    .map(|o| routes::org_page(&o.id, OrgPage::Members))
                    .unwrap_or_else(|| "/".to_owned());
                navigate(&target, Default::default());
            }
        }
    });
    let busy = leave.pending();
    let needs_successor = Memo::new(move |_| {
        current
            .capabilities()
            .is_some_and(|c| c.needs_successor_to_leave())
    });
    let close = Callback::new(move |_| {
        if !busy.get_untracked() {
            open.set(false);
        }
    });

    let plain_open = Signal::derive(move || open.get() && !needs_successor.get());
    let handover_open = Signal::derive(move || open.get() && needs_successor.get());
    view! {
        <ConfirmDialog
            open=plain_open
            on_close=close
            title="Leave Organization"
            confirm_label="Leave"
            busy=busy
            destructive=true
            on_confirm=Callback::new(move |_| {
                leave.dispatch(None);
            })
        >
            <p>
                "Leave " <strong>{name.get_value()}</strong>
                "? You lose access to it until someone invites you again."
            </p>
        </ConfirmDialog>
        <Dialog open=handover_open on_close=close title="Leave Organization" alert=true>
            {
                let chosen = RwSignal::new(None::<OrganizationUser>);
                let successor_ok = move || {
                    chosen.with(|c| {
                        c.as_ref().is_some_and(|member| {
                            let target = Target::of(member, &me.get_value());
                            current
                                .capabilities()
                                .is_some_and(|caps| caps.leave_with_successor(Some(target)).is_ok())
                        })
                    })
                };
                let anyone_else = move || store.len() > 1;
                view! {
                    <form on:submit=move |event: web_sys::SubmitEvent| {
                        event.prevent_default();
                        if successor_ok() && !busy.get_untracked() {
                            leave.dispatch(chosen.get_untracked().map(|m| m.user_id));
                        }
                    }>
                        <div class="dialog-body">
                            <Show
                                when=anyone_else
                                fallback=move || view! {
                                    <p>
                                        "You are the only member of " <strong>{name.get_value()}</strong>
                                        ", so there is nobody to hand it over to. Delete the organization in Settings instead if you no longer need it."
                                    </p>
                                }
                            >
                                <p>
                                    "You are the only owner of " <strong>{name.get_value()}</strong>
                                    ". Choose who becomes its owner: they are promoted and you leave in one step."
                                </p>
                                <MemberChooser store=store me=me.get_value() legend="New owner" chosen=chosen />
                            </Show>
                        </div>
                        <div class="dialog-footer">
                            <button type="button" class="btn btn-secondary" on:click=move |_| close.run(())>
                                "Cancel"
                            </button>
                            <Show when=anyone_else>
                                <Button
                                    variant=ButtonVariant::Danger
                                    submit=true
                                    busy=busy
                                    disabled=Signal::derive(move || !successor_ok())
                                >
                                    "Leave"
                                </Button>
                            </Show>
                        </div>
                    </form>
                }
            }
        </Dialog>
    }
}
