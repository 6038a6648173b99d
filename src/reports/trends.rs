//! The history's sleep, stress and attack-duration charts: each a few series of points, its
//! axes, and its summary in words. Weekly means from the diary where the diary records the
//! measure; otherwise the intakes' points, as the client recalled them.

use serde::Serialize;
use ts_rs::TS;

use crate::domain::diary_facts::Source;
use crate::domain::intake::Intake;
use crate::reports::diary_outcomes::{WeeklyMeans, date, num, pretty};
use crate::reports::outcomes::Point;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrendKind {
    Sleep,
    Stress,
    Duration,
}

/// A y axis from 0 to `max`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrendAxis {
    pub label: String,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrendSeries {
    /// The legend's words, e.g. "Sleep quality (0–10)".
    pub label: String,
    /// Which of the trend's axes it is drawn against (0 left, 1 right).
    pub axis: u8,
    /// Oldest first.
    pub points: Vec<Point>,
}

/// One chart of the history, for the UI to draw as given.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Trend {
    pub kind: TrendKind,
    /// "Sleep", "Stress", "Attack duration".
    pub title: String,
    /// What the points are: "weekly means from the diary" or "by intake date".
    pub caption: String,
    pub source: Source,
    pub axes: Vec<TrendAxis>,
    pub series: Vec<TrendSeries>,
    /// The chart in words (its accessible and printable version).
    pub summary: String,
    /// Stands in for the chart when it has fewer than two dates to draw.
    pub empty: String,
}

/// "4.5 → 6.8" from a series' first and last points, or "4.5" for one.
fn change(points: &[Point]) -> Option<String> {
    let (a, b) = (points.first()?, points.last()?);
    Some(if points.len() == 1 {
        num(a.value)
    } else {
        format!("{} → {}", num(a.value), num(b.value))
    })
}

fn first_and_last_dates(series: &[TrendSeries]) -> Option<(String, String)> {
    let first = series
        .iter()
        .filter_map(|s| s.points.first())
        .map(|p| p.date.as_str())
        .min()?;
    let last = series
        .iter()
        .filter_map(|s| s.points.last())
        .map(|p| p.date.as_str())
        .max()?;
    Some((first.to_owned(), last.to_owned()))
}

fn day(d: &str) -> String {
    date(d).map_or_else(|| d.to_owned(), pretty)
}

/// A trend from its series and the phrases of its summary: `(series, words before, words
/// after)` per series, e.g. ("sleep quality", "/ 10").
fn trend(
    kind: TrendKind,
    title: &str,
    what: &str,
    source: Source,
    axes: Vec<TrendAxis>,
    series: Vec<(TrendSeries, &str, &str)>,
) -> Trend {
    let parts: Vec<String> = series
        .iter()
        .filter_map(|(s, before, after)| change(&s.points).map(|c| format!("{before} {c}{after}")))
        .collect();
    let series: Vec<TrendSeries> = series.into_iter().map(|(s, _, _)| s).collect();
    let dates = first_and_last_dates(&series);
    let summary = match (&dates, parts.is_empty()) {
        (None, _) | (_, true) => format!("No {what} recorded yet, in the diary or at an intake."),
        (Some((a, b)), false) => {
            let (head, when) = match (source, a == b) {
                (Source::Diary, true) => {
                    ("Weekly mean from the diary", format!("week to {}", day(b)))
                }
                (Source::Diary, false) => (
                    "Weekly means from the diary",
                    format!("week to {} → week to {}", day(a), day(b)),
                ),
                (Source::Intake, true) => ("At intake", format!("intake of {}", day(b))),
                (Source::Intake, false) => {
                    ("At intake", format!("intakes of {} → {}", day(a), day(b)))
                }
            };
            format!("{head}: {} ({when}).", parts.join(", "))
        }
    };
    let empty = match source {
        Source::Diary => {
            format!("Fewer than two weeks of the diary record {what}: no trend to draw yet.")
        }
        Source::Intake => format!(
            "Fewer than two intakes record {what}: keep a diary or record a re-assessment to see a trend."
        ),
    };
    Trend {
        kind,
        title: title.to_owned(),
        caption: match source {
            Source::Diary => "weekly means from the diary".to_owned(),
            Source::Intake => "by intake date".to_owned(),
        },
        source,
        axes,
        series,
        summary,
        empty,
    }
}

fn points(by_date: &[&Intake], value: impl Fn(&Intake) -> Option<f64>) -> Vec<Point> {
    by_date
        .iter()
        .filter_map(|i| {
            value(i).map(|v| Point {
                date: i.assessed_on.clone(),
                value: v,
            })
        })
        .collect()
}

/// An axis to 0–`max`, `max` the first of `steps` that holds every value.
fn axis_to(label: &str, steps: &[f64], series: &[&[Point]]) -> TrendAxis {
    let top = series
        .iter()
        .flat_map(|s| s.iter().map(|p| p.value))
        .fold(0.0_f64, f64::max);
    let max = steps
        .iter()
        .copied()
        .find(|s| top <= *s)
        .or_else(|| steps.last().copied())
        .unwrap_or(10.0);
    TrendAxis {
        label: label.to_owned(),
        max,
    }
}

