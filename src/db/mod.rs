//! Opening the database: PRAGMAs per connection, embedded migrations, and the write
//! transaction that every change to clinical data goes through.
//!
//! The open path is `Store::open(OpenOptions)`. Keying (SQLCipher) and the logged-in actor
//! slot into `OpenOptions` and `Store::configure` without changing callers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};

use crate::error::{Error, ErrorCode, Result};

pub mod audit;
pub mod key;
pub mod postgres;
pub mod sql;
pub mod tables;
pub mod transfer;

use audit::AuditEntry;
pub use key::DbKey;

/// The name of the database file inside the data folder.
pub const DATABASE_FILE: &str = "stillpoint.db";

/// Work a layer above storage must do when a migration runs (filling a new index from the
/// records already there). Storage does not know the domain: the hooks are passed in.
pub type MigrationHook = fn(&rusqlite::Transaction<'_>) -> Result<()>;

/// The hooks for migrations 0007, 0009 and 0010, and what each new connection needs set up.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// 0007: fill the running totals from the records already there.
    pub totals: MigrationHook,
    /// 0009: index the names of the clients already there.
    pub name_prefixes: MigrationHook,
    /// 0010: record the words of the notes already indexed.
    pub search_terms: MigrationHook,
    /// Run on every connection after it is migrated (temporary tables it needs).
    pub on_open: fn(&Connection) -> Result<()>,
}

fn hook_error(e: Error) -> rusqlite_migration::HookError {
    rusqlite_migration::HookError::Hook(e.to_string())
}

fn migrations(hooks: &Hooks) -> Migrations<'static> {
    let (totals, name_prefixes, search_terms) =
        (hooks.totals, hooks.name_prefixes, hooks.search_terms);
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_clients_and_audit.sql")),
        M::up(include_str!("migrations/0002_charting.sql")),
        M::up(include_str!("migrations/0003_search.sql")),
        M::up(include_str!("migrations/0004_settings.sql")),
        M::up_with_hook(
            include_str!("migrations/0005_audit_chain.sql"),
            audit::chain_existing_entries,
        ),
        M::up(include_str!("migrations/0006_users.sql")),
        M::up_with_hook(
            include_str!("migrations/0007_outcome_totals.sql"),
            move |tx: &rusqlite::Transaction<'_>| totals(tx).map_err(hook_error),
        ),
        M::up(include_str!("migrations/0008_dashboard_indexes.sql")),
        M::up_with_hook(
            include_str!("migrations/0009_client_name_prefixes.sql"),
            move |tx: &rusqlite::Transaction<'_>| name_prefixes(tx).map_err(hook_error),
        ),
        M::up_with_hook(
            include_str!("migrations/0010_search_terms.sql"),
            move |tx: &rusqlite::Transaction<'_>| search_terms(tx).map_err(hook_error),
        ),
        M::up(include_str!("migrations/0011_clinic_roles.sql")),
        M::up(include_str!("migrations/0012_clinic_logins.sql")),
        M::up(include_str!("migrations/0013_user_credentials.sql")),
        M::up(include_str!("migrations/0014_diary.sql")),
        M::up(include_str!("migrations/0015_home_care.sql")),
        M::up(include_str!("migrations/0016_midas_care_plan.sql")),
        M::up(include_str!("migrations/0017_corrections.sql")),
        M::up(include_str!("migrations/0018_diary_corrections.sql")),
    ])
}

/// The schema version this binary writes (the number of migrations it knows).
pub fn schema_version() -> usize {
    MIGRATION_COUNT
}
const MIGRATION_COUNT: usize = 18;

/// Where "now" comes from: the wall clock in the app, a fixed instant in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Everything needed to open a database.
#[derive(Clone)]
pub struct OpenOptions {
    /// The database file; `None` opens a private in-memory database (tests), unless
    /// `server` is set.
    pub path: Option<PathBuf>,
    /// A clinic server (PostgreSQL) instead of a file: a libpq-style connection string.
    pub server: Option<String>,
    /// The clinic's certificate authority (PEM): when set, the server is reached over TLS
    /// only, its certificate verified against this CA alone and its name against the host
    /// connected to (libpq's verify-full).
    pub tls_ca: Option<PathBuf>,
    /// Who the changes are recorded against in the audit log.
    pub actor: String,
    pub clock: Clock,
    /// The raw SQLCipher key; `None` opens a plaintext database (tests and tools only: the
    /// app always opens with a key). Not used on a clinic server.
    pub key: Option<DbKey>,
}

