//! Sign-up, sign-in, sessions (bearer and cookie), CSRF defence, throttling,
//! e-mail verification, and errors for bad input.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

async fn sign_up(
    app: &TestApp,
    email: &str,
    password: &str,
    name: &str,
) -> crate::common::Response {
    app.request(
        Method::POST,
        "/api/auth/sign-up",
        None,
        Some(json!({"email": email, "password": password, "name": name})),
    )
    .await
}

pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> crate::common::Response {
    app.request(
        Method::POST,
        "/api/auth/sign-in",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

/// `count` wrong passwords for `email` at once, spread over `apps` in
/// turn: how many were checked (401) and how many refused (429).
pub async fn parallel_guesses(
    apps: &[std::sync::Arc<TestApp>],
    email: &str,
    count: usize,
) -> (usize, usize) {
    let guesses: Vec<_> = (0..count)
        .map(|n| {
            let (app, email) = (apps[n % apps.len()].clone(), email.to_string());
            tokio::spawn(async move {
                sign_in(&app, &email, &format!("guess number {n}"))
                    .await
                    .status
            })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (checked, refused)
}

fn cookie_of(response: &crate::common::Response) -> String {
    let set_cookie = response.headers[header::SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn sign_up_creates_the_account_its_personal_organization_and_a_session() {
    let app = TestApp::new().await;
    let response = sign_up(&app, "  Ada@Example.COM ", "long enough", "Ada Lovelace").await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.body["user"]["name"], "Ada Lovelace");
    // Stored normalised: the address is compared case-insensitively anyway.
    assert_eq!(response.body["user"]["email"], "ada@example.com");
    assert_eq!(response.body["user"]["publicKeys"], json!([]));
    let token = response.body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);

    let set_cookie = response.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with(&format!("roster_session={token}")));
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));

    let me = app.get("/api/users/me", token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], response.body["user"]["id"]);

    let personal: (String, i64) = sqlx::query_as(
        "SELECT o.name, o.personal FROM organizations o
           JOIN organization_members m ON m.organization_id = o.id AND m.role = 'owner'
          WHERE m.user_id = $1",
    )
    .bind(response.body["user"]["id"].as_str().unwrap())
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(personal, ("Personal".to_string(), 1));

    // Tokens are stored only as hashes.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
        .bind(token)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn the_same_address_in_another_case_cannot_sign_up_twice() {
    let app = TestApp::new().await;
    assert_eq!(
        sign_up(&app, "ada@example.com", "long enough", "Ada")
            .await
            .status,
        StatusCode::CREATED
    );
    let again = sign_up(&app, " ADA@example.com", "long enough", "Ada").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.message(), "An account with this email already exists");
}

#[tokio::test]
async fn bad_sign_up_input_gets_a_clear_400_and_creates_nothing() {
    let app = TestApp::new().await;
    let cases = [
        ("not-an-email", "long enough", "Ada", "not a valid email"),
        ("ada@example.com", "short", "Ada", "at least 8"),
        ("ada@example.com", "long enough", "<b>Ada</b>", "HTML"),
        ("ada@example.com", "long enough", "   ", "required"),
        (
            "ada@example.com",
            "long enough",
            "see www.example.com",
            "links",
        ),
    ];
    for (email, password, name, expected) in cases {
        let response = sign_up(&app, email, password, name).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{email} {name}");
        assert!(
            response.message().contains(expected),
            "{email} {name}: {:?}",
            response.message()
        );
    }
    // Every bad field in one answer, joined with ", " (`docs/api.md`,
    // "Errors").
    let all_wrong = sign_up(&app, "not-an-email", "short", "   ").await;
    assert_eq!(all_wrong.status, StatusCode::BAD_REQUEST);
    let message = all_wrong.message();
    assert_eq!(message.split(", ").count(), 3, "{message}");
    for expected in ["not a valid email", "required", "at least 8"] {
        assert!(message.contains(expected), "{message}");
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn malformed_bodies_get_400_or_413_in_the_error_shape_never_500() {
    let app = TestApp::new().await;
    let send = |body: &'static [u8], content_type: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/auth/sign-in")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let malformed = app.send(send(b"{\"email\": ", "application/json")).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.message(), "Malformed JSON in the request body");
    assert_eq!(malformed.body["path"], "/api/auth/sign-in");

    let wrong_type = app
        .send(send(
            b"{\"email\": 42, \"password\": \"x\"}",
            "application/json",
        ))
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong_type.message().contains("email"),
        "{:?}",
        wrong_type.message()
    );

    let not_json = app
        .send(send(b"email=a", "application/x-www-form-urlencoded"))
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.body["statusCode"], 415);

    let huge = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(100_000)
    );
    let too_large = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/auth/sign-in")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(huge))
                .unwrap(),
        )
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.body["statusCode"], 413);
    assert_eq!(too_large.message(), "Request body is too large");
}

