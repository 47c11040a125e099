//! `/`: the last organization used, else the personal one.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::{EmptyState, ErrorState, SkeletonBlock};
use crate::routes::{self, OrgPage};
use crate::state::{default_organization, last_used, use_organizations, use_session, Loadable};

#[component]
pub fn Home() -> impl IntoView {
    let organizations = use_organizations();
    let session = use_session();
    move || match organizations.state() {
        Loadable::Loading => view! { <SkeletonBlock lines=4 /> }.into_any(),
        Loadable::Failed(error) => view! {
            <ErrorState
                message=error.to_string()
                on_retry=Callback::new(move |_| organizations.retry())
            />
        }
        .into_any(),
        Loadable::Ready(list) => {
            let last = session
                .user_id_untracked()
                .and_then(|user| last_used(&user));
            match default_organization(&list, last.as_deref()) {
                Some(id) => {
                    view! { <Redirect path=routes::org_page(&id, OrgPage::Members) /> }.into_any()
                }
                None => view! {
                    <EmptyState
                        title="You don't belong to any organization"
                        description="Create one from the organization menu."
                    />
                }
                .into_any(),
            }
        }
    }
}
