//! Outcomes by technique are kept as running totals: they must always equal a count made
//! afresh from the notes and intakes, through signing, intakes, and the upgrade that
//! introduced them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::reports::dashboard::{DashboardQuery, TechniqueOutcome};
use stillpoint::reports::technique_totals;
use stillpoint::{ClientFields, OpenOptions, Store, db::database_path};
use stillpoint_tools::synth::{self, SMALL};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn open(dir: &Path) -> Store {
    Store::open(
        OpenOptions::file(database_path(dir))
            .clock(Arc::new(now))
            .actor("therapist-1"),
    )
    .unwrap()
}

fn outcomes(s: &Store) -> Vec<TechniqueOutcome> {
    s.dashboard(&DashboardQuery::default())
        .unwrap()
        .technique_outcomes
}

fn trigger_point(s: &Store) -> TechniqueOutcome {
    outcomes(s)
        .into_iter()
        .find(|t| t.technique_id == TRIGGER_POINT)
        .expect("trigger point therapy is listed")
}

fn intake(date: &str, days: f64) -> IntakeInput {
    IntakeInput {
        assessed_on: date.into(),
        headache_days: Some(days),
        usual_intensity: Some(6.0),
        worst_intensity: Some(8.0),
        sleep_quality: Some(5.0),
        stress: Some(5.0),
        ..Default::default()
    }
}

fn sign_note(s: &mut Store, client: &str, before: f64, after: f64) {
    let id = s.start_session(client).unwrap().id;
    s.save_session_draft(
        &id,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            duration_minutes: Some(60.0),
            subjective: "Neck stiff.".into(),
            pain_before: Some(before),
            pain_after: Some(after),
            // Listed twice: the note still counts once.
            techniques: vec![
                SessionTechniqueInput {
                    technique_id: TRIGGER_POINT.into(),
                    ..Default::default()
                },
                SessionTechniqueInput {
                    technique_id: TRIGGER_POINT.into(),
                    reason: "Second region".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .unwrap();
    s.sign_session(&id).unwrap();
}

#[test]
fn the_totals_follow_each_signed_note_and_intake() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(dir.path(), SMALL, 11, now(), None).unwrap();
    let mut s = open(dir.path());
    assert!(
        technique_totals::check(s.sql()).unwrap(),
        "after the synthetic clinic"
    );
    let start = trigger_point(&s);
    assert!(start.sessions > 100, "{start:?}");

    let client = s
        .create_client(&ClientFields {
            first_name: "Nia".into(),
            last_name: "Totals".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    s.record_intake(&client, &intake("2026-09-01", 10.0))
        .unwrap();
    sign_note(&mut s, &client, 7.0, 3.0);
    let one = trigger_point(&s);
    assert_eq!(one.sessions, start.sessions + 1);
    assert_eq!(one.sessions_with_pain, start.sessions_with_pain + 1);
    assert_eq!(one.clients, start.clients + 1);
    // Only a baseline so far: not yet measurable.
    assert_eq!(one.clients_measurable, start.clients_measurable);
    assert_eq!(one.responders, start.responders);

    // A follow-up at 4 days (60% fewer): a responder, counted under the technique.
    s.record_intake(&client, &intake("2026-11-01", 4.0))
        .unwrap();
    let two = trigger_point(&s);
    assert_eq!(two.sessions, one.sessions);
    assert_eq!(two.clients, one.clients);
    assert_eq!(two.clients_measurable, one.clients_measurable + 1);
    assert_eq!(two.responders, one.responders + 1);

    // A later intake at 8 days: no longer a responder, still measurable.
    s.record_intake(&client, &intake("2026-11-20", 8.0))
        .unwrap();
    let three = trigger_point(&s);
    assert_eq!(three.clients_measurable, two.clients_measurable);
    assert_eq!(three.responders, two.responders - 1);

    // A second note for the same client: one more session, the same number of clients.
    sign_note(&mut s, &client, 5.0, 5.0);
    let four = trigger_point(&s);
    assert_eq!(four.sessions, three.sessions + 1);
    assert_eq!(four.clients, three.clients);
    assert!(
        technique_totals::check(s.sql()).unwrap(),
        "after the writes"
    );
}

#[test]
fn a_refused_write_moves_no_totals() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path());
    let client = s
        .create_client(&ClientFields {
            first_name: "Oli".into(),
            last_name: "Refused".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    sign_note(&mut s, &client, 6.0, 2.0);
    let before = technique_totals::kept(s.sql()).unwrap();
    // Out of range: refused, nothing written.
    assert!(
        s.record_intake(&client, &intake("2026-11-01", 40.0))
            .is_err()
    );
    assert_eq!(technique_totals::kept(s.sql()).unwrap(), before);
    assert!(technique_totals::check(s.sql()).unwrap());
}

#[test]
fn the_upgrade_counts_the_totals_from_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(dir.path(), SMALL, 5, now(), None).unwrap();
    let expected = outcomes(&open(dir.path()));
    assert!(!expected.is_empty());
    {
        // Back to schema 6, before the totals existed, as an older version left it (what
        // migrations 7 and later made is taken away).
        let c = rusqlite::Connection::open(database_path(dir.path())).unwrap();
        c.execute_batch(
            "DROP TABLE search_terms;
             DROP TABLE client_name_prefixes;
             DROP TABLE diary_days;
             DROP TABLE session_home_care; DROP TABLE home_care_items;
             DROP TABLE technique_outcome_totals;
             DROP INDEX sessions_by_start; DROP INDEX sessions_drafts_by_created;
             DROP INDEX intakes_with_red_flags; DROP INDEX red_flag_acks_by_time;
             DROP INDEX clients_archived;
             CREATE INDEX sessions_by_status ON sessions (status, updated_at);
             ALTER TABLE users DROP COLUMN credentials;
             PRAGMA user_version = 6;",
        )
        .unwrap();
    }
    let s = open(dir.path());
    assert!(technique_totals::check(s.sql()).unwrap());
    assert_eq!(outcomes(&s), expected);
}
