//! A button that shows progress while its action runs.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ButtonVariant {
    /// The page's or dialog's main action.
    Primary,
    #[default]
    Secondary,
    /// Destructive actions.
    Danger,
    /// Quiet actions in toolbars and rows.
    Ghost,
}

impl ButtonVariant {
    fn class(self) -> &'static str {
        match self {
            ButtonVariant::Primary => "btn btn-primary",
            ButtonVariant::Secondary => "btn btn-secondary",
            ButtonVariant::Danger => "btn btn-danger",
            ButtonVariant::Ghost => "btn btn-ghost",
        }
    }
}

/// A `<button>`. While `busy` it shows a spinner, says `aria-busy="true"`
/// and `aria-disabled="true"`, and ignores clicks (a busy button keeps
/// focus, unlike a `disabled` one). Extra attributes go on the `<button>`:
/// `<Button {..} aria-label="Close">`.
#[component]
pub fn Button(
    #[prop(optional)] variant: ButtonVariant,
    /// The action is running.
    #[prop(optional, into)]
    busy: Signal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// `type="submit"` (default `type="button"`).
    #[prop(optional)]
    submit: bool,
    /// A compact button (table rows).
    #[prop(optional)]
    small: bool,
    #[prop(optional, into)] on_click: Option<Callback<web_sys::MouseEvent>>,
    children: Children,
) -> impl IntoView {
    let class = move || {
        let mut class = variant.class().to_owned();
        if small {
            class.push_str(" btn-small");
        }
        if busy.get() {
            class.push_str(" is-busy");
        }
        class
    };
    view! {
        <button
            type=if submit { "submit" } else { "button" }
            class=class
            disabled=move || disabled.get()
            aria-busy=move || if busy.get() { "true" } else { "false" }
            aria-disabled=move || busy.get().then_some("true")
            on:click=move |event| {
                if busy.get_untracked() {
                    event.prevent_default();
                    event.stop_propagation();
                    return;
                }
                if let Some(on_click) = on_click {
                    on_click.run(event);
                }
            }
        >
            <Show when=move || busy.get()>
                <span class="spinner" aria-hidden="true"></span>
            </Show>
            {children()}
        </button>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn a_busy_button_says_so_keeps_focus_and_ignores_clicks() {
        let fixture = Fixture::new();
        let busy = RwSignal::new(false);
        let clicks = RwSignal::new(0);
        let _handle = fixture.mount(move || {
            view! {
                <Button busy=busy on_click=Callback::new(move |_| clicks.update(|n| *n += 1))>
                    "Save"
                </Button>
            }
        });
        settle().await;
        let button = fixture.find("button");
        assert_eq!(button.get_attribute("aria-busy").as_deref(), Some("false"));
        button.click();
        assert_eq!(clicks.get_untracked(), 1);

        button.focus().unwrap();
        busy.set(true);
        settle().await;
        assert_eq!(button.get_attribute("aria-busy").as_deref(), Some("true"));
        assert_eq!(
            button.get_attribute("aria-disabled").as_deref(),
            Some("true")
        );
        assert!(fixture.exists("button .spinner"));
        assert!(is_focused(&button), "a busy button keeps focus");
        button.click();
        assert_eq!(clicks.get_untracked(), 1, "clicks are ignored while busy");

        busy.set(false);
        settle().await;
        assert!(!button.has_attribute("aria-disabled"));
        button.click();
        assert_eq!(clicks.get_untracked(), 2);
    }
}
