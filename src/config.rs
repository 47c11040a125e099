//! Settings read from the page at run time, so one build serves any backend
//! under any path.

use crate::routes;

/// Base URL of the API: `<meta name="roster-api-base" content="…">` in
/// index.html, `/api` when the page does not say.
pub fn api_base() -> String {
    meta_content("roster-api-base")
        .map(|base| base.trim_end_matches('/').to_string())
        .filter(|base| !base.is_empty())
        .unwrap_or_else(|| "/api".to_string())
}

/// The API's address as a user can read it: its base made absolute
/// (`https://api.example.com/api`, `http://127.0.0.1:8080/api`).
pub fn api_address() -> String {
    let base = api_base();
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|page| web_sys::Url::new_with_base(&base, &page).ok())
        .map(|url| url.href().trim_end_matches('/').to_owned())
        .unwrap_or(base)
}

/// The path the app is served under: "" at a site's root, "/roster" under
/// a sub-path. An embedding page says it with
/// `<meta name="roster-base-path" content="/tools/roster">`; otherwise it is
/// the page's `<base href>` (index.html ships `<base href="/">`, a deploy
/// under a sub-path changes it). Read once.
pub fn base_path() -> &'static str {
    static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BASE.get_or_init(read_base_path)
}

fn read_base_path() -> String {
    if let Some(path) = meta_content("roster-base-path") {
        return routes::base_path_of(&path);
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return String::new();
    };
    // Without a <base> element the base URI is the page's own address.
    if !matches!(document.query_selector("base[href]"), Ok(Some(_))) {
        return String::new();
    }
    match document.base_uri() {
        Ok(Some(uri)) => routes::base_path_of(&uri),
        _ => String::new(),
    }
}

/// The browser's address for a path of the app (`/invitations` →
/// `/roster/invitations`), for every link: leptos_router's `<A>` keeps an
/// absolute href as it is (its `navigate` does add the base).
pub fn href(app_path: &str) -> String {
    format!("{}{app_path}", base_path())
}

/// The current browser path as the app's routes see it.
pub fn app_path(browser_path: &str) -> &str {
    routes::within_base(base_path(), browser_path)
}

/// The `content` of the page's `<meta name="{name}">`.
pub fn meta_content(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    meta.get_attribute("content")
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    #[page_test]
    fn api_base_comes_from_the_page_and_defaults_to_api() {
        let document = web_sys::window().unwrap().document().unwrap();
        for old in [document
            .query_selector("meta[name=\"roster-api-base\"]")
            .unwrap()]
        .into_iter()
        .flatten()
        {
            old.remove();
        }
        assert_eq!(api_base(), "/api");

        let meta = document.create_element("meta").unwrap();
        meta.set_attribute("name", "roster-api-base").unwrap();
        meta.set_attribute("content", "https://api.example.com/v1/")
            .unwrap();
        document.head().unwrap().append_child(&meta).unwrap();
        assert_eq!(api_base(), "https://api.example.com/v1");
        meta.remove();
    }

    #[page_test]
    fn the_base_path_comes_from_an_embedding_meta_or_the_base_element() {
        let document = web_sys::window().unwrap().document().unwrap();
        let head = document.head().unwrap();
        // The test page has neither: the app is at the root.
        assert_eq!(read_base_path(), "");

        let base = document.create_element("base").unwrap();
        base.set_attribute("href", "/tools/roster/").unwrap();
        head.prepend_with_node_1(&base).unwrap();
        assert_eq!(read_base_path(), "/tools/roster");

        let meta = document.create_element("meta").unwrap();
        meta.set_attribute("name", "roster-base-path").unwrap();
        meta.set_attribute("content", "/portal/orgs/").unwrap();
        head.append_child(&meta).unwrap();
        assert_eq!(read_base_path(), "/portal/orgs");

        meta.remove();
        base.remove();
        assert_eq!(read_base_path(), "");
    }
}
