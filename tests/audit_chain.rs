//! The audit log as a hash chain, on both engines: intact after ordinary use, broken exactly
//! where an entry was changed or removed behind the app's back, and the same entries give
//! the same hashes on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::{Engine, Place};
use sha2::{Digest, Sha256};
use stillpoint::domain::clinic_settings::ClinicSettings;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::domain::techniques::TechniqueInput;
use stillpoint::domain::techniques::seeded::{SCALP, TRIGGER_POINT};
use stillpoint::domain::vocab::RedFlag;
use stillpoint::{ClientFields, ErrorCode, OpenOptions, Store, args, db::database_path};

fn store_with_entries(engine: Engine, n: usize) -> (Place, Store) {
    let place = Place::new(engine);
    let mut s = Store::open(place.options()).unwrap();
    for i in 0..n {
        s.create_client(&ClientFields {
            first_name: format!("Client{}", "x".repeat(i + 1)),
            last_name: "Test".into(),
            ..Default::default()
        })
        .unwrap();
    }
    (place, s)
}

/// Raw access behind the app's back. On SQLite, someone with the file can simply drop the
/// triggers; on PostgreSQL, the cluster's superuser can switch them off.
fn tamper(place: &Place, sql: &str) {
    match place {
        Place::Dir(dir) => {
            let c = rusqlite::Connection::open(database_path(dir.path())).unwrap();
            c.execute_batch(
                "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
            )
            .unwrap();
            c.execute_batch(sql).unwrap();
        }
        Place::Pg { conninfo, .. } => {
            let mut c = postgres::Client::connect(conninfo, postgres::NoTls).unwrap();
            assert!(
                c.query_one("SELECT current_setting('is_superuser')", &[])
                    .unwrap()
                    .get::<_, String>(0)
                    == "on",
                "the tampering connection must be the cluster's superuser"
            );
            c.batch_execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
                .unwrap();
            c.batch_execute(sql).unwrap();
        }
    }
}

fn an_untouched_log_verifies(engine: Engine) {
    let (_p, s) = store_with_entries(engine, 5);
    let v = s.verify_audit().unwrap();
    assert!(v.intact, "{}", v.message);
    assert_eq!(v.entries, 5);
    assert_eq!(v.first_broken_seq, None);
    assert_eq!(v.message, "All 5 audit entries are intact.");
}

fn an_edited_entry_breaks_the_chain_at_that_entry(engine: Engine) {
    let (p, s) = store_with_entries(engine, 5);
    tamper(
        &p,
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3",
    );
    let v = s.verify_audit().unwrap();
    assert!(!v.intact);
    assert_eq!(v.first_broken_seq, Some(3));
    assert!(v.message.starts_with("Entry 3 "), "{}", v.message);
}

fn a_deleted_entry_breaks_the_chain_at_the_next_one(engine: Engine) {
    let (p, s) = store_with_entries(engine, 5);
    tamper(&p, "DELETE FROM audit_log WHERE seq = 2");
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_broken_seq, Some(3));
    assert!(v.message.contains("removed"), "{}", v.message);
    assert_eq!(v.entries, 2, "stops at the first broken link");
}

fn entries_removed_from_the_end_are_noticed(engine: Engine) {
    let (p, s) = store_with_entries(engine, 5);
    tamper(&p, "DELETE FROM audit_log WHERE seq >= 4");
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_broken_seq, Some(4));
    assert!(v.message.contains("removed from the end"), "{}", v.message);
}

fn a_rehashed_forgery_without_the_chain_still_fails(engine: Engine) {
    // Changing an entry and writing any hash other than the chained one is caught; and
    // changing the summary of the first entry breaks entry 1.
    let (p, s) = store_with_entries(engine, 3);
    tamper(
        &p,
        "UPDATE audit_log SET summary = 'nothing happened', hash = 'ab' WHERE seq = 1",
    );
    assert_eq!(s.verify_audit().unwrap().first_broken_seq, Some(1));
}

fn the_app_connection_cannot_change_or_remove_an_entry(engine: Engine) {
    // Without the superuser's (or the file owner's) way round the triggers, the log is
    // append-only, and the refusal reads the same on both engines.
    let (_p, s) = store_with_entries(engine, 3);
    for sql in [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1",
        "UPDATE audit_log SET hash = '' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
    ] {
        let err = s.sql().execute(sql, args![]).unwrap_err();
        assert_eq!(err.code, ErrorCode::Storage, "{sql}: {err:?}");
        assert_eq!(
            err.message,
            "The database could not complete the request (the audit log is append-only). Nothing was changed.",
            "{sql}"
        );
    }
    let v = s.verify_audit().unwrap();
    assert!(v.intact, "{}", v.message);
    assert_eq!(v.entries, 3);
}

