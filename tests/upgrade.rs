//! Upgrading a data folder from the previous releases: the fixtures in
//! `tests/fixtures/schema-16` and `schema-17` were made by those releases' `stillpoint-seed`
//! (see their READMEs).
//! Logging in with today's code keeps a verified copy first, runs the migrations with
//! progress, and every record and the audit chain survive. A migration that fails leaves
//! the file exactly as it was and says where the copy is; a copy that cannot be made stops
//! the upgrade before anything changes.
//!
//! SQLite only: a clinic server is upgraded by whoever runs it (`stillpoint-clinic upgrade`),
//! never by a workstation's login.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use stillpoint::db::{self, DbKey};
use stillpoint::progress::{Progress, Reporter};
use stillpoint::security::backup;
use stillpoint::security::keys::{self, KeyFile};
use stillpoint::{App, ClientQuery, ErrorCode};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-16");
const FIXTURE_SCHEMA: usize = 16;

/// A data folder a release left, and the ids its seeder gave the records checked by name.
struct Fixture {
    folder: &'static str,
    schema: usize,
    /// What the first migration after its schema says it does.
    first_step: &'static str,
    ann: &'static str,
    ann_amended_session: &'static str,
    archived: &'static str,
    li_draft: &'static str,
    /// Ann's diary on 1 November: headache, peak intensity, hours (drawn at random by each
    /// release's seeder).
    november_first: (&'static str, bool, Option<u8>, Option<f64>),
}

const SCHEMA_16: Fixture = Fixture {
    folder: FIXTURE,
    schema: FIXTURE_SCHEMA,
    first_step: "adding corrections by amendment",
    ann: "01a23128-543a-779c-a978-45e26fe3c5d4",
    ann_amended_session: "01a23128-5503-7495-938a-1daf6ad1288a",
    archived: "01a23128-541b-7722-8c05-d50771435da9",
    li_draft: "01a23128-56f2-74aa-b397-1400fb340e95",
    november_first: ("2026-11-01", true, Some(3), Some(10.0)),
};

const SCHEMA_17: Fixture = Fixture {
    folder: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-17"),
    schema: 17,
    first_step: "adding corrections of diary days",
    ann: "01a231c9-b85d-75f2-a53c-2167af0cba1a",
    ann_amended_session: "01a231c9-b88a-7704-a137-4bc6d631f160",
    archived: "01a231c9-b857-71f7-a3c8-121c38a893e9",
    li_draft: "01a231c9-b8e9-7273-be69-161132c4ca7b",
    november_first: ("2026-11-01", false, None, None),
};
const PASSWORD: &str = "demo password";

/// The schema today's code writes: where an upgrade goes.
fn now() -> usize {
    db::schema_version()
}

/// A copy of the schema-16 fixture's data folder to upgrade (the fixture itself is never
/// opened).
fn fixture_copy() -> tempfile::TempDir {
    copy_of(&SCHEMA_16)
}

/// A copy of a fixture's data folder, its files readable by all (0644, as a release before
/// schema 18 left the database file).
fn copy_of(f: &Fixture) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for name in ["stillpoint.db", "keys.json"] {
        let to = dir.path().join(name);
        std::fs::copy(Path::new(f.folder).join(name), &to).unwrap();
        let mode = if name == "keys.json" { 0o600 } else { 0o644 };
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    dir
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn key_of(dir: &Path) -> DbKey {
    KeyFile::load(&keys::keys_path(dir))
        .unwrap()
        .unwrap()
        .unlock("admin", PASSWORD)
        .unwrap()
}

/// The file itself, keyed, with no migrations: what an older Stillpoint sees.
fn raw(path: &Path, key: &DbKey) -> Connection {
    let c = Connection::open(path).unwrap();
    c.execute_batch(&format!("PRAGMA key = {};", key.pragma_literal().as_str()))
        .unwrap();
    c
}

/// Every row of every table, as text, sorted: what "every record survives" compares.
fn every_row(c: &Connection) -> Vec<(String, Vec<String>)> {
    let mut tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map(|v| v.join("\u{1f}"))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            (t, rows)
        })
        .collect()
}

fn schema_of(path: &Path, key: &DbKey) -> usize {
    db::check_file(path, Some(key)).unwrap()
}

