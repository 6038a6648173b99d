//! The clinic server: connecting to PostgreSQL, its schema and migrations, and the one lock
//! every write transaction takes first.
//!
//! The schema starts as one baseline equal to SQLite schema 10 (`postgres/0001_baseline.sql`)
//! rather than a replay of SQLite's history; later migrations come in pairs, one file per
//! engine, under the same number. `stillpoint_migrations` records what was applied, as
//! `user_version` does on SQLite, and a newer schema refuses to open in an older binary.

use crate::db::sql::PgConn;
use std::path::Path;

use crate::error::{Error, ErrorCode, Result};

/// The PostgreSQL migrations: (the schema version it brings the database to, its SQL).
const MIGRATIONS: &[(i64, &str)] = &[
    (10, include_str!("postgres/0001_baseline.sql")),
    (11, include_str!("postgres/0002_roles.sql")),
    (12, include_str!("postgres/0003_logins.sql")),
    (13, include_str!("postgres/0004_credentials.sql")),
    (14, include_str!("postgres/0005_diary.sql")),
    (15, include_str!("postgres/0006_home_care.sql")),
    (16, include_str!("postgres/0007_midas_care_plan.sql")),
    (17, include_str!("postgres/0008_corrections.sql")),
    (18, include_str!("postgres/0009_diary_corrections.sql")),
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
/// (`host=… port=… dbname=… user=…`). With `tls_ca` the connection is TLS or nothing, the
/// server's certificate must chain to that CA alone (not the system's), and its name must
/// match the host (verify-full).
pub fn connect(conninfo: &str, tls_ca: Option<&Path>) -> Result<PgConn> {
    let unreachable = |e: &postgres::Error| {
        use postgres::error::SqlState;
        let Some(db) = e.as_db_error() else {
            return Error::new(ErrorCode::NotOpen, not_reached(e)).on_field("host");
        };
        let (message, field) = if *db.code() == SqlState::INVALID_PASSWORD {
            (
                "The clinic server did not accept this username and password. Check them and try again."
                    .to_owned(),
                Some("password"),
            )
        } else if *db.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && db.message().contains("not permitted to log in")
        {
            // An administrator disabled this user: their login was taken away (schema 12).
            (
                "This account is disabled. Ask an administrator.".to_owned(),
                Some("username"),
            )
        } else if *db.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            (
                format!(
                    "The clinic server refused this connection ({}). Ask whoever runs it whether this computer and user may connect.",
                    db.message()
                ),
                None,
            )
        } else if *db.code() == SqlState::INVALID_CATALOG_NAME {
            (
                format!(
                    "The clinic server has no such database ({}). Check the database name.",
                    db.message()
                ),
                Some("database"),
            )
        } else {
            (
                format!(
                    "The clinic server refused the connection ({}).",
                    db.message()
                ),
                None,
            )
        };
        let error = Error::new(ErrorCode::NotOpen, message);
        match field {
            Some(f) => error.on_field(f),
            None => error,
        }
    };
    let client = match tls_ca {
        None => {
            postgres::Client::connect(conninfo, postgres::NoTls).map_err(|e| unreachable(&e))?
        }
        Some(ca) => {
            let mut config: postgres::Config = conninfo.parse().map_err(|e| {
                Error::field(
                    "server",
                    format!("The clinic server's address is not valid ({e})."),
                )
            })?;
            config.ssl_mode(postgres::config::SslMode::Require);
            config
                .connect(tls_connector(ca)?)
                .map_err(|e| tls_error(&e).unwrap_or_else(|| unreachable(&e)))?
        }
    };
    let pg = PgConn::new(client);
    // Times are written by the app as RFC 3339 UTC text; nothing here depends on the
    // server's time zone, but keep sessions alike.
    pg.client().batch_execute("SET TIME ZONE 'UTC'")?;
    Ok(pg)
}

/// Why a server could not be reached, in words: no such name, nothing listening (the server
/// is down, or the port is wrong), no answer in time, or else what the network said.
fn not_reached(e: &postgres::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let text = io.to_string();
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return "Nothing answers at that server and port: the clinic server may be down, or the port may be wrong. Check them, or ask whoever runs the server.".to_owned();
            }
            if io.kind() == std::io::ErrorKind::TimedOut || text.contains("timed out") {
                return "The clinic server did not answer within 3 seconds. Check the server's name and that this computer's network reaches it.".to_owned();
            }
            if text.contains("lookup address") || text.contains("Name or service not known") {
                return format!(
                    "No computer by that name was found on the network ({text}). Check the server's name."
                );
            }
        }
        source = s.source();
    }
    format!(
        "The clinic server could not be reached ({e}). Check the address, that the server is running, and that this computer may connect to it."
    )
}

