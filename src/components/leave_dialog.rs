//! Leaving the current organization, the one dialog behind both "Leave" on
//! one's own row of the members table and "Leave Organization" in
//! Settings → Danger zone (product.md §2.2, §2.4): shared by two pages, so
//! it is a component, over the member list (`state::MemberStore`) and the
//! chooser (`super::MemberChooser`) it picks a successor from.
//!
//! What it asks comes from `roster_core::Capabilities`: a plain
//! confirmation, or for a sole owner the choice of a successor who is
//! promoted in the same step, or with no other member the advice to delete
//! the organization instead. After leaving, the personal organization is
//! shown.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::wire::OrganizationUser;
use roster_core::Target;

use super::{
    Button, ButtonVariant, ConfirmDialog, Dialog, ErrorState, MemberChooser, SkeletonBlock,
};
use crate::api;
use crate::dom;
use crate::format::member_label;
use crate::state::MemberStore;
use crate::state::{use_current_organization, use_organizations, use_session, use_toasts};

/// Up to this many candidates the successor is a plain `<select>`; beyond
/// it, a search with the first matches as radio buttons.
const SELECT_LIMIT: usize = 50;

#[derive(Clone, Debug, PartialEq)]
enum ListState {
    Loading,
    Failed(String),
    Ready,
}

