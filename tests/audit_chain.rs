//! The audit log as a hash chain: intact after ordinary use, and broken exactly where an
//! entry was changed or removed through raw SQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rusqlite::Connection;
use stillpoint::{ClientFields, OpenOptions, Store, db::database_path};

fn store_with_entries(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    for i in 0..n {
        s.create_client(&ClientFields {
            first_name: format!("Client{}", "x".repeat(i + 1)),
            last_name: "Test".into(),
            ..Default::default()
        })
        .unwrap();
    }
    (dir, s)
}

/// Raw access, as someone with the file would have it: the triggers can simply be dropped.
fn tamper(dir: &tempfile::TempDir, sql: &str) {
    let c = Connection::open(database_path(dir.path())).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn an_untouched_log_verifies() {
    let (_d, s) = store_with_entries(5);
    let v = s.verify_audit().unwrap();
    assert!(v.intact, "{}", v.message);
    assert_eq!(v.entries, 5);
    assert_eq!(v.first_broken_seq, None);
    assert_eq!(v.message, "All 5 audit entries are intact.");
}

#[test]
fn an_edited_entry_breaks_the_chain_at_that_entry() {
    let (d, s) = store_with_entries(5);
    tamper(
        &d,
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3",
    );
    let v = s.verify_audit().unwrap();
    assert!(!v.intact);
    assert_eq!(v.first_broken_seq, Some(3));
    assert!(v.message.starts_with("Entry 3 "), "{}", v.message);
}

#[test]
fn a_deleted_entry_breaks_the_chain_at_the_next_one() {
    let (d, s) = store_with_entries(5);
    tamper(&d, "DELETE FROM audit_log WHERE seq = 2");
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_broken_seq, Some(3));
    assert!(v.message.contains("removed"), "{}", v.message);
    assert_eq!(v.entries, 2, "stops at the first broken link");
}

#[test]
fn entries_removed_from_the_end_are_noticed() {
    let (d, s) = store_with_entries(5);
    tamper(&d, "DELETE FROM audit_log WHERE seq >= 4");
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_broken_seq, Some(4));
    assert!(v.message.contains("removed from the end"), "{}", v.message);
}

#[test]
fn a_rehashed_forgery_without_the_chain_still_fails() {
    // Changing an entry and writing any hash other than the chained one is caught; and
    // changing the summary of the first entry breaks entry 1.
    let (d, s) = store_with_entries(3);
    tamper(
        &d,
        "UPDATE audit_log SET summary = 'nothing happened', hash = 'ab' WHERE seq = 1",
    );
    assert_eq!(s.verify_audit().unwrap().first_broken_seq, Some(1));
}

#[test]
fn entries_written_before_the_chain_existed_are_chained_by_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    {
        // Schema 4, with audit entries as the version before the chain wrote them.
        let c = stillpoint::store::create_at_schema_version(&path, 4).unwrap();
        for i in 1..=4 {
            c.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, summary)
                 VALUES (?1, 'local', 'client.create', 'client', ?2, 'created the client record')",
                rusqlite::params![format!("2026-01-0{i}T10:00:00.000Z"), format!("id-{i}")],
            )
            .unwrap();
        }
    }
    let mut s = Store::open(OpenOptions::file(&path)).unwrap();
    s.create_client(&ClientFields {
        first_name: "After".into(),
        last_name: "Upgrade".into(),
        ..Default::default()
    })
    .unwrap();
    let v = s.verify_audit().unwrap();
    assert!(v.intact, "{}", v.message);
    assert_eq!(v.entries, 5);
    // And the log is append-only again.
    let err = s
        .conn()
        .unwrap()
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}