#[tokio::test]
async fn wrong_email_and_wrong_password_look_the_same_and_repeated_failures_are_throttled() {
    let app = TestApp::new().await;
    sign_up(&app, "ada@example.com", "long enough", "Ada").await;
    let unknown = sign_in(&app, "nobody@example.com", "long enough").await;
    let wrong = sign_in(&app, "ada@example.com", "wrong password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.message(), wrong.message());

    let ok = sign_in(&app, "ADA@example.com ", "long enough").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body["token"].is_string());

    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "ada@example.com", "nope nope").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let throttled = sign_in(&app, "ada@example.com", "long enough").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled
        .message()
        .starts_with("Too many failed sign-in attempts"));
    assert!(throttled.headers.contains_key(header::RETRY_AFTER));
    // Another account is not affected.
    sign_up(&app, "bob@example.com", "long enough", "Bob").await;
    assert_eq!(
        sign_in(&app, "bob@example.com", "long enough").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_revokes_the_session_on_the_server() {
    let app = TestApp::new().await;
    let account = app.account("ada@example.com").await;
    assert_eq!(
        app.get("/api/users/me", &account.token).await.status,
        StatusCode::OK
    );
    let out = app
        .request(
            Method::POST,
            "/api/auth/sign-out",
            Some(&account.token),
            None,
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let after = app.get("/api/users/me", &account.token).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.body["statusCode"], 401);
}

#[tokio::test]
async fn the_cookie_authenticates_and_cross_site_unsafe_requests_are_refused() {
    let app = TestApp::new().await;
    let signed_up = sign_up(&app, "ada@example.com", "long enough", "Ada").await;
    let cookie = cookie_of(&signed_up);
    let with_cookie = |method: Method, site: Option<&str>| {
        let mut builder = Request::builder()
            .method(method)
            .uri("/api/auth/sign-out")
            .header(header::COOKIE, cookie.clone());
        if let Some(site) = site {
            builder = builder.header("sec-fetch-site", site);
        }
        builder.body(Body::empty()).unwrap()
    };
    let me = app
        .send(
            Request::builder()
                .uri("/api/users/me")
                .header(header::COOKIE, cookie.clone())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "ada@example.com");

    let cross_site = app
        .send(with_cookie(Method::POST, Some("cross-site")))
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert_eq!(cross_site.message(), "Cross-site request refused");

    let foreign_origin = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/auth/sign-out")
                .header(header::COOKIE, cookie.clone())
                .header(header::HOST, "roster.test")
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(foreign_origin.status, StatusCode::FORBIDDEN);

    let same_origin = app
        .send(with_cookie(Method::POST, Some("same-origin")))
        .await;
    assert_eq!(same_origin.status, StatusCode::NO_CONTENT);
}

/// Opens a verification link's token as `session` (or signed out).
async fn post_link(
    app: &TestApp,
    session: Option<&str>,
    link_token: &str,
) -> crate::common::Response {
    app.request(
        Method::POST,
        "/api/auth/verify-email",
        session,
        Some(json!({"token": link_token})),
    )
    .await
}

#[tokio::test]
async fn new_accounts_verify_their_email_through_the_mailed_link() {
    let app = TestApp::new().await;
    let response = sign_up(&app, "ada@example.com", "long enough", "Ada").await;
    let token = response.body["token"].as_str().unwrap();
    assert_eq!(response.body["user"]["emailVerified"], false);

    let link = app
        .last_link("ada@example.com")
        .await
        .expect("a verification e-mail");
    assert!(
        link.starts_with("http://roster.test/verify-email?token="),
        "{link}"
    );
    let verification = link.split("token=").nth(1).unwrap();

    let wrong = post_link(&app, Some(token), "nope").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.message(),
        "This verification link is invalid or has expired"
    );

    // The link alone does not verify: it needs the account's own session.
    // (Whoever signed up with someone else's address must not get it
    // verified by its owner clicking the mail.)
    let signed_out = post_link(&app, None, verification).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
    let squatter = sign_up(&app, "eve@example.com", "long enough", "Eve").await;
    let someone_else = post_link(&app, squatter.body["token"].as_str(), verification).await;
    assert_eq!(someone_else.status, StatusCode::FORBIDDEN);
    assert_eq!(
        someone_else.message(),
        "This link verifies another account: sign in with the address it was sent to"
    );
    assert_eq!(
        app.get("/api/users/me", token).await.body["emailVerified"],
        false
    );

    let verified = post_link(&app, Some(token), verification).await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/users/me", token).await.body["emailVerified"],
        true
    );

    // The link works once.
    let again = post_link(&app, Some(token), verification).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn dev_mode_verifies_at_once_and_lists_the_demo_sign_ins() {
    let app = TestApp::with_dev(true).await;
    let response = sign_up(&app, "ada@example.com", "long enough", "Ada").await;
    assert_eq!(response.body["user"]["emailVerified"], true);
    assert_eq!(app.last_link("ada@example.com").await, None);

    let config = app.request(Method::GET, "/api/config", None, None).await;
    assert_eq!(config.body["dev"], true);
    let emails: Vec<&str> = config.body["demoAccounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert_eq!(
        emails,
        [
            "alice@example.com",
            "bob@example.com",
            "carol@example.com",
            "dave@example.com"
        ]
    );
}

