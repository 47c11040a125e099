//! "Pending invitations" (owners): every pending invitation, expired ones
//! included (`include=expired`) so they can be resent; Edit (role,
//! assignments, expiry), Resend, Cancel. Shown a page at a time in the
//! server's order, newest first, so what was just sent is on the first page.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use roster_core::invitation::validate_expiry;
use roster_core::wire::{OrganizationInvitation, UpdateOrganizationInvitation};
use roster_core::{InvitationState, Role};

use super::assignment_picker::{AssignmentList, LoadedAssignmentChecklist};
use super::export::ExportInvitations;
use crate::api::{self, ApiResult};
use crate::components::{
    loader, Badge, BadgeVariant, Button, ButtonVariant, ConfirmDialog, Dialog, EmptyState,
    ErrorState, LazyDialog, Pagination, Paging, SkeletonTable,
};
use crate::dom;
use crate::format;
use crate::format::time_input;
use crate::icons::IconKind;
use crate::state::use_toasts;

const HEADERS: [&str; 6] = [
    "E-mail",
    "Role and assignments",
    "Invited by",
    "Expires",
    "Status",
    "Actions",
];

/// The section's inputs, shared with the page (the invitation dialog
/// checks new addresses against the same list).
#[derive(Clone, Copy)]
pub struct InvitationSources {
    pub organization_id: StoredValue<String>,
    /// `None` inside: not asked for yet (the members are shown first).
    pub invitations: LocalResource<Option<ApiResult<Vec<OrganizationInvitation>>>>,
    pub assignments: Signal<AssignmentList>,
    pub retry_assignments: Callback<()>,
    /// For the export's file name.
    pub organization_name: Signal<String>,
}

/// What the section shows; it changes only between these, not on every
/// reload of the list.
#[derive(Clone, PartialEq)]
enum Listing {
    Loading,
    Failed(String),
    Empty,
    Listed,
}

crate::components::split_view! {
    /// [`PendingInvitations`], downloaded once the members are on screen.
    pub fn pending_invitations(sources: InvitationSources) in members_extras, preload preload_pending_invitations {
        view! { <PendingInvitations sources=sources /> }
    }
}

