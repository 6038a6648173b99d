//! Hot backups with SQLite's online backup API into the `backups` folder beside the
//! database: encrypted with the same key, verified after writing (integrity check and row
//! counts against the snapshot they were copied from), and rotated (the newest few, plus the
//! newest of each recent day). Restoring keeps a copy of what it replaces.
//!
//! These are backups of the SQLite file: the online backup API, PRAGMAs, and opening the
//! copy as a file stay on rusqlite. A clinic server's backups are pg_dump's, not these. Only
//! the row counts are plain SQL, and go through [`Conn`].

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::db::sql::Conn;
use crate::error::{Error, ErrorCode, Result};
use crate::reports::export::Progress;
use crate::security::keys::DbKey;
use crate::security::users::Permission;

pub const BACKUP_DIR: &str = "backups";
const PREFIX: &str = "stillpoint-";
pub(crate) const PRE_RESTORE: &str = "pre-restore-";
/// Always keep this many of the newest backups.
pub const KEEP_RECENT: usize = 10;
/// And the newest backup of each of this many recent days.
pub const KEEP_DAILY_DAYS: i64 = 30;
/// A scheduled backup is due when the newest is older than this.
pub const SCHEDULE_HOURS: i64 = 4;

/// Tables whose row counts a backup must match.
const COUNTED: &[&str] = &[
    "clients",
    "intakes",
    "sessions",
    "session_techniques",
    "amendments",
    "audit_log",
    "users",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BackupInfo {
    /// The file name inside the backups folder.
    pub name: String,
    pub path: String,
    /// When it was taken (UTC, RFC 3339).
    pub taken_at: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// A copy kept automatically just before a restore replaced the database.
    pub before_restore: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BackupReport {
    pub backup: BackupInfo,
    /// Rows checked in the copy, all tables together.
    #[ts(type = "number")]
    pub rows_verified: i64,
    /// Older backups removed by rotation.
    pub removed: Vec<String>,
}

pub fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUP_DIR)
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%d-%H%M%S").to_string()
}

fn parse_stamp(name: &str) -> Option<(DateTime<Utc>, bool)> {
    let (rest, before_restore) = match name.strip_prefix(PRE_RESTORE) {
        Some(r) => (r, true),
        None => (name, false),
    };
    let core = rest.strip_prefix(PREFIX)?.strip_suffix(".db")?;
    let core = core.get(..15)?; // YYYYMMDD-HHMMSS, maybe followed by -N
    NaiveDateTime::parse_from_str(core, "%Y%m%d-%H%M%S")
        .ok()
        .map(|t| (t.and_utc(), before_restore))
}

/// Which backups rotation removes: everything but the newest `KEEP_RECENT` and the newest
/// of each of the last `KEEP_DAILY_DAYS` days. Copies kept before a restore are never
/// removed here. `names` in any order.
pub fn rotation(names: &[String], now: DateTime<Utc>) -> Vec<String> {
    let mut dated: Vec<(DateTime<Utc>, &String)> = names
        .iter()
        .filter_map(|n| match parse_stamp(n) {
            Some((t, false)) => Some((t, n)),
            _ => None,
        })
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(a.1)));
    let mut keep = std::collections::HashSet::new();
    for (_, n) in dated.iter().take(KEEP_RECENT) {
        keep.insert((*n).clone());
    }
    let mut days_seen = std::collections::HashSet::new();
    for (t, n) in &dated {
        let age_days = (now.date_naive() - t.date_naive()).num_days();
        if age_days < KEEP_DAILY_DAYS && days_seen.insert(t.date_naive()) {
            keep.insert((*n).clone());
        }
    }
    dated
        .into_iter()
        .filter(|(_, n)| !keep.contains(*n))
        .map(|(_, n)| n.clone())
        .collect()
}

fn open_keyed(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        conn.execute_batch(&format!("PRAGMA key = {};", key.pragma_literal().as_str()))?;
    }
    Ok(conn)
}

fn counts(c: Conn<'_>) -> Result<Vec<i64>> {
    COUNTED
        .iter()
        .map(|t| c.value(&format!("SELECT count(*) FROM {t}"), crate::args![]))
        .collect()
}

