//! Outcomes per client: headache days and intensity over time against the baseline intake,
//! responder status (at least 50% fewer headache days than baseline), pain change within
//! each signed session, sleep and stress trends. It says plainly when there is too little
//! data to conclude.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::domain::diary_facts::{DayFacts, Source};
use crate::domain::intake::Intake;
use crate::domain::sessions::{SessionStatus, SessionSummary};
use crate::error::Result;
use crate::reports::diary_outcomes::{self, OutcomeMeasure};
use crate::reports::trends::{self, Trend};

pub use crate::domain::responder::{Responder, responder_status};

/// A value on a date, for a chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Point {
    pub date: String,
    pub value: f64,
}

/// Pain before and after one signed session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SessionPain {
    pub session_id: String,
    pub started_at: String,
    pub before: u8,
    pub after: u8,
    /// Before minus after: positive is relief.
    pub change: i8,
    /// An amendment corrected pain before or after; `before` and `after` are the corrected
    /// values (the signed note keeps the originals).
    pub corrected: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClientOutcomes {
    /// The day outcomes count from: the baseline intake's date, or the first day of the
    /// diary's baseline 30 days.
    pub baseline_date: Option<String>,
    pub baseline_headache_days: Option<u8>,
    pub latest_date: Option<String>,
    pub latest_headache_days: Option<u8>,
    /// Change in headache days from baseline to the latest figure, in percent (negative is fewer).
    pub headache_days_change_percent: Option<f64>,
    pub responder: Responder,
    /// The baseline figure with its source (diary or intake), by the rules of
    /// [`crate::reports::diary_outcomes`].
    pub baseline: Option<OutcomeMeasure>,
    /// The latest figure with its source; the baseline again when there is only one.
    pub latest: Option<OutcomeMeasure>,
    /// The diary's latest covered 30 days in words ("From the diary, 28 of 30 days recorded
    /// (…): 5 headache days per 30 days, …"), or why it gives no figures yet; `None` without
    /// a diary.
    pub diary_text: Option<String>,
    /// Headache days per 30 days over time: from the diary, the 30 days to each week's end
    /// where the diary covers them; else at each intake.
    pub headache_days: Vec<Point>,
    /// Intensity at the same dates: the diary's mean peak, or the intake's usual intensity.
    pub usual_intensity: Vec<Point>,
    /// Where the headache chart's points come from.
    pub headache_source: Source,
    /// What the headache chart's points are: "by intake date", or "30 days to each week's
    /// end, from the diary".
    pub headache_caption: String,
    /// The intensity line's name: "Usual intensity" or "Mean peak intensity".
    pub intensity_label: String,
    /// The headache chart in words.
    pub headache_summary: String,
    /// Stands in for the headache chart when it has fewer than two points.
    pub headache_chart_empty: String,
    pub sleep_quality: Vec<Point>,
    pub stress: Vec<Point>,
    /// The sleep, stress and attack-duration charts, each with its summary.
    pub trends: Vec<Trend>,
    pub session_pain: Vec<SessionPain>,
    /// Mean of before minus after over signed sessions with both recorded.
    pub mean_pain_change: Option<f64>,
    /// The same for people ([`pain_change_text`]): "3.0 points less pain after sessions (mean)".
    pub pain_change_text: Option<String>,
    /// When an amendment corrected a session's pain: "Pain within sessions uses 1 value
    /// corrected by amendment; the signed notes keep the originals."
    pub corrections_note: Option<String>,
    /// When diary days were corrected: "The diary figures use the corrected values of 2 days
    /// (changed with a reason after they were recorded); the earlier values are kept."
    pub diary_corrections_note: Option<String>,
    pub sessions_since_baseline: u32,
    pub weeks_since_baseline: Option<u32>,
    /// One line for people, e.g. "12 → 5 headache days per 30 days since 3 Mar 2026: responder".
    pub summary: String,
}

fn point(date: &str, value: Option<f64>) -> Option<Point> {
    value.map(|value| Point {
        date: date.to_owned(),
        value,
    })
}

fn pretty(date: &str) -> String {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| date.to_owned())
}

/// The one wording of a change in pain within sessions, from the mean of pain before minus
/// pain after (positive is relief), on the 0–10 scale: "3.0 points less pain after sessions
/// (mean)", "1.0 point more pain after sessions (mean)", "no change in pain after sessions
/// (mean)". One decimal always; "point" only for exactly 1.0. Every screen and the PDF use it.
pub fn pain_change_text(mean_before_minus_after: f64) -> String {
    let tenths = (mean_before_minus_after.abs() * 10.0).round();
    if tenths == 0.0 || !tenths.is_finite() {
        return "no change in pain after sessions (mean)".to_owned();
    }
    let size = tenths / 10.0;
    let unit = if tenths == 10.0 { "point" } else { "points" };
    let direction = if mean_before_minus_after > 0.0 {
        "less"
    } else {
        "more"
    };
    format!("{size:.1} {unit} {direction} pain after sessions (mean)")
}

