//! Helpers for the components' browser tests: a container to mount into,
//! real keyboard events, a pause for reactive updates to land, and the
//! check every test runs in ([`checked`], through `#[page_test]`).

use std::cell::{Cell, RefCell};
use std::future::Future;

use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

thread_local! {
    /// What the page threw or panicked with since the last check.
    static PAGE_ERRORS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// A test is running (still set when the last one ended by panicking).
    static TEST_RUNNING: Cell<bool> = const { Cell::new(false) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

fn record(error: String) {
    PAGE_ERRORS.with_borrow_mut(|errors| errors.push(error));
}

/// Records every Rust panic (before the test runner's own hook reports
/// it), uncaught error and unhandled rejection of the page.
fn watch_page() {
    if WATCHING.replace(true) {
        return;
    }
    let runner_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        record(format!("panicked: {info}"));
        runner_hook(info);
    }));
    let window = window();
    let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        record(format!("uncaught: {}", event.message()));
    });
    let on_rejection = Closure::<dyn Fn(web_sys::PromiseRejectionEvent)>::new(
        |event: web_sys::PromiseRejectionEvent| {
            let reason = event.reason();
            let text = reason
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.to_string()))
                .or_else(|| reason.as_string())
                .unwrap_or_else(|| format!("{reason:?}"));
            record(format!("unhandled rejection: {text}"));
        },
    );
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    // They watch for as long as the tests run.
    on_error.forget();
    on_rejection.forget();
}

fn take_errors() -> Vec<String> {
    PAGE_ERRORS.with_borrow_mut(std::mem::take)
}

fn report(when: &str, errors: &[String]) -> String {
    let mut text = format!("the page had uncaught errors or panics {when}:");
    for error in errors {
        text.push_str("\n  - ");
        text.push_str(error);
    }
    text
}

/// Runs a test and fails it when the page had an uncaught error or a Rust
/// panic while it ran, whatever the test itself checked: a panic in a task
/// or timer the test started does not reach the test otherwise. Its
/// leftover tasks and timers get a moment to run first.
pub async fn checked(test: impl Future<Output = ()>) {
    watch_page();
    let earlier = take_errors();
    // A test that ended by panicking has been reported as failed with its
    // panic; anything else came after the previous test passed.
    if !TEST_RUNNING.replace(true) && !earlier.is_empty() {
        panic!("{}", report("after the previous test ended", &earlier));
    }
    test.await;
    settle().await;
    let errors = take_errors();
    if !errors.is_empty() {
        // Still "running": the next test leaves this failure to this one.
        panic!("{}", report("while this test ran", &errors));
    }
    TEST_RUNNING.set(false);
}

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

/// Files the page saves (an `<a download>` clicked), kept from the
/// browser's downloads for the test to read; stops on drop.
pub struct Downloads {
    saved: std::rc::Rc<RefCell<Vec<(String, String)>>>,
    listener: Closure<dyn Fn(web_sys::MouseEvent)>,
}

impl Downloads {
    pub fn capture() -> Self {
        let saved = std::rc::Rc::new(RefCell::new(Vec::new()));
        let listener = Closure::<dyn Fn(web_sys::MouseEvent)>::new({
            let saved = saved.clone();
            move |event: web_sys::MouseEvent| {
                let Some(link) = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                    .filter(|link| link.has_attribute("download"))
                else {
                    return;
                };
                event.prevent_default();
                saved.borrow_mut().push((link.download(), link.href()));
            }
        });
        let _ = window().add_event_listener_with_callback_and_bool(
            "click",
            listener.as_ref().unchecked_ref(),
            true,
        );
        Downloads { saved, listener }
    }

    /// The files saved so far: name and content, in order.
    pub async fn files(&self) -> Vec<(String, String)> {
        let saved = self.saved.borrow().clone();
        let mut files = Vec::new();
        for (name, url) in saved {
            let response = wasm_bindgen_futures::JsFuture::from(window().fetch_with_str(&url))
                .await
                .expect("the saved file can be read");
            let text = response
                .unchecked_into::<web_sys::Response>()
                .text()
                .expect("a text");
            let text = wasm_bindgen_futures::JsFuture::from(text)
                .await
                .expect("the saved file's text");
            files.push((name, text.as_string().unwrap_or_default()));
        }
        files
    }
}

impl Drop for Downloads {
    fn drop(&mut self) {
        let _ = window().remove_event_listener_with_callback_and_bool(
            "click",
            self.listener.as_ref().unchecked_ref(),
            true,
        );
    }
}

/// The check itself: what a test starts and leaves behind fails it.
mod tests {
    use super::*;
    use roster_test_macros::page_test;

    #[page_test]
    #[should_panic(expected = "the page had uncaught errors or panics while this test ran")]
    fn a_panic_in_a_task_the_test_spawned_fails_it() {
        leptos::task::spawn_local(async {
            panic!("a panic in a spawned task");
        });
    }

    #[page_test]
    #[should_panic(expected = "uncaught: Uncaught Error: thrown by a timer")]
    fn an_error_thrown_by_a_timer_fails_the_test() {
        set_timeout(
            || wasm_bindgen::throw_str("thrown by a timer"),
            std::time::Duration::ZERO,
        );
    }
}
