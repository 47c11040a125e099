//! Health, errors in the API's shape, and serving the SPA.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::new().await;
    let response = app.request(Method::GET, "/api/health", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, json!({"status": "ok"}));
}

#[tokio::test]
async fn config_reports_version_and_mode() {
    let app = TestApp::new().await;
    let response = app.request(Method::GET, "/api/config", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(response.body["auth"], "password");
    assert_eq!(response.body["dev"], false);
}

#[tokio::test]
async fn api_answers_are_not_stored_by_any_cache() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    for (path, token) in [
        ("/api/users/me", Some(ada.token.as_str())),
        ("/api/organizations", Some(ada.token.as_str())),
        ("/api/users/me", None),
        ("/api/nope", None),
    ] {
        let response = app.request(Method::GET, path, token, None).await;
        assert_eq!(
            response.headers[header::CACHE_CONTROL],
            "no-store",
            "{path} {}",
            response.status
        );
    }
}

#[tokio::test]
async fn unknown_api_paths_answer_404_in_the_error_shape() {
    let app = TestApp::new().await;
    for path in ["/api/nope", "/api/organizations/x/nope/deeper", "/api"] {
        let response = app.request(Method::GET, path, None, None).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.body["statusCode"], 404);
        assert_eq!(response.body["error"], "Not Found");
        assert_eq!(response.body["path"], path);
        assert!(response.body["message"].is_string());
        assert!(response.body["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
    }
}

#[tokio::test]
async fn wrong_method_answers_405_in_the_error_shape() {
    let app = TestApp::new().await;
    let response = app.request(Method::DELETE, "/api/health", None, None).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.body["statusCode"], 405);
    assert_eq!(response.body["error"], "Method Not Allowed");
}

fn write_dist(app: &TestApp) {
    let dist = &app.state.settings.static_dir;
    std::fs::create_dir_all(dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        format!(
            r#"<!DOCTYPE html><base href="/" /><title>Roster</title>{}"#,
            "<!-- padding -->".repeat(40)
        ),
    )
    .unwrap();
    std::fs::write(
        dist.join("roster-0123456789abcdef.js"),
        "console.log('roster');".repeat(200),
    )
    .unwrap();
}

#[tokio::test]
async fn client_routes_get_index_html_without_long_caching() {
    let app = TestApp::new().await;
    write_dist(&app);
    for path in ["/", "/org/abc/members", "/invitations"] {
        let response = app.request(Method::GET, path, None, None).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert!(response
            .body
            .as_str()
            .is_some_and(|b| b.contains("<title>Roster</title>")));
        assert_eq!(
            response.headers[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_compressed() {
    let app = TestApp::new().await;
    write_dist(&app);
    let request = Request::builder()
        .uri("/roster-0123456789abcdef.js")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn pre_compressed_copies_are_sent_to_browsers_that_accept_them() {
    let app = TestApp::new().await;
    write_dist(&app);
    let dist = &app.state.settings.static_dir;
    // Marked copies: the server must send these files, not compress its own.
    std::fs::write(dist.join("roster-0123456789abcdef.js.br"), b"brotli copy").unwrap();
    std::fs::write(dist.join("roster-0123456789abcdef.js.gz"), b"gzip copy").unwrap();
    let fetch = |encoding: &'static str| {
        let request = Request::builder()
            .uri("/roster-0123456789abcdef.js")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        app.send(request)
    };
    let brotli = fetch("gzip, deflate, br").await;
    assert_eq!(brotli.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(brotli.body, "brotli copy");
    assert_eq!(
        brotli.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let gzip = fetch("gzip").await;
    assert_eq!(gzip.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.body, "gzip copy");
    let plain = fetch("identity").await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain
        .body
        .as_str()
        .is_some_and(|b| b.starts_with("console.log")));
}

#[tokio::test]
async fn under_the_public_urls_path_the_spa_is_served_with_that_base() {
    let app = TestApp::at("https://example.com/tools/roster/").await;
    write_dist(&app);
    // A pre-compressed index.html keeps the root's base: never sent here.
    let dist = &app.state.settings.static_dir;
    std::fs::write(dist.join("index.html.gz"), b"stale gzip copy").unwrap();
    for path in [
        "/tools/roster",
        "/tools/roster/",
        "/tools/roster/index.html",
        "/tools/roster/org/abc/members",
        "/tools/roster/invitations",
    ] {
        let gzip = Request::builder()
            .uri(path)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        assert_ne!(app.send(gzip).await.body, "stale gzip copy", "{path}");
        let response = app.request(Method::GET, path, None, None).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        let page = response.body.as_str().unwrap_or_default().to_owned();
        assert!(
            page.contains(r#"<base href="/tools/roster/" />"#)
                && !page.contains(r#"<base href="/" />"#),
            "{path}: {page}"
        );
        assert_eq!(
            response.headers[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
    }

    let asset = app
        .request(
            Method::GET,
            "/tools/roster/roster-0123456789abcdef.js",
            None,
            None,
        )
        .await;
    assert_eq!(asset.status, StatusCode::OK);
    assert!(asset
        .body
        .as_str()
        .is_some_and(|b| b.starts_with("console.log")));
    assert_eq!(
        asset.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    // The site's root leads to the app; the API stays at /api.
    let root = app.request(Method::GET, "/", None, None).await;
    assert!(root.status.is_redirection(), "{:?}", root.status);
    assert_eq!(root.headers[header::LOCATION], "/tools/roster/");
    let health = app.request(Method::GET, "/api/health", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    // Client routes outside the path are not the app's.
    let outside = app
        .request(Method::GET, "/org/abc/members", None, None)
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
}

/// A database URL is understood or refused at start, with the schemes
/// Roster supports; nothing is ever created at a path made from a URL.
#[test]
fn database_urls_roster_does_not_understand_are_refused_at_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (url, says) in [
        (
            "mysql://root@localhost/roster",
            "unsupported database URL scheme \"mysql:\"",
        ),
        ("data/roster.db", "is not a database URL"),
        // PostgreSQL's scheme, a server that is not there: an error, no file.
        (
            "postgres:/roster@127.0.0.1:9/roster",
            "cannot connect to postgres:",
        ),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_roster-server"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
            .current_dir(dir.path())
            .env_remove("ROSTER_DATABASE_URL")
            .output()
            .expect("roster-server runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{url} was accepted: {stderr}");
        assert!(stderr.contains(says), "{url}: {stderr}");
        if says.starts_with("unsupported") || says.starts_with("is not") {
            assert!(
                stderr.contains("sqlite:") && stderr.contains("postgres://"),
                "{url}: {stderr}"
            );
        }
        let created: Vec<_> = std::fs::read_dir(dir.path())
            .expect("directory")
            .map(|entry| entry.map(|e| e.file_name()))
            .collect();
        assert!(created.is_empty(), "{url} created {created:?}");
    }
}
