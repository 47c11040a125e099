//! `/invitations`: the signed-in user's invitations. `?id=…` (the link in
//! the invitation e-mail) opens one in a dialog.

mod invitation_dialog;
mod responses;

use chrono::Utc;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use roster_core::wire::OrganizationInvitation;

use crate::components::{Button, ButtonVariant, ConfirmDialog, EmptyState, Loaded, SkeletonTable};
use crate::format;
use crate::icons::IconKind;
use crate::routes;
use crate::state::{use_page_title, use_session};
use invitation_dialog::InvitationDialog;
use responses::Responses;

const COLUMNS: [&str; 5] = [
    "Organization",
    "Invited by",
    "Role and assignments",
    "Expires",
    "Actions",
];

crate::components::split_view! {
    /// The page, downloaded when first shown.
    pub fn page() in invitations, preload preload_page {
        view! { <InvitationsPage /> }
    }
}

#[component]
pub fn InvitationsPage() -> impl IntoView {
    use_page_title("Invitations");
    let invitations = LocalResource::new(crate::api::invitations::my_invitations);
    let query = use_query_map();
    let navigate = use_navigate();
    let opened = Memo::new(move |_| query.with(|q| q.get("id")).filter(|id| !id.is_empty()));
    let close_opened = Callback::new(move |_| {
        navigate(
            routes::INVITATIONS,
            NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            },
        )
    });
    // An answered invitation leaves the list, and its dialog closes.
    let responses = Responses::new(Callback::new(move |_| {
        invitations.refetch();
        if opened.get_untracked().is_some() {
            close_opened.run(());
        }
    }));

    view! {
        <header class="page-header">
            <div>
                <h1>"Invitations"</h1>
                <p class="page-description">"Organizations that invited you to join them."</p>
            </div>
        </header>
        <Loaded
            value=Signal::derive(move || invitations.get())
            on_retry=Callback::new(move |_| invitations.refetch())
            loading=move || view! { <SkeletonTable headers=COLUMNS.to_vec() rows=3 label="Invitations" /> }
            let:list
        >
            <InvitationTable list=list responses=responses />
        </Loaded>
        <InvitationDialog id=opened on_close=close_opened responses=responses />
        <DeclineConfirmation responses=responses />
    }
}

#[component]
fn InvitationTable(list: Vec<OrganizationInvitation>, responses: Responses) -> impl IntoView {
    if list.is_empty() {
        // Invitations are matched by verified e-mail: an unverified account
        // sees none yet, and is told why.
        let unverified = use_session()
            .user()
            .filter(|u| u.email_verified == Some(false))
            .map(|u| u.email);
        return match unverified {
            Some(email) => view! {
                <EmptyState
                    icon=IconKind::Mail
                    title="Verify your e-mail address to see your invitations."
                    description=format!("Open the link we sent to {email}; invitations to that address then show here.")
                />
            }
            .into_any(),
            None => view! {
                <EmptyState icon=IconKind::Inbox title="You have no pending organization invitations." />
            }
            .into_any(),
        };
    }
    let now = Utc::now();
    view! {
        <div class="table-wrap">
            <table class="table" aria-label="Invitations">
                <thead>
                    <tr>
                        {COLUMNS
                            .iter()
                            .map(|c| {
                                let class = (*c == "Actions").then_some("actions-column");
                                view! { <th scope="col" class=class>{*c}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|invitation| {
                            let accept = invitation.clone();
                            let decline = invitation.clone();
                            let id = invitation.id.clone();
                            view! {
                                <tr>
                                    <td class="strong">{invitation.organization_name.clone()}</td>
                                    <td>{invitation.invited_by.clone()}</td>
                                    <td>{format::role_and_assignments(&invitation)}</td>
                                    <td>
                                        <time
                                            datetime=invitation.expires_at.to_rfc3339()
                                            title=format::date_time(invitation.expires_at)
                                        >
                                            {format::relative(invitation.expires_at, now)}
                                        </time>
                                    </td>
                                    <td class="actions-column">
                                        <div class="row-actions">
                                            <Button
                                                small=true
                                                on_click=Callback::new(move |_| responses.ask_to_decline(decline.clone()))
                                            >
                                                "Decline"
                                            </Button>
                                            <Button
                                                variant=ButtonVariant::Primary
                                                small=true
                                                busy=responses.accepting(id)
                                                on_click=Callback::new(move |_| responses.accept(accept.clone()))
                                            >
                                                "Accept"
                                            </Button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn DeclineConfirmation(responses: Responses) -> impl IntoView {
    let organization = move || {
        responses
            .declining()
            .map(|i| i.organization_name)
            .unwrap_or_default()
    };
    view! {
        <ConfirmDialog
            open=Signal::derive(move || responses.declining().is_some())
            on_close=Callback::new(move |_| responses.cancel_decline())
            title="Decline invitation"
            confirm_label="Decline"
            on_confirm=Callback::new(move |_| responses.decline())
            busy=responses.declining_busy()
            destructive=true
        >
            <p>
                "Decline the invitation to join " <strong>{organization}</strong>
                "? You will need a new invitation to join it later."
            </p>
        </ConfirmDialog>
    }
}
