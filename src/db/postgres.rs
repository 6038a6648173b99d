//! The clinic server: connecting to PostgreSQL, its schema and migrations, and the one lock
//! every write transaction takes first.
//!
//! The schema starts as one baseline equal to SQLite schema 10 (`postgres/0001_baseline.sql`)
//! rather than a replay of SQLite's history; later migrations come in pairs, one file per
//! engine, under the same number. `stillpoint_migrations` records what was applied, as
//! `user_version` does on SQLite, and a newer schema refuses to open in an older binary.

use crate::db::sql::PgConn;
use crate::error::{Error, ErrorCode, Result};

/// The PostgreSQL migrations: (the schema version it brings the database to, its SQL).
const MIGRATIONS: &[(i64, &str)] = &[
    (10, include_str!("postgres/0001_baseline.sql")),
    (11, include_str!("postgres/0002_roles.sql")),
];

/// The key of the transaction-scoped advisory lock every write takes first, so writers
/// queue one behind another and the audit chain keeps one total order ("STIL" in ASCII).
pub const WRITE_LOCK: i64 = 0x5354_494c;

/// How every write transaction on the clinic server begins: the lock first.
pub const BEGIN_WRITE: &str = "BEGIN; SELECT pg_advisory_xact_lock(1398032716)";
const _: () = assert!(WRITE_LOCK == 1_398_032_716);

/// The key of the session lock held while migrating, so two workstations starting at once
/// do not both apply the same migration.
const MIGRATION_LOCK: i64 = 0x5354_494d;

/// Connect to a clinic server. `conninfo` is a libpq-style string
/// (`host=… port=… dbname=… user=…`).
pub fn connect(conninfo: &str) -> Result<PgConn> {
    let client = postgres::Client::connect(conninfo, postgres::NoTls).map_err(|e| {
        Error::new(
            ErrorCode::NotOpen,
            format!("The clinic server could not be reached ({e}). Check that it is running and that this computer may connect to it."),
        )
    })?;
    let pg = PgConn::new(client);
    // Times are written by the app as RFC 3339 UTC text; nothing here depends on the
    // server's time zone, but keep sessions alike.
    pg.client().batch_execute("SET TIME ZONE 'UTC'")?;
    Ok(pg)
}

/// Bring the schema up to date, or refuse a schema newer than this binary knows.
pub fn migrate(pg: &PgConn) -> Result<()> {
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    let mut client = pg.client();
    // A user's login role may not create tables: look before creating.
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('stillpoint_migrations') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        client.batch_execute(
            "CREATE TABLE IF NOT EXISTS stillpoint_migrations (
                 version    BIGINT PRIMARY KEY,
                 applied_at TEXT NOT NULL
             )",
        )?;
    }
    client.query("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = (|| -> Result<()> {
        let found: i64 = client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM stillpoint_migrations",
                &[],
            )?
            .get(0);
        if found > known {
            return Err(Error::new(
                ErrorCode::DatabaseTooNew,
                format!(
                    "This database was written by a newer version of Stillpoint (schema {found}; this version knows up to {known}). Install the newer Stillpoint to open it; nothing was changed."
                ),
            ));
        }
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
            let mut tx = client.transaction()?;
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO stillpoint_migrations (version, applied_at)
                 VALUES ($1, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
                &[version],
            )?;
            tx.commit()?;
        }
        Ok(())
    })();
    client.query("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    result
}

/// The schema version a PostgreSQL database is at.
pub fn schema_version(pg: &PgConn) -> Result<i64> {
    Ok(pg
        .client()
        .query_one(
            "SELECT coalesce(max(version), 0) FROM stillpoint_migrations",
            &[],
        )?
        .get(0))
}
