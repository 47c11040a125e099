//! `/org/:orgId/…`: checks that the organization is one of the user's,
//! remembers it as the last used, and renders the page anew for each
//! organization (so pages never carry state from one to another).

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_params_map;

use crate::components::{ErrorState, SkeletonBlock};
use crate::config;
use crate::routes::{self, OrgPage};
use crate::state::{use_current_organization, use_organizations, use_page_title, Loadable};

#[derive(Clone, Debug, PartialEq)]
enum Scope {
    Loading,
    Failed(String),
    Unknown,
    Known(String),
}

#[component]
pub fn OrgScope() -> impl IntoView {
    let params = use_params_map();
    let organizations = use_organizations();
    let current = use_current_organization();
    let scope = Memo::new(move |_| {
        let id = params.with(|p| p.get("orgId")).unwrap_or_default();
        match organizations.state() {
            Loadable::Loading => Scope::Loading,
            Loadable::Failed(error) => Scope::Failed(error.to_string()),
            Loadable::Ready(list) if list.iter().any(|o| o.id == id) => Scope::Known(id),
            Loadable::Ready(_) => Scope::Unknown,
        }
    });
    Effect::new(move |_| {
        if let Scope::Known(id) = scope.get() {
            current.remember(&id);
        }
    });
    move || match scope.get() {
        Scope::Loading => view! { <SkeletonBlock lines=4 /> }.into_any(),
        Scope::Failed(message) => view! {
            <ErrorState message=message on_retry=Callback::new(move |_| organizations.retry()) />
        }
        .into_any(),
        Scope::Unknown => view! { <UnknownOrganization /> }.into_any(),
        Scope::Known(_) => view! { <Outlet /> }.into_any(),
    }
}

/// `/org/:orgId`: its members.
#[component]
pub fn OrgIndex() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .with_untracked(|p| p.get("orgId"))
        .unwrap_or_default();
    view! { <Redirect path=routes::org_page(&id, OrgPage::Members) /> }
}

#[component]
fn UnknownOrganization() -> impl IntoView {
    use_page_title("Organization not found");
    let organizations = use_organizations();
    let personal = move || {
        organizations
            .personal()
            .map(|o| config::href(&routes::org_page(&o.id, OrgPage::Members)))
    };
    view! {
        <section class="not-found" aria-labelledby="unknown-org-title">
            <h1 id="unknown-org-title">"Organization not found"</h1>
            <p>"It does not exist, or you are not a member of it."</p>
            {move || personal().map(|href| view! { <A href=href attr:class="btn btn-secondary">"Go to your personal organization"</A> })}
        </section>
    }
}
