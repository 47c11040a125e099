//! The benchmark's data set, written straight into a fresh SQLite file (or,
//! for `--postgres`, an empty PostgreSQL database) with the server's own
//! migrations before the server starts: a bench owner who belongs to 100
//! organizations, one of them with 10,000 members (mixed roles and
//! assignments, custom ones included), 1,000 pending invitations and a
//! million audit rows.
//!
//! Ids come from a seeded generator, so every run measures the same data,
//! and both backends get the same rows: the same generator writes them,
//! with multi-row INSERTs into SQLite and `COPY … FROM STDIN` into
//! PostgreSQL.

use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use roster_core::{
    AUDITOR_ID, DEVELOPER_ID, PERSONAL_ORGANIZATION_NAME, SANDBOXES_ADMIN_ID, SNAPSHOTS_ADMIN_ID,
    VOLUMES_ADMIN_ID,
};
use roster_server::db::timestamp;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{
    ConnectOptions, Connection, Postgres, QueryBuilder, Sqlite, SqliteConnection, Transaction,
};

use crate::result::Result;

pub const OWNER_EMAIL: &str = "owner@bench.example";
pub const OWNER_PASSWORD: &str = "roster-bench";
pub const BIG_ORGANIZATION: &str = "Northwind Traders";

/// The sizes the issue asks Roster to stay fast at.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Sizes {
    pub members: usize,
    pub invitations: usize,
    pub organizations_per_user: usize,
    pub audit_rows: usize,
}

pub const SIZES: Sizes = Sizes {
    members: 10_000,
    invitations: 1_000,
    organizations_per_user: 100,
    audit_rows: 1_000_000,
};

/// What the measurements need to know about the generated data.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub big_organization_id: String,
    /// Members of the big organization with the member role and no
    /// assignment, in the order they joined (1,000 of them): the write
    /// load changes their access, each connection its own member.
    pub plain_members: Vec<String>,
    pub seconds: f64,
}

