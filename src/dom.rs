//! Small DOM helpers shared by the components: ids, focus management,
//! saving a file.

use std::cell::Cell;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement};

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// A document-unique id for ARIA relationships (`aria-labelledby`, …).
pub fn unique_id(prefix: &str) -> String {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        format!("roster-{prefix}-{id}")
    })
}

pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The focused element, if any (not `<body>`).
pub fn active_element() -> Option<Element> {
    let document = document()?;
    let active = document.active_element()?;
    match document.body() {
        Some(body) if body.is_same_node(Some(&active)) => None,
        _ => Some(active),
    }
}

/// Elements reachable with Tab inside `container`, in document order,
/// skipping hidden ones.
pub fn focusable_elements(container: &Element) -> Vec<HtmlElement> {
    const SELECTOR: &str =
        "a[href], button:not([disabled]), input:not([disabled]):not([type=\"hidden\"]), \
         select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";
    query_all(container, SELECTOR)
        .into_iter()
        .filter(is_visible)
        .collect()
}

/// Every element under `container` matching `selector`, as `HtmlElement`s.
pub fn query_all(container: &Element, selector: &str) -> Vec<HtmlElement> {
    let Ok(list) = container.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Rendered (not `display: none`, not inside `[hidden]`).
pub fn is_visible(element: &HtmlElement) -> bool {
    element.get_client_rects().length() > 0
}

pub fn focus(element: &HtmlElement) {
    // Focusing can only fail for detached elements; nothing to do then.
    let _ = element.focus();
}

/// Focuses `element` without scrolling it into view (an element that was
/// on screen, such as the control that opened a dialog): the browser then
/// need not lay the page out at once.
pub fn focus_in_place(element: &HtmlElement) {
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = element.focus_with_options(&options);
}

/// Whether the CSS media `query` matches, following changes (a phone turned,
/// a window resized), until the current owner is cleaned up.
pub fn media_query(query: &str) -> leptos::prelude::Signal<bool> {
    use leptos::prelude::*;
    let list = web_sys::window().and_then(|w| w.match_media(query).ok().flatten());
    let matches = RwSignal::new(list.as_ref().is_some_and(|l| l.matches()));
    if let Some(list) = list {
        let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(
            move |event: web_sys::MediaQueryListEvent| {
                matches.try_set(event.matches());
            },
        );
        let _ = list.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
        let registered = send_wrapper::SendWrapper::new((list, listener));
        on_cleanup(move || {
            let (list, listener) = registered.take();
            let _ = list
                .remove_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
        });
    }
    matches.into()
}

/// Runs `f` after the pending reactive updates have reached the DOM.
pub fn after_render(f: impl FnOnce() + 'static) {
    leptos::prelude::set_timeout(f, std::time::Duration::ZERO);
}

/// Runs `f` once the next frame has been painted: for bookkeeping that must
/// not delay showing a change.
pub fn after_paint(f: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || after_render(f));
}

/// Resolves when `promise` settles, or after `timeout` at the latest.
pub async fn until(promise: js_sys::Promise, timeout: std::time::Duration) {
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX),
            );
        }
    });
    let first = js_sys::Promise::race(&js_sys::Array::of2(&promise, &timer));
    let _ = wasm_bindgen_futures::JsFuture::from(first).await;
}

/// Runs `work` when the browser has nothing else to do (`requestIdleCallback`,
/// at most two seconds later), or soon where that is missing (Safari).
pub fn when_idle(work: impl FnOnce() + 'static) {
    request_idle(&wasm_bindgen::closure::Closure::once_into_js(work));
}

/// Resolves when the browser is idle ([`when_idle`]).
pub async fn idle() {
    let idle = js_sys::Promise::new(&mut |resolve, _| request_idle(&resolve));
    let _ = wasm_bindgen_futures::JsFuture::from(idle).await;
}

/// Whether the user asked the browser to save data, or the connection is
/// very slow (`navigator.connection`, where the browser has it): downloads
/// nobody asked for yet should wait.
pub fn data_is_precious() -> bool {
    let Some(connection) = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"connection".into()).ok())
        .filter(|c| c.is_object())
    else {
        return false;
    };
    let field = |name: &str| js_sys::Reflect::get(&connection, &name.into()).ok();
    let save_data = field("saveData").and_then(|s| s.as_bool()) == Some(true);
    let slow = field("effectiveType")
        .and_then(|t| t.as_string())
        .is_some_and(|t| t == "slow-2g" || t == "2g");
    save_data || slow
}

