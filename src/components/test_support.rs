//! Helpers for the components' browser tests: a container to mount into,
//! real keyboard events, and a pause for reactive updates to land.

use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

/// A `<div>` in the document that the test mounts into; removed on drop.
pub struct Fixture {
    pub container: HtmlElement,
}

impl Fixture {
    pub fn new() -> Self {
        let document = document();
        let container: HtmlElement = document
            .create_element("div")
            .expect("create a div")
            .unchecked_into();
        container.set_class_name("roster-app");
        document
            .body()
            .expect("a body")
            .append_child(&container)
            .expect("append the fixture");
        Fixture { container }
    }

    /// Mounts `view`; keep the handle alive for the test's duration.
    pub fn mount<F, N>(&self, view: F) -> leptos::mount::UnmountHandle<N::State>
    where
        F: FnOnce() -> N + 'static,
        N: IntoView,
    {
        mount_to(self.container.clone(), view)
    }

    pub fn find(&self, selector: &str) -> HtmlElement {
        self.container
            .query_selector(selector)
            .expect("a valid selector")
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
            .unchecked_into()
    }

    pub fn find_all(&self, selector: &str) -> Vec<HtmlElement> {
        crate::dom::query_all(&self.container, selector)
    }

    pub fn exists(&self, selector: &str) -> bool {
        self.container
            .query_selector(selector)
            .ok()
            .flatten()
            .is_some()
    }

    pub fn focused(&self) -> HtmlElement {
        document()
            .active_element()
            .expect("something is focused")
            .unchecked_into()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.container.remove();
    }
}

/// Lets effects, timeouts of zero and re-renders run.
pub async fn settle() {
    for _ in 0..3 {
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
}

/// Dispatches a real, bubbling, cancelable `keydown` of `key` on `target`.
pub fn press(target: &HtmlElement, key: &str) {
    press_with(target, key, false);
}

pub fn press_with(target: &HtmlElement, key: &str, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_shift_key(shift);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("a keyboard event");
    target.dispatch_event(&event).expect("dispatch keydown");
}

/// A `pointerdown` on `target` (what a mouse or touch press starts with).
pub fn pointer_down(target: &HtmlElement) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("pointerdown", &init).expect("an event");
    target.dispatch_event(&event).expect("dispatch pointerdown");
}

/// Types `text` into an input as the user would (value, then `input`).
pub fn type_into(input: &HtmlElement, text: &str) {
    let input: &HtmlInputElement = input.unchecked_ref();
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).expect("an event");
    input.dispatch_event(&event).expect("dispatch input");
}

pub fn is_focused(element: &HtmlElement) -> bool {
    document()
        .active_element()
        .is_some_and(|active| active.is_same_node(Some(element)))
}

pub fn focused_text() -> String {
    document()
        .active_element()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .trim()
        .to_owned()
}
