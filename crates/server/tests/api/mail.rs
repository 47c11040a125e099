//! Mail: every message lands in the outbox; with an SMTP URL the mailer
//! delivers it after commit, and a failing relay neither loses the message
//! nor fails the request. A small fake SMTP server plays the relay.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::TestApp;
use axum::http::StatusCode;
use roster_server::config::Settings;
use roster_server::services::mail::Mailer;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug, Default)]
struct Received {
    hello: String,
    auth: Option<String>,
    from: String,
    to: Vec<String>,
    data: String,
}

/// Accepts every message, except recipients containing "reject" (550).
struct FakeSmtp {
    address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeSmtp {
    async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, store.clone()));
            }
        });
        FakeSmtp { address, received }
    }

    fn received_by(&self, recipient: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.to.iter().any(|to| to.contains(recipient)))
            .cloned()
            .collect()
    }
}

async fn session(socket: TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut current = Received::default();
    write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            current.hello = line[5..].to_string();
            b"250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("AUTH PLAIN ") {
            current.auth = Some(line[11..].to_string());
            b"235 2.7.0 Authentication successful\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            current.from = line[10..].to_string();
            b"250 2.1.0 Ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            if line.contains("reject") {
                b"550 5.1.1 No such user\r\n"
            } else {
                current.to.push(line[8..].to_string());
                b"250 2.1.5 Ok\r\n"
            }
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await
                .unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                current.data.push_str(&line);
                current.data.push('\n');
            }
            store.lock().unwrap().push(std::mem::take(&mut current));
            b"250 2.0.0 Queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await.unwrap();
            return;
        } else {
            b"250 2.0.0 Ok\r\n"
        };
        write.write_all(reply).await.unwrap();
    }
}

/// The text of a quoted-printable body (lettre picks that encoding for
/// long lines): soft line breaks joined, `=XX` escapes decoded.
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut decoded = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let escape = (bytes[at] == b'=' && at + 2 < bytes.len())
            .then(|| u8::from_str_radix(&joined[at + 1..at + 3], 16).ok())
            .flatten();
        match escape {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8(decoded).unwrap()
}

#[derive(Debug, sqlx::FromRow)]
struct OutboxRow {
    link: Option<String>,
    sent_at: Option<String>,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_error: Option<String>,
}

async fn outbox(app: &TestApp, recipient: &str) -> Vec<OutboxRow> {
    sqlx::query_as(
        "SELECT link, sent_at, attempts, next_attempt_at, last_error FROM outbox
          WHERE recipient = $1 ORDER BY id",
    )
    .bind(recipient)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

async fn invite(app: &TestApp, email: &str) -> String {
    let owner = app.account("owner@example.com").await;
    let mut tx = app.state.db.begin().await.unwrap();
    let org =
        roster_server::store::organizations::create(&mut tx, "Acme Corp", &owner.id, false, None)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let response = app
        .post(
            &format!("/api/organizations/{}/invitations", org.id),
            &owner.token,
            json!({"email": email, "role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    response.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn smtp_delivers_the_outbox_and_records_the_delivery() {
    let smtp = FakeSmtp::start().await;
    let app = TestApp::with_smtp(&format!(
        "smtp://roster:s3cret%20pass@{}/mail.roster.test?from=Roster%20Team%20%3Cteam%40roster.test%3E",
        smtp.address
    ))
    .await;
    let id = invite(&app, "bob@example.com").await;
    // Written in the request's transaction, not delivered by it.
    assert!(smtp.received_by("bob@example.com").is_empty());
    assert_eq!(outbox(&app, "bob@example.com").await[0].sent_at, None);
    // A stale message is kept but no longer sent.
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body, created_at)
         VALUES ('old@example.com', 'Old', 'Old', '2020-01-01T00:00:00.000000Z')",
    )
    .execute(&app.state.db)
    .await
    .unwrap();

    let tried = app.state.mailer.deliver_due(&app.state.db).await.unwrap();
    assert_eq!(tried, 2, "the owner's verification mail and the invitation");

    let received = smtp.received_by("bob@example.com");
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.hello, "mail.roster.test");
    // AUTH PLAIN of "\0roster\0s3cret pass": the password is percent-decoded.
    assert_eq!(mail.auth.as_deref(), Some("AHJvc3RlcgBzM2NyZXQgcGFzcw=="));
    assert_eq!(mail.from, "<team@roster.test>");
    let text = quoted_printable(&mail.data);
    assert!(
        text.contains("From: \"Roster Team\" <team@roster.test>"),
        "{text}"
    );
    assert!(text.contains("To: bob@example.com"), "{text}");
    assert!(
        text.contains("Subject: You have been invited to join Acme Corp on Roster"),
        "{text}"
    );
    assert!(
        text.contains(
            "owner@example.com invited you to join the organization Acme Corp on Roster as Member."
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!("\nhttp://roster.test/invitations?id={id}\n")),
        "{text}"
    );

    let rows = outbox(&app, "bob@example.com").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some());
    assert_eq!(rows[0].attempts, 1);
    assert_eq!(rows[0].last_error, None);
    let stale = outbox(&app, "old@example.com").await;
    assert_eq!((stale[0].attempts, stale[0].sent_at.clone()), (0, None));
    assert!(smtp.received_by("old@example.com").is_empty());

    // Nothing is delivered twice.
    assert_eq!(
        app.state.mailer.deliver_due(&app.state.db).await.unwrap(),
        0
    );
    assert_eq!(smtp.received_by("bob@example.com").len(), 1);
}

