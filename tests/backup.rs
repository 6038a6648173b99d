//! Hot backups and restore through `App`: the copy is encrypted and verified, a restore
//! brings the old state back and keeps what it replaced, a damaged backup is refused, and
//! only administrators may do either.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use stillpoint::security::backup;
use stillpoint::security::gate::SetupInput;
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{App, ClientFields, ErrorCode};

const CANARY: &str = "Quillonbeck";

fn admin_app(dir: &std::path::Path) -> App {
    let mut app = App::start_in(dir.to_path_buf());
    app.setup(&SetupInput {
        username: "admin".into(),
        display_name: "Alex Admin".into(),
        password: "admin passphrase 1".into(),
        clinic_name: None,
    })
    .unwrap();
    app
}

fn add_client(app: &mut App, first: &str) -> String {
    app.logged_in_store()
        .unwrap()
        .create_client(&ClientFields {
            first_name: first.into(),
            last_name: "Backup".into(),
            ..Default::default()
        })
        .unwrap()
        .id
}

#[test]
fn a_backup_is_encrypted_verified_and_restores_the_old_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = admin_app(dir.path());
    add_client(&mut app, CANARY);

    let (reader, data) = app.backup_source().unwrap();
    let mut steps = Vec::new();
    let report = reader.backup(&data, &mut |p| steps.push(p)).unwrap();
    drop(reader);
    assert!(report.rows_verified > 0);
    assert_eq!(steps.last().map(|p| p.done == p.total), Some(true));
    let bytes = std::fs::read(&report.backup.path).unwrap();
    assert!(
        !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
        "backup in plaintext"
    );
    // The key file travels with the backups, so the folder alone (plus a password or the
    // recovery key) is enough to get the records back.
    assert_eq!(
        std::fs::read(dir.path().join("backups/keys.json")).unwrap(),
        std::fs::read(dir.path().join("keys.json")).unwrap()
    );

    // Something happens after the backup; the restore takes it away again.
    let later = add_client(&mut app, "Later");
    let status = app.restore_backup(&report.backup.name).unwrap();
    assert!(status.ready, "still logged in");
    let store = app.logged_in_store().unwrap();
    assert_eq!(
        store.get_client(&later).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(store.list_clients(&Default::default()).unwrap().total, 1);
    let restored: i64 = store
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'backup.restore'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(restored, 1);
    // What was replaced was kept.
    let list = app.list_backups().unwrap();
    assert!(list.iter().any(|b| b.before_restore), "{list:?}");
    assert!(
        app.logged_in_store()
            .unwrap()
            .verify_audit()
            .unwrap()
            .intact
    );
}

#[test]
fn a_damaged_backup_is_refused_and_the_database_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = admin_app(dir.path());
    add_client(&mut app, "Kept");
    let (reader, data) = app.backup_source().unwrap();
    let report = reader.backup(&data, &mut |_| {}).unwrap();
    drop(reader);
    let mut bytes = std::fs::read(&report.backup.path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&report.backup.path, bytes).unwrap();
    let err = app.restore_backup(&report.backup.name).unwrap_err();
    assert!(err.message.contains("failed its check"), "{}", err.message);
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .list_clients(&Default::default())
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        app.restore_backup("../../etc/passwd")
            .unwrap_err()
            .field
            .as_deref(),
        Some("backup")
    );
}

#[test]
fn only_administrators_back_up_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = admin_app(dir.path());
    app.add_user(&NewUser {
        username: "mia".into(),
        display_name: "Mia Manager".into(),
        role: Some(Role::Manager),
        password: "mia password 1".into(),
    })
    .unwrap();
    app.logout();
    app.login("mia", "mia password 1").unwrap();
    assert_eq!(app.backup_source().unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(app.list_backups().unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(
        app.restore_backup("x").unwrap_err().code,
        ErrorCode::Forbidden
    );
}

#[test]
fn the_schedule_backs_up_when_due_and_closing_backs_up_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = admin_app(dir.path());
    let (reader, data) = app.scheduled_backup_source().expect("no backup yet: due");
    reader.backup_scheduled(&data, &mut |_| {}).unwrap();
    drop(reader);
    assert!(
        app.scheduled_backup_source().is_none(),
        "just backed up: not due"
    );
    app.backup_on_close().unwrap().unwrap();
    assert_eq!(backup::list_in(dir.path()).unwrap().len(), 2);
    app.logout();
    assert!(
        app.backup_on_close().is_none(),
        "nobody logged in: nothing to back up with"
    );
}

/// Every folder and file under `dir` with a mode that lets others in, as `path mode`.
fn open_to_others(dir: &std::path::Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            out.push(format!("{} {mode:o}", path.display()));
        }
        if path.is_dir() {
            out.extend(open_to_others(&path));
        }
    }
    out
}

#[test]
fn a_new_data_folder_and_everything_in_it_are_readable_by_its_user_alone() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    // Where the app makes it on a first run: folders that are not there yet.
    let dir = home.path().join("share/stillpoint");
    let mut app = admin_app(&dir);
    add_client(&mut app, CANARY);
    let (reader, data) = app.backup_source().unwrap();
    let report = reader.backup(&data, &mut |_| {}).unwrap();
    drop(reader);
    assert!(std::path::Path::new(&report.backup.path).exists());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n == "stillpoint.db-wal"), "{names:?}");
    assert_eq!(open_to_others(&dir), Vec::<String>::new());
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}
