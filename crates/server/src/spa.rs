//! Serves the built SPA: files from the static directory, `index.html` for
//! client-side routes. Hashed assets are cached for a year; `index.html` and
//! everything else is revalidated so a deploy is picked up at once. A
//! pre-compressed copy next to a file (`name.br`, `name.gz`, written by
//! `cargo xtask dist`) is sent to browsers that accept it; other files are
//! compressed on the fly.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

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

/// trunk names build outputs `name-<16 hex digits>[_bg].ext`; their content
/// never changes under the same name.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
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
    }
}
