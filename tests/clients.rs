//! Client records against real SQLite files: the whole path from validation to the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use stillpoint::{
    App, ClientFields, ClientQuery, ErrorCode, OpenOptions, Pressure, Store, db::database_path,
};

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

fn open(dir: &Path) -> Store {
    Store::open(
        OpenOptions::file(database_path(dir))
            .clock(Arc::new(fixed_now))
            .actor("therapist-1"),
    )
    .unwrap()
}

fn zoe() -> ClientFields {
    ClientFields {
        first_name: "  Zoë ".into(),
        last_name: "O'Brien".into(),
        preferred_name: "Zo".into(),
        date_of_birth: Some("1988-04-02".into()),
        phone: "+44 20 7946 0958".into(),
        email: "zoe@example.org".into(),
        address: "1 Calm Street\nLeeds".into(),
        emergency_contact_name: "Sam O'Brien".into(),
        emergency_contact_phone: "07700 900123".into(),
        physician_name: "Dr Adaeze Okafor".into(),
        physician_contact: "Riverside Practice, 0113 496 0000".into(),
        occupation: "Software developer".into(),
        posture_notes: "Forward head posture at the desk".into(),
        medical_history: "Migraine without aura since 2015".into(),
        medications_preventive: "Propranolol 40 mg".into(),
        medications_acute: "Sumatriptan 50 mg".into(),
        allergies: "Lavender oil".into(),
        contraindications: "Recent whiplash (2026-09)".into(),
        contraindication_flags: vec![stillpoint::domain::vocab::Contraindication::RecentNeckInjury],
        preferred_pressure: Some(Pressure::Moderate),
        areas_to_avoid: "Left shoulder".into(),
        positioning: "Side-lying preferred".into(),
        consent_version: "v3".into(),
        consent_date: Some("2026-11-01".into()),
        notes: "Prefers morning appointments".into(),
    }
}

fn minimal(first: &str, last: &str) -> ClientFields {
    ClientFields {
        first_name: first.into(),
        last_name: last.into(),
        ..Default::default()
    }
}

fn count(dir: &Path, table: &str) -> i64 {
    let conn = Connection::open(database_path(dir)).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn search(store: &Store, text: &str) -> Vec<String> {
    store
        .list_clients(&ClientQuery {
            search: text.into(),
            ..Default::default()
        })
        .unwrap()
        .items
        .into_iter()
        .map(|c| format!("{} {}", c.first_name, c.last_name))
        .collect()
}

#[test]
fn a_client_round_trips_through_the_file_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let mut store = open(dir.path());
        let created = store.create_client(&zoe()).unwrap();
        assert_eq!(created.fields.first_name, "Zoë", "trimmed");
        assert_eq!(created.age, Some(38));
        assert_eq!(created.version, 1);
        assert_eq!(created.created_at, "2026-11-23T09:30:00.000Z");
        assert!(
            uuid::Uuid::parse_str(&created.id)
                .unwrap()
                .get_version_num()
                == 7
        );
        created.id
    };
    let store = open(dir.path());
    let again = store.get_client(&id).unwrap();
    let mut expected = zoe();
    expected.first_name = "Zoë".into();
    assert_eq!(again.fields, expected);
}

#[test]
fn connections_use_wal_foreign_keys_and_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let conn = store.conn().unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    let busy: i64 = conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert_eq!(sync, 2, "FULL");
    assert!(busy >= 1000);
}

