//! The create/edit dialog of a custom assignment: name, description, and
//! permissions picked in groups (`roster_core::PermissionGroup`). The name
//! and permissions are checked by `roster_core` before sending; the server
//! has the last word and its message is shown.

use leptos::prelude::*;
use roster_core::validate::validate_permissions;
use roster_core::wire::{CreateOrganizationRole, OrganizationRole, UpdateOrganizationRole};
use roster_core::{
    assignment_name_taken, validate_display_name, Permission, PermissionGroup, PermissionSet,
};

use crate::api;
use crate::components::{Button, ButtonVariant, Dialog};
use crate::dom;
use crate::state::use_toasts;

/// What the dialog edits.
#[derive(Clone, Debug, PartialEq)]
pub enum Editing {
    New,
    Existing(OrganizationRole),
}

#[component]
pub fn AssignmentEditor(
    editing: RwSignal<Option<Editing>>,
    organization_id: StoredValue<String>,
    /// Every assignment of the organization (for the unique-name rule).
    #[prop(into)]
    existing: Signal<Vec<OrganizationRole>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let open = Signal::derive(move || editing.with(Option::is_some));
    let title = Signal::derive(move || match editing.get() {
        Some(Editing::Existing(_)) => "Edit Assignment".to_owned(),
        _ => "Create Assignment".to_owned(),
    });
    let close = Callback::new(move |_| editing.set(None));
    view! {
        <Dialog open=open on_close=close title=title class="dialog-wide">
            {move || editing.get_untracked().map(|what| view! {
                <AssignmentForm
                    editing=what
                    organization_id=organization_id
                    existing=existing
                    on_close=close
                    on_saved=on_saved
                />
            })}
        </Dialog>
    }
}

