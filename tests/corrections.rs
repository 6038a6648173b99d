//! Corrections that count, on both engines: an amendment corrects a signed note's pain or
//! duration with its reason; the note keeps its signed values, the outcomes, the session list,
//! the running totals and the exports use the corrected one and say so, and the audit log
//! holds both. Bad corrections are refused by field with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use stillpoint::domain::corrections::CorrectedField;
use stillpoint::domain::midas::{MidasCorrectionInput, MidasGrade, MidasInput};
use stillpoint::domain::sessions::SessionCorrectionInput;
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::reports::technique_totals;
use stillpoint::security::users::Role;
use stillpoint::{ClientFields, ErrorCode, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";

fn rows(s: &Store, table: &str) -> i64 {
    s.sql()
        .value(&format!("SELECT count(*) FROM {table}"), &[])
        .unwrap()
}

fn pain_after(v: f64) -> SessionCorrectionInput {
    SessionCorrectionInput {
        pain_after: Some(v),
        ..Default::default()
    }
}

fn trigger_point_mean(s: &Store) -> Option<f64> {
    s.dashboard(&DashboardQuery::default())
        .unwrap()
        .technique_outcomes
        .into_iter()
        .find(|t| t.technique_id == TRIGGER_POINT)
        .and_then(|t| t.mean_pain_change)
}

fn pdf_text(pdf: Vec<u8>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: make test installs it");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pain after was 4, not 3: the figures move, the signed note does not.
fn a_corrected_pain_counts_and_the_original_stays(engine: Engine) {
    let (_place, mut s, ann) = common::store_with_ann_on(engine);
    let first = common::note(
        &mut s,
        &ann,
        "2026-10-01T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    common::note(
        &mut s,
        &ann,
        "2026-10-08T10:00:00Z",
        &[TRIGGER_POINT],
        5.0,
        3.0,
        "",
        true,
    );
    // Before: changes 3 and 2, mean 2.5.
    assert_eq!(trigger_point_mean(&s), Some(2.5));
    let chart = s.client_chart(&ann).unwrap();
    assert_eq!(chart.outcomes.mean_pain_change, Some(2.5));
    assert_eq!(chart.outcomes.corrections_note, None);

    let note = s
        .amend_session_correcting(
            &first,
            "Pain after was misread from the client's scale",
            "",
            &pain_after(4.0),
        )
        .unwrap();
    // The note as signed, and the correction beside it.
    assert_eq!(note.pain_after, Some(3));
    assert_eq!(note.amendments.len(), 1);
    assert_eq!(note.amendments[0].body, "");
    let fix = &note.amendments[0].corrections;
    assert_eq!(fix.len(), 1);
    assert_eq!(fix[0].field, CorrectedField::PainAfter);
    assert_eq!((fix[0].original, fix[0].corrected), (Some(3), 4));
    assert_eq!(fix[0].text, "Pain after corrected from 3/10 to 4/10");
    assert_eq!(fix[0].corrected_shown, "4/10");
    assert_eq!(
        fix[0].reason,
        "Pain after was misread from the client's scale"
    );
    assert_eq!(note.corrected, fix.clone());
    let stored: i64 = s
        .sql()
        .value(
            "SELECT pain_after FROM sessions WHERE id = ?1",
            stillpoint::args![first],
        )
        .unwrap();
    assert_eq!(stored, 3);

    // The figures use 4: changes 2 and 2.
    let list = s.list_sessions(&ann).unwrap();
    let row = list.iter().find(|r| r.id == first).unwrap();
    assert_eq!(
        (row.pain_before, row.pain_after, row.corrected),
        (Some(6), Some(4), true)
    );
    let chart = s.client_chart(&ann).unwrap();
    let o = &chart.outcomes;
    assert_eq!(o.mean_pain_change, Some(2.0));
    assert_eq!(
        o.pain_change_text.as_deref(),
        Some("2.0 points less pain after sessions (mean)")
    );
    let p = o
        .session_pain
        .iter()
        .find(|p| p.session_id == first)
        .unwrap();
    assert_eq!((p.before, p.after, p.change, p.corrected), (6, 4, 2, true));
    assert_eq!(
        o.corrections_note.as_deref(),
        Some(
            "Pain within sessions uses the corrected values of 1 session (corrected by amendment); the signed notes keep the originals."
        )
    );
    assert!(
        chart
            .history
            .events
            .iter()
            .any(|e| e.record_id == first && e.detail.starts_with("pain 6 → 4 (corrected)")),
        "{:?}",
        chart.history.events
    );
    // The running totals moved with it, and equal a fresh count.
    assert_eq!(trigger_point_mean(&s), Some(2.0));
    assert!(technique_totals::check(s.sql()).unwrap());

    // The audit log holds the reason, the old value and the new.
    let audit: String = s
        .sql()
        .value(
            "SELECT summary FROM audit_log WHERE action = 'session.amend' ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(
        audit,
        "amended the signed note: Pain after was misread from the client's scale; Pain after corrected from 3/10 to 4/10"
    );

    // A second correction follows from the value in force, and wins.
    let note = s
        .amend_session_correcting(
            &first,
            "Checked with the client",
            "She confirmed 5.",
            &SessionCorrectionInput {
                pain_after: Some(5.0),
                duration_minutes: Some(45.0),
                ..Default::default()
            },
        )
        .unwrap();
    let texts: Vec<&str> = note.amendments[1]
        .corrections
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "Pain after corrected from 4/10 to 5/10",
            "Duration corrected from 60 minutes to 45 minutes"
        ]
    );
    let in_force: Vec<(CorrectedField, i64)> = note
        .corrected
        .iter()
        .map(|c| (c.field, c.corrected))
        .collect();
    assert_eq!(
        in_force,
        [
            (CorrectedField::PainAfter, 5),
            (CorrectedField::DurationMinutes, 45)
        ]
    );
    assert_eq!(
        (note.pain_after, note.duration_minutes),
        (Some(3), Some(60))
    );
    assert_eq!(trigger_point_mean(&s), Some(1.5));
    assert!(technique_totals::check(s.sql()).unwrap());

    // The exports carry it: the CSV beside the signed values, the PDF in words.
    let mut csv = Vec::new();
    s.export_sessions_csv(&mut csv, &mut |_| {}).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let head = reader.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rec = reader
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == first.as_str())
        .unwrap();
    assert_eq!(&rec[col("pain_after")], "3");
    assert_eq!(&rec[col("pain_after_corrected")], "5");
    assert_eq!(&rec[col("pain_before_corrected")], "");
    assert_eq!(&rec[col("duration_minutes_corrected")], "45");
    let text = pdf_text(s.client_summary_pdf(&ann).unwrap());
    assert!(
        text.contains("uses the corrected values of 1 session (corrected by amendment)"),
        "{text}"
    );

    // Corrections are kept as made, whatever the path.
    for sql in [
        "UPDATE corrections SET corrected = 9",
        "DELETE FROM corrections",
    ] {
        let e = s.sql().execute(sql, &[]).expect_err(sql);
        assert_eq!(e.code, ErrorCode::Storage);
    }
}