#[test]
fn invalid_input_names_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let huge = "x".repeat(1_000_000);
    let cases: Vec<(&str, ClientFields)> = vec![
        ("first_name", minimal("   ", "Smith")),
        ("last_name", minimal("Ann", "")),
        ("first_name", minimal(&huge, "Smith")),
        ("first_name", minimal("Ann\u{0}", "Smith")),
        ("first_name", minimal("12345", "Smith")),
        (
            "date_of_birth",
            ClientFields {
                date_of_birth: Some("2026-11-24".into()),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "date_of_birth",
            ClientFields {
                date_of_birth: Some("1900-01-01".into()),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "date_of_birth",
            ClientFields {
                date_of_birth: Some("17/03/1984".into()),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "email",
            ClientFields {
                email: "ann at example".into(),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "phone",
            ClientFields {
                phone: "'; DROP TABLE clients; --".into(),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "emergency_contact_phone",
            ClientFields {
                emergency_contact_phone: "123".into(),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "notes",
            ClientFields {
                notes: "y".repeat(10_001),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "consent_date",
            ClientFields {
                consent_version: "v3".into(),
                ..minimal("Ann", "Smith")
            },
        ),
        (
            "consent_version",
            ClientFields {
                consent_date: Some("2026-01-01".into()),
                ..minimal("Ann", "Smith")
            },
        ),
    ];
    for (field, input) in cases {
        let err = store.create_client(&input).unwrap_err();
        assert_eq!(err.code, ErrorCode::Validation, "{field}: {err:?}");
        assert_eq!(err.field.as_deref(), Some(field), "{}", err.message);
        assert!(!err.message.is_empty());
    }
    assert_eq!(count(dir.path(), "clients"), 0);
    assert_eq!(count(dir.path(), "audit_log"), 0);
}

#[test]
fn hostile_and_unicode_text_is_stored_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let names = [
        ("<script>alert(1)</script>", "'; DROP TABLE clients; --"),
        ("<img src=x onerror=alert(1)>", "Smith"),
        ("😀 Sunny", "Ray 🌞"),
        ("محمد", "العلي"),
        ("王", "小明"),
        ("Ævar", "Þórsson"),
    ];
    for (first, last) in names {
        let c = store.create_client(&minimal(first, last)).unwrap();
        let back = store.get_client(&c.id).unwrap();
        assert_eq!(back.fields.first_name, first);
        assert_eq!(back.fields.last_name, last);
    }
    assert_eq!(count(dir.path(), "clients"), names.len() as i64);
    assert_eq!(search(&store, "drop table").len(), 1);
    assert_eq!(search(&store, "محمد").len(), 1);
    assert_eq!(search(&store, "小明").len(), 1);
    assert_eq!(search(&store, "thorsson").len(), 1);
}

#[test]
fn search_finds_the_start_of_any_name_word_ignoring_accents_case_and_punctuation() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    store.create_client(&zoe()).unwrap();
    store
        .create_client(&minimal("Mary-Jane", "van der Berg"))
        .unwrap();
    store.create_client(&minimal("José", "Núñez")).unwrap();
    store.create_client(&minimal("Joseph", "Brown")).unwrap();

    assert_eq!(search(&store, "zoe"), vec!["Zoë O'Brien"]);
    assert_eq!(search(&store, "obrien"), vec!["Zoë O'Brien"]);
    assert_eq!(search(&store, "O'BRI"), vec!["Zoë O'Brien"]);
    assert_eq!(
        search(&store, "brien"),
        vec!["Zoë O'Brien"],
        "after the apostrophe"
    );
    assert_eq!(search(&store, "o bri"), vec!["Zoë O'Brien"]);
    // The start of a word, not any fragment: "rie" is inside O'Brien, and finds nobody.
    assert!(search(&store, "rie").is_empty());
    assert_eq!(search(&store, "der"), vec!["Mary-Jane van der Berg"]);
    assert_eq!(search(&store, "jane berg"), vec!["Mary-Jane van der Berg"]);
    assert!(
        search(&store, "jane nunez").is_empty(),
        "every word must match"
    );
    assert_eq!(search(&store, "zo"), vec!["Zoë O'Brien"], "preferred name");
    assert_eq!(search(&store, "maryjane"), vec!["Mary-Jane van der Berg"]);
    assert_eq!(search(&store, "vanderberg"), vec!["Mary-Jane van der Berg"]);
    assert_eq!(search(&store, "nunez jo"), vec!["José Núñez"]);
    // ordered by last name, then first name
    assert_eq!(search(&store, "jos"), vec!["Joseph Brown", "José Núñez"]);
    assert!(search(&store, "xyz").is_empty());
    assert_eq!(search(&store, "").len(), 4);
    // a search of punctuation only matches everything, like an empty one
    assert_eq!(search(&store, "%_'").len(), 4);

    let err = store
        .list_clients(&ClientQuery {
            search: "a".repeat(201),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("search"));
}

#[test]
fn the_list_pages_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    for i in 0..12 {
        store
            .create_client(&minimal("Ann", &format!("Client{i:02}")))
            .unwrap();
    }
    let page = store
        .list_clients(&ClientQuery {
            limit: 5,
            offset: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 12);
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].last_name, "Client10");
    let capped = store
        .list_clients(&ClientQuery {
            limit: 100_000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(capped.items.len(), 12);
}

#[test]
fn update_changes_fields_audits_them_and_refuses_stale_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let c = store.create_client(&zoe()).unwrap();
    let mut edit = c.fields.clone();
    edit.phone = "0113 496 0001".into();
    edit.email = "".into();
    let updated = store.update_client(&c.id, c.version, &edit).unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.fields.phone, "0113 496 0001");

    // saving from the stale version 1 is refused, and nothing changes
    let mut stale = c.fields.clone();
    stale.last_name = "Overwritten".into();
    let err = store.update_client(&c.id, c.version, &stale).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(store.get_client(&c.id).unwrap().fields.last_name, "O'Brien");

    // an invalid edit names its field and changes nothing
    let mut bad = updated.fields.clone();
    bad.email = "nope".into();
    let err = store.update_client(&c.id, 2, &bad).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("email"));

    let trail = store.client_audit(&c.id).unwrap();
    let actions: Vec<_> = trail.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, vec!["client.create", "client.update"]);
    assert_eq!(trail[1].summary, "changed email, phone");
    assert_eq!(
        stillpoint::domain::clients::field_label("physician_name"),
        "Physician"
    );
    assert_eq!(trail[1].actor, "therapist-1");
    assert_eq!(trail[1].at, "2026-11-23T09:30:00.000Z");

    // saving without changes writes nothing
    let same = store.update_client(&c.id, 2, &updated.fields).unwrap();
    assert_eq!(same.version, 2);
    assert_eq!(store.client_audit(&c.id).unwrap().len(), 2);
}

#[test]
fn archive_hides_restore_returns_and_nothing_is_ever_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let c = store.create_client(&zoe()).unwrap();
    store.create_client(&minimal("Ann", "Smith")).unwrap();

    let archived = store.archive_client(&c.id).unwrap();
    assert!(archived.archived_at.is_some());
    assert_eq!(search(&store, "zoe"), Vec::<String>::new());
    let all = store
        .list_clients(&ClientQuery {
            search: "zoe".into(),
            include_archived: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.items.len(), 1);
    assert!(all.items[0].archived);

    // archived records are read-only until restored
    let err = store
        .update_client(&c.id, archived.version, &zoe())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(
        store.archive_client(&c.id).unwrap_err().code,
        ErrorCode::Conflict
    );

    let restored = store.restore_client(&c.id).unwrap();
    assert!(restored.archived_at.is_none());
    assert_eq!(search(&store, "zoe").len(), 1);

    // raw SQL cannot delete a client nor rewrite the audit log
    let conn = Connection::open(database_path(dir.path())).unwrap();
    assert!(conn.execute("DELETE FROM clients", []).is_err());
    assert!(
        conn.execute("UPDATE audit_log SET summary = 'x'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    assert_eq!(count(dir.path(), "clients"), 2);
    let actions: Vec<_> = store
        .client_audit(&c.id)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(
        actions,
        vec!["client.create", "client.archive", "client.restore"]
    );
}

#[test]
fn the_change_and_its_audit_entry_land_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    // Make the audit insert fail: the client insert before it must roll back too.
    store
        .conn()
        .unwrap()
        .execute_batch(
            "CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let err = store.create_client(&zoe()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    drop(store);
    assert_eq!(count(dir.path(), "clients"), 0);
    assert_eq!(count(dir.path(), "audit_log"), 0);
}

#[test]
fn unknown_and_malformed_ids_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    for id in [
        "",
        "nope",
        "'; DROP TABLE clients; --",
        &uuid::Uuid::now_v7().to_string(),
    ] {
        assert_eq!(store.get_client(id).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(
            store.archive_client(id).unwrap_err().code,
            ErrorCode::NotFound
        );
    }
}

#[test]
fn a_database_from_a_newer_version_refuses_to_open_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let path = database_path(dir.path());
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let err = Store::open(OpenOptions::file(&path)).err().unwrap();
    assert_eq!(err.code, ErrorCode::DatabaseTooNew);
    assert!(
        err.message.contains("newer version of Stillpoint"),
        "{}",
        err.message
    );
    let v: i64 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);

    // The app reports it instead of failing later
    let mut app = App::start_in(dir.path().to_path_buf());
    let status = app.status();
    assert!(!status.ready);
    assert_eq!(status.error.unwrap().code, ErrorCode::DatabaseTooNew);
    assert_eq!(
        app.logged_in_store().err().unwrap().code,
        ErrorCode::NotOpen
    );
}

#[test]
fn the_app_creates_its_data_folder_and_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("stillpoint");
    let mut app = App::start_in(data.clone());
    let status = app.status();
    assert_eq!(status.phase, stillpoint::Phase::Setup, "{:?}", status.error);
    assert!(status.database_file.ends_with("stillpoint.db"));
    app.setup(&stillpoint::security::gate::SetupInput {
        username: "admin".into(),
        display_name: "Alex Admin".into(),
        password: "a long passphrase".into(),
    })
    .unwrap();
    app.logged_in_store()
        .unwrap()
        .create_client(&zoe())
        .unwrap();
    assert!(data.join("stillpoint.db").exists());
    assert!(data.join("keys.json").exists());
}

