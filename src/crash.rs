//! A crash is never silent (product.md §4). A Rust panic aborts the wasm
//! module (`panic = "abort"`): nothing of the app runs after it. The panic
//! hook logs the panic and replaces the app with a short message ("Something
//! went wrong", the panic's text in a details element, "Reload"), built by
//! plain JavaScript so that it works without the dead module. A trap without
//! a panic (stack overflow, out of memory) shows the same message.
//!
//! A page that opts in with `<meta name="roster-test-hooks" content="panic">`
//! panics on a `roster-test-panic` window event: the browser tests' way to
//! check this. The shipped `index.html` has no such tag.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
let shown = false;

export function show_crash(details) {
  if (shown) return;
  shown = true;
  const host = document.getElementById("roster") || document.body;
  let root = host.querySelector(".roster-app");
  if (!root) {
    root = document.createElement("div");
    root.className = "roster-app";
    host.appendChild(root);
  }
  root.replaceChildren();
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  };
  const page = element("main", "crash");
  const notice = element("div", "crash-notice");
  notice.setAttribute("role", "alert");
  const title = element("h1", "crash-title", "Something went wrong");
  title.id = "roster-crash-title";
  page.setAttribute("aria-labelledby", title.id);
  notice.append(
    title,
    element("p", null, "Roster stopped because of an error. Reload the page to continue; what you saved is kept."),
  );
  const more = element("details", "crash-details");
  more.append(element("summary", null, "Details"), element("pre", null, details));
  const reload = element("button", "btn btn-primary", "Reload");
  reload.type = "button";
  reload.addEventListener("click", () => location.reload());
  page.append(notice, more, reload);
  root.appendChild(page);
  reload.focus();
}

export function watch_for_traps() {
  const trapped = (error) => {
    if (error instanceof WebAssembly.RuntimeError) show_crash(String(error));
  };
  window.addEventListener("error", (event) => trapped(event.error));
  window.addEventListener("unhandledrejection", (event) => trapped(event.reason));
}
"#)]
extern "C" {
    fn show_crash(details: &str);
    fn watch_for_traps();
}

/// Installs the panic hook and the trap watcher; call it before mounting.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash(&info.to_string());
    }));
    watch_for_traps();
    if crate::config::meta_content("roster-test-hooks")
        .is_some_and(|hooks| hooks.split_whitespace().any(|hook| hook == "panic"))
    {
        let handle = leptos::prelude::window_event_listener_untyped("roster-test-panic", |_| {
            panic!("a panic asked for by the page (roster-test-panic)")
        });
        // It listens for as long as the page lives.
        std::mem::forget(handle);
    }
}
