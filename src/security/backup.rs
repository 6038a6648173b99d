//! Hot backups with SQLite's online backup API into the `backups` folder beside the
//! database: encrypted with the same key, verified after writing (integrity check and row
//! counts against the snapshot they were copied from), and rotated (the newest few, plus the
//! newest of each recent day). Restoring keeps a copy of what it replaces, and so does an
//! upgrade: before migrations change an existing database, a copy is written and verified the
//! same way (`pre-upgrade-schema-16-to-17-stillpoint-….db`, the newest few kept).
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
use crate::progress::Progress;
use crate::security::keys::DbKey;
use crate::security::users::Permission;

pub const BACKUP_DIR: &str = "backups";
const PREFIX: &str = "stillpoint-";
pub(crate) const PRE_RESTORE: &str = "pre-restore-";
pub(crate) const PRE_UPGRADE: &str = "pre-upgrade-";
/// Copies kept before an upgrade: the newest this many (upgrades are rare, and each copy is
/// as big as the database). Rotation of ordinary backups never removes them.
pub const KEEP_BEFORE_UPGRADE: usize = 3;
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
    /// A copy kept automatically just before an upgrade changed the database (its name
    /// says from which schema to which).
    pub before_upgrade: bool,
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

/// Why a backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The schedule, closing the app, or *Back up now*: rotated.
    Regular,
    /// Just before a restore replaced the database: never rotated.
    BeforeRestore,
    /// Just before an upgrade changed the database: the newest few kept.
    BeforeUpgrade,
}

fn parse_stamp(name: &str) -> Option<(DateTime<Utc>, Kind)> {
    parse_name(name).map(|(at, _, kind)| (at, kind))
}

/// When a backup was taken, its place among those taken in the same second (`-2`, `-3`, …
/// after the first), and why it was taken. Copies kept before an upgrade say from which
/// schema to which before the time: `pre-upgrade-schema-16-to-17-stillpoint-….db`.
fn parse_name(name: &str) -> Option<(DateTime<Utc>, u32, Kind)> {
    let (rest, kind) = if let Some(r) = name.strip_prefix(PRE_RESTORE) {
        (r, Kind::BeforeRestore)
    } else if let Some(r) = name.strip_prefix(PRE_UPGRADE) {
        let schemas = r.strip_prefix("schema-")?;
        (&schemas[schemas.find(PREFIX)?..], Kind::BeforeUpgrade)
    } else {
        (name, Kind::Regular)
    };
    let core = rest.strip_prefix(PREFIX)?.strip_suffix(".db")?;
    // YYYYMMDD-HHMMSS, maybe followed by -N
    let (stamp, tail) = (core.get(..15)?, core.get(15..)?);
    let seq = match tail {
        "" => 1,
        t => t.strip_prefix('-')?.parse().ok()?,
    };
    NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S")
        .ok()
        .map(|t| (t.and_utc(), seq, kind))
}

/// Newest first: by the time, then by the place within the same second.
fn newest_first(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |n: &str| parse_name(n).map(|(t, seq, _)| (t, seq));
    key(b).cmp(&key(a)).then_with(|| b.cmp(a))
}

