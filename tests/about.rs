//! The About screen's facts from the core, through `App` as the shell uses it: the version,
//! the schema the database is at, the data and backups folders in use; every role may read
//! them once logged in, nobody before. The folder the "Open folder" button opens is named by
//! the core (made if it is not there yet), never taken from the page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use stillpoint::security::gate::{Folder, SetupInput};
use stillpoint::security::keys::DEFAULT_KDF;
use stillpoint::security::users::NewUser;
use stillpoint::security::users::Role;
use stillpoint::{App, ErrorCode};

fn set_up(dir: &std::path::Path) -> App {
    let mut app = App::start_with(
        dir.to_path_buf(),
        stillpoint::db::system_clock(),
        DEFAULT_KDF,
    );
    app.setup(&SetupInput {
        username: "admin".into(),
        display_name: "Alex Admin".into(),
        password: "admin passphrase 1".into(),
        clinic_name: None,
    })
    .unwrap();
    app
}

#[test]
fn about_names_the_version_schema_and_folders_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = set_up(dir.path());
    let about = app.about().unwrap();
    assert_eq!(about.version, env!("CARGO_PKG_VERSION"));
    let known = i64::try_from(stillpoint::db::schema_version()).unwrap();
    assert_eq!((about.schema_version, about.schema_known), (known, known));
    assert!(known >= 17);
    assert_eq!(about.data_dir, dir.path().display().to_string());
    assert_eq!(
        about.database_file.as_deref(),
        Some(dir.path().join("stillpoint.db").to_str().unwrap())
    );
    assert_eq!(
        about.backups_dir.as_deref(),
        Some(dir.path().join("backups").to_str().unwrap())
    );
    assert_eq!(about.backups_note, None);
    assert!(about.storage.contains("This computer"), "{}", about.storage);

    // The backups folder is made when asked for before the first backup.
    let backups = dir.path().join("backups");
    assert!(!backups.exists());
    assert_eq!(app.folder(Folder::Backups).unwrap(), backups);
    assert!(backups.is_dir());
    assert_eq!(app.folder(Folder::Data).unwrap(), dir.path());
}

#[test]
fn every_role_reads_about_and_nobody_before_logging_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = set_up(dir.path());
    app.add_user(&NewUser {
        username: "jo.park".into(),
        display_name: "Jo Park".into(),
        role: Some(Role::Therapist),
        password: "jo password 123".into(),
    })
    .unwrap();
    app.logout();
    assert_eq!(app.about().unwrap_err().code, ErrorCode::Locked);
    assert_eq!(
        app.folder(Folder::Data).unwrap_err().code,
        ErrorCode::Locked
    );
    app.login("jo.park", "jo password 123").unwrap();
    assert_eq!(
        app.about().unwrap().data_dir,
        dir.path().display().to_string()
    );
    assert_eq!(app.folder(Folder::Data).unwrap(), dir.path());
}

#[test]
fn the_folder_is_chosen_by_name_only() {
    // The page sends `data` or `backups`; a path, or anything else, does not decode.
    let ok: Folder = stillpoint::ipc::decode(&serde_json::json!("backups")).unwrap();
    assert_eq!(ok, Folder::Backups);
    for bad in [
        serde_json::json!("/etc"),
        serde_json::json!("../backups"),
        serde_json::json!({"path": "/"}),
    ] {
        assert!(stillpoint::ipc::decode::<Folder>(&bad).is_err(), "{bad}");
    }
}
