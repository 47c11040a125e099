//! `/org/:orgId/settings`: the organization's details (rename for owners,
//! the id with a copy button) and the danger zone (product.md §2.4).

mod danger_zone;

use leptos::prelude::*;
use roster_core::wire::Organization;
use roster_core::{validate_display_name, Capabilities};
use wasm_bindgen_futures::JsFuture;

use crate::api;
use crate::components::{Button, ButtonVariant, SkeletonBlock};
use crate::dom;
use crate::format;
use crate::icons::{Icon, IconKind};
use crate::state::{use_current_organization, use_org_page_title, use_organizations, use_toasts};
use danger_zone::DangerZone;

crate::components::split_view! {
    /// The page, downloaded when first shown.
    pub fn page() in settings, preload preload_page {
        view! { <SettingsPage /> }
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    use_org_page_title("Settings");
    let current = use_current_organization();
    view! {
        <header class="page-header">
            <div>
                <h1>"Settings"</h1>
                <p class="page-description">"Details of this organization."</p>
            </div>
        </header>
        {move || match current.organization() {
            None => view! { <SkeletonBlock lines=5 /> }.into_any(),
            Some(organization) => view! {
                <Details organization=organization.clone() />
                <DangerZone organization=organization />
            }
            .into_any(),
        }}
    }
}

#[component]
fn Details(organization: Organization) -> impl IntoView {
    let current = use_current_organization();
    let can_rename = Memo::new(move |_| current.allows(Capabilities::rename));
    let name = organization.name.clone();
    let id = organization.id.clone();
    let kind = if organization.personal {
        "Personal"
    } else {
        "Collaborative"
    };
    view! {
        <section class="card" aria-labelledby="details-title">
            <h2 id="details-title" class="card-title">"Organization details"</h2>
            <div class="settings-rows">
                {move || {
                    if can_rename.get() {
                        view! { <RenameForm organization_id=id.clone() name=name.clone() /> }.into_any()
                    } else {
                        view! {
                            <div class="settings-row">
                                <span class="settings-label" id="org-name-label">"Name"</span>
                                <span class="settings-value" aria-labelledby="org-name-label">{name.clone()}</span>
                            </div>
                        }
                        .into_any()
                    }
                }}
                <OrganizationId id=organization.id.clone() />
                <div class="settings-row">
                    <span class="settings-label">"Type"</span>
                    <span class="settings-value">{kind}</span>
                </div>
                <div class="settings-row">
                    <span class="settings-label">"Created"</span>
                    <span class="settings-value">
                        <time datetime=organization.created_at.to_rfc3339() title=format::date_time(organization.created_at)>
                            {format::date(organization.created_at)}
                        </time>
                    </span>
                </div>
            </div>
        </section>
    }
}

#[component]
fn RenameForm(organization_id: String, name: String) -> impl IntoView {
    let organizations = use_organizations();
    let toasts = use_toasts();
    let draft = RwSignal::new(name.clone());
    let error = RwSignal::new(None::<String>);
    let field_id = dom::unique_id("org-name");
    let error_id = format!("{field_id}-error");
    let described_by = error_id.clone();
    let saved_name = name;

    let rename = Action::new_local(move |new_name: &String| {
        let new_name = new_name.clone();
        let organization_id = organization_id.clone();
        async move {
            let result = api::organizations::rename_organization(&organization_id, &new_name).await;
            toasts.outcome(
                &result,
                format!("Organization renamed to \u{201c}{new_name}\u{201d}"),
            );
            if result.is_ok() {
                let _ = organizations.refresh().await;
            }
        }
    });
    let unchanged = Signal::derive(move || draft.with(|d| d.trim() == saved_name.trim()));
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if rename.pending().get_untracked() || unchanged.get_untracked() {
            return;
        }
        match validate_display_name(&draft.get_untracked(), "name") {
            Ok(valid) => {
                error.set(None);
                rename.dispatch(valid);
            }
            Err(invalid) => error.set(Some(invalid.message)),
        }
    };

    view! {
        <form class="settings-row" on:submit=submit novalidate>
            <label class="settings-label" for=field_id.clone()>"Name"</label>
            <div class="settings-value">
                <div class="inline-form">
                    <input
                        id=field_id
                        class="input"
                        type="text"
                        autocomplete="off"
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        aria-describedby=move || error.with(Option::is_some).then(|| described_by.clone())
                        prop:value=move || draft.get()
                        on:input=move |event| {
                            draft.set(event_target_value(&event));
                            error.set(None);
                        }
                    />
                    <Button variant=ButtonVariant::Primary submit=true busy=rename.pending() disabled=unchanged>
                        "Save"
                    </Button>
                </div>
                {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
            </div>
        </form>
    }
}

#[component]
fn OrganizationId(id: String) -> impl IntoView {
    let toasts = use_toasts();
    let copy_id = id.clone();
    let copy = move |_| {
        let text = copy_id.clone();
        leptos::task::spawn_local(async move {
            let copied = match web_sys::window() {
                Some(window) => JsFuture::from(window.navigator().clipboard().write_text(&text))
                    .await
                    .is_ok(),
                None => false,
            };
            if copied {
                toasts.success("Organization ID copied");
            } else {
                toasts.push(
                    crate::state::ToastKind::Error,
                    "Could not copy the organization ID; select it and copy it instead",
                );
            }
        });
    };
    view! {
        <div class="settings-row">
            <span class="settings-label" id="org-id-label">"Organization ID"</span>
            <span class="settings-value copyable">
                <code aria-labelledby="org-id-label">{id}</code>
                <button
                    type="button"
                    class="icon-button"
                    aria-label="Copy organization ID"
                    title="Copy organization ID"
                    on:click=copy
                >
                    <Icon kind=IconKind::Copy />
                </button>
            </span>
        </div>
    }
}
