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
use crate::progress::{Progress, Reporter};

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

/// Before migrations change an existing database file: keep a verified copy of it and say
/// where it is. Storage does not know how backups are written; the layer above passes this in.
pub type KeepCopy = fn(&Connection, &UpgradeCopy<'_>, &mut dyn FnMut(Progress)) -> Result<PathBuf>;

/// The database about to be upgraded, for [`KeepCopy`].
pub struct UpgradeCopy<'a> {
    /// The database file (its folder holds the backups).
    pub database: &'a Path,
    /// The key it is encrypted with, for the copy too.
    pub key: Option<&'a DbKey>,
    /// The schema it is at, and the one the migrations take it to.
    pub from: usize,
    pub to: usize,
    pub at: DateTime<Utc>,
}

/// The hooks for migrations 0007, 0009 and 0010, what each new connection needs set up, and
/// the copy kept before an upgrade.
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
    /// Before migrations change an existing file.
    pub keep_copy: KeepCopy,
}

fn hook_error(e: Error) -> rusqlite_migration::HookError {
    rusqlite_migration::HookError::Hook(e.to_string())
}

/// What each migration does, in words for the person waiting at the login screen.
const MIGRATION_WORDS: [&str; MIGRATION_COUNT] = [
    "creating the client records and the audit log",
    "creating intakes, session notes and the technique catalogue",
    "creating the search index",
    "adding the clinic settings",
    "linking every audit entry to the one before it",
    "adding users",
    "rebuilding the technique totals from every signed note",
    "indexing the dashboard",
    "indexing client names for search",
    "recording the words of every note for search",
    "preparing for clinic roles",
    "preparing for clinic logins",
    "adding user credentials",
    "adding the headache diary",
    "adding the home-care library",
    "adding MIDAS and care plans",
    "adding corrections by amendment",
    "adding corrections of diary days",
];

/// The progress of an upgrade from schema `from`: `done` migrations finished of the ones to
/// run, and the words for the next (or "finishing" once all have run).
fn upgrade_step(from: usize, done: usize) -> Progress {
    let total = MIGRATION_COUNT.saturating_sub(from);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let words = match MIGRATION_WORDS.get(from + done) {
        Some(what) if done < total => format!(
            "Upgrading the database, step {} of {total}: {what}",
            done + 1
        ),
        _ => "Upgrading the database: saving the changes".to_owned(),
    };
    Progress::step(count(done), count(total), words)
}

fn migrations(hooks: &Hooks) -> Migrations<'static> {
    migrations_reporting(hooks, None)
}

/// For the end-to-end test and demonstrations only: `STILLPOINT_UPGRADE_STEP_PAUSE_MS` makes
/// each migration of an upgrade that reports its progress wait that long (at most 10 s)
/// before saying it is done, so the login screen's progress can be seen on a small data
/// folder. Unset (as always in use), nothing waits.
fn step_pause() -> Option<std::time::Duration> {
    let ms: u64 = std::env::var("STILLPOINT_UPGRADE_STEP_PAUSE_MS")
        .ok()?
        .parse()
        .ok()?;
    Some(std::time::Duration::from_millis(ms.min(10_000)))
}

/// A migration's hook, shareable into the closure the migration runner keeps.
type Fill = Arc<dyn Fn(&rusqlite::Transaction<'_>) -> rusqlite_migration::HookResult + Send + Sync>;

/// The migrations; with `report`, each still to run (from schema `from`) tells it when it is
/// done, after its own hook.
fn migrations_reporting(hooks: &Hooks, report: Option<(usize, Reporter)>) -> Migrations<'static> {
    let (totals, name_prefixes, search_terms) =
        (hooks.totals, hooks.name_prefixes, hooks.search_terms);
    let fill = |f: MigrationHook| -> Option<Fill> {
        Some(Arc::new(move |tx: &rusqlite::Transaction<'_>| {
            f(tx).map_err(hook_error)
        }))
    };
    let steps: [(&'static str, Option<Fill>); MIGRATION_COUNT] = [
        (include_str!("migrations/0001_clients_and_audit.sql"), None),
        (include_str!("migrations/0002_charting.sql"), None),
        (include_str!("migrations/0003_search.sql"), None),
        (include_str!("migrations/0004_settings.sql"), None),
        (
            include_str!("migrations/0005_audit_chain.sql"),
            Some(Arc::new(audit::chain_existing_entries)),
        ),
        (include_str!("migrations/0006_users.sql"), None),
        (
            include_str!("migrations/0007_outcome_totals.sql"),
            fill(totals),
        ),
        (include_str!("migrations/0008_dashboard_indexes.sql"), None),
        (
            include_str!("migrations/0009_client_name_prefixes.sql"),
            fill(name_prefixes),
        ),
        (
            include_str!("migrations/0010_search_terms.sql"),
            fill(search_terms),
        ),
        (include_str!("migrations/0011_clinic_roles.sql"), None),
        (include_str!("migrations/0012_clinic_logins.sql"), None),
        (include_str!("migrations/0013_user_credentials.sql"), None),
        (include_str!("migrations/0014_diary.sql"), None),
        (include_str!("migrations/0015_home_care.sql"), None),
        (include_str!("migrations/0016_midas_care_plan.sql"), None),
        (include_str!("migrations/0017_corrections.sql"), None),
        (include_str!("migrations/0018_diary_corrections.sql"), None),
    ];
    let ms = steps
        .into_iter()
        .enumerate()
        .map(|(i, (sql, fill))| {
            let told = match &report {
                Some((from, report)) if i >= *from => Some((*from, report.clone())),
                _ => None,
            };
            match (fill, told) {
                (None, None) => M::up(sql),
                (fill, told) => M::up_with_hook(sql, move |tx: &rusqlite::Transaction<'_>| {
                    if let Some(fill) = &fill {
                        fill(tx)?;
                    }
                    if let Some((from, report)) = &told {
                        if let Some(pause) = step_pause() {
                            std::thread::sleep(pause);
                        }
                        report(upgrade_step(*from, i + 1 - from));
                    }
                    Ok(())
                }),
            }
        })
        .collect();
    Migrations::new(ms)
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
        Self::open_reporting(options, hooks, None)
    }

    /// Open, telling `report` how an upgrade goes when the file needs one: the copy kept
    /// first (in pages), then each migration (step i of n, and what it does).
    pub fn open_reporting(
        options: OpenOptions,
        hooks: Hooks,
        report: Option<&Reporter>,
    ) -> Result<Database> {
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
                            crate::security::private_dir(dir)?;
                        }
                        crate::security::private_file(path)?;
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
                let upgrade = Upgrade {
                    path: path.as_deref(),
                    key: options.key.as_ref(),
                    now: (options.clock)(),
                    report,
                };
                migrate(&mut conn, &hooks, &upgrade)?;
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

