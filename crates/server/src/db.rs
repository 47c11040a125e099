//! The database: SQLite (a file, the embedded default) or PostgreSQL (the
//! scale-out backend for several server instances), behind one sqlx `Any`
//! pool. Migrations run at start; write transactions serialize as the
//! invariants need on either backend.
//!
//! The store's SQL is written once for both: `$1`-style parameters, text
//! and 64-bit integers only (timestamps are text, flags are 0/1), and the
//! few statements the two dialects spell differently ask [`Backend`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::Any;

use crate::error::BoxError;

/// The pool every layer above passes around.
pub type Db = sqlx::AnyPool;
/// A transaction on it.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// One connection of it (a transaction dereferences to one).
pub type Conn = sqlx::AnyConnection;

/// Anything a query runs on: the pool, a connection or a transaction.
pub trait Executor<'c>: sqlx::Executor<'c, Database = sqlx::Any> {}
impl<'c, T: sqlx::Executor<'c, Database = sqlx::Any>> Executor<'c> for T {}

/// The database URL schemes Roster understands, as said in errors.
pub const SUPPORTED_SCHEMES: &str =
    "sqlite: (a file, e.g. sqlite://data/roster.db) and postgres:// (PostgreSQL 15 or newer, \
     e.g. postgres://roster@127.0.0.1:5432/roster)";

/// Which database a pool is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names, or why it is refused: nothing is ever
    /// created at a path made from a URL Roster does not understand.
    pub fn of_url(url: &str) -> Result<Backend, String> {
        let scheme = url.split_once(':').map(|(scheme, _)| scheme);
        match scheme.map(str::to_ascii_lowercase).as_deref() {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            Some(other) if !other.is_empty() && !other.contains(['/', '\\', '.']) => Err(format!(
                "unsupported database URL scheme \"{other}:\" in {url}; Roster supports \
                 {SUPPORTED_SCHEMES}"
            )),
            _ => Err(format!(
                "{url} is not a database URL; Roster supports {SUPPORTED_SCHEMES}"
            )),
        }
    }

    /// The backend of a connection (or of a transaction's).
    pub fn of_conn(conn: &Conn) -> Backend {
        match conn.backend_name() {
            "PostgreSQL" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The backend of an open pool.
    pub fn of(db: &Db) -> Backend {
        match db.connect_options().database_url.scheme() {
            "postgres" | "postgresql" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Opens the database at `url`, creating a SQLite file (and its folder) if
/// missing, and runs the migrations of its backend.
pub async fn connect(url: &str) -> Result<Db, BoxError> {
    sqlx::any::install_default_drivers();
    match Backend::of_url(url)? {
        Backend::Sqlite => connect_sqlite(url).await,
        Backend::Postgres => connect_postgres(url).await,
    }
}

async fn connect_sqlite(url: &str) -> Result<Db, BoxError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("invalid database URL {url}: {e}"))?;
    let file: PathBuf = options.get_filename().to_path_buf();
    if let Some(dir) = file.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    // The `Any` driver takes its options from the URL alone; the settings
    // that a URL cannot carry are set on each new connection.
    let any_url = url::Url::from_file_path(std::path::absolute(&file)?)
        .map_err(|()| format!("invalid database path {}", file.display()))?;
    let any_url = format!("sqlite://{}?mode=rwc", any_url.path());
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(
                    conn,
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&any_url)
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

async fn connect_postgres(url: &str) -> Result<Db, BoxError> {
    // One connection first: a wrong address or password fails at once
    // (the pool would retry until its timeout).
    let first = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", redact(url)))?;
    let _ = sqlx::Connection::close(first).await;
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", redact(url)))?;
    let version: i64 = sqlx::query_scalar("SELECT current_setting('server_version_num')::bigint")
        .fetch_one(&pool)
        .await?;
    if version < 150_000 {
        return Err(format!(
            "{} runs PostgreSQL {}.{}; Roster needs PostgreSQL 15 or newer",
            redact(url),
            version / 10_000,
            version % 10_000
        )
        .into());
    }
    // Instances starting together take turns at the migrations.
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// A URL as it may be logged: without its password.
pub fn redact(url: &str) -> Cow<'_, str> {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            Cow::Owned(parsed.to_string())
        }
        _ => Cow::Borrowed(url),
    }
}

/// A new random id (UUID v4), as every table's primary key.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Timestamps are stored as fixed-width RFC 3339 text, so text order is time
/// order and range queries can use indexes.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Reads a stored timestamp (see [`timestamp`]).
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(format!("bad timestamp {text:?}: {e}").into()))
}

