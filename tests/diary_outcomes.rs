//! Outcomes from the headache diary on both engines, through `client_chart` (what the history
//! screen calls): the coverage boundary (23 of 30 days recorded gives no figure, 24 does),
//! an intake baseline with the diary's latest 30 days, each figure saying where it comes
//! from; the sleep, stress and duration charts from the diary's weeks; the overuse notice
//! from the diary's days, and from a newer intake; and the PDF summary carrying them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use chrono::{Duration, NaiveDate};
use common::{Engine, store_with_ann_on};
use stillpoint::domain::diary::TEMPLATE_HEADER;
use stillpoint::domain::diary_facts::Source;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::vocab::AcuteMedKind;
use stillpoint::reports::outcomes::Responder;
use stillpoint::reports::trends::TrendKind;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A diary file of the days from `first` to `last`, leaving out `skip`; a headache (peak 6,
/// 5 hours, a triptan) on each day where `ache(day index)`; sleep and stress that improve
/// week by week.
fn diary_csv(first: &str, last: &str, skip: &[&str], ache: impl Fn(i64) -> bool) -> String {
    let mut out = format!("{TEMPLATE_HEADER}\n");
    let (a, b) = (d(first), d(last));
    for k in 0..=(b - a).num_days() {
        let day = a + Duration::days(k);
        let text = day.to_string();
        if skip.contains(&text.as_str()) {
            continue;
        }
        let week = k / 7;
        let (sleep_q, stress) = ((3 + week).min(9), (8 - week).max(2));
        if ache(k) {
            out.push_str(&format!(
                "{text},yes,6,5,triptan,,6.5,{sleep_q},{stress},,\n"
            ));
        } else {
            out.push_str(&format!("{text},no,,,,,7.5,{sleep_q},{stress},,\n"));
        }
    }
    out
}

fn intake(s: &mut stillpoint::Store, client: &str, on: &str, days: f64) {
    s.record_intake(
        client,
        &IntakeInput {
            assessed_on: on.into(),
            headache_days: Some(days),
            usual_intensity: Some(7.0),
            acute_med_days: Some(12.0),
            acute_med_kinds: vec![AcuteMedKind::Triptan],
            ..Default::default()
        },
    )
    .unwrap();
}

fn coverage_starts_at_24_of_30_days(engine: Engine) {
    let (_p, mut s, ann) = store_with_ann_on(engine);
    // 1–30 Oct with 7 days left out: 23 recorded; a headache every third day.
    let skip = [
        "2026-10-02",
        "2026-10-05",
        "2026-10-08",
        "2026-10-11",
        "2026-10-14",
        "2026-10-17",
        "2026-10-20",
    ];
    let csv = diary_csv("2026-10-01", "2026-10-30", &skip, |k| k % 3 == 0);
    assert_eq!(s.import_diary_csv(&ann, &csv).unwrap().added, 23);
    let o = s.client_chart(&ann).unwrap().outcomes;
    assert_eq!(o.baseline, None);
    assert_eq!(o.responder, Responder::TooLittleData);
    assert!(
        o.summary
            .starts_with("No intake yet, and no 30 days of the diary with 24"),
        "{}",
        o.summary
    );
    assert!(
        o.diary_text
            .as_deref()
            .unwrap()
            .starts_with("The diary holds 23 days, but no 30 days with 24 of them recorded"),
        "{:?}",
        o.diary_text
    );
    assert_eq!(o.headache_source, Source::Intake);

    // One more day (no headache): 24 of 30, covered. Headache days are 1, 4, 7, …, 28 Oct
    // (every third from the 1st: 10), none of them left out: 10 of 24 × 30 = 12.5 → 13.
    let one = diary_csv("2026-10-02", "2026-10-02", &[], |_| false);
    s.import_diary_csv(&ann, &one).unwrap();
    let o = s.client_chart(&ann).unwrap().outcomes;
    let b = o.baseline.clone().unwrap();
    assert_eq!(
        (b.source, b.headache_days, b.recorded_days),
        (Source::Diary, 13, Some(24))
    );
    assert_eq!(o.responder, Responder::TooLittleData);
    assert_eq!(
        o.summary,
        "Baseline 13 headache days per 30 days from the diary, 24 of 30 days recorded \
         (1 Oct – 30 Oct 2026); keep the diary another 30 days, or record a re-assessment, to \
         measure change."
    );
    assert_eq!(o.baseline_date.as_deref(), Some("2026-10-01"));
}

fn an_intake_baseline_and_the_diary_latest_make_a_responder(engine: Engine) {
    let (_p, mut s, ann) = store_with_ann_on(engine);
    intake(&mut s, &ann, "2026-08-01", 12.0);
    // The diary from 1 Oct to 22 Nov; the last 30 days (24 Oct – 22 Nov) with two left out
    // (28 recorded) and a headache on four of them: 4 / 28 × 30 = 4.3 → 4.
    let ache = |k: i64| [30, 36, 44, 50].contains(&k) || k < 20 && k % 2 == 0;
    let csv = diary_csv(
        "2026-10-01",
        "2026-11-22",
        &["2026-11-01", "2026-11-02"],
        ache,
    );
    s.import_diary_csv(&ann, &csv).unwrap();
    let chart = s.client_chart(&ann).unwrap();
    let o = &chart.outcomes;
    let (b, l) = (o.baseline.clone().unwrap(), o.latest.clone().unwrap());
    assert_eq!((b.source, b.headache_days), (Source::Intake, 12));
    assert_eq!(
        (l.source, l.headache_days, l.recorded_days),
        (Source::Diary, 4, Some(28))
    );
    assert_eq!(l.intensity, Some(6.0));
    assert_eq!(l.duration_hours, Some(5.0));
    assert_eq!(l.acute_med_days, Some(4));
    assert_eq!(o.responder, Responder::Responder);
    // (4 − 12) / 12 = −66.7%
    assert_eq!(o.headache_days_change_percent, Some(-66.7));
    assert_eq!(
        o.summary,
        "12 → 4 headache days per 30 days since 1 Aug 2026: responder. Baseline from the \
         intake of 1 Aug 2026; latest from the diary, 28 of 30 days recorded (24 Oct – 22 Nov \
         2026)."
    );
    assert_eq!(
        o.diary_text.as_deref(),
        Some(
            "From the diary, 28 of 30 days recorded (24 Oct – 22 Nov 2026): 4 headache days \
             per 30 days, mean peak intensity 6 / 10, attacks of 5 hours on average, acute \
             medication on 4 days per 30 days."
        )
    );
    // The headache chart: the 30 days to each week's end (back from 22 Nov) that the diary
    // covers: 25 Oct (1–25 Oct, 25 days), 1 Nov, 8 Nov, 15 Nov, 22 Nov.
    assert_eq!(o.headache_source, Source::Diary);
    let dates: Vec<&str> = o.headache_days.iter().map(|p| p.date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-10-25",
            "2026-11-01",
            "2026-11-08",
            "2026-11-15",
            "2026-11-22"
        ]
    );
    assert_eq!(o.headache_days.last().unwrap().value, 4.0);
    assert!(
        o.headache_summary
            .starts_with("From the diary, the 30 days to each week's end: headache days"),
        "{}",
        o.headache_summary
    );
    // Sleep, stress and duration from the diary's weeks (8 weeks back from 22 Nov).
    let kinds: Vec<TrendKind> = o.trends.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [TrendKind::Sleep, TrendKind::Stress, TrendKind::Duration]
    );
    for t in &o.trends {
        assert_eq!(t.source, Source::Diary, "{}", t.title);
        assert!(t.series[0].points.len() >= 2, "{}", t.title);
    }
    let stress = &o.trends[1];
    assert_eq!(stress.series[0].points.len(), 8);
    assert!(
        stress
            .summary
            .starts_with("Weekly means from the diary: stress "),
        "{}",
        stress.summary
    );
    assert_eq!(o.trends[2].summary.matches("attacks lasted 5").count(), 1);
    // The same as client_outcomes, which the PDF reads.
    assert_eq!(&s.client_outcomes(&ann).unwrap(), o);
}