/// What an upgrade of a file needs besides the connection: where the file is, its key, the
/// time (for the copy's name), and who to tell how it goes.
struct Upgrade<'a> {
    path: Option<&'a Path>,
    key: Option<&'a DbKey>,
    now: DateTime<Utc>,
    report: Option<&'a Reporter>,
}

/// Bring the file to this binary's schema. An existing file that needs migrations gets a
/// verified copy first (refused, with nothing changed, when the copy cannot be made); then
/// every migration runs in one transaction, so one that fails leaves the file as it was, and
/// the error says so and where the copy is.
fn migrate(conn: &mut Connection, hooks: &Hooks, upgrade: &Upgrade<'_>) -> Result<()> {
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
    if found == known {
        return Ok(());
    }
    let from = usize::try_from(found).unwrap_or(0);
    let tell = |p: Progress| {
        if let Some(report) = upgrade.report {
            report(p);
        }
    };
    // A new file (schema 0) has nothing to keep.
    let copy = match upgrade.path {
        Some(database) if from > 0 => Some((hooks.keep_copy)(
            conn,
            &UpgradeCopy {
                database,
                key: upgrade.key,
                from,
                to: MIGRATION_COUNT,
                at: upgrade.now,
            },
            &mut |p| tell(p),
        )?),
        _ => None,
    };
    let told = upgrade.report.map(|report| {
        report(upgrade_step(from, 0));
        (from, report.clone())
    });
    match migrations_reporting(hooks, told).to_latest(conn) {
        Ok(()) => Ok(()),
        Err(e) => match copy {
            Some(copy) => Err(upgrade_failed(&e, from, &copy)),
            None => Err(e.into()),
        },
    }
}

/// A migration failed and the transaction holding them all was rolled back.
fn upgrade_failed(e: &rusqlite_migration::Error, from: usize, copy: &Path) -> Error {
    let why = match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => err.to_string(),
        rusqlite_migration::Error::Hook(why) => why.clone(),
        other => other.to_string(),
    };
    Error::new(
        ErrorCode::UpgradeFailed,
        format!(
            "The database could not be upgraded from schema {from} to {MIGRATION_COUNT} ({why}). It was left exactly as it was: nothing was changed. A verified copy taken just before is kept at {}. To go on working, reinstall the version of Stillpoint you had before, and send this message to whoever looks after your Stillpoint.",
            copy.display()
        ),
    )
}

/// Check that the file opens (with `key`, or unencrypted without one) and was not written by
/// a newer Stillpoint, changing nothing: no migrations, opened read-only. Returns its schema
/// version.
pub fn check_file(path: &Path, key: Option<&DbKey>) -> Result<usize> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    unlock(&conn, key)?;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let found = usize::try_from(found).unwrap_or(0);
    if found > MIGRATION_COUNT {
        return Err(Error::new(
            ErrorCode::DatabaseTooNew,
            format!(
                "This database was written by a newer version of Stillpoint (schema {found}; this version knows up to {MIGRATION_COUNT}). Install the newer Stillpoint to open it; the file was not changed."
            ),
        ));
    }
    Ok(found)
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
        keep_copy: |_, _, _| Err(Error::internal("no copies here")),
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