/// A statement built piece by piece (the audit log's filters), with
/// `$n` parameters, which both backends read (sqlx's `QueryBuilder` writes
/// `?` for the `Any` driver, which PostgreSQL does not).
pub struct Sql {
    text: String,
    args: AnyArguments<'static>,
    binds: usize,
    backend: Backend,
}

impl Sql {
    pub fn new(backend: Backend, text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            args: AnyArguments::default(),
            binds: 0,
            backend,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn push(&mut self, text: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.text, "{text}");
        self
    }

    /// Appends a parameter holding `value`.
    pub fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'static + Send + sqlx::Encode<'static, Any> + sqlx::Type<Any>,
    {
        use sqlx::Arguments;
        // Encoding into `Any`'s own value list cannot fail for the types
        // `Any` has; a failure would show as a missing parameter.
        if self.args.add(value).is_ok() {
            self.binds += 1;
        }
        let n = self.binds;
        self.push(format_args!("${n}"))
    }

    /// `values` as `$a, $b, …`.
    pub fn push_binds<T>(&mut self, values: &[T]) -> &mut Self
    where
        T: 'static + Clone + Send + sqlx::Encode<'static, Any> + sqlx::Type<Any>,
    {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value.clone());
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.text
    }

    pub fn build(&mut self) -> Query<'_, Any, AnyArguments<'_>> {
        sqlx::query_with(&self.text, std::mem::take(&mut self.args))
    }

    pub fn build_query_as<O>(&mut self) -> QueryAs<'_, Any, O, AnyArguments<'_>>
    where
        O: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        sqlx::query_as_with(&self.text, std::mem::take(&mut self.args))
    }

    pub fn build_query_scalar<O>(&mut self) -> QueryScalar<'_, Any, O, AnyArguments<'_>>
    where
        (O,): for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        sqlx::query_scalar_with(&self.text, std::mem::take(&mut self.args))
    }
}

/// A stored timestamp as it is read (the `Any` driver knows no date
/// types): `#[sqlx(try_from = "Stamp")]` on a `DateTime<Utc>` field, or
/// `Stamp` in a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub DateTime<Utc>);

impl From<Stamp> for DateTime<Utc> {
    fn from(stamp: Stamp) -> Self {
        stamp.0
    }
}

impl sqlx::Type<Any> for Stamp {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<Any>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, Any> for Stamp {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as sqlx::Decode<Any>>::decode(value)?;
        Ok(Stamp(parse_timestamp(text)?))
    }
}

/// A stored flag (0 or 1), or a truth value a query computes, as it is
/// read: `#[sqlx(try_from = "Flag")]` on a `bool` field, or
/// `query_scalar::<_, Flag>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> Self {
        flag.0
    }
}

impl sqlx::Type<Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        use sqlx::any::AnyTypeInfoKind::{BigInt, Bool, Integer, SmallInt};
        matches!(ty.kind(), Bool | SmallInt | Integer | BigInt)
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        // A 0/1 column, or a truth value PostgreSQL computed (`EXISTS`).
        if let Ok(truth) = <bool as sqlx::Decode<Any>>::decode(value.clone()) {
            return Ok(Flag(truth));
        }
        Ok(Flag(<i64 as sqlx::Decode<Any>>::decode(value)? != 0))
    }
}

