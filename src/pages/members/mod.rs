//! `/org/:orgId/members`: the default page of an organization
//! (product.md §2.2).
//!
//! - A personal organization gets an empty state pointing to "Create
//!   Organization".
//! - Otherwise: the members table (search, sort, pages; role and assignment
//!   pickers and Remove for owners, Leave on one's own row), the sole-owner
//!   notice, and for owners the pending invitations and "Invite Member".
//!
//! What is shown and enabled comes from `roster_core::Capabilities`; every
//! access change is confirmed with what the member gains and loses.

mod access_change;
mod assignment_picker;
mod bulk;
mod export;
mod invitations;
mod invite;
mod owner_notice;
mod selection;
mod table;

use chrono::Utc;
use leptos::prelude::*;
use roster_core::wire::{BulkAction, OrganizationUser};
use roster_core::{Capabilities, Role};
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::{
    create_organization_dialog, download_when_idle, leave_dialog, loader, Button, ButtonVariant,
    Chunk, ConfirmDialog, EmptyState, ErrorState, Lazy, LazyDialog, SkeletonBlock, SkeletonTable,
};
use crate::dom;
use crate::icons::IconKind;
use crate::state::{use_current_organization, use_org_page_title, use_session, use_toasts};

use crate::format::member_label;
use crate::state::MemberStore;
use access_change::{access_change_dialog, AccessChange};
use assignment_picker::AssignmentList;
use bulk::{bulk_dialog, BulkRequest, BulkSources};
use export::ExportMembers;
use invitations::{pending_invitations, InvitationSources};
use invite::{invite_dialog, InviteSources};
use owner_notice::SoleOwnerNotice;
use selection::Selection;
use table::{MembersTable, RowContext};

const TABLE_HEADERS: [&str; 5] = ["Member", "Role", "Assignments", "Joined", "Actions"];

#[component]
pub fn MembersPage() -> impl IntoView {
    use_org_page_title("Members");
    let current = use_current_organization();
    let personal = Memo::new(move |_| current.organization().map(|o| o.personal));
    move || match personal.get() {
        None => view! {
            <PageHeader />
            <SkeletonTable headers=TABLE_HEADERS.to_vec() label="Members" />
        }
        .into_any(),
        Some(true) => view! { <PersonalOrganization /> }.into_any(),
        Some(false) => view! { <OrganizationMembers /> }.into_any(),
    }
}

#[component]
fn PageHeader(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>"Members"</h1>
            {children.map(|c| view! { <div class="page-actions">{c()}</div> })}
        </header>
    }
}

#[component]
fn PersonalOrganization() -> impl IntoView {
    let create_open = RwSignal::new(false);
    view! {
        <PageHeader />
        <EmptyState
            title="Organizations support member invitations"
            description="Personal accounts cannot invite members. Create an organization to collaborate with other users."
            icon=IconKind::Users
        >
            <Button variant=ButtonVariant::Primary on_click=Callback::new(move |_| create_open.set(true))>
                "Create Organization"
            </Button>
        </EmptyState>
        <LazyDialog
            open=create_open
            load=loader(move || create_organization_dialog(create_open))
            on_close=Callback::new(move |_| create_open.set(false))
        />
    }
}

#[derive(Clone, Debug, PartialEq)]
enum ListState {
    Loading,
    /// The first page of a large organization is here, the rest are not.
    FirstPage,
    Failed(String),
    Ready,
}

