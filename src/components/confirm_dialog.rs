//! A confirmation before an action, optionally asking the user to type a
//! text (the organization's name) before the confirm button is enabled.

use leptos::prelude::*;

use super::{Button, ButtonVariant, Dialog};
use crate::dom;

/// Asks "are you sure?". Destructive confirmations are alert dialogs with a
/// red confirm button and initial focus on Cancel (or on the typed
/// confirmation field).
///
/// The dialog stays open while `busy`; close it from the action's outcome.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] open: Signal<bool>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(optional, into)] busy: Signal<bool>,
    #[prop(optional)] destructive: bool,
    /// The confirm button stays disabled until exactly this is typed.
    #[prop(optional, into)]
    confirm_text: Option<Signal<String>>,
    /// The message: consequences of the action.
    children: ChildrenFn,
) -> impl IntoView {
    let message_id = dom::unique_id("confirm-message");
    let confirm_label = StoredValue::new(confirm_label);
    let children = StoredValue::new(children);
    let variant = if destructive {
        ButtonVariant::Danger
    } else {
        ButtonVariant::Primary
    };
    let described_by = message_id.clone();
    view! {
        <Dialog
            open=open
            on_close=on_close
            title=title
            alert=destructive
            described_by=described_by
        >
            {
                let typed = RwSignal::new(String::new());
                let field_id = dom::unique_id("confirm-text");
                let matches = move || match confirm_text {
                    Some(expected) => expected.with(|e| typed.with(|t| t == e)),
                    None => true,
                };
                let confirm = move || {
                    if matches() && !busy.get_untracked() {
                        on_confirm.run(());
                    }
                };
                view! {
                    <form
                        class="confirm-form"
                        on:submit=move |event| {
                            event.prevent_default();
                            confirm();
                        }
                    >
                        <div class="dialog-body">
                            <div id=message_id.clone() class="dialog-message">
                                {children.with_value(|c| c())}
                            </div>
                            {confirm_text.map(|expected| {
                                view! {
                                    <div class="field">
                                        <label for=field_id.clone()>
                                            "Type " <strong class="confirm-expected">{move || expected.get()}</strong>
                                            " to confirm"
                                        </label>
                                        <input
                                            id=field_id.clone()
                                            class="input"
                                            type="text"
                                            autocomplete="off"
                                            spellcheck="false"
                                            data-autofocus=""
                                            prop:value=move || typed.get()
                                            on:input=move |event| typed.set(event_target_value(&event))
                                        />
                                    </div>
                                }
                            })}
                        </div>
                        <div class="dialog-footer">
                            <button
                                type="button"
                                class="btn btn-secondary"
                                data-autofocus=(destructive && confirm_text.is_none()).then_some("")
                                on:click=move |_| on_close.run(())
                            >
                                "Cancel"
                            </button>
                            <Button
                                variant=variant
                                submit=true
                                busy=busy
                                disabled=Signal::derive(move || !matches())
                                {..}
                                data-confirm=""
                            >
                                {confirm_label.get_value()}
                            </Button>
                        </div>
                    </form>
                }
            }
        </Dialog>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    #[page_test]
    async fn confirm_stays_disabled_until_the_exact_name_is_typed() {
        let fixture = Fixture::new();
        let confirmed = RwSignal::new(0);
        let _handle = fixture.mount(move || {
            view! {
                <ConfirmDialog
                    open=true
                    on_close=Callback::new(|_| ())
                    title="Delete Organization"
                    confirm_label="Delete"
                    on_confirm=Callback::new(move |_| confirmed.update(|n| *n += 1))
                    destructive=true
                    confirm_text="Acme Corp".to_owned()
                >
                    "This deletes Acme Corp for every member."
                </ConfirmDialog>
            }
        });
        settle().await;
        assert!(fixture.exists("[role=\"alertdialog\"]"));
        let input = fixture.focused();
        assert_eq!(
            input.tag_name(),
            "INPUT",
            "focus starts in the confirmation field"
        );
        let confirm = fixture.find("[data-confirm]");
        let disabled = |confirm: &web_sys::HtmlElement| confirm.has_attribute("disabled");
        assert!(disabled(&confirm));

        for wrong in ["Acme", "acme corp", "Acme Corp ", " Acme Corp"] {
            type_into(&input, wrong);
            settle().await;
            assert!(disabled(&confirm), "{wrong:?} must not enable Delete");
            confirm.click();
            settle().await;
            assert_eq!(confirmed.get_untracked(), 0);
        }

        type_into(&input, "Acme Corp");
        settle().await;
        assert!(!disabled(&confirm));
        confirm.click();
        settle().await;
        assert_eq!(confirmed.get_untracked(), 1);
    }

    #[page_test]
    async fn without_typed_text_destructive_confirmations_focus_cancel() {
        let fixture = Fixture::new();
        let open = RwSignal::new(true);
        let _handle = fixture.mount(move || {
            view! {
                <ConfirmDialog
                    open=open
                    on_close=Callback::new(move |_| open.set(false))
                    title="Remove member"
                    confirm_label="Remove"
                    on_confirm=Callback::new(|_| ())
                    destructive=true
                >
                    "Ada loses access."
                </ConfirmDialog>
            }
        });
        settle().await;
        assert_eq!(focused_text(), "Cancel");
        assert!(!fixture.find("[data-confirm]").has_attribute("disabled"));
        fixture.focused().click();
        settle().await;
        assert!(!open.get_untracked());
    }
}
