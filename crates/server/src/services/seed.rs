//! Demo data for `--dev` on an empty database: four people to sign in as,
//! three collaborative organizations, a pending invitation, "Initech" with
//! 2,000 generated members for trying search and pagination, and an audit
//! history for each of the two (Acme Corp's story, Initech's three months
//! of changes), for trying the Audit Logs page's filters and export.

use crate::db::{begin_write, new_id, Db};
use chrono::{Duration, Utc};
use roster_core::protocol;
use roster_core::wire::DemoAccount;
use roster_core::{AUDITOR_ID, DEVELOPER_ID};

use crate::auth::password::hash_password;
use crate::error::BoxError;
use crate::store::demo::{self, add_member, AuditRow};
use crate::store::organizations;
use crate::store::users::{self, CreateOutcome, UserRow};

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
pub async fn seed_if_empty(db: &Db) -> Result<bool, BoxError> {
    let users = users::count(db).await?;
    if users > 0 {
        return Ok(false);
    }
    // One hash for the demo accounts: they share the password anyway.
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await?
        .map_err(|e| e.to_string())?;

    let mut tx = begin_write(db).await?;
    // Instances starting together on an empty database: the first to get
    // the write lock seeds, the others find its users.
    if users::count(&mut *tx).await? > 0 {
        return Ok(false);
    }
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

    let now = Utc::now();
    let bob_seen = Some(now - Duration::minutes(95));
    let carol_seen = Some(now - Duration::days(3));
    add_member(&mut tx, &acme.id, &bob.id, &[DEVELOPER_ID], bob_seen).await?;
    add_member(&mut tx, &acme.id, &carol.id, &[AUDITOR_ID], carol_seen).await?;

    let dave_invitation = new_id();
    demo::insert_invitation_to_dave(
        &mut tx,
        &dave_invitation,
        &acme.id,
        &serde_json::json!([DEVELOPER_ID]).to_string(),
        &alice.email,
        now + Duration::days(roster_core::INVITATION_VALIDITY_DAYS),
        now,
    )
    .await?;

    let mut history = History::default();
    acme_story(
        &mut history,
        &acme.id,
        &dave_invitation,
        [alice, bob, carol],
    );

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
            add_member(
                &mut tx,
                &initech.id,
                &user.id,
                assignments,
                generated_last_active(n).map(|ago| now - ago),
            )
            .await?;
            initech_changes(&mut history, &initech.id, alice, &user.id, n);
        }
    }
    history.write(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}

/// Demo audit rows, written oldest first so that `seq` follows time.
#[derive(Default)]
struct History {
    rows: Vec<AuditRow>,
}

impl History {
    async fn write(mut self, tx: &mut crate::db::Conn) -> Result<(), sqlx::Error> {
        self.rows
            .sort_by_key(|row| std::cmp::Reverse(row.minutes_ago));
        demo::write_audit_history(tx, &self.rows, Utc::now()).await
    }
}

