//! The panel shown instead of a page the user may not see, and the gate
//! that decides it from the current organization's capabilities.

use leptos::prelude::*;
use roster_core::{Capabilities, Refusal};

use super::{ErrorState, SkeletonBlock};
use crate::icons::{Icon, IconKind};
use crate::state::{use_current_organization, Access};

/// "You don't have access to this page", with what is missing.
#[component]
pub fn AccessRequired(
    /// What is missing, e.g. `Refusal::explanation()`.
    #[prop(into, default = None)]
    reason: Option<String>,
) -> impl IntoView {
    view! {
        <section class="access-required" aria-labelledby="access-required-title">
            <span class="access-required-icon"><Icon kind=IconKind::Lock size=20 /></span>
            <h1 id="access-required-title">"You don't have access to this page"</h1>
            <p>"Ask your organization owner to grant you the required access."</p>
            {reason.map(|r| view! { <p class="access-required-reason">{r}</p> })}
        </section>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Gate {
    Loading,
    Allowed,
    Refused(Option<String>),
    Failed(String),
}

/// Renders `children` when `check` allows it in the current organization;
/// a skeleton while the capabilities load, [`AccessRequired`] naming the
/// refusal otherwise. Children are rendered again only when the verdict
/// changes, not on every capability refetch.
///
/// ```ignore
/// <RequireAccess check=Capabilities::read_audit_log>
///     <AuditLog />
/// </RequireAccess>
/// ```
#[component]
pub fn RequireAccess(
    check: fn(&Capabilities) -> Result<(), Refusal>,
    children: ChildrenFn,
) -> impl IntoView {
    let current = use_current_organization();
    let gate = Memo::new(move |_| match current.access() {
        Access::Loading => Gate::Loading,
        Access::Member(capabilities) => match check(&capabilities) {
            Ok(()) => Gate::Allowed,
            Err(refusal) => Gate::Refused(Some(refusal.explanation())),
        },
        Access::NotAMember => Gate::Refused(None),
        Access::Failed(error) => Gate::Failed(error.to_string()),
    });
    move || match gate.get() {
        Gate::Loading => view! { <SkeletonBlock lines=4 /> }.into_any(),
        Gate::Allowed => children().into_any(),
        Gate::Refused(reason) => view! { <AccessRequired reason=reason /> }.into_any(),
        Gate::Failed(message) => view! {
            <ErrorState message=message on_retry=Callback::new(move |_| current.refetch()) />
        }
        .into_any(),
    }
}
