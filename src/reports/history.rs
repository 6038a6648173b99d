//! A client's history as one timeline: intakes, red flags and their acknowledgements,
//! session notes and amendments, MIDAS questionnaires and the care plan's latest change,
//! newest first, each pointing at the record it opens; with the latest signed plan on top.

use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::db::sql::Row;
use crate::domain::care_plan::{CarePlan, CarePlanState};
use crate::domain::clients::Client;
use crate::domain::intake::Intake;
use crate::domain::midas::MidasAssessment;
use crate::domain::sessions::{SessionRow, SessionStatus, SessionSummary};
use crate::domain::validate;
use crate::error::Result;
use crate::reports::outcomes::ClientOutcomes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    Intake,
    RedFlags,
    Acknowledgement,
    Session,
    Amendment,
    /// A MIDAS questionnaire answered.
    Midas,
    /// The care plan as last set or changed (only the current plan is kept).
    CarePlan,
}

/// The record a timeline entry opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Opens {
    Intake,
    Session,
    /// The MIDAS trend on the history screen (`record_id` is the questionnaire's id).
    Midas,
    /// The care plan on the history screen (`record_id` is the client's id: one plan each).
    CarePlan,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TimelineEvent {
    pub kind: EventKind,
    /// `YYYY-MM-DD` for intakes, red flags and MIDAS (the day assessed or answered); an
    /// RFC 3339 instant (UTC) for the rest. Both sort as text.
    pub at: String,
    pub opens: Opens,
    /// The intake, session or MIDAS to open; for the care plan, the client.
    pub record_id: String,
    pub title: String,
    /// One line of what it says, for people.
    pub detail: String,
    /// Who recorded it.
    pub by: String,
    /// Still needs someone: red flags not yet acknowledged, a note not yet signed.
    pub needs_attention: bool,
}

