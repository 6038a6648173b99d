//! Moving a single-computer clinic onto the clinic server: every record arrives, the audit
//! chain verifies there and goes on, the guarantees hold again afterwards, and a failed or
//! refused import leaves the server as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::{Engine, Place};
use stillpoint::domain::clinic_settings::ClinicSettings;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{BodyMark, SessionInput, SessionTechniqueInput};
use stillpoint::domain::techniques::TechniqueInput;
use stillpoint::domain::vocab::{MarkKind, Pressure, RedFlag, Region};
use stillpoint::search::SearchQuery;
use stillpoint::security::gate::SetupInput;
use stillpoint::security::import::import;
use stillpoint::security::keys::DEFAULT_KDF;
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{App, ClientFields, ErrorCode, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";
const SCALP: &str = "01900000-0000-7000-8000-000000000004";

/// A single-computer clinic with one of every kind of record: two users, a renamed and a
/// retired technique and one added, clinic details, clients (one archived, one with a
/// right-to-left name and hostile text), intakes with red flags acknowledged, signed notes
/// with techniques and marks, a draft, an amendment.
fn single_computer_clinic(dir: &std::path::Path) -> App {
    let mut app = App::start_with(
        dir.to_path_buf(),
        Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()),
        DEFAULT_KDF,
    );
    app.setup(&SetupInput {
        username: "admin".into(),
        display_name: "Alex Admin".into(),
        password: "admin passphrase 1".into(),
        clinic_name: None,
    })
    .unwrap();
    app.add_user(&NewUser {
        username: "tess".into(),
        display_name: "Tess Therapist".into(),
        role: Some(Role::Therapist),
        password: "tess passphrase 1".into(),
    })
    .unwrap();
    let s = app.logged_in_store().unwrap();
    s.update_clinic_settings(&ClinicSettings {
        name: "Stillwater Massage".into(),
        address: "1 Quiet Lane".into(),
        phone: "555 0100".into(),
    })
    .unwrap();
    s.update_technique(
        SCALP,
        &TechniqueInput {
            name: "Scalp release".into(),
            description: "Renamed by the clinic".into(),
        },
    )
    .unwrap();
    s.set_technique_retired(TRIGGER_POINT, true).unwrap();
    let cupping = s
        .add_technique(&TechniqueInput {
            name: "Cupping".into(),
            description: "Added by the clinic".into(),
        })
        .unwrap()
        .id;
    s.set_technique_retired(TRIGGER_POINT, false).unwrap();

    let mut clients = Vec::new();
    for (first, last) in [
        ("Ann", "Smith"),
        ("نور", "حداد"),
        ("Zoë", "<script>alert(1)</script>"),
        ("Bob", "'; DROP TABLE clients; --"),
    ] {
        clients.push(
            s.create_client(&ClientFields {
                first_name: first.into(),
                last_name: last.into(),
                notes: "Migraines since 2019 🙂".into(),
                ..Default::default()
            })
            .unwrap()
            .id,
        );
    }
    s.archive_client(&clients[3]).unwrap();
    for (i, client) in clients.iter().enumerate().take(3) {
        let flags = if i == 0 {
            vec![RedFlag::Thunderclap]
        } else {
            vec![]
        };
        let intake = s
            .record_intake(
                client,
                &IntakeInput {
                    assessed_on: "2026-09-01".into(),
                    headache_days: Some(12.0),
                    usual_intensity: Some(6.0),
                    red_flags: flags.clone(),
                    ..Default::default()
                },
            )
            .unwrap()
            .id;
        if !flags.is_empty() {
            s.acknowledge_red_flags(&intake, "Referred to GP").unwrap();
        }
        s.record_intake(
            client,
            &IntakeInput {
                assessed_on: "2026-11-01".into(),
                headache_days: Some(5.0),
                usual_intensity: Some(4.0),
                ..Default::default()
            },
        )
        .unwrap();
        s.import_diary_csv(
            client,
            "date,headache,peak_intensity,duration_hours,acute_meds,note\n\
             2026-09-02,yes,6,3,triptan,after a long shift\n\
             2026-09-03,no,,,,\n",
        )
        .unwrap();
        for (day, sign) in [
            ("2026-09-08", true),
            ("2026-10-08", true),
            ("2026-11-20", false),
        ] {
            let id = s.start_session(client).unwrap().id;
            s.save_session_draft(
                &id,
                &SessionInput {
                    started_at: format!("{day}T10:00:00Z"),
                    duration_minutes: Some(60.0),
                    subjective: format!("Suboccipital tension, visit on {day}"),
                    plan: "Weekly".into(),
                    pain_before: Some(6.0),
                    pain_after: Some(3.0),
                    techniques: vec![
                        SessionTechniqueInput {
                            technique_id: TRIGGER_POINT.into(),
                            regions: vec![Region::UpperTrapeziusRight],
                            pressure: Some(Pressure::Moderate),
                            minutes: Some(20.0),
                            reason: "Referred pain to the temple".into(),
                        },
                        SessionTechniqueInput {
                            technique_id: cupping.clone(),
                            ..Default::default()
                        },
                    ],
                    marks: vec![BodyMark {
                        region: Region::TemporalisLeft,
                        kind: MarkKind::Pain,
                    }],
                    ..Default::default()
                },
            )
            .unwrap();
            if sign {
                s.sign_session(&id).unwrap();
                if day == "2026-09-08" {
                    s.amend_session(&id, "Pressure was firm", "Correction.")
                        .unwrap();
                }
            }
        }
    }
    app
}

