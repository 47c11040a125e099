//! The racing requests of the last-owner tests, in one process
//! (`concurrency`) and across two server processes (`instances`): demote,
//! remove and leave (with or without a successor), and the organization
//! they race in.

use axum::http::Method;
use roster_core::DEVELOPER_ID;
use serde_json::{json, Value};

use crate::common::Account;
use roster_server::db::Db;

/// What an accepted call did to `who`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `who` is no longer an owner.
    Demoted,
    /// `who` is no longer a member.
    Gone,
}

/// One request of a round.
pub struct Call {
    pub label: String,
    pub method: Method,
    pub path: String,
    pub token: String,
    pub body: Option<Value>,
    /// It acts on another member's row, which a concurrent leave or
    /// removal may have deleted (then 404, or 400 for a successor).
    pub targets_other: bool,
    pub who: String,
    pub effect: Effect,
}

pub fn demote(org: &str, by: &Account, who: &Account) -> Call {
    Call {
        label: format!("{} demotes {}", by.email, who.email),
        method: Method::POST,
        path: format!("/api/organizations/{org}/users/{}/access", who.id),
        token: by.token.clone(),
        body: Some(json!({"role": "member", "assignedRoleIds": []})),
        targets_other: true,
        who: who.id.clone(),
        effect: Effect::Demoted,
    }
}

pub fn remove(org: &str, by: &Account, who: &Account) -> Call {
    Call {
        label: format!("{} removes {}", by.email, who.email),
        method: Method::DELETE,
        path: format!("/api/organizations/{org}/users/{}", who.id),
        token: by.token.clone(),
        body: None,
        targets_other: true,
        who: who.id.clone(),
        effect: Effect::Gone,
    }
}

pub fn leave(org: &str, who: &Account, successor: Option<&Account>) -> Call {
    Call {
        label: match successor {
            Some(s) => format!("{} leaves for {}", who.email, s.email),
            None => format!("{} leaves", who.email),
        },
        method: Method::POST,
        path: format!("/api/organizations/{org}/leave"),
        token: who.token.clone(),
        body: successor.map(|s| json!({"successorId": s.id})),
        // The successor may have been removed or have left meanwhile.
        targets_other: successor.is_some(),
        who: who.id.clone(),
        effect: Effect::Gone,
    }
}

/// A fresh organization whose members are `owners` and `members` (with
/// Developer), written directly (the API would hit the per-user creation
/// limit).
pub async fn organization(db: &Db, owners: &[&Account], members: &[&Account]) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let now = "2026-01-01T00:00:00.000000Z";
    let mut tx = db.begin().await.expect("transaction");
    sqlx::query(
        "INSERT INTO organizations (id, name, created_by, personal, created_at, updated_at)
         VALUES ($1, 'Race', $2, 0, $3, $4)",
    )
    .bind(&id)
    .bind(&owners[0].id)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("organization");
    let people = owners
        .iter()
        .map(|a| (a, "owner"))
        .chain(members.iter().map(|a| (a, "member")));
    for (person, role) in people {
        sqlx::query(
            "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(&person.id)
        .bind(role)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("membership");
        if role == "member" {
            sqlx::query(
                "INSERT INTO member_assignments (organization_id, user_id, assignment_id)
                 VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(&person.id)
            .bind(DEVELOPER_ID)
            .execute(&mut *tx)
            .await
            .expect("assignment");
        }
    }
    tx.commit().await.expect("commit");
    id
}