#[component]
fn OrganizationMembers() -> impl IntoView {
    let current = use_current_organization();
    let session = use_session();
    let toasts = use_toasts();
    let organization_id = StoredValue::new(current.id_untracked().unwrap_or_default());

    // The shared member list feeds the table's per-row signals.
    let store = MemberStore::of_current_organization();
    let list_state = Memo::new(move |_| match current.members() {
        None if current.first_page().is_some() => ListState::FirstPage,
        None => ListState::Loading,
        Some(Err(error)) => ListState::Failed(error.to_string()),
        Some(Ok(_)) => ListState::Ready,
    });

    let capabilities = Memo::new(move |_| current.capabilities());
    let allows = move |check: fn(&Capabilities) -> Result<(), roster_core::Refusal>| {
        capabilities.with(|c| c.as_ref().is_some_and(|c| check(c).is_ok()))
    };
    let me = Memo::new(move |_| session.user_id());

    let assignments_resource = LocalResource::new(move || {
        let id = organization_id.get_value();
        async move { api::assignments::list_assignments(&id).await }
    });
    let assignments: Signal<AssignmentList> = Signal::derive(move || {
        assignments_resource.with(|r| r.as_ref().map(|r| r.clone().map_err(|e| e.to_string())))
    });
    let retry_assignments = Callback::new(move |_| assignments_resource.refetch());

    let can_manage_invitations = Memo::new(move |_| allows(Capabilities::manage_invitations));
    // The invitations, below the members, load once the members are on
    // screen: reading them must not delay the table. Until then the
    // resource answers "not asked yet" (None) rather than a future that
    // never ends: a LocalResource awaits its future before it looks at its
    // sources again, so such a future would keep it from ever asking.
    let members_shown = RwSignal::new(false);
    // Where they will be: below a large organization's table they load when
    // the reader scrolls near them, not with the page.
    let invitations_place = NodeRef::<leptos::html::Div>::new();
    let watching = StoredValue::new_local(None::<dom::NearScreen>);
    Effect::new(move |_| {
        if list_state.get() == ListState::Ready && !members_shown.get_untracked() {
            if let Some(place) = invitations_place.get() {
                let near = dom::when_near_screen(&place, move || {
                    members_shown.try_set(true);
                });
                watching.set_value(Some(near));
            }
            // The dialogs this page opens (one chunk, with the picker's
            // popover), while nobody waits: a click then waits for no
            // download.
            download_when_idle(Chunk::members_extras);
        }
    });
    let invitations = LocalResource::new(move || {
        let id = organization_id.get_value();
        let wanted = can_manage_invitations.get();
        let shown = members_shown.get();
        async move {
            match (wanted, shown) {
                (false, _) => Some(Ok(Vec::new())),
                // Not yet (the section shows its skeleton).
                (true, false) => None,
                (true, true) => {
                    Some(api::invitations::list_organization_invitations(&id, true).await)
                }
            }
        }
    });

    // Access changes: chosen on a row and confirmed, then shown on the row
    // at once while they are saved (a round trip is longer than a frame on
    // any real network); a change the server refuses is put back.
    let pending_change = RwSignal::new(None::<AccessChange>);
    // The members whose access is being saved.
    let saving = RwSignal::new(Vec::<String>::new());
    let owner = Owner::current();
    let save_access = move |change: AccessChange| {
        let member_id = change.member.user_id.clone();
        if saving.with_untracked(|s| s.contains(&member_id)) {
            pending_change.set(None);
            toasts.info(format!(
                "The last change to {} is still being saved",
                change.member.email
            ));
            return;
        }
        let organization_id = organization_id.get_value();
        let shown = change.updated_member();
        let save = {
            let member_id = member_id.clone();
            async move {
                let result = api::members::update_member_access(
                    &organization_id,
                    &change.member.user_id,
                    &change.body(),
                )
                .await;
                saving.try_update(|s| s.retain(|id| *id != member_id));
                match result {
                    Ok(updated) => {
                        let updated = updated.unwrap_or_else(|| change.updated_member());
                        store.update(updated.clone());
                        // The toast that repeats the row, and going over
                        // every member for the owner count (and so what
                        // the user may do), wait until the row is shown.
                        let email = change.member.email.clone();
                        dom::after_paint(move || {
                            toasts.success(format!("Access of {email} updated"));
                            current.edit_members(&organization_id, |list| {
                                if let Some(member) =
                                    list.iter_mut().find(|m| m.user_id == updated.user_id)
                                {
                                    *member = updated;
                                }
                            });
                        });
                    }
                    Err(error) => {
                        store.update(change.member);
                        toasts.error(&error);
                        // Refused for what the page did not know (the
                        // member left, an assignment was deleted): read
                        // the list again. The access gate's 403 does so
                        // already; a failed connection changes nothing.
                        let refused = error.status().is_some_and(|status| {
                            (400..500).contains(&status) && ![401, 403].contains(&status)
                        });
                        if refused {
                            current.refetch();
                        }
                    }
                }
            }
        };
        // The request leaves first: the server works while the page
        // renders the change.
        match &owner {
            Some(owner) => owner.with(|| leptos::task::spawn_local_scoped(save)),
            None => leptos::task::spawn_local_scoped(save),
        }
        // The confirmation closes first, while the page is laid out:
        // removing it (and the focus in it) then costs no layout of its own.
        pending_change.set(None);
        saving.update(|s| s.push(member_id));
        store.update(shown);
    };

    let save_access = Callback::new(save_access);

    let selection = Selection::new();
    let removing = RwSignal::new(None::<OrganizationUser>);
    let remove = Action::new_local(move |member: &OrganizationUser| {
        let member = member.clone();
        let organization_id = organization_id.get_value();
        async move {
            let result = api::members::remove_member(&organization_id, &member.user_id).await;
            toasts.outcome(&result, format!("{} was removed", member.email));
            if result.is_ok() {
                store.remove(&member.user_id);
                selection.drop_ids(std::slice::from_ref(&member.user_id));
                dom::after_paint(move || {
                    current.edit_members(&organization_id, |list| {
                        list.retain(|m| m.user_id != member.user_id);
                    });
                });
            }
            removing.try_set(None);
        }
    });

    let leave_open = RwSignal::new(false);
    let invite_open = RwSignal::new(false);
    let bulk_request = RwSignal::new(None::<BulkRequest>);

    let context = RowContext {
        capabilities: capabilities.into(),
        me: me.into(),
        assignments,
        retry_assignments,
        saving: saving.into(),
        on_role: Callback::new(move |(member, role): (OrganizationUser, Role)| {
            pending_change.set(Some(AccessChange::role(member, role)));
        }),
        on_assignments: Callback::new(move |(member, ids): (OrganizationUser, Vec<String>)| {
            let available = assignments.with_untracked(|a| match a {
                Some(Ok(list)) => list.clone(),
                _ => Vec::new(),
            });
            pending_change.set(Some(AccessChange::assignments(member, &ids, &available)));
        }),
        on_remove: Callback::new(move |member| removing.set(Some(member))),
        on_leave: Callback::new(move |_| leave_open.set(true)),
        selection,
        bulk: Signal::derive(move || {
            capabilities.with(|c| {
                c.as_ref()
                    .is_some_and(|c| roster_core::bulk::authorize(c, &BulkAction::Remove).is_ok())
            })
        }),
        on_bulk: Callback::new(move |(action, user_ids): (BulkAction, Vec<String>)| {
            bulk_request.set(Some(BulkRequest { action, user_ids }));
        }),
    };

    let open_invitation_emails = Signal::derive(move || {
        let now = Utc::now();
        invitations.with(|r| match r {
            Some(Some(Ok(list))) => list
                .iter()
                .filter(|i| i.is_open(now))
                .map(|i| i.email.clone())
                .collect(),
            _ => Vec::new(),
        })
    });
    let member_emails = Memo::new(move |_| {
        // Follows the list: re-read whenever members come or go.
        store.len();
        store.emails_untracked()
    });
    let bulk_sources = BulkSources {
        organization_id,
        me: me.into(),
        capabilities: capabilities.into(),
        members: Signal::derive(move || current.members().and_then(Result::ok)),
        assignments,
        store,
        // The members changed leave the selection; the others stay picked
        // (to try again, or to act otherwise).
        on_done: Callback::new(move |ids: Vec<String>| selection.drop_ids(&ids)),
    };
    let invite_sources = InviteSources {
        organization_id,
        member_emails: member_emails.into(),
        invited_emails: open_invitation_emails,
        assignments,
        retry_assignments,
    };
    let organization_name = Signal::derive(move || current.name().unwrap_or_default());
    let invitation_sources = InvitationSources {
        organization_id,
        invitations,
        assignments,
        retry_assignments,
        organization_name,
    };

    let caption =
        Signal::derive(move || format!("Members of {}", current.name().unwrap_or_default()));
    let sole_owner = Memo::new(move |_| {
        capabilities.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.is_sole_owner() && !c.is_personal())
        })
    });

    // The first page and the whole list share one table: the first rows
    // stay on screen when the rest arrive.
    let shown = Memo::new(move |_| match list_state.get() {
        ListState::FirstPage | ListState::Ready => ListState::Ready,
        other => other,
    });
    let table = move || match shown.get() {
        ListState::Loading => {
            view! { <SkeletonTable headers=TABLE_HEADERS.to_vec() label="Members" /> }.into_any()
        }
        ListState::Failed(message) => view! {
            <ErrorState
                title="Could not load the members"
                message=message
                on_retry=Callback::new(move |_| current.refetch())
            />
        }
        .into_any(),
        ListState::FirstPage | ListState::Ready => {
            view! { <MembersTable store=store context=context caption=caption /> }.into_any()
        }
    };

    // What the table's search box says, for the export. The table keeps
    // its query to itself; what is typed there reaches the window as input
    // events, read once the table has painted the keystroke.
    let search = RwSignal::new(String::new());
    let typed = window_event_listener(leptos::ev::input, move |event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if input.type_() == "search" && matches!(input.closest(".members-table"), Ok(Some(_))) {
            let value = input.value();
            dom::after_paint(move || {
                search.try_set(value);
            });
        }
    });
    on_cleanup(move || typed.remove());
    // A table shown again starts with an empty search box.
    Effect::new(move |_| {
        if shown.get() != ListState::Ready {
            search.set(String::new());
        }
    });
    let removing_open = Signal::derive(move || removing.with(Option::is_some));
    view! {
        <PageHeader>
            <ExportMembers store=store search=search organization=organization_name />
            <Show when=move || allows(Capabilities::invite)>
                <Button variant=ButtonVariant::Primary on_click=Callback::new(move |_| invite_open.set(true))>
                    "Invite Member"
                </Button>
            </Show>
        </PageHeader>
        // With the first rows: shown later, it would move the table down
        // under the reader's eyes.
        <Show when=move || sole_owner.get() && shown.get() == ListState::Ready>
            <SoleOwnerNotice
                store=store
                me=Signal::derive(move || me.get().unwrap_or_default())
                on_promote=Callback::new(move |member| {
                    pending_change.set(Some(AccessChange::role(member, Role::Owner)));
                })
            />
        </Show>
        {table}
        // Below the table, in a chunk of its own: downloaded once the
        // members are on screen and the reader comes near, as its data is.
        <Show when=move || can_manage_invitations.get()>
            <Show
                when=move || members_shown.get()
                fallback=move || view! {
                    <div class="page-loading" node_ref=invitations_place>
                        <SkeletonBlock lines=3 />
                    </div>
                }
            >
                <Lazy
                    load=loader(move || pending_invitations(invitation_sources))
                    what="the pending invitations"
                    fallback=|| view! { <div class="page-loading"><SkeletonBlock lines=3 /></div> }
                />
            </Show>
        </Show>

        <LazyDialog
            open=Signal::derive(move || pending_change.with(Option::is_some))
            load=loader(move || access_change_dialog(pending_change, save_access))
            on_close=Callback::new(move |_| pending_change.set(None))
        />
        <ConfirmDialog
            open=removing_open
            on_close=Callback::new(move |_| {
                if !remove.pending().get_untracked() {
                    removing.set(None);
                }
            })
            title="Remove member"
            confirm_label="Remove"
            busy=remove.pending()
            destructive=true
            on_confirm=Callback::new(move |_| {
                if let Some(member) = removing.get_untracked() {
                    remove.dispatch(member);
                }
            })
        >
            {move || removing.get().map(|member| view! {
                <p>
                    "Remove " <strong>{member_label(&member)}</strong> " from "
                    <strong>{current.name().unwrap_or_default()}</strong>
                    "? They lose access at once; you can invite them again later."
                </p>
            })}
        </ConfirmDialog>
        <LazyDialog
            open=Signal::derive(move || bulk_request.with(Option::is_some))
            load=loader(move || bulk_dialog(bulk_request, bulk_sources))
            on_close=Callback::new(move |_| bulk_request.set(None))
        />
        <LazyDialog
            open=leave_open
            load=loader(move || leave_dialog(leave_open, store))
            on_close=Callback::new(move |_| leave_open.set(false))
        />
        <LazyDialog
            open=invite_open
            load=loader(move || {
                invite_dialog(invite_open, invite_sources, Callback::new(move |_| invitations.refetch()))
            })
            on_close=Callback::new(move |_| invite_open.set(false))
        />
    }
}