#[tokio::test]
async fn each_mutation_writes_one_audit_row_without_secrets() {
    let app = TestApp::new().await;
    let before = app.audit_count().await;
    let response = sign_up(&app, "ada@example.com", "secret password", "Ada").await;
    let failed = sign_in(&app, "ada@example.com", "wrong password").await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_count().await, before + 2);

    let rows: Vec<(String, String, String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT action, actor_id, target_type, status_code, error_message, metadata
           FROM audit_logs ORDER BY seq",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(rows[0].0, "create");
    assert_eq!(rows[0].1, response.body["user"]["id"].as_str().unwrap());
    assert_eq!(rows[0].2, "user");
    assert_eq!(rows[0].3, 201);
    assert_eq!(rows[1].0, "login");
    assert_eq!(rows[1].3, 401);
    assert_eq!(rows[1].4.as_deref(), Some("Invalid email or password"));
    for row in &rows {
        assert!(!row.5.contains("secret password") && !row.5.contains("wrong password"));
        assert!(row.5.contains("[redacted]"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_get_no_more_tries_than_sequential_ones() {
    let app = std::sync::Arc::new(TestApp::new().await);
    sign_up(&app, "ada@example.com", "long enough", "Ada").await;
    let (checked, refused) =
        parallel_guesses(std::slice::from_ref(&app), "ada@example.com", 20).await;
    assert_eq!((checked, refused), (5, 15));
    // Throttled even with the right password until the window passes.
    assert_eq!(
        sign_in(&app, "ada@example.com", "long enough").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn an_overlong_address_is_refused_without_being_remembered() {
    let app = TestApp::new().await;
    let long = format!("{}@example.com", "a".repeat(60_000));
    let response = sign_in(&app, &long, "whatever").await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.message(), "Invalid email or password");
    assert_eq!(app.sign_in_addresses_tracked().await, 0);
}

/// What an OpenID provider says of a user (address, verification, name)
/// is stored as it says, on either database; an address that belongs to
/// another account is not taken.
#[tokio::test]
async fn the_providers_word_on_a_user_is_stored() {
    let app = TestApp::new().await;
    let ada = app.account("ada@example.com").await;
    app.account("bob@example.com").await;
    let update = |email: &'static str, verified: bool| {
        let (db, id) = (app.state.db.clone(), ada.id.clone());
        async move {
            roster_server::store::users::update_from_provider(&db, &id, email, verified, "Ada L.")
                .await
                .unwrap()
        }
    };
    assert!(update("Ada.New@example.com", false).await);
    let row: (String, String, i64, String) = sqlx::query_as(
        "SELECT email, email_normalized, email_verified, name FROM users WHERE id = $1",
    )
    .bind(&ada.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "Ada.New@example.com".into(),
            "ada.new@example.com".into(),
            0,
            "Ada L.".into()
        )
    );
    assert!(update("ada.new@example.com", true).await);
    assert!(!update("BOB@example.com", true).await, "Bob's address");
}
