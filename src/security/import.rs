//! Moving a single-computer Stillpoint onto the clinic server: every row of its encrypted
//! file copied into an empty clinic database in one transaction, then checked there before
//! the transaction commits — the same row counts, the audit chain intact with the same
//! number of entries, the outcome totals equal to a fresh count. Any failure rolls it all
//! back: nothing is half-imported.

use std::path::Path;
use std::time::Instant;

use crate::Store;
use crate::db::OpenOptions;
use crate::db::sql::Conn;
use crate::db::transfer::{self, Copied};
use crate::db::{audit, postgres};
use crate::error::{Error, ErrorCode, Result};
use crate::reports::technique_totals;
use crate::security::keys::{KeyFile, keys_path};
use crate::security::users::Role;

/// What an import moved, and how long it took.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// Each table with its rows (equal in the file and on the server).
    pub tables: Vec<Copied>,
    /// Audit entries, their chain verified on the server.
    pub audit_entries: i64,
    pub seconds: f64,
}

/// How the single-computer database is unlocked for the move.
pub enum Unlock {
    /// An administrator's username and password.
    Password { username: String, password: String },
    /// The recovery key shown at setup.
    RecoveryKey(String),
}

/// Move the single-computer Stillpoint in `data_dir` into the clinic server's database
/// `server` (a libpq-style conninfo; the schema is brought up to date first). Only an
/// administrator's password, or the recovery key, may move a clinic.
pub fn import_folder(data_dir: &Path, unlock: &Unlock, server: &str) -> Result<ImportReport> {
    let keys = KeyFile::load(&keys_path(data_dir))?.ok_or_else(|| {
        Error::field(
            "data_folder",
            format!(
                "{} holds no Stillpoint key file (keys.json): give the data folder of a single-computer Stillpoint.",
                data_dir.display()
            ),
        )
    })?;
    let (key, who) = match unlock {
        Unlock::Password { username, password } => (
            keys.unlock(username, password)?,
            Some(crate::security::keys::normalize_username(username)),
        ),
        Unlock::RecoveryKey(k) => (keys.unlock_with_recovery(k)?, None),
    };
    let source = Store::open(OpenOptions::file(crate::db::database_path(data_dir)).key(key))?;
    if let Some(who) = who {
        let role = source
            .get_user(&who)?
            .filter(|u| u.disabled_at.is_none())
            .map(|u| u.role);
        if role != Some(Role::Administrator) {
            return Err(Error::new(
                ErrorCode::Forbidden,
                "Only an administrator (or the recovery key) may move a clinic onto the server.",
            ));
        }
    }
    let target = Store::open(OpenOptions::server(server.to_owned()))?;
    import(&source, &target)
}

/// Tables that must be empty on the server before an import: what a clinic records.
const RECORDS: &[&str] = &["clients", "intakes", "sessions", "audit_log", "users"];

/// Copy `source` (a single-computer database, unlocked) into `target` (a clinic server's
/// database, its schema up to date), which must hold no records yet.
pub fn import(source: &Store, target: &Store) -> Result<ImportReport> {
    let started = Instant::now();
    let file = source.conn()?;
    let Conn::Pg(server) = target.sql() else {
        return Err(Error::new(
            ErrorCode::Storage,
            "The import goes into a clinic server's database; this is a single-computer one.",
        ));
    };
    // One snapshot of the file for the whole copy (reads only; nothing in it changes).
    let snapshot = file.unchecked_transaction()?;
    let before = audit::verify(Conn::Sqlite(file))?;
    if !before.intact {
        return Err(Error::new(
            ErrorCode::Storage,
            format!(
                "The audit log of the database being moved is not intact ({}); it would arrive on the server broken, so nothing was imported.",
                before.message
            ),
        ));
    }

    let c = target.sql();
    c.batch(postgres::BEGIN_WRITE)?;
    let result = (|| -> Result<ImportReport> {
        let held: i64 = c.value(
            &format!(
                "SELECT {}",
                RECORDS
                    .iter()
                    .map(|t| format!("(SELECT count(*) FROM {t})"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            crate::args![],
        )?;
        if held > 0 {
            return Err(Error::conflict(format!(
                "The clinic server's database already holds records ({held} clients, notes, intakes, users and audit entries together). Stillpoint imports only into an empty clinic database; nothing was imported."
            )));
        }
        let tables = transfer::sqlite_to_postgres(file, server)?;
        let after = audit::verify(c)?;
        if !after.intact || after.entries != before.entries {
            return Err(Error::new(
                ErrorCode::Storage,
                format!(
                    "After copying, the audit log on the server did not verify ({}; {} entries in the file, {} on the server); nothing was imported.",
                    after.message, before.entries, after.entries
                ),
            ));
        }
        if !technique_totals::check(c)? {
            return Err(Error::new(
                ErrorCode::Storage,
                "After copying, the outcome totals on the server did not equal a fresh count; nothing was imported.",
            ));
        }
        Ok(ImportReport {
            tables,
            audit_entries: after.entries,
            seconds: 0.0,
        })
    })();
    match result {
        Ok(mut report) => {
            c.batch("COMMIT")?;
            drop(snapshot);
            // Fresh statistics for the planner: every table just grew from nothing.
            c.batch("ANALYZE")?;
            report.seconds = started.elapsed().as_secs_f64();
            Ok(report)
        }
        Err(e) => {
            let _ = c.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// What a check of a clinic server's database found.
#[derive(Debug, Clone)]
pub struct ServerCheck {
    pub audit: audit::AuditVerification,
    /// The outcome totals equal a fresh count.
    pub totals_agree: bool,
}

impl ServerCheck {
    pub fn ok(&self) -> bool {
        self.audit.intact && self.totals_agree
    }
}

/// Check the clinic server's database `server`: the audit chain from its first entry, and
/// the outcome totals against a fresh count.
pub fn check_server(server: &str) -> Result<ServerCheck> {
    let store = Store::open(OpenOptions::server(server.to_owned()))?;
    let c = store.sql();
    Ok(ServerCheck {
        audit: audit::verify(c)?,
        totals_agree: technique_totals::check(c)?,
    })
}
