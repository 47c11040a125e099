//! In-process test harness: the real router on a real SQLite file in a
//! temporary directory, or, when `ROSTER_TEST_POSTGRES` names a PostgreSQL
//! server (`cargo xtask test` starts one), on a new database of its own
//! there. Requests go through the whole middleware stack.

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use roster_server::config::Settings;
use roster_server::state::AppState;
use serde_json::{json, Value};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Response {
    /// The `message` of an error body.
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

/// A signed-in user of the test app.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// The PostgreSQL server the suite runs against, if any: a URL whose user
/// may create databases (its path is ignored).
pub fn postgres_server() -> Option<String> {
    std::env::var("ROSTER_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the suite runs on PostgreSQL (some tests look at SQLite's own
/// query plans).
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// A new, empty database for one test: a SQLite file in `dir`, or a new
/// database on the PostgreSQL server.
pub async fn database_url(dir: &tempfile::TempDir) -> String {
    match postgres_server() {
        None => format!("sqlite://{}", dir.path().join("roster.db").display()),
        Some(server) => {
            use sqlx::{Connection, Executor};
            sqlx::any::install_default_drivers();
            let name = format!("roster_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&server)
                .await
                .expect("the test PostgreSQL server");
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("a test database");
            let _ = admin.close().await;
            let mut url = url::Url::parse(&server).expect("ROSTER_TEST_POSTGRES is a URL");
            url.set_path(&name);
            url.to_string()
        }
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_dev(false).await
    }

    pub async fn with_dev(dev: bool) -> TestApp {
        Self::build(dev, "http://roster.test").await
    }

    /// A test app whose public URL is `public_url` (with a path: the SPA is
    /// served under it).
    pub async fn at(public_url: &str) -> TestApp {
        Self::build(false, public_url).await
    }

    async fn build(dev: bool, public_url: &str) -> TestApp {
        roster_server::init_tracing();
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = database_url(&dir).await;
        let settings = Settings {
            listen: "127.0.0.1:0".parse().expect("address"),
            database_url: url.clone(),
            static_dir: dir.path().join("dist"),
            dev,
            public_url: Some(public_url.into()),
            smtp_url: None,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_audience: None,
            auth: None,
            cors_origins: Vec::new(),
        };
        let db = roster_server::db::connect(&url).await.expect("database");
        let state = AppState::new(db, settings);
        let router = roster_server::app(state.clone());
        TestApp {
            router,
            state,
            _dir: dir,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).expect("request")).await
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Response {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up a new account (verified directly in the database, as the
    /// e-mail link would) and returns it.
    pub async fn account(&self, email: &str) -> Account {
        let name = email.split('@').next().unwrap_or("user").to_string();
        let response = self
            .request(
                Method::POST,
                "/api/auth/sign-up",
                None,
                Some(json!({"email": email, "password": "password123", "name": name})),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "sign-up {email}: {:?}",
            response.body
        );
        let id = response.body["user"]["id"]
            .as_str()
            .expect("user id")
            .to_string();
        sqlx::query("UPDATE users SET email_verified = 1 WHERE id = $1")
            .bind(&id)
            .execute(&self.state.db)
            .await
            .expect("verify");
        Account {
            id,
            email: email.to_string(),
            token: response.body["token"].as_str().expect("token").to_string(),
        }
    }

    /// Creates a collaborative organization owned by `owner`; returns its id.
    pub async fn organization(&self, owner: &Account, name: &str) -> String {
        let response = self
            .post("/api/organizations", &owner.token, json!({"name": name}))
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
        response.body["id"]
            .as_str()
            .expect("organization id")
            .to_string()
    }

    /// Creates a collaborative organization directly in the store, past the
    /// per-user creation limit (for tests that need many).
    pub async fn organization_in_store(&self, owner: &Account, name: &str) -> String {
        let mut tx = self.state.db.begin().await.expect("transaction");
        let organization =
            roster_server::store::organizations::create(&mut tx, name, &owner.id, false, None)
                .await
                .expect("organization");
        tx.commit().await.expect("commit");
        organization.id
    }

    /// Adds `user` to the organization directly (as an accepted invitation
    /// would), with a role and assignments.
    pub async fn add_member(
        &self,
        organization_id: &str,
        user: &Account,
        role: &str,
        assignments: &[&str],
    ) {
        let now = "2026-01-01T00:00:00.000000Z";
        sqlx::query(
            "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(organization_id)
        .bind(&user.id)
        .bind(role)
        .bind(now)
        .bind(now)
        .execute(&self.state.db)
        .await
        .expect("membership");
        for assignment_id in assignments {
            sqlx::query("INSERT INTO member_assignments (organization_id, user_id, assignment_id) VALUES ($1, $2, $3)")
                .bind(organization_id)
                .bind(&user.id)
                .bind(assignment_id)
                .execute(&self.state.db)
                .await
                .expect("assignment");
        }
    }

    pub async fn audit_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_logs")
            .fetch_one(&self.state.db)
            .await
            .expect("count")
    }

    /// The link of the latest e-mail sent to `to`.
    pub async fn last_link(&self, to: &str) -> Option<String> {
        sqlx::query_scalar("SELECT link FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1")
            .bind(to)
            .fetch_optional(&self.state.db)
            .await
            .expect("outbox")
            .flatten()
    }
}

/// The personal organization of an account.
pub async fn personal_organization(app: &TestApp, account: &Account) -> String {
    let list = app.get("/api/organizations", &account.token).await;
    list.body
        .as_array()
        .and_then(|orgs| orgs.iter().find(|o| o["personal"] == true))
        .and_then(|o| o["id"].as_str())
        .expect("personal organization")
        .to_string()
}

impl TestApp {
    /// A test app that sends mail through SMTP at `smtp_url` (the delivery
    /// task is not started: tests call `state.mailer.deliver_due`).
    pub async fn with_smtp(smtp_url: &str) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = database_url(&dir).await;
        let settings = Settings {
            listen: "127.0.0.1:0".parse().expect("address"),
            database_url: url.clone(),
            static_dir: dir.path().join("dist"),
            dev: false,
            public_url: Some("http://roster.test".into()),
            smtp_url: Some(smtp_url.to_string()),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_audience: None,
            auth: None,
            cors_origins: Vec::new(),
        };
        let db = roster_server::db::connect(&url).await.expect("database");
        let mailer =
            roster_server::services::mail::Mailer::from_settings(&settings).expect("SMTP URL");
        let state = AppState::with_mailer(db, settings, mailer);
        let router = roster_server::app(state.clone());
        TestApp {
            router,
            state,
            _dir: dir,
        }
    }
}

impl TestApp {
    /// Another server instance on this app's database (its own pool,
    /// state and router), as when several instances serve one PostgreSQL
    /// database. `self` must outlive it (it owns a SQLite file).
    pub async fn beside(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let settings = Settings {
            static_dir: dir.path().join("dist"),
            ..(*self.state.settings).clone()
        };
        let db = roster_server::db::connect(&settings.database_url)
            .await
            .expect("database");
        let state = AppState::new(db, settings);
        let router = roster_server::app(state.clone());
        TestApp {
            router,
            state,
            _dir: dir,
        }
    }
}

/// The SQL of the tests' own bulk inserts that the two databases spell
/// differently (the server's SQL is written once for both).
pub mod dialect {
    use super::on_postgres;

    /// `expr` as decimal text, zero-padded to `width` digits.
    pub fn padded(expr: &str, width: usize) -> String {
        if on_postgres() {
            format!("lpad(({expr})::text, {width}, '0')")
        } else {
            format!("printf('%0{width}d', {expr})")
        }
    }

    /// The stored timestamp `seconds` (an SQL expression) after `start`
    /// (`YYYY-MM-DDTHH:MM:SS`, UTC), with microseconds.
    pub fn seconds_after(start: &str, seconds: &str) -> String {
        if on_postgres() {
            format!(
                "to_char(TIMESTAMP '{start}' + ({seconds}) * INTERVAL '1 second', \
                 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.000000Z'"
            )
        } else {
            format!(
                "strftime('%Y-%m-%dT%H:%M:%S', '{start}', '+' || ({seconds}) || ' seconds') \
                 || '.000000Z'"
            )
        }
    }

    /// The function that builds a JSON object from name/value pairs, as text.
    pub fn json_object(pairs: &str) -> String {
        if on_postgres() {
            format!("json_build_object({pairs})::text")
        } else {
            format!("json_object({pairs})")
        }
    }
}