fn collector() -> (Reporter, Arc<Mutex<Vec<Progress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let into = seen.clone();
    let report: Reporter = Arc::new(move |p| into.lock().unwrap().push(p));
    (report, seen)
}

fn pre_upgrade_copies(dir: &Path) -> Vec<PathBuf> {
    backup::list_in(dir)
        .unwrap()
        .into_iter()
        .filter(|b| b.before_upgrade)
        .map(|b| PathBuf::from(b.path))
        .collect()
}

#[test]
fn the_fixtures_are_from_the_releases_before_schema_17_and_18() {
    for f in [&SCHEMA_16, &SCHEMA_17] {
        let dir = copy_of(f);
        let key = key_of(dir.path());
        assert_eq!(schema_of(&db::database_path(dir.path()), &key), f.schema);
    }
    // When a newer schema is added, keep these (an upgrade across several schemas) and add
    // the release before the newest beside them (tests/fixtures/schema-17/README.md says how
    // they were made).
    assert!(db::schema_version() > 17);
}

#[test]
fn the_schema_16_release_upgrades_at_login_and_every_record_and_the_audit_chain_survive() {
    upgrades_at_login(&SCHEMA_16);
}

#[test]
fn the_schema_17_release_upgrades_at_login_and_every_record_and_the_audit_chain_survive() {
    upgrades_at_login(&SCHEMA_17);
}

fn upgrades_at_login(f: &Fixture) {
    let dir = copy_of(f);
    let path = db::database_path(dir.path());
    let key = key_of(dir.path());
    let before = every_row(&raw(&path, &key));
    let audit_before = before
        .iter()
        .find(|(t, _)| t == "audit_log")
        .map(|(_, rows)| rows.len())
        .unwrap();
    assert!(
        audit_before > 50,
        "the fixture has an audit log: {audit_before}"
    );

    let mut app = App::start_in(dir.path().to_path_buf());
    let (report, seen) = collector();
    let status = app.login_reporting("admin", PASSWORD, &report).unwrap();
    assert!(status.ready);

    // The copy first (in pages, then checked), then each migration, then saving.
    let seen = seen.lock().unwrap().clone();
    let words: Vec<&str> = seen.iter().map(|p| p.step.as_deref().unwrap()).collect();
    assert!(
        words[0].starts_with(&format!(
            "Keeping a copy of the database before upgrading it (schema {} to {})",
            f.schema,
            now()
        )),
        "{words:?}"
    );
    let checking = words
        .iter()
        .position(|w| *w == "Checking the copy of the database")
        .expect("the copy is checked");
    let step = words
        .iter()
        .position(|w| {
            *w == format!(
                "Upgrading the database, step 1 of {}: {}",
                now() - f.schema,
                f.first_step
            )
        })
        .expect("the migration says what it does");
    assert!(checking < step, "{words:?}");
    assert_eq!(seen[step].done, 0);
    let last = seen.last().unwrap();
    assert_eq!(
        (last.done, last.total, last.step.as_deref()),
        (
            (now() - f.schema) as u32,
            (now() - f.schema) as u32,
            Some("Upgrading the database: saving the changes")
        )
    );

    // The copy: where the backups are, named from and to, verified, at the old schema, with
    // every row the database had before.
    let copies = pre_upgrade_copies(dir.path());
    assert_eq!(copies.len(), 1, "{copies:?}");
    let name = copies[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with(&format!(
            "pre-upgrade-schema-{}-to-{}-stillpoint-",
            f.schema,
            now()
        )),
        "{name}"
    );
    assert!(backup::verify_file(&copies[0], Some(&key), None).unwrap() > 0);
    assert_eq!(schema_of(&copies[0], &key), f.schema);
    // The records are readable by this user alone: the database an older release left
    // readable by all is narrowed, the copy and the folders are made so.
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&copies[0]), 0o600);
    assert_eq!(mode(&dir.path().join("backups")), 0o700);
    assert_eq!(every_row(&raw(&copies[0], &key)), before);
    assert!(dir.path().join("backups/keys.json").exists());

    // Every row of every table is still there, unchanged; the audit log only grew (by the
    // login), and its chain holds from the first entry to the last.
    let store = app.logged_in_store().unwrap();
    assert_eq!(store.schema_version().unwrap(), now() as i64);
    let after = every_row(store.conn().unwrap());
    for (table, rows) in &before {
        let now = &after
            .iter()
            .find(|(t, _)| t == table)
            .unwrap_or_else(|| panic!("table {table} is gone"))
            .1;
        if table == "audit_log" {
            assert_eq!(now.len(), rows.len() + 1, "the login's entry only");
            for row in rows {
                assert!(now.contains(row), "audit entry changed or lost: {row}");
            }
        } else {
            assert_eq!(now, rows, "table {table} changed in the upgrade");
        }
    }
    let chain = store.verify_audit().unwrap();
    assert!(chain.intact, "{}", chain.message);
    assert_eq!(chain.entries, audit_before as i64 + 1);

    // And through the app, specific records read as they were written.
    let clients = store
        .list_clients(&ClientQuery {
            include_archived: true,
            ..Default::default()
        })
        .unwrap();
    let names: Vec<String> = clients
        .items
        .iter()
        .map(|c| format!("{} {}", c.first_name, c.last_name))
        .collect();
    assert_eq!(clients.total, 5, "{names:?}");
    for expected in EXPECTED_CLIENTS {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
    }
    check_specific_records(store, f);
}