fn series(label: &str, axis: u8, points: Vec<Point>) -> TrendSeries {
    TrendSeries {
        label: label.to_owned(),
        axis,
        points,
    }
}

/// The sleep, stress and attack-duration charts, in that order.
pub fn trends(by_date: &[&Intake], weekly: WeeklyMeans) -> Vec<Trend> {
    let WeeklyMeans {
        sleep_quality,
        sleep_hours,
        stress,
        attack_hours,
    } = weekly;

    // Sleep: quality (0–10, left) and hours a night (right).
    let diary = !sleep_quality.is_empty() || !sleep_hours.is_empty();
    let (quality, hours, source) = if diary {
        (sleep_quality, sleep_hours, Source::Diary)
    } else {
        (
            points(by_date, |i| i.sleep_quality.map(f64::from)),
            points(by_date, |i| i.sleep_hours),
            Source::Intake,
        )
    };
    let hours_axis = axis_to("hours a night", &[10.0, 15.0, 25.0], &[&hours]);
    let sleep = trend(
        TrendKind::Sleep,
        "Sleep",
        "sleep",
        source,
        vec![
            TrendAxis {
                label: "quality 0–10".to_owned(),
                max: 10.0,
            },
            hours_axis,
        ],
        vec![
            (
                series("Sleep quality (0–10)", 0, quality),
                "sleep quality",
                " / 10",
            ),
            (
                series("Hours of sleep (right axis)", 1, hours),
                "sleep",
                " hours a night",
            ),
        ],
    );

    // Stress, 0–10.
    let (points_, source) = if stress.is_empty() {
        (points(by_date, |i| i.stress.map(f64::from)), Source::Intake)
    } else {
        (stress, Source::Diary)
    };
    let stress = trend(
        TrendKind::Stress,
        "Stress",
        "stress",
        source,
        vec![TrendAxis {
            label: "stress 0–10".to_owned(),
            max: 10.0,
        }],
        vec![(series("Stress (0–10)", 0, points_), "stress", " / 10")],
    );

    // Attack duration in hours: the diary's mean over headache days, or the intake's usual.
    let (points_, source, label, words) = if attack_hours.is_empty() {
        (
            points(by_date, |i| i.usual_duration_hours),
            Source::Intake,
            "Usual attack duration (hours)",
            "usual attack duration",
        )
    } else {
        (
            attack_hours,
            Source::Diary,
            "Attack duration (hours)",
            "attacks lasted",
        )
    };
    let duration_axis = axis_to("hours", &[10.0, 25.0, 50.0, 75.0], &[&points_]);
    let duration = trend(
        TrendKind::Duration,
        "Attack duration",
        "attack duration",
        source,
        vec![duration_axis],
        vec![(series(label, 0, points_), words, " hours")],
    );
    vec![sleep, stress, duration]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(date: &str, value: f64) -> Point {
        Point {
            date: date.into(),
            value,
        }
    }

    fn none() -> WeeklyMeans {
        WeeklyMeans {
            sleep_quality: vec![],
            sleep_hours: vec![],
            stress: vec![],
            attack_hours: vec![],
        }
    }

    #[test]
    fn diary_weeks_are_summarised_first_to_last() {
        let weekly = WeeklyMeans {
            sleep_quality: vec![p("2026-09-06", 4.5), p("2026-11-22", 6.8)],
            sleep_hours: vec![p("2026-09-06", 6.14), p("2026-11-22", 7.0)],
            stress: vec![p("2026-11-22", 3.0)],
            attack_hours: vec![p("2026-09-06", 8.0), p("2026-11-22", 3.5)],
        };
        let t = trends(&[], weekly);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].kind, TrendKind::Sleep);
        assert_eq!(t[0].source, Source::Diary);
        assert_eq!(
            t[0].summary,
            "Weekly means from the diary: sleep quality 4.5 → 6.8 / 10, sleep 6.1 → 7 hours a \
             night (week to 6 Sep 2026 → week to 22 Nov 2026)."
        );
        assert_eq!(t[0].axes[1].max, 10.0);
        assert_eq!(
            t[1].summary,
            "Weekly mean from the diary: stress 3 / 10 (week to 22 Nov 2026)."
        );
        assert_eq!(
            t[2].summary,
            "Weekly means from the diary: attacks lasted 8 → 3.5 hours (week to 6 Sep 2026 → \
             week to 22 Nov 2026)."
        );
        assert_eq!(t[2].caption, "weekly means from the diary");
    }

    #[test]
    fn without_a_diary_the_intakes_are_drawn() {
        let t = trends(&[], none());
        assert_eq!(
            t[0].summary,
            "No sleep recorded yet, in the diary or at an intake."
        );
        assert_eq!(t[2].source, Source::Intake);
        assert!(
            t[1].empty
                .starts_with("Fewer than two intakes record stress")
        );
    }
}
