//! `/org/:orgId/roles`: assignments ("organization roles" on the wire and
//! in the address, product.md §2.5), owners only (`Capabilities::manage_custom_assignments`).
//!
//! Global assignments are listed read-only; custom ones are created, edited
//! and deleted here. Deleting one that is still held or offered shows the
//! server's explanation of who holds it.

mod editor;

use leptos::prelude::*;
use roster_core::wire::OrganizationRole;
use roster_core::{Capabilities, Permission};

use crate::api;
use crate::components::{
    Badge, Button, ButtonVariant, ConfirmDialog, EmptyState, ErrorState, RequireAccess,
    SkeletonTable,
};
use crate::icons::IconKind;
use crate::state::{use_current_organization, use_org_page_title, use_toasts};

use editor::{AssignmentEditor, Editing};

const HEADERS: [&str; 4] = ["Name", "Description", "Permissions", "Actions"];

crate::components::split_view! {
    /// The page, downloaded when first shown.
    pub fn page() in assignments, preload preload_page {
        view! { <AssignmentsPage /> }
    }
}

#[component]
pub fn AssignmentsPage() -> impl IntoView {
    use_org_page_title("Assignments");
    view! {
        <RequireAccess check=Capabilities::manage_custom_assignments>
            <Assignments />
        </RequireAccess>
    }
}

#[component]
fn Assignments() -> impl IntoView {
    let current = use_current_organization();
    let toasts = use_toasts();
    let organization_id = StoredValue::new(current.id_untracked().unwrap_or_default());
    let assignments = LocalResource::new(move || {
        let id = organization_id.get_value();
        async move { api::assignments::list_assignments(&id).await }
    });
    let editing = RwSignal::new(None::<Editing>);
    let deleting = RwSignal::new(None::<OrganizationRole>);
    // The server's explanation when the assignment is still in use.
    let in_use = RwSignal::new(None::<String>);

    let delete = Action::new_local(move |assignment: &OrganizationRole| {
        let assignment = assignment.clone();
        let organization_id = organization_id.get_value();
        async move {
            match api::assignments::delete_assignment(&organization_id, &assignment.id).await {
                Ok(()) => {
                    toasts.success(format!(
                        "Assignment \u{201c}{}\u{201d} deleted",
                        assignment.name
                    ));
                    deleting.try_set(None);
                    assignments.refetch();
                }
                Err(error) if error.status() == Some(409) => {
                    in_use.try_set(Some(error.to_string()));
                }
                Err(error) => {
                    toasts.error(&error);
                    deleting.try_set(None);
                }
            }
        }
    });

    let state = Memo::new(move |_| {
        assignments.with(|r| {
            r.as_ref()
                .map(|r| r.as_ref().map(|_| ()).map_err(|e| e.to_string()))
        })
    });
    let list = move || {
        assignments.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
    };
    let custom = move || {
        list()
            .into_iter()
            .filter(|a| !a.is_global)
            .collect::<Vec<_>>()
    };
    let global = move || {
        list()
            .into_iter()
            .filter(|a| a.is_global)
            .collect::<Vec<_>>()
    };
    let create = move || editing.set(Some(Editing::New));

    let content = move || {
        match state.get() {
        None => view! {
            <SkeletonTable headers=HEADERS.to_vec() rows=4 label="Assignments" />
        }
        .into_any(),
        Some(Err(message)) => view! {
            <ErrorState
                title="Could not load the assignments"
                message=message
                on_retry=Callback::new(move |_| assignments.refetch())
            />
        }
        .into_any(),
        Some(Ok(())) => view! {
            <section class="assignments-section" aria-labelledby="custom-assignments-title">
                <h2 id="custom-assignments-title" class="section-title">"Custom assignments"</h2>
                <Show
                    when=move || !custom().is_empty()
                    fallback=move || view! {
                        <EmptyState
                            title="No custom assignments yet"
                            description="Combine permissions into an assignment of your own when the built-in ones do not fit."
                            icon=IconKind::Shield
                        />
                    }
                >
                    <AssignmentTable
                        caption="Custom assignments"
                        assignments=Signal::derive(custom)
                        on_edit=Callback::new(move |a| editing.set(Some(Editing::Existing(a))))
                        on_delete=Callback::new(move |a| {
                            in_use.set(None);
                            deleting.set(Some(a));
                        })
                    />
                </Show>
            </section>
            <section class="assignments-section" aria-labelledby="global-assignments-title">
                <h2 id="global-assignments-title" class="section-title">"Built-in assignments"</h2>
                <p class="muted">"Available in every organization; they cannot be changed."</p>
                <AssignmentTable caption="Built-in assignments" assignments=Signal::derive(global) />
            </section>
        }
        .into_any(),
    }
    };

    let delete_open = Signal::derive(move || deleting.with(Option::is_some));
    view! {
        <header class="page-header">
            <h1>"Assignments"</h1>
            <div class="page-actions">
                <Button variant=ButtonVariant::Primary on_click=Callback::new(move |_| create())>
                    "Create Assignment"
                </Button>
            </div>
        </header>
        <p class="page-intro muted">
            "Assignments grant members permissions on top of the read-only access every member has. Owners have every permission."
        </p>
        {content}
        <AssignmentEditor
            editing=editing
            organization_id=organization_id
            existing=Signal::derive(list)
            on_saved=Callback::new(move |_| assignments.refetch())
        />
        <ConfirmDialog
            open=delete_open
            on_close=Callback::new(move |_| {
                if !delete.pending().get_untracked() {
                    deleting.set(None);
                }
            })
            title="Delete assignment"
            confirm_label="Delete"
            busy=delete.pending()
            destructive=true
            on_confirm=Callback::new(move |_| {
                if let Some(assignment) = deleting.get_untracked() {
                    delete.dispatch(assignment);
                }
            })
        >
            {move || deleting.get().map(|a| view! {
                <p>
                    "Delete the assignment " <strong>{a.name}</strong>
                    "? Members must no longer hold it and no pending invitation may offer it."
                </p>
            })}
            {move || in_use.get().map(|message| view! {
                <p class="form-error" role="alert">{message}</p>
            })}
        </ConfirmDialog>
    }
}