impl OpenOptions {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: Some(path.into()),
            server: None,
            tls_ca: None,
            actor: "local".to_owned(),
            clock: system_clock(),
            key: None,
        }
    }

    pub fn in_memory() -> Self {
        Self {
            path: None,
            server: None,
            tls_ca: None,
            actor: "local".to_owned(),
            clock: system_clock(),
            key: None,
        }
    }

    /// A clinic server, reached with a libpq-style connection string.
    pub fn server(conninfo: impl Into<String>) -> Self {
        Self {
            path: None,
            server: Some(conninfo.into()),
            tls_ca: None,
            actor: "local".to_owned(),
            clock: system_clock(),
            key: None,
        }
    }

    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = actor.into();
        self
    }

    pub fn key(mut self, key: DbKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Reach the clinic server over TLS, verified against the clinic's CA (PEM file).
    pub fn tls_ca(mut self, ca: impl Into<PathBuf>) -> Self {
        self.tls_ca = Some(ca.into());
        self
    }
}

/// The connection underneath: an SQLite file (or memory), or a clinic server.
enum Link {
    Sqlite(Connection),
    Pg(Box<sql::PgConn>),
}

/// An open Stillpoint database and who is writing to it.
pub struct Database {
    link: Link,
    actor: String,
    clock: Clock,
    path: Option<PathBuf>,
    server: Option<String>,
    tls_ca: Option<PathBuf>,
    key: Option<DbKey>,
    hooks: Hooks,
    /// Inside `bulk`: writes use savepoints in the one open transaction.
    bulk: bool,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .field("server", &self.server.is_some())
            .field("actor", &self.actor)
            .field("encrypted", &self.key.is_some())
            .finish()
    }
}

/// What a write needs besides the transaction: the time and the actor.
pub struct WriteCtx<'a> {
    pub now: DateTime<Utc>,
    pub actor: &'a str,
}

impl WriteCtx<'_> {
    /// `now` as the RFC 3339 text stored in the database.
    pub fn now_text(&self) -> String {
        timestamp(self.now)
    }
}

