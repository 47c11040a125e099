//! Serves the built SPA: files from the static directory, `index.html` for
//! client-side routes. Hashed assets are cached for a year; `index.html` and
//! everything else is revalidated so a deploy is picked up at once. A
//! pre-compressed copy next to a file (`name.br`, `name.gz`, written by
//! `cargo xtask dist`) is sent to browsers that accept it; other files are
//! compressed on the fly.
//!
//! Under a sub-path ([`router_under`]) the same `dist/` is served with its
//! `<base href="/">` rewritten to that path, so the app's files and routes
//! follow it without a rebuild.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// The `<base>` element index.html ships with (the app at a site's root).
const ROOT_BASE: &str = r#"<base href="/" />"#;

pub fn router(static_dir: &Path) -> Router {
    let files = ServeDir::new(static_dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(static_dir.join("index.html")));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

/// The SPA served under `base_path` ("/roster"), to be nested there: its
/// pages (index.html for any client route) say `<base href="/roster/">`.
pub fn router_under(static_dir: &Path, base_path: &str) -> Router {
    let page = Arc::new(IndexPage {
        file: static_dir.join("index.html"),
        base: format!(r#"<base href="{base_path}/" />"#),
    });
    let index = get(move || {
        let page = page.clone();
        async move { page.render().await }
    });
    // Files only: directories and missing files fall to the rewritten page.
    let files = ServeDir::new(static_dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(index.clone());
    Router::new()
        .route("/", index.clone())
        .route("/index.html", index)
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

struct IndexPage {
    file: PathBuf,
    base: String,
}

impl IndexPage {
    /// Read at each request (a few KB), so a rebuilt dist/ is served at once.
    async fn render(&self) -> Response {
        match tokio::fs::read_to_string(&self.file).await {
            Ok(html) => {
                if !html.contains(ROOT_BASE) {
                    tracing::warn!(
                        "{} has no {ROOT_BASE}; served as it is",
                        self.file.display()
                    );
                }
                let html = html.replacen(ROOT_BASE, &self.base, 1);
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
            }
            Err(error) => {
                tracing::warn!("cannot read {}: {error}", self.file.display());
                (StatusCode::NOT_FOUND, "Roster's index.html is missing").into_response()
            }
        }
    }
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let value = if immutable && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// trunk names build outputs `name-<16 hex digits>[_bg].ext`, and the split
/// wasm lives in a directory named `wasm-<16 hex digits>/` after its
/// content (xtask/src/spa.rs): such files never change under the same name.
fn is_hashed_asset(path: &str) -> bool {
    let mut segments = path.rsplit('/');
    let file = segments.next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let hashed = |name: &str| {
        name.rsplit_once('-').is_some_and(|(_, hash)| {
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    !file.is_empty()
        && (hashed(stem) || segments.any(|dir| dir.starts_with("wasm-") && hashed(dir)))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunk_outputs_are_hashed_assets_and_pages_are_not() {
        assert!(is_hashed_asset("/roster-5f3c1a2b9d8e7f60.js"));
        assert!(is_hashed_asset("/roster-5f3c1a2b9d8e7f60_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/org/abc/members"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/roster-config.json"));
        // The split wasm's directory, its chunks and wasm-bindgen's snippets.
        assert!(is_hashed_asset("/wasm-5f3c1a2b9d8e7f60/roster.js"));
        assert!(is_hashed_asset(
            "/wasm-5f3c1a2b9d8e7f60/split_audit_logs.wasm"
        ));
        assert!(is_hashed_asset(
            "/roster/wasm-5f3c1a2b9d8e7f60/snippets/roster-1/inline0.js"
        ));
        assert!(!is_hashed_asset("/wasm-5f3c1a2b9d8e7f60/"));
        assert!(!is_hashed_asset("/org/wasm-5f3c1a2b9d8e7f6/members"));
    }
}