/// What the pain figures owe to corrections, when they owe anything.
fn corrections_note(pain: &[SessionPain]) -> Option<String> {
    let n = pain.iter().filter(|p| p.corrected).count();
    (n > 0).then(|| {
        format!(
            "Pain within sessions uses the corrected values of {} (corrected by amendment); the signed notes keep the originals.",
            count_of(n, "session", "sessions")
        )
    })
}

/// "1 session", "3 sessions": a count with its noun, singular for one.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The headache chart's summary, from its own points: intakes ("Headache days 12 → 5 per 30
/// days (baseline 3 Mar 2026, latest 2 Jun 2026); usual intensity 7 → 4 / 10.") or the
/// diary's 30 days to each week's end.
fn headache_summary(source: Source, days: &[Point], intensity: &[Point]) -> String {
    use diary_outcomes::num;
    let (Some(a), Some(b)) = (days.first(), days.last()) else {
        return "No intake recorded yet.".to_owned();
    };
    let intensity_words = |name: &str| match (intensity.first(), intensity.last()) {
        (Some(x), Some(_)) if intensity.len() == 1 => format!("; {name} {} / 10", num(x.value)),
        (Some(x), Some(y)) => format!("; {name} {} → {} / 10", num(x.value), num(y.value)),
        _ => String::new(),
    };
    match source {
        Source::Intake if days.len() == 1 => format!(
            "Baseline {} per 30 days on {}{}.",
            count_of(a.value as usize, "headache day", "headache days"),
            pretty(&a.date),
            intensity_words("usual intensity")
        ),
        Source::Intake => format!(
            "Headache days {} → {} per 30 days (baseline {}, latest {}){}.",
            diary_outcomes::num(a.value),
            diary_outcomes::num(b.value),
            pretty(&a.date),
            pretty(&b.date),
            intensity_words("usual intensity")
        ),
        Source::Diary if days.len() == 1 => format!(
            "From the diary, the 30 days to {}: {} per 30 days{}.",
            pretty(&a.date),
            count_of(a.value as usize, "headache day", "headache days"),
            intensity_words("mean peak intensity")
        ),
        Source::Diary => format!(
            "From the diary, the 30 days to each week's end: headache days {} → {} per 30 days \
             (30 days to {} → 30 days to {}){}.",
            num(a.value),
            num(b.value),
            pretty(&a.date),
            pretty(&b.date),
            intensity_words("mean peak intensity")
        ),
    }
}

