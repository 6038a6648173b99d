//! Outcomes per client: headache days and intensity over time against the baseline intake,
//! responder status (at least 50% fewer headache days than baseline), pain change within
//! each signed session, sleep and stress trends. It says plainly when there is too little
//! data to conclude.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::domain::intake::Intake;
use crate::domain::sessions::{SessionStatus, SessionSummary};
use crate::error::Result;

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
    pub baseline_date: Option<String>,
    pub baseline_headache_days: Option<u8>,
    pub latest_date: Option<String>,
    pub latest_headache_days: Option<u8>,
    /// Change in headache days from baseline to the latest intake, in percent (negative is fewer).
    pub headache_days_change_percent: Option<f64>,
    pub responder: Responder,
    pub headache_days: Vec<Point>,
    pub usual_intensity: Vec<Point>,
    pub sleep_quality: Vec<Point>,
    pub stress: Vec<Point>,
    pub session_pain: Vec<SessionPain>,
    /// Mean of before minus after over signed sessions with both recorded.
    pub mean_pain_change: Option<f64>,
    /// The same for people ([`pain_change_text`]): "3.0 points less pain after sessions (mean)".
    pub pain_change_text: Option<String>,
    /// When an amendment corrected a session's pain: "Pain within sessions uses 1 value
    /// corrected by amendment; the signed notes keep the originals."
    pub corrections_note: Option<String>,
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

/// Compute a client's outcomes from their intakes (any order) and session summaries.
pub fn compute(
    intakes: &[Intake],
    sessions: &[SessionSummary],
    today: NaiveDate,
) -> ClientOutcomes {
    let mut by_date: Vec<&Intake> = intakes.iter().collect();
    by_date.sort_by(|a, b| (&a.assessed_on, &a.recorded_at).cmp(&(&b.assessed_on, &b.recorded_at)));
    let baseline = by_date.first().copied();
    let latest = by_date.last().copied();

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

    let baseline_day =
        baseline.and_then(|b| NaiveDate::parse_from_str(&b.assessed_on, "%Y-%m-%d").ok());
    let sessions_since_baseline = match &baseline {
        Some(b) => sessions
            .iter()
            .filter(|s| {
                s.status == SessionStatus::Signed && s.started_at.as_str() >= b.assessed_on.as_str()
            })
            .count() as u32,
        None => 0,
    };
    let weeks_since_baseline = baseline_day
        .map(|d| (today - d).num_days().max(0) / 7)
        .and_then(|w| u32::try_from(w).ok());

    let (responder, change) = responder_status(
        baseline.map(|b| b.headache_days),
        latest.map(|l| l.headache_days),
        by_date.len(),
    );
    let summary = match (baseline, latest, responder) {
        (None, _, _) | (_, None, _) => {
            "No intake yet: record a baseline intake to measure outcomes.".to_owned()
        }
        (Some(b), _, Responder::TooLittleData) => format!(
            "Baseline {} per 30 days on {}; record a re-assessment to measure change.",
            count_of(
                usize::from(b.headache_days),
                "headache day",
                "headache days"
            ),
            pretty(&b.assessed_on)
        ),
        (Some(b), _, Responder::NotMeasurable) => format!(
            "No headache days at baseline ({}), so a reduction cannot be measured.",
            pretty(&b.assessed_on)
        ),
        (Some(b), Some(l), status) => format!(
            "{} → {} headache days per 30 days since {}: {}",
            b.headache_days,
            l.headache_days,
            pretty(&b.assessed_on),
            if status == Responder::Responder {
                "responder".to_owned()
            } else {
                format!(
                    "not yet a responder ({:+}%; a responder has 50% fewer)",
                    change.unwrap_or_default()
                )
            }
        ),
    };

    ClientOutcomes {
        baseline_date: baseline.map(|b| b.assessed_on.clone()),
        baseline_headache_days: baseline.map(|b| b.headache_days),
        latest_date: latest.map(|l| l.assessed_on.clone()),
        latest_headache_days: latest.map(|l| l.headache_days),
        headache_days_change_percent: change,
        responder,
        headache_days: by_date
            .iter()
            .filter_map(|i| point(&i.assessed_on, Some(f64::from(i.headache_days))))
            .collect(),
        usual_intensity: by_date
            .iter()
            .filter_map(|i| point(&i.assessed_on, Some(f64::from(i.usual_intensity))))
            .collect(),
        sleep_quality: by_date
            .iter()
            .filter_map(|i| point(&i.assessed_on, i.sleep_quality.map(f64::from)))
            .collect(),
        stress: by_date
            .iter()
            .filter_map(|i| point(&i.assessed_on, i.stress.map(f64::from)))
            .collect(),
        corrections_note: corrections_note(&session_pain),
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
        self.get_client(client_id)?; // not found, or not this user's client
        let intakes = self.list_intakes(client_id)?;
        let sessions = self.list_sessions(client_id)?;
        Ok(compute(&intakes, &sessions, self.today()))
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

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(count_of(0, "session", "sessions"), "0 sessions");
        assert_eq!(count_of(1, "session", "sessions"), "1 session");
        assert_eq!(count_of(2, "session", "sessions"), "2 sessions");
    }
}