#[tokio::test]
async fn an_unreachable_relay_neither_fails_the_request_nor_loses_the_message() {
    // A port that nobody listens on any more.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let app = TestApp::with_smtp(&format!("smtp://{address}")).await;
    let id = invite(&app, "bob@example.com").await;

    let tried = app.state.mailer.deliver_due(&app.state.db).await.unwrap();
    assert_eq!(tried, 2);
    let rows = outbox(&app, "bob@example.com").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].link.as_deref(),
        Some(format!("http://roster.test/invitations?id={id}").as_str())
    );
    assert_eq!(rows[0].sent_at, None);
    assert_eq!(rows[0].attempts, 1);
    assert!(rows[0].last_error.as_deref().is_some_and(|e| !e.is_empty()));
    // Retried later, not in a tight loop.
    let retry = rows[0].next_attempt_at.clone().unwrap();
    assert!(retry > roster_server::db::timestamp(chrono::Utc::now()));
    assert_eq!(
        app.state.mailer.deliver_due(&app.state.db).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_permanent_rejection_is_not_retried() {
    let smtp = FakeSmtp::start().await;
    let app = TestApp::with_smtp(&format!("smtp://{}", smtp.address)).await;
    invite(&app, "reject@example.com").await;
    app.state.mailer.deliver_due(&app.state.db).await.unwrap();
    let rows = outbox(&app, "reject@example.com").await;
    assert_eq!(rows[0].sent_at, None);
    assert_eq!(rows[0].attempts, 5);
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("No such user")),
        "{:?}",
        rows[0]
    );
    assert!(smtp.received_by("reject@example.com").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delivery_task_sends_right_after_the_commit() {
    let smtp = FakeSmtp::start().await;
    let app = TestApp::with_smtp(&format!("smtp://{}", smtp.address)).await;
    let task = app.state.mailer.start(app.state.db.clone());
    let id = invite(&app, "bob@example.com").await;
    let mut waited = Duration::ZERO;
    while smtp.received_by("bob@example.com").is_empty() && waited < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
    let received = smtp.received_by("bob@example.com");
    assert_eq!(received.len(), 1, "not delivered within {waited:?}");
    assert!(quoted_printable(&received[0].data).contains(&format!("/invitations?id={id}")));
    assert_eq!(received[0].from, "<roster@roster.test>");
    task.abort();
}

#[tokio::test]
async fn without_smtp_the_log_is_the_mailbox() {
    let app = TestApp::new().await;
    assert!(!app.state.mailer.delivers_by_smtp());
    let id = invite(&app, "bob@example.com").await;
    // Logged as it is written: nothing is left to deliver.
    assert_eq!(
        app.state.mailer.deliver_due(&app.state.db).await.unwrap(),
        0
    );
    let rows = outbox(&app, "bob@example.com").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].link.as_deref(),
        Some(format!("http://roster.test/invitations?id={id}").as_str())
    );
    assert_eq!(rows[0].attempts, 0);
    assert!(rows[0].sent_at.is_some(), "{:?}", rows[0]);
}