/// The fixtures' clients (tests/fixtures/schema-16/README.md); Peter Brown is archived.
const EXPECTED_CLIENTS: &[&str] = &[
    "Ann Smith",
    "Ravi Patel",
    "María González",
    "Li Wei",
    "Peter Brown",
];
/// Records of the fixture read through today's code, with the values the old release wrote.
fn check_specific_records(store: &mut stillpoint::Store, f: &Fixture) {
    use stillpoint::domain::sessions::{SessionCorrectionInput, SessionStatus};
    let (ann, ann_amended_session, archived, li_draft) =
        (f.ann, f.ann_amended_session, f.archived, f.li_draft);

    let client = store.get_client(ann).unwrap();
    assert_eq!(client.fields.date_of_birth.as_deref(), Some("1984-03-12"));
    assert_eq!(client.fields.phone, "+44 20 7946 0018");
    assert!(store.get_client(archived).unwrap().archived_at.is_some());

    // Intakes: the baseline and two re-assessments, values as recorded.
    let intakes = store.list_intakes(ann).unwrap();
    assert_eq!(intakes.len(), 3);
    let baseline = intakes.iter().find(|i| i.is_baseline).unwrap();
    assert_eq!(
        (
            baseline.assessed_on.as_str(),
            baseline.headache_days,
            baseline.usual_intensity
        ),
        ("2026-09-22", 12, 7)
    );
    let latest = &intakes[0];
    assert_eq!(
        (
            latest.assessed_on.as_str(),
            latest.headache_days,
            latest.sleep_hours
        ),
        ("2026-11-18", 5, Some(6.5))
    );

    // The signed, amended note: locked, its values and its amendment as written.
    let note = store.get_session(ann_amended_session).unwrap();
    assert_eq!(note.status, SessionStatus::Signed);
    assert_eq!(note.signed_by.as_deref(), Some("jo.park"));
    assert_eq!(note.signed_at.as_deref(), Some("2026-11-05T11:00:00.000Z"));
    assert_eq!((note.pain_before, note.pain_after), (Some(4), Some(2)));
    assert_eq!(
        note.objective,
        "Taut band in the left upper trapezius referring to the left temple; suboccipitals tender."
    );
    assert_eq!(note.techniques.len(), 2);
    assert_eq!(note.techniques[0].technique_name, "Trigger point therapy");
    assert_eq!(note.amendments.len(), 1);
    assert_eq!(
        note.amendments[0].reason,
        "Side of the taut band was recorded wrongly"
    );
    assert_eq!(
        note.amendments[0].body,
        "The taut band was in the right upper trapezius, not the left."
    );
    let signed = store.list_sessions(ann).unwrap();
    assert!(
        signed.iter().all(|s| s.status == SessionStatus::Signed),
        "{signed:?}"
    );
    assert_eq!(signed.len(), 8);

    // A draft stays a draft, with what was typed.
    let draft = store.get_session(li_draft).unwrap();
    assert_eq!(draft.status, SessionStatus::Draft);
    assert_eq!(draft.objective, "Not treated: red flag, referred first.");

    // Ann's headache diary: ten weeks of days.
    let november = store.diary_month(ann, Some("2026-11")).unwrap();
    let first = &november.days[0];
    assert_eq!(
        (
            first.day.as_str(),
            first.headache,
            first.peak_intensity,
            first.duration_hours
        ),
        f.november_first
    );

    // The people, by name and role.
    let users: Vec<(String, String)> = store
        .list_users()
        .unwrap()
        .into_iter()
        .map(|u| (u.username, u.display_name))
        .collect();
    assert_eq!(
        users,
        [
            ("admin", "Alex Admin"),
            ("jo.park", "Jo Park"),
            ("mia.manager", "Mia Manager"),
            ("sam.lee", "Sam Lee")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );

    // What schema 17 added works on the upgraded file: a correction by amendment.
    let corrected = store
        .amend_session_correcting(
            ann_amended_session,
            "Pain after was misread",
            "Pain after the session was 3, not 2.",
            &SessionCorrectionInput {
                pain_after: Some(3.0),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(corrected.amendments.len(), 2);
    assert_eq!(corrected.pain_after, Some(2), "the signed value stays");

    // And what schema 18 added: a diary day changed with its reason (kept as a correction
    // when the day was recorded before today, as it is once the fixture is a day old).
    let day = store
        .save_diary_day(
            ann,
            &stillpoint::domain::diary::DiaryDayInput {
                day: first.day.clone(),
                headache: true,
                peak_intensity: Some(5.0),
                duration_hours: Some(4.0),
                note: "Worse than first written".into(),
                ..Default::default()
            },
            "The client recalled the peak on the phone",
        )
        .unwrap();
    assert_eq!(day.peak_intensity, Some(5));
    assert_eq!(
        day.corrections.len(),
        usize::from(first.reason_needed),
        "{day:?}"
    );
    assert!(store.verify_audit().unwrap().intact);
}

#[test]
fn a_failed_migration_leaves_the_file_as_it_was_and_says_where_the_verified_copy_is() {
    let dir = fixture_copy();
    let path = db::database_path(dir.path());
    let key = key_of(dir.path());
    {
        // Something in the way of schema 17: a table with the name of one of its indexes.
        let c = raw(&path, &key);
        c.execute_batch("CREATE TABLE corrections_by_client (x TEXT);")
            .unwrap();
    }
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    let bytes = std::fs::read(&path).unwrap();
    let rows = every_row(&raw(&path, &key));

    let mut app = App::start_in(dir.path().to_path_buf());
    for attempt in 1..=2 {
        let err = app.login("admin", PASSWORD).unwrap_err();
        assert_eq!(err.code, ErrorCode::UpgradeFailed, "{}", err.message);
        let copies = pre_upgrade_copies(dir.path());
        assert_eq!(copies.len(), attempt, "one copy per attempt: {copies:?}");
        // The newest copy is the one this attempt names.
        let copy = copies[0].display().to_string();
        assert!(
            err.message.contains(&copy),
            "the message names the copy {copy}: {}",
            err.message
        );
        assert!(
            err.message.starts_with(&format!(
                "The database could not be upgraded from schema 16 to {}",
                now()
            )) && err.message.contains("corrections_by_client")
                && err.message.contains("nothing was changed"),
            "{}",
            err.message
        );
        assert!(backup::verify_file(&copies[0], Some(&key), None).unwrap() > 0);
        assert_eq!(every_row(&raw(&copies[0], &key)), rows);
        // Still at the login screen, nobody in.
        assert!(!app.status().ready);
        assert!(app.logged_in_store().is_err());
        // The file: byte for byte what it was, at the old schema, every row the same.
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "attempt {attempt}");
        assert_eq!(schema_of(&path, &key), FIXTURE_SCHEMA);
        assert_eq!(every_row(&raw(&path, &key)), rows);
    }
}

#[test]
fn when_the_copy_cannot_be_kept_nothing_is_upgraded() {
    let dir = fixture_copy();
    let path = db::database_path(dir.path());
    let key = key_of(dir.path());
    // A file where the backups folder should be: the copy cannot be written.
    std::fs::write(dir.path().join("backups"), b"not a folder").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut app = App::start_in(dir.path().to_path_buf());
    let err = app.login("admin", PASSWORD).unwrap_err();
    assert!(
        err.message.starts_with(&format!(
            "Before upgrading the database (schema 16 to {}), Stillpoint keeps a verified copy of it in",
            now()
        )) && err.message.contains("nothing was upgraded or changed"),
        "{}",
        err.message
    );
    assert!(!app.status().ready);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(schema_of(&path, &key), FIXTURE_SCHEMA);

    // With room for the copy, the same login upgrades.
    std::fs::remove_file(dir.path().join("backups")).unwrap();
    assert!(app.login("admin", PASSWORD).unwrap().ready);
    assert_eq!(pre_upgrade_copies(dir.path()).len(), 1);
}

#[test]
fn an_up_to_date_database_opens_without_a_copy_or_progress() {
    let dir = fixture_copy();
    let mut app = App::start_in(dir.path().to_path_buf());
    app.login("admin", PASSWORD).unwrap();
    app.logout();
    let (report, seen) = collector();
    app.login_reporting("admin", PASSWORD, &report).unwrap();
    assert!(seen.lock().unwrap().is_empty());
    assert_eq!(
        pre_upgrade_copies(dir.path()).len(),
        1,
        "only the first login's"
    );
}

#[test]
fn only_the_newest_copies_kept_before_upgrades_stay() {
    let dir = fixture_copy();
    let path = db::database_path(dir.path());
    let key = key_of(dir.path());
    {
        let c = raw(&path, &key);
        c.execute_batch("CREATE TABLE corrections_by_client (x TEXT);")
            .unwrap();
    }
    let mut app = App::start_in(dir.path().to_path_buf());
    for _ in 0..backup::KEEP_BEFORE_UPGRADE + 2 {
        app.login("admin", PASSWORD).unwrap_err();
    }
    assert_eq!(
        pre_upgrade_copies(dir.path()).len(),
        backup::KEEP_BEFORE_UPGRADE
    );
}

#[test]
fn an_upgrade_across_several_schemas_reports_each_migration_in_turn() {
    let dir = fixture_copy();
    let path = db::database_path(dir.path());
    let key = key_of(dir.path());
    {
        // As schema 8 left the file (the later migrations can run again on it).
        raw(&path, &key)
            .execute_batch(
                "DROP TABLE search_terms; DROP TABLE client_name_prefixes; DROP TABLE diary_days;
                 DROP TABLE session_home_care; DROP TABLE home_care_items;
                 ALTER TABLE users DROP COLUMN credentials; PRAGMA user_version = 8;",
            )
            .unwrap();
    }
    let mut app = App::start_in(dir.path().to_path_buf());
    let (report, seen) = collector();
    app.login_reporting("admin", PASSWORD, &report).unwrap();
    let steps: Vec<(u32, u32, String)> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|p| p.step.as_deref().unwrap().starts_with("Upgrading"))
        .map(|p| (p.done, p.total, p.step.clone().unwrap()))
        .collect();
    let words = [
        "indexing client names for search",
        "recording the words of every note for search",
        "preparing for clinic roles",
        "preparing for clinic logins",
        "adding user credentials",
        "adding the headache diary",
        "adding the home-care library",
        "adding MIDAS and care plans",
        "adding corrections by amendment",
    ];
    // Schema 9 to 17 as they were; any later migrations follow them.
    let total = (now() - 8) as u32;
    let expected: Vec<(u32, u32, String)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            (
                i as u32,
                total,
                format!("Upgrading the database, step {} of {total}: {w}", i + 1),
            )
        })
        .collect();
    assert_eq!(steps[..words.len()], expected[..]);
    assert_eq!(steps.len(), total as usize + 1);
    assert_eq!(
        steps.last().unwrap(),
        &(
            total,
            total,
            "Upgrading the database: saving the changes".to_owned()
        )
    );
    let copies = pre_upgrade_copies(dir.path());
    assert_eq!(copies.len(), 1);
    assert!(
        copies[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&format!("pre-upgrade-schema-8-to-{}-", now())),
        "{copies:?}"
    );
    // What the hooks rebuilt from the records already there: the client names are found.
    let found = app
        .logged_in_store()
        .unwrap()
        .list_clients(&ClientQuery {
            search: "gonz".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, 1);
}
