//! A full disk while saving: SQLite's page-count limit stands in for a full disk. The save
//! is refused with a clear error, what was saved before is intact, and saving works again
//! once there is room.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use stillpoint::domain::sessions::SessionInput;
use stillpoint::{ClientFields, ErrorCode, OpenOptions, Store, db::database_path};

fn client(s: &mut Store, first: &str, notes: String) -> stillpoint::Result<String> {
    s.create_client(&ClientFields {
        first_name: first.into(),
        last_name: "Full".into(),
        notes,
        ..Default::default()
    })
    .map(|c| c.id)
}

#[test]
fn a_full_disk_refuses_the_save_clearly_and_keeps_what_was_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    let kept = client(&mut s, "Kept", "saved before the disk filled".into()).unwrap();
    let session = s.start_session(&kept).unwrap().id;
    let pages: i64 = s
        .conn()
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    s.conn()
        .unwrap()
        .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
        .unwrap();

    // Allow a little room, then fill it: clients are saved until the disk is full.
    s.conn()
        .unwrap()
        .query_row(
            &format!("PRAGMA max_page_count = {}", pages + 12),
            [],
            |_| Ok(()),
        )
        .unwrap();
    let mut saved = Vec::new();
    let err = loop {
        match client(&mut s, &format!("Fill{}", saved.len()), "n".repeat(4_000)) {
            Ok(id) => saved.push(id),
            Err(e) => break e,
        }
        assert!(saved.len() < 200, "the limit never bit");
    };
    assert!(!saved.is_empty());
    assert_eq!(err.code, ErrorCode::DiskFull);
    assert_eq!(
        err.message,
        "The disk is full, so nothing was saved. Free some space and save again."
    );
    let err = s
        .save_session_draft(
            &session,
            &SessionInput {
                started_at: "2026-11-20T10:00:00Z".into(),
                subjective: "s".repeat(19_000),
                objective: "o".repeat(19_000),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::DiskFull);

    // Everything from before is there and the file is sound.
    assert_eq!(
        s.get_client(&kept).unwrap().fields.notes,
        "saved before the disk filled"
    );
    assert_eq!(s.get_session(&session).unwrap().subjective, "");
    let ok: String = s
        .conn()
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    assert!(s.verify_audit().unwrap().intact);
    let names: i64 = s
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM clients WHERE first_name = 'Lost'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(names, 0);

    // Room again: saving works.
    s.conn()
        .unwrap()
        .query_row("PRAGMA max_page_count = 1073741823", [], |_| Ok(()))
        .unwrap();
    client(&mut s, "Later", "n".repeat(4_000)).unwrap();
}
