//! A client's care plan: the goals, how often they are to be seen (phases such as "weekly for
//! 6 weeks, then every 2 weeks"), the next re-assessment, and whether it is shared with their
//! physician. One current plan per client; every change is in the audit log. Adherence
//! (signed sessions since the plan started, against the sessions planned to date) is
//! computed here, never in the UI.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::care_plans::{self as table, CarePlanRow};
use crate::domain::sessions::{SessionStatus, SessionSummary};
use crate::domain::validate::{self, Lines};
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// The most phases a plan may have.
pub const MAX_PHASES: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FrequencyUnit {
    Days,
    Weeks,
}

/// One phase as the form sends it; blanks are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct PlanPhaseInput {
    /// A session every this many days or weeks.
    pub every: Option<f64>,
    pub unit: Option<FrequencyUnit>,
    /// For this many weeks; blank on the last phase means "from then on".
    pub for_weeks: Option<f64>,
}

/// What the care-plan form sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct CarePlanInput {
    pub goals: String,
    pub phases: Vec<PlanPhaseInput>,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    /// `YYYY-MM-DD`, or blank.
    pub next_reassessment_on: String,
    pub shared_with_physician: bool,
}

/// One checked phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanPhase {
    pub every: u16,
    pub unit: FrequencyUnit,
    /// `None`: from then on (the last phase only).
    pub for_weeks: Option<u16>,
}

impl PlanPhase {
    fn interval_days(self) -> u64 {
        match self.unit {
            FrequencyUnit::Days => u64::from(self.every),
            FrequencyUnit::Weeks => 7 * u64::from(self.every),
        }
    }

    /// "weekly for 6 weeks", "every 2 weeks", "every 3 days for 4 weeks".
    fn describe(self) -> String {
        let how = match (self.every, self.unit) {
            (1, FrequencyUnit::Weeks) => "weekly".to_owned(),
            (1, FrequencyUnit::Days) => "daily".to_owned(),
            (n, FrequencyUnit::Weeks) => format!("every {n} weeks"),
            (n, FrequencyUnit::Days) => format!("every {n} days"),
        };
        match self.for_weeks {
            Some(1) => format!("{how} for 1 week"),
            Some(w) => format!("{how} for {w} weeks"),
            None => how,
        }
    }
}

/// "weekly for 6 weeks, then every 2 weeks".
pub fn describe(phases: &[PlanPhase]) -> String {
    phases
        .iter()
        .map(|p| p.describe())
        .collect::<Vec<_>>()
        .join(", then ")
}

/// The sessions planned from `starts_on` up to and including `today`: in each phase one on
/// its first day and one every interval after, until the phase ends.
pub fn planned_to_date(phases: &[PlanPhase], starts_on: NaiveDate, today: NaiveDate) -> u32 {
    let mut start = starts_on;
    let mut planned: u64 = 0;
    for p in phases {
        if today < start {
            break;
        }
        let step = p.interval_days().max(1);
        let elapsed = (today - start).num_days().max(0) as u64;
        let mut here = elapsed / step + 1;
        match p.for_weeks {
            Some(w) => {
                let length = 7 * u64::from(w);
                here = here.min(length.div_ceil(step));
                planned += here;
                match start.checked_add_days(Days::new(length)) {
                    Some(next) => start = next,
                    None => break,
                }
            }
            None => {
                planned += here;
                break;
            }
        }
    }
    u32::try_from(planned).unwrap_or(u32::MAX)
}

/// Sessions attended against planned, to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Adherence {
    /// Signed sessions from the plan's start to today.
    pub attended: u32,
    /// Sessions the plan's phases call for from its start to today.
    pub planned: u32,
    /// "7 of 8 planned sessions attended since 2026-09-01".
    pub summary: String,
}

