//! Two real `roster-server` processes on one database behave as one server:
//! whatever one instance acknowledges, the other shows at once; the rules
//! that concurrency could break (the last owner, one membership per
//! invitation, one pending invitation per address) hold when the racing
//! requests arrive at different instances; a session opened on one is
//! accepted, and once closed refused, by the other.
//!
//! The database is `common::database_url`'s: a SQLite file, or a new
//! PostgreSQL database when `ROSTER_TEST_POSTGRES` names a server. Each
//! test starts its own pair of processes (the binary cargo built for these
//! tests) and reads the database through a connection of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, Method, StatusCode};
use roster_core::{AUDITOR_ID, DEVELOPER_ID};
use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::common::{self, Account, Response};
use crate::races::{self, demote, leave, remove, Effect};

/// The two instances, by index.
const A: usize = 0;
const B: usize = 1;
const NAMES: [&str; 2] = ["A", "B"];

/// How long an instance may take to migrate and listen (a debug build on
/// a busy two-core machine, the rest of the suite running beside it).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One `roster-server serve` process. Dropping it kills the process and
/// waits for it; when the test is failing, its output is printed.
struct Instance {
    name: &'static str,
    /// `http://127.0.0.1:<port>`.
    base: String,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Instance {
    /// Starts an instance on the database at `url` and waits until it
    /// answers. It listens on a port the system picks (`--listen
    /// 127.0.0.1:0`, so no other process can take it between our choice and
    /// its bind) and says which on its first line of output.
    async fn start(name: &'static str, url: &str, dir: &Path) -> Instance {
        let stdout = dir.join(format!("instance-{name}.stdout.log"));
        let stderr = dir.join(format!("instance-{name}.stderr.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_roster-server"));
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(["--database-url", url])
            .arg("--static-dir")
            .arg(dir.join("dist"))
            .args(["--public-url", "http://roster.test"]);
        // Only the flags configure it: no ROSTER_DEV or ROSTER_SMTP_URL
        // from the environment the tests run in.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ROSTER_") {
                command.env_remove(key);
            }
        }
        command
            .env("RUST_LOG", "roster_server=info,tower_http=warn")
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).expect("stdout log"))
            .stderr(File::create(&stderr).expect("stderr log"));
        let child = command.spawn().expect("roster-server starts");
        let mut instance = Instance {
            name,
            base: String::new(),
            child,
            stdout,
            stderr,
        };
        instance.base = instance.wait_for_address().await;
        instance.wait_until_healthy().await;
        instance
    }

    /// The address from "Roster is running at http://…".
    async fn wait_for_address(&mut self) -> String {
        const LINE: &str = "Roster is running at ";
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let output = std::fs::read_to_string(&self.stdout).unwrap_or_default();
            if let Some(rest) = output.split(LINE).nth(1) {
                if let Some((address, _)) = rest.split_once('\n') {
                    return address.trim().to_string();
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("instance {} exited at start: {status}", self.name);
            }
            assert!(
                Instant::now() < deadline,
                "instance {} did not listen within {START_TIMEOUT:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn wait_until_healthy(&mut self) {
        let client = http_client();
        let url = format!("{}/api/health", self.base);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(response) = client.get(&url).send().await {
                if response.status() == StatusCode::OK {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("instance {} exited: {status}", self.name);
            }
            assert!(
                Instant::now() < deadline,
                "instance {} was not healthy within {START_TIMEOUT:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            for (stream, path) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                eprintln!(
                    "---- instance {} ({}) {stream} ----\n{text}",
                    self.name, self.base
                );
            }
        }
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// A member list as the database and the API both say it: user id → role
/// and assignment ids.
type Members = BTreeMap<String, (String, BTreeSet<String>)>;

fn entry(role: &str, assignments: &[&str]) -> (String, BTreeSet<String>) {
    (
        role.to_string(),
        assignments.iter().map(|id| id.to_string()).collect(),
    )
}

fn owners(members: &Members) -> usize {
    members.values().filter(|(role, _)| role == "owner").count()
}

/// Two instances on one database, and a connection of the test's own to it.
/// Fields drop in order: the processes first, the directory last.
struct Cluster {
    instances: [Instance; 2],
    db: sqlx::AnyPool,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts A, then B once A has migrated the new database.
    async fn start() -> Cluster {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = common::database_url(&dir).await;
        let a = Instance::start(NAMES[A], &url, dir.path()).await;
        let b = Instance::start(NAMES[B], &url, dir.path()).await;
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(&url)
            .await
            .expect("the test's connection to the database");
        Cluster {
            instances: [a, b],
            db,
            http: http_client(),
            _dir: dir,
        }
    }

    async fn request(
        &self,
        instance: usize,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(header::HeaderName, &str)],
    ) -> Response {
        let url = format!("{}{path}", self.instances[instance].base);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path} on {}: {e}", NAMES[instance]));
        let status = response.status();
        let headers: HeaderMap = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
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

    async fn get(&self, instance: usize, path: &str, token: &str) -> Response {
        self.request(instance, Method::GET, path, Some(token), None, &[])
            .await
    }

    async fn post(&self, instance: usize, path: &str, token: &str, body: Value) -> Response {
        self.request(instance, Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    /// Signs up through `instance` and verifies the address in the
    /// database, as the e-mailed link would.
    async fn account(&self, instance: usize, email: &str) -> Account {
        let name = email.split('@').next().unwrap_or("user");
        let response = self
            .request(
                instance,
                Method::POST,
                "/api/auth/sign-up",
                None,
                Some(json!({"email": email, "password": "password123", "name": name})),
                &[],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "sign-up {email} on {}: {:?}",
            NAMES[instance],
            response.body
        );
        let id = response.body["user"]["id"]
            .as_str()
            .expect("user id")
            .to_string();
        sqlx::query("UPDATE users SET email_verified = 1 WHERE id = $1")
            .bind(&id)
            .execute(&self.db)
            .await
            .expect("verify");
        Account {
            id,
            email: email.to_string(),
            token: response.body["token"].as_str().expect("token").to_string(),
        }
    }

    /// A collaborative organization created through `instance`.
    async fn organization(&self, instance: usize, owner: &Account, name: &str) -> String {
        let response = self
            .post(
                instance,
                "/api/organizations",
                &owner.token,
                json!({"name": name}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
        response.body["id"].as_str().expect("id").to_string()
    }

    /// Invites `email` through `instance`; returns the invitation's id.
    async fn invite(
        &self,
        instance: usize,
        owner: &Account,
        org: &str,
        email: &str,
        assignments: &[&str],
    ) -> String {
        let response = self
            .post(
                instance,
                &format!("/api/organizations/{org}/invitations"),
                &owner.token,
                json!({"email": email, "role": "member", "assignedRoleIds": assignments}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "invite {email} on {}: {:?}",
            NAMES[instance],
            response.body
        );
        response.body["id"].as_str().expect("id").to_string()
    }

    /// The member list `instance` answers (a full 200 answer: a client that
    /// sends the tag of a list it had before must not be told it is
    /// current), and its `ETag`.
    async fn members_on(
        &self,
        instance: usize,
        token: &str,
        org: &str,
        if_none_match: Option<&str>,
    ) -> (Members, Option<String>) {
        let headers: Vec<_> = if_none_match
            .map(|tag| (header::IF_NONE_MATCH, tag))
            .into_iter()
            .collect();
        let response = self
            .request(
                instance,
                Method::GET,
                &format!("/api/organizations/{org}/users"),
                Some(token),
                None,
                &headers,
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "member list on {} (If-None-Match {if_none_match:?}): {:?}",
            NAMES[instance],
            response.body
        );
        let mut members = Members::new();
        for member in response.body.as_array().expect("a list") {
            let id = member["userId"].as_str().expect("userId").to_string();
            let role = member["role"].as_str().expect("role").to_string();
            let assignments = member["assignedRoles"]
                .as_array()
                .expect("assignedRoles")
                .iter()
                .map(|a| a["id"].as_str().expect("id").to_string())
                .collect();
            let previous = members.insert(id.clone(), (role, assignments));
            assert!(
                previous.is_none(),
                "{id} is listed twice on {}",
                NAMES[instance]
            );
        }
        (members, etag(&response))
    }

    /// The ids of the organization's invitation list on `instance` (as
    /// [`Cluster::members_on`]), and its `ETag`.
    async fn invitations_on(
        &self,
        instance: usize,
        token: &str,
        org: &str,
        if_none_match: Option<&str>,
    ) -> (BTreeSet<String>, Option<String>) {
        let headers: Vec<_> = if_none_match
            .map(|tag| (header::IF_NONE_MATCH, tag))
            .into_iter()
            .collect();
        let response = self
            .request(
                instance,
                Method::GET,
                &format!("/api/organizations/{org}/invitations"),
                Some(token),
                None,
                &headers,
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "invitation list on {} (If-None-Match {if_none_match:?}): {:?}",
            NAMES[instance],
            response.body
        );
        let list = response.body.as_array().expect("a list");
        let ids: BTreeSet<String> = list
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_string())
            .collect();
        assert_eq!(ids.len(), list.len(), "an invitation listed twice");
        (ids, etag(&response))
    }

    /// The organization's members as the database holds them.
    async fn db_members(&self, org: &str) -> Members {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, role FROM organization_members WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_all(&self.db)
        .await
        .expect("members");
        let mut members: Members = rows
            .into_iter()
            .map(|(id, role)| (id, (role, BTreeSet::new())))
            .collect();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, assignment_id FROM member_assignments WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_all(&self.db)
        .await
        .expect("assignments");
        for (id, assignment) in rows {
            members
                .get_mut(&id)
                .expect("assignments of a member")
                .1
                .insert(assignment);
        }
        members
    }

    /// The ids of the organization's pending invitations in the database
    /// (none of this module's has expired).
    async fn db_pending_invitations(&self, org: &str) -> BTreeSet<String> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM invitations WHERE organization_id = $1 AND status = 'pending'",
        )
        .bind(org)
        .fetch_all(&self.db)
        .await
        .expect("invitations");
        ids.into_iter().collect()
    }

    async fn count(&self, sql: &str, binds: &[&str]) -> i64 {
        let mut query = sqlx::query_scalar::<_, i64>(sql);
        for bind in binds {
            query = query.bind(*bind);
        }
        query.fetch_one(&self.db).await.expect(sql)
    }

    /// Adds `n` generated people (accounts that cannot sign in) as members
    /// of the organization, and `n` pending invitations, directly in the
    /// database: with `n` ≥ 200 both lists are large enough for each
    /// instance to keep them serialized (`list_cache`).
    async fn seed(&self, org: &str, inviter: &str, n: usize) {
        let now = chrono::Utc::now();
        let stamp =
            |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let created = stamp(now);
        let expires = stamp(now + chrono::Duration::days(7));
        let mut tx = self.db.begin().await.expect("transaction");
        for i in 0..n {
            let id = uuid::Uuid::new_v4().to_string();
            let email = format!("seed{i:03}@example.com");
            sqlx::query(
                "INSERT INTO users (id, email, email_normalized, name, email_verified, created_at)
                 VALUES ($1, $2, $3, $4, 1, $5)",
            )
            .bind(&id)
            .bind(&email)
            .bind(&email)
            .bind(format!("Seed {i:03}"))
            .bind(&created)
            .execute(&mut *tx)
            .await
            .expect("user");
            sqlx::query(
                "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
                 VALUES ($1, $2, 'member', $3, $4)",
            )
            .bind(org)
            .bind(&id)
            .bind(&created)
            .bind(&created)
            .execute(&mut *tx)
            .await
            .expect("member");
            sqlx::query(
                "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
                     assignment_ids, invited_by, status, expires_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'member', '[]', $5, 'pending', $6, $7, $8)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(org)
            .bind(format!("guest{i:03}@example.com"))
            .bind(format!("guest{i:03}@example.com"))
            .bind(inviter)
            .bind(&expires)
            .bind(&created)
            .bind(&created)
            .execute(&mut *tx)
            .await
            .expect("invitation");
        }
        tx.commit().await.expect("commit");
    }
}

fn etag(response: &Response) -> Option<String> {
    response
        .headers
        .get(header::ETAG)
        .and_then(|tag| tag.to_str().ok())
        .map(str::to_string)
}

/// The status line and body of an answer, for messages.
fn show(response: &Response) -> String {
    format!("{} {}", response.status, response.body)
}

// ---------------------------------------------------------------------------
// Freshness

/// Writes through one instance, each followed at once by a read of the
/// other's list: it holds the write and is exactly the database's list;
/// never an older one, and never a 304 for the tag of the list that
/// instance served before. `seeded` generated members and invitations
/// make both lists large (kept serialized by each instance) or not.
async fn every_acknowledged_write_is_visible_on_the_other_instance(seeded: usize) {
    let cluster = Cluster::start().await;
    let owner = cluster.account(A, "owner@example.com").await;
    let org = cluster.organization(B, &owner, "Fresh").await;
    cluster.seed(&org, &owner.email, seeded).await;
    let members = [
        cluster.account(A, "ann@example.com").await,
        cluster.account(B, "ben@example.com").await,
        cluster.account(A, "cat@example.com").await,
    ];

    // Both instances have served (and, when large, kept) both lists.
    let mut invitation_tags = [None, None];
    let mut member_tags = [None, None];
    for instance in [A, B] {
        invitation_tags[instance] = cluster
            .invitations_on(instance, &owner.token, &org, None)
            .await
            .1;
        member_tags[instance] = cluster
            .members_on(instance, &owner.token, &org, None)
            .await
            .1;
    }

    // Ten invitations through A, each read through B at once; then ten
    // through B, read through A.
    for n in 0..20 {
        let (writer, reader) = if n < 10 { (A, B) } else { (B, A) };
        let email = format!("fresh{n}@example.com");
        let id = cluster.invite(writer, &owner, &org, &email, &[]).await;
        let (listed, tag) = cluster
            .invitations_on(
                reader,
                &owner.token,
                &org,
                invitation_tags[reader].as_deref(),
            )
            .await;
        assert!(
            listed.contains(&id),
            "invitation {n} ({email}), created through {}, is missing from {}'s list",
            NAMES[writer],
            NAMES[reader]
        );
        assert_eq!(
            listed,
            cluster.db_pending_invitations(&org).await,
            "{}'s invitation list after invitation {n} through {}",
            NAMES[reader],
            NAMES[writer]
        );
        assert_ne!(tag, invitation_tags[reader], "the same tag for a new list");
        invitation_tags[reader] = tag;
    }

    // Three people join: invited through A, accepted through B, listed by A.
    for person in &members {
        let id = cluster
            .invite(A, &owner, &org, &person.email, &[DEVELOPER_ID])
            .await;
        let accepted = cluster
            .post(
                B,
                &format!("/api/organizations/invitations/{id}/accept"),
                &person.token,
                json!({}),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", show(&accepted));
        let (listed, tag) = cluster
            .members_on(A, &owner.token, &org, member_tags[A].as_deref())
            .await;
        assert_eq!(
            listed.get(&person.id),
            Some(&entry("member", &[DEVELOPER_ID])),
            "{} accepted through B; A lists {:?}",
            person.email,
            listed.get(&person.id)
        );
        assert_eq!(listed, cluster.db_members(&org).await);
        member_tags[A] = tag;
    }

    // Ten changes of access through B, each read through A; then ten
    // through A, read through B. Every change changes what is listed.
    let variants: [(&str, &[&str]); 4] = [
        ("member", &[]),
        ("member", &[DEVELOPER_ID, AUDITOR_ID]),
        ("owner", &[]),
        ("member", &[AUDITOR_ID]),
    ];
    for k in 0..20 {
        let (writer, reader) = if k < 10 { (B, A) } else { (A, B) };
        let person = &members[k % 3];
        let (role, assignments) = variants[k % 4];
        let changed = cluster
            .post(
                writer,
                &format!("/api/organizations/{org}/users/{}/access", person.id),
                &owner.token,
                json!({"role": role, "assignedRoleIds": assignments}),
            )
            .await;
        assert_eq!(
            changed.status,
            StatusCode::OK,
            "change {k} through {}: {}",
            NAMES[writer],
            show(&changed)
        );
        let (listed, tag) = cluster
            .members_on(reader, &owner.token, &org, member_tags[reader].as_deref())
            .await;
        assert_eq!(
            listed.get(&person.id),
            Some(&entry(role, assignments)),
            "change {k} of {} ({role} {assignments:?}) through {}; {} lists {:?}",
            person.email,
            NAMES[writer],
            NAMES[reader],
            listed.get(&person.id)
        );
        assert_eq!(listed, cluster.db_members(&org).await, "change {k}");
        member_tags[reader] = tag;
    }

    // Removals: through B read by A, through A read by B.
    for (person, writer, reader) in [(&members[0], B, A), (&members[1], A, B)] {
        let removed = cluster
            .request(
                writer,
                Method::DELETE,
                &format!("/api/organizations/{org}/users/{}", person.id),
                Some(&owner.token),
                None,
                &[],
            )
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", show(&removed));
        let (listed, tag) = cluster
            .members_on(reader, &owner.token, &org, member_tags[reader].as_deref())
            .await;
        assert!(
            !listed.contains_key(&person.id),
            "{} removed through {} is still listed by {}",
            person.email,
            NAMES[writer],
            NAMES[reader]
        );
        assert_eq!(listed, cluster.db_members(&org).await);
        member_tags[reader] = tag;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_instance_is_in_the_others_lists_at_once() {
    every_acknowledged_write_is_visible_on_the_other_instance(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_instance_is_in_the_others_large_lists_at_once() {
    every_acknowledged_write_is_visible_on_the_other_instance(250).await;
}

// ---------------------------------------------------------------------------
// The last owner

const OWNER_ROUNDS: usize = 50;

/// A request for [`fire`]: the instance, method, path, bearer token and
/// body.
type Racing = (usize, Method, String, String, Option<Value>);

/// Sends `requests` all at once, started together; returns the answers in
/// the same order.
async fn fire(cluster: &Arc<Cluster>, requests: Vec<Racing>) -> Vec<Response> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(instance, method, path, token, body)| {
            let cluster = Arc::clone(cluster);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                cluster
                    .request(instance, method, &path, Some(&token), body, &[])
                    .await
            })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.expect("request task"));
    }
    responses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_owner_rule_holds_when_racing_requests_reach_both_instances() {
    let cluster = Arc::new(Cluster::start().await);
    let x = cluster.account(A, "x@example.com").await;
    let y = cluster.account(B, "y@example.com").await;
    let z = cluster.account(A, "z@example.com").await;
    let people = [&x, &y, &z];
    for round in 0..OWNER_ROUNDS {
        // x and y own it, z is a member. Even rounds: the owners demote and
        // remove each other while one leaves and the other hands over to z.
        // Odd rounds: both hand over to z, who leaves or is removed.
        let org = races::organization(&cluster.db, &[&x, &y], &[&z]).await;
        let calls = if round % 2 == 0 {
            vec![
                demote(&org, &x, &y),
                demote(&org, &y, &x),
                leave(&org, &x, None),
                leave(&org, &y, Some(&z)),
                remove(&org, &x, &y),
                remove(&org, &y, &x),
            ]
        } else {
            vec![
                leave(&org, &x, Some(&z)),
                leave(&org, &y, Some(&z)),
                demote(&org, &x, &y),
                demote(&org, &y, &x),
                remove(&org, &y, &z),
                leave(&org, &z, None),
            ]
        };
        // Split across the instances, alternately, differently each round.
        let instance_of = |i: usize| (i + round) % 2;
        let audits = cluster.count("SELECT COUNT(*) FROM audit_logs", &[]).await;
        let requests = calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let instance = instance_of(i);
                (
                    instance,
                    c.method.clone(),
                    c.path.clone(),
                    c.token.clone(),
                    c.body.clone(),
                )
            })
            .collect();
        let responses = fire(&cluster, requests).await;
        let last_owner = roster_core::last_owner_message(&org);
        let mut outcome = Vec::new();
        for (i, (call, response)) in calls.iter().zip(&responses).enumerate() {
            let status = response.status;
            let on = NAMES[instance_of(i)];
            outcome.push(format!("{} on {on}: {}", call.label, show(response)));
            assert!(
                !status.is_server_error(),
                "round {round}: {} on {on}: {}",
                call.label,
                show(response)
            );
            let expected = status.is_success()
                || status == StatusCode::FORBIDDEN
                || (call.targets_other
                    && matches!(status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST));
            assert!(
                expected,
                "round {round}: {} on {on}: {}",
                call.label,
                show(response)
            );
            if status == StatusCode::FORBIDDEN {
                let message = response.message();
                assert!(
                    [
                        "Access denied",
                        "Invalid authentication context",
                        &last_owner
                    ]
                    .contains(&message),
                    "round {round}: {} on {on}: unexpected refusal {message:?}",
                    call.label
                );
            }
        }
        let outcome = outcome.join("\n  ");

        let stored = cluster.db_members(&org).await;
        assert!(
            owners(&stored) >= 1,
            "round {round}: organization {org} lost its last owner:\n  {outcome}\nstored: {stored:?}"
        );
        assert!(
            responses.iter().any(|r| r.status.is_success()),
            "round {round}: nothing succeeded:\n  {outcome}"
        );
        // Every acknowledged change is in the database.
        for (call, response) in calls.iter().zip(&responses) {
            if !response.status.is_success() {
                continue;
            }
            let now = stored.get(&call.who).map(|(role, _)| role.as_str());
            match call.effect {
                Effect::Demoted => assert_ne!(
                    now,
                    Some("owner"),
                    "round {round}: {} was acknowledged:\n  {outcome}\nstored: {stored:?}",
                    call.label
                ),
                Effect::Gone => assert_eq!(
                    now, None,
                    "round {round}: {} was acknowledged:\n  {outcome}\nstored: {stored:?}",
                    call.label
                ),
            }
        }
        // Owners hold no assignments.
        for (id, (role, assignments)) in &stored {
            assert!(
                role != "owner" || assignments.is_empty(),
                "round {round}: owner {id} holds {assignments:?}:\n  {outcome}"
            );
        }
        // Both instances list exactly that, to any remaining member.
        let reader = people
            .iter()
            .find(|p| stored.get(&p.id).is_some_and(|(role, _)| role == "owner"))
            .expect("an owner among x, y, z");
        for instance in [A, B] {
            let (listed, _) = cluster
                .members_on(instance, &reader.token, &org, None)
                .await;
            assert_eq!(
                listed, stored,
                "round {round}: {}'s member list differs from the database:\n  {outcome}",
                NAMES[instance]
            );
            assert!(owners(&listed) >= 1);
        }
        // One audit row per request, whichever instance answered it.
        let written = cluster.count("SELECT COUNT(*) FROM audit_logs", &[]).await - audits;
        assert_eq!(
            written,
            calls.len() as i64,
            "round {round}: audit rows written:\n  {outcome}"
        );
    }
}

// ---------------------------------------------------------------------------
// Invitations

const INVITATION_ROUNDS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invitation_accepted_through_both_instances_at_once_makes_one_membership() {
    let cluster = Arc::new(Cluster::start().await);
    let owner = cluster.account(A, "owner@example.com").await;
    let bob = cluster.account(B, "bob@example.com").await;
    let org = cluster.organization(A, &owner, "Accepting").await;
    for round in 0..INVITATION_ROUNDS {
        let id = cluster
            .invite(round % 2, &owner, &org, &bob.email, &[DEVELOPER_ID])
            .await;
        // Two accepts through each instance, started together.
        let path = format!("/api/organizations/invitations/{id}/accept");
        let requests = [A, B, A, B]
            .into_iter()
            .map(|i| {
                (
                    i,
                    Method::POST,
                    path.clone(),
                    bob.token.clone(),
                    Some(json!({})),
                )
            })
            .collect();
        let responses = fire(&cluster, requests).await;
        let outcome = responses
            .iter()
            .zip([A, B, A, B])
            .map(|(r, i)| format!("{}: {}", NAMES[i], show(r)))
            .collect::<Vec<_>>()
            .join("\n  ");
        let mut accepted = 0;
        for response in &responses {
            match response.status {
                StatusCode::OK => accepted += 1,
                StatusCode::FORBIDDEN => assert_eq!(
                    response.message(),
                    "This invitation has already been accepted",
                    "round {round}:\n  {outcome}"
                ),
                _ => panic!("round {round}: unexpected answer:\n  {outcome}"),
            }
        }
        assert_eq!(accepted, 1, "round {round}:\n  {outcome}");
        let memberships = cluster
            .count(
                "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND user_id = $2",
                &[&org, &bob.id],
            )
            .await;
        assert_eq!(memberships, 1, "round {round}");
        let status: String = sqlx::query_scalar("SELECT status FROM invitations WHERE id = $1")
            .bind(&id)
            .fetch_one(&cluster.db)
            .await
            .expect("status");
        assert_eq!(status, "accepted", "round {round}");
        let stored = cluster.db_members(&org).await;
        assert_eq!(stored.get(&bob.id), Some(&entry("member", &[DEVELOPER_ID])));
        for instance in [A, B] {
            let (listed, _) = cluster.members_on(instance, &owner.token, &org, None).await;
            assert_eq!(listed, stored, "round {round}: {}", NAMES[instance]);
        }
        // Out again, for the next round's invitation.
        let removed = cluster
            .request(
                (round + 1) % 2,
                Method::DELETE,
                &format!("/api/organizations/{org}/users/{}", bob.id),
                Some(&owner.token),
                None,
                &[],
            )
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", show(&removed));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_address_invited_through_both_instances_at_once_gets_one_invitation() {
    let cluster = Arc::new(Cluster::start().await);
    let owner = cluster.account(A, "owner@example.com").await;
    let org = cluster.organization(B, &owner, "Inviting").await;
    let path = format!("/api/organizations/{org}/invitations");
    for round in 0..INVITATION_ROUNDS {
        // The same address, spelt differently, twice through each instance.
        let email = format!("race{round}@example.com");
        let spellings = [
            email.clone(),
            format!(" RACE{round}@Example.com"),
            format!("Race{round}@EXAMPLE.com "),
            email.to_uppercase(),
        ];
        let instances = [round % 2, (round + 1) % 2, round % 2, (round + 1) % 2];
        let requests = spellings
            .iter()
            .zip(instances)
            .map(|(spelling, i)| {
                let body = json!({"email": spelling, "role": "member", "assignedRoleIds": []});
                (
                    i,
                    Method::POST,
                    path.clone(),
                    owner.token.clone(),
                    Some(body),
                )
            })
            .collect();
        let responses = fire(&cluster, requests).await;
        let outcome = responses
            .iter()
            .zip(instances)
            .map(|(r, i)| format!("{}: {}", NAMES[i], show(r)))
            .collect::<Vec<_>>()
            .join("\n  ");
        let mut created = Vec::new();
        for response in &responses {
            match response.status {
                StatusCode::CREATED => created.push(response.body["id"].as_str().expect("id")),
                StatusCode::CONFLICT => assert_eq!(
                    response.message(),
                    format!("{email} already has a pending invitation to this organization"),
                    "round {round}:\n  {outcome}"
                ),
                _ => panic!("round {round}: unexpected answer:\n  {outcome}"),
            }
        }
        assert_eq!(created.len(), 1, "round {round}:\n  {outcome}");
        let pending = cluster
            .count(
                "SELECT COUNT(*) FROM invitations
                  WHERE organization_id = $1 AND email_normalized = $2 AND status = 'pending'",
                &[&org, &email],
            )
            .await;
        assert_eq!(pending, 1, "round {round}:\n  {outcome}");
        let mails = cluster
            .count(
                "SELECT COUNT(*) FROM outbox WHERE recipient = $1",
                &[&email],
            )
            .await;
        assert_eq!(mails, 1, "round {round}: invitation mails:\n  {outcome}");
        let stored = cluster.db_pending_invitations(&org).await;
        assert!(stored.contains(created[0]));
        for instance in [A, B] {
            let (listed, _) = cluster
                .invitations_on(instance, &owner.token, &org, None)
                .await;
            assert_eq!(listed, stored, "round {round}: {}", NAMES[instance]);
        }
    }
}

// ---------------------------------------------------------------------------
// Sessions

#[tokio::test]
async fn a_session_opened_on_one_instance_is_valid_and_revoked_on_both() {
    let cluster = Cluster::start().await;
    let ada = cluster.account(A, "ada@example.com").await;
    let sign_in = |instance| {
        let cluster = &cluster;
        async move {
            let response = cluster
                .request(
                    instance,
                    Method::POST,
                    "/api/auth/sign-in",
                    None,
                    Some(json!({"email": "ada@example.com", "password": "password123"})),
                    &[],
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", show(&response));
            response.body["token"].as_str().expect("token").to_string()
        }
    };
    let me = |instance, token: String| {
        let cluster = &cluster;
        async move { cluster.get(instance, "/api/users/me", &token).await }
    };

    let token = sign_in(A).await;
    let on_b = me(B, token.clone()).await;
    assert_eq!(on_b.status, StatusCode::OK, "{}", show(&on_b));
    assert_eq!(on_b.body["id"], ada.id.as_str());

    let out = cluster
        .request(
            B,
            Method::POST,
            "/api/auth/sign-out",
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", show(&out));
    for instance in [A, B] {
        let after = me(instance, token.clone()).await;
        assert_eq!(
            after.status,
            StatusCode::UNAUTHORIZED,
            "a token signed out through B, used on {}: {}",
            NAMES[instance],
            show(&after)
        );
    }
    // Only that session: the one sign-up opened still works on both.
    for instance in [A, B] {
        let other = me(instance, ada.token.clone()).await;
        assert_eq!(other.status, StatusCode::OK, "{}", show(&other));
    }

    // And the other way round.
    let token = sign_in(B).await;
    assert_eq!(me(A, token.clone()).await.status, StatusCode::OK);
    let out = cluster
        .request(
            A,
            Method::POST,
            "/api/auth/sign-out",
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", show(&out));
    assert_eq!(me(B, token).await.status, StatusCode::UNAUTHORIZED);
}