/// RFC 3339, UTC, millisecond precision: sorts as text.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Database {
    pub fn open(options: OpenOptions, hooks: Hooks) -> Result<Database> {
        let link = match (&options.server, &options.path) {
            (Some(server), _) => {
                let pg = postgres::connect(server, options.tls_ca.as_deref())?;
                postgres::migrate(&pg)?;
                Link::Pg(Box::new(pg))
            }
            (None, path) => {
                let mut conn = match path {
                    Some(path) => {
                        if let Some(dir) = path.parent() {
                            std::fs::create_dir_all(dir)?;
                        }
                        Connection::open_with_flags(
                            path,
                            OpenFlags::SQLITE_OPEN_READ_WRITE
                                | OpenFlags::SQLITE_OPEN_CREATE
                                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                        )?
                    }
                    None => Connection::open_in_memory()?,
                };
                unlock(&conn, options.key.as_ref())?;
                configure(&conn, path.is_some())?;
                migrate(&mut conn, &hooks)?;
                (hooks.on_open)(&conn)?;
                Link::Sqlite(conn)
            }
        };
        Ok(Database {
            link,
            actor: options.actor,
            clock: options.clock,
            path: options.path,
            server: options.server,
            tls_ca: options.tls_ca,
            key: options.key,
            hooks,
            bulk: false,
        })
    }

    /// A second connection to the same database, for long reads (exports) that must not
    /// hold up the connection the screens use. On SQLite, write-ahead logging lets it read
    /// a consistent snapshot while the first one writes.
    pub fn open_another(&self) -> Result<Database> {
        if self.path.is_none() && self.server.is_none() {
            return Err(Error::internal(
                "an in-memory database cannot be opened a second time",
            ));
        }
        Database::open(
            OpenOptions {
                path: self.path.clone(),
                server: self.server.clone(),
                tls_ca: self.tls_ca.clone(),
                actor: self.actor.clone(),
                clock: self.clock.clone(),
                key: self.key.clone(),
            },
            self.hooks,
        )
    }

    /// On a clinic server: whether the server answers (within 2 seconds), connecting again
    /// when the connection has gone (the same server, login and CA). SQLite: always.
    pub fn check_link(&mut self) -> bool {
        let Link::Pg(pg) = &self.link else {
            return true;
        };
        if pg
            .client()
            .is_valid(std::time::Duration::from_secs(2))
            .is_ok()
        {
            return true;
        }
        let Some(server) = &self.server else {
            return false;
        };
        match postgres::connect(server, self.tls_ca.as_deref()) {
            Ok(pg) => {
                self.link = Link::Pg(Box::new(pg));
                true
            }
            Err(_) => false,
        }
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64> {
        match &self.link {
            Link::Sqlite(c) => Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?),
            Link::Pg(pg) => postgres::schema_version(pg),
        }
    }

    pub fn engine(&self) -> sql::Engine {
        self.sql().engine()
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The database key, when the file is encrypted (backups are keyed with it too).
    pub fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Reads, on whichever engine this database is.
    pub fn sql(&self) -> sql::Conn<'_> {
        match &self.link {
            Link::Sqlite(c) => sql::Conn::Sqlite(c),
            Link::Pg(p) => sql::Conn::Pg(p),
        }
    }

    /// The SQLite connection, for what only a single-computer database has (its file, the
    /// online backup, PRAGMAs); refused on a clinic server.
    pub fn conn(&self) -> Result<&Connection> {
        match &self.link {
            Link::Sqlite(c) => Ok(c),
            Link::Pg(_) => Err(Error::new(
                ErrorCode::Storage,
                "This works on a single-computer database only; the clinic server has its own tools for it.",
            )),
        }
    }

    /// Run `f` in a write transaction and append `audit` (built from its result) in the same
    /// transaction. Either both land or neither does.
    ///
    /// SQLite: BEGIN IMMEDIATE takes the file's write lock first. PostgreSQL: the first
    /// statement takes one transaction-scoped advisory lock, so writers from every
    /// workstation queue one behind another and the audit chain keeps one total order.
    pub fn write_sql<T>(
        &mut self,
        f: impl FnOnce(sql::Conn<'_>, &WriteCtx<'_>) -> Result<(T, AuditEntry)>,
    ) -> Result<T> {
        let ctx = WriteCtx {
            now: (self.clock)(),
            actor: &self.actor,
        };
        let conn = match &self.link {
            Link::Sqlite(c) => sql::Conn::Sqlite(c),
            Link::Pg(p) => sql::Conn::Pg(p),
        };
        let (begin, commit, rollback) = match (self.bulk, conn.engine()) {
            // Inside `bulk`: a savepoint, so a failed write still leaves nothing behind.
            (true, _) => (
                "SAVEPOINT stillpoint_write",
                "RELEASE stillpoint_write",
                "ROLLBACK TO stillpoint_write; RELEASE stillpoint_write",
            ),
            (false, sql::Engine::Sqlite) => ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"),
            (false, sql::Engine::Postgres) => (postgres::BEGIN_WRITE, "COMMIT", "ROLLBACK"),
        };
        conn.batch(begin)?;
        let result = f(conn, &ctx).and_then(|(value, entry)| {
            audit::append(conn, &ctx, &entry)?;
            Ok(value)
        });
        match result {
            Ok(value) => match conn.batch(commit) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = conn.batch(rollback);
                    Err(e)
                }
            },
            Err(e) => {
                let _ = conn.batch(rollback);
                Err(e)
            }
        }
    }

    /// Append `entry` to the audit log in a transaction of its own, from a read (a refusal
    /// is recorded where nothing else is written). Inside `bulk` it records nothing and says
    /// so: the entry must not ride on, or end, the transaction `bulk` holds open.
    pub fn append_alone(&self, entry: &AuditEntry) -> Result<()> {
        if self.bulk {
            return Err(Error::internal(
                "a refusal inside an open transaction is not recorded",
            ));
        }
        let ctx = WriteCtx {
            now: (self.clock)(),
            actor: &self.actor,
        };
        let c = self.sql();
        c.batch(c.pick("BEGIN IMMEDIATE", postgres::BEGIN_WRITE))?;
        let result = audit::append(c, &ctx, entry).and_then(|()| c.batch("COMMIT"));
        if result.is_err() {
            let _ = c.batch("ROLLBACK");
        }
        result
    }

    /// The same as [`Database::write_sql`] for statements still written against rusqlite
    /// (SQLite only).
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&Connection, &WriteCtx<'_>) -> Result<(T, AuditEntry)>,
    ) -> Result<T> {
        self.conn()?;
        self.write_sql(|conn, ctx| match conn.sqlite() {
            Some(c) => f(c, ctx),
            None => Err(Error::internal("a SQLite-only write on a clinic server")),
        })
    }

    /// Run many writes in one transaction (generators and imports: one disk flush instead of
    /// one per write). Each write inside is still all-or-nothing; if `f` fails, none land.
    pub fn bulk<S: AsMut<Database>, T>(
        outer: &mut S,
        f: impl FnOnce(&mut S) -> Result<T>,
    ) -> Result<T> {
        if outer.as_mut().bulk {
            return f(outer);
        }
        let begin = match outer.as_mut().sql().engine() {
            sql::Engine::Sqlite => "BEGIN IMMEDIATE",
            sql::Engine::Postgres => postgres::BEGIN_WRITE,
        };
        outer.as_mut().sql().batch(begin)?;
        outer.as_mut().bulk = true;
        let result = f(outer);
        let this = outer.as_mut();
        this.bulk = false;
        match result {
            Ok(v) => {
                this.sql().batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = this.sql().batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// Key the connection before anything else touches the file, and prove the key opens it.
fn unlock(conn: &Connection, key: Option<&DbKey>) -> Result<()> {
    if let Some(key) = key {
        // A wrong key is reported to the user below, not logged by SQLCipher to stderr.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        conn.execute_batch(&format!("PRAGMA key = {};", key.pragma_literal().as_str()))?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(Error::new(
                ErrorCode::Storage,
                if key.is_some() {
                    "The database could not be opened with this key: it is not the database the key file belongs to, or it is damaged."
                } else {
                    "The database is encrypted; log in to open it."
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// PRAGMAs are per connection, so they are set here on every open, never in a migration.
fn configure(conn: &Connection, on_disk: bool) -> Result<()> {
    if on_disk {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::new(
                ErrorCode::Storage,
                format!(
                    "The database could not switch to write-ahead logging (it reports {mode}). Move the data folder to a local disk."
                ),
            ));
        }
    }
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA trusted_schema = OFF;
         PRAGMA cache_size = -32768;",
    )?;
    // (cache_size: 32 MiB of decrypted pages per connection, so searching the notes does
    // not decrypt the same pages again on every keystroke.)
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn migrate(conn: &mut Connection, hooks: &Hooks) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = i64::try_from(MIGRATION_COUNT).unwrap_or(i64::MAX);
    if found > known {
        return Err(Error::new(
            ErrorCode::DatabaseTooNew,
            format!(
                "This database was written by a newer version of Stillpoint (schema {found}; this version knows up to {known}). Install the newer Stillpoint to open it; the file was not changed."
            ),
        ));
    }
    migrations(hooks).to_latest(conn)?;
    Ok(())
}

/// Create an unencrypted database at an older schema version, as an earlier Stillpoint
/// left it: for upgrade tests only.
#[doc(hidden)]
pub fn create_at_schema_version(path: &Path, version: usize, hooks: &Hooks) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    migrations(hooks).to_version(&mut conn, version)?;
    Ok(conn)
}

/// The data folder: `STILLPOINT_DATA_DIR` when set, else the user's data folder
/// (`$XDG_DATA_HOME/stillpoint`, usually `~/.local/share/stillpoint`).
pub fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STILLPOINT_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "stillpoint")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::Storage,
                "No home folder was found for the data. Set STILLPOINT_DATA_DIR to a folder Stillpoint may write to.",
            )
        })
}

/// The database file inside a data folder.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing(_: &rusqlite::Transaction<'_>) -> Result<()> {
        Ok(())
    }

    const NO_HOOKS: Hooks = Hooks {
        totals: nothing,
        name_prefixes: nothing,
        search_terms: nothing,
        on_open: |_| Ok(()),
    };

    #[test]
    fn migrations_are_valid() {
        assert!(migrations(&NO_HOOKS).validate().is_ok());
    }

    #[test]
    fn migration_count_matches_the_list() {
        // Every migration appended must bump MIGRATION_COUNT, which the too-new guard uses.
        let mut conn = Connection::open_in_memory().unwrap();
        migrations(&NO_HOOKS).to_latest(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATION_COUNT as i64);
    }
}