/// A correction out of range, the same value again, one on a draft, or an amendment that
/// neither says nor corrects anything: each refused by its field, nothing written.
fn a_bad_correction_is_refused_by_field_and_nothing_is_written(engine: Engine) {
    let (_place, mut s, ann) = common::store_with_ann_on(engine);
    let signed = common::note(
        &mut s,
        &ann,
        "2026-10-01T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    let draft = common::note(
        &mut s,
        &ann,
        "2026-10-08T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        false,
    );
    let counts = |s: &Store| {
        (
            rows(s, "amendments"),
            rows(s, "corrections"),
            rows(s, "audit_log"),
        )
    };
    let before = counts(&s);
    let cases: Vec<(SessionCorrectionInput, &str, &str)> = vec![
        (
            pain_after(11.0),
            "corrections.pain_after",
            "Pain after must be a whole number from 0 to 10.",
        ),
        (
            pain_after(3.5),
            "corrections.pain_after",
            "Pain after must be a whole number from 0 to 10.",
        ),
        (
            pain_after(f64::NAN),
            "corrections.pain_after",
            "Pain after must be a whole number from 0 to 10.",
        ),
        (
            pain_after(3.0),
            "corrections.pain_after",
            "Pain after is already 3/10: leave it empty, or enter the right value.",
        ),
        (
            SessionCorrectionInput {
                pain_before: Some(-1.0),
                ..Default::default()
            },
            "corrections.pain_before",
            "Pain before must be a whole number from 0 to 10.",
        ),
        (
            SessionCorrectionInput {
                duration_minutes: Some(0.0),
                ..Default::default()
            },
            "corrections.duration_minutes",
            "Duration must be a whole number from 1 to 480.",
        ),
        (
            SessionCorrectionInput::default(),
            "body",
            "Write the amendment, or correct a recorded value below.",
        ),
    ];
    for (fix, field, message) in cases {
        let e = s
            .amend_session_correcting(&signed, "Typo", "", &fix)
            .expect_err(field);
        assert_eq!(e.code, ErrorCode::Validation, "{fix:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{fix:?}");
        assert_eq!(e.message, message);
        assert_eq!(counts(&s), before, "{fix:?} wrote something");
    }
    // A draft is edited, not corrected.
    let e = s
        .amend_session_correcting(&draft, "Typo", "", &pain_after(4.0))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    // Hostile text in the reason is kept as text, and no correction without a reason.
    let e = s
        .amend_session_correcting(&signed, "  ", "", &pain_after(4.0))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    assert_eq!(counts(&s), before);
    let note = s
        .amend_session_correcting(
            &signed,
            "<script>alert(1)</script>'; DROP TABLE corrections; -- 😀 عربى",
            "",
            &pain_after(4.0),
        )
        .unwrap();
    assert_eq!(
        note.corrected[0].reason,
        "<script>alert(1)</script>'; DROP TABLE corrections; -- 😀 عربى"
    );
    assert_eq!(rows(&s, "corrections"), 1);
}

