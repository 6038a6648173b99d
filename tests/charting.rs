//! Intake, techniques, session notes, signing and amendments against real databases, an SQLite
//! file and a PostgreSQL server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::{Engine, Place};
use stillpoint::domain::intake::{IntakeInput, PainSite};
use stillpoint::domain::sessions::{BodyMark, SessionInput, SessionStatus, SessionTechniqueInput};
use stillpoint::domain::techniques::TechniqueInput;
use stillpoint::domain::vocab::*;
use stillpoint::{ClientFields, ErrorCode, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";
const CERVICAL_STRETCHING: &str = "01900000-0000-7000-8000-000000000005";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

fn open(place: &Place) -> Store {
    Store::open(place.options().clock(Arc::new(now)).actor("therapist-1")).unwrap()
}

fn client(store: &mut Store, flags: Vec<Contraindication>) -> String {
    store
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            date_of_birth: Some("1980-05-01".into()),
            contraindication_flags: flags,
            ..Default::default()
        })
        .unwrap()
        .id
}

fn intake(date: &str, days: f64) -> IntakeInput {
    IntakeInput {
        assessed_on: date.into(),
        headache_type: Some(HeadacheType::MigraineWithoutAura),
        headache_days: Some(days),
        migraine_days: Some(4.0),
        usual_intensity: Some(6.0),
        worst_intensity: Some(9.0),
        usual_duration_hours: Some(12.0),
        triggers: vec![Trigger::Stress, Trigger::PoorSleep, Trigger::Stress],
        pain_sites: vec![PainSite {
            location: PainLocation::Temples,
            side: Side::Both,
        }],
        sleep_quality: Some(4.0),
        sleep_hours: Some(6.5),
        stress: Some(7.0),
        goals: "Fewer migraine days".into(),
        ..Default::default()
    }
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .sql()
        .value(
            &format!("SELECT count(*) FROM {table}"),
            stillpoint::args![],
        )
        .unwrap()
}

/// A statement run behind the app's back, which the database's triggers must refuse with
/// `why` (the same words on both engines).
fn refused(store: &Store, sql: &str, why: &str) {
    let err = store
        .sql()
        .execute(sql, stillpoint::args![])
        .expect_err(sql);
    assert_eq!(err.code, ErrorCode::Storage, "{sql}: {err:?}");
    assert!(err.message.contains(why), "{sql}: {}", err.message);
}

fn note() -> SessionInput {
    SessionInput {
        started_at: "2026-11-23T08:30:00Z".into(),
        duration_minutes: Some(60.0),
        subjective: "Two migraines this week; neck stiff after long screen days.".into(),
        headache_since_last: "2 attacks".into(),
        objective: "Active trigger points in right upper trapezius and suboccipitals.".into(),
        assessment: "Good release; client reports head feels lighter.".into(),
        plan: "Weekly for 4 weeks; chin tucks twice daily.".into(),
        pain_before: Some(6.0),
        pain_after: Some(3.0),
        headache_at_start: true,
        techniques: vec![
            SessionTechniqueInput {
                technique_id: TRIGGER_POINT.into(),
                regions: vec![Region::UpperTrapeziusRight, Region::SuboccipitalsLeft],
                pressure: Some(Pressure::Moderate),
                minutes: Some(25.0),
                reason: "Referred pain pattern to the temple".into(),
            },
            SessionTechniqueInput {
                technique_id: CERVICAL_STRETCHING.into(),
                regions: vec![Region::CervicalSpine],
                pressure: Some(Pressure::Light),
                minutes: Some(10.0),
                reason: "Restricted rotation".into(),
            },
        ],
        marks: vec![
            BodyMark {
                region: Region::UpperTrapeziusRight,
                kind: MarkKind::TriggerPoint,
            },
            BodyMark {
                region: Region::TemporalisLeft,
                kind: MarkKind::Pain,
            },
            BodyMark {
                region: Region::TemporalisLeft,
                kind: MarkKind::Treated,
            },
        ],
        home_care: Vec::new(),
    }
}