crate::components::split_view! {
    /// [`LeaveDialog`], downloaded when first opened.
    pub fn leave_dialog(open: RwSignal<bool>, store: MemberStore) in members_extras, preload preload_leave {
        view! { <LeaveDialog open=open store=store /> }
    }
}

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
        // Read now: the dialog may be gone when the answer comes.
        let name = name.get_value();
        async move {
            let result =
                api::organizations::leave_organization(&organization_id, successor.as_deref())
                    .await;
            toasts.outcome(&result, format!("You left \u{201c}{name}\u{201d}"));
            if result.is_ok() {
                open.try_set(false);
                let target = organizations.landing_after_leaving().await;
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

    // A reload of the list (on window focus, say) keeps the form and the
    // choice made in it.
    let list_state = Memo::new(move |_| match current.members() {
        None => ListState::Loading,
        Some(Err(error)) => ListState::Failed(error.to_string()),
        Some(Ok(_)) => ListState::Ready,
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
            {move || match list_state.get() {
                ListState::Loading => view! { <div class="dialog-body"><SkeletonBlock lines=3 /></div> }.into_any(),
                ListState::Failed(message) => view! {
                    <div class="dialog-body">
                        <ErrorState message=message on_retry=Callback::new(move |_| current.refetch()) />
                    </div>
                }
                .into_any(),
                ListState::Ready => view! {
                    <SuccessorForm
                        store=store
                        me=me.get_value()
                        name=name.get_value()
                        busy=busy.into()
                        on_cancel=close
                        on_leave=Callback::new(move |successor: String| {
                            if !busy.get_untracked() {
                                leave.dispatch(Some(successor));
                            }
                        })
                    />
                }
                .into_any(),
            }}
        </Dialog>
    }
}

/// A sole owner names who becomes owner as they leave.
#[component]
fn SuccessorForm(
    store: MemberStore,
    me: String,
    name: String,
    busy: Signal<bool>,
    on_cancel: Callback<()>,
    on_leave: Callback<String>,
) -> impl IntoView {
    let current = use_current_organization();
    let chosen = RwSignal::new(None::<OrganizationUser>);
    let me = StoredValue::new(me);
    let name = StoredValue::new(name);
    // The successor must be acceptable to roster_core.
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

    move || {
        if store.len() <= 1 {
            return view! {
                <div class="dialog-body">
                    <p>
                        "You are the only member of " <strong>{name.get_value()}</strong>
                        ", so there is nobody to hand it over to."
                    </p>
                    <p>"If you no longer need it, delete it instead (Settings, Danger zone)."</p>
                </div>
                <div class="dialog-footer">
                    <button type="button" class="btn btn-secondary" data-autofocus="" on:click=move |_| on_cancel.run(())>
                        "Close"
                    </button>
                </div>
            }
            .into_any();
        }
        view! {
            <form on:submit=move |event: web_sys::SubmitEvent| {
                event.prevent_default();
                if successor_ok() {
                    if let Some(member) = chosen.get_untracked() {
                        on_leave.run(member.user_id);
                    }
                }
            }>
                <div class="dialog-body">
                    <p>
                        "You are the only owner of " <strong>{name.get_value()}</strong>
                        ". Choose who becomes its owner: they are promoted and you leave in one step."
                    </p>
                    <SuccessorPicker store=store me=me.get_value() chosen=chosen />
                </div>
                <div class="dialog-footer">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <Button
                        variant=ButtonVariant::Danger
                        submit=true
                        busy=busy
                        disabled=Signal::derive(move || !successor_ok())
                    >
                        "Leave"
                    </Button>
                </div>
            </form>
        }
        .into_any()
    }
}

/// The successor field, named "New owner": a `<select>` for a short list of
/// candidates, a search with radio buttons for a long one.
#[component]
fn SuccessorPicker(
    store: MemberStore,
    me: String,
    chosen: RwSignal<Option<OrganizationUser>>,
) -> impl IntoView {
    let me = StoredValue::new(me);
    // One more than the limit tells a long list from a short one.
    let few = Memo::new(move |_| {
        me.with_value(|me| store.promotable(me, "", SELECT_LIMIT + 1))
            .len()
            <= SELECT_LIMIT
    });
    move || {
        if few.get() {
            view! { <SuccessorSelect store=store me=me.get_value() chosen=chosen /> }.into_any()
        } else {
            view! { <MemberChooser store=store me=me.get_value() legend="New owner" chosen=chosen /> }
                .into_any()
        }
    }
}

/// A short list of candidates: a `<select>` named "New owner".
#[component]
fn SuccessorSelect(
    store: MemberStore,
    me: String,
    chosen: RwSignal<Option<OrganizationUser>>,
) -> impl IntoView {
    let field_id = dom::unique_id("successor");
    let candidates = Memo::new(move |_| store.promotable(&me, "", SELECT_LIMIT));
    view! {
        <div class="field">
            <label for=field_id.clone()>"New owner"</label>
            <select
                id=field_id
                class="input"
                data-autofocus=""
                on:change=move |event| {
                    let user_id = event_target_value(&event);
                    chosen.set(candidates.with_untracked(|list| {
                        list.iter().find(|m| m.user_id == user_id).cloned()
                    }));
                }
            >
                <option value="" selected=move || chosen.with(Option::is_none)>"Choose a member…"</option>
                <For each=move || candidates.get() key=|m| m.user_id.clone() let:member>
                    <option
                        value=member.user_id.clone()
                        selected={
                            let user_id = member.user_id.clone();
                            move || chosen.with(|c| c.as_ref().is_some_and(|c| c.user_id == user_id))
                        }
                    >
                        {member_label(&member)}
                    </option>
                </For>
            </select>
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use crate::testing::fixtures::{fire, member};
    use roster_core::Role;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    /// The signed-in owner (u000) and `others` members.
    fn mount_picker(
        fixture: &Fixture,
        others: usize,
    ) -> (RwSignal<Option<OrganizationUser>>, impl Drop) {
        let list: Vec<_> = (0..=others)
            .map(|n| member(n, if n == 0 { Role::Owner } else { Role::Member }))
            .collect();
        let chosen = RwSignal::new(None);
        let handle = fixture.mount(move || {
            let store = MemberStore::new();
            store.replace_all(&list);
            view! { <SuccessorPicker store=store me="u000".to_owned() chosen=chosen /> }
        });
        (chosen, handle)
    }

    #[page_test]
    async fn a_small_organization_picks_the_new_owner_from_a_select() {
        let fixture = Fixture::new();
        let (chosen, _handle) = mount_picker(&fixture, SELECT_LIMIT);
        settle().await;

        let label = fixture.find("label");
        assert_eq!(label.text_content().as_deref(), Some("New owner"));
        let select: web_sys::HtmlSelectElement = fixture.find("select").unchecked_into();
        assert_eq!(label.get_attribute("for"), Some(select.id()));
        // The placeholder, then every member but the signed-in owner.
        assert_eq!(select.length() as usize, SELECT_LIMIT + 1);
        assert!(!fixture.exists("option[value=\"u000\"]"));
        assert_eq!(
            fixture
                .find("option[value=\"u002\"]")
                .text_content()
                .as_deref(),
            Some("Member 002 (member002@example.com)")
        );

        select.set_value("u002");
        fire(&select, "change");
        assert_eq!(
            chosen.get_untracked().map(|m| m.user_id).as_deref(),
            Some("u002")
        );
    }

    #[page_test]
    async fn a_large_organization_searches_for_the_new_owner() {
        let fixture = Fixture::new();
        let (chosen, _handle) = mount_picker(&fixture, SELECT_LIMIT + 1);
        settle().await;

        assert!(!fixture.exists("select"));
        assert_eq!(
            fixture.find("fieldset legend").text_content().as_deref(),
            Some("New owner")
        );
        let search = fixture.find("input[type=search]");
        type_into(&search, "member042");
        settle().await;
        let radios = fixture.find_all("input[type=radio]");
        assert_eq!(radios.len(), 1);
        radios[0].click();
        assert_eq!(
            chosen.get_untracked().map(|m| m.user_id).as_deref(),
            Some("u042")
        );
    }
}
