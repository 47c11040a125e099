//! Accepting and declining an invitation, shared by the table and the
//! dialog.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::wire::OrganizationInvitation;

use crate::api;
use crate::routes::{self, OrgPage};
use crate::state::{use_organizations, use_pending_invitations, use_toasts};

#[derive(Clone, Copy)]
pub struct Responses {
    accept: Action<OrganizationInvitation, ()>,
    accepting_id: RwSignal<Option<String>>,
    decline: Action<OrganizationInvitation, ()>,
    /// The invitation whose decline awaits confirmation.
    to_decline: RwSignal<Option<OrganizationInvitation>>,
}

impl Responses {
    /// `after` runs once an invitation was answered (reload the list).
    pub fn new(after: Callback<()>) -> Self {
        let organizations = use_organizations();
        let pending = use_pending_invitations();
        let toasts = use_toasts();
        let navigate = use_navigate();
        let accepting_id = RwSignal::new(None::<String>);
        let to_decline = RwSignal::new(None::<OrganizationInvitation>);

        let accept = Action::new_local(move |invitation: &OrganizationInvitation| {
            let invitation = invitation.clone();
            let navigate = navigate.clone();
            // The page may be left while the answer is sent: its signals
            // and callbacks are reached with `try_`.
            async move {
                accepting_id.try_set(Some(invitation.id.clone()));
                match api::invitations::accept_invitation(&invitation.id).await {
                    Ok(_) => {
                        // The organization is in the switcher before it is
                        // selected.
                        let _ = organizations.refresh().await;
                        pending.refetch();
                        after.try_run(());
                        toasts.success(format!("You joined {}", invitation.organization_name));
                        navigate(
                            &routes::org_page(&invitation.organization_id, OrgPage::Members),
                            Default::default(),
                        );
                    }
                    Err(error) => toasts.error(&error),
                }
                accepting_id.try_set(None);
            }
        });

        let decline = Action::new_local(move |invitation: &OrganizationInvitation| {
            let invitation = invitation.clone();
            async move {
                let result = api::invitations::decline_invitation(&invitation.id).await;
                toasts.outcome(
                    &result,
                    format!(
                        "You declined the invitation to {}",
                        invitation.organization_name
                    ),
                );
                if result.is_ok() {
                    pending.refetch();
                    after.try_run(());
                    to_decline.try_set(None);
                }
            }
        });

        Responses {
            accept,
            accepting_id,
            decline,
            to_decline,
        }
    }

    pub fn accept(&self, invitation: OrganizationInvitation) {
        if !self.accept.pending().get_untracked() {
            self.accept.dispatch(invitation);
        }
    }

    /// Whether the invitation `id` is being accepted.
    pub fn accepting(&self, id: String) -> Signal<bool> {
        let accepting_id = self.accepting_id;
        Signal::derive(move || accepting_id.with(|a| a.as_deref() == Some(id.as_str())))
    }

    /// Opens the decline confirmation.
    pub fn ask_to_decline(&self, invitation: OrganizationInvitation) {
        self.to_decline.set(Some(invitation));
    }

    pub fn declining(&self) -> Option<OrganizationInvitation> {
        self.to_decline.get()
    }

    pub fn declining_busy(&self) -> Signal<bool> {
        self.decline.pending().into()
    }

    pub fn cancel_decline(&self) {
        self.to_decline.set(None);
    }

    /// Declines the invitation awaiting confirmation.
    pub fn decline(&self) {
        if self.decline.pending().get_untracked() {
            return;
        }
        if let Some(invitation) = self.to_decline.get_untracked() {
            self.decline.dispatch(invitation);
        }
    }
}