/// Advisory lock keys of PostgreSQL (any 64-bit numbers Roster owns).
mod lock {
    /// Held by every write transaction: they run one at a time, as on
    /// SQLite, across all instances.
    pub const WRITES: i64 = 0x526f_7374_6572_0001;
    /// Held while an audit row takes the next `seq`.
    pub const AUDIT: i64 = 0x526f_7374_6572_0002;
}

/// Opens a write transaction that no other writer interleaves with, so
/// reads inside it cannot be invalidated by a concurrent writer (and no
/// read-to-write upgrade can deadlock): SQLite's write lock at once
/// (`BEGIN IMMEDIATE`), or on PostgreSQL a transaction-scoped advisory lock
/// that every instance's writers take. The database's own guards (the
/// last-owner triggers lock the organization's row, unique indexes) hold
/// even for writers that skip it.
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    begin_locked(db, lock::WRITES).await
}

/// Opens a read-only transaction that sees one snapshot of the database
/// from its first read to its end, so a list and its version (or the audit
/// log's total and page) agree: SQLite's deferred transaction in WAL mode
/// does, PostgreSQL's `REPEATABLE READ` does (its default, `READ
/// COMMITTED`, would let each statement see newer commits).
pub async fn begin_read(db: &Db) -> Result<Tx, sqlx::Error> {
    match Backend::of(db) {
        Backend::Sqlite => db.begin().await,
        Backend::Postgres => {
            db.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await
        }
    }
}

/// A transaction in which audit rows are appended in `seq` order: `seq`
/// is taken and committed under one lock, so a reader never sees a higher
/// `seq` before a lower one commits.
pub async fn begin_audit(db: &Db) -> Result<Tx, sqlx::Error> {
    begin_locked(db, lock::AUDIT).await
}

/// Marks a point inside the open transaction on `conn` that
/// [`rollback_to_savepoint`] returns to: one member's change of a bulk
/// request, undone alone when it fails. Savepoints of this name do not
/// nest.
pub async fn savepoint(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query("SAVEPOINT roster_step").execute(conn).await?;
    Ok(())
}

/// Undoes what ran since [`savepoint`] (the transaction goes on: PostgreSQL
/// would otherwise refuse every later statement of it), and ends it.
pub async fn rollback_to_savepoint(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query("ROLLBACK TO SAVEPOINT roster_step")
        .execute(&mut *conn)
        .await?;
    release_savepoint(conn).await
}

/// Keeps what ran since [`savepoint`] and ends it.
pub async fn release_savepoint(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query("RELEASE SAVEPOINT roster_step")
        .execute(conn)
        .await?;
    Ok(())
}

async fn begin_locked(db: &Db, key: i64) -> Result<Tx, sqlx::Error> {
    match Backend::of(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        // The lock is taken inside the open transaction, not in its BEGIN:
        // a request dropped while it waits for the lock then rolls the
        // transaction back (sqlx counts a transaction as open only once its
        // BEGIN has answered), instead of leaving a pooled connection that
        // holds the lock in a transaction nobody knows about.
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_backend_or_are_refused_with_the_supported_schemes() {
        assert_eq!(
            Backend::of_url("sqlite://data/roster.db"),
            Ok(Backend::Sqlite)
        );
        assert_eq!(Backend::of_url("sqlite:roster.db"), Ok(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://roster@127.0.0.1:5432/roster"),
            Ok(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("postgresql://h/db"), Ok(Backend::Postgres));
        let mysql = Backend::of_url("mysql://root@localhost/roster").unwrap_err();
        assert!(
            mysql.contains("unsupported database URL scheme \"mysql:\""),
            "{mysql}"
        );
        assert!(
            mysql.contains("postgres://") && mysql.contains("sqlite:"),
            "{mysql}"
        );
        let path = Backend::of_url("./data/roster.db").unwrap_err();
        assert!(path.contains("is not a database URL"), "{path}");
    }

    #[test]
    fn a_password_is_not_repeated_in_messages() {
        assert_eq!(
            redact("postgres://roster:secret@db:5432/roster"),
            "postgres://roster:***@db:5432/roster"
        );
        assert_eq!(redact("postgres://db/roster"), "postgres://db/roster");
    }
}