fn count(c: &mut postgres::Client, table: &str) -> i64 {
    c.query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .unwrap()
        .get(0)
}

#[test]
fn every_record_arrives_the_chain_verifies_and_goes_on_and_signed_notes_stay_locked() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = single_computer_clinic(dir.path());
    let source = app.logged_in_store().unwrap();
    let place = Place::new(Engine::Postgres);
    let mut target = place.open();

    let report = import(source, &target).unwrap();
    // An imported user gets their own login on the server, once.
    let login = target
        .give_clinic_login("tess", "tess new passphrase")
        .unwrap();
    assert_eq!(
        target
            .give_clinic_login("tess", "tess new passphrase")
            .unwrap_err()
            .field
            .as_deref(),
        Some("username")
    );
    assert_eq!(
        target
            .give_clinic_login("nobody", "a passphrase 12")
            .unwrap_err()
            .field
            .as_deref(),
        Some("username")
    );
    let Place::Pg { conninfo, .. } = &place else {
        unreachable!()
    };
    let as_tess = Store::open(stillpoint::OpenOptions::server(format!(
        "{conninfo} user={login}"
    )))
    .unwrap();
    assert!(as_tess.get_user("tess").unwrap().is_some());
    let rows = |t: &str| report.tables.iter().find(|c| c.table == t).unwrap().rows;
    assert_eq!(rows("clients"), 4);
    assert_eq!(rows("users"), 2);
    assert_eq!(rows("sessions"), 9);
    assert_eq!(rows("session_techniques"), 18);
    assert_eq!(rows("session_marks"), 9);
    assert_eq!(rows("amendments"), 3);
    assert_eq!(rows("red_flag_acks"), 1);
    assert_eq!(rows("diary_days"), 6);
    let source_audit = source.verify_audit().unwrap();
    assert!(source_audit.entries > 30);
    assert_eq!(report.audit_entries, source_audit.entries);

    // What a user sees is the same on both: every client's chart, the catalogue, the clinic.
    let all = |s: &Store| {
        s.list_clients(&stillpoint::ClientQuery {
            include_archived: true,
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .items
    };
    let clients = all(source);
    assert_eq!(clients.len(), 4);
    for c in &clients {
        let month = |s: &Store| s.diary_month(&c.id, Some("2026-09")).unwrap().days;
        assert_eq!(month(source), month(&target), "{}", c.last_name);
    }
    assert_eq!(all(&target), clients);
    for c in &clients {
        assert_eq!(
            target.client_chart(&c.id).unwrap(),
            source.client_chart(&c.id).unwrap(),
            "{}",
            c.id
        );
    }
    assert_eq!(
        target.list_techniques(true).unwrap(),
        source.list_techniques(true).unwrap()
    );
    assert_eq!(
        target.clinic_settings().unwrap(),
        source.clinic_settings().unwrap()
    );
    assert_eq!(target.list_users().unwrap(), source.list_users().unwrap());
    // The search index came too, with the server's own words for prefixes.
    let hits = target
        .search(&SearchQuery {
            text: "subocc".into(),
            include_archived: true,
            client_id: None,
            from: None,
            to: None,
            limit: 50,
        })
        .unwrap();
    assert_eq!(hits.total, 9);
    let names = target
        .list_clients(&stillpoint::ClientQuery {
            search: "نو".into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(names.items.len(), 1);

    // New work on the server continues the chain and the search index's numbering.
    let d = target
        .create_client(&ClientFields {
            first_name: "Dana".into(),
            last_name: "New".into(),
            notes: "suboccipital".into(),
            ..Default::default()
        })
        .unwrap();
    let after = target.verify_audit().unwrap();
    assert!(after.intact, "{}", after.message);
    assert_eq!(
        after.entries,
        source_audit.entries + 2,
        "the login given and the new client"
    );
    assert_eq!(target.get_client(&d.id).unwrap().fields.first_name, "Dana");

    // The triggers are back on: a signed note's techniques refuse a new row, its row an edit.
    let mut su = place.superuser();
    let signed: String = su
        .query_one(
            "SELECT id FROM sessions WHERE status = 'signed' LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    let err = su
        .execute(
            "INSERT INTO session_techniques (session_id, position, technique_id, regions, pressure, minutes, reason)
             VALUES ($1, 99, $2, '[]', NULL, NULL, '')",
            &[&signed, &SCALP],
        )
        .unwrap_err();
    let why = err.as_db_error().map(|d| d.message().to_owned());
    assert!(why.as_deref().unwrap_or("").contains("signed"), "{err:?}");
    assert!(
        su.execute(
            "UPDATE sessions SET plan = 'changed' WHERE id = $1",
            &[&signed]
        )
        .is_err()
    );
}

#[test]
fn a_server_that_holds_records_is_refused_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = single_computer_clinic(dir.path());
    let source = app.logged_in_store().unwrap();
    let place = Place::new(Engine::Postgres);
    let mut target = place.open();
    target
        .create_client(&ClientFields {
            first_name: "Already".into(),
            last_name: "Here".into(),
            ..Default::default()
        })
        .unwrap();
    let err = import(source, &target).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(
        err.message.contains("already holds records"),
        "{}",
        err.message
    );
    let mut su = place.superuser();
    assert_eq!(count(&mut su, "clients"), 1);
    assert_eq!(count(&mut su, "sessions"), 0);
    assert_eq!(count(&mut su, "audit_log"), 1);
    assert!(target.verify_audit().unwrap().intact);
}

#[test]
fn a_copy_that_fails_half_way_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = single_computer_clinic(dir.path());
    let source = app.logged_in_store().unwrap();
    let place = Place::new(Engine::Postgres);
    let target = place.open();
    // A technique on the server that the file does not have: the catalogue copy (after the
    // users and the clinic settings) cannot make the server's catalogue the file's, since
    // techniques are never deleted, and fails.
    let mut su = place.superuser();
    su.execute(
        "INSERT INTO techniques (id, name, name_key, description, created_at)
         VALUES ('01900000-0000-7000-8000-0000000000aa', 'Cupping', 'cupping', '', '2026-01-01T00:00:00Z')",
        &[],
    )
    .unwrap();
    let before_settings: String = su
        .query_one("SELECT name FROM clinic_settings", &[])
        .unwrap()
        .get(0);
    let err = import(source, &target).unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage, "{err:?}");
    assert!(err.message.contains("never deleted"), "{err:?}");
    for t in ["users", "clients", "sessions", "audit_log", "search_docs"] {
        assert_eq!(count(&mut su, t), 0, "{t}");
    }
    let after_settings: String = su
        .query_one("SELECT name FROM clinic_settings", &[])
        .unwrap()
        .get(0);
    assert_eq!(after_settings, before_settings);
    // The insert guards are on again (the ALTERs rolled back with the rest).
    let enabled: i64 = su
        .query_one(
            "SELECT count(*) FROM pg_trigger WHERE tgname IN
               ('signed_techniques_no_insert', 'signed_marks_no_insert') AND tgenabled = 'O'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(enabled, 2);
    // And a clean server afterwards takes the same clinic whole.
    drop(su);
    let place2 = Place::new(Engine::Postgres);
    let target2 = place2.open();
    assert_eq!(
        import(source, &target2)
            .unwrap()
            .tables
            .iter()
            .find(|c| c.table == "clients")
            .unwrap()
            .rows,
        4
    );
}

#[test]
fn the_import_goes_into_a_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = single_computer_clinic(dir.path());
    let source = app.logged_in_store().unwrap();
    let other = Place::new(Engine::Sqlite);
    let err = import(source, &other.open()).unwrap_err();
    assert!(err.message.contains("clinic server"), "{}", err.message);
}
