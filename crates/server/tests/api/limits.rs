//! The limits are shared by every server instance on one database: the
//! sign-in throttle and the invitation-mail cooldown hold across two apps
//! (two pools, states and routers) on the same database, as they do
//! within one. Also the helpers other tests use to look at them.

use std::sync::Arc;

use crate::auth::{parallel_guesses, sign_in};
use crate::common::{Account, Response, TestApp};
use axum::http::{header, StatusCode};
use serde_json::json;

impl TestApp {
    /// The addresses with sign-in attempts recorded.
    pub async fn sign_in_addresses_tracked(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(DISTINCT email_normalized) FROM sign_in_attempts")
            .fetch_one(&self.state.db)
            .await
            .expect("count")
    }

    /// A minute passes for the invitation-mail cooldown: every key is free.
    pub async fn forget_mail_cooldowns(&self) {
        sqlx::query("DELETE FROM mail_slots")
            .execute(&self.state.db)
            .await
            .expect("mail slots");
    }
}

/// The password of `TestApp::account`'s accounts.
const PASSWORD: &str = "password123";

fn assert_throttled(response: &Response) {
    assert_eq!(
        response.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        response.body
    );
    assert!(
        response
            .message()
            .starts_with("Too many failed sign-in attempts; try again in "),
        "{:?}",
        response.body
    );
    assert!(response.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn failed_sign_ins_on_one_instance_throttle_the_address_on_another() {
    let a = TestApp::new().await;
    let b = a.beside().await;
    a.account("ada@example.com").await;
    b.account("bob@example.com").await;
    for _ in 0..5 {
        let failed = sign_in(&a, "ada@example.com", "wrong password").await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    }
    // The sixth, through the other instance, even with the right password.
    let on_b = sign_in(&b, "ADA@example.com ", PASSWORD).await;
    assert_throttled(&on_b);
    let on_a = sign_in(&a, "ada@example.com", PASSWORD).await;
    assert_throttled(&on_a);
    assert_eq!(on_a.message(), on_b.message());
    // The same wait, but for the second that may have passed between them.
    let wait = |response: &Response| -> i64 {
        response.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!((wait(&on_b) - wait(&on_a)).abs() <= 1);
    assert!((890..=900).contains(&wait(&on_b)), "{}", wait(&on_b));
    // Another address is not affected, on either.
    assert_eq!(
        sign_in(&a, "bob@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sign_in(&b, "bob@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_sign_in_on_one_instance_clears_the_address_on_every_instance() {
    let a = TestApp::new().await;
    let b = a.beside().await;
    a.account("ada@example.com").await;
    for _ in 0..4 {
        assert_eq!(
            sign_in(&a, "ada@example.com", "wrong password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in(&b, "ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(a.sign_in_addresses_tracked().await, 0);
    // Five new tries, then refused.
    for n in 0..5 {
        let app = if n % 2 == 0 { &a } else { &b };
        assert_eq!(
            sign_in(app, "ada@example.com", "wrong password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_throttled(&sign_in(&a, "ada@example.com", PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_on_two_instances_get_no_more_tries_than_sequential_ones() {
    let a = Arc::new(TestApp::new().await);
    let b = Arc::new(a.beside().await);
    a.account("ada@example.com").await;
    let (checked, refused) = parallel_guesses(&[a.clone(), b.clone()], "ada@example.com", 20).await;
    assert_eq!((checked, refused), (5, 15));
    assert_throttled(&sign_in(&b, "ada@example.com", PASSWORD).await);
    // One row per attempt that counts, no more.
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_attempts")
        .fetch_one(&a.state.db)
        .await
        .unwrap();
    assert_eq!(rows, 5);
}

#[tokio::test]
async fn attempts_that_are_over_are_pruned_a_bounded_batch_at_a_time() {
    let app = TestApp::new().await;
    let old = "2020-01-01T00:00:00.000000Z";
    let mut tx = app.state.db.begin().await.unwrap();
    for n in 0..150 {
        sqlx::query(
            "INSERT INTO sign_in_attempts (email_normalized, slot, attempted_at)
             VALUES ($1, 0, $2)",
        )
        .bind(format!("old{n}@example.com"))
        .bind(old)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(app.sign_in_addresses_tracked().await, 150);
    let failed = sign_in(&app, "new@example.com", "whatever").await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    // A hundred old attempts went, and the new one is recorded.
    assert_eq!(app.sign_in_addresses_tracked().await, 51);
    sign_in(&app, "new@example.com", "whatever").await;
    assert_eq!(app.sign_in_addresses_tracked().await, 1);
}

struct Org {
    owner: Account,
    id: String,
}

async fn org(app: &TestApp) -> Org {
    let owner = app.account("owner@example.com").await;
    let id = app.organization(&owner, "Acme").await;
    Org { owner, id }
}

async fn invite(app: &TestApp, org: &Org, email: &str) -> String {
    let response = app
        .post(
            &format!("/api/organizations/{}/invitations", org.id),
            &org.owner.token,
            json!({"email": email, "role": "member", "assignedRoleIds": []}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    response.body["id"].as_str().unwrap().to_string()
}

async fn resend(app: &TestApp, org: &Org, invitation_id: &str) -> Response {
    app.post(
        &format!(
            "/api/organizations/{}/invitations/{invitation_id}/resend",
            org.id
        ),
        &org.owner.token,
        json!({}),
    )
    .await
}

fn assert_cooling_down(response: &Response) {
    assert_eq!(
        response.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        response.body
    );
    assert!(
        response
            .message()
            .starts_with("An invitation was sent to bob@example.com less than a minute ago"),
        "{:?}",
        response.body
    );
    assert!(response.headers.contains_key(header::RETRY_AFTER));
}

/// When the cooldown key of `org` and `email` is free again, as stored.
async fn free_at(app: &TestApp, org: &Org, email: &str) -> Option<String> {
    sqlx::query_scalar("SELECT free_at FROM mail_slots WHERE key = $1")
        .bind(format!("{} {email}", org.id))
        .fetch_optional(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mail_on_one_instance_holds_the_cooldown_on_another() {
    let a = TestApp::new().await;
    let b = a.beside().await;
    let org = org(&a).await;
    let id = invite(&a, &org, "bob@example.com").await;
    // The invitation's mail went out through A: B refuses a resend.
    let booked = free_at(&a, &org, "bob@example.com").await;
    assert!(booked.is_some());
    assert_cooling_down(&resend(&b, &org, &id).await);
    // Refused, it took nothing.
    assert_eq!(free_at(&a, &org, "bob@example.com").await, booked);

    // A minute later: a resend through A, then one through B.
    a.forget_mail_cooldowns().await;
    let resent = resend(&a, &org, &id).await;
    assert_eq!(resent.status, StatusCode::OK, "{:?}", resent.body);
    assert_cooling_down(&resend(&b, &org, &id).await);
    assert_cooling_down(&resend(&a, &org, &id).await);
    // Another address of the organization is not affected.
    let carol = invite(&b, &org, "carol@example.com").await;
    b.forget_mail_cooldowns().await;
    assert_eq!(resend(&a, &org, &carol).await.status, StatusCode::OK);
}

/// The invitation mails to `to`, oldest first: sent at, held until.
async fn invitation_mails(app: &TestApp, to: &str) -> Vec<(Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT sent_at, next_attempt_at FROM outbox
          WHERE recipient = $1 AND link LIKE '%/invitations?id=%' ORDER BY id",
    )
    .bind(to)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn inviting_again_on_another_instance_holds_the_mail_for_the_minute() {
    let a = TestApp::new().await;
    let b = a.beside().await;
    let org = org(&a).await;
    let first = invite(&a, &org, "bob@example.com").await;
    let cancelled = b
        .post(
            &format!("/api/organizations/{}/invitations/{first}/cancel", org.id),
            &org.owner.token,
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::NO_CONTENT);
    invite(&b, &org, "bob@example.com").await;
    let mails = invitation_mails(&a, "bob@example.com").await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails[0].0.is_some(), "the first mail was delivered at once");
    assert!(
        mails[1].0.is_none(),
        "the second went out within the minute"
    );
    // Held for the first one's minute: until the key is free again, and
    // the key's next slot is a minute after it.
    let held_until = mails[1].1.clone().expect("held");
    let first_free: chrono::DateTime<chrono::Utc> = held_until.parse().unwrap();
    let next_free: chrono::DateTime<chrono::Utc> = free_at(&a, &org, "bob@example.com")
        .await
        .expect("booked")
        .parse()
        .unwrap();
    assert_eq!(next_free - first_free, chrono::TimeDelta::minutes(1));
}

#[tokio::test]
async fn keys_whose_minute_is_over_are_pruned() {
    let app = TestApp::new().await;
    let org = org(&app).await;
    for n in 0..3 {
        sqlx::query("INSERT INTO mail_slots (key, free_at) VALUES ($1, $2)")
            .bind(format!("{} old{n}@example.com", org.id))
            .bind("2020-01-01T00:00:00.000000Z")
            .execute(&app.state.db)
            .await
            .unwrap();
    }
    invite(&app, &org, "bob@example.com").await;
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM mail_slots")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(keys, vec![format!("{} bob@example.com", org.id)]);
}
