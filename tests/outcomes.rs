//! The outcome engine on small hand-worked histories, including the edge cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use stillpoint::Store;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::reports::outcomes::Responder;

const SCALP: &str = "01900000-0000-7000-8000-000000000004";

fn setup(engine: Engine) -> (Place, Store, String) {
    common::store_with_ann_on(engine)
}

fn intake(
    store: &mut Store,
    client: &str,
    date: &str,
    days: f64,
    intensity: f64,
    sleep: Option<f64>,
) {
    store
        .record_intake(
            client,
            &IntakeInput {
                assessed_on: date.into(),
                headache_days: Some(days),
                usual_intensity: Some(intensity),
                sleep_quality: sleep,
                ..Default::default()
            },
        )
        .unwrap();
}

fn no_intake_means_too_little_data(engine: Engine) {
    let (_d, store, id) = setup(engine);
    let o = store.client_outcomes(&id).unwrap();
    assert_eq!(o.responder, Responder::TooLittleData);
    assert_eq!(o.baseline_date, None);
    assert_eq!(o.mean_pain_change, None);
    assert!(o.summary.starts_with("No intake yet"));
}

fn one_intake_is_a_baseline_but_not_yet_an_outcome(engine: Engine) {
    let (_d, mut store, id) = setup(engine);
    intake(&mut store, &id, "2026-09-01", 12.0, 7.0, None);
    let o = store.client_outcomes(&id).unwrap();
    assert_eq!(o.responder, Responder::TooLittleData);
    assert_eq!(o.baseline_headache_days, Some(12));
    assert_eq!(o.headache_days_change_percent, None);
    assert_eq!(o.weeks_since_baseline, Some(11)); // 83 days
    assert!(
        o.summary.contains("record a re-assessment"),
        "{}",
        o.summary
    );
}

fn twelve_to_five_headache_days_is_a_responder(engine: Engine) {
    let (_d, mut store, id) = setup(engine);
    // recorded out of order: the baseline is the earliest by date
    intake(&mut store, &id, "2026-11-20", 5.0, 4.0, Some(7.0));
    intake(&mut store, &id, "2026-03-03", 12.0, 7.0, Some(4.0));
    intake(&mut store, &id, "2026-06-10", 8.0, 6.0, None);
    let o = store.client_outcomes(&id).unwrap();
    assert_eq!(o.baseline_date.as_deref(), Some("2026-03-03"));
    assert_eq!(o.latest_headache_days, Some(5));
    // (5 - 12) / 12 = -58.33 %
    assert_eq!(o.headache_days_change_percent, Some(-58.3));
    assert_eq!(o.responder, Responder::Responder);
    assert_eq!(
        o.summary,
        "12 → 5 headache days per 30 days since 3 Mar 2026: responder"
    );
    let days: Vec<f64> = o.headache_days.iter().map(|p| p.value).collect();
    assert_eq!(days, vec![12.0, 8.0, 5.0]);
    let intensity: Vec<f64> = o.usual_intensity.iter().map(|p| p.value).collect();
    assert_eq!(intensity, vec![7.0, 6.0, 4.0]);
    // sparse data: sleep was recorded twice of three times
    assert_eq!(o.sleep_quality.len(), 2);
}

fn exactly_half_is_a_responder_and_less_is_not_yet(engine: Engine) {
    let (_d, mut store, id) = setup(engine);
    intake(&mut store, &id, "2026-09-01", 12.0, 7.0, None);
    intake(&mut store, &id, "2026-10-01", 6.0, 5.0, None);
    assert_eq!(
        store.client_outcomes(&id).unwrap().responder,
        Responder::Responder
    );
    intake(&mut store, &id, "2026-11-01", 7.0, 5.0, None);
    let o = store.client_outcomes(&id).unwrap();
    // (7 - 12) / 12 = -41.67 %
    assert_eq!(o.headache_days_change_percent, Some(-41.7));
    assert_eq!(o.responder, Responder::NotYet);
    assert!(
        o.summary.contains("not yet a responder (-41.7%"),
        "{}",
        o.summary
    );
}

fn zero_headache_days_at_baseline_cannot_show_a_reduction(engine: Engine) {
    let (_d, mut store, id) = setup(engine);
    intake(&mut store, &id, "2026-09-01", 0.0, 0.0, None);
    intake(&mut store, &id, "2026-10-01", 2.0, 3.0, None);
    let o = store.client_outcomes(&id).unwrap();
    assert_eq!(o.responder, Responder::NotMeasurable);
    assert_eq!(o.headache_days_change_percent, None);
    assert!(o.summary.contains("cannot be measured"));
}

fn pain_change_counts_signed_sessions_only(engine: Engine) {
    let (_d, mut store, id) = setup(engine);
    intake(&mut store, &id, "2026-09-01", 10.0, 6.0, None);
    common::note(
        &mut store,
        &id,
        "2026-08-20T10:00:00Z",
        &[SCALP],
        7.0,
        2.0,
        "",
        true,
    ); // before baseline
    common::note(
        &mut store,
        &id,
        "2026-09-08T10:00:00Z",
        &[SCALP],
        6.0,
        3.0,
        "",
        true,
    );
    common::note(
        &mut store,
        &id,
        "2026-09-15T10:00:00Z",
        &[SCALP],
        5.0,
        5.0,
        "",
        true,
    );
    common::note(
        &mut store,
        &id,
        "2026-09-22T10:00:00Z",
        &[SCALP],
        9.0,
        0.0,
        "",
        false,
    ); // a draft
    let o = store.client_outcomes(&id).unwrap();
    let changes: Vec<i8> = o.session_pain.iter().map(|p| p.change).collect();
    assert_eq!(changes, vec![5, 3, 0]);
    // (5 + 3 + 0) / 3 = 2.67
    assert_eq!(o.mean_pain_change, Some(2.7));
    assert_eq!(o.sessions_since_baseline, 2);
}

crate::on_both_engines!(
    no_intake_means_too_little_data,
    one_intake_is_a_baseline_but_not_yet_an_outcome,
    twelve_to_five_headache_days_is_a_responder,
    exactly_half_is_a_responder_and_less_is_not_yet,
    zero_headache_days_at_baseline_cannot_show_a_reduction,
    pain_change_counts_signed_sessions_only,
);
