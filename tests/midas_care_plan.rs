//! MIDAS questionnaires and the care plan, on both engines: stored and read back with the
//! core's score, grade and adherence; bad input refused by field with nothing written; the
//! roles as for intakes; every plan change in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::{Engine, Place};

use stillpoint::domain::care_plan::{CarePlanInput, FrequencyUnit, PlanPhaseInput};
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::midas::{MidasGrade, MidasInput};
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::security::users::Role;
use stillpoint::{ClientFields, ErrorCode, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";

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

fn midas_rows(place: &Place) -> i64 {
    let s = place.open();
    s.sql()
        .value("SELECT count(*) FROM midas_assessments", &[])
        .unwrap()
}

fn audit_rows(s: &Store) -> i64 {
    s.sql()
        .value("SELECT count(*) FROM audit_log", &[])
        .unwrap()
}

/// Each grade's edges, stored and read back: the score and grade come from the core.
fn midas_is_scored_and_graded_at_each_boundary_and_read_back(engine: Engine) {
    let (place, mut s, ann) = common::store_with_ann_on(engine);
    let cases: [([f64; 5], u16, MidasGrade); 7] = [
        ([0.0, 0.0, 0.0, 0.0, 0.0], 0, MidasGrade::I),
        ([1.0, 1.0, 1.0, 1.0, 1.0], 5, MidasGrade::I),
        ([2.0, 1.0, 1.0, 1.0, 1.0], 6, MidasGrade::Ii),
        ([2.0, 2.0, 2.0, 2.0, 2.0], 10, MidasGrade::Ii),
        ([3.0, 2.0, 2.0, 2.0, 2.0], 11, MidasGrade::Iii),
        ([4.0, 4.0, 4.0, 4.0, 4.0], 20, MidasGrade::Iii),
        ([5.0, 4.0, 4.0, 4.0, 4.0], 21, MidasGrade::Iv),
    ];
    for (i, (days, score, grade)) in cases.iter().enumerate() {
        let on = format!("2026-0{}-01", i + 1);
        let m = s.record_midas(&ann, &midas(&on, *days)).unwrap();
        assert_eq!((m.score, m.grade), (*score, *grade), "{days:?}");
        assert_eq!(m.grade_label, grade.label());
        assert_eq!(m.recorded_by, "local");
        assert_eq!(s.get_midas(&m.id).unwrap(), m);
    }
    let all = s.list_midas(&ann).unwrap();
    assert_eq!(all.len(), 7);
    // Oldest first, each as it was stored.
    let read: Vec<(String, u16, MidasGrade)> = all
        .iter()
        .map(|m| (m.answered_on.clone(), m.score, m.grade))
        .collect();
    assert_eq!(read[0], ("2026-01-01".to_owned(), 0, MidasGrade::I));
    assert_eq!(read[6], ("2026-07-01".to_owned(), 21, MidasGrade::Iv));
    assert_eq!(all[3].answers.headache_days, Some(24));
    assert_eq!(all[3].answers.average_pain, Some(6));
    // The trend in words, on the history screen.
    let chart = s.client_chart(&ann).unwrap();
    assert_eq!(chart.midas.assessments, all);
    assert_eq!(
        chart.midas.summary,
        "7 MIDAS questionnaires. First 0 (grade I) on 1 Jan 2026, latest 21 (grade IV) on 1 Jul 2026: 21 points higher."
    );
    // Read back from another connection too.
    let other = place.open();
    assert_eq!(other.list_midas(&ann).unwrap(), all);
    // The audit log has each one with its score.
    let audit = stillpoint::db::audit::list_for(s.sql(), "midas", &all[6].id).unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].summary.contains("score 21"), "{:?}", audit[0]);
}