/// A table of assignments; with `on_edit`/`on_delete` each row gets Edit
/// and Delete.
#[component]
fn AssignmentTable(
    caption: &'static str,
    #[prop(into)] assignments: Signal<Vec<OrganizationRole>>,
    #[prop(optional)] on_edit: Option<Callback<OrganizationRole>>,
    #[prop(optional)] on_delete: Option<Callback<OrganizationRole>>,
) -> impl IntoView {
    let editable = on_edit.is_some() || on_delete.is_some();
    view! {
        <div class="table-wrap">
            <table class="table assignments-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Permissions"</th>
                        {editable.then(|| view! { <th scope="col" class="actions-column">"Actions"</th> })}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || assignments.get()
                        key=|a| (a.id.clone(), a.updated_at)
                        let:assignment
                    >
                        {
                            let stored = StoredValue::new(assignment.clone());
                            let name = assignment.name.clone();
                            view! {
                                <tr data-assignment=assignment.id.clone()>
                                    <td class="assignment-name">
                                        {assignment.name.clone()}
                                        {assignment.is_global.then(|| view! { " " <Badge>"Built-in"</Badge> })}
                                    </td>
                                    <td class="assignment-description">{assignment.description.clone()}</td>
                                    <td><PermissionTags permissions=assignment.permissions.clone() /></td>
                                    {editable.then(|| view! {
                                        <td class="actions-column"><div class="row-actions">
                                            {on_edit.map(|on_edit| view! {
                                                <Button
                                                    variant=ButtonVariant::Ghost
                                                    small=true
                                                    on_click=Callback::new(move |_| on_edit.run(stored.get_value()))
                                                    {..}
                                                    aria-label=format!("Edit {name}")
                                                >
                                                    "Edit"
                                                </Button>
                                            })}
                                            {on_delete.map(|on_delete| view! {
                                                <Button
                                                    variant=ButtonVariant::Ghost
                                                    small=true
                                                    on_click=Callback::new(move |_| on_delete.run(stored.get_value()))
                                                    {..}
                                                    aria-label=format!("Delete {}", stored.with_value(|a| a.name.clone()))
                                                >
                                                    "Delete"
                                                </Button>
                                            })}
                                        </div></td>
                                    })}
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// The permissions as short labels, in the spec's order; all twenty-one
/// read "All permissions". Permissions this version does not know (a newer
/// backend's) follow by their raw names.
#[component]
fn PermissionTags(
    /// As the API lists them.
    permissions: Vec<String>,
) -> impl IntoView {
    let known = Permission::parse_known(&permissions);
    let mut unknown: Vec<String> = permissions
        .into_iter()
        .filter(|name| name.parse::<Permission>().is_err())
        .collect();
    unknown.sort();
    unknown.dedup();
    let all = known.len() == Permission::ALL.len();
    let unknown_tags = unknown
        .into_iter()
        .map(|name| {
            view! {
                <li class="permission-tag permission-unknown" title="Not known to this version of Roster">
                    <code>{name}</code>
                </li>
            }
        })
        .collect_view();
    if all {
        return view! {
            <span class="permission-all">"All permissions"</span>
            <ul class="permission-tags">{unknown_tags}</ul>
        }
        .into_any();
    }
    view! {
        <ul class="permission-tags">
            {known
                .into_iter()
                .map(|p| view! { <li class="permission-tag">{p.label()}</li> })
                .collect_view()}
            {unknown_tags}
        </ul>
    }
    .into_any()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_core::{global_assignments_wire, SUPER_ADMIN_ID};
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn tags(fixture: &Fixture, assignment_id: &str) -> Vec<String> {
        fixture
            .find_all(&format!(
                "tr[data-assignment=\"{assignment_id}\"] .permission-tag"
            ))
            .iter()
            .map(|tag| tag.text_content().unwrap_or_default())
            .collect()
    }

    #[page_test]
    async fn an_unknown_permission_is_shown_by_its_raw_name() {
        let mut custom = global_assignments_wire(chrono::DateTime::UNIX_EPOCH)
            .into_iter()
            .find(|a| a.id == SUPER_ADMIN_ID)
            .expect("Super Admin");
        let super_admin = custom.clone();
        custom.id = "r-gpus".into();
        custom.name = "GPU operators".into();
        custom.is_global = false;
        custom.permissions = vec![
            "write:gpus".into(),
            "read:billing".into(),
            "write:sandboxes".into(),
        ];
        let mut everything = super_admin.clone();
        everything.id = "r-all".into();
        everything.permissions.push("write:gpus".into());
        let list = vec![custom, super_admin, everything];
        let fixture = Fixture::new();
        let _handle = fixture.mount(move || {
            view! { <AssignmentTable caption="Assignments" assignments=Signal::derive(move || list.clone()) /> }
        });
        settle().await;
        assert_eq!(
            tags(&fixture, "r-gpus"),
            ["Write sandboxes", "Read billing", "write:gpus"]
        );
        assert!(fixture.exists("tr[data-assignment=\"r-gpus\"] .permission-unknown code"));
        // Super Admin holds all twenty-one.
        assert!(tags(&fixture, SUPER_ADMIN_ID).is_empty());
        let text = |id: &str| {
            fixture
                .find(&format!("tr[data-assignment=\"{id}\"]"))
                .text_content()
                .unwrap_or_default()
        };
        assert!(text(SUPER_ADMIN_ID).contains("All permissions"));
        assert!(text("r-all").contains("All permissions"));
        assert_eq!(tags(&fixture, "r-all"), ["write:gpus"]);
    }
}