#[component]
pub fn PendingInvitations(sources: InvitationSources) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(None::<OrganizationInvitation>);
    let cancelling = RwSignal::new(None::<OrganizationInvitation>);
    let invitations = sources.invitations;
    let title_id = dom::unique_id("pending-invitations-title");

    let resend = Action::new_local(move |invitation: &OrganizationInvitation| {
        let invitation = invitation.clone();
        let organization_id = sources.organization_id.get_value();
        async move {
            let result =
                api::invitations::resend_invitation(&organization_id, &invitation.id).await;
            toasts.outcome(
                &result,
                format!("Invitation to {} sent again", invitation.email),
            );
            if result.is_ok() {
                invitations.refetch();
            }
        }
    });
    let cancel = Action::new_local(move |invitation: &OrganizationInvitation| {
        let invitation = invitation.clone();
        let organization_id = sources.organization_id.get_value();
        async move {
            let result =
                api::invitations::cancel_invitation(&organization_id, &invitation.id).await;
            toasts.outcome(
                &result,
                format!("Invitation to {} cancelled", invitation.email),
            );
            cancelling.try_set(None);
            invitations.refetch();
        }
    });
    let resending = Memo::new(move |_| {
        if resend.pending().get() {
            resend.input().with(|i| i.as_ref().map(|i| i.id.clone()))
        } else {
            None
        }
    });

    let listing = Memo::new(move |_| {
        invitations.with(|r| match r {
            None | Some(None) => Listing::Loading,
            Some(Some(Err(error))) => Listing::Failed(error.to_string()),
            Some(Some(Ok(list))) if list.is_empty() => Listing::Empty,
            Some(Some(Ok(_))) => Listing::Listed,
        })
    });
    let list = Memo::new(move |_| {
        invitations.with(|r| {
            r.as_ref()
                .and_then(Option::as_ref)
                .and_then(|r| r.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
    });

    let body = {
        let title_id = title_id.clone();
        move || match listing.get() {
            Listing::Loading => view! {
                <SkeletonTable headers=HEADERS.to_vec() rows=2 label="Pending invitations" />
            }
            .into_any(),
            Listing::Failed(message) => view! {
                <ErrorState
                    title="Could not load the invitations"
                    message=message
                    on_retry=Callback::new(move |_| invitations.refetch())
                />
            }
            .into_any(),
            Listing::Empty => view! {
                <EmptyState
                    title="No pending invitations"
                    description="Invitations you send appear here until they are accepted."
                    icon=IconKind::Mail
                />
            }
            .into_any(),
            Listing::Listed => view! {
                <InvitationTable
                    invitations=list
                    labelled_by=title_id.clone()
                    resending=resending
                    on_edit=Callback::new(move |i| editing.set(Some(i)))
                    on_resend=Callback::new(move |i: OrganizationInvitation| {
                        if !resend.pending().get_untracked() {
                            resend.dispatch(i);
                        }
                    })
                    on_cancel=Callback::new(move |i| cancelling.set(Some(i)))
                />
            }
            .into_any(),
        }
    };

    let cancel_open = Signal::derive(move || cancelling.with(Option::is_some));
    view! {
        <section class="pending-invitations" aria-labelledby=title_id.clone()>
            <div class="section-header">
                <h2 id=title_id.clone() class="section-title">"Pending invitations"</h2>
                <Show when=move || listing.get() == Listing::Listed>
                    <ExportInvitations invitations=list organization=sources.organization_name />
                </Show>
            </div>
            {body}
        </section>
        <LazyDialog
            open=Signal::derive(move || editing.with(Option::is_some))
            load=loader(move || edit_invitation_dialog(editing, sources, Callback::new(move |_| invitations.refetch())))
            on_close=Callback::new(move |_| editing.set(None))
        />
        <ConfirmDialog
            open=cancel_open
            on_close=Callback::new(move |_| {
                if !cancel.pending().get_untracked() {
                    cancelling.set(None);
                }
            })
            title="Cancel invitation"
            confirm_label="Cancel invitation"
            busy=cancel.pending()
            destructive=true
            on_confirm=Callback::new(move |_| {
                if let Some(invitation) = cancelling.get_untracked() {
                    cancel.dispatch(invitation);
                }
            })
        >
            {move || cancelling.get().map(|i| view! {
                <p>
                    "Cancel the invitation to " <strong>{i.email}</strong>
                    "? Its link stops working; you can invite them again later."
                </p>
            })}
        </ConfirmDialog>
    }
}

/// The invitations a page at a time. Rows are keyed, so a reload of the
/// list re-renders only the invitations that changed.
#[component]
fn InvitationTable(
    #[prop(into)] invitations: Signal<Vec<OrganizationInvitation>>,
    /// The id of the section's heading.
    labelled_by: String,
    /// The id of the invitation being sent again.
    #[prop(into)]
    resending: Signal<Option<String>>,
    on_edit: Callback<OrganizationInvitation>,
    on_resend: Callback<OrganizationInvitation>,
    on_cancel: Callback<OrganizationInvitation>,
) -> impl IntoView {
    let total = Signal::derive(move || invitations.with(Vec::len));
    let paging = Paging::new(total);
    let window = paging.window;
    let page_rows = Memo::new(move |_| {
        let window = window.get();
        invitations.with(|list| {
            list.iter()
                .skip(window.start)
                .take(window.end - window.start)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // What the owner just sent is listed first: show the first page.
    Effect::new(move |seen: Option<Option<DateTime<Utc>>>| {
        let newest = invitations.with(|list| list.iter().map(|i| i.created_at).max());
        if let (Some(Some(seen)), Some(newest)) = (seen, newest) {
            if newest > seen {
                paging.page.set(0);
            }
        }
        newest
    });

    view! {
        <p class="table-count" role="status">
            {move || window.get().status(total.get(), "invitation", "invitations")}
        </p>
        <div class="table-wrap">
            <table class="table" aria-labelledby=labelled_by>
                <thead>
                    <tr>
                        {HEADERS
                            .iter()
                            .map(|h| {
                                let class = (*h == "Actions").then_some("actions-column");
                                view! { <th scope="col" class=class>{*h}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || page_rows.get()
                        key=|i| (i.id.clone(), i.updated_at, i.expires_at)
                        let:invitation
                    >
                        <InvitationRow
                            resending=Signal::derive({
                                let id = invitation.id.clone();
                                move || resending.with(|r| r.as_deref() == Some(id.as_str()))
                            })
                            invitation=invitation
                            now=Utc::now()
                            on_edit=on_edit
                            on_resend=on_resend
                            on_cancel=on_cancel
                        />
                    </For>
                </tbody>
            </table>
        </div>
        <Pagination paging=paging label="Pending invitations pages" />
    }
}

#[component]
fn InvitationRow(
    invitation: OrganizationInvitation,
    now: chrono::DateTime<Utc>,
    resending: Signal<bool>,
    on_edit: Callback<OrganizationInvitation>,
    on_resend: Callback<OrganizationInvitation>,
    on_cancel: Callback<OrganizationInvitation>,
) -> impl IntoView {
    let state = invitation.state(now);
    let status = match state {
        InvitationState::Pending => {
            view! { <Badge variant=BadgeVariant::Success>{state.label()}</Badge> }
        }
        _ => view! { <Badge variant=BadgeVariant::Warning>{state.label()}</Badge> },
    };
    let email = invitation.email.clone();
    let expires = invitation.expires_at;
    let stored = StoredValue::new(invitation.clone());
    view! {
        <tr data-invitation=invitation.id.clone()>
            <td class="invitation-email">{invitation.email.clone()}</td>
            <td data-label=HEADERS[1]>{format::role_and_assignments(&invitation)}</td>
            <td data-label=HEADERS[2]>{invitation.invited_by.clone()}</td>
            <td data-label=HEADERS[3]>
                <time datetime=expires.to_rfc3339() title=format::date_time(expires)>
                    {format::relative(expires, now)}
                </time>
            </td>
            <td data-label=HEADERS[4]>{status}</td>
            <td class="actions-column">
                <div class="row-actions">
                    {state.is_open().then(|| view! {
                        <Button
                            variant=ButtonVariant::Ghost
                            small=true
                            on_click=Callback::new(move |_| on_edit.run(stored.get_value()))
                            {..}
                            aria-label=format!("Edit invitation for {email}")
                        >
                            "Edit"
                        </Button>
                    })}
                    <Button
                        variant=ButtonVariant::Ghost
                        small=true
                        busy=resending
                        on_click=Callback::new(move |_| on_resend.run(stored.get_value()))
                        {..}
                        aria-label=format!("Resend invitation to {}", invitation.email)
                    >
                        "Resend"
                    </Button>
                    <Button
                        variant=ButtonVariant::Ghost
                        small=true
                        on_click=Callback::new(move |_| on_cancel.run(stored.get_value()))
                        {..}
                        aria-label=format!("Cancel invitation for {}", invitation.email)
                    >
                        "Cancel"
                    </Button>
                </div>
            </td>
        </tr>
    }
}

crate::components::split_view! {
    /// [`EditInvitationDialog`], downloaded when first opened.
    fn edit_invitation_dialog(editing: RwSignal<Option<OrganizationInvitation>>, sources: InvitationSources, on_saved: Callback<()>) in members_extras, preload preload_edit_invitation {
        view! { <EditInvitationDialog editing=editing sources=sources on_saved=on_saved /> }
    }
}

#[component]
fn EditInvitationDialog(
    editing: RwSignal<Option<OrganizationInvitation>>,
    sources: InvitationSources,
    on_saved: Callback<()>,
) -> impl IntoView {
    let open = Signal::derive(move || editing.with(Option::is_some));
    let close = Callback::new(move |_| editing.set(None));
    view! {
        <Dialog open=open on_close=close title="Edit invitation">
            {move || editing.get_untracked().map(|invitation| view! {
                <EditInvitationForm invitation=invitation sources=sources on_close=close on_saved=on_saved />
            })}
        </Dialog>
    }
}

#[component]
fn EditInvitationForm(
    invitation: OrganizationInvitation,
    sources: InvitationSources,
    on_close: Callback<()>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let role = RwSignal::new(invitation.role);
    let selected = RwSignal::new(
        invitation
            .assigned_roles
            .iter()
            .map(|a| a.id.clone())
            .collect::<BTreeSet<_>>(),
    );
    let original_expiry = time_input::to_input(invitation.expires_at);
    let expires = RwSignal::new(original_expiry.clone());
    let expiry_error = RwSignal::new(None::<String>);
    let role_id = dom::unique_id("invitation-role");
    let expires_id = dom::unique_id("invitation-expires");
    let expires_error_id = format!("{expires_id}-error");
    let email = invitation.email.clone();
    let invitation_id = invitation.id.clone();

    let save = Action::new_local(move |body: &UpdateOrganizationInvitation| {
        let body = body.clone();
        let organization_id = sources.organization_id.get_value();
        let invitation_id = invitation_id.clone();
        let email = email.clone();
        async move {
            let result =
                api::invitations::update_invitation(&organization_id, &invitation_id, &body).await;
            toasts.outcome(&result, format!("Invitation to {email} updated"));
            // The dialog, or the page, may be gone by now.
            if result.is_ok() {
                on_saved.try_run(());
                on_close.try_run(());
            }
        }
    });

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        let value = expires.get_untracked();
        // The expiry is sent only when it was changed.
        let expires_at = if value == original_expiry {
            None
        } else {
            match time_input::from_input(&value) {
                None => {
                    expiry_error.set(Some("Enter a date and time".to_owned()));
                    return;
                }
                Some(at) => match validate_expiry(at, Utc::now()) {
                    Err(error) => {
                        expiry_error.set(Some(error.message));
                        return;
                    }
                    Ok(()) => Some(at),
                },
            }
        };
        expiry_error.set(None);
        let role = role.get_untracked();
        let assigned_role_ids = if role.is_owner() {
            Vec::new()
        } else {
            selected.get_untracked().into_iter().collect()
        };
        save.dispatch(UpdateOrganizationInvitation {
            role,
            assigned_role_ids,
            expires_at,
        });
    };

    let described_by = expires_error_id.clone();
    view! {
        <form on:submit=submit novalidate>
            <div class="dialog-body">
                <p>"Invitation to " <strong>{invitation.email.clone()}</strong></p>
                <div class="field">
                    <label for=role_id.clone()>"Role"</label>
                    <select
                        id=role_id
                        class="input"
                        on:change=move |event| {
                            if let Ok(chosen) = event_target_value(&event).parse::<Role>() {
                                role.set(chosen);
                            }
                        }
                    >
                        {Role::ALL
                            .iter()
                            .map(|r| {
                                let r = *r;
                                view! { <option value=r.as_str() prop:selected=move || role.get() == r>{r.label()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                {move || {
                    if role.get().is_owner() {
                        view! { <p class="muted">"Owners have full access: assignments do not apply to them."</p> }.into_any()
                    } else {
                        view! {
                            <LoadedAssignmentChecklist
                                legend="Assignments"
                                assignments=sources.assignments
                                selected=selected
                                on_retry=sources.retry_assignments
                            />
                        }
                        .into_any()
                    }
                }}
                <div class="field">
                    <label for=expires_id.clone()>"Expires"</label>
                    <input
                        id=expires_id
                        class="input"
                        type="datetime-local"
                        aria-invalid=move || expiry_error.with(Option::is_some).then_some("true")
                        aria-describedby=move || expiry_error.with(Option::is_some).then(|| described_by.clone())
                        prop:value=move || expires.get()
                        on:input=move |event| expires.set(event_target_value(&event))
                    />
                    {move || expiry_error.get().map(|message| view! {
                        <p class="field-error" id=expires_error_id.clone()>{message}</p>
                    })}
                </div>
            </div>
            <div class="dialog-footer">
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                <Button variant=ButtonVariant::Primary submit=true busy=save.pending()>"Save"</Button>
            </div>
        </form>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use crate::testing::fixtures::{fire, invitation};
    use roster_test_macros::page_test;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn invitations(range: std::ops::Range<i64>) -> Vec<OrganizationInvitation> {
        range.map(invitation).collect()
    }

    struct Mounted {
        list: RwSignal<Vec<OrganizationInvitation>>,
        cancelled: RwSignal<Vec<String>>,
        resending: RwSignal<Option<String>>,
        _handle: Box<dyn std::any::Any>,
    }

    fn mount_table(fixture: &Fixture, list: Vec<OrganizationInvitation>) -> Mounted {
        let list = RwSignal::new(list);
        let cancelled = RwSignal::new(Vec::new());
        let resending = RwSignal::new(None);
        let handle = fixture.mount(move || {
            view! {
                <h2 id="title">"Pending invitations"</h2>
                <InvitationTable
                    invitations=list
                    labelled_by="title".to_owned()
                    resending=resending
                    on_edit=Callback::new(|_| ())
                    on_resend=Callback::new(|_| ())
                    on_cancel=Callback::new(move |i: OrganizationInvitation| {
                        cancelled.update(|c| c.push(i.id))
                    })
                />
            }
        });
        Mounted {
            list,
            cancelled,
            resending,
            _handle: Box::new(handle),
        }
    }

    /// The ids of the rows shown, in order.
    fn shown(fixture: &Fixture) -> Vec<String> {
        fixture
            .find_all("tbody tr[data-invitation]")
            .iter()
            .filter_map(|row| row.get_attribute("data-invitation"))
            .collect()
    }

    fn ids(range: std::ops::Range<i64>) -> Vec<String> {
        range.map(|n| format!("i{n:03}")).collect()
    }

    fn text(fixture: &Fixture, selector: &str) -> String {
        fixture.find(selector).text_content().unwrap_or_default()
    }

    fn pager_button(fixture: &Fixture, name: &str) -> web_sys::HtmlElement {
        fixture
            .find_all("nav[aria-label=\"Pending invitations pages\"] button")
            .into_iter()
            .find(|b| b.text_content().unwrap_or_default().trim() == name)
            .unwrap_or_else(|| panic!("no {name} button"))
    }

    #[page_test]
    async fn sixty_invitations_are_shown_twenty_five_a_page() {
        let fixture = Fixture::new();
        let _mounted = mount_table(&fixture, invitations(0..60));
        settle().await;
        assert_eq!(shown(&fixture), ids(0..25), "the newest 25 first");
        assert_eq!(
            text(&fixture, ".table-count[role=status]"),
            "Showing 1\u{2013}25 of 60 invitations"
        );
        assert_eq!(text(&fixture, ".pagination-position"), "Page 1 of 3");
        let previous = pager_button(&fixture, "Previous page");
        let next = pager_button(&fixture, "Next page");
        assert!(previous.has_attribute("disabled"));
        assert!(!next.has_attribute("disabled"));

        next.click();
        settle().await;
        assert_eq!(shown(&fixture), ids(25..50));
        assert_eq!(
            text(&fixture, ".table-count"),
            "Showing 26\u{2013}50 of 60 invitations"
        );
        assert!(!previous.has_attribute("disabled"));

        next.click();
        settle().await;
        assert_eq!(shown(&fixture), ids(50..60));
        assert_eq!(text(&fixture, ".pagination-position"), "Page 3 of 3");
        assert!(next.has_attribute("disabled"), "no page after the last");

        previous.click();
        settle().await;
        assert_eq!(shown(&fixture), ids(25..50));

        let per_page: web_sys::HtmlSelectElement = fixture
            .find("nav[aria-label=\"Pending invitations pages\"] select")
            .unchecked_into();
        assert_eq!(
            text(&fixture, &format!("label[for=\"{}\"]", per_page.id())),
            "Rows per page"
        );
        per_page.set_value("50");
        fire(&per_page, "change");
        settle().await;
        assert_eq!(shown(&fixture), ids(0..50), "row 26 stays on screen");
        assert_eq!(text(&fixture, ".pagination-position"), "Page 1 of 2");
    }

    #[page_test]
    async fn one_page_of_invitations_has_no_pager() {
        let fixture = Fixture::new();
        let _mounted = mount_table(&fixture, invitations(0..3));
        settle().await;
        assert_eq!(shown(&fixture), ids(0..3));
        assert_eq!(text(&fixture, ".table-count"), "3 invitations");
        assert!(!fixture.exists("nav"), "no pager for one page");
    }

    #[page_test]
    async fn a_shrinking_list_never_leaves_an_empty_page() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture, invitations(0..60));
        settle().await;
        pager_button(&fixture, "Next page").click();
        pager_button(&fixture, "Next page").click();
        settle().await;
        assert_eq!(shown(&fixture), ids(50..60));

        // The ten invitations of the last page were cancelled.
        mounted.list.set(invitations(0..50));
        settle().await;
        assert_eq!(shown(&fixture), ids(25..50), "the last page there is");
        assert_eq!(text(&fixture, ".pagination-position"), "Page 2 of 2");
        assert_eq!(
            text(&fixture, ".table-count"),
            "Showing 26\u{2013}50 of 50 invitations"
        );
        assert!(pager_button(&fixture, "Next page").has_attribute("disabled"));

        // The page itself moved: older invitations coming back do not
        // take the owner to page 3.
        mounted.list.set(invitations(0..60));
        settle().await;
        assert_eq!(shown(&fixture), ids(25..50));
        assert_eq!(text(&fixture, ".pagination-position"), "Page 2 of 3");

        mounted.list.set(invitations(0..20));
        settle().await;
        assert_eq!(shown(&fixture), ids(0..20));
        assert!(!fixture.exists("nav"), "one page needs no pager");
    }

    #[page_test]
    async fn a_new_invitation_is_shown_on_the_first_page() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture, invitations(0..60));
        settle().await;
        pager_button(&fixture, "Next page").click();
        settle().await;
        assert_eq!(shown(&fixture), ids(25..50));

        let mut sent = invitation(0);
        sent.id = "new".into();
        sent.created_at += chrono::TimeDelta::seconds(1);
        mounted.list.update(|list| list.insert(0, sent));
        settle().await;
        assert_eq!(shown(&fixture)[0], "new");
        assert_eq!(text(&fixture, ".pagination-position"), "Page 1 of 3");
    }

    #[page_test]
    async fn a_reload_keeps_the_rows_that_did_not_change() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture, invitations(0..60));
        settle().await;
        let kept = fixture.find("tr[data-invitation=\"i000\"]");

        let cancel =
            fixture.find("button[aria-label=\"Cancel invitation for invitee003@example.com\"]");
        cancel.click();
        settle().await;
        assert_eq!(mounted.cancelled.get_untracked(), ["i003"]);

        // The reloaded list has one invitation less: the next one moves up.
        mounted.list.update(|list| {
            list.remove(3);
        });
        settle().await;
        let mut expected = ids(0..26);
        expected.remove(3);
        assert_eq!(shown(&fixture), expected);
        assert_eq!(
            text(&fixture, ".table-count"),
            "Showing 1\u{2013}25 of 59 invitations"
        );
        assert!(fixture
            .find("tr[data-invitation=\"i000\"]")
            .is_same_node(Some(&kept)));
        let resend =
            fixture.find("button[aria-label=\"Resend invitation to invitee000@example.com\"]");
        mounted.resending.set(Some("i000".into()));
        settle().await;
        assert_eq!(resend.get_attribute("aria-busy").as_deref(), Some("true"));
        let other =
            fixture.find("button[aria-label=\"Resend invitation to invitee001@example.com\"]");
        assert_eq!(other.get_attribute("aria-busy").as_deref(), Some("false"));
        assert!(fixture.exists("button[aria-label=\"Edit invitation for invitee000@example.com\"]"));
    }
}
