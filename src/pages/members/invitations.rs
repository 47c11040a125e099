//! "Pending invitations" (owners): every pending invitation, expired ones
//! included (`include=expired`) so they can be resent; Edit (role,
//! assignments, expiry), Resend, Cancel.

use std::collections::BTreeSet;

use chrono::Utc;
use leptos::prelude::*;
use roster_core::invitation::validate_expiry;
use roster_core::wire::{OrganizationInvitation, UpdateOrganizationInvitation};
use roster_core::{InvitationState, Role};

use super::assignment_picker::{AssignmentList, LoadedAssignmentChecklist};
use crate::api::{self, ApiResult};
use crate::components::{
    Badge, BadgeVariant, Button, ButtonVariant, ConfirmDialog, Dialog, EmptyState, ErrorState,
    SkeletonTable,
};
use crate::dom;
use crate::format;
use crate::icons::IconKind;
use crate::pages::audit_logs::time_input;
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
    pub invitations: LocalResource<ApiResult<Vec<OrganizationInvitation>>>,
    pub assignments: Signal<AssignmentList>,
    pub retry_assignments: Callback<()>,
}

#[component]
pub fn PendingInvitations(sources: InvitationSources) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(None::<OrganizationInvitation>);
    let cancelling = RwSignal::new(None::<OrganizationInvitation>);
    let invitations = sources.invitations;

    let resend = Action::new_local(move |invitation: &OrganizationInvitation| {
        let invitation = invitation.clone();
        let organization_id = sources.organization_id.get_value();
        async move {
            let result = api::resend_invitation(&organization_id, &invitation.id).await;
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
            let result = api::cancel_invitation(&organization_id, &invitation.id).await;
            toasts.outcome(
                &result,
                format!("Invitation to {} cancelled", invitation.email),
            );
            cancelling.try_set(None);
            invitations.refetch();
        }
    });
    let resending = move |id: &str| {
        resend.pending().get()
            && resend
                .input()
                .with(|i| i.as_ref().is_some_and(|i| i.id == id))
    };

    let state = Memo::new(move |_| {
        invitations.with(|r| {
            r.as_ref()
                .map(|r| r.as_ref().map(|_| ()).map_err(|e| e.message.clone()))
        })
    });
    let list = move || {
        invitations.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
    };

    let body = move || match state.get() {
        None => {
            view! { <SkeletonTable headers=HEADERS.to_vec() rows=2 label="Pending invitations" /> }
                .into_any()
        }
        Some(Err(message)) => view! {
            <ErrorState
                title="Could not load the invitations"
                message=message
                on_retry=Callback::new(move |_| invitations.refetch())
            />
        }
        .into_any(),
        Some(Ok(())) if list().is_empty() => view! {
            <EmptyState
                title="No pending invitations"
                description="Invitations you send appear here until they are accepted."
                icon=IconKind::Mail
            />
        }
        .into_any(),
        Some(Ok(())) => {
            let now = Utc::now();
            view! {
                <div class="table-wrap">
                    <table class="table" aria-labelledby="pending-invitations-title">
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
                            <For each=list key=|i| (i.id.clone(), i.updated_at, i.expires_at) let:invitation>
                                <InvitationRow
                                    resending=Signal::derive({
                                        let id = invitation.id.clone();
                                        move || resending(&id)
                                    })
                                    invitation=invitation
                                    now=now
                                    on_edit=Callback::new(move |i| editing.set(Some(i)))
                                    on_resend=Callback::new(move |i: OrganizationInvitation| {
                                        if !resend.pending().get_untracked() {
                                            resend.dispatch(i);
                                        }
                                    })
                                    on_cancel=Callback::new(move |i| cancelling.set(Some(i)))
                                />
                            </For>
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };

    let cancel_open = Signal::derive(move || cancelling.with(Option::is_some));
    view! {
        <section class="pending-invitations" aria-labelledby="pending-invitations-title">
            <h2 id="pending-invitations-title" class="section-title">"Pending invitations"</h2>
            {body}
        </section>
        <EditInvitationDialog
            editing=editing
            sources=sources
            on_saved=Callback::new(move |_| invitations.refetch())
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

/// "Member · Developer, Auditor", or "Owner".
fn role_and_assignments(invitation: &OrganizationInvitation) -> String {
    if invitation.role.is_owner() || invitation.assigned_roles.is_empty() {
        return invitation.role.label().to_owned();
    }
    let names: Vec<&str> = invitation
        .assigned_roles
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    format!("{} \u{b7} {}", invitation.role.label(), names.join(", "))
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
            <td>{role_and_assignments(&invitation)}</td>
            <td>{invitation.invited_by.clone()}</td>
            <td>
                <time datetime=expires.to_rfc3339() title=format::date_time(expires)>
                    {format::relative(expires, now)}
                </time>
            </td>
            <td>{status}</td>
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
            let result = api::update_invitation(&organization_id, &invitation_id, &body).await;
            toasts.outcome(&result, format!("Invitation to {email} updated"));
            if result.is_ok() {
                on_saved.run(());
                on_close.run(());
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