/// splitmix64: small, seeded, good enough for ids and choices.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A UUID v4 as the server makes them, from the seeded stream.
    fn id(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

enum Cell {
    Text(String),
    Int(i64),
    Null,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Self {
        text.map_or(Cell::Null, Cell::Text)
    }
}

/// An open transaction on the database being filled.
enum Writer<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl Writer<'_> {
    async fn commit(self) -> Result<()> {
        match self {
            Writer::Sqlite(tx) => tx.commit().await?,
            Writer::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Writes `rows` into `table`, as its backend loads rows fastest.
async fn insert(
    writer: &mut Writer<'_>,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<()> {
    match writer {
        Writer::Sqlite(tx) => insert_sqlite(tx, table, columns, rows).await,
        Writer::Postgres(tx) => copy_postgres(tx, table, columns, rows).await,
    }
}

/// Inserts `rows` into `table` with multi-row INSERTs as large as SQLite's
/// variable limit allows.
async fn insert_sqlite(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<()> {
    const MAX_VARIABLES: usize = 32_766;
    let per_statement = MAX_VARIABLES / columns.len();
    let head = format!("INSERT INTO {table} ({}) ", columns.join(", "));
    let mut batch: Vec<Vec<Cell>> = Vec::with_capacity(per_statement);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        batch.clear();
        batch.extend(rows.by_ref().take(per_statement));
        let mut sql: QueryBuilder<Sqlite> = QueryBuilder::new(&head);
        sql.push_values(batch.drain(..), |mut values, row| {
            for cell in row {
                match cell {
                    Cell::Text(text) => values.push_bind(text),
                    Cell::Int(n) => values.push_bind(n),
                    Cell::Null => values.push_bind(None::<String>),
                };
            }
        });
        sql.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Streams `rows` into `table` with `COPY … FROM STDIN` (text format), in
/// chunks of about a megabyte.
async fn copy_postgres(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<()> {
    const CHUNK: usize = 1 << 20;
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
        .await?;
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    for row in rows {
        if row.len() != columns.len() {
            copy.abort("a row of the wrong width").await?;
            return Err(format!("a row for {table} has {} cells", row.len()).into());
        }
        for (i, cell) in row.into_iter().enumerate() {
            if i > 0 {
                buffer.push(b'\t');
            }
            match cell {
                Cell::Text(text) => copy_text(&mut buffer, &text),
                Cell::Int(n) => buffer.extend_from_slice(n.to_string().as_bytes()),
                Cell::Null => buffer.extend_from_slice(b"\\N"),
            }
        }
        buffer.push(b'\n');
        if buffer.len() >= CHUNK {
            copy.send(std::mem::take(&mut buffer)).await?;
            buffer.reserve(CHUNK + 4096);
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// A value in COPY's text format: backslash, tab, newline and carriage
/// return escaped.
fn copy_text(buffer: &mut Vec<u8>, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'\\' => buffer.extend_from_slice(b"\\\\"),
            b'\t' => buffer.extend_from_slice(b"\\t"),
            b'\n' => buffer.extend_from_slice(b"\\n"),
            b'\r' => buffer.extend_from_slice(b"\\r"),
            other => buffer.push(other),
        }
    }
}

const FIRST: [&str; 40] = [
    "Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kofi",
    "Lucia", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Ursula",
    "Viktor", "Wanda", "Xiang", "Yara", "Zoltan", "Amara", "Bjorn", "Camille", "Dario", "Esther",
    "Felix", "Gloria", "Hassan", "Ingrid", "Jamal", "Keiko", "Liam", "Milton", "Noor",
];
const LAST: [&str; 40] = [
    "Abbott",
    "Bauer",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gallo",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Santos",
    "Tanaka",
    "Umarov",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Achebe",
    "Brennan",
    "Costa",
    "Delgado",
    "Engel",
    "Fontaine",
    "Grant",
    "Horvat",
    "Iqbal",
    "Jovanovic",
    "Keller",
    "Lopez",
    "Mensah",
    "Novak",
];

/// Member `n`'s name and e-mail (`n` from 1).
fn person(n: usize) -> (String, String) {
    let first = FIRST[n % FIRST.len()];
    let last = LAST[(n / FIRST.len()) % LAST.len()];
    let email = format!(
        "{}.{}{n}@bench.example",
        first.to_lowercase(),
        last.to_lowercase()
    );
    (format!("{first} {last}"), email)
}

/// Custom assignments of the big organization: name, description, permissions.
const CUSTOM_ASSIGNMENTS: [(&str, &str, &str); 5] = [
    (
        "Release Managers",
        "Ship snapshots and manage registries",
        r#"["write:snapshots","delete:snapshots","write:registries"]"#,
    ),
    (
        "Storage",
        "Volumes and their snapshots",
        r#"["read:volumes","write:volumes","delete:volumes"]"#,
    ),
    (
        "On-call",
        "Sandboxes and runners during incidents",
        r#"["write:sandboxes","delete:sandboxes","read:runners"]"#,
    ),
    (
        "Compliance",
        "Reads the audit log",
        r#"["read:audit_logs"]"#,
    ),
    (
        "Regions",
        "Manages regions and runners",
        r#"["write:regions","delete:regions","write:runners","delete:runners"]"#,
    ),
];

/// The assignments member `n` of the big organization holds.
fn assignments_of(n: usize, custom: &[String]) -> Vec<String> {
    let global = |id: &str| id.to_string();
    match n % 10 {
        1 | 2 => vec![global(DEVELOPER_ID)],
        3 => vec![global(AUDITOR_ID)],
        4 => vec![global(DEVELOPER_ID), global(AUDITOR_ID)],
        5 => vec![custom[n % custom.len()].clone()],
        6 => vec![global(SANDBOXES_ADMIN_ID), global(VOLUMES_ADMIN_ID)],
        7 => vec![
            custom[(n / 10) % custom.len()].clone(),
            global(DEVELOPER_ID),
        ],
        8 => vec![global(SNAPSHOTS_ADMIN_ID)],
        _ => Vec::new(),
    }
}

/// Every 50th member of the big organization is an owner.
fn is_owner(n: usize) -> bool {
    n.is_multiple_of(50)
}

const ACTIONS: [(&str, &str, &str); 8] = [
    ("update_access", "organization_user", "/access"),
    ("create", "organization_invitation", "/invitations"),
    ("delete", "organization_user", ""),
    ("update", "organization_role", "/roles"),
    ("cancel", "organization_invitation", "/invitations/cancel"),
    ("resend", "organization_invitation", "/invitations/resend"),
    ("create", "organization_role", "/roles"),
    ("update", "organization", ""),
];

/// Writes the data set into a new database at `path`.
pub async fn generate(path: &Path) -> Result<Dataset> {
    let started = Instant::now();
    let url = format!("sqlite://{}", path.display());
    // No journal and no syncing while filling a throw-away file; the server
    // switches it to WAL when it opens it.
    let mut conn = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-1000000")
        .pragma("temp_store", "memory")
        .connect()
        .await?;
    sqlx::migrate!("../crates/server/migrations/sqlite")
        .run(&mut conn)
        .await?;

    let mut writer = Writer::Sqlite(conn.begin().await?);
    let (big_organization_id, plain_members) = fill(&mut writer).await?;
    writer.commit().await?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut conn)
        .await?;
    conn.close().await?;

    Ok(Dataset {
        big_organization_id,
        plain_members,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes the same data set into the empty PostgreSQL database at `url`
/// (the server's PostgreSQL migrations first), then vacuums and analyzes
/// it, as autovacuum would have done to a database in use: the planner gets
/// its statistics, and the visibility map lets the audit log's pages be
/// read off its indexes.
pub async fn generate_postgres(url: &str) -> Result<Dataset> {
    let started = Instant::now();
    let mut conn = PgConnection::connect(url).await?;
    // A bulk load: nothing waits for the WAL to reach the disk.
    sqlx::query("SET synchronous_commit = off")
        .execute(&mut conn)
        .await?;
    sqlx::migrate!("../crates/server/migrations/postgres")
        .run(&mut conn)
        .await?;

    let mut writer = Writer::Postgres(conn.begin().await?);
    let (big_organization_id, plain_members) = fill(&mut writer).await?;
    writer.commit().await?;
    sqlx::query("VACUUM (ANALYZE)").execute(&mut conn).await?;
    conn.close().await?;

    Ok(Dataset {
        big_organization_id,
        plain_members,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes every table's rows; returns the big organization's id and its
/// plain members (see [`Dataset`]).
async fn fill(writer: &mut Writer<'_>) -> Result<(String, Vec<String>)> {
    let mut rng = Seeded(0x5EED_B0A7);
    let now = Utc::now();
    let year_ago = now - Duration::days(365);
    let ts = |at: DateTime<Utc>| timestamp(at);
    let hash = roster_server::auth::password::hash_password(OWNER_PASSWORD)
        .map_err(|e| format!("cannot hash the bench password: {e}"))?;

    // People: the owner and 9,999 generated members; each has a personal
    // organization, as sign-up gives everyone.
    let owner_id = rng.id();
    let member_ids: Vec<String> = (1..SIZES.members).map(|_| rng.id()).collect();
    let mut users: Vec<Vec<Cell>> = vec![vec![
        owner_id.clone().into(),
        OWNER_EMAIL.into(),
        OWNER_EMAIL.into(),
        "Bench Owner".into(),
        Some(hash).into(),
        1.into(),
        ts(year_ago - Duration::days(30)).into(),
    ]];
    for (i, id) in member_ids.iter().enumerate() {
        let (name, email) = person(i + 1);
        users.push(vec![
            id.clone().into(),
            email.clone().into(),
            email.into(),
            name.into(),
            Cell::Null,
            1.into(),
            ts(year_ago).into(),
        ]);
    }
    insert(
        writer,
        "users",
        &[
            "id",
            "email",
            "email_normalized",
            "name",
            "password_hash",
            "email_verified",
            "created_at",
        ],
        users,
    )
    .await?;

    let everyone: Vec<&String> = std::iter::once(&owner_id).chain(&member_ids).collect();
    let mut organizations: Vec<Vec<Cell>> = Vec::new();
    let mut memberships: Vec<Vec<Cell>> = Vec::new();
    let mut organization = |id: &str, name: &str, creator: &str, personal: bool| {
        organizations.push(vec![
            id.into(),
            name.into(),
            creator.into(),
            i64::from(personal).into(),
            Cell::Null,
            ts(year_ago).into(),
            ts(year_ago).into(),
        ]);
    };
    let mut member = |org: &str, user: &str, role: &str, at: DateTime<Utc>| {
        memberships.push(vec![
            org.into(),
            user.into(),
            role.into(),
            ts(at).into(),
            ts(at).into(),
        ]);
    };
    for user in &everyone {
        let id = rng.id();
        organization(&id, PERSONAL_ORGANIZATION_NAME, user, true);
        member(&id, user, "owner", year_ago);
    }

    // The big organization: the owner first, then 9,999 members who joined
    // over the year.
    let big = rng.id();
    organization(&big, BIG_ORGANIZATION, &owner_id, false);
    member(&big, &owner_id, "owner", year_ago);
    let step = Duration::days(365) / SIZES.members as i32;
    for (i, user) in member_ids.iter().enumerate() {
        let n = i + 1;
        let role = if is_owner(n) { "owner" } else { "member" };
        member(&big, user, role, year_ago + step * n as i32);
    }

    // 98 more organizations, each created by another member, with the
    // owner in it (an owner of half of them) and a few colleagues.
    for k in 0..SIZES.organizations_per_user - 2 {
        let id = rng.id();
        let creator = &member_ids[k * 7];
        organization(&id, &format!("Team {:03}", k + 1), creator, false);
        member(&id, creator, "owner", year_ago);
        let role = if k % 2 == 0 { "owner" } else { "member" };
        member(&id, &owner_id, role, year_ago + Duration::days(1));
        for j in 1..=3 {
            member(&id, &member_ids[k * 7 + j], "member", year_ago);
        }
    }
    insert(
        writer,
        "organizations",
        &[
            "id",
            "name",
            "created_by",
            "personal",
            "default_region_id",
            "created_at",
            "updated_at",
        ],
        organizations,
    )
    .await?;
    insert(
        writer,
        "organization_members",
        &[
            "organization_id",
            "user_id",
            "role",
            "created_at",
            "updated_at",
        ],
        memberships,
    )
    .await?;

    let custom_ids: Vec<String> = CUSTOM_ASSIGNMENTS.iter().map(|_| rng.id()).collect();
    insert(
        writer,
        "custom_assignments",
        &[
            "id",
            "organization_id",
            "name",
            "description",
            "permissions",
            "created_at",
            "updated_at",
        ],
        CUSTOM_ASSIGNMENTS
            .iter()
            .zip(&custom_ids)
            .map(|((name, description, permissions), id)| {
                vec![
                    id.clone().into(),
                    big.clone().into(),
                    (*name).into(),
                    (*description).into(),
                    (*permissions).into(),
                    ts(year_ago).into(),
                    ts(year_ago).into(),
                ]
            })
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut assignments: Vec<Vec<Cell>> = Vec::new();
    for (i, user) in member_ids.iter().enumerate() {
        let n = i + 1;
        if is_owner(n) {
            continue;
        }
        for assignment_id in assignments_of(n, &custom_ids) {
            assignments.push(vec![
                big.clone().into(),
                user.clone().into(),
                assignment_id.into(),
            ]);
        }
    }
    insert(
        writer,
        "member_assignments",
        &["organization_id", "user_id", "assignment_id"],
        assignments,
    )
    .await?;

    // Pending invitations, sent over the last six days.
    let invitations = (0..SIZES.invitations).map(|n| {
        let email = format!("invitee{n:04}@elsewhere.example");
        let sent = now - Duration::minutes(6 * 24 * 60) + Duration::minutes(n as i64 * 8);
        let role = if n % 20 == 0 { "owner" } else { "member" };
        let assigned = if role == "owner" {
            "[]".to_string()
        } else {
            serde_json::to_string(&assignments_of(n, &custom_ids)).unwrap_or_else(|_| "[]".into())
        };
        vec![
            rng.id().into(),
            big.clone().into(),
            email.clone().into(),
            email.into(),
            role.into(),
            assigned.into(),
            OWNER_EMAIL.into(),
            "pending".into(),
            ts(sent + Duration::days(roster_core::INVITATION_VALIDITY_DAYS)).into(),
            ts(sent).into(),
            ts(sent).into(),
        ]
    });
    let invitations: Vec<Vec<Cell>> = invitations.collect();
    insert(
        writer,
        "invitations",
        &[
            "id",
            "organization_id",
            "email",
            "email_normalized",
            "role",
            "assignment_ids",
            "invited_by",
            "status",
            "expires_at",
            "created_at",
            "updated_at",
        ],
        invitations,
    )
    .await?;

    // A year of the big organization's audit log, oldest first.
    let actors: Vec<(String, String)> = std::iter::once((owner_id.clone(), OWNER_EMAIL.into()))
        .chain(
            member_ids
                .iter()
                .enumerate()
                .filter(|(i, _)| is_owner(i + 1))
                .map(|(i, id)| (id.clone(), person(i + 1).1)),
        )
        .collect();
    let interval =
        Duration::days(365).num_microseconds().unwrap_or(i64::MAX) / SIZES.audit_rows as i64;
    let audit = (1..=SIZES.audit_rows).map(|seq| {
        let (actor_id, actor_email) = &actors[rng.below(actors.len())];
        let (action, target_type, suffix) = ACTIONS[rng.below(ACTIONS.len())];
        let target = &member_ids[rng.below(member_ids.len())];
        let status: i64 = match rng.below(20) {
            0 => 403,
            1 => 400,
            _ => 200,
        };
        let path = format!("/api/organizations/{big}/users/{target}{suffix}");
        let metadata = format!(r#"{{"method":"POST","path":"{path}","role":"member"}}"#);
        let at = year_ago + Duration::microseconds(interval * seq as i64);
        vec![
            rng.id().into(),
            (seq as i64).into(),
            big.clone().into(),
            actor_id.clone().into(),
            actor_email.clone().into(),
            action.into(),
            target_type.into(),
            target.clone().into(),
            status.into(),
            (status != 200).then(|| "Access denied".to_string()).into(),
            metadata.into(),
            "127.0.0.1".into(),
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36".into(),
            "api".into(),
            ts(at).into(),
        ]
    });
    insert(
        writer,
        "audit_logs",
        &[
            "id",
            "seq",
            "organization_id",
            "actor_id",
            "actor_email",
            "action",
            "target_type",
            "target_id",
            "status_code",
            "error_message",
            "metadata",
            "ip_address",
            "user_agent",
            "source",
            "created_at",
        ],
        audit,
    )
    .await?;
    let plain_members = member_ids
        .iter()
        .enumerate()
        // No owner and no assignment (see `assignments_of` and `is_owner`).
        .filter(|(i, _)| (i + 1) % 10 == 9)
        .map(|(_, id)| id.clone())
        .collect();
    Ok((big, plain_members))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_as_special() {
        let mut buffer = Vec::new();
        copy_text(&mut buffer, "a\\b\tc\nd\re \\N");
        assert_eq!(buffer, b"a\\\\b\\tc\\nd\\re \\\\N");
    }

    #[test]
    fn plain_members_hold_nothing_and_are_not_owners() {
        let custom: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        let plain = (1..SIZES.members).filter(|n| n % 10 == 9);
        assert_eq!(plain.clone().count(), 1_000);
        for n in plain {
            assert!(!is_owner(n) && assignments_of(n, &custom).is_empty());
        }
    }
}