fn a_bad_answer_is_refused_by_field_and_nothing_is_written(engine: Engine) {
    let (place, mut s, ann) = common::store_with_ann_on(engine);
    let before = audit_rows(&s);
    type Spoil = fn(&mut MidasInput);
    let cases: [(&str, Spoil); 8] = [
        ("answered_on", |i| i.answered_on = String::new()),
        ("answered_on", |i| i.answered_on = "2026-12-01".into()),
        ("answered_on", |i| {
            i.answered_on = "'; DROP TABLE midas_assessments; --".into()
        }),
        ("missed_work", |i| i.missed_work = None),
        ("reduced_work", |i| i.reduced_work = Some(2.5)),
        ("missed_leisure", |i| i.missed_leisure = Some(93.0)),
        ("reduced_household", |i| {
            i.missed_household = Some(50.0);
            i.reduced_household = Some(50.0);
        }),
        ("average_pain", |i| i.average_pain = Some(11.0)),
    ];
    for (field, spoil) in cases {
        let mut i = midas("2026-11-01", [1.0, 1.0, 1.0, 1.0, 1.0]);
        spoil(&mut i);
        let e = s.record_midas(&ann, &i).unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{field}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }
    assert_eq!(midas_rows(&place), 0);
    assert_eq!(audit_rows(&s), before);
    let unknown = s
        .record_midas(
            "01900000-0000-7000-8000-0000000000ff",
            &midas("2026-11-01", [0.0; 5]),
        )
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::NotFound);
    assert_eq!(
        s.list_midas("<script>").unwrap_err().code,
        ErrorCode::NotFound
    );
}

fn store_as(place: &Place, role: Role, who: &str) -> Store {
    Store::open_as(
        place.options().clock(common::fixed_clock()).actor(who),
        role,
    )
    .unwrap()
}

fn plan() -> CarePlanInput {
    CarePlanInput {
        goals: "Fewer headache days <script>alert(1)</script> '; DROP TABLE care_plans; -- 😊 שלום"
            .into(),
        phases: vec![
            PlanPhaseInput {
                every: Some(1.0),
                unit: Some(FrequencyUnit::Weeks),
                for_weeks: Some(6.0),
            },
            PlanPhaseInput {
                every: Some(2.0),
                unit: Some(FrequencyUnit::Weeks),
                for_weeks: None,
            },
        ],
        starts_on: "2026-09-01".into(),
        next_reassessment_on: "2026-12-01".into(),
        shared_with_physician: true,
    }
}

/// A therapist records for their own clients only; a manager reads every client's but records
/// none; an administrator does both.
fn midas_and_plans_go_through_the_roles_as_intakes_do(engine: Engine) {
    let place = Place::new(engine);
    let mut tess = store_as(&place, Role::Therapist, "tess");
    let mut jo = store_as(&place, Role::Therapist, "jo");
    let mut mia = store_as(&place, Role::Manager, "mia");
    let mut admin = store_as(&place, Role::Administrator, "ada");
    let new_client = |s: &mut Store, first: &str| {
        s.create_client(&ClientFields {
            first_name: first.into(),
            last_name: "Client".into(),
            ..Default::default()
        })
        .unwrap()
        .id
    };
    let tess_client = new_client(&mut tess, "Tessa");
    let m = tess
        .record_midas(
            &tess_client,
            &midas("2026-10-01", [2.0, 2.0, 2.0, 2.0, 2.0]),
        )
        .unwrap();
    assert_eq!(m.recorded_by, "tess");
    tess.set_care_plan(&tess_client, &plan()).unwrap();

    // Another therapist: neither reads nor writes them.
    for e in [
        jo.list_midas(&tess_client).unwrap_err(),
        jo.get_midas(&m.id).unwrap_err(),
        jo.record_midas(&tess_client, &midas("2026-10-02", [0.0; 5]))
            .unwrap_err(),
        jo.care_plan(&tess_client).unwrap_err(),
        jo.set_care_plan(&tess_client, &plan()).unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    }
    // The manager reads, but does not chart.
    assert_eq!(mia.list_midas(&tess_client).unwrap(), vec![m.clone()]);
    assert!(mia.care_plan(&tess_client).unwrap().plan.is_some());
    for e in [
        mia.record_midas(&tess_client, &midas("2026-10-02", [0.0; 5]))
            .unwrap_err(),
        mia.set_care_plan(&tess_client, &plan()).unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    }
    // The administrator does both.
    admin
        .record_midas(&tess_client, &midas("2026-11-01", [0.0; 5]))
        .unwrap();
    assert_eq!(admin.list_midas(&tess_client).unwrap().len(), 2);
    assert_eq!(midas_rows(&place), 2);
}