#[test]
fn unusable_smtp_urls_are_refused_with_a_reason() {
    let settings = |url: &str| Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: "sqlite::memory:".into(),
        static_dir: "dist".into(),
        dev: false,
        public_url: None,
        smtp_url: Some(url.into()),
        oidc_issuer: None,
        oidc_client_id: None,
        oidc_audience: None,
        auth: None,
        cors_origins: Vec::new(),
    };
    for (url, reason) in [
        (
            "smtps://mail.example.com",
            "only plain smtp:// is supported",
        ),
        (
            "smtp://mail.example.com?tls=required",
            "only plain smtp:// is supported",
        ),
        ("mail.example.com:25", "only plain smtp:// is supported"),
        ("not a url", "relative URL without a base"),
        ("smtp://mail.example.com?from=nobody", "from=nobody"),
    ] {
        let error = Mailer::from_settings(&settings(url))
            .err()
            .unwrap_or_else(|| panic!("{url} accepted"));
        let message = error.to_string();
        assert!(message.starts_with("invalid --smtp-url: "), "{message}");
        assert!(message.contains(reason), "{url}: {message}");
    }
    let secret = Mailer::from_settings(&settings("smtps://user:hunter2@mail.example.com"))
        .err()
        .unwrap();
    assert!(!secret.to_string().contains("hunter2"));
    assert!(
        Mailer::from_settings(&settings("smtp://user:pw@mail.example.com:2525"))
            .is_ok_and(|m| m.delivers_by_smtp())
    );
}

/// Several instances deliver one outbox: each message is claimed by one
/// of them (a lease on its row) and reaches the relay exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_sharing_an_outbox_send_each_message_once() {
    let smtp = FakeSmtp::start().await;
    let a = TestApp::with_smtp(&format!("smtp://{}/mail.roster.test", smtp.address)).await;
    let b = a.beside().await;
    let now = roster_server::db::timestamp(chrono::Utc::now());
    for n in 0..40 {
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at)
             VALUES ($1, 'Hello', 'Hello', $2)",
        )
        .bind(format!("r{n:02}@example.com"))
        .bind(&now)
        .execute(&a.state.db)
        .await
        .unwrap();
    }
    // Four deliverers at once, two per instance, until none finds work.
    let deliver = |app: &TestApp| {
        let (mailer, db) = (app.state.mailer.clone(), app.state.db.clone());
        tokio::spawn(async move {
            let mut tried = 0;
            loop {
                let batch = mailer.deliver_due(&db).await.unwrap();
                if batch == 0 {
                    return tried;
                }
                tried += batch;
            }
        })
    };
    let (one, two, three, four) = tokio::join!(deliver(&a), deliver(&b), deliver(&a), deliver(&b));
    let tried = one.unwrap() + two.unwrap() + three.unwrap() + four.unwrap();
    assert_eq!(tried, 40);
    for n in 0..40 {
        let recipient = format!("r{n:02}@example.com");
        assert_eq!(smtp.received_by(&recipient).len(), 1, "{recipient}");
        let rows = outbox(&a, &recipient).await;
        assert_eq!(rows[0].attempts, 1, "{recipient}");
        assert!(rows[0].sent_at.is_some(), "{recipient}");
    }
}
