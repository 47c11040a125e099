//! Settings read from the page at run time, so one build serves any backend.

/// Base URL of the API: `<meta name="roster-api-base" content="…">` in
/// index.html, `/api` when the page does not say.
pub fn api_base() -> String {
    meta_content("roster-api-base")
        .map(|base| base.trim_end_matches('/').to_string())
        .filter(|base| !base.is_empty())
        .unwrap_or_else(|| "/api".to_string())
}

fn meta_content(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    meta.get_attribute("content")
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
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
}