/// The plan from the most recent signed session that has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LatestPlan {
    pub session_id: String,
    pub started_at: String,
    pub therapist: String,
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClientHistory {
    pub client_id: String,
    pub latest_plan: Option<LatestPlan>,
    /// Newest first.
    pub events: Vec<TimelineEvent>,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn intake_events(it: &Intake, out: &mut Vec<TimelineEvent>) {
    let mut detail = format!(
        "{} a month, usual intensity {}/10",
        plural(i64::from(it.headache_days), "headache day", "headache days"),
        it.usual_intensity
    );
    if let Some(s) = it.sleep_quality {
        detail.push_str(&format!(", sleep {s}/10"));
    }
    if let Some(s) = it.stress {
        detail.push_str(&format!(", stress {s}/10"));
    }
    out.push(TimelineEvent {
        kind: EventKind::Intake,
        at: it.assessed_on.clone(),
        opens: Opens::Intake,
        record_id: it.id.clone(),
        title: if it.is_baseline {
            "Baseline intake".to_owned()
        } else {
            "Intake".to_owned()
        },
        detail,
        by: it.recorded_by.clone(),
        needs_attention: false,
    });
    if it.red_flags.is_empty() {
        return;
    }
    let labels: Vec<&str> = it.red_flags.iter().map(|f| f.label()).collect();
    out.push(TimelineEvent {
        kind: EventKind::RedFlags,
        at: it.assessed_on.clone(),
        opens: Opens::Intake,
        record_id: it.id.clone(),
        title: if it.acknowledgement.is_some() {
            "Red flags (acknowledged)".to_owned()
        } else {
            "Red flags: refer before treating".to_owned()
        },
        detail: labels.join("; "),
        by: it.recorded_by.clone(),
        needs_attention: it.acknowledgement.is_none(),
    });
    if let Some(ack) = &it.acknowledgement {
        out.push(TimelineEvent {
            kind: EventKind::Acknowledgement,
            at: ack.acknowledged_at.clone(),
            opens: Opens::Intake,
            record_id: it.id.clone(),
            title: "Red flags acknowledged".to_owned(),
            detail: ack.referral_note.clone(),
            by: ack.acknowledged_by.clone(),
            needs_attention: false,
        });
    }
}

/// "14 Sep 2026" from `YYYY-MM-DD` (the text itself if it is not a date).
fn day_text(day: &str) -> String {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_or_else(|_| day.to_owned(), |d| d.format("%-d %b %Y").to_string())
}

/// Each MIDAS (oldest first in `all`) as an entry: "MIDAS 13, grade III (moderate
/// disability)", and the change since the one before, the headache days and the pain.
fn midas_events(all: &[MidasAssessment], out: &mut Vec<TimelineEvent>) {
    let mut previous: Option<&MidasAssessment> = None;
    for m in all {
        let mut parts = Vec::new();
        if let Some(p) = previous {
            let change = i32::from(m.score) - i32::from(p.score);
            parts.push(match change {
                0 => format!("no change since {}", day_text(&p.answered_on)),
                c if c < 0 => format!(
                    "{} lower than on {}",
                    plural(i64::from(-c), "point", "points"),
                    day_text(&p.answered_on)
                ),
                c => format!(
                    "{} higher than on {}",
                    plural(i64::from(c), "point", "points"),
                    day_text(&p.answered_on)
                ),
            });
        }
        if let Some(given) = &m.as_answered {
            parts.push(format!("answers corrected (as answered: {})", given.score));
        }
        if let Some(d) = m.answers.headache_days {
            parts.push(format!(
                "{} in 3 months",
                plural(i64::from(d), "headache day", "headache days")
            ));
        }
        if let Some(p) = m.answers.average_pain {
            parts.push(format!("average pain {p}/10"));
        }
        out.push(TimelineEvent {
            kind: EventKind::Midas,
            at: m.answered_on.clone(),
            opens: Opens::Midas,
            record_id: m.id.clone(),
            title: format!(
                "MIDAS {}, grade {} ({})",
                m.score,
                m.grade.numeral(),
                m.grade.disability()
            ),
            detail: parts.join(" · "),
            by: m.recorded_by.clone(),
            needs_attention: false,
        });
        previous = Some(m);
    }
}

/// The current care plan as an entry at its last change: "Care plan: weekly for 6 weeks,
/// then every 2 weeks", from when, the next re-assessment, and whether it is shared.
fn care_plan_event(p: &CarePlan) -> TimelineEvent {
    TimelineEvent {
        kind: EventKind::CarePlan,
        at: p.updated_at.clone(),
        opens: Opens::CarePlan,
        record_id: p.client_id.clone(),
        title: format!("Care plan: {}", p.frequency),
        detail: format!(
            "from {}; next re-assessment {}; {}",
            day_text(&p.starts_on),
            p.next_reassessment_on
                .as_deref()
                .map_or_else(|| "not set".to_owned(), day_text),
            if p.shared_with_physician {
                "shared with the physician"
            } else {
                "not shared with the physician"
            }
        ),
        by: p.updated_by.clone(),
        needs_attention: false,
    }
}

/// Where an event sorts among others at the same time (higher is shown first): an
/// acknowledgement after its red flags, the red flags after their intake, and a MIDAS
/// answered on an intake's day after the intake.
fn rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::Amendment => 6,
        EventKind::CarePlan => 5,
        EventKind::Midas => 4,
        EventKind::Acknowledgement => 3,
        EventKind::RedFlags => 2,
        EventKind::Intake => 1,
        EventKind::Session => 0,
    }
}

/// What an amendment is read as, for `FROM amendments a`.
const AMENDMENT_COLUMNS: &str = "a.session_id, a.created_at, a.author, a.reason";

/// A row of a marker column and then [`AMENDMENT_COLUMNS`], as its timeline entry.
fn amendment_event(r: &Row<'_>) -> Result<TimelineEvent> {
    Ok(TimelineEvent {
        kind: EventKind::Amendment,
        at: r.get(2)?,
        opens: Opens::Session,
        record_id: r.get(1)?,
        title: "Amendment".to_owned(),
        detail: r.get(4)?,
        by: r.get(3)?,
        needs_attention: false,
    })
}

