//! A modal dialog (<https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/>).
//!
//! - `role="dialog"`, or `role="alertdialog"` for destructive confirmations;
//!   `aria-modal="true"`; named by its title (`aria-labelledby`).
//! - On opening, focus moves in: to an element marked `data-autofocus`, else
//!   the first field or button of the body.
//! - Tab and Shift+Tab cycle inside; focus that escapes is brought back.
//! - Escape closes (so does a click on the backdrop, except for alert
//!   dialogs); focus returns to the element that had it before opening.
//!
//! Content is rendered only while open, so forms start fresh each time.
//! Lay it out with `dialog-body` and `dialog-footer` blocks:
//!
//! ```ignore
//! <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Create Organization">
//!     <form on:submit=…>
//!         <div class="dialog-body">…fields…</div>
//!         <div class="dialog-footer"><Button …>"Cancel"</Button><Button submit=true …>"Create"</Button></div>
//!     </form>
//! </Dialog>
//! ```
//!
//! Render dialogs outside menus and the sidebar (their content disappears
//! when those close); a dialog opened from inside another one must be
//! rendered inside it.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use crate::dom;
use crate::icons::{Icon, IconKind};

#[component]
pub fn Dialog(
    #[prop(into)] open: Signal<bool>,
    /// Asked to close (Escape, the close button, the backdrop).
    #[prop(into)]
    on_close: Callback<()>,
    #[prop(into)] title: Signal<String>,
    /// `role="alertdialog"`: a destructive confirmation.
    #[prop(optional)]
    alert: bool,
    /// Id of the element that describes the dialog (`aria-describedby`).
    #[prop(optional, into)]
    described_by: Option<String>,
    /// Extra classes on the panel (`dialog-wide`).
    #[prop(optional, into)]
    class: String,
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    let class = StoredValue::new(class);
    let described_by = StoredValue::new(described_by);
    view! {
        <Show when=move || open.get()>
            <DialogPanel
                on_close=on_close
                title=title
                alert=alert
                described_by=described_by.get_value()
                class=class.get_value()
                content=children.get_value()
            />
        </Show>
    }
}

#[component]
fn DialogPanel(
    on_close: Callback<()>,
    title: Signal<String>,
    alert: bool,
    described_by: Option<String>,
    class: String,
    content: ChildrenFn,
) -> impl IntoView {
    let previously_focused = SendWrapper::new(dom::active_element());
    let panel_ref = NodeRef::<html::Div>::new();
    let title_id = dom::unique_id("dialog-title");
    let labelled_by = title_id.clone();

    Effect::new(move |_| {
        if let Some(panel) = panel_ref.get() {
            focus_initial(&panel);
        }
    });

    // Focus that leaves the dialog (a click on the page behind it through
    // assistive technology, the browser's own UI) is brought back; the
    // toasts stay usable.
    let guard = window_event_listener(ev::focusin, move |event| {
        let Some(panel) = panel_ref.try_get_untracked().flatten() else {
            return;
        };
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let in_toasts = target.closest(".toast-region").ok().flatten().is_some();
        let in_other_dialog = target.closest(".dialog").ok().flatten().is_some();
        if !panel.contains(Some(&target)) && !in_toasts && !in_other_dialog {
            // Not from inside this listener: moving focus dispatches the
            // next focusin at once, to this same listener while it runs
            // (which wasm-bindgen refuses to call). Before the next paint,
            // and only if nothing has brought focus back meanwhile.
            queue_microtask(move || {
                let Some(panel) = panel_ref.try_get_untracked().flatten() else {
                    return;
                };
                let outside =
                    dom::active_element().is_none_or(|active| !panel.contains(Some(&active)));
                if outside {
                    focus_initial(&panel);
                }
            });
        }
    });
    on_cleanup(move || guard.remove());
    // What had focus before opening gets it back on closing. Cleanups run
    // in registration order: the guard is gone by then.
    on_cleanup(move || {
        if let Some(element) = previously_focused.take() {
            if element.is_connected() {
                if let Ok(element) = element.dyn_into::<HtmlElement>() {
                    dom::focus_in_place(&element);
                }
            }
        }
    });

    let on_keydown = move |event: KeyboardEvent| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            event.stop_propagation();
            on_close.run(());
        }
        "Tab" => {
            let Some(panel) = panel_ref.get_untracked() else {
                return;
            };
            let focusable = dom::focusable_elements(&panel);
            let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
                event.prevent_default();
                return;
            };
            let active = dom::active_element();
            let at = |element: &HtmlElement| {
                active
                    .as_ref()
                    .is_some_and(|a| a.is_same_node(Some(element)))
            };
            let on_panel = active
                .as_ref()
                .is_some_and(|a| a.is_same_node(Some(&panel)));
            if event.shift_key() && (at(first) || on_panel) {
                event.prevent_default();
                dom::focus(last);
            } else if !event.shift_key() && at(last) {
                event.prevent_default();
                dom::focus(first);
            }
        }
        _ => {}
    };

    // Only a press that starts and ends on the backdrop closes (not a text
    // selection dragged out of the panel).
    let pressed_on_backdrop = StoredValue::new(false);
    let is_backdrop = |event: &web_sys::MouseEvent| {
        event
            .target()
            .zip(event.current_target())
            .is_some_and(|(target, current)| target == current)
    };

    view! {
        <div
            class="dialog-backdrop"
            on:mousedown=move |event| pressed_on_backdrop.set_value(is_backdrop(&event))
            on:click=move |event| {
                if !alert && pressed_on_backdrop.get_value() && is_backdrop(&event) {
                    on_close.run(());
                }
            }
        >
            <div
                class=format!("dialog {class}")
                role=if alert { "alertdialog" } else { "dialog" }
                aria-modal="true"
                aria-labelledby=labelled_by
                aria-describedby=described_by
                tabindex="-1"
                node_ref=panel_ref
                on:keydown=on_keydown
            >
                <div class="dialog-header">
                    <h2 class="dialog-title" id=title_id>{move || title.get()}</h2>
                    <button
                        type="button"
                        class="icon-button dialog-close"
                        aria-label="Close"
                        data-dialog-close=""
                        on:click=move |_| on_close.run(())
                    >
                        <Icon kind=IconKind::Close />
                    </button>
                </div>
                {content()}
            </div>
        </div>
    }
}