/// Check a backup file: it opens with the key, passes `integrity_check`, and (when given)
/// holds the expected row counts. Returns the rows checked.
pub fn verify_file(path: &Path, key: Option<&DbKey>, expected: Option<&[i64]>) -> Result<i64> {
    let conn = open_keyed(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let bad = |why: String| {
        Error::new(
            ErrorCode::Storage,
            format!("The backup {} failed its check: {why}", path.display()),
        )
    };
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if ok != "ok" {
        return Err(bad(ok));
    }
    let got = counts(Conn::Sqlite(&conn))?;
    if let Some(want) = expected
        && want != got.as_slice()
    {
        return Err(bad(format!("row counts {got:?}, expected {want:?}")));
    }
    Ok(got.iter().sum())
}

fn info(path: &Path) -> Option<BackupInfo> {
    let name = path.file_name()?.to_str()?.to_owned();
    let (at, before_restore) = parse_stamp(&name)?;
    Some(BackupInfo {
        path: path.display().to_string(),
        taken_at: crate::db::timestamp(at),
        bytes: std::fs::metadata(path).ok()?.len(),
        before_restore,
        name,
    })
}

/// The backups in a data folder, newest first.
pub fn list_in(data_dir: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backup_dir(data_dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out: Vec<BackupInfo> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| info(&e.path()))
        .collect();
    out.sort_by(|a, b| {
        b.taken_at
            .cmp(&a.taken_at)
            .then_with(|| b.name.cmp(&a.name))
    });
    Ok(out)
}

/// A free file name for a backup taken at `at`.
fn new_backup_path(dir: &Path, prefix: &str, at: DateTime<Utc>) -> PathBuf {
    let base = format!("{prefix}{PREFIX}{}", stamp(at));
    let mut path = dir.join(format!("{base}.db"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.db"));
        n += 1;
    }
    path
}

impl Store {
    /// Take a hot backup into `data_dir/backups`, verify it, then rotate older ones.
    pub fn backup(
        &self,
        data_dir: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupReport> {
        self.require(Permission::Administer)?;
        self.backup_unchecked(data_dir, "", progress)
    }

    /// A backup nobody asked for: the schedule, and closing the app.
    pub fn backup_scheduled(
        &self,
        data_dir: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupReport> {
        self.backup_unchecked(data_dir, "", progress)
    }

    pub(crate) fn backup_unchecked(
        &self,
        data_dir: &Path,
        prefix: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupReport> {
        // The file's own connection: refused on a clinic server, which pg_dump backs up.
        let conn = self.conn()?;
        let dir = backup_dir(data_dir);
        std::fs::create_dir_all(&dir)?;
        let path = new_backup_path(&dir, prefix, self.now());
        let tmp = path.with_extension("partial");
        // Copy from one snapshot, and count rows in that same snapshot.
        let snapshot = conn.unchecked_transaction()?;
        let expected = counts(Conn::Sqlite(conn))?;
        let result = (|| -> Result<()> {
            let mut dest = open_keyed(
                &tmp,
                self.key(),
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            )?;
            let backup = Backup::new(conn, &mut dest)?;
            loop {
                let more = backup.step(256)?;
                let p = backup.progress();
                let total = u32::try_from(p.pagecount.max(0)).unwrap_or(u32::MAX);
                let left = u32::try_from(p.remaining.max(0)).unwrap_or(0);
                progress(Progress {
                    done: total.saturating_sub(left),
                    total,
                });
                if more == rusqlite::backup::StepResult::Done {
                    break;
                }
            }
            drop(backup);
            dest.execute_batch("PRAGMA journal_mode = DELETE;")?;
            Ok(())
        })();
        snapshot.finish()?;
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let rows = match verify_file(&tmp, self.key(), Some(&expected)) {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            d.sync_all().ok();
        }
        // The backups open only with a key from keys.json (or the recovery key, which is
        // also wrapped there): keep a copy of it beside them, so the folder is complete.
        // It holds only wrapped keys, never the database key itself.
        let keys = crate::security::keys::keys_path(data_dir);
        if keys.exists() {
            let tmp_keys = dir.join(".keys.json.partial");
            std::fs::copy(&keys, &tmp_keys)?;
            std::fs::File::open(&tmp_keys)?.sync_all()?;
            std::fs::rename(&tmp_keys, dir.join(crate::security::keys::KEYS_FILE))?;
        }
        let names: Vec<String> = list_in(data_dir)?.into_iter().map(|b| b.name).collect();
        let removed = rotation(&names, self.now());
        for name in &removed {
            std::fs::remove_file(dir.join(name))?;
        }
        let backup = info(&path).ok_or_else(|| Error::internal("the backup was not written"))?;
        Ok(BackupReport {
            backup,
            rows_verified: rows,
            removed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn name(at: DateTime<Utc>) -> String {
        format!("{PREFIX}{}.db", stamp(at))
    }

    #[test]
    fn names_round_trip() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 5, 7).unwrap();
        assert_eq!(name(at), "stillpoint-20261123-090507.db");
        assert_eq!(parse_stamp(&name(at)), Some((at, false)));
        assert_eq!(
            parse_stamp("pre-restore-stillpoint-20261123-090507.db"),
            Some((at, true))
        );
        assert_eq!(
            parse_stamp("stillpoint-20261123-090507-2.db"),
            Some((at, false))
        );
        assert_eq!(parse_stamp("notes.txt"), None);
    }

    #[test]
    fn rotation_keeps_the_newest_ten_and_one_a_day_for_thirty_days() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        // Six backups a day (every four hours) for 40 days: 240 files.
        let mut names = Vec::new();
        for d in 0..40 {
            for h in 0..6 {
                names.push(name(now - Duration::days(d) - Duration::hours(4 * h)));
            }
        }
        let removed = rotation(&names, now);
        let kept: Vec<&String> = names.iter().filter(|n| !removed.contains(n)).collect();
        // 10 newest span today and yesterday; one each for the other 28 of the 30 days.
        assert_eq!(kept.len(), 10 + 28);
        assert!(kept.contains(&&name(now)));
        assert!(!kept.contains(&&name(now - Duration::days(35))));
        // Each of the last 30 days still has a backup.
        for d in 0..30 {
            let day = (now - Duration::days(d)).date_naive();
            assert!(
                kept.iter()
                    .any(|n| parse_stamp(n).map(|(t, _)| t.date_naive()) == Some(day)),
                "day {d} lost"
            );
        }
        // A few backups are all kept.
        assert!(rotation(&names[..5], now).is_empty());
    }

    #[test]
    fn copies_kept_before_a_restore_are_never_rotated_away() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let mut names: Vec<String> = (0..50).map(|d| name(now - Duration::days(d))).collect();
        let pre = format!("{PRE_RESTORE}{}", name(now - Duration::days(60)));
        names.push(pre.clone());
        assert!(!rotation(&names, now).contains(&pre));
    }
}