/// Which backups rotation removes: everything but the newest `KEEP_RECENT` and the newest
/// of each of the last `KEEP_DAILY_DAYS` days. Copies kept before a restore or an upgrade
/// are never removed here. `names` in any order.
pub fn rotation(names: &[String], now: DateTime<Utc>) -> Vec<String> {
    let mut dated: Vec<(DateTime<Utc>, &String)> = names
        .iter()
        .filter_map(|n| match parse_stamp(n) {
            Some((t, Kind::Regular)) => Some((t, n)),
            _ => None,
        })
        .collect();
    dated.sort_by(|a, b| newest_first(a.1, b.1));
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

/// Which copies kept before an upgrade go: all but the newest `KEEP_BEFORE_UPGRADE`.
pub fn upgrade_rotation(names: &[String]) -> Vec<String> {
    let mut dated: Vec<&String> = names
        .iter()
        .filter(|n| matches!(parse_stamp(n), Some((_, Kind::BeforeUpgrade))))
        .collect();
    dated.sort_by(|a, b| newest_first(a, b));
    dated
        .into_iter()
        .skip(KEEP_BEFORE_UPGRADE)
        .cloned()
        .collect()
}

fn open_keyed(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    if flags.contains(OpenFlags::SQLITE_OPEN_CREATE) {
        crate::security::private_file(path)?;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        conn.execute_batch(&format!("PRAGMA key = {};", key.pragma_literal().as_str()))?;
    }
    Ok(conn)
}

/// Run `work` on a thread of its own, calling `tick` with the whole seconds so far every
/// `every` until it is done (on this thread, so `tick` may borrow what the caller has).
fn with_heartbeat<T: Send>(
    work: impl FnOnce() -> Result<T> + Send,
    every: std::time::Duration,
    tick: &mut dyn FnMut(u64),
) -> Result<T> {
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let worker = scope.spawn(move || {
            let out = work();
            drop(done);
            out
        });
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(every) {
            tick(started.elapsed().as_secs());
        }
        worker
            .join()
            .unwrap_or_else(|_| Err(Error::internal("the check of the copy stopped")))
    })
}

/// The rows of each counted table the database has (a database at an older schema, kept
/// before an upgrade, may not have them all yet).
fn counts(c: Conn<'_>) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::with_capacity(COUNTED.len());
    for t in COUNTED {
        let present: i64 = c.value(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            crate::args![*t],
        )?;
        if present > 0 {
            out.push((
                *t,
                c.value(&format!("SELECT count(*) FROM {t}"), crate::args![])?,
            ));
        }
    }
    Ok(out)
}