/// Adherence from the client's session notes (signed ones count, by the day they started).
pub fn adherence(plan: &CarePlan, sessions: &[SessionSummary], today: NaiveDate) -> Adherence {
    let starts = NaiveDate::parse_from_str(&plan.starts_on, "%Y-%m-%d").unwrap_or(today);
    let attended = sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Signed)
        .filter_map(|s| s.started_at.get(..10))
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .filter(|d| *d >= starts && *d <= today)
        .count();
    let attended = u32::try_from(attended).unwrap_or(u32::MAX);
    let planned = planned_to_date(&plan.phases, starts, today);
    let day = starts.format("%-d %b %Y");
    let summary = if today < starts {
        format!("The plan starts on {day}.")
    } else {
        format!(
            "{attended} of {planned} planned {} attended since {day}.",
            if planned == 1 { "session" } else { "sessions" },
        )
    };
    Adherence {
        attended,
        planned,
        summary,
    }
}

/// A client's current plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CarePlan {
    pub client_id: String,
    pub goals: String,
    pub phases: Vec<PlanPhase>,
    /// "weekly for 6 weeks, then every 2 weeks".
    pub frequency: String,
    pub starts_on: String,
    pub next_reassessment_on: Option<String>,
    pub shared_with_physician: bool,
    pub updated_by: String,
    pub updated_at: String,
}

/// What the client page and the history show of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CarePlanState {
    /// `None` until a plan is set.
    pub plan: Option<CarePlan>,
    pub adherence: Option<Adherence>,
    /// The goals of the latest intake, to start a new plan from.
    pub intake_goals: String,
}

impl CarePlan {
    fn from_stored(r: CarePlanRow) -> CarePlan {
        let phases: Vec<PlanPhase> = serde_json::from_str(&r.phases).unwrap_or_default();
        CarePlan {
            client_id: r.client_id,
            goals: r.goals,
            frequency: describe(&phases),
            phases,
            starts_on: r.starts_on,
            next_reassessment_on: r.next_reassessment_on,
            shared_with_physician: r.shared_with_physician,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        }
    }
}

fn day(field: &str, label: &str, raw: &str) -> Result<Option<NaiveDate>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .map(Some)
        .ok_or_else(|| {
            Error::field(
                field,
                format!("{label} should be a date written YYYY-MM-DD, like 2026-09-01."),
            )
        })
}

/// The checked plan.
struct ValidPlan {
    goals: String,
    phases: Vec<PlanPhase>,
    starts_on: NaiveDate,
    next_reassessment_on: Option<NaiveDate>,
    shared_with_physician: bool,
}

impl CarePlanInput {
    fn validated(&self, today: NaiveDate) -> Result<ValidPlan> {
        let goals = validate::text("goals", "Goals", &self.goals, 4000, Lines::Many)?;
        if self.phases.is_empty() {
            return Err(Error::field(
                "phases",
                "Say how often the client is to be seen (at least one phase).",
            ));
        }
        if self.phases.len() > MAX_PHASES {
            return Err(Error::field(
                "phases",
                format!("A plan has at most {MAX_PHASES} phases."),
            ));
        }
        let last = self.phases.len() - 1;
        let mut phases = Vec::with_capacity(self.phases.len());
        for (i, p) in self.phases.iter().enumerate() {
            let unit = p.unit.ok_or_else(|| {
                Error::field(&format!("phases.{i}.unit"), "Choose days or weeks.")
            })?;
            let max = match unit {
                FrequencyUnit::Days => 365,
                FrequencyUnit::Weeks => 52,
            };
            let every =
                validate::whole_number(&format!("phases.{i}.every"), "Every", p.every, 1, max)?
                    .ok_or_else(|| {
                        Error::field(
                            &format!("phases.{i}.every"),
                            "Say how often (e.g. every 1 week).",
                        )
                    })?;
            let for_weeks = validate::whole_number(
                &format!("phases.{i}.for_weeks"),
                "For",
                p.for_weeks,
                1,
                104,
            )?;
            if for_weeks.is_none() && i != last {
                return Err(Error::field(
                    &format!("phases.{i}.for_weeks"),
                    "Say for how many weeks: only the last phase may go on with no end.",
                ));
            }
            phases.push(PlanPhase {
                every,
                unit,
                for_weeks,
            });
        }
        let starts_on = day("starts_on", "Start date", &self.starts_on)?
            .ok_or_else(|| Error::field("starts_on", "Start date is required."))?;
        let horizon = today.checked_add_days(Days::new(366)).unwrap_or(today);
        let earliest = today.checked_sub_days(Days::new(20 * 366)).unwrap_or(today);
        if starts_on > horizon || starts_on < earliest {
            return Err(Error::field(
                "starts_on",
                "Start date should be within the last 20 years or the next year.",
            ));
        }
        let next_reassessment_on = day(
            "next_reassessment_on",
            "Next re-assessment",
            &self.next_reassessment_on,
        )?;
        if next_reassessment_on.is_some_and(|d| d < starts_on) {
            return Err(Error::field(
                "next_reassessment_on",
                "Next re-assessment cannot be before the plan starts.",
            ));
        }
        if next_reassessment_on
            .is_some_and(|d| d > starts_on.checked_add_days(Days::new(3 * 366)).unwrap_or(d))
        {
            return Err(Error::field(
                "next_reassessment_on",
                "Next re-assessment should be within three years of the plan's start.",
            ));
        }
        Ok(ValidPlan {
            goals,
            phases,
            starts_on,
            next_reassessment_on,
            shared_with_physician: self.shared_with_physician,
        })
    }
}