fn the_overuse_notice_counts_diary_days_unless_an_intake_is_newer(engine: Engine) {
    let (_p, mut s, ann) = store_with_ann_on(engine);
    // An intake on 1 Oct with 12 triptan days: a notice from the intake.
    intake(&mut s, &ann, "2026-10-01", 12.0);
    let from_intake = s.client_alerts(&ann).unwrap().medication_overuse.unwrap();
    assert_eq!(from_intake.source, Source::Intake);
    // The diary from 25 Oct to 22 Nov: a triptan on 9 days — below 10: no notice, the
    // diary being newer than the intake.
    let nine = |k: i64| k % 3 == 0 && k < 27;
    s.import_diary_csv(&ann, &diary_csv("2026-10-25", "2026-11-22", &[], nine))
        .unwrap();
    assert_eq!(s.client_alerts(&ann).unwrap().medication_overuse, None);
    // A tenth day with a triptan: 21 Nov, a plain day until now.
    s.save_diary_day(
        &ann,
        &stillpoint::domain::diary::DiaryDayInput {
            day: "2026-11-21".into(),
            headache: true,
            peak_intensity: Some(5.0),
            acute_meds: vec![AcuteMedKind::Triptan],
            ..Default::default()
        },
        "",
    )
    .unwrap();
    let o = s.client_alerts(&ann).unwrap().medication_overuse.unwrap();
    assert_eq!((o.source, o.days, o.threshold), (Source::Diary, 10, 10));
    assert!(
        o.message.starts_with(
            "From the diary: acute medication on 10 of the 29 days recorded in the 30 days to 22 Nov 2026 (triptan on 10 days"
        ),
        "{}",
        o.message
    );
    // An intake after the diary's last day is the newer account.
    intake(&mut s, &ann, "2026-11-23", 2.0);
    let newer = s.client_alerts(&ann).unwrap().medication_overuse.unwrap();
    assert_eq!(newer.source, Source::Intake);
}