/// Check a backup file: it opens with the key, passes `integrity_check`, and (when given)
/// holds the expected row counts. Returns the rows checked.
pub fn verify_file(
    path: &Path,
    key: Option<&DbKey>,
    expected: Option<&[(&'static str, i64)]>,
) -> Result<i64> {
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
    Ok(got.iter().map(|(_, n)| n).sum())
}

fn info(path: &Path) -> Option<BackupInfo> {
    let name = path.file_name()?.to_str()?.to_owned();
    let (at, kind) = parse_stamp(&name)?;
    Some(BackupInfo {
        path: path.display().to_string(),
        taken_at: crate::db::timestamp(at),
        bytes: std::fs::metadata(path).ok()?.len(),
        before_restore: kind == Kind::BeforeRestore,
        before_upgrade: kind == Kind::BeforeUpgrade,
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
    out.sort_by(|a, b| newest_first(&a.name, &b.name));
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
        crate::security::private_dir(&dir)?;
        let path = new_backup_path(&dir, prefix, self.now());
        let rows = write_verified(conn, self.key(), &path, "Checking the copy", progress)?;
        keep_key_file_beside(data_dir)?;
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

/// Copy the database on `conn` into `path`, keyed with `key`: SQLite's online backup from one
/// snapshot into `path.partial`, which is opened again and checked (integrity, and the row
/// counts of that same snapshot) before it is flushed and renamed into place. Nothing is
/// left at `path` unless it verified. Progress in pages; then, while the copy is checked
/// (which has no pages to count: 8.6 s for a 117 MB file), every second `checking` with the
/// seconds so far, so a long check is never a silent wait. Returns the rows checked.
fn write_verified(
    conn: &Connection,
    key: Option<&DbKey>,
    path: &Path,
    checking: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<i64> {
    let tmp = path.with_extension("partial");
    let mut pages = 0;
    // Copy from one snapshot, and count rows in that same snapshot.
    let snapshot = conn.unchecked_transaction()?;
    let expected = counts(Conn::Sqlite(conn))?;
    let result = (|| -> Result<()> {
        let mut dest = open_keyed(
            &tmp,
            key,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        let backup = Backup::new(conn, &mut dest)?;
        loop {
            let more = backup.step(256)?;
            let p = backup.progress();
            let total = u32::try_from(p.pagecount.max(0)).unwrap_or(u32::MAX);
            let left = u32::try_from(p.remaining.max(0)).unwrap_or(0);
            pages = total;
            progress(Progress::of(total.saturating_sub(left), total));
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
    let checked = with_heartbeat(
        || verify_file(&tmp, key, Some(&expected)),
        std::time::Duration::from_secs(1),
        &mut |seconds| {
            progress(Progress::step(
                pages,
                pages,
                format!("{checking} ({seconds} s so far)"),
            ));
        },
    );
    let rows = match checked {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        d.sync_all().ok();
    }
    Ok(rows)
}

/// The backups open only with a key from keys.json (or the recovery key, which is also
/// wrapped there): keep a copy of it beside them, so the folder is complete. It holds only
/// wrapped keys, never the database key itself.
fn keep_key_file_beside(data_dir: &Path) -> Result<()> {
    let keys = crate::security::keys::keys_path(data_dir);
    if keys.exists() {
        let dir = backup_dir(data_dir);
        let tmp_keys = dir.join(".keys.json.partial");
        std::fs::copy(&keys, &tmp_keys)?;
        std::fs::File::open(&tmp_keys)?.sync_all()?;
        std::fs::rename(&tmp_keys, dir.join(crate::security::keys::KEYS_FILE))?;
    }
    Ok(())
}

/// Before migrations change an existing database: a copy, written and verified as a backup
/// is, into the backups folder beside it, named with the schema it is at and the one it is
/// going to (`pre-upgrade-schema-16-to-17-stillpoint-20261201-101500.db`). Older such copies
/// beyond the newest [`KEEP_BEFORE_UPGRADE`] are removed. Returns where the copy is. Storage
/// calls this (through the hooks) with the connection it is about to migrate.
pub(crate) fn keep_before_upgrade(
    conn: &Connection,
    upgrade: &crate::db::UpgradeCopy<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf> {
    let data_dir = upgrade
        .database
        .parent()
        .ok_or_else(|| Error::internal("the database file has no folder"))?;
    let dir = backup_dir(data_dir);
    let (from, to) = (upgrade.from, upgrade.to);
    let refused = |e: Error| Error {
        message: format!(
            "Before upgrading the database (schema {from} to {to}), Stillpoint keeps a verified copy of it in {}, and that failed, so nothing was upgraded or changed: {}",
            dir.display(),
            e.message
        ),
        ..e
    };
    crate::security::private_dir(&dir).map_err(|e| refused(e.into()))?;
    let path = new_backup_path(
        &dir,
        &format!("{PRE_UPGRADE}schema-{from}-to-{to}-"),
        upgrade.at,
    );
    let copying =
        format!("Keeping a copy of the database before upgrading it (schema {from} to {to})");
    progress(Progress::step(0, 0, copying.clone()));
    let checking = "Checking the copy of the database";
    write_verified(conn, upgrade.key, &path, checking, &mut |p| {
        let words = match p.step {
            _ if p.done < p.total => copying.clone(),
            Some(words) => words,
            None => checking.to_owned(),
        };
        progress(Progress::step(p.done, p.total, words));
    })
    .map_err(refused)?;
    keep_key_file_beside(data_dir).map_err(refused)?;
    let names: Vec<String> = list_in(data_dir)?.into_iter().map(|b| b.name).collect();
    for name in upgrade_rotation(&names) {
        // An old copy left behind is no harm; the new one is written and verified.
        let _ = std::fs::remove_file(dir.join(name));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn name(at: DateTime<Utc>) -> String {
        format!("{PREFIX}{}.db", stamp(at))
    }

    #[test]
    fn a_long_check_ticks_every_interval_until_it_is_done() {
        // The work cannot finish before it has been ticked three times: no timing luck.
        let (tick_tx, tick_rx) = std::sync::mpsc::channel::<u64>();
        let mut seen = Vec::new();
        let out = with_heartbeat(
            move || {
                for _ in 0..3 {
                    tick_rx.recv().map_err(|e| Error::internal(e.to_string()))?;
                }
                Ok(42)
            },
            std::time::Duration::from_millis(1),
            &mut |seconds| {
                seen.push(seconds);
                let _ = tick_tx.send(seconds);
            },
        );
        assert_eq!(out.unwrap(), 42);
        assert!(seen.len() >= 3, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");

        // Quick work is not ticked at all, and its error comes back as it was.
        let mut ticks = 0;
        let err = with_heartbeat::<()>(
            || Err(Error::internal("damaged")),
            std::time::Duration::from_secs(3600),
            &mut |_| ticks += 1,
        )
        .unwrap_err();
        assert_eq!((ticks, err.message.contains("damaged")), (0, true));
    }

    #[test]
    fn names_round_trip() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 5, 7).unwrap();
        assert_eq!(name(at), "stillpoint-20261123-090507.db");
        assert_eq!(parse_stamp(&name(at)), Some((at, Kind::Regular)));
        assert_eq!(
            parse_stamp("pre-restore-stillpoint-20261123-090507.db"),
            Some((at, Kind::BeforeRestore))
        );
        assert_eq!(
            parse_name("pre-upgrade-schema-16-to-17-stillpoint-20261123-090507.db"),
            Some((at, 1, Kind::BeforeUpgrade))
        );
        assert_eq!(
            parse_name("pre-upgrade-schema-9-to-17-stillpoint-20261123-090507-12.db"),
            Some((at, 12, Kind::BeforeUpgrade))
        );
        assert_eq!(
            parse_stamp("pre-upgrade-stillpoint-20261123-090507.db"),
            None
        );
        assert_eq!(parse_stamp("stillpoint-20261123-090507-x.db"), None);
        // Within one second: -10 is newer than -9, and both newer than the first.
        let mut same = vec![
            "stillpoint-20261123-090507-9.db".to_owned(),
            "stillpoint-20261123-090507.db".to_owned(),
            "stillpoint-20261123-090507-10.db".to_owned(),
        ];
        same.sort_by(|a, b| newest_first(a, b));
        assert_eq!(
            same,
            [
                "stillpoint-20261123-090507-10.db",
                "stillpoint-20261123-090507-9.db",
                "stillpoint-20261123-090507.db"
            ]
        );
        assert_eq!(
            parse_stamp("stillpoint-20261123-090507-2.db"),
            Some((at, Kind::Regular))
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
        let upgrade = format!(
            "{PRE_UPGRADE}schema-16-to-17-{PREFIX}{}.db",
            stamp(now - Duration::days(60))
        );
        names.push(upgrade.clone());
        let removed = rotation(&names, now);
        assert!(!removed.contains(&pre));
        assert!(!removed.contains(&upgrade));
    }

    #[test]
    fn the_newest_copies_kept_before_an_upgrade_stay_and_older_ones_go() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let upgrade = |d: i64, from: u32| {
            format!(
                "{PRE_UPGRADE}schema-{from}-to-{}-{PREFIX}{}.db",
                from + 1,
                stamp(now - Duration::days(d))
            )
        };
        let mut names: Vec<String> = (0..5).map(|d| upgrade(d * 30, 16 - d as u32)).collect();
        names.push(name(now));
        names.push(format!("{PRE_RESTORE}{}", name(now - Duration::days(400))));
        let removed = upgrade_rotation(&names);
        assert_eq!(removed.len(), 5 - KEEP_BEFORE_UPGRADE);
        assert_eq!(removed, vec![upgrade(90, 13), upgrade(120, 12)]);
    }
}