/// What the history screen shows, from one call: the client, the timeline and the outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClientChart {
    pub client: Client,
    pub history: ClientHistory,
    pub outcomes: ClientOutcomes,
    /// The MIDAS questionnaires, oldest first, scored and graded, with their trend in words.
    pub midas: MidasTrend,
    /// The care plan, its adherence, and the latest intake's goals.
    pub care_plan: CarePlanState,
}

/// The MIDAS questionnaires over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MidasTrend {
    /// Oldest first.
    pub assessments: Vec<MidasAssessment>,
    /// "2 MIDAS questionnaires. First 24 (grade IV) on 1 Aug 2026, latest 9 (grade II) on
    /// 1 Nov 2026: 15 points lower."
    pub summary: String,
}

/// The trend in words: the first and the latest score and grade, and the change.
pub fn midas_summary(all: &[MidasAssessment]) -> String {
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return "No MIDAS recorded yet.".to_owned();
    };
    let one = |m: &MidasAssessment| {
        let on = chrono::NaiveDate::parse_from_str(&m.answered_on, "%Y-%m-%d").map_or_else(
            |_| m.answered_on.clone(),
            |d| d.format("%-d %b %Y").to_string(),
        );
        format!("{} (grade {}) on {on}", m.score, m.grade.numeral())
    };
    // Corrected answers count, and the summary says so.
    let corrected = all.iter().filter(|m| m.as_answered.is_some()).count();
    let note = match corrected {
        0 => String::new(),
        1 if all.len() == 1 => {
            " The score uses the corrected answers; the answers as given are kept.".to_owned()
        }
        n => format!(
            " Scores use the corrected answers of {}; the answers as given are kept.",
            plural(
                i64::try_from(n).unwrap_or(i64::MAX),
                "questionnaire",
                "questionnaires"
            )
        ),
    };
    if all.len() == 1 {
        return format!(
            "One MIDAS: {}, {}.{note}",
            one(first),
            last.grade_label.to_lowercase()
        );
    }
    let change = i32::from(last.score) - i32::from(first.score);
    let direction = match change {
        0 => "no change".to_owned(),
        c if c < 0 => format!("{} points lower", -c),
        c => format!("{c} points higher"),
    };
    format!(
        "{} MIDAS questionnaires. First {}, latest {}: {direction}.{note}",
        all.len(),
        one(first),
        one(last)
    )
}

impl Store {
    /// Everything that happened to a client's care, newest first.
    pub fn client_history(&self, client_id: &str) -> Result<ClientHistory> {
        let client_id = validate::record_id(client_id, "client")?;
        // Not found is an error, not an empty history.
        self.get_client(&client_id)?;
        let intakes = self.list_intakes(&client_id)?;
        let sessions = self.session_rows(&client_id, false)?;
        let midas = self.list_midas(&client_id)?;
        let plan = self.current_care_plan(&client_id)?;
        self.history_of(&client_id, &intakes, &sessions, &midas, plan.as_ref())
    }

    /// The client, their history and their outcomes together, each record read once (the
    /// history screen asked for the three separately, reading the client three times and
    /// the intakes twice).
    pub fn client_chart(&self, client_id: &str) -> Result<ClientChart> {
        let client = self.get_client(client_id)?;
        let intakes = self.list_intakes(&client.id)?;
        let sessions = self.session_rows(&client.id, false)?;
        let assessments = self.list_midas(&client.id)?;
        let plan = self.current_care_plan(&client.id)?;
        let history =
            self.history_of(&client.id, &intakes, &sessions, &assessments, plan.as_ref())?;
        let summaries: Vec<SessionSummary> = sessions.into_iter().map(|r| r.summary).collect();
        // The whole diary, read once, in one statement.
        let diary = self.diary_facts(&client.id)?;
        let mut outcomes =
            crate::reports::outcomes::compute(&intakes, &summaries, &diary, self.today());
        self.note_diary_corrections(&client.id, &mut outcomes)?;
        let care_plan = self.care_plan_state(plan, &intakes, &summaries);
        Ok(ClientChart {
            client,
            history,
            outcomes,
            midas: MidasTrend {
                summary: midas_summary(&assessments),
                assessments,
            },
            care_plan,
        })
    }