/// Watches for an element to come near the screen (within half a screen's
/// height of it): for what below the fold need not load with the page.
/// Dropping it stops watching.
pub struct NearScreen(Option<(web_sys::IntersectionObserver, EntriesCallback)>);

type EntriesCallback = wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>;

impl Drop for NearScreen {
    fn drop(&mut self) {
        if let Some((observer, _)) = &self.0 {
            observer.disconnect();
        }
    }
}

/// Runs `f` once, when `element` first comes near the screen; at once
/// where the browser cannot tell.
pub fn when_near_screen(element: &Element, f: impl FnOnce() + 'static) -> NearScreen {
    type Once = Option<Box<dyn FnOnce()>>;
    let pending: std::rc::Rc<Cell<Once>> = std::rc::Rc::new(Cell::new(Some(Box::new(f))));
    let run = move || {
        if let Some(f) = pending.take() {
            f();
        }
    };
    let callback = EntriesCallback::new({
        let run = run.clone();
        move |entries: js_sys::Array| {
            let near = entries.iter().any(|entry| {
                entry
                    .unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if near {
                run();
            }
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("50% 0px");
    match web_sys::IntersectionObserver::new_with_options(
        callback.as_ref().unchecked_ref(),
        &options,
    ) {
        Ok(observer) => {
            observer.observe(element);
            NearScreen(Some((observer, callback)))
        }
        Err(_) => {
            run();
            NearScreen(None)
        }
    }
}

/// Downloads `url` at low priority and reads it whole, for the browser's
/// cache to keep: what is later fetched from it comes from there. A
/// failure is forgotten (whoever needs the file asks again).
pub async fn download(url: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let init = web_sys::RequestInit::new();
    // Behind whatever the page is loading now (`fetch`'s `priority`, where
    // the browser has it).
    let _ = js_sys::Reflect::set(&init, &"priority".into(), &"low".into());
    let Ok(answer) =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init)).await
    else {
        return;
    };
    if let Ok(body) = answer.unchecked_into::<web_sys::Response>().array_buffer() {
        let _ = wasm_bindgen_futures::JsFuture::from(body).await;
    }
}

fn request_idle(callback: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let _ = match idle {
        Some(request) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"timeout".into(), &2000.into());
            request.call2(&window, callback, &options)
        }
        None => window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 200)
            .map(Into::into),
    };
}

/// Saves `parts` (strings, byte arrays: what a `Blob` is made of) as a
/// file named `file_name`, as a download would: a `Blob`, an object URL and
/// a click on an `<a download>`. The URL is revoked once the browser has
/// had time to start the download.
pub fn save_file(
    parts: &js_sys::Array,
    content_type: &str,
    file_name: &str,
) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = document().ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.set_hidden(true);
    let body = document.body().ok_or("the page has no body")?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::rc::Rc;

    use super::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    async fn frames(ms: u32) {
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }

    /// What is far below the screen waits until the reader scrolls near
    /// it, then runs once; what is dropped before never runs.
    #[page_test]
    async fn what_is_below_the_fold_waits_until_scrolled_near() {
        let document = web_sys::window().unwrap().document().unwrap();
        let body = document.body().unwrap();
        let block = |height: &str| {
            let div: HtmlElement = document.create_element("div").unwrap().unchecked_into();
            div.style().set_property("height", height).unwrap();
            body.append_child(&div).unwrap();
            div
        };
        let above = block("5000px");
        let below = block("10px");
        let seen = Rc::new(Cell::new(0));
        let count = seen.clone();
        let _watch = when_near_screen(&below, move || count.set(count.get() + 1));
        let dropped = seen.clone();
        drop(when_near_screen(&below, move || {
            dropped.set(dropped.get() + 100)
        }));
        frames(300).await;
        assert_eq!(seen.get(), 0, "nothing runs while it is far below");

        below.scroll_into_view();
        for _ in 0..100 {
            if seen.get() > 0 {
                break;
            }
            frames(20).await;
        }
        assert_eq!(seen.get(), 1, "runs once it is near");
        web_sys::window().unwrap().scroll_to_with_x_and_y(0.0, 0.0);
        frames(100).await;
        below.scroll_into_view();
        frames(300).await;
        assert_eq!(seen.get(), 1, "and only once");
        above.remove();
        below.remove();
    }
}