/// A TLS connector that trusts the clinic's CA and nothing else.
fn tls_connector(ca: &Path) -> Result<postgres_openssl::MakeTlsConnector> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    use openssl::x509::X509;
    use openssl::x509::store::X509StoreBuilder;
    let unreadable = |why: String| {
        Error::field(
            "ca_file",
            format!(
                "The clinic's certificate file {} cannot be used ({why}).",
                ca.display()
            ),
        )
    };
    let pem = std::fs::read(ca).map_err(|e| unreadable(e.to_string()))?;
    let certs = X509::stack_from_pem(&pem).map_err(|e| unreadable(e.to_string()))?;
    if certs.is_empty() {
        return Err(unreadable("it holds no certificate".to_owned()));
    }
    let mut store = X509StoreBuilder::new().map_err(|e| unreadable(e.to_string()))?;
    for cert in certs {
        store
            .add_cert(cert)
            .map_err(|e| unreadable(e.to_string()))?;
    }
    let mut builder =
        SslConnector::builder(SslMethod::tls_client()).map_err(|e| unreadable(e.to_string()))?;
    builder.set_cert_store(store.build());
    builder.set_verify(SslVerifyMode::PEER);
    Ok(postgres_openssl::MakeTlsConnector::new(builder.build()))
}

/// The message for a connection refused over its certificate, if that is what `e` is.
fn tls_error(e: &postgres::Error) -> Option<Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if text.contains("certificate") || s.downcast_ref::<openssl::ssl::Error>().is_some() {
            return Some(
                Error::new(
                    ErrorCode::NotOpen,
                    format!(
                        "The clinic server's certificate was not accepted ({text}). It must be signed by your clinic's certificate authority and name the server you typed; check the address and the CA file."
                    ),
                )
                .on_field("ca_file"),
            );
        }
        source = s.source();
    }
    None
}

/// The newest schema this binary knows.
pub fn newest_schema() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Bring the schema up to date, or refuse a schema newer than this binary knows. Every
/// pending migration runs in one transaction: if one fails, the database is left as it was,
/// at the schema it had. Connected as the server's superuser (who upgrades, backs up and restores), the
/// migrations run as the clinic database's owner (`SET LOCAL ROLE`), so what they make
/// belongs to the owner, as when the owner runs them.
pub fn migrate(pg: &PgConn) -> Result<()> {
    let known = newest_schema();
    let mut client = pg.client();
    // A user's login role may not create tables: look before creating.
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('stillpoint_migrations') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS stillpoint_migrations (
                     version    BIGINT PRIMARY KEY,
                     applied_at TEXT NOT NULL
                 )",
            )
            .map_err(|e| {
                if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
                    Error::new(
                        ErrorCode::NotOpen,
                        "This database on the clinic server holds no Stillpoint clinic, and this login may not make one. Check the database name, or ask whoever runs the server.",
                    )
                    .on_field("database")
                } else {
                    e.into()
                }
            })?;
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
        if found == known {
            return Ok(());
        }
        let mut tx = client.transaction()?;
        let row = tx.query_one(
            "SELECT pg_get_userbyid(d.datdba)::text,
                    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                    AND pg_get_userbyid(d.datdba) <> current_user
             FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )?;
        let (owner, as_owner): (String, bool) = (row.get(0), row.get(1));
        if as_owner {
            tx.batch_execute(&format!(
                "SET LOCAL ROLE \"{}\"",
                owner.replace('"', "\"\"")
            ))?;
        }
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
            tx.batch_execute(sql).map_err(|e| {
                if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
                    // A user's login may not change the schema: the clinic's owner upgrades it.
                    Error::new(
                        ErrorCode::NotOpen,
                        format!(
                            "The clinic database is at schema {found} and this Stillpoint needs {known}. Whoever runs the clinic server upgrades it first (stillpoint-clinic upgrade); nothing was changed."
                        ),
                    )
                } else {
                    Error::new(
                        ErrorCode::UpgradeFailed,
                        format!(
                            "The database could not be upgraded from schema {found} to {known}: the step to schema {version} failed ({}). Every step runs in one transaction, so nothing was changed: it is still at schema {found}.",
                            e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned())
                        ),
                    )
                }
            })?;
            tx.execute(
                "INSERT INTO stillpoint_migrations (version, applied_at)
                 VALUES ($1, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
                &[version],
            )?;
        }
        tx.commit()?;
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
