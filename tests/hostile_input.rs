//! Property tests: every command that takes input gets arbitrary and hostile values. None
//! panics; a refusal is a validation error naming the field (or "not found" for an id), and a
//! refused write leaves every table as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};
use proptest::prelude::*;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::domain::techniques::TechniqueInput;
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::search::SearchQuery;
use stillpoint::{ClientFields, ClientQuery, Error, ErrorCode, Store, args};

const HOSTILE: &[&str] = &[
    "",
    "   ",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE clients; --",
    "Robert'); DELETE FROM audit_log; --",
    "😀🧠💆‍♀️",
    "مرحبا بالعالم",
    "שלום",
    "\u{202e}evil\u{202c}",
    "a\u{0}b",
    "\t\r\n",
    "%s%n%x",
    "../../etc/passwd",
    "NaN",
    "2026-02-30",
    "9999-12-31",
    "-0001-01-01",
    "01900000-0000-7000-8000-000000000001",
];

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(HOSTILE).prop_map(str::to_owned),
        2 => any::<String>(),
        1 => "[a-zA-Z' -]{0,40}",
        1 => (1usize..4).prop_map(|k| "x".repeat(k * 6_000)),
        1 => (1usize..3).prop_map(|k| "😀".repeat(k * 3_000)),
    ]
}

fn hostile_number() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(f64::NAN)),
        Just(Some(f64::INFINITY)),
        Just(Some(f64::NEG_INFINITY)),
        Just(Some(-1.0)),
        Just(Some(0.5)),
        Just(Some(1e300)),
        (0.0f64..40.0).prop_map(Some),
        any::<f64>().prop_map(Some),
    ]
}

fn hostile_date() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        hostile_text().prop_map(Some),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(Some)
    ]
}

/// Every table's row count: a refused write must leave them all unchanged.
fn counts(s: &Store) -> Vec<i64> {
    [
        "clients",
        "intakes",
        "red_flag_acks",
        "sessions",
        "session_techniques",
        "amendments",
        "techniques",
        "audit_log",
        "search_docs",
    ]
    .iter()
    .map(|t| {
        s.sql()
            .value::<i64>(&format!("SELECT count(*) FROM {t}"), args![])
            .unwrap()
    })
    .collect()
}

fn refused_cleanly(e: &Error) {
    match e.code {
        ErrorCode::Validation => assert!(
            e.field.as_deref().is_some_and(|f| !f.is_empty()),
            "a validation error names its field: {e:?}"
        ),
        ErrorCode::NotFound | ErrorCode::Conflict => {}
        other => panic!("unexpected error {other:?}: {}", e.message),
    }
    assert!(!e.message.trim().is_empty());
}

struct Fixture {
    _place: Place,
    s: Store,
    client: String,
    draft: String,
    signed: String,
    intake: String,
}