/// Compute a client's outcomes from their intakes (any order), session summaries, and diary
/// days (oldest first, one per day; empty without a diary).
pub fn compute(
    intakes: &[Intake],
    sessions: &[SessionSummary],
    diary: &[DayFacts],
    today: NaiveDate,
) -> ClientOutcomes {
    let mut by_date: Vec<&Intake> = intakes.iter().collect();
    by_date.sort_by(|a, b| (&a.assessed_on, &a.recorded_at).cmp(&(&b.assessed_on, &b.recorded_at)));
    let (baseline, latest) = diary_outcomes::baseline_and_latest(&by_date, diary);
    let measurements = match (&baseline, &latest) {
        (None, _) => 0,
        (Some(_), None) => 1,
        (Some(_), Some(_)) => 2,
    };
    let latest = latest.or_else(|| baseline.clone());
    let from_diary = [&baseline, &latest]
        .iter()
        .any(|m| m.as_ref().is_some_and(|m| m.source == Source::Diary));

    let mut session_pain: Vec<SessionPain> = sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Signed)
        .filter_map(|s| {
            let (before, after) = (s.pain_before?, s.pain_after?);
            Some(SessionPain {
                session_id: s.id.clone(),
                started_at: s.started_at.clone(),
                before,
                after,
                change: before as i8 - after as i8,
                corrected: s.corrected,
            })
        })
        .collect();
    session_pain.sort_by(|a, b| a.started_at.cmp(&b.started_at));
    let mean_pain_change = (!session_pain.is_empty()).then(|| {
        let sum: i32 = session_pain.iter().map(|p| i32::from(p.change)).sum();
        (f64::from(sum) / session_pain.len() as f64 * 10.0).round() / 10.0
    });

    let since = baseline.as_ref().map(|b| b.since().to_owned());
    let baseline_day = since
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let sessions_since_baseline = match &since {
        Some(b) => sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Signed && s.started_at.as_str() >= b.as_str())
            .count() as u32,
        None => 0,
    };
    let weeks_since_baseline = baseline_day
        .map(|d| (today - d).num_days().max(0) / 7)
        .and_then(|w| u32::try_from(w).ok());

    let (responder, change) = responder_status(
        baseline.as_ref().map(|b| b.headache_days),
        latest.as_ref().map(|l| l.headache_days),
        measurements,
    );
    let summary = match (&baseline, &latest, responder) {
        (None, _, _) | (_, None, _) if diary.is_empty() => {
            "No intake yet: record a baseline intake to measure outcomes.".to_owned()
        }
        (None, _, _) | (_, None, _) => format!(
            "No intake yet, and no 30 days of the diary with {} of them recorded: record a \
             baseline intake, or keep the diary, to measure outcomes.",
            diary_outcomes::COVERED_DAYS
        ),
        (Some(b), _, Responder::TooLittleData) => match b.source {
            Source::Intake => format!(
                "Baseline {} per 30 days on {}; record a re-assessment to measure change.",
                count_of(
                    usize::from(b.headache_days),
                    "headache day",
                    "headache days"
                ),
                pretty(&b.to)
            ),
            Source::Diary => format!(
                "Baseline {} per 30 days {}; keep the diary another 30 days, or record a \
                 re-assessment, to measure change.",
                count_of(
                    usize::from(b.headache_days),
                    "headache day",
                    "headache days"
                ),
                b.source_text
            ),
        },
        (Some(b), _, Responder::NotMeasurable) => match b.source {
            Source::Intake => format!(
                "No headache days at baseline ({}), so a reduction cannot be measured.",
                pretty(&b.to)
            ),
            Source::Diary => format!(
                "No headache days at baseline ({}), so a reduction cannot be measured.",
                b.source_text
            ),
        },
        (Some(b), Some(l), status) => {
            let mut s = format!(
                "{} → {} headache days per 30 days since {}: {}",
                b.headache_days,
                l.headache_days,
                pretty(b.since()),
                if status == Responder::Responder {
                    "responder".to_owned()
                } else {
                    format!(
                        "not yet a responder ({:+}%; a responder has 50% fewer)",
                        change.unwrap_or_default()
                    )
                }
            );
            if from_diary {
                s.push_str(&format!(
                    ". Baseline {}; latest {}.",
                    b.source_text, l.source_text
                ));
            }
            s
        }
    };

    let (diary_days, diary_intensity) = diary_outcomes::headache_series(diary);
    let (headache_source, headache_days, usual_intensity) = if diary_days.is_empty() {
        (
            Source::Intake,
            by_date
                .iter()
                .filter_map(|i| point(&i.assessed_on, Some(f64::from(i.headache_days))))
                .collect(),
            by_date
                .iter()
                .filter_map(|i| point(&i.assessed_on, Some(f64::from(i.usual_intensity))))
                .collect(),
        )
    } else {
        (Source::Diary, diary_days, diary_intensity)
    };
    let headache_summary = headache_summary(headache_source, &headache_days, &usual_intensity);
    let (headache_caption, intensity_label, headache_chart_empty) = match headache_source {
        Source::Intake => (
            "by intake date",
            "Usual intensity",
            "Record a second intake to see a trend.",
        ),
        Source::Diary => (
            "30 days to each week's end, from the diary",
            "Mean peak intensity",
            "Keep the diary: a trend needs the 30 days to two weeks' ends, each with 24 of its days recorded.",
        ),
    };

    ClientOutcomes {
        baseline_date: since,
        baseline_headache_days: baseline.as_ref().map(|b| b.headache_days),
        latest_date: latest.as_ref().map(|l| l.to.clone()),
        latest_headache_days: latest.as_ref().map(|l| l.headache_days),
        headache_days_change_percent: change,
        responder,
        diary_text: diary_outcomes::diary_text(diary),
        baseline,
        latest,
        headache_days,
        usual_intensity,
        headache_source,
        headache_caption: headache_caption.to_owned(),
        intensity_label: intensity_label.to_owned(),
        headache_summary,
        headache_chart_empty: headache_chart_empty.to_owned(),
        sleep_quality: by_date
            .iter()
            .filter_map(|i| point(&i.assessed_on, i.sleep_quality.map(f64::from)))
            .collect(),
        stress: by_date
            .iter()
            .filter_map(|i| point(&i.assessed_on, i.stress.map(f64::from)))
            .collect(),
        corrections_note: corrections_note(&session_pain),
        diary_corrections_note: None,
        trends: trends::trends(&by_date, diary_outcomes::weekly_means(diary)),
        session_pain,
        pain_change_text: mean_pain_change.map(pain_change_text),
        mean_pain_change,
        sessions_since_baseline,
        weeks_since_baseline,
        summary,
    }
}