#[test]
fn bulk_writes_land_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    store
        .bulk(|s| {
            s.create_client(&zoe())?;
            // A refused write inside leaves nothing behind, and the rest goes on.
            assert!(
                s.create_client(&ClientFields {
                    first_name: "".into(),
                    ..Default::default()
                })
                .is_err()
            );
            s.create_client(&zoe())?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.list_clients(&Default::default()).unwrap().total, 2);
    let failed: stillpoint::Result<()> = store.bulk(|s| {
        s.create_client(&zoe())?;
        Err(stillpoint::Error::conflict("stop"))
    });
    assert!(failed.is_err());
    assert_eq!(
        store.list_clients(&Default::default()).unwrap().total,
        2,
        "rolled back"
    );
    assert!(store.verify_audit().unwrap().intact);
    // After a bulk, ordinary writes work as before.
    store.create_client(&zoe()).unwrap();
    assert_eq!(store.list_clients(&Default::default()).unwrap().total, 3);
}

#[test]
fn clients_recorded_before_the_name_index_are_found_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path());
        store.create_client(&zoe()).unwrap();
        let gone = store
            .create_client(&minimal("Mary-Jane", "van der Berg"))
            .unwrap();
        store.archive_client(&gone.id).unwrap();
    }
    {
        // As the version before the index left the file.
        let c = Connection::open(database_path(dir.path())).unwrap();
        c.execute_batch(
            "DROP TABLE search_terms; DROP TABLE client_name_prefixes; PRAGMA user_version = 8;",
        )
        .unwrap();
    }
    let store = open(dir.path());
    assert_eq!(search(&store, "brien"), vec!["Zoë O'Brien"]);
    assert!(search(&store, "mary").is_empty(), "archived stays hidden");
    let all = store
        .list_clients(&ClientQuery {
            search: "mary".into(),
            include_archived: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.total, 1);
}
