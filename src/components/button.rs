//! A button that shows progress while its action runs.

use std::sync::{Arc, Mutex};

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

/// How long an action runs before its button shows a spinner: a quicker
/// answer replaces the button's state without a spinner flashing (and
/// without the page laying itself out twice).
pub const SPINNER_DELAY: std::time::Duration = std::time::Duration::from_millis(150);

/// Whether a spinner for `busy` work shows: once it has run for
/// [`SPINNER_DELAY`], until it ends.
///
/// The timer belongs to the component: it is cleared when the component
/// goes away. A button often goes with the work it shows (a dialog that
/// closes once it saved), before the work's `busy` turns false, and a timer
/// left running would then read signals that no longer exist.
pub fn spinner_shown(busy: Signal<bool>) -> ReadSignal<bool> {
    let spinning = RwSignal::new(false);
    // Outside the reactive arena, so the cleanup finds it while the
    // component is being disposed.
    let timer = Arc::new(Mutex::new(None::<TimeoutHandle>));
    let clear_timer = {
        let timer = Arc::clone(&timer);
        move || {
            let held = timer.lock().ok().and_then(|mut held| held.take());
            if let Some(handle) = held {
                handle.clear();
            }
        }
    };
    Effect::new({
        let clear_timer = clear_timer.clone();
        move |_| {
            clear_timer();
            if busy.get() {
                let handle = set_timeout_with_handle(
                    move || {
                        if busy.try_get_untracked() == Some(true) {
                            spinning.try_set(true);
                        }
                    },
                    SPINNER_DELAY,
                );
                if let (Ok(handle), Ok(mut held)) = (handle, timer.lock()) {
                    *held = Some(handle);
                }
            } else if spinning.get_untracked() {
                spinning.set(false);
            }
        }
    });
    on_cleanup(clear_timer);
    spinning.read_only()
}

/// A `<button>`. While `busy` it says `aria-busy="true"` and
/// `aria-disabled="true"` and ignores clicks (a busy button keeps focus,
/// unlike a `disabled` one); once busy for [`SPINNER_DELAY`] it also shows a
/// spinner. Extra attributes go on the `<button>`:
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
    let spinning = spinner_shown(busy);
    let class = move || {
        let mut class = variant.class().to_owned();
        if small {
            class.push_str(" btn-small");
        }
        if spinning.get() {
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
            <Show when=move || spinning.get()>
                <span class="spinner" aria-hidden="true"></span>
            </Show>
            {children()}
        </button>
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
        assert!(
            !fixture.exists("button .spinner"),
            "no spinner flashes for a quick action"
        );
        button.click();
        assert_eq!(clicks.get_untracked(), 1, "clicks are ignored while busy");
        gloo_timers::future::sleep(SPINNER_DELAY).await;
        assert!(fixture.exists("button .spinner"), "a slow action shows one");
        assert!(button.class_list().contains("is-busy"));
        assert!(is_focused(&button), "a busy button keeps focus");

        busy.set(false);
        settle().await;
        assert!(!button.has_attribute("aria-disabled"));
        assert!(!fixture.exists("button .spinner"));
        button.click();
        assert_eq!(clicks.get_untracked(), 2);
    }

    #[page_test]
    async fn an_action_done_before_the_delay_never_shows_a_spinner() {
        let fixture = Fixture::new();
        let busy = RwSignal::new(false);
        let _handle = fixture.mount(move || view! { <Button busy=busy>"Save"</Button> });
        settle().await;
        busy.set(true);
        settle().await;
        busy.set(false);
        gloo_timers::future::sleep(SPINNER_DELAY * 2).await;
        assert!(!fixture.exists("button .spinner"));
        assert!(!fixture.find("button").class_list().contains("is-busy"));
    }
}