impl Store {
    pub fn client_outcomes(&self, client_id: &str) -> Result<ClientOutcomes> {
        let client = self.get_client(client_id)?; // not found, or not this user's client
        let intakes = self.list_intakes(&client.id)?;
        let sessions = self.list_sessions(&client.id)?;
        let diary = self.diary_facts(&client.id)?;
        let mut outcomes = compute(&intakes, &sessions, &diary, self.today());
        self.note_diary_corrections(&client.id, &mut outcomes)?;
        Ok(outcomes)
    }

    /// Say, beside the session corrections, how many diary days the figures count as
    /// corrected (changed or removed with a reason after they were recorded).
    pub(crate) fn note_diary_corrections(
        &self,
        client_id: &str,
        outcomes: &mut ClientOutcomes,
    ) -> Result<()> {
        let n = crate::db::tables::diary_corrections::days_corrected(self.sql(), client_id)?;
        if n > 0 {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let note = format!(
                "The diary figures use the corrected values of {} (changed with a reason after they were recorded); the earlier values are kept.",
                count_of(n, "day", "days")
            );
            outcomes.diary_corrections_note = Some(note);
        }
        Ok(())
    }
}

#[cfg(test)]
mod wording_tests {
    use super::*;

    #[test]
    fn pain_change_is_worded_one_way() {
        assert_eq!(
            pain_change_text(0.0),
            "no change in pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(-0.0),
            "no change in pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(0.04),
            "no change in pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(1.0),
            "1.0 point less pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(-1.0),
            "1.0 point more pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(3.0),
            "3.0 points less pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(2.75),
            "2.8 points less pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(-0.5),
            "0.5 points more pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(0.96),
            "1.0 point less pain after sessions (mean)"
        );
        assert_eq!(
            pain_change_text(f64::NAN),
            "no change in pain after sessions (mean)"
        );
    }

    fn pts(v: &[(&str, f64)]) -> Vec<Point> {
        v.iter()
            .map(|(d, x)| Point {
                date: (*d).to_owned(),
                value: *x,
            })
            .collect()
    }

    /// The headache chart in words (moved from the UI, with the same wording for intakes).
    #[test]
    fn the_headache_chart_is_summarised_from_its_own_points() {
        let days = pts(&[
            ("2026-03-03", 12.0),
            ("2026-04-14", 8.0),
            ("2026-06-02", 5.0),
        ]);
        let intensity = pts(&[
            ("2026-03-03", 7.0),
            ("2026-04-14", 6.0),
            ("2026-06-02", 4.0),
        ]);
        assert_eq!(
            headache_summary(Source::Intake, &days, &intensity),
            "Headache days 12 → 5 per 30 days (baseline 3 Mar 2026, latest 2 Jun 2026); usual intensity 7 → 4 / 10."
        );
        assert_eq!(
            headache_summary(
                Source::Intake,
                &pts(&[("2026-03-03", 1.0)]),
                &pts(&[("2026-03-03", 6.0)])
            ),
            "Baseline 1 headache day per 30 days on 3 Mar 2026; usual intensity 6 / 10."
        );
        assert_eq!(
            headache_summary(Source::Intake, &[], &[]),
            "No intake recorded yet."
        );
        assert_eq!(
            headache_summary(
                Source::Diary,
                &pts(&[("2026-10-25", 9.0), ("2026-11-22", 4.0)]),
                &pts(&[("2026-10-25", 6.5), ("2026-11-22", 5.0)])
            ),
            "From the diary, the 30 days to each week's end: headache days 9 → 4 per 30 days (30 days to 25 Oct 2026 → 30 days to 22 Nov 2026); mean peak intensity 6.5 → 5 / 10."
        );
        assert_eq!(
            headache_summary(Source::Diary, &pts(&[("2026-11-22", 1.0)]), &[]),
            "From the diary, the 30 days to 22 Nov 2026: 1 headache day per 30 days."
        );
    }

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(count_of(0, "session", "sessions"), "0 sessions");
        assert_eq!(count_of(1, "session", "sessions"), "1 session");
        assert_eq!(count_of(2, "session", "sessions"), "2 sessions");
    }
}
