//! The dialog `/invitations?id=…` opens: the invitation with Accept and
//! Decline, or why it can no longer be answered (unknown, sent to another
//! address, expired, answered, cancelled) — never an error dump.

use chrono::Utc;
use leptos::prelude::*;
use leptos_router::components::A;
use roster_core::emails_equal;
use roster_core::wire::OrganizationInvitation;
use roster_core::InvitationState;

use super::responses::Responses;
use crate::api;
use crate::components::{Button, ButtonVariant, Dialog, ErrorState, SkeletonBlock};
use crate::config;
use crate::format;
use crate::routes::{self, OrgPage};
use crate::state::{use_organizations, use_session};

/// The server's refusal while the caller's e-mail is not verified
/// (`docs/api.md`, "Invitations").
const UNVERIFIED: &str = roster_core::protocol::EMAIL_NOT_VERIFIED;

#[component]
pub fn InvitationDialog(
    id: Memo<Option<String>>,
    on_close: Callback<()>,
    responses: Responses,
) -> impl IntoView {
    view! {
        <Dialog
            open=Signal::derive(move || id.with(Option::is_some))
            on_close=on_close
            title="Organization invitation"
        >
            {move || id.get().map(|id| view! { <InvitationDetails id=id on_close=on_close responses=responses /> })}
        </Dialog>
    }
}

#[component]
fn InvitationDetails(id: String, on_close: Callback<()>, responses: Responses) -> impl IntoView {
    let invitation = LocalResource::new(move || {
        let id = id.clone();
        async move { api::invitations::my_invitation(&id).await }
    });
    move || {
        match invitation.get() {
        None => view! { <div class="dialog-body"><SkeletonBlock lines=3 /></div> }.into_any(),
        Some(Err(error)) if error.is_forbidden() && error.message() == UNVERIFIED => view! {
            <Explanation on_close=on_close>
                <p>
                    "Verify your e-mail address to see and accept this invitation: open the link we sent to "
                    <strong>{use_session().user().map(|u| u.email).unwrap_or_default()}</strong>
                    ", then come back to this page."
                </p>
            </Explanation>
        }
        .into_any(),
        Some(Err(error)) if error.is_not_found() || error.is_forbidden() => view! {
            <Explanation on_close=on_close>
                <p>"This invitation does not exist, or it was sent to another e-mail address."</p>
                <SignedInAs />
            </Explanation>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <div class="dialog-body">
                <ErrorState message=error.to_string() on_retry=Callback::new(move |_| invitation.refetch()) />
            </div>
        }
        .into_any(),
        Some(Ok(found)) => view! { <Answer invitation=found on_close=on_close responses=responses /> }.into_any(),
    }
    }
}

#[component]
fn Answer(
    invitation: OrganizationInvitation,
    on_close: Callback<()>,
    responses: Responses,
) -> impl IntoView {
    let session = use_session();
    let organizations = use_organizations();
    let me = session.user().map(|u| u.email).unwrap_or_default();
    let organization = invitation.organization_name.clone();

    if !emails_equal(&invitation.email, &me) {
        return view! {
            <Explanation on_close=on_close>
                <p>
                    "This invitation to " <strong>{organization}</strong> " was sent to "
                    <strong>{invitation.email.clone()}</strong> "."
                </p>
                <SignedInAs />
                <p class="muted">"Sign in with that address to answer it."</p>
            </Explanation>
        }
        .into_any();
    }

    let state = invitation.state(Utc::now());
    if let Some(reason) = state.closed_reason() {
        // An accepted invitation's organization is one click away.
        let organization_id = invitation.organization_id.clone();
        let member_of = move || {
            (state == InvitationState::Accepted)
                .then(|| organizations.get(&organization_id))
                .flatten()
        };
        return view! {
            <Explanation on_close=on_close>
                <p>{reason} "."</p>
                <p class="muted">"Organization: " <strong>{organization}</strong></p>
                {move || member_of().map(|org| view! {
                    <A href=config::href(&routes::org_page(&org.id, OrgPage::Members)) attr:class="btn btn-secondary">
                        "Go to " {org.name.clone()}
                    </A>
                })}
                {(state == InvitationState::Expired).then(|| view! {
                    <p class="muted">"Ask " {invitation.invited_by.clone()} " to send it again."</p>
                })}
            </Explanation>
        }
        .into_any();
    }

    let accept = invitation.clone();
    let decline = invitation.clone();
    view! {
        <div class="dialog-body">
            <p>
                <strong>{invitation.invited_by.clone()}</strong> " invited you to join "
                <strong>{organization}</strong> "."
            </p>
            <dl class="details">
                <div class="details-row">
                    <dt>"Role and assignments"</dt>
                    <dd>{format::role_and_assignments(&invitation)}</dd>
                </div>
                <div class="details-row">
                    <dt>"Expires"</dt>
                    <dd>
                        <time datetime=invitation.expires_at.to_rfc3339() title=format::date_time(invitation.expires_at)>
                            {format::relative(invitation.expires_at, Utc::now())}
                        </time>
                    </dd>
                </div>
            </dl>
        </div>
        <div class="dialog-footer">
            <Button on_click=Callback::new(move |_| responses.ask_to_decline(decline.clone()))>"Decline"</Button>
            <Button
                variant=ButtonVariant::Primary
                busy=responses.accepting(invitation.id.clone())
                on_click=Callback::new(move |_| responses.accept(accept.clone()))
            >
                "Accept"
            </Button>
        </div>
    }
    .into_any()
}

/// Why there is nothing to answer, and a way out.
#[component]
fn Explanation(on_close: Callback<()>, children: Children) -> impl IntoView {
    view! {
        <div class="dialog-body" role="status">{children()}</div>
        <div class="dialog-footer">
            <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                "Close"
            </button>
        </div>
    }
}

#[component]
fn SignedInAs() -> impl IntoView {
    let session = use_session();
    move || {
        session.user().map(|user| {
            view! { <p class="muted">"You are signed in as " <strong>{user.email}</strong> "."</p> }
        })
    }
}
