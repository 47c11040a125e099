//! Choosing assignments: a checkbox group (Viewer first, checked and
//! locked, then every assignment the API lists, with descriptions), used in
//! a popover on member rows and in the invitation dialogs.

use std::collections::BTreeSet;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use roster_core::wire::OrganizationRole;
use roster_core::{VIEWER_DESCRIPTION, VIEWER_NAME};
use wasm_bindgen::JsCast;

use crate::components::{
    loader, prefetch, spinner_shown, Button, ButtonVariant, ErrorState, Lazy, SkeletonBlock,
};
use crate::dom;
use crate::icons::{Icon, IconKind};

/// Above this many assignments the group gets a filter field.
pub const FILTER_THRESHOLD: usize = 10;

/// The assignments of an organization as the pickers get them: `None`
/// while loading, the server's message on failure.
pub type AssignmentList = Option<Result<Vec<OrganizationRole>, String>>;

/// A labelled group of checkboxes over `assignments`, `selected` holding
/// the checked ids. Each checkbox is named by the assignment's name and
/// described by its description.
#[component]
pub fn AssignmentChecklist(
    /// The group's name (its legend).
    #[prop(into)]
    legend: String,
    #[prop(into)] assignments: Signal<Vec<OrganizationRole>>,
    selected: RwSignal<BTreeSet<String>>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let filter_id = dom::unique_id("assignment-filter");
    let viewer_id = dom::unique_id("assignment-viewer");
    let viewer_description = format!("{viewer_id}-description");
    let long = move || assignments.with(|list| list.len() > FILTER_THRESHOLD);
    let shown = move || {
        let query = filter.with(|f| f.trim().to_lowercase());
        assignments.with(|list| {
            list.iter()
                .filter(|a| {
                    query.is_empty()
                        || a.name.to_lowercase().contains(&query)
                        || a.description.to_lowercase().contains(&query)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let nothing_matches = move || !filter.with(|f| f.trim().is_empty()) && shown().is_empty();

    view! {
        <fieldset class="assignment-checklist" disabled=move || disabled.get()>
            <legend>{legend}</legend>
            <Show when=long>
                <div class="field assignment-filter">
                    <label for=filter_id.clone()>"Filter assignments"</label>
                    <input
                        id=filter_id.clone()
                        class="input"
                        type="search"
                        autocomplete="off"
                        prop:value=move || filter.get()
                        on:input=move |event| filter.set(event_target_value(&event))
                    />
                </div>
            </Show>
            <ul class="checklist">
                <li class="checklist-item">
                    <input
                        id=viewer_id.clone()
                        type="checkbox"
                        checked=true
                        disabled=true
                        aria-describedby=viewer_description.clone()
                    />
                    <div class="checklist-text">
                        <label for=viewer_id.clone()>{VIEWER_NAME}</label>
                        <p class="checklist-description" id=viewer_description.clone()>
                            {VIEWER_DESCRIPTION}
                        </p>
                    </div>
                </li>
                <For each=shown key=|a| a.id.clone() let:assignment>
                    <AssignmentOption assignment=assignment selected=selected />
                </For>
            </ul>
            <Show when=nothing_matches>
                <p class="muted">"No assignment matches the filter."</p>
            </Show>
        </fieldset>
    }
}

#[component]
fn AssignmentOption(
    assignment: OrganizationRole,
    selected: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let input_id = dom::unique_id("assignment");
    let description_id = format!("{input_id}-description");
    let id = StoredValue::new(assignment.id.clone());
    let has_description = !assignment.description.trim().is_empty();
    view! {
        <li class="checklist-item">
            <input
                id=input_id.clone()
                type="checkbox"
                value=assignment.id.clone()
                aria-describedby=has_description.then(|| description_id.clone())
                prop:checked=move || selected.with(|s| id.with_value(|id| s.contains(id)))
                on:change=move |event| {
                    let checked = event_target_checked(&event);
                    let id = id.get_value();
                    selected.update(|s| {
                        if checked {
                            s.insert(id);
                        } else {
                            s.remove(&id);
                        }
                    });
                }
            />
            <div class="checklist-text">
                <label for=input_id>{assignment.name.clone()}</label>
                {has_description.then(|| view! {
                    <p class="checklist-description" id=description_id>{assignment.description.clone()}</p>
                })}
            </div>
        </li>
    }
}

/// [`AssignmentChecklist`] over a list that may still be loading or have
/// failed.
#[component]
pub fn LoadedAssignmentChecklist(
    #[prop(into)] legend: String,
    #[prop(into)] assignments: Signal<AssignmentList>,
    selected: RwSignal<BTreeSet<String>>,
    on_retry: Callback<()>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let legend = StoredValue::new(legend);
    let state =
        Memo::new(move |_| assignments.with(|a| a.as_ref().map(|r| r.as_ref().err().cloned())));
    let list = Signal::derive(move || {
        assignments.with(|a| match a {
            Some(Ok(list)) => list.clone(),
            _ => Vec::new(),
        })
    });
    move || match state.get() {
        None => view! { <SkeletonBlock lines=4 /> }.into_any(),
        Some(Some(message)) => view! {
            <ErrorState title="Could not load the assignments" message=message on_retry=on_retry />
        }
        .into_any(),
        Some(None) => view! {
            <AssignmentChecklist
                legend=legend.get_value()
                assignments=list
                selected=selected
                disabled=disabled
            />
        }
        .into_any(),
    }
}

/// The assignment picker of a member row: a button naming the member's
/// assignments that opens a popover with the checklist, Save and Cancel.
/// Save hands the chosen ids to `on_save` (which asks for confirmation).
#[component]
pub fn AssignmentPicker(
    /// The member's e-mail: names the button ("Assignments for …").
    #[prop(into)]
    email: String,
    /// The member's current assignments.
    #[prop(into)]
    current: Signal<Vec<OrganizationRole>>,
    #[prop(into)] assignments: Signal<AssignmentList>,
    on_retry: Callback<()>,
    /// A change of this member's access is being saved.
    #[prop(into)]
    busy: Signal<bool>,
    on_save: Callback<Vec<String>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let spinning = spinner_shown(busy);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let trigger_ref = NodeRef::<html::Button>::new();
    let field_ref = NodeRef::<html::Div>::new();
    let popover_ref = NodeRef::<html::Div>::new();
    let popover_id = dom::unique_id("assignment-picker");
    let title_id = format!("{popover_id}-title");
    let position = RwSignal::new(String::new());
    let label = format!("Assignments for {email}");
    // What the member holds describes the button.
    let summary_id = format!("{popover_id}-summary");

    let current_ids =
        move || current.with(|list| list.iter().map(|a| a.id.clone()).collect::<BTreeSet<_>>());
    let summary = move || {
        current.with(|list| {
            if list.is_empty() {
                format!("{VIEWER_NAME} only")
            } else {
                list.iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        })
    };
    let place = move || {
        if let Some(field) = field_ref.get_untracked() {
            position.set(popover_position(&field));
        }
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(trigger) = trigger_ref.get_untracked() {
                let _ = trigger.focus();
            }
        }
    };
    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        if open.get_untracked() {
            close(false);
        } else {
            selected.set(current_ids());
            place();
            open.set(true);
            dom::after_render(move || {
                if let Some(popover) = popover_ref.try_get_untracked().flatten() {
                    let first = dom::focusable_elements(&popover)
                        .into_iter()
                        .find(|e| !e.has_attribute("disabled"));
                    if let Some(first) = first {
                        dom::focus(&first);
                    }
                }
            });
        }
    };

    // A press outside closes (without taking focus back); resizing and
    // scrolling keep the popover next to its button.
    let outside = window_event_listener(ev::pointerdown, move |event| {
        if !open.get_untracked() {
            return;
        }
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
        else {
            return;
        };
        let inside = |element: Option<web_sys::HtmlElement>| {
            element.is_some_and(|e| e.contains(Some(&target)))
        };
        let in_popover = inside(popover_ref.get_untracked().map(|e| e.into()));
        let on_trigger = inside(field_ref.get_untracked().map(|e| e.into()));
        if !in_popover && !on_trigger {
            open.set(false);
        }
    });
    let resize = window_event_listener(ev::resize, move |_| {
        if open.get_untracked() {
            place();
        }
    });
    let scroll = window_event_listener(ev::scroll, move |_| {
        if open.get_untracked() {
            place();
        }
    });
    on_cleanup(move || {
        outside.remove();
        resize.remove();
        scroll.remove();
    });

    let changed = Signal::derive(move || selected.with(|s| *s != current_ids()));
    let save = move || {
        if !changed.get_untracked() {
            return;
        }
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        close(true);
        on_save.run(ids);
    };

    view! {
        <div class="assignment-picker">
            // The summary is text next to an icon-only button named
            // "Assignments for …" (so the name need not repeat what is
            // shown); a click on either opens the popover.
            <div
                class="picker-field"
                node_ref=field_ref
                on:click=toggle
                on:pointerenter=move |_| prefetch(preload_picker)
                on:focusin=move |_| prefetch(preload_picker)
            >
                <span class="picker-summary" id=summary_id.clone()>{summary}</span>
                <Show when=move || spinning.get()>
                    <span class="spinner" aria-hidden="true"></span>
                </Show>
                <button
                    type="button"
                    class="picker-trigger"
                    node_ref=trigger_ref
                    aria-label=label.clone()
                    aria-describedby=summary_id.clone()
                    aria-haspopup="dialog"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=popover_id.clone()
                    aria-busy=move || if busy.get() { "true" } else { "false" }
                    aria-disabled=move || busy.get().then_some("true")
                >
                    <Icon kind=IconKind::ChevronsUpDown size=14 />
                </button>
            </div>
            <Show when=move || open.get()>
                <div
                    class="popover assignment-popover"
                    id=popover_id.clone()
                    role="dialog"
                    aria-labelledby=title_id.clone()
                    node_ref=popover_ref
                    style=move || position.get()
                    on:keydown=move |event: web_sys::KeyboardEvent| {
                        if event.key() == "Escape" {
                            event.prevent_default();
                            event.stop_propagation();
                            close(true);
                        }
                    }
                >
                    <p class="popover-title" id=title_id.clone()>{label.clone()}</p>
                    <Lazy
                        load=loader(move || {
                            picker_panel(
                                assignments,
                                selected,
                                on_retry,
                                changed,
                                Callback::new(move |()| close(true)),
                                Callback::new(move |()| save()),
                            )
                        })
                        what="the assignments"
                        fallback=|| view! { <div class="popover-body"><SkeletonBlock lines=3 /></div> }
                    />
                </div>
            </Show>
        </div>
    }
}

crate::components::split_view! {
    /// The popover's checklist and buttons, downloaded when a picker is
    /// first opened (or hovered, or focused).
    pub(super) fn picker_panel(
        assignments: Signal<AssignmentList>,
        selected: RwSignal<BTreeSet<String>>,
        on_retry: Callback<()>,
        changed: Signal<bool>,
        on_cancel: Callback<()>,
        on_save: Callback<()>,
    ) in members_extras, preload preload_picker {
        view! {
            <div class="popover-body">
                <LoadedAssignmentChecklist
                    legend="Assignments"
                    assignments=assignments
                    selected=selected
                    on_retry=on_retry
                />
            </div>
            <div class="popover-footer">
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <Button
                    variant=ButtonVariant::Primary
                    small=true
                    disabled=Signal::derive(move || !changed.get())
                    on_click=Callback::new(move |_| on_save.run(()))
                >
                    "Save"
                </Button>
            </div>
        }
    }
}

/// `position: fixed` next to the anchor (fixed, so the table's scrolling
/// container does not clip it): below when there is room, else above; the
/// popover scrolls within what is left of the viewport, never cut off.
fn popover_position(anchor: &web_sys::HtmlElement) -> String {
    const WIDTH: f64 = 352.0;
    const MARGIN: f64 = 8.0;
    let rect = anchor.get_bounding_client_rect();
    let (view_width, view_height) = web_sys::window()
        .map(|w| {
            let number = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
            (
                number(w.inner_width()).unwrap_or(1024.0),
                number(w.inner_height()).unwrap_or(768.0),
            )
        })
        .unwrap_or((1024.0, 768.0));
    let width = WIDTH.min(view_width - 2.0 * MARGIN);
    let left = rect.left().min(view_width - width - MARGIN).max(MARGIN);
    let below = view_height - rect.bottom() - MARGIN;
    let above = rect.top() - MARGIN;
    // Whole pixels: writing an `f64` would ship Rust's float formatting
    // (16 KB of wasm, 8 KB gzip) for this one style.
    let px = |value: f64| value.round() as i32;
    let (left, width) = (px(left), px(width));
    if below >= 280.0 || below >= above {
        format!(
            "left: {left}px; top: {}px; width: {width}px; max-height: {}px;",
            px(rect.bottom() + 4.0),
            px((below - 4.0).max(160.0))
        )
    } else {
        format!(
            "left: {left}px; bottom: {}px; width: {width}px; max-height: {}px;",
            px(view_height - rect.top() + 4.0),
            px((above - 4.0).max(160.0))
        )
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_core::{global_assignments_wire, AUDITOR_ID, DEVELOPER_ID};
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;
    use web_sys::HtmlInputElement;

    wasm_bindgen_test_configure!(run_in_browser);

    fn checkbox_named(fixture: &Fixture, name: &str) -> HtmlInputElement {
        let label = fixture
            .find_all("label")
            .into_iter()
            .find(|l| l.text_content().as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no label {name}"));
        let id = label
            .get_attribute("for")
            .expect("the label names its control");
        fixture.find(&format!("#{id}")).unchecked_into()
    }

    fn description_of(fixture: &Fixture, input: &HtmlInputElement) -> String {
        let id = input.get_attribute("aria-describedby").expect("described");
        fixture
            .find(&format!("#{id}"))
            .text_content()
            .unwrap_or_default()
    }

    #[page_test]
    async fn viewer_is_locked_and_checked_and_checkboxes_edit_the_selection() {
        let fixture = Fixture::new();
        let selected = RwSignal::new(BTreeSet::from([DEVELOPER_ID.to_owned()]));
        let assignments = global_assignments_wire(chrono::DateTime::UNIX_EPOCH);
        let _handle = fixture.mount(move || {
            view! {
                <AssignmentChecklist legend="Assignments" assignments=assignments selected=selected />
            }
        });
        settle().await;

        assert_eq!(
            fixture.find("fieldset legend").text_content().unwrap(),
            "Assignments"
        );
        let boxes = fixture.find_all("input[type=checkbox]");
        assert_eq!(boxes.len(), 9, "Viewer and the eight global assignments");
        let viewer = checkbox_named(&fixture, "Viewer");
        assert!(viewer.is_same_node(Some(&boxes[0])), "Viewer comes first");
        assert!(viewer.checked() && viewer.disabled());
        assert_eq!(description_of(&fixture, &viewer), VIEWER_DESCRIPTION);

        let developer = checkbox_named(&fixture, "Developer");
        assert!(developer.checked() && !developer.disabled());
        let auditor = checkbox_named(&fixture, "Auditor");
        assert!(!auditor.checked());
        assert_eq!(
            description_of(&fixture, &auditor),
            "Grants access to audit logs in the organization"
        );
        assert!(
            !fixture.exists("input[type=search]"),
            "eight assignments need no filter"
        );

        auditor.click();
        developer.click();
        settle().await;
        assert_eq!(
            selected.get_untracked(),
            BTreeSet::from([AUDITOR_ID.to_owned()])
        );
        viewer.click();
        settle().await;
        assert!(viewer.checked(), "Viewer cannot be unchecked");
    }

    #[page_test]
    async fn long_lists_get_a_filter_that_keeps_the_selection() {
        let fixture = Fixture::new();
        let mut assignments = global_assignments_wire(chrono::DateTime::UNIX_EPOCH);
        for n in 0..4 {
            let mut custom = assignments[0].clone();
            custom.id = format!("custom-{n}");
            custom.name = format!("Team {n}");
            custom.description = String::new();
            custom.is_global = false;
            assignments.push(custom);
        }
        let selected = RwSignal::new(BTreeSet::from(["custom-2".to_owned()]));
        let _handle = fixture.mount(move || {
            view! { <AssignmentChecklist legend="Assignments" assignments=assignments selected=selected /> }
        });
        settle().await;
        let filter = fixture.find("input[type=search]");
        type_into(&filter, "team");
        settle().await;
        // Viewer stays; the four custom ones match.
        assert_eq!(fixture.find_all("input[type=checkbox]").len(), 5);
        assert!(checkbox_named(&fixture, "Team 2").checked());
        type_into(&filter, "zzz");
        settle().await;
        assert!(fixture
            .container
            .text_content()
            .unwrap()
            .contains("No assignment matches the filter."));
        assert_eq!(selected.get_untracked().len(), 1);
    }

    #[page_test]
    async fn the_picker_opens_a_popover_and_saves_the_chosen_ids() {
        let fixture = Fixture::new();
        let saved = RwSignal::new(None::<Vec<String>>);
        let list = global_assignments_wire(chrono::DateTime::UNIX_EPOCH);
        let current = vec![list[0].clone()];
        let _handle = fixture.mount(move || {
            view! {
                <AssignmentPicker
                    email="bob@example.com"
                    current=current
                    assignments=Signal::derive(move || Some(Ok(list.clone())))
                    on_retry=Callback::new(|_| ())
                    busy=false
                    on_save=Callback::new(move |ids| saved.set(Some(ids)))
                />
            }
        });
        settle().await;
        let trigger = fixture.find("button.picker-trigger");
        assert_eq!(
            trigger.get_attribute("aria-label").as_deref(),
            Some("Assignments for bob@example.com")
        );
        assert_eq!(trigger.text_content().unwrap(), "", "an icon-only button");
        let summary_id = trigger.get_attribute("aria-describedby").unwrap();
        assert_eq!(
            fixture
                .find(&format!("#{summary_id}"))
                .text_content()
                .unwrap(),
            "Developer"
        );
        trigger.click();
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("true")
        );
        let popover = fixture.find("[role=dialog]");
        let title_id = popover.get_attribute("aria-labelledby").unwrap();
        assert_eq!(
            fixture
                .find(&format!("#{title_id}"))
                .text_content()
                .unwrap(),
            "Assignments for bob@example.com"
        );
        assert_eq!(
            fixture.focused().id(),
            checkbox_named(&fixture, "Developer").id(),
            "focus starts on the first editable checkbox"
        );

        let save = fixture.find(".popover-footer .btn-primary");
        assert!(save.has_attribute("disabled"), "nothing changed yet");
        checkbox_named(&fixture, "Auditor").click();
        settle().await;
        save.click();
        settle().await;
        assert_eq!(
            saved.get_untracked(),
            Some(vec![DEVELOPER_ID.to_owned(), AUDITOR_ID.to_owned()])
        );
        assert!(!fixture.exists("[role=dialog]"));
        assert!(is_focused(&trigger), "focus returns to the trigger");
    }
}
