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
            "Baseline {} headache days per 30 days on {}; record a re-assessment to measure change.",
            b.headache_days,
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
        session_pain,
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