fn the_pdf_summary_carries_the_diary_outcomes(engine: Engine) {
    let (_p, mut s, ann) = store_with_ann_on(engine);
    intake(&mut s, &ann, "2026-08-01", 12.0);
    let csv = diary_csv("2026-10-01", "2026-11-22", &[], |k| k % 10 == 0);
    s.import_diary_csv(&ann, &csv).unwrap();
    let pdf = s.client_summary_pdf(&ann).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diary-summary.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(keep) = std::env::var("STILLPOINT_KEEP_PDF") {
        std::fs::copy(&path, keep).unwrap();
    }
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: make test installs it");
    assert!(out.status.success());
    // pdftotext breaks lines where the page does: compare with spaces for line ends.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // The intake's baseline (12) lies above every diary point (3 or 4): its line and label
    // are still inside the chart, under its title, not over the text above it.
    let layout = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let layout = String::from_utf8(layout.stdout).unwrap();
    let title = layout
        .find("Headache days per 30 days (from the diary")
        .expect("the chart's title");
    let label = layout.find("baseline 12").expect("the baseline's label");
    let end = layout
        .find("Latest plan")
        .expect("the latest plan after the chart");
    assert!(title < label && label < end, "{layout}");
    for want in [
        // 24 Oct – 22 Nov holds days 23 to 52 of the diary: headaches on days 30, 40 and
        // 50 (31 Oct, 10 Nov, 20 Nov).
        "12 → 3 headache days per 30 days since 1 Aug 2026: responder.",
        "latest from the diary, 30 of 30 days recorded (24 Oct – 22 Nov 2026)",
        "From the diary, 30 of 30 days recorded (24 Oct – 22 Nov 2026): 3 headache days per 30 days",
        "Sleep:",
        "Stress:",
        "Attack duration:",
        "Weekly means from the diary: stress",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

crate::on_both_engines!(
    coverage_starts_at_24_of_30_days,
    an_intake_baseline_and_the_diary_latest_make_a_responder,
    the_overuse_notice_counts_diary_days_unless_an_intake_is_newer,
    the_pdf_summary_carries_the_diary_outcomes,
);