/// `[data-autofocus]`, else the first field or button that is not the
/// close button, else the panel itself.
fn focus_initial(panel: &HtmlElement) {
    let marked = dom::query_all(panel, "[data-autofocus]")
        .into_iter()
        .find(dom::is_visible);
    let first = || {
        dom::focusable_elements(panel)
            .into_iter()
            .find(|e| !e.has_attribute("data-dialog-close"))
    };
    match marked.or_else(first) {
        Some(element) => dom::focus(&element),
        None => dom::focus(panel),
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn mount_dialog(fixture: &Fixture) -> (RwSignal<bool>, impl Drop) {
        let open = RwSignal::new(false);
        let handle = fixture.mount(move || {
            view! {
                <div>
                    <button id="opener" on:click=move |_| open.set(true)>"Open"</button>
                    <Dialog
                        open=open
                        on_close=Callback::new(move |_| open.set(false))
                        title="Rename"
                    >
                        <div class="dialog-body">
                            <label for="name">"Name"</label>
                            <input id="name" />
                        </div>
                        <div class="dialog-footer">
                            <button id="cancel">"Cancel"</button>
                            <button id="save">"Save"</button>
                        </div>
                    </Dialog>
                </div>
            }
        });
        (open, handle)
    }

    #[page_test]
    async fn focus_moves_in_is_trapped_and_returns_on_escape() {
        let fixture = Fixture::new();
        let (open, _handle) = mount_dialog(&fixture);
        settle().await;
        let opener = fixture.find("#opener");
        opener.focus().unwrap();
        opener.click();
        settle().await;

        let dialog = fixture.find("[role=\"dialog\"]");
        assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
        let title_id = dialog.get_attribute("aria-labelledby").unwrap();
        assert_eq!(
            fixture
                .find(&format!("#{title_id}"))
                .text_content()
                .unwrap(),
            "Rename"
        );
        assert_eq!(
            fixture.focused().id(),
            "name",
            "focus moves to the first field"
        );

        // Tab from the last control wraps to the first (the close button),
        // Shift+Tab from the first wraps to the last.
        let save = fixture.find("#save");
        save.focus().unwrap();
        press(&save, "Tab");
        assert!(fixture.focused().has_attribute("data-dialog-close"));
        press_with(&fixture.focused(), "Tab", true);
        assert_eq!(fixture.focused().id(), "save");

        // Focus that escapes is brought back (in a microtask, before the
        // next paint).
        opener.focus().unwrap();
        settle().await;
        assert_eq!(fixture.focused().id(), "name");

        press(&fixture.focused(), "Escape");
        settle().await;
        assert!(!open.get_untracked());
        assert!(!fixture.exists("[role=\"dialog\"]"));
        assert!(is_focused(&opener), "focus returns to the trigger");
    }

    #[page_test]
    async fn destructive_dialogs_are_alert_dialogs_and_ignore_the_backdrop() {
        let fixture = Fixture::new();
        let open = RwSignal::new(true);
        let _handle = fixture.mount(move || {
            view! {
                <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Delete" alert=true>
                    <div class="dialog-body"><button data-autofocus="">"Cancel"</button></div>
                </Dialog>
            }
        });
        settle().await;
        assert!(fixture.exists("[role=\"alertdialog\"][aria-modal=\"true\"]"));
        assert_eq!(focused_text(), "Cancel", "data-autofocus wins");
        fixture.find(".dialog-backdrop").click();
        settle().await;
        assert!(open.get_untracked());
    }
}