/// A manager may amend any note (the permission to amend others' notes); a therapist who
/// did not write the note may not, and nothing is written.
fn corrections_go_through_the_roles_as_amendments_do(engine: Engine) {
    let place = Place::new(engine);
    let mut tess = Store::open_as(
        place.options().clock(common::fixed_clock()).actor("tess"),
        Role::Therapist,
    )
    .unwrap();
    let ann = tess
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let note = common::note(
        &mut tess,
        &ann,
        "2026-10-01T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    drop(tess);
    let mut jo = Store::open_as(
        place.options().clock(common::fixed_clock()).actor("jo"),
        Role::Therapist,
    )
    .unwrap();
    assert!(
        jo.amend_session_correcting(&note, "Typo", "", &pain_after(4.0))
            .is_err()
    );
    assert_eq!(rows(&jo, "corrections"), 0);
    drop(jo);
    let mut mia = Store::open_as(
        place.options().clock(common::fixed_clock()).actor("mia"),
        Role::Manager,
    )
    .unwrap();
    let n = mia
        .amend_session_correcting(&note, "Typo", "", &pain_after(4.0))
        .unwrap();
    assert_eq!(n.corrected[0].author, "mia");
    assert_eq!(rows(&mia, "corrections"), 1);
}

fn midas(on: &str, days: [f64; 5]) -> MidasInput {
    MidasInput {
        answered_on: on.into(),
        missed_work: Some(days[0]),
        reduced_work: Some(days[1]),
        missed_household: Some(days[2]),
        reduced_household: Some(days[3]),
        missed_leisure: Some(days[4]),
        headache_days: Some(24.0),
        average_pain: Some(6.0),
    }
}

/// A MIDAS answer corrected with its reason: the answers as given stay, the score, grade and
/// trend use the corrected one; bad corrections are refused by field, nothing written.
fn a_corrected_midas_answer_counts_and_the_original_stays(engine: Engine) {
    let (_place, mut s, ann) = common::store_with_ann_on(engine);
    let m = s
        .record_midas(&ann, &midas("2026-08-03", [10.0, 8.0, 6.0, 6.0, 4.0]))
        .unwrap();
    assert_eq!((m.score, m.grade), (34, MidasGrade::Iv));
    let before = (rows(&s, "corrections"), rows(&s, "audit_log"));
    let refused = |s: &mut Store, fix: MidasCorrectionInput, reason: &str| {
        s.correct_midas(&m.id, reason, &fix).unwrap_err()
    };
    let e = refused(&mut s, MidasCorrectionInput::default(), "Typo");
    assert_eq!(e.field.as_deref(), Some("corrections"));
    let e = refused(
        &mut s,
        MidasCorrectionInput {
            missed_work: Some(2.0),
            ..Default::default()
        },
        " ",
    );
    assert_eq!(e.field.as_deref(), Some("reason"));
    let e = refused(
        &mut s,
        MidasCorrectionInput {
            missed_work: Some(93.0),
            ..Default::default()
        },
        "Typo",
    );
    assert_eq!(e.field.as_deref(), Some("corrections.missed_work"));
    let e = refused(
        &mut s,
        MidasCorrectionInput {
            missed_work: Some(10.0),
            ..Default::default()
        },
        "Typo",
    );
    assert_eq!(
        e.message,
        "Question 1 (work or school missed) is already 10 days: leave it empty, or enter the right value."
    );
    // Question 2 does not count question 1's days: together at most 92.
    let e = refused(
        &mut s,
        MidasCorrectionInput {
            reduced_work: Some(90.0),
            ..Default::default()
        },
        "Typo",
    );
    assert_eq!(e.field.as_deref(), Some("corrections.reduced_work"));
    assert_eq!((rows(&s, "corrections"), rows(&s, "audit_log")), before);

    let fixed = s
        .correct_midas(
            &m.id,
            "She counted school holidays as missed days",
            &MidasCorrectionInput {
                missed_work: Some(2.0),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((fixed.score, fixed.grade), (26, MidasGrade::Iv));
    assert_eq!(fixed.answers.missed_work, 2);
    let given = fixed.as_answered.as_ref().unwrap();
    assert_eq!((given.score, given.answers.missed_work), (34, 10));
    assert_eq!(
        fixed.corrections[0].text,
        "Question 1 (work or school missed) corrected from 10 days to 2 days"
    );
    assert_eq!(s.get_midas(&m.id).unwrap(), fixed);
    assert_eq!(s.list_midas(&ann).unwrap(), vec![fixed.clone()]);
    let stored: i64 = s
        .sql()
        .value(
            "SELECT missed_work FROM midas_assessments WHERE id = ?1",
            stillpoint::args![m.id],
        )
        .unwrap();
    assert_eq!(stored, 10);
    let audit: String = s
        .sql()
        .value(
            "SELECT summary FROM audit_log WHERE action = 'midas.correct'",
            &[],
        )
        .unwrap();
    assert_eq!(
        audit,
        format!(
            "corrected the MIDAS of 2026-08-03 for client {ann}: She counted school holidays as missed days; Question 1 (work or school missed) corrected from 10 days to 2 days"
        )
    );
    // The trend counts the corrected score.
    s.record_midas(&ann, &midas("2026-11-02", [2.0, 2.0, 2.0, 2.0, 1.0]))
        .unwrap();
    let chart = s.client_chart(&ann).unwrap();
    assert!(
        chart.midas.summary.contains("First 26 (grade IV)"),
        "{}",
        chart.midas.summary
    );
    // …and says so, as the timeline does.
    assert!(
        chart.midas.summary.ends_with(
            " Scores use the corrected answers of 1 questionnaire; the answers as given are kept."
        ),
        "{}",
        chart.midas.summary
    );
    let first = chart
        .history
        .events
        .iter()
        .find(|e| e.record_id == m.id)
        .unwrap();
    assert_eq!(first.title, "MIDAS 26, grade IV (severe disability)");
    assert!(
        first
            .detail
            .starts_with("answers corrected (as answered: 34)"),
        "{}",
        first.detail
    );
}

crate::on_both_engines!(
    a_corrected_midas_answer_counts_and_the_original_stays,
    a_corrected_pain_counts_and_the_original_stays,
    a_bad_correction_is_refused_by_field_and_nothing_is_written,
    corrections_go_through_the_roles_as_amendments_do,
);

/// On a clinic server the table's own rules hold for logins: a therapist's login adds a
/// correction to her own note only, reads none of another's clients, and changes none.
#[test]
fn on_a_clinic_server_a_therapist_login_corrects_only_her_own_notes() {
    use stillpoint::OpenOptions;
    use stillpoint::security::users::NewUser;
    let place = Place::new(Engine::Postgres);
    let conninfo = match &place {
        Place::Pg { conninfo, .. } => conninfo.clone(),
        Place::Dir(_) => unreachable!(),
    };
    let mut owner = place.open();
    let mut add = |username: &str, role: Role| {
        owner
            .add_clinic_user(&NewUser {
                username: username.into(),
                display_name: format!("{username} person"),
                role: Some(role),
                password: format!("{username} passphrase 1"),
            })
            .unwrap()
            .1
    };
    let (tess, jo, mia) = (
        add("tess", Role::Therapist),
        add("jo", Role::Therapist),
        add("mia", Role::Manager),
    );
    let mut t = Store::open(
        OpenOptions::server(format!("{conninfo} user={tess}"))
            .actor("tess")
            .clock(common::fixed_clock()),
    )
    .unwrap();
    let ann = t
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let note = common::note(
        &mut t,
        &ann,
        "2026-10-01T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    // Through the core, as her own login.
    t.amend_session_correcting(&note, "Typo", "", &pain_after(4.0))
        .unwrap();
    let sql_as = |role: &str| {
        postgres::Client::connect(&format!("{conninfo} user={role}"), postgres::NoTls).unwrap()
    };
    let count = |db: &mut postgres::Client| -> i64 {
        db.query_one("SELECT count(*) FROM corrections", &[])
            .unwrap()
            .get(0)
    };
    let insert = "INSERT INTO corrections (id, client_id, record_kind, record_id, field, original,
            corrected, reason, author, created_at)
         VALUES ($1, $2, 'session', $3, 'pain_after', 3, 2, 'x', $4, '2026-11-01T00:00:00Z')";
    let mut j = sql_as(&jo);
    assert_eq!(count(&mut j), 0);
    for by in ["jo", "tess"] {
        let r = j.execute(
            insert,
            &[
                &format!("01900000-0000-7000-8000-0000000000b{}", by.len()),
                &ann,
                &note,
                &by,
            ],
        );
        assert!(r.is_err(), "jo corrected tess's note as {by}");
    }
    let mut m = sql_as(&mia);
    assert_eq!(count(&mut m), 1);
    let mut ts = sql_as(&tess);
    assert!(
        ts.execute("UPDATE corrections SET corrected = 0", &[])
            .is_err()
    );
    assert!(ts.execute("DELETE FROM corrections", &[]).is_err());
    assert_eq!(count(&mut ts), 1);
}
