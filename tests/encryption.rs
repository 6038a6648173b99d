//! Encryption at rest: nothing a client told us appears in the bytes of the database or its
//! write-ahead log, and the file opens only with its key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use stillpoint::domain::sessions::SessionInput;
use stillpoint::security::keys::DbKey;
use stillpoint::{ClientFields, ErrorCode, OpenOptions, Store, db::database_path};

const CANARY_NAME: &str = "Quillonbeck";
const CANARY_NOTE: &str = "zephyrine tension behind the left orbit";

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn write_canary(s: &mut Store) {
    let id = s
        .create_client(&ClientFields {
            first_name: CANARY_NAME.into(),
            last_name: "Canary".into(),
            notes: CANARY_NOTE.into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let session = s.start_session(&id).unwrap().id;
    s.save_session_draft(
        &session,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            subjective: CANARY_NOTE.into(),
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn no_plaintext_in_the_database_or_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let mut s = Store::open(OpenOptions::file(database_path(dir.path())).key(key.clone())).unwrap();
    write_canary(&mut s);
    // While open, the pages are in the WAL; after close, in the database file.
    let open_files = files(dir.path());
    assert!(
        open_files
            .iter()
            .any(|(n, b)| n.ends_with("-wal") && !b.is_empty())
    );
    for (name, bytes) in open_files {
        assert!(
            !contains(&bytes, CANARY_NAME),
            "{name} holds the name in plaintext"
        );
        assert!(
            !contains(&bytes, CANARY_NOTE),
            "{name} holds the note in plaintext"
        );
    }
    drop(s);
    for (name, bytes) in files(dir.path()) {
        assert!(
            !contains(&bytes, CANARY_NAME),
            "{name} holds the name in plaintext"
        );
        assert!(
            !contains(&bytes, CANARY_NOTE),
            "{name} holds the note in plaintext"
        );
    }
    // It reopens with its key, and the data is there.
    let s = Store::open(OpenOptions::file(database_path(dir.path())).key(key)).unwrap();
    let page = s
        .list_clients(&stillpoint::ClientQuery {
            search: CANARY_NAME.into(),
            include_archived: false,
            limit: 10,
            offset: 0,
        })
        .unwrap();
    assert_eq!(page.total, 1);
}

#[test]
fn the_same_workload_unencrypted_does_show_the_canary() {
    // The check above can fail: without a key the words are plainly in the file.
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    write_canary(&mut s);
    drop(s);
    let all: Vec<u8> = files(dir.path()).into_iter().flat_map(|(_, b)| b).collect();
    assert!(contains(&all, CANARY_NAME));
}

#[test]
fn a_wrong_key_or_no_key_is_refused_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    let mut s = Store::open(OpenOptions::file(&path).key(DbKey::generate().unwrap())).unwrap();
    write_canary(&mut s);
    drop(s);
    let before = std::fs::read(&path).unwrap();
    let Err(err) = Store::open(OpenOptions::file(&path).key(DbKey::generate().unwrap())) else {
        panic!("a wrong key opened the database")
    };
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(
        err.message.contains("could not be opened with this key"),
        "{}",
        err.message
    );
    let Err(err) = Store::open(OpenOptions::file(&path)) else {
        panic!("no key opened the database")
    };
    assert!(err.message.contains("encrypted"), "{}", err.message);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