// SQLite only: migration 0005 upgrades a file written before the chain existed; a clinic
// server starts from the PostgreSQL baseline, which already has the chain.
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
        .sql()
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", args![])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

/// One row of the log as stored: (seq, at, actor, action, entity, entity_id, summary, hash).
type Entry = (i64, String, String, String, String, String, String, String);

fn log(s: &Store) -> Vec<Entry> {
    s.sql()
        .all(
            "SELECT seq, at, actor, action, entity, entity_id, summary, hash FROM audit_log
             ORDER BY seq",
            args![],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .unwrap()
}

/// The chain as src/db/audit.rs documents it, written out again here: SHA-256 (hex) over
/// the previous entry's hash ("" before the first) and the entry's at, actor, action,
/// entity, entity_id and summary, each preceded by its length in bytes (u64, little-endian).
fn chain(entries: &[Entry]) -> Vec<String> {
    let mut prev = String::new();
    entries
        .iter()
        .map(|(_, at, actor, action, entity, id, summary, _)| {
            let mut h = Sha256::new();
            for part in [&prev, at, actor, action, entity, id, summary] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
            prev = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            prev.clone()
        })
        .collect()
}

/// The same clinic's morning on one engine: the letterhead, a seeded technique renamed
/// (entries whose record ids are fixed), then a client, an intake with a red flag and its
/// acknowledgement, a note started, saved, signed and amended (records with new random ids).
fn the_same_writes(engine: Engine) -> (Place, Store) {
    let place = Place::new(engine);
    let mut s = Store::open(
        place
            .options()
            .clock(common::fixed_clock())
            .actor("Zoë Ní Bhriain, LMT"),
    )
    .unwrap();
    s.update_clinic_settings(&ClinicSettings {
        name: "Harbour Light Massage".into(),
        address: "4 Quay Street\nGalway".into(),
        phone: "+353 91 555 0100".into(),
    })
    .unwrap();
    s.update_technique(
        SCALP,
        &TechniqueInput {
            name: "Scalp massage (Kopfmassage)".into(),
            description: "Slow circles; ☺ pressure".into(),
        },
    )
    .unwrap();
    let client = s
        .create_client(&ClientFields {
            first_name: "Zoë".into(),
            last_name: "O'Brien".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let intake = s
        .record_intake(
            &client,
            &IntakeInput {
                assessed_on: "2026-11-01".into(),
                headache_days: Some(8.0),
                usual_intensity: Some(6.0),
                red_flags: vec![RedFlag::Thunderclap],
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    s.acknowledge_red_flags(&intake, "Referred to GP; cleared on 3 Nov")
        .unwrap();
    let note = s.start_session(&client).unwrap().id;
    s.save_session_draft(
        &note,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            duration_minutes: Some(60.0),
            subjective: "Tension at the café".into(),
            pain_before: Some(6.0),
            pain_after: Some(3.0),
            techniques: vec![SessionTechniqueInput {
                technique_id: TRIGGER_POINT.into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();
    s.sign_session(&note).unwrap();
    s.amend_session(&note, "Late entry — 😀 noted", "Jaw clenching at night")
        .unwrap();
    (place, s)
}

/// The random record ids in `entries` (UUID v7, not a seeded technique's), in the order
/// they first appear.
fn ids_in_order(entries: &[Entry]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (.., id, _, _) in entries {
        if uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 7)
            && !ids.contains(id)
            && id != SCALP
        {
            ids.push(id.clone());
        }
    }
    ids
}

/// `entries` with every record id (in the entity_id or inside the summary) replaced by the
/// id at the same place in `to`'s order, and the stored hash left as it was.
fn with_ids_of(entries: &[Entry], from: &[String], to: &[String]) -> Vec<Entry> {
    let map: HashMap<&str, &str> = from
        .iter()
        .map(String::as_str)
        .zip(to.iter().map(String::as_str))
        .collect();
    entries
        .iter()
        .map(|(seq, at, actor, action, entity, id, summary, hash)| {
            let mut summary = summary.clone();
            for (a, b) in &map {
                summary = summary.replace(a, b);
            }
            (
                *seq,
                at.clone(),
                actor.clone(),
                action.clone(),
                entity.clone(),
                map.get(id.as_str())
                    .map_or_else(|| id.clone(), |b| (*b).to_owned()),
                summary,
                hash.clone(),
            )
        })
        .collect()
}

/// Record ids are random (UUID v7), so two runs can never give the same hashes for a
/// record's entries; everything else about them must be the same. So: each engine's chain
/// verifies and is exactly the documented hash of its own fields; the entries are the same
/// on both once each engine's ids are matched by the order they appear in; the entries
/// before the first random id carry byte-identical hashes; and PostgreSQL's entries, given
/// SQLite's ids, hash to exactly the hashes SQLite stored (and the other way round).
#[test]
fn the_same_entries_give_the_same_hashes_on_both_engines() {
    let (_lite_place, lite) = the_same_writes(Engine::Sqlite);
    let (_pg_place, pg) = the_same_writes(Engine::Postgres);
    let (lite_log, pg_log) = (log(&lite), log(&pg));

    for (s, entries) in [(&lite, &lite_log), (&pg, &pg_log)] {
        let v = s.verify_audit().unwrap();
        assert!(v.intact, "{:?}: {}", s.engine(), v.message);
        assert_eq!(v.entries, 9, "{:?}", s.engine());
        let stored: Vec<String> = entries.iter().map(|e| e.7.clone()).collect();
        assert_eq!(chain(entries), stored, "{:?}", s.engine());
    }

    let (lite_ids, pg_ids) = (ids_in_order(&lite_log), ids_in_order(&pg_log));
    assert_eq!(
        lite_ids.len(),
        3,
        "a client, an intake, a note: {lite_ids:?}"
    );
    assert_eq!(pg_ids.len(), lite_ids.len(), "{pg_ids:?}");
    assert!(lite_ids.iter().all(|id| !pg_ids.contains(id)));

    // The same entries, field for field, once the ids are matched.
    let pg_as_lite = with_ids_of(&pg_log, &pg_ids, &lite_ids);
    // (seq, at, actor, action, entity, entity_id, summary): everything but the hash.
    let fields = |e: &[Entry]| -> Vec<Entry> {
        e.iter()
            .map(|entry| {
                let mut entry = entry.clone();
                entry.7.clear();
                entry
            })
            .collect()
    };
    assert_eq!(fields(&pg_as_lite), fields(&lite_log));
    assert_eq!(
        lite_log
            .iter()
            .map(|e| (e.0, e.3.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (1, "settings.update"),
            (2, "technique.update"),
            (3, "client.create"),
            (4, "intake.create"),
            (5, "intake.acknowledge_red_flags"),
            (6, "session.create"),
            (7, "session.save_draft"),
            (8, "session.sign"),
            (9, "session.amend"),
        ]
    );
    assert!(
        lite_log
            .iter()
            .all(|e| e.1 == "2026-11-23T12:00:00.000Z" && e.2 == "Zoë Ní Bhriain, LMT")
    );

    // Before the first random id, the hashes themselves are the same.
    let fixed = lite_log
        .iter()
        .take_while(|e| !lite_ids.contains(&e.5))
        .count();
    assert_eq!(fixed, 2, "the letterhead and the technique");
    assert_eq!(
        pg_log[..fixed].iter().map(|e| &e.7).collect::<Vec<_>>(),
        lite_log[..fixed].iter().map(|e| &e.7).collect::<Vec<_>>()
    );

    // Given the same ids, the same hashes all the way down, in both directions.
    let lite_hashes: Vec<String> = lite_log.iter().map(|e| e.7.clone()).collect();
    let pg_hashes: Vec<String> = pg_log.iter().map(|e| e.7.clone()).collect();
    assert_eq!(chain(&pg_as_lite), lite_hashes);
    assert_eq!(
        chain(&with_ids_of(&lite_log, &lite_ids, &pg_ids)),
        pg_hashes
    );
    assert_ne!(lite_hashes[fixed..], pg_hashes[fixed..], "the ids differ");
}

crate::on_both_engines!(
    an_untouched_log_verifies,
    an_edited_entry_breaks_the_chain_at_that_entry,
    a_deleted_entry_breaks_the_chain_at_the_next_one,
    entries_removed_from_the_end_are_noticed,
    a_rehashed_forgery_without_the_chain_still_fails,
    the_app_connection_cannot_change_or_remove_an_entry,
);