impl Store {
    /// Set a client's care plan (the first, or a change to the current one).
    pub fn set_care_plan(
        &mut self,
        client_id: &str,
        input: &CarePlanInput,
    ) -> Result<CarePlanState> {
        self.require(Permission::Chart)?;
        let client = self.get_client(client_id)?;
        if client.archived_at.is_some() {
            return Err(Error::conflict(
                "This client is archived. Restore the record before changing the care plan.",
            ));
        }
        let v = input.validated(self.today())?;
        let phases = serde_json::to_string(&v.phases)
            .map_err(|e| Error::internal(format!("could not encode the phases: {e}")))?;
        let client_id = client.id;
        let had = table::get(self.sql(), &client_id)?.is_some();
        self.write_sql(|tx, ctx| {
            table::upsert(
                tx,
                &CarePlanRow {
                    client_id: client_id.clone(),
                    goals: v.goals.clone(),
                    phases: phases.clone(),
                    starts_on: v.starts_on.to_string(),
                    next_reassessment_on: v.next_reassessment_on.map(|d| d.to_string()),
                    shared_with_physician: v.shared_with_physician,
                    updated_by: ctx.actor.to_owned(),
                    updated_at: ctx.now_text(),
                },
            )?;
            Ok((
                (),
                AuditEntry {
                    action: if had { "care_plan.update" } else { "care_plan.create" },
                    entity: "care_plan",
                    entity_id: client_id.clone(),
                    summary: format!(
                        "{} the care plan for client {client_id}: {} from {}; next re-assessment {}; {}shared with the physician",
                        if had { "changed" } else { "set" },
                        describe(&v.phases),
                        v.starts_on,
                        v.next_reassessment_on
                            .map_or_else(|| "not set".to_owned(), |d| d.to_string()),
                        if v.shared_with_physician { "" } else { "not " },
                    ),
                },
            ))
        })?;
        self.care_plan(&client_id)
    }

    /// A client's care plan with its adherence, and the latest intake's goals.
    pub fn care_plan(&self, client_id: &str) -> Result<CarePlanState> {
        let client_id = validate::record_id(client_id, "client")?;
        self.get_client(&client_id)?;
        let intakes = self.list_intakes(&client_id)?;
        let sessions = self.list_sessions(&client_id)?;
        self.care_plan_of(&client_id, &intakes, &sessions)
    }

    /// As [`Store::care_plan`], from the intakes (newest first) and notes already read.
    pub(crate) fn care_plan_of(
        &self,
        client_id: &str,
        intakes: &[crate::domain::intake::Intake],
        sessions: &[SessionSummary],
    ) -> Result<CarePlanState> {
        let plan = self.current_care_plan(client_id)?;
        Ok(self.care_plan_state(plan, intakes, sessions))
    }