#[component]
fn AssignmentForm(
    editing: Editing,
    organization_id: StoredValue<String>,
    existing: Signal<Vec<OrganizationRole>>,
    on_close: Callback<()>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let original = match &editing {
        Editing::Existing(assignment) => Some(assignment.clone()),
        Editing::New => None,
    };
    let editing_id = StoredValue::new(original.as_ref().map(|a| a.id.clone()));
    let name = RwSignal::new(
        original
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        original
            .as_ref()
            .map(|a| a.description.clone())
            .unwrap_or_default(),
    );
    let permissions = RwSignal::new(
        original
            .as_ref()
            .map(|a| a.permission_set())
            .unwrap_or_default(),
    );
    // A newer backend's permissions cannot be sent back: say so rather
    // than drop them unnoticed.
    let unknown: Vec<String> = original
        .as_ref()
        .map(|a| {
            a.permissions
                .iter()
                .filter(|name| name.parse::<Permission>().is_err())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let name_error = RwSignal::new(None::<String>);
    let permissions_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let name_id = dom::unique_id("assignment-name");
    let name_error_id = format!("{name_id}-error");
    let description_id = dom::unique_id("assignment-description");
    let permissions_error_id = dom::unique_id("assignment-permissions-error");

    let save = Action::new_local(
        move |(name, description, permissions): &(String, String, Vec<Permission>)| {
            let (name, description, permissions) =
                (name.clone(), description.clone(), permissions.clone());
            let organization_id = organization_id.get_value();
            let editing_id = editing_id.get_value();
            async move {
                let result = match &editing_id {
                    None => {
                        let body = CreateOrganizationRole {
                            name: name.clone(),
                            description,
                            permissions,
                        };
                        api::assignments::create_assignment(&organization_id, &body)
                            .await
                            .map(drop)
                    }
                    Some(id) => {
                        let body = UpdateOrganizationRole {
                            name: name.clone(),
                            description,
                            permissions,
                        };
                        api::assignments::update_assignment(&organization_id, id, &body)
                            .await
                            .map(drop)
                    }
                };
                let done = if editing_id.is_some() {
                    "updated"
                } else {
                    "created"
                };
                toasts.outcome(&result, format!("Assignment \u{201c}{name}\u{201d} {done}"));
                match result {
                    // The dialog, or the page, may be gone by now.
                    Ok(()) => {
                        on_saved.try_run(());
                        on_close.try_run(());
                    }
                    Err(error) => {
                        form_error.try_set(Some(error.to_string()));
                    }
                }
            }
        },
    );

    // A permissions error goes once something is picked.
    Effect::new(move |_| {
        if permissions.with(|p| !p.is_empty()) {
            permissions_error.set(None);
        }
    });

    let validate = move || {
        let checked_name = validate_display_name(&name.get_untracked(), "name").and_then(|valid| {
            let taken = existing.with_untracked(|list| {
                editing_id
                    .with_value(|except| assignment_name_taken(&valid, list, except.as_deref()))
            });
            if taken {
                Err(roster_core::ValidationError::new(
                    "name",
                    format!("An assignment named \u{201c}{valid}\u{201d} already exists"),
                ))
            } else {
                Ok(valid)
            }
        });
        let chosen: Vec<Permission> = permissions.get_untracked().into_iter().collect();
        let checked_permissions = validate_permissions(&chosen);
        name_error.set(checked_name.as_ref().err().map(|e| e.message.clone()));
        permissions_error.set(
            checked_permissions
                .as_ref()
                .err()
                .map(|e| e.message.clone()),
        );
        match (checked_name, checked_permissions) {
            (Ok(name), Ok(_)) => {
                Some((name, description.get_untracked().trim().to_owned(), chosen))
            }
            _ => None,
        }
    };
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        form_error.set(None);
        if let Some(content) = validate() {
            save.dispatch(content);
        }
    };

    let name_described = name_error_id.clone();
    let permissions_described = permissions_error_id.clone();
    view! {
        <form on:submit=submit novalidate>
            <div class="dialog-body assignment-form">
                <div class="field">
                    <label for=name_id.clone()>"Name"</label>
                    <input
                        id=name_id
                        class="input"
                        type="text"
                        autocomplete="off"
                        required
                        aria-invalid=move || name_error.with(Option::is_some).then_some("true")
                        aria-describedby=move || name_error.with(Option::is_some).then(|| name_described.clone())
                        prop:value=move || name.get()
                        on:input=move |event| {
                            name.set(event_target_value(&event));
                            name_error.set(None);
                        }
                    />
                    {move || name_error.get().map(|m| view! { <p class="field-error" id=name_error_id.clone()>{m}</p> })}
                </div>
                <div class="field">
                    <label for=description_id.clone()>"Description"</label>
                    <textarea
                        id=description_id
                        class="input"
                        rows="2"
                        prop:value=move || description.get()
                        on:input=move |event| description.set(event_target_value(&event))
                    ></textarea>
                </div>
                <PermissionPicker
                    selected=permissions
                    invalid=Signal::derive(move || permissions_error.with(Option::is_some))
                    error_id=permissions_described
                />
                {move || permissions_error.get().map(|m| view! {
                    <p class="field-error" id=permissions_error_id.clone()>{m}</p>
                })}
                {(!unknown.is_empty()).then(|| view! {
                    <p class="muted permission-unknown-notice">
                        "This assignment also holds permissions this version of Roster does not know: "
                        <code>{unknown.join(", ")}</code>
                        ". Saving keeps only the permissions checked above."
                    </p>
                })}
                {move || form_error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            </div>
            <div class="dialog-footer">
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                <Button variant=ButtonVariant::Primary submit=true busy=save.pending()>"Save"</Button>
            </div>
        </form>
    }
}

/// The twenty-one permissions as checkboxes, one labelled group per resource.
#[component]
pub fn PermissionPicker(
    selected: RwSignal<PermissionSet>,
    #[prop(optional, into)] invalid: Signal<bool>,
    /// Id of the message shown when `invalid`.
    #[prop(optional, into)]
    error_id: String,
) -> impl IntoView {
    view! {
        <fieldset
            class="permission-picker"
            aria-invalid=move || invalid.get().then_some("true")
            aria-describedby=move || invalid.get().then(|| error_id.clone())
        >
            <legend>"Permissions"</legend>
            <div class="permission-groups">
                {PermissionGroup::ALL
                    .into_iter()
                    .map(|group| view! { <PermissionGroupBoxes group=group selected=selected /> })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

#[component]
fn PermissionGroupBoxes(
    group: PermissionGroup,
    selected: RwSignal<PermissionSet>,
) -> impl IntoView {
    view! {
        <fieldset class="permission-group">
            <legend>{group.label()}</legend>
            {group
                .permissions()
                .into_iter()
                .map(|permission| {
                    let id = dom::unique_id("permission");
                    view! {
                        <div class="choice">
                            <input
                                id=id.clone()
                                type="checkbox"
                                value=permission.as_str()
                                prop:checked=move || selected.with(|s| s.contains(&permission))
                                on:change=move |event| {
                                    let checked = event_target_checked(&event);
                                    selected.update(|s| {
                                        if checked {
                                            s.insert(permission);
                                        } else {
                                            s.remove(&permission);
                                        }
                                    });
                                }
                            />
                            <label for=id>{permission.label()}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    #[page_test]
    async fn permissions_are_picked_in_labelled_groups() {
        let fixture = Fixture::new();
        let selected = RwSignal::new(PermissionSet::from([Permission::ReadAuditLogs]));
        let _handle = fixture.mount(move || view! { <PermissionPicker selected=selected /> });
        settle().await;
        let groups: Vec<String> = fixture
            .find_all(".permission-group > legend")
            .iter()
            .map(|l| l.text_content().unwrap_or_default())
            .collect();
        assert_eq!(
            groups,
            [
                "Sandboxes",
                "Snapshots",
                "Registries",
                "Volumes",
                "Regions",
                "Runners",
                "Secrets",
                "API keys",
                "Limits",
                "Billing",
                "Single sign-on",
                "Audit logs"
            ]
        );
        let boxes: Vec<String> = fixture
            .find_all("input[type=checkbox]")
            .iter()
            .map(|input| input.get_attribute("value").unwrap_or_default())
            .collect();
        let every: Vec<&str> = PermissionGroup::ALL
            .iter()
            .flat_map(|g| g.permissions())
            .map(Permission::as_str)
            .collect();
        assert_eq!(boxes, every);
        for new in [
            "manage:api_keys",
            "manage:secrets",
            "read:limits",
            "manage:sso",
            "read:billing",
            "manage:billing",
        ] {
            assert!(boxes.contains(&new.to_owned()), "{new} missing");
        }
        assert_eq!(fixture.find_all("input[type=checkbox]").len(), 21);
        let audit: web_sys::HtmlInputElement = fixture
            .find("input[value=\"read:audit_logs\"]")
            .unchecked_into();
        assert!(audit.checked());
        assert_eq!(
            fixture
                .find(&format!("label[for=\"{}\"]", audit.id()))
                .text_content()
                .unwrap(),
            "Read audit logs"
        );
        fixture.find("input[value=\"delete:runners\"]").click();
        audit.click();
        settle().await;
        assert_eq!(
            selected.get_untracked(),
            PermissionSet::from([Permission::DeleteRunners])
        );
    }
}