    fn history_of(
        &self,
        client_id: &str,
        intakes: &[Intake],
        sessions: &[SessionRow],
        midas: &[MidasAssessment],
        care_plan: Option<&CarePlan>,
    ) -> Result<ClientHistory> {
        let client_id = client_id.to_owned();
        let mut events = Vec::new();
        for it in intakes {
            intake_events(it, &mut events);
        }
        midas_events(midas, &mut events);
        events.extend(care_plan.map(care_plan_event));

        let c = self.sql();
        let mut latest_plan: Option<LatestPlan> = None;
        for row in sessions {
            let SessionRow {
                summary,
                plan,
                signed_by,
            } = row;
            let (id, started_at, therapist) = (
                summary.id.clone(),
                summary.started_at.clone(),
                summary.therapist.clone(),
            );
            let (before, after) = (summary.pain_before, summary.pain_after);
            let names = Some(summary.technique_names.join(", "));
            let plan = plan.clone();
            let signed_by = signed_by.clone();
            let signed = summary.status == SessionStatus::Signed;
            let mut parts = Vec::new();
            match (before, after) {
                (Some(b), Some(a)) if summary.corrected => {
                    parts.push(format!("pain {b} → {a} (corrected)"))
                }
                (Some(b), Some(a)) => parts.push(format!("pain {b} → {a}")),
                (Some(b), None) => parts.push(format!("pain before {b}")),
                _ => {}
            }
            if let Some(n) = names.filter(|n| !n.is_empty()) {
                parts.push(n);
            }
            if signed && latest_plan.is_none() && !plan.trim().is_empty() {
                latest_plan = Some(LatestPlan {
                    session_id: id.clone(),
                    started_at: started_at.clone(),
                    therapist: therapist.clone(),
                    plan,
                });
            }
            events.push(TimelineEvent {
                kind: EventKind::Session,
                at: started_at,
                opens: Opens::Session,
                record_id: id,
                title: if signed {
                    "Session note".to_owned()
                } else {
                    "Session note (draft, not signed)".to_owned()
                },
                detail: parts.join(" · "),
                by: signed_by.unwrap_or(therapist),
                needs_attention: !signed,
            });
        }

        // The amendments, and the people's names to show rather than usernames, in one
        // statement (on a clinic server each statement is a round trip over the network).
        let mut names = std::collections::HashMap::new();
        c.each(
            &format!(
                "SELECT 0, {AMENDMENT_COLUMNS}
                   FROM amendments a JOIN sessions s ON s.id = a.session_id
                  WHERE s.client_id = ?1
                 UNION ALL
                 SELECT 1, u.username, {}, NULL, NULL FROM users u",
                crate::security::users::name_with_credentials_sql("u")
            ),
            crate::args![client_id],
            |r| {
                let kind: i64 = r.get(0)?;
                if kind == 0 {
                    events.push(amendment_event(r)?);
                } else {
                    let (username, name): (String, String) = (r.get(1)?, r.get(2)?);
                    names.insert(username, name);
                }
                Ok(true)
            },
        )?;
        for e in &mut events {
            if let Some(name) = names.get(&e.by) {
                e.by = name.clone();
            }
        }
        if let Some(p) = latest_plan.as_mut()
            && let Some(name) = names.get(&p.therapist)
        {
            p.therapist = name.clone();
        }
        events.sort_by(|a, b| {
            b.at.cmp(&a.at)
                .then_with(|| rank(b.kind).cmp(&rank(a.kind)))
                .then_with(|| b.record_id.cmp(&a.record_id))
        });
        Ok(ClientHistory {
            client_id,
            latest_plan,
            events,
        })
    }
}
