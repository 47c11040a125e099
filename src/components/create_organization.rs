//! "Create Organization": name (the server's display-name rules, checked by
//! `roster_core` before sending) and region (when the API lists any). The
//! new organization is selected on success.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use roster_core::validate_display_name;
use roster_core::wire::CreateOrganization;

use super::{Button, ButtonVariant, Dialog};
use crate::api;
use crate::dom;
use crate::routes::{self, OrgPage};
use crate::state::{use_organizations, use_toasts};

crate::components::split_view! {
    /// [`CreateOrganizationDialog`], downloaded when first opened.
    pub fn create_organization_dialog(open: RwSignal<bool>) in shell_extras, preload preload_create_organization {
        view! { <CreateOrganizationDialog open=open /> }
    }
}

#[component]
pub fn CreateOrganizationDialog(open: RwSignal<bool>) -> impl IntoView {
    let close = Callback::new(move |_| open.set(false));
    view! {
        <Dialog open=open on_close=close title="Create Organization">
            <CreateOrganizationForm on_close=close />
        </Dialog>
    }
}

#[component]
fn CreateOrganizationForm(on_close: Callback<()>) -> impl IntoView {
    let organizations = use_organizations();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let regions = LocalResource::new(api::regions::shared_regions);

    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let region = RwSignal::new(None::<String>);
    let name_id = dom::unique_id("org-name");
    let error_id = dom::unique_id("org-name-error");
    let region_id = dom::unique_id("org-region");

    // Regions listed by the API; the first is preselected.
    let region_list = move || regions.get().and_then(Result::ok).unwrap_or_default();
    Effect::new(move |_| {
        if region.get_untracked().is_none() {
            if let Some(first) = region_list().first() {
                region.set(Some(first.id.clone()));
            }
        }
    });

    let create = Action::new_local(move |body: &CreateOrganization| {
        let body = body.clone();
        let navigate = navigate.clone();
        async move {
            let before: HashSet<String> = organizations
                .list()
                .unwrap_or_default()
                .into_iter()
                .map(|o| o.id)
                .collect();
            match api::organizations::create_organization(&body).await {
                Ok(created) => {
                    let list = organizations.refresh().await.unwrap_or_default();
                    // Without a body in the answer, the new one is the one
                    // the list did not have.
                    let id = created.map(|o| o.id).or_else(|| {
                        list.iter()
                            .find(|o| !before.contains(&o.id))
                            .map(|o| o.id.clone())
                    });
                    toasts.success(format!(
                        "Organization \u{201c}{}\u{201d} created",
                        body.name
                    ));
                    if let Some(id) = id {
                        navigate(&routes::org_page(&id, OrgPage::Members), Default::default());
                    }
                    // The dialog may be gone by now (the new page replaced it).
                    on_close.try_run(());
                }
                Err(error) => toasts.error(&error),
            }
        }
    });

    let validate = move || match validate_display_name(&name.get_untracked(), "name") {
        Ok(valid) => {
            name_error.set(None);
            Some(valid)
        }
        Err(error) => {
            name_error.set(Some(error.message));
            None
        }
    };
    let name_ref = NodeRef::<leptos::html::Input>::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        match validate() {
            Some(valid) => {
                create.dispatch(CreateOrganization {
                    name: valid,
                    default_region_id: region.get_untracked(),
                });
            }
            None => {
                if let Some(input) = name_ref.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
    };

    let described_by = error_id.clone();
    view! {
        <form on:submit=submit novalidate>
            <div class="dialog-body">
                <div class="field">
                    <label for=name_id.clone()>"Name"</label>
                    <input
                        id=name_id
                        class="input"
                        type="text"
                        autocomplete="off"
                        required
                        node_ref=name_ref
                        aria-invalid=move || name_error.with(Option::is_some).then_some("true")
                        aria-describedby=move || name_error.with(Option::is_some).then(|| described_by.clone())
                        prop:value=move || name.get()
                        on:input=move |event| {
                            name.set(event_target_value(&event));
                            // Once an error shows, it follows the typing.
                            if name_error.with_untracked(Option::is_some) {
                                validate();
                            }
                        }
                    />
                    {move || {
                        name_error
                            .get()
                            .map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })
                    }}
                </div>
                <Show when=move || !region_list().is_empty()>
                    <div class="field">
                        <label for=region_id.clone()>"Region"</label>
                        <select
                            id=region_id.clone()
                            class="input"
                            on:change=move |event| region.set(Some(event_target_value(&event)))
                        >
                            {move || {
                                region_list()
                                    .into_iter()
                                    .map(|r| {
                                        let selected = region.get().as_deref() == Some(r.id.as_str());
                                        view! {
                                            <option value=r.id.clone() selected=selected>{r.name.clone()}</option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                </Show>
            </div>
            <div class="dialog-footer">
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <Button variant=ButtonVariant::Primary submit=true busy=create.pending()>
                    "Create"
                </Button>
            </div>
        </form>
    }
}
