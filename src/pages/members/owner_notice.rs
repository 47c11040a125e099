//! The notice a sole owner sees: a second owner keeps the organization
//! manageable. Its shortcut picks a member to promote; the promotion then
//! goes through the same confirmation as any role change.

use leptos::prelude::*;
use roster_core::wire::OrganizationUser;

use crate::components::{Button, ButtonVariant, Dialog, MemberChooser};
use crate::icons::{Icon, IconKind};
use crate::state::MemberStore;

#[component]
pub fn SoleOwnerNotice(
    store: MemberStore,
    #[prop(into)] me: Signal<String>,
    /// The member chosen to become an owner.
    on_promote: Callback<OrganizationUser>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let anyone_else = move || store.len() > 1;
    view! {
        <div class="notice notice-info" role="note">
            <span class="notice-icon"><Icon kind=IconKind::Shield /></span>
            <div class="notice-text">
                <p class="notice-title">"You are the only owner"</p>
                <p>
                    "A second owner keeps the organization manageable when you are away. "
                    {move || (!anyone_else()).then_some("Invite someone, then make them an owner.")}
                </p>
            </div>
            <Show when=anyone_else>
                <Button on_click=Callback::new(move |_| open.set(true))>"Promote a member"</Button>
            </Show>
        </div>
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Promote a member">
            {
                let chosen = RwSignal::new(None::<OrganizationUser>);
                view! {
                    <form on:submit=move |event: web_sys::SubmitEvent| {
                        event.prevent_default();
                        if let Some(member) = chosen.get_untracked() {
                            open.set(false);
                            on_promote.run(member);
                        }
                    }>
                        <div class="dialog-body">
                            <p>"Choose a member to make an owner. You can review what changes before it is saved."</p>
                            <MemberChooser store=store me=me.get_untracked() legend="New owner" chosen=chosen />
                        </div>
                        <div class="dialog-footer">
                            <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>
                                "Cancel"
                            </button>
                            <Button
                                variant=ButtonVariant::Primary
                                submit=true
                                disabled=Signal::derive(move || chosen.with(Option::is_none))
                            >
                                "Continue"
                            </Button>
                        </div>
                    </form>
                }
            }
        </Dialog>
    }
}