/// A plan set and changed: read back with its words and adherence; each change audited;
/// hostile text kept as text; bad input refused by field with nothing written.
fn a_care_plan_is_set_changed_audited_and_its_adherence_computed(engine: Engine) {
    let (place, mut s, ann) = common::store_with_ann_on(engine);
    s.record_intake(
        &ann,
        &IntakeInput {
            assessed_on: "2026-08-25".into(),
            headache_days: Some(12.0),
            usual_intensity: Some(6.0),
            goals: "Fewer headaches; sleep better".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let empty = s.care_plan(&ann).unwrap();
    assert_eq!(empty.plan, None);
    assert_eq!(empty.adherence, None);
    assert_eq!(empty.intake_goals, "Fewer headaches; sleep better");

    // Bad input: the field named, nothing written.
    let before = audit_rows(&s);
    type Spoil = fn(&mut CarePlanInput);
    let cases: [(&str, Spoil); 5] = [
        ("phases", |i| i.phases.clear()),
        ("phases.1.unit", |i| i.phases[1].unit = None),
        ("phases.0.for_weeks", |i| i.phases[0].for_weeks = None),
        ("starts_on", |i| i.starts_on = "2026-13-01".into()),
        ("next_reassessment_on", |i| {
            i.next_reassessment_on = "2026-08-01".into()
        }),
    ];
    for (field, spoil) in cases {
        let mut i = plan();
        spoil(&mut i);
        let e = s.set_care_plan(&ann, &i).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }
    assert_eq!(audit_rows(&s), before);
    assert_eq!(s.care_plan(&ann).unwrap().plan, None);

    // Signed sessions: 8 since the start (one the day before it, one a draft: neither counts).
    let dates = [
        "2026-08-31",
        "2026-09-01",
        "2026-09-08",
        "2026-09-15",
        "2026-09-29",
        "2026-10-06",
        "2026-10-13",
        "2026-10-27",
        "2026-11-10",
    ];
    for d in dates {
        common::note(
            &mut s,
            &ann,
            &format!("{d}T10:00:00Z"),
            &[TRIGGER_POINT],
            6.0,
            3.0,
            "",
            true,
        );
    }
    common::note(
        &mut s,
        &ann,
        "2026-11-20T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        false,
    );

    let set = s.set_care_plan(&ann, &plan()).unwrap();
    let p = set.plan.clone().unwrap();
    assert_eq!(p.goals, plan().goals);
    assert_eq!(p.frequency, "weekly for 6 weeks, then every 2 weeks");
    assert_eq!(p.starts_on, "2026-09-01");
    assert_eq!(p.next_reassessment_on.as_deref(), Some("2026-12-01"));
    assert!(p.shared_with_physician);
    // Worked by hand: 6 weekly from 1 Sep, then 13 Oct, 27 Oct, 10 Nov up to 23 Nov = 9.
    let a = set.adherence.clone().unwrap();
    assert_eq!((a.attended, a.planned), (8, 9));
    assert_eq!(
        a.summary,
        "8 of 9 planned sessions attended since 1 Sep 2026."
    );
    assert_eq!(place.open().care_plan(&ann).unwrap(), set);

    // Changed: one plan still, the new values, and both changes in the audit log.
    let mut changed = plan();
    changed.phases.truncate(1);
    changed.phases[0].for_weeks = None;
    changed.next_reassessment_on = String::new();
    changed.shared_with_physician = false;
    let now = s.set_care_plan(&ann, &changed).unwrap();
    let p = now.plan.unwrap();
    assert_eq!(p.frequency, "weekly");
    assert_eq!(p.next_reassessment_on, None);
    assert!(!p.shared_with_physician);
    assert_eq!(now.adherence.unwrap().planned, 12);
    let n: i64 = s
        .sql()
        .value("SELECT count(*) FROM care_plans", &[])
        .unwrap();
    assert_eq!(n, 1);
    let audit = stillpoint::db::audit::list_for(s.sql(), "care_plan", &ann).unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["care_plan.create", "care_plan.update"]);
    assert!(
        audit[0]
            .summary
            .contains("weekly for 6 weeks, then every 2 weeks")
    );
    assert!(audit[1].summary.contains("not shared"));

    // The client's JSON export holds the plan, the MIDAS and their audit entries.
    s.record_midas(&ann, &midas("2026-11-01", [1.0, 1.0, 1.0, 1.0, 1.0]))
        .unwrap();
    let mut out = Vec::new();
    s.export_client_json(&ann, &mut out).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["care_plan"]["frequency"], "weekly");
    assert_eq!(doc["midas"][0]["score"], 5);
    assert_eq!(doc["midas"][0]["grade"], "i");
    let actions: Vec<&str> = doc["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    for want in ["care_plan.create", "care_plan.update", "midas.create"] {
        assert!(actions.contains(&want), "{want} not in {actions:?}");
    }
}

