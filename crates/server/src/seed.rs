//! Demo data for `--dev` on an empty database: four people to sign in as,
//! three collaborative organizations, a pending invitation, and "Initech"
//! with 2,000 generated members for trying search and pagination.

use chrono::{Duration, Utc};
use roster_core::wire::DemoAccount;
use roster_core::{AUDITOR_ID, DEVELOPER_ID};
use sqlx::SqlitePool;

use crate::auth;
use crate::db::{begin_write, new_id, timestamp};
use crate::store::organizations;
use crate::store::users::{self, CreateOutcome, UserRow};
use crate::BoxError;

pub const DEMO_PASSWORD: &str = "roster-demo";

/// Generated Initech members: enough to make search and pagination real.
pub const GENERATED_MEMBERS: usize = 2_000;

struct Demo {
    email: &'static str,
    name: &'static str,
    description: &'static str,
}

const DEMO: [Demo; 4] = [
    Demo {
        email: "alice@example.com",
        name: "Alice Anderson",
        description: "Owner of Acme Corp, Globex and Initech",
    },
    Demo {
        email: "bob@example.com",
        name: "Bob Brown",
        description: "Acme Corp member with Developer",
    },
    Demo {
        email: "carol@example.com",
        name: "Carol Clark",
        description: "Acme Corp member with Auditor",
    },
    Demo {
        email: "dave@example.com",
        name: "Dave Davis",
        description: "Only Personal; a pending invitation to Acme Corp",
    },
];

/// The sign-ins listed by `/api/config` and printed at start in dev mode.
pub fn demo_accounts() -> Vec<DemoAccount> {
    DEMO.iter()
        .map(|d| DemoAccount {
            email: d.email.into(),
            name: d.name.into(),
            password: DEMO_PASSWORD.into(),
            description: d.description.into(),
        })
        .collect()
}

/// Seeds the demo data if the database has no users yet. Returns whether it did.
pub async fn seed_if_empty(db: &SqlitePool) -> Result<bool, BoxError> {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?;
    if users > 0 {
        return Ok(false);
    }
    // One hash for the demo accounts: they share the password anyway.
    let hash = tokio::task::spawn_blocking(|| auth::hash_password(DEMO_PASSWORD))
        .await?
        .map_err(|e| e.to_string())?;

    let mut tx = begin_write(db).await?;
    let mut people: Vec<UserRow> = Vec::new();
    for demo in &DEMO {
        match users::create(&mut tx, demo.email, demo.name, Some(&hash), true).await? {
            CreateOutcome::Created(user) => people.push(user),
            CreateOutcome::EmailTaken => return Err(format!("{} exists", demo.email).into()),
        }
    }
    let [alice, bob, carol, _dave] = &people[..] else {
        return Err("demo accounts were not created".into());
    };

    let acme = organizations::create(&mut tx, "Acme Corp", &alice.id, false, None).await?;
    organizations::create(&mut tx, "Globex", &alice.id, false, None).await?;
    let initech = organizations::create(&mut tx, "Initech", &alice.id, false, None).await?;

    add_member(&mut tx, &acme.id, &bob.id, &[DEVELOPER_ID]).await?;
    add_member(&mut tx, &acme.id, &carol.id, &[AUDITOR_ID]).await?;

    let now = Utc::now();
    sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, email_normalized, role,
             assigned_role_ids, invited_by, status, expires_at, created_at, updated_at)
         VALUES (?, ?, 'dave@example.com', 'dave@example.com', 'member', ?, ?, 'pending', ?, ?, ?)",
    )
    .bind(new_id())
    .bind(&acme.id)
    .bind(serde_json::json!([DEVELOPER_ID]).to_string())
    .bind(&alice.email)
    .bind(timestamp(
        now + Duration::days(roster_core::INVITATION_VALIDITY_DAYS),
    ))
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?;

    for n in 1..=GENERATED_MEMBERS {
        let name = generated_name(n);
        let email = format!(
            "{}.{}{n}@initech.example",
            name.0.to_lowercase(),
            name.1.to_lowercase()
        );
        let full_name = format!("{} {}", name.0, name.1);
        // Generated accounts cannot sign in (no password), so seeding stays fast.
        if let CreateOutcome::Created(user) =
            users::create(&mut tx, &email, &full_name, None, true).await?
        {
            let assignments: &[&str] = match n % 5 {
                0 => &[AUDITOR_ID],
                1 | 2 => &[DEVELOPER_ID],
                _ => &[],
            };
            add_member(&mut tx, &initech.id, &user.id, assignments).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

async fn add_member(
    tx: &mut sqlx::SqliteConnection,
    organization_id: &str,
    user_id: &str,
    assignments: &[&str],
) -> Result<(), sqlx::Error> {
    let now = timestamp(Utc::now());
    sqlx::query(
        "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
         VALUES (?, ?, 'member', ?, ?)",
    )
    .bind(organization_id)
    .bind(user_id)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    for role_id in assignments {
        sqlx::query(
            "INSERT INTO member_assignments (organization_id, user_id, role_id) VALUES (?, ?, ?)",
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(role_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// A deterministic, varied name for generated member `n`.
fn generated_name(n: usize) -> (&'static str, &'static str) {
    const FIRST: [&str; 20] = [
        "Peter", "Michael", "Samir", "Joanna", "Bill", "Tom", "Milton", "Nina", "Dom", "Anne",
        "Lena", "Omar", "Priya", "Chen", "Sofia", "Mateo", "Aiko", "Kwame", "Ingrid", "Ravi",
    ];
    const LAST: [&str; 20] = [
        "Gibbons",
        "Bolton",
        "Nagheenanajar",
        "Smith",
        "Lumbergh",
        "Waddams",
        "Portwood",
        "Tanaka",
        "Okafor",
        "Larsen",
        "Garcia",
        "Novak",
        "Haddad",
        "Kim",
        "Rossi",
        "Silva",
        "Dubois",
        "Mensah",
        "Patel",
        "Berg",
    ];
    (FIRST[n % FIRST.len()], LAST[(n / FIRST.len()) % LAST.len()])
}

#[cfg(test)]
mod tests {
    use super::generated_name;

    #[test]
    fn generated_names_vary() {
        let names: std::collections::HashSet<_> = (1..=400).map(generated_name).collect();
        assert_eq!(names.len(), 400);
    }
}