fn an_intake_is_validated_field_by_field_and_nothing_is_written_on_error(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let id = client(&mut store, vec![]);
    let cases: Vec<(&str, IntakeInput)> = vec![
        (
            "assessed_on",
            IntakeInput {
                assessed_on: "".into(),
                ..intake("2026-11-01", 10.0)
            },
        ),
        ("assessed_on", intake("2026-11-24", 10.0)),
        ("assessed_on", intake("1979-01-01", 10.0)),
        (
            "headache_days",
            IntakeInput {
                headache_days: None,
                ..intake("2026-11-01", 0.0)
            },
        ),
        ("headache_days", intake("2026-11-01", 31.0)),
        ("headache_days", intake("2026-11-01", -1.0)),
        ("headache_days", intake("2026-11-01", 2.5)),
        (
            "migraine_days",
            IntakeInput {
                migraine_days: Some(11.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "usual_intensity",
            IntakeInput {
                usual_intensity: Some(11.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "usual_intensity",
            IntakeInput {
                usual_intensity: None,
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "worst_intensity",
            IntakeInput {
                worst_intensity: Some(5.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "usual_duration_hours",
            IntakeInput {
                usual_duration_hours: Some(0.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "usual_duration_hours",
            IntakeInput {
                usual_duration_hours: Some(-2.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "sleep_quality",
            IntakeInput {
                sleep_quality: Some(10.5),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "sleep_hours",
            IntakeInput {
                sleep_hours: Some(25.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "stress",
            IntakeInput {
                stress: Some(f64::NAN),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "acute_med_kinds",
            IntakeInput {
                acute_med_days: Some(5.0),
                ..intake("2026-11-01", 10.0)
            },
        ),
        (
            "notes",
            IntakeInput {
                notes: "x".repeat(10_001),
                ..intake("2026-11-01", 10.0)
            },
        ),
    ];
    for (field, input) in cases {
        let err = store.record_intake(&id, &input).unwrap_err();
        assert_eq!(err.code, ErrorCode::Validation, "{field}: {err:?}");
        assert_eq!(err.field.as_deref(), Some(field), "{}", err.message);
    }
    assert_eq!(count(&store, "intakes"), 0);
}

fn the_first_intake_is_the_baseline_and_lists_are_deduplicated(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let id = client(&mut store, vec![]);
    let later = store
        .record_intake(&id, &intake("2026-11-20", 6.0))
        .unwrap();
    let first = store
        .record_intake(&id, &intake("2026-09-01", 12.0))
        .unwrap();
    assert!(first.is_baseline);
    let later = store.get_intake(&later.id).unwrap();
    assert!(!later.is_baseline);
    assert_eq!(later.triggers, vec![Trigger::Stress, Trigger::PoorSleep]);
    let list = store.list_intakes(&id).unwrap();
    assert_eq!(
        list.iter()
            .map(|i| i.assessed_on.as_str())
            .collect::<Vec<_>>(),
        vec!["2026-11-20", "2026-09-01"]
    );
    assert_eq!(list[0].sleep_hours, Some(6.5));
}

fn red_flags_stay_open_until_acknowledged_with_a_referral_note(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let id = client(&mut store, vec![]);
    let flagged = store
        .record_intake(
            &id,
            &IntakeInput {
                red_flags: vec![RedFlag::Thunderclap, RedFlag::NeurologicalDeficit],
                ..intake("2026-11-20", 8.0)
            },
        )
        .unwrap();
    let alerts = store.client_alerts(&id).unwrap();
    assert_eq!(alerts.open_red_flags.len(), 1);
    assert!(
        alerts.open_red_flags[0]
            .message
            .starts_with("Refer to a physician before treatment")
    );
    assert!(alerts.open_red_flags[0].message.contains("thunderclap"));

    let err = store.acknowledge_red_flags(&flagged.id, "   ").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("referral_note"));
    assert_eq!(store.client_alerts(&id).unwrap().open_red_flags.len(), 1);

    let acked = store
        .acknowledge_red_flags(&flagged.id, "Referred to GP; treatment after clearance.")
        .unwrap();
    let ack = acked.acknowledgement.unwrap();
    assert_eq!(ack.acknowledged_by, "therapist-1");
    assert_eq!(ack.acknowledged_at, "2026-11-23T09:30:00.000Z");
    assert!(store.client_alerts(&id).unwrap().open_red_flags.is_empty());
    assert_eq!(
        store
            .acknowledge_red_flags(&flagged.id, "again")
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // an intake without red flags has nothing to acknowledge
    let plain = store
        .record_intake(&id, &intake("2026-11-21", 8.0))
        .unwrap();
    assert_eq!(
        store
            .acknowledge_red_flags(&plain.id, "x")
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // acknowledgements cannot be rewritten
    refused(
        &store,
        "UPDATE red_flag_acks SET referral_note = 'x'",
        "acknowledgements are kept unchanged",
    );
}

fn medication_overuse_is_flagged_from_the_latest_intake(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let id = client(&mut store, vec![]);
    let i = store
        .record_intake(
            &id,
            &IntakeInput {
                acute_med_days: Some(10.0),
                acute_med_kinds: vec![AcuteMedKind::Triptan],
                ..intake("2026-11-01", 14.0)
            },
        )
        .unwrap();
    assert_eq!(i.medication_overuse.as_ref().map(|m| m.threshold), Some(10));
    assert!(
        store
            .client_alerts(&id)
            .unwrap()
            .medication_overuse
            .is_some()
    );
    store
        .record_intake(
            &id,
            &IntakeInput {
                acute_med_days: Some(14.0),
                acute_med_kinds: vec![AcuteMedKind::SimpleAnalgesic],
                ..intake("2026-11-20", 14.0)
            },
        )
        .unwrap();
    assert!(
        store
            .client_alerts(&id)
            .unwrap()
            .medication_overuse
            .is_none()
    );
}

fn the_catalogue_is_seeded_editable_and_never_loses_a_technique(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let names: Vec<String> = store
        .list_techniques(false)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        names,
        vec![
            "Cervical stretching",
            "Craniosacral therapy",
            "Myofascial release",
            "Scalp massage",
            "Trigger point therapy"
        ]
    );
    let added = store
        .add_technique(&TechniqueInput {
            name: "Lymphatic drainage".into(),
            description: "Light rhythmic strokes".into(),
        })
        .unwrap();
    let dup = store
        .add_technique(&TechniqueInput {
            name: "  scalp MASSAGE ".into(),
            description: String::new(),
        })
        .unwrap_err();
    assert_eq!(dup.field.as_deref(), Some("name"));
    let renamed = store
        .update_technique(
            &added.id,
            &TechniqueInput {
                name: "Manual lymphatic drainage".into(),
                description: String::new(),
            },
        )
        .unwrap();
    assert_eq!(renamed.name, "Manual lymphatic drainage");
    store.set_technique_retired(&added.id, true).unwrap();
    assert_eq!(store.list_techniques(false).unwrap().len(), 5);
    assert_eq!(store.list_techniques(true).unwrap().len(), 6);
    refused(
        &store,
        "DELETE FROM techniques",
        "techniques are retired, never deleted",
    );
    assert_eq!(count(&store, "techniques"), 6);
}

fn a_draft_saves_as_typed_and_a_contraindication_warns_against_a_technique(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let id = client(&mut store, vec![Contraindication::RecentNeckInjury]);
    let s = store.start_session(&id).unwrap();
    assert_eq!(s.status, SessionStatus::Draft);
    assert_eq!(s.therapist, "therapist-1");

    let saved = store.save_session_draft(&s.id, &note()).unwrap();
    assert_eq!(saved.techniques.len(), 2);
    assert_eq!(saved.techniques[0].technique_name, "Trigger point therapy");
    assert!(saved.techniques[0].warnings.is_empty());
    assert_eq!(saved.techniques[1].warnings.len(), 1);
    assert!(saved.techniques[1].warnings[0].contains("avoid cervical stretching"));
    // one mark per region; the last click wins
    assert_eq!(saved.marks.len(), 2);
    assert!(saved.marks.contains(&BodyMark {
        region: Region::TemporalisLeft,
        kind: MarkKind::Treated
    }));
    // One picture of the session: the marks, and the regions the techniques treated that
    // carry no mark of their own, as treated; a region's own mark wins.
    let mark = |region, kind| BodyMark { region, kind };
    let picture = vec![
        mark(Region::CervicalSpine, MarkKind::Treated),
        mark(Region::SuboccipitalsLeft, MarkKind::Treated),
        mark(Region::TemporalisLeft, MarkKind::Treated),
        mark(Region::UpperTrapeziusRight, MarkKind::TriggerPoint),
    ];
    assert_eq!(saved.chart, picture);
    assert_eq!(store.get_session(&s.id).unwrap().chart, picture);

    // a half-written draft saves too
    let partial = SessionInput {
        pain_after: None,
        plan: String::new(),
        ..note()
    };
    let again = store.save_session_draft(&s.id, &partial).unwrap();
    assert_eq!(again.pain_after, None);
    assert!(again.version > saved.version);

    // bad input names the field and leaves the draft as it was
    for (field, bad) in [
        (
            "pain_before",
            SessionInput {
                pain_before: Some(11.0),
                ..note()
            },
        ),
        (
            "started_at",
            SessionInput {
                started_at: "yesterday".into(),
                ..note()
            },
        ),
        (
            "started_at",
            SessionInput {
                started_at: "2026-11-25T09:00:00Z".into(),
                ..note()
            },
        ),
        (
            "duration_minutes",
            SessionInput {
                duration_minutes: Some(0.0),
                ..note()
            },
        ),
        (
            "techniques.0.technique_id",
            SessionInput {
                techniques: vec![SessionTechniqueInput {
                    technique_id: "'; DROP TABLE sessions; --".into(),
                    ..Default::default()
                }],
                ..note()
            },
        ),
        (
            "techniques.0.technique_id",
            SessionInput {
                techniques: vec![SessionTechniqueInput {
                    technique_id: uuid::Uuid::now_v7().to_string(),
                    ..Default::default()
                }],
                ..note()
            },
        ),
        (
            "subjective",
            SessionInput {
                subjective: "x".repeat(20_001),
                ..note()
            },
        ),
    ] {
        let err = store.save_session_draft(&s.id, &bad).unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
    }
    assert_eq!(store.get_session(&s.id).unwrap(), again);
}

fn signing_locks_the_note_and_amendments_sit_beside_the_original(engine: Engine) {
    let place = Place::new(engine);
    let mut store = open(&place);
    let id = client(&mut store, vec![]);
    let s = store.start_session(&id).unwrap();

    // an incomplete note cannot be signed
    store
        .save_session_draft(
            &s.id,
            &SessionInput {
                pain_after: None,
                ..note()
            },
        )
        .unwrap();
    assert_eq!(
        store.sign_session(&s.id).unwrap_err().field.as_deref(),
        Some("pain_after")
    );

    store.save_session_draft(&s.id, &note()).unwrap();
    let signed = store.sign_session(&s.id).unwrap();
    assert_eq!(signed.status, SessionStatus::Signed);
    assert_eq!(signed.signed_by.as_deref(), Some("therapist-1"));

    // the core refuses edits
    let err = store.save_session_draft(&s.id, &note()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(
        store.sign_session(&s.id).unwrap_err().code,
        ErrorCode::Conflict
    );

    // and so does the database, whatever the path
    for sql in [
        "UPDATE sessions SET subjective = 'rewritten'",
        "UPDATE sessions SET status = 'draft'",
        "DELETE FROM sessions",
        "UPDATE session_techniques SET minutes = 1",
        "DELETE FROM session_techniques",
        "INSERT INTO session_marks (session_id, region, kind) SELECT id, 'frontalis', 'pain' FROM sessions",
        "UPDATE session_marks SET kind = 'pain'",
        "DELETE FROM session_marks",
    ] {
        refused(
            &store,
            sql,
            "a signed session note is locked; add an amendment instead",
        );
    }

    // amendments need a reason and a text, and never change the original
    assert_eq!(
        store
            .amend_session(&s.id, "", "x")
            .unwrap_err()
            .field
            .as_deref(),
        Some("reason")
    );
    assert_eq!(
        store
            .amend_session(&s.id, "why", " ")
            .unwrap_err()
            .field
            .as_deref(),
        Some("body")
    );
    let amended = store
        .amend_session(
            &s.id,
            "Pain after was recorded wrongly",
            "Pain after was 4, not 3.",
        )
        .unwrap();
    assert_eq!(amended.amendments.len(), 1);
    assert_eq!(amended.amendments[0].author, "therapist-1");
    assert_eq!(amended.pain_after, Some(3));
    assert_eq!(amended.subjective, signed.subjective);
    refused(
        &store,
        "UPDATE amendments SET body = 'x'",
        "amendments are kept unchanged",
    );
    refused(
        &store,
        "DELETE FROM amendments",
        "amendments are kept unchanged",
    );

    let list = store.list_sessions(&id).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].technique_names,
        vec!["Trigger point therapy", "Cervical stretching"]
    );
    assert_eq!(list[0].amendment_count, 1);

    // every change is in the audit log
    let actions: Vec<String> = store
        .sql()
        .all(
            "SELECT action FROM audit_log WHERE entity_id = ?1 ORDER BY seq",
            stillpoint::args![s.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        actions,
        vec![
            "session.create",
            "session.save_draft",
            "session.save_draft",
            "session.sign",
            "session.amend"
        ]
    );

    // drafts of the same client stay editable
    let other = store.start_session(&id).unwrap();
    assert!(store.save_session_draft(&other.id, &note()).is_ok());
}

fn a_draft_survives_the_process_ending_without_a_close(engine: Engine) {
    let place = Place::new(engine);
    let session_id = {
        let mut store = open(&place);
        let id = client(&mut store, vec![]);
        let s = store.start_session(&id).unwrap();
        store.save_session_draft(&s.id, &note()).unwrap();
        let id = s.id;
        std::mem::forget(store); // no orderly close, no checkpoint
        id
    };
    let store = open(&place);
    let s = store.get_session(&session_id).unwrap();
    assert_eq!(s.subjective, note().subjective);
}

/// Saving a draft returns the note without reading it back: what it returns must be what
/// reading it back gives, field for field (techniques in order with their catalogue names
/// and warnings for this client's flags, a technique twice, marks in stored order), for the
/// clinic's owner and for a therapist's login alike; and a technique not in the catalogue at
/// any position is named and changes nothing.
fn a_saved_draft_is_what_reading_it_back_gives(engine: Engine) {
    let place = Place::new(engine);
    let mut owner = open(&place);
    let mut therapist = Store::open_as(
        place.options().clock(Arc::new(now)).actor("therapist-1"),
        stillpoint::security::users::Role::Therapist,
    )
    .unwrap();
    for store in [&mut owner, &mut therapist] {
        let id = client(
            store,
            vec![
                Contraindication::RecentNeckInjury,
                Contraindication::Anticoagulants,
            ],
        );
        let s = store.start_session(&id).unwrap();
        let mut input = note();
        input.techniques.push(SessionTechniqueInput {
            technique_id: TRIGGER_POINT.into(),
            regions: vec![Region::Frontalis],
            ..Default::default()
        });
        input.marks = [
            Region::TemporalisLeft,
            Region::Frontalis,
            Region::SuboccipitalsRight,
            Region::MasseterLeft,
            Region::CervicalSpine,
        ]
        .into_iter()
        .map(|region| BodyMark {
            region,
            kind: MarkKind::Tension,
        })
        .collect();
        let saved = store.save_session_draft(&s.id, &input).unwrap();
        assert_eq!(saved.techniques.len(), 3);
        assert!(saved.techniques.iter().all(|t| !t.warnings.is_empty()));
        assert_eq!(saved, store.get_session(&s.id).unwrap());

        // Fewer techniques and no marks: the old ones are gone.
        let fewer = SessionInput {
            techniques: input.techniques[1..2].to_vec(),
            marks: Vec::new(),
            ..input.clone()
        };
        let saved = store.save_session_draft(&s.id, &fewer).unwrap();
        assert_eq!(saved.techniques.len(), 1);
        assert!(saved.marks.is_empty());
        assert_eq!(saved, store.get_session(&s.id).unwrap());

        let mut unknown = input.clone();
        unknown.techniques[1].technique_id = uuid::Uuid::now_v7().to_string();
        let e = store.save_session_draft(&s.id, &unknown).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("techniques.1.technique_id"));
        assert_eq!(store.get_session(&s.id).unwrap(), saved);
    }
}

crate::on_both_engines!(
    a_saved_draft_is_what_reading_it_back_gives,
    an_intake_is_validated_field_by_field_and_nothing_is_written_on_error,
    the_first_intake_is_the_baseline_and_lists_are_deduplicated,
    red_flags_stay_open_until_acknowledged_with_a_referral_note,
    medication_overuse_is_flagged_from_the_latest_intake,
    the_catalogue_is_seeded_editable_and_never_loses_a_technique,
    a_draft_saves_as_typed_and_a_contraindication_warns_against_a_technique,
    signing_locks_the_note_and_amendments_sit_beside_the_original,
    a_draft_survives_the_process_ending_without_a_close,
);