/// The dashboard's "due for re-assessment" honours the plan's date when there is one.
fn the_dashboard_honours_the_plans_reassessment_date(engine: Engine) {
    let place = Place::new(engine);
    let mut s = Store::open(place.options().clock(Arc::new(|| {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
    })))
    .unwrap();
    let client = |s: &mut Store, first: &str| {
        s.create_client(&ClientFields {
            first_name: first.into(),
            last_name: "Test".into(),
            ..Default::default()
        })
        .unwrap()
        .id
    };
    let intake = |s: &mut Store, c: &str, on: &str| {
        s.record_intake(
            c,
            &IntakeInput {
                assessed_on: on.into(),
                headache_days: Some(10.0),
                usual_intensity: Some(5.0),
                ..Default::default()
            },
        )
        .unwrap();
    };
    // Seen this month, last assessed in August: due by today's rule...
    let no_plan = client(&mut s, "Noplan");
    intake(&mut s, &no_plan, "2026-08-01");
    common::note(
        &mut s,
        &no_plan,
        "2026-11-16T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    // ... but not when the plan says the re-assessment is in December.
    let later = client(&mut s, "Later");
    intake(&mut s, &later, "2026-08-01");
    common::note(
        &mut s,
        &later,
        "2026-11-16T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    let mut p = plan();
    p.next_reassessment_on = "2026-12-15".into();
    s.set_care_plan(&later, &p).unwrap();
    // Assessed this month (not due by today's rule), but the plan's date has passed.
    let passed = client(&mut s, "Passed");
    intake(&mut s, &passed, "2026-11-02");
    common::note(
        &mut s,
        &passed,
        "2026-11-16T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    p.next_reassessment_on = "2026-11-20".into();
    s.set_care_plan(&passed, &p).unwrap();
    // The plan's date has passed, but an intake on or after it re-assessed them.
    let done = client(&mut s, "Done");
    p.next_reassessment_on = "2026-11-10".into();
    s.set_care_plan(&done, &p).unwrap();
    intake(&mut s, &done, "2026-11-12");
    common::note(
        &mut s,
        &done,
        "2026-11-16T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );

    // A plan whose date has passed for a client never seen since it was set: due, with no
    // last session to show (the dashboard once failed on this: "expected text, found Null").
    let unseen = client(&mut s, "Unseen");
    p.next_reassessment_on = "2026-11-01".into();
    s.set_care_plan(&unseen, &p).unwrap();

    let d = s.dashboard(&DashboardQuery::default()).unwrap();
    let mut due: Vec<(String, bool)> = d
        .due_for_reassessment
        .iter()
        .map(|r| (r.client_name.clone(), r.last_session_at.is_some()))
        .collect();
    due.sort();
    assert_eq!(
        due,
        [
            ("Noplan Test".to_owned(), true),
            ("Passed Test".to_owned(), true),
            ("Unseen Test".to_owned(), false)
        ]
    );
    assert_eq!(d.due_for_reassessment_total, 3);
}

/// The PDF summary carries the latest MIDAS, the change since the first, and the care plan.
fn the_pdf_summary_carries_midas_and_the_care_plan(engine: Engine) {
    let (_place, mut s, ann) = common::store_with_ann_on(engine);
    s.record_midas(&ann, &midas("2026-08-03", [10.0, 8.0, 6.0, 6.0, 4.0]))
        .unwrap();
    s.record_midas(&ann, &midas("2026-11-02", [2.0, 2.0, 2.0, 2.0, 1.0]))
        .unwrap();
    common::note(
        &mut s,
        &ann,
        "2026-09-01T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "",
        true,
    );
    s.set_care_plan(&ann, &plan()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.pdf");
    std::fs::write(&path, s.client_summary_pdf(&ann).unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: make test installs it");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Migraine disability (MIDAS)",
        "Latest MIDAS (2 Nov 2026): score 9, Grade II — mild disability.",
        "Since the first (3 Aug 2026): score 34, Grade IV — severe disability; 25 points lower (2 questionnaires).",
        "Care plan",
        "Frequency: weekly for 6 weeks, then every 2 weeks from 1 Sep 2026",
        "Adherence: 1 of 9 planned sessions attended since 1 Sep 2026.",
        "Next re-assessment: 1 Dec 2026",
    ] {
        assert!(flat.contains(want), "{want:?} not in:\n{text}");
    }
}

crate::on_both_engines!(
    midas_is_scored_and_graded_at_each_boundary_and_read_back,
    a_bad_answer_is_refused_by_field_and_nothing_is_written,
    midas_and_plans_go_through_the_roles_as_intakes_do,
    a_care_plan_is_set_changed_audited_and_its_adherence_computed,
    the_dashboard_honours_the_plans_reassessment_date,
    the_pdf_summary_carries_midas_and_the_care_plan,
);

/// On a clinic server the database itself keeps MIDAS and care plans to the clients a
/// therapist's login may read (row-level security), and logins made after schema 13 may
/// write them (the grants in `stillpoint_create_login`).
#[test]
fn on_a_clinic_server_a_therapist_login_reads_and_writes_only_its_clients_midas_and_plan() {
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
    let core_as = |role: &str, actor: &str| {
        Store::open(
            OpenOptions::server(format!("{conninfo} user={role}"))
                .actor(actor)
                .clock(common::fixed_clock()),
        )
        .unwrap()
    };
    let sql_as = |role: &str| {
        postgres::Client::connect(&format!("{conninfo} user={role}"), postgres::NoTls).unwrap()
    };
    let mut t = core_as(&tess, "tess");
    let ann = t
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    t.record_midas(&ann, &midas("2026-11-01", [1.0, 1.0, 1.0, 1.0, 1.0]))
        .unwrap();
    t.set_care_plan(&ann, &plan()).unwrap();
    t.set_care_plan(&ann, &plan()).unwrap();

    let count = |db: &mut postgres::Client, table: &str| -> i64 {
        db.query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0)
    };
    let mut j = sql_as(&jo);
    assert_eq!(count(&mut j, "midas_assessments"), 0);
    assert_eq!(count(&mut j, "care_plans"), 0);
    // Jo cannot write one for Ann, as himself or as Tess.
    for by in ["jo", "tess"] {
        let r = j.execute(
            "INSERT INTO midas_assessments (id, client_id, answered_on, missed_work, reduced_work,
                missed_household, reduced_household, missed_leisure, recorded_by, recorded_at)
             VALUES ('01900000-0000-7000-8000-0000000000aa', $1, '2026-11-01', 0, 0, 0, 0, 0, $2,
                '2026-11-01T00:00:00Z')",
            &[&ann, &by],
        );
        assert!(r.is_err(), "jo wrote a MIDAS as {by}");
    }
    let r = j.execute("UPDATE care_plans SET goals = 'x'", &[]).unwrap();
    assert_eq!(r, 0);
    // The manager reads both; Tess's login cannot change a MIDAS once written.
    let mut m = sql_as(&mia);
    assert_eq!(count(&mut m, "midas_assessments"), 1);
    assert_eq!(count(&mut m, "care_plans"), 1);
    let mut ts = sql_as(&tess);
    assert!(
        ts.execute("UPDATE midas_assessments SET missed_work = 0", &[])
            .is_err()
    );
    assert!(ts.execute("DELETE FROM care_plans", &[]).is_err());
}
