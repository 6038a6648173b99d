//! The clinic dashboard on a small hand-worked clinic: two therapists, four clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::vocab::RedFlag;
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::{ClientFields, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";
const SCALP: &str = "01900000-0000-7000-8000-000000000004";

type Clock = Arc<Mutex<DateTime<Utc>>>;

fn open(place: &Place, who: &str, clock: &Clock) -> Store {
    let c = clock.clone();
    Store::open(
        place
            .options()
            .actor(who)
            .clock(Arc::new(move || *c.lock().unwrap())),
    )
    .unwrap()
}

fn client(s: &mut Store, first: &str) -> String {
    s.create_client(&ClientFields {
        first_name: first.into(),
        last_name: "Test".into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

fn intake(s: &mut Store, c: &str, on: &str, days: f64, flags: Vec<RedFlag>) -> String {
    s.record_intake(
        c,
        &IntakeInput {
            assessed_on: on.into(),
            headache_days: Some(days),
            usual_intensity: Some(5.0),
            red_flags: flags,
            ..Default::default()
        },
    )
    .unwrap()
    .id
}

fn the_dashboard_counts_match_a_hand_worked_clinic(engine: Engine) {
    let place = Place::new(engine);
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let clock: Clock = Arc::new(Mutex::new(now));
    let mut t1 = open(&place, "therapist-1", &clock);
    let mut t2 = open(&place, "therapist-2", &clock);

    let ann = client(&mut t1, "Ann");
    let bea = client(&mut t2, "Bea");
    let cal = client(&mut t1, "Cal");
    let dee = client(&mut t1, "Dee");

    intake(&mut t1, &ann, "2026-09-01", 10.0, vec![]);
    intake(&mut t1, &ann, "2026-11-10", 4.0, vec![]); // -60%: responder
    intake(&mut t2, &bea, "2026-09-01", 8.0, vec![]);
    intake(&mut t2, &bea, "2026-10-01", 6.0, vec![]); // -25%: not yet; last intake > 30 days
    intake(&mut t1, &cal, "2026-11-20", 5.0, vec![RedFlag::Thunderclap]); // open
    let dee_intake = intake(&mut t1, &dee, "2026-11-21", 5.0, vec![RedFlag::Pregnancy]);
    t1.acknowledge_red_flags(&dee_intake, "Midwife consulted; cleared for light work.")
        .unwrap();

    common::note(
        &mut t1,
        &ann,
        "2026-11-15T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        2.0,
        "",
        true,
    );
    common::note(
        &mut t1,
        &ann,
        "2026-11-18T10:00:00Z",
        &[TRIGGER_POINT, SCALP],
        5.0,
        4.0,
        "",
        true,
    );
    common::note(
        &mut t2,
        &bea,
        "2026-11-16T10:00:00Z",
        &[SCALP],
        7.0,
        4.0,
        "",
        true,
    );
    common::note(
        &mut t2,
        &bea,
        "2026-06-01T10:00:00Z",
        &[SCALP],
        9.0,
        9.0,
        "",
        true,
    ); // before the period

    // a draft started two days ago (unsigned too long) and one an hour ago (fine)
    *clock.lock().unwrap() = now - Duration::days(2);
    let stale = t2.start_session(&bea).unwrap().id;
    *clock.lock().unwrap() = now - Duration::hours(1);
    t1.start_session(&ann).unwrap();
    *clock.lock().unwrap() = now;

    let d = t1.dashboard(&DashboardQuery::default()).unwrap();
    assert_eq!(
        (d.from.as_str(), d.to.as_str()),
        ("2026-10-25", "2026-11-23")
    );
    assert_eq!(d.clients_on_record, 4);
    assert_eq!(
        d.active_clients, 2,
        "Ann and Bea had signed sessions in 90 days"
    );

    let per: Vec<(String, u32, u32)> = d
        .sessions_per_therapist
        .iter()
        .map(|t| (t.therapist.clone(), t.signed, t.drafts))
        .collect();
    assert_eq!(
        per,
        vec![("therapist-1".into(), 2, 1), ("therapist-2".into(), 1, 1)]
    );

    assert_eq!(d.unsigned_notes.len(), 1);
    assert_eq!(d.unsigned_notes[0].session_id, stale);
    assert_eq!(d.unsigned_notes[0].hours_open, 48);
    assert_eq!(d.unsigned_notes[0].client_name, "Bea Test");

    let due: Vec<&str> = d
        .due_for_reassessment
        .iter()
        .map(|c| c.client_name.as_str())
        .collect();
    assert_eq!(due, vec!["Bea Test"]);
    assert_eq!(
        d.due_for_reassessment[0].last_intake_on.as_deref(),
        Some("2026-10-01")
    );

    assert_eq!(d.open_red_flags.len(), 1);
    assert_eq!(d.open_red_flags[0].client_id, cal);
    assert_eq!(d.open_red_flags[0].red_flags, vec![RedFlag::Thunderclap]);
    assert_eq!(d.referrals.len(), 1);
    assert_eq!(d.referrals[0].client_id, dee);
    assert_eq!(
        d.referrals[0].acknowledged_by.as_deref(),
        Some("therapist-1")
    );

    let tp = d
        .technique_outcomes
        .iter()
        .find(|t| t.technique_id == TRIGGER_POINT)
        .unwrap();
    // sessions 6→2 and 5→4: changes 4 and 1, mean 2.5; Ann is a responder
    assert_eq!((tp.sessions, tp.sessions_with_pain), (2, 2));
    assert_eq!(tp.mean_pain_change, Some(2.5));
    assert_eq!(
        (tp.clients, tp.clients_measurable, tp.responders),
        (1, 1, 1)
    );
    assert_eq!(tp.responder_share_percent, Some(100.0));
    let scalp = d
        .technique_outcomes
        .iter()
        .find(|t| t.technique_id == SCALP)
        .unwrap();
    // 5→4, 7→4, 9→9: changes 1, 3, 0, mean 1.3; Ann responder, Bea not yet: 1 of 2
    assert_eq!(scalp.sessions, 3);
    assert_eq!(scalp.mean_pain_change, Some(1.3));
    assert_eq!(
        (scalp.clients, scalp.clients_measurable, scalp.responders),
        (2, 2, 1)
    );
    assert_eq!(scalp.responder_share_percent, Some(50.0));
    assert_eq!(
        d.technique_outcomes.len(),
        2,
        "unused techniques are not listed"
    );

    // a chosen period
    let june = t1
        .dashboard(&DashboardQuery {
            from: Some("2026-06-01".into()),
            to: Some("2026-06-30".into()),
        })
        .unwrap();
    assert_eq!(june.sessions_per_therapist.len(), 1);
    assert_eq!(june.sessions_per_therapist[0].signed, 1);
    assert!(june.referrals.is_empty());
    let bad = t1.dashboard(&DashboardQuery {
        from: Some("2026-07-01".into()),
        to: Some("2026-06-01".into()),
    });
    assert_eq!(bad.unwrap_err().field.as_deref(), Some("to"));
    let garbage = t1.dashboard(&DashboardQuery {
        from: Some("'; DROP TABLE sessions; --".into()),
        to: None,
    });
    assert_eq!(garbage.unwrap_err().field.as_deref(), Some("from"));
}

crate::on_both_engines!(the_dashboard_counts_match_a_hand_worked_clinic,);
