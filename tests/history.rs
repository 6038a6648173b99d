//! A client's timeline: every kind of record, newest first, with the latest plan on top.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use stillpoint::domain::care_plan::{CarePlanInput, FrequencyUnit, PlanPhaseInput};
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::midas::MidasInput;
use stillpoint::domain::vocab::RedFlag;
use stillpoint::reports::history::{EventKind, Opens};
use stillpoint::{ErrorCode, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";
const SCALP: &str = "01900000-0000-7000-8000-000000000004";

fn setup(engine: Engine) -> (Place, Store, String) {
    common::store_with_ann_on(engine)
}

fn intake(store: &mut Store, client: &str, date: &str, days: f64, flags: Vec<RedFlag>) -> String {
    store
        .record_intake(
            client,
            &IntakeInput {
                assessed_on: date.into(),
                headache_days: Some(days),
                usual_intensity: Some(6.0),
                stress: Some(7.0),
                red_flags: flags,
                ..Default::default()
            },
        )
        .unwrap()
        .id
}

fn an_empty_history_is_empty_and_an_unknown_client_is_not_found(engine: Engine) {
    let (_d, store, id) = setup(engine);
    let h = store.client_history(&id).unwrap();
    assert!(h.events.is_empty());
    assert_eq!(h.latest_plan, None);
    let missing = store
        .client_history("01900000-0000-7000-8000-0000000000ff")
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
    let bad = store
        .client_history("'; DROP TABLE clients; --")
        .unwrap_err();
    assert_eq!(bad.code, ErrorCode::NotFound);
}

fn every_kind_of_record_newest_first_with_the_latest_signed_plan_on_top(engine: Engine) {
    let (_d, mut s, id) = setup(engine);
    let baseline = intake(&mut s, &id, "2026-09-01", 12.0, vec![]);
    let s1 = common::note(
        &mut s,
        &id,
        "2026-09-01T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "Weekly, neck focus",
        true,
    );
    let flagged = intake(&mut s, &id, "2026-10-01", 8.0, vec![RedFlag::Thunderclap]);
    s.acknowledge_red_flags(&flagged, "Referred to GP on 1 Oct")
        .unwrap();
    let s2 = common::note(
        &mut s,
        &id,
        "2026-10-08T09:30:00Z",
        &[SCALP, TRIGGER_POINT],
        5.0,
        2.0,
        "Fortnightly; add scalp work",
        true,
    );
    s.amend_session(&s1, "Pressure was firm, not moderate", "Correction.")
        .unwrap();
    // A draft with a newer plan does not replace the signed one.
    let draft = common::note(
        &mut s,
        &id,
        "2026-11-20T14:00:00Z",
        &[],
        4.0,
        4.0,
        "Unsigned idea",
        false,
    );

    let h = s.client_history(&id).unwrap();
    let plan = h.latest_plan.expect("a signed plan");
    assert_eq!(plan.session_id, s2);
    assert_eq!(plan.plan, "Fortnightly; add scalp work");

    let seen: Vec<(EventKind, &str, &str)> = h
        .events
        .iter()
        .map(|e| (e.kind, e.at.as_str(), e.record_id.as_str()))
        .collect();
    // The amendment and acknowledgement were written "now" (the fixed clock: 23 Nov 12:00 UTC).
    assert_eq!(
        seen,
        vec![
            (
                EventKind::Amendment,
                "2026-11-23T12:00:00.000Z",
                s1.as_str()
            ),
            (
                EventKind::Acknowledgement,
                "2026-11-23T12:00:00.000Z",
                flagged.as_str()
            ),
            (
                EventKind::Session,
                "2026-11-20T14:00:00.000Z",
                draft.as_str()
            ),
            (EventKind::Session, "2026-10-08T09:30:00.000Z", s2.as_str()),
            (EventKind::RedFlags, "2026-10-01", flagged.as_str()),
            (EventKind::Intake, "2026-10-01", flagged.as_str()),
            (EventKind::Session, "2026-09-01T10:00:00.000Z", s1.as_str()),
            (EventKind::Intake, "2026-09-01", baseline.as_str()),
        ]
    );
    let by_kind = |k: EventKind| h.events.iter().filter(move |e| e.kind == k);
    let sessions: Vec<_> = by_kind(EventKind::Session).collect();
    assert!(sessions[0].needs_attention, "the draft is not signed");
    assert_eq!(sessions[0].title, "Session note (draft, not signed)");
    assert_eq!(
        sessions[1].detail,
        "pain 5 → 2 · Scalp massage, Trigger point therapy"
    );
    assert!(!sessions[1].needs_attention);
    let intakes: Vec<_> = by_kind(EventKind::Intake).collect();
    assert_eq!(intakes[1].title, "Baseline intake");
    assert_eq!(
        intakes[1].detail,
        "12 headache days a month, usual intensity 6/10, stress 7/10"
    );
    let flags = by_kind(EventKind::RedFlags).next().unwrap();
    assert_eq!(flags.opens, Opens::Intake);
    assert!(!flags.needs_attention, "acknowledged");
    assert!(
        flags.detail.to_lowercase().contains("thunderclap"),
        "{}",
        flags.detail
    );
    let ack = by_kind(EventKind::Acknowledgement).next().unwrap();
    assert_eq!(ack.detail, "Referred to GP on 1 Oct");
    let amendment = by_kind(EventKind::Amendment).next().unwrap();
    assert_eq!(amendment.opens, Opens::Session);
    assert_eq!(amendment.detail, "Pressure was firm, not moderate");
}

fn open_red_flags_need_attention(engine: Engine) {
    let (_d, mut s, id) = setup(engine);
    intake(&mut s, &id, "2026-11-01", 3.0, vec![RedFlag::Thunderclap]);
    let h = s.client_history(&id).unwrap();
    let flags = h
        .events
        .iter()
        .find(|e| e.kind == EventKind::RedFlags)
        .unwrap();
    assert!(flags.needs_attention);
    assert_eq!(flags.title, "Red flags: refer before treating");
}

fn midas(on: &str, days: [f64; 5], headache_days: Option<f64>) -> MidasInput {
    MidasInput {
        answered_on: on.into(),
        missed_work: Some(days[0]),
        reduced_work: Some(days[1]),
        missed_household: Some(days[2]),
        reduced_household: Some(days[3]),
        missed_leisure: Some(days[4]),
        headache_days,
        average_pain: headache_days.map(|_| 6.0),
    }
}

/// Each MIDAS is an entry with its score and grade (and the change since the one before),
/// after the intake of the same day; the care plan is one entry at its latest change. Both
/// open their part of the history screen, and the chart's history is the same.
fn midas_and_the_care_plan_are_on_the_timeline(engine: Engine) {
    let (_d, mut s, id) = setup(engine);
    let baseline = intake(&mut s, &id, "2026-09-01", 12.0, vec![]);
    let first = s
        .record_midas(
            &id,
            &midas("2026-09-01", [3.0, 4.0, 2.0, 3.0, 2.0], Some(30.0)),
        )
        .unwrap();
    let second = s
        .record_midas(&id, &midas("2026-11-01", [1.0, 1.0, 1.0, 1.0, 1.0], None))
        .unwrap();
    let third = s
        .record_midas(
            &id,
            &midas("2026-11-20", [1.0, 1.0, 1.0, 1.0, 1.0], Some(1.0)),
        )
        .unwrap();
    let plan = |next: &str, shared: bool| CarePlanInput {
        goals: "Fewer headache days.".into(),
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
        next_reassessment_on: next.into(),
        shared_with_physician: shared,
    };
    s.set_care_plan(&id, &plan("2026-10-13", false)).unwrap();
    s.set_care_plan(&id, &plan("2026-12-15", true)).unwrap();

    let h = s.client_history(&id).unwrap();
    let row = |e: &stillpoint::reports::history::TimelineEvent| {
        (
            e.kind,
            e.at.clone(),
            e.opens,
            e.record_id.clone(),
            e.title.clone(),
            e.detail.clone(),
        )
    };
    let rows: Vec<_> = h.events.iter().map(row).collect();
    // The plan was set on the tests' clock (23 Nov 2026, 12:00): newest. Only the current
    // plan is kept, so it is one entry.
    assert_eq!(
        rows,
        vec![
            (
                EventKind::CarePlan,
                "2026-11-23T12:00:00.000Z".to_owned(),
                Opens::CarePlan,
                id.clone(),
                "Care plan: weekly for 6 weeks, then every 2 weeks".to_owned(),
                "from 1 Sep 2026; next re-assessment 15 Dec 2026; shared with the physician"
                    .to_owned(),
            ),
            (
                EventKind::Midas,
                "2026-11-20".to_owned(),
                Opens::Midas,
                third.id.clone(),
                "MIDAS 5, grade I (little or no disability)".to_owned(),
                "no change since 1 Nov 2026 · 1 headache day in 3 months · average pain 6/10"
                    .to_owned(),
            ),
            (
                EventKind::Midas,
                "2026-11-01".to_owned(),
                Opens::Midas,
                second.id.clone(),
                "MIDAS 5, grade I (little or no disability)".to_owned(),
                "9 points lower than on 1 Sep 2026".to_owned(),
            ),
            (
                EventKind::Midas,
                "2026-09-01".to_owned(),
                Opens::Midas,
                first.id.clone(),
                "MIDAS 14, grade III (moderate disability)".to_owned(),
                "30 headache days in 3 months · average pain 6/10".to_owned(),
            ),
            (
                EventKind::Intake,
                "2026-09-01".to_owned(),
                Opens::Intake,
                baseline,
                "Baseline intake".to_owned(),
                "12 headache days a month, usual intensity 6/10, stress 7/10".to_owned(),
            ),
        ]
    );
    let chart = s.client_chart(&id).unwrap();
    assert_eq!(chart.history, h);
    assert_eq!(chart.midas.assessments.len(), 3);

    // A MIDAS higher than the one before says so.
    s.record_midas(&id, &midas("2026-11-22", [4.0, 4.0, 4.0, 4.0, 5.0], None))
        .unwrap();
    let h = s.client_history(&id).unwrap();
    let newest = h
        .events
        .iter()
        .find(|e| e.kind == EventKind::Midas)
        .unwrap();
    assert_eq!(newest.title, "MIDAS 21, grade IV (severe disability)");
    assert_eq!(newest.detail, "16 points higher than on 20 Nov 2026");
}

crate::on_both_engines!(
    an_empty_history_is_empty_and_an_unknown_client_is_not_found,
    every_kind_of_record_newest_first_with_the_latest_signed_plan_on_top,
    open_red_flags_need_attention,
    midas_and_the_care_plan_are_on_the_timeline,
);