    /// The client's current plan, as stored.
    pub(crate) fn current_care_plan(&self, client_id: &str) -> Result<Option<CarePlan>> {
        Ok(table::get(self.sql(), client_id)?.map(CarePlan::from_stored))
    }

    /// The plan with its adherence, from the intakes (newest first) and notes already read.
    pub(crate) fn care_plan_state(
        &self,
        plan: Option<CarePlan>,
        intakes: &[crate::domain::intake::Intake],
        sessions: &[SessionSummary],
    ) -> CarePlanState {
        let adherence = plan.as_ref().map(|p| adherence(p, sessions, self.today()));
        CarePlanState {
            plan,
            adherence,
            intake_goals: intakes.first().map(|i| i.goals.clone()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    const WEEKLY_6_THEN_FORTNIGHTLY: [PlanPhase; 2] = [
        PlanPhase {
            every: 1,
            unit: FrequencyUnit::Weeks,
            for_weeks: Some(6),
        },
        PlanPhase {
            every: 2,
            unit: FrequencyUnit::Weeks,
            for_weeks: None,
        },
    ];

    /// Worked by hand: weekly for 6 weeks from 1 Sep 2026 (1, 8, 15, 22, 29 Sep, 6 Oct), then
    /// every 2 weeks from 13 Oct (13, 27 Oct, 10, 24 Nov).
    #[test]
    fn planned_sessions_to_date_follow_the_phases() {
        let p = &WEEKLY_6_THEN_FORTNIGHTLY;
        let start = d("2026-09-01");
        assert_eq!(planned_to_date(p, start, d("2026-08-31")), 0);
        assert_eq!(planned_to_date(p, start, d("2026-09-01")), 1);
        assert_eq!(planned_to_date(p, start, d("2026-09-07")), 1);
        assert_eq!(planned_to_date(p, start, d("2026-09-08")), 2);
        assert_eq!(planned_to_date(p, start, d("2026-10-12")), 6);
        assert_eq!(planned_to_date(p, start, d("2026-10-13")), 7);
        assert_eq!(planned_to_date(p, start, d("2026-11-23")), 9);
        assert_eq!(planned_to_date(p, start, d("2026-11-24")), 10);
        // A plan that ends: nothing planned after it.
        let ends = [PlanPhase {
            every: 3,
            unit: FrequencyUnit::Days,
            for_weeks: Some(1),
        }];
        assert_eq!(planned_to_date(&ends, start, d("2027-01-01")), 3);
    }

    #[test]
    fn the_frequency_reads_as_words() {
        assert_eq!(
            describe(&WEEKLY_6_THEN_FORTNIGHTLY),
            "weekly for 6 weeks, then every 2 weeks"
        );
    }

    #[test]
    fn each_bad_phase_names_its_field() {
        let today = d("2026-11-23");
        let ok = CarePlanInput {
            goals: "Fewer headache days".into(),
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
        };
        assert!(ok.validated(today).is_ok());
        type Spoil = fn(&mut CarePlanInput);
        let cases: [(&str, Spoil); 8] = [
            ("phases", |i| i.phases.clear()),
            ("phases.0.unit", |i| i.phases[0].unit = None),
            ("phases.1.every", |i| i.phases[1].every = Some(0.0)),
            ("phases.0.every", |i| i.phases[0].every = Some(1.5)),
            ("phases.0.for_weeks", |i| i.phases[0].for_weeks = None),
            ("starts_on", |i| i.starts_on = "1 Sep".into()),
            ("next_reassessment_on", |i| {
                i.next_reassessment_on = "2026-08-01".into()
            }),
            ("goals", |i| i.goals = "x".repeat(4001)),
        ];
        for (field, spoil) in cases {
            let mut i = ok.clone();
            spoil(&mut i);
            let e = i.validated(today).err().map(|e| e.field);
            assert_eq!(e, Some(Some(field.to_owned())), "{field}");
        }
    }
}