fn fixture(engine: Engine) -> Fixture {
    let place = Place::new(engine);
    let mut s = Store::open(place.options()).unwrap();
    let client = s
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let intake = s
        .record_intake(
            &client,
            &IntakeInput {
                assessed_on: "2026-01-05".into(),
                headache_days: Some(10.0),
                usual_intensity: Some(6.0),
                red_flags: vec![stillpoint::domain::vocab::RedFlag::Thunderclap],
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    let draft = s.start_session(&client).unwrap().id;
    let signed = s.start_session(&client).unwrap().id;
    s.save_session_draft(
        &signed,
        &SessionInput {
            started_at: "2026-01-05T10:00:00Z".into(),
            duration_minutes: Some(60.0),
            subjective: "ok".into(),
            pain_before: Some(5.0),
            pain_after: Some(3.0),
            techniques: vec![SessionTechniqueInput {
                technique_id: stillpoint::domain::techniques::seeded::SCALP.into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();
    s.sign_session(&signed).unwrap();
    Fixture {
        _place: place,
        s,
        client,
        draft,
        signed,
        intake,
    }
}

/// Run a write; if it is refused, it must be refused cleanly and change nothing.
fn check_write<T>(s: &mut Store, f: impl FnOnce(&mut Store) -> stillpoint::Result<T>) {
    let before = counts(s);
    if let Err(e) = f(s) {
        refused_cleanly(&e);
        assert_eq!(counts(s), before, "a refused write changed the database");
    }
}

fn cases() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The properties, on one engine: every case gets a database of its own.
macro_rules! hostile_properties {
    ($engine:expr) => {
        proptest! {
            #![proptest_config(cases())]

            #[test]
            fn clients(first in hostile_text(), last in hostile_text(), email in hostile_text(),
                       phone in hostile_text(), notes in hostile_text(), dob in hostile_date(),
                       consent in hostile_date(), version in any::<i64>(), id in hostile_text()) {
                let mut f = fixture($engine);
                let fields = ClientFields {
                    first_name: first, last_name: last, email, phone, notes,
                    date_of_birth: dob, consent_date: consent, ..Default::default()
                };
                check_write(&mut f.s, |s| s.create_client(&fields));
                let client = f.client.clone();
                check_write(&mut f.s, |s| s.update_client(&client, version, &fields));
                check_write(&mut f.s, |s| s.update_client(&id, 1, &fields));
                check_write(&mut f.s, |s| s.archive_client(&id));
                check_write(&mut f.s, |s| s.restore_client(&id));
                if let Err(e) = f.s.get_client(&id) { refused_cleanly(&e); }
                if let Err(e) = f.s.client_audit(&id) { refused_cleanly(&e); }
            }

            #[test]
            fn intakes(date in hostile_text(), days in hostile_number(), migraine in hostile_number(),
                       intensity in hostile_number(), worst in hostile_number(), hours in hostile_number(),
                       med in hostile_number(), sleep in hostile_number(), stress in hostile_number(),
                       notes in hostile_text(), referral in hostile_text(), id in hostile_text()) {
                let mut f = fixture($engine);
                let input = IntakeInput {
                    assessed_on: date, headache_days: days, migraine_days: migraine,
                    usual_intensity: intensity, worst_intensity: worst, usual_duration_hours: hours,
                    acute_med_days: med, sleep_quality: sleep, sleep_hours: hours, stress,
                    notes: notes.clone(), goals: notes, ..Default::default()
                };
                let client = f.client.clone();
                check_write(&mut f.s, |s| s.record_intake(&client, &input));
                check_write(&mut f.s, |s| s.record_intake(&id, &input));
                let intake = f.intake.clone();
                check_write(&mut f.s, |s| s.acknowledge_red_flags(&intake, &referral));
                check_write(&mut f.s, |s| s.acknowledge_red_flags(&id, &referral));
                if let Err(e) = f.s.list_intakes(&id) { refused_cleanly(&e); }
                if let Err(e) = f.s.client_alerts(&id) { refused_cleanly(&e); }
            }

            #[test]
            fn sessions(started in hostile_text(), duration in hostile_number(), text in hostile_text(),
                        before in hostile_number(), after in hostile_number(), minutes in hostile_number(),
                        technique in hostile_text(), reason in hostile_text(), id in hostile_text()) {
                let mut f = fixture($engine);
                let input = SessionInput {
                    started_at: started, duration_minutes: duration, subjective: text.clone(),
                    objective: text.clone(), assessment: text.clone(), plan: text.clone(),
                    pain_before: before, pain_after: after,
                    techniques: vec![SessionTechniqueInput {
                        technique_id: technique, minutes, reason: reason.clone(), ..Default::default()
                    }],
                    ..Default::default()
                };
                let draft = f.draft.clone();
                let signed = f.signed.clone();
                check_write(&mut f.s, |s| s.save_session_draft(&draft, &input));
                check_write(&mut f.s, |s| s.save_session_draft(&signed, &input));
                check_write(&mut f.s, |s| s.save_session_draft(&id, &input));
                check_write(&mut f.s, |s| s.sign_session(&id));
                check_write(&mut f.s, |s| s.amend_session(&signed, &reason, &text));
                check_write(&mut f.s, |s| s.amend_session(&draft, &reason, &text));
                check_write(&mut f.s, |s| s.start_session(&id));
                if let Err(e) = f.s.get_session(&id) { refused_cleanly(&e); }
                if let Err(e) = f.s.list_sessions(&id) { refused_cleanly(&e); }
            }

            #[test]
            fn techniques(name in hostile_text(), description in hostile_text(), id in hostile_text(),
                          retired in any::<bool>()) {
                let mut f = fixture($engine);
                let input = TechniqueInput { name, description };
                check_write(&mut f.s, |s| s.add_technique(&input));
                check_write(&mut f.s, |s| s.update_technique(&id, &input));
                check_write(&mut f.s, |s| s.update_technique(stillpoint::domain::techniques::seeded::SCALP, &input));
                check_write(&mut f.s, |s| s.set_technique_retired(&id, retired));
            }

            #[test]
            fn profiles(username in hostile_text(), name in hostile_text(), credentials in hostile_text()) {
                let mut f = fixture($engine);
                f.s.insert_user("robin", "Robin Lee", stillpoint::security::users::Role::Therapist).unwrap();
                let before = f.s.get_user("robin").unwrap();
                let input = stillpoint::security::users::ProfileInput { display_name: name, credentials };
                check_write(&mut f.s, |s| s.update_profile(&username, &input));
                if let Err(e) = f.s.update_profile("robin", &input) {
                    refused_cleanly(&e);
                    prop_assert_eq!(f.s.get_user("robin").unwrap(), before, "a refused change changed the user");
                }
            }

            #[test]
            fn reads(text in hostile_text(), from in hostile_date(), to in hostile_date(),
                     limit in any::<u32>(), offset in any::<u32>(), id in hostile_text(),
                     archived in any::<bool>()) {
                let f = fixture($engine);
                let before = counts(&f.s);
                let q = ClientQuery { search: text.clone(), include_archived: archived, limit, offset };
                if let Err(e) = f.s.list_clients(&q) { refused_cleanly(&e); }
                let sq = SearchQuery {
                    text, include_archived: archived, client_id: Some(id.clone()),
                    from: from.clone(), to: to.clone(), limit,
                };
                if let Err(e) = f.s.search(&sq) { refused_cleanly(&e); }
                if let Err(e) = f.s.search(&SearchQuery { client_id: None, ..sq }) { refused_cleanly(&e); }
                if let Err(e) = f.s.dashboard(&DashboardQuery { from, to }) { refused_cleanly(&e); }
                if let Err(e) = f.s.client_outcomes(&id) { refused_cleanly(&e); }
                if let Err(e) = f.s.client_history(&id) { refused_cleanly(&e); }
                if let Err(e) = f.s.client_chart(&id) { refused_cleanly(&e); }
                prop_assert_eq!(counts(&f.s), before, "a read changed the database");
            }
        }
    };
}

mod on_sqlite {
    use super::*;
    hostile_properties!(Engine::Sqlite);
}

mod on_postgres {
    use super::*;
    hostile_properties!(Engine::Postgres);
}

// SQLite only: setup, login and recovery are the App gate on the single-computer file
// (keys.json beside it); putting the app on the clinic server is the next issue.
mod accounts {
    use super::*;
    use stillpoint::App;
    use stillpoint::security::gate::SetupInput;
    use stillpoint::security::users::{NewUser, Role};

    fn app_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.to_string_lossy().ends_with("-shm"))
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

        /// Setup, login, recovery and adding a user refuse hostile input with a named field
        /// (or a conflict), and a refused setup writes no file at all.
        #[test]
        fn account_commands(username in hostile_text(), name in hostile_text(), password in hostile_text()) {
            let dir = tempfile::tempdir().unwrap();
            let mut app = App::start_in(dir.path().to_path_buf());
            match app.setup(&SetupInput { username: username.clone(), display_name: name.clone(), password: password.clone(), clinic_name: Some(name.clone()) }) {
                Ok(_) => {}
                Err(e) => {
                    refused_cleanly(&e);
                    prop_assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "a refused setup wrote files");
                    app.setup(&SetupInput { username: "admin".into(), display_name: "Alex".into(), password: "a long passphrase".into(), clinic_name: None }).unwrap();
                }
            }
            let before = counts(app.logged_in_store().unwrap());
            if let Err(e) = app.add_user(&NewUser { username: username.clone(), display_name: name, role: Some(Role::Therapist), password: password.clone() }) {
                refused_cleanly(&e);
                prop_assert_eq!(counts(app.logged_in_store().unwrap()), before);
            }
            app.logout();
            let files = app_files(dir.path());
            if let Err(e) = app.login(&username, &password) {
                refused_cleanly(&e);
            }
            app.logout();
            if let Err(e) = app.recover(&password, &username, &password) {
                refused_cleanly(&e);
                let keys = |f: &[(String, Vec<u8>)]| f.iter().find(|(n, _)| n.ends_with("keys.json")).map(|(_, b)| b.clone());
                let after = app_files(dir.path());
                prop_assert_eq!(keys(&after), keys(&files), "a refused recovery changed the key file");
            }
        }
    }
}