/// How Acme Corp came to be as seeded, with a refused and a conflicting
/// request among the changes.
fn acme_story(
    history: &mut History,
    acme: &str,
    dave_invitation: &str,
    [alice, bob, carol]: [&UserRow; 3],
) {
    let person = |user: &UserRow| (user.id.clone(), user.email.clone());
    let day = 24 * 60;
    let org_path = format!("/api/organizations/{acme}");
    let mut row = |actor: &UserRow,
                   action: &'static str,
                   target: (&'static str, String),
                   (status, error): (u16, Option<&'static str>),
                   (method, path): (&'static str, String),
                   minutes_ago: i64| {
        history.rows.push(AuditRow {
            organization_id: acme.to_owned(),
            actor: person(actor),
            action,
            target,
            status,
            error,
            method,
            path,
            minutes_ago,
        });
    };
    let ok = (200, None);
    let created = (201, None);
    let invitation = |n: u32| ("organization_invitation", format!("demo-invitation-{n}"));
    let org = ("organization", acme.to_owned());
    let invitations = format!("{org_path}/invitations");
    row(
        alice,
        "create",
        org.clone(),
        created,
        ("POST", "/api/organizations".into()),
        30 * day,
    );
    row(
        alice,
        "create",
        invitation(1),
        created,
        ("POST", invitations.clone()),
        30 * day - 5,
    );
    row(
        alice,
        "create",
        invitation(2),
        created,
        ("POST", invitations.clone()),
        30 * day - 4,
    );
    let accept = |n: u32| format!("/api/organizations/invitations/demo-invitation-{n}/accept");
    row(
        bob,
        "accept",
        invitation(1),
        ok,
        ("POST", accept(1)),
        29 * day,
    );
    row(
        carol,
        "accept",
        invitation(2),
        ok,
        ("POST", accept(2)),
        28 * day,
    );
    row(
        alice,
        "update_access",
        ("organization_user", carol.id.clone()),
        ok,
        ("POST", format!("{org_path}/users/{}/access", carol.id)),
        28 * day - 30,
    );
    row(
        bob,
        "create",
        invitation(3),
        (403, Some(protocol::ACCESS_DENIED)),
        ("POST", invitations.clone()),
        12 * day,
    );
    row(
        alice,
        "create",
        invitation(4),
        (
            409,
            Some("bob@example.com is already a member of this organization"),
        ),
        ("POST", invitations.clone()),
        12 * day - 20,
    );
    row(
        alice,
        "update",
        org,
        ok,
        ("PATCH", org_path.clone()),
        7 * day,
    );
    let to_dave = ("organization_invitation", dave_invitation.to_owned());
    row(alice, "create", to_dave, created, ("POST", invitations), 60);
}

/// Initech's last three months: an access change per generated member, a
/// few of them refused or failed.
fn initech_changes(history: &mut History, initech: &str, alice: &UserRow, user_id: &str, n: usize) {
    let minutes_ago = (90 * 24 * 60 * (GENERATED_MEMBERS - n) / GENERATED_MEMBERS) as i64 + 1;
    let (status, error) = match n % 100 {
        // An assignment deleted in another tab meanwhile.
        0 | 7 | 50 | 57 => (400, Some("One of the assignments no longer exists")),
        13 => (500, Some("Internal server error")),
        _ => (200, None),
    };
    history.rows.push(AuditRow {
        organization_id: initech.to_owned(),
        actor: (alice.id.clone(), alice.email.clone()),
        action: "update_access",
        target: ("organization_user", user_id.to_owned()),
        status,
        error,
        method: "POST",
        path: format!("/api/organizations/{initech}/users/{user_id}/access"),
        minutes_ago,
    });
}

/// A deterministic, varied name for generated member `n`.
/// How long ago generated member `n` last used the API: one in eight
/// never did; the others from minutes to about four months ago, most of
/// them recently, so the members table's "Last active" column has
/// something to sort.
fn generated_last_active(n: usize) -> Option<Duration> {
    if n % 8 == 3 {
        return None;
    }
    // A spread that is not in step with the assignments' `n % 5`.
    let step = (n * 7919) % 1000;
    let minutes = match step {
        0..=399 => step * 3,                      // the last 20 hours
        400..=799 => 60 * 24 * (step - 399) / 20, // up to 20 days
        _ => 60 * 24 * (20 + (step - 800) / 2),   // up to about 4 months
    };
    Some(Duration::minutes(minutes as i64))
}

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
    use super::{generated_last_active, generated_name};
    use chrono::Duration;

    #[test]
    fn generated_last_active_varies_and_some_never() {
        let seen: Vec<Option<Duration>> = (1..=2000).map(generated_last_active).collect();
        let never = seen.iter().filter(|ago| ago.is_none()).count();
        assert_eq!(never, 250);
        let days = |d: i64| Some(Duration::days(d));
        assert!(seen.iter().any(|ago| *ago < days(1) && ago.is_some()));
        assert!(seen.iter().any(|ago| *ago > days(3) && *ago < days(20)));
        assert!(seen.iter().any(|ago| *ago > days(60)));
        assert!(seen.iter().flatten().all(|ago| *ago <= Duration::days(120)));
    }

    #[test]
    fn generated_names_vary() {
        let names: std::collections::HashSet<_> = (1..=400).map(generated_name).collect();
        assert_eq!(names.len(), 400);
    }
}
