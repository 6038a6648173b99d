//! The clinic dashboard for managers: caseload, sessions per therapist in a period, notes
//! left unsigned, clients due for re-assessment, open red flags and referrals, and outcomes
//! by technique — always with the counts beside them, so nobody over-reads five cases.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::security::users::person_sql;

use crate::Store;
use crate::db::sql::Row;
use crate::db::timestamp;
use crate::domain::validate;
use crate::domain::vocab::{self, RedFlag};
use crate::error::{Error, Result};
use crate::security::users::Permission;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct DashboardQuery {
    /// The period for "sessions per therapist", `YYYY-MM-DD`, inclusive. Default: the last 30 days.
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TherapistSessions {
    pub therapist: String,
    pub signed: u32,
    pub drafts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnsignedNote {
    pub session_id: String,
    pub client_id: String,
    pub client_name: String,
    pub therapist: String,
    pub started_at: String,
    /// Whole hours since the note was started.
    pub hours_open: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DueForReassessment {
    pub client_id: String,
    pub client_name: String,
    /// The latest intake, if there ever was one.
    pub last_intake_on: Option<String>,
    /// The latest session; `None` for a client due by their care plan's date who has had
    /// no session.
    pub last_session_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RedFlagItem {
    pub intake_id: String,
    pub client_id: String,
    pub client_name: String,
    pub assessed_on: String,
    pub red_flags: Vec<RedFlag>,
    /// Filled once a therapist acknowledged the flags and recorded the referral.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub referral_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TechniqueOutcome {
    pub technique_id: String,
    pub technique_name: String,
    /// Signed sessions that used it, and how many of those recorded pain before and after.
    pub sessions: u32,
    pub sessions_with_pain: u32,
    /// Mean pain before minus after in those sessions.
    pub mean_pain_change: Option<f64>,
    /// The same for people: "3.0 points less pain after sessions (mean)".
    pub pain_change_text: Option<String>,
    /// Clients treated with it, and how many have a measurable responder status.
    pub clients: u32,
    pub clients_measurable: u32,
    pub responders: u32,
    /// responders / clients_measurable, in percent.
    pub responder_share_percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    /// Clients not archived.
    pub clients_on_record: u32,
    /// Clients not archived with a signed session in the last 90 days.
    pub active_clients: u32,
    pub sessions_per_therapist: Vec<TherapistSessions>,
    /// Draft notes started more than 24 hours ago, oldest first (at most [`LIST_LIMIT`]).
    pub unsigned_notes: Vec<UnsignedNote>,
    pub unsigned_notes_total: u32,
    /// Seen in the last 30 days, but no intake in the last 30 days, in name order (at most
    /// [`LIST_LIMIT`]).
    pub due_for_reassessment: Vec<DueForReassessment>,
    pub due_for_reassessment_total: u32,
    /// Oldest first (at most [`LIST_LIMIT`]).
    pub open_red_flags: Vec<RedFlagItem>,
    pub open_red_flags_total: u32,
    /// Red flags acknowledged with a referral in the period, newest first (at most
    /// [`LIST_LIMIT`]).
    pub referrals: Vec<RedFlagItem>,
    pub referrals_total: u32,
    pub technique_outcomes: Vec<TechniqueOutcome>,
}

/// The most rows a dashboard list carries; its total says how many there are in all (the
/// CSV exports hold every row).
pub const LIST_LIMIT: u32 = 100;

/// The period of "sessions per therapist" when none is chosen: this many days, ending today
/// (both days included).
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// A client is active with a signed session started in this many days before now.
pub const ACTIVE_CLIENT_DAYS: i64 = 90;

/// A draft note is listed as unsigned once it was started this many hours ago.
pub const UNSIGNED_OVERDUE_HOURS: i64 = 24;

/// A client is due for re-assessment when seen in this many days before now, with no intake
/// assessed in as many days before today; or, when their care plan names the next
/// re-assessment, once that day has come with no intake on or after it (the plan's date then
/// replaces this rule).
pub const REASSESSMENT_WINDOW_DAYS: i64 = 30;

fn name(first: String, last: String) -> String {
    format!("{first} {last}")
}

/// An intake with red flags and its acknowledgement, if any: the columns [`red_flag_from_row`]
/// reads, over `intakes i JOIN clients c LEFT JOIN red_flag_acks a`.
fn red_flag_columns() -> String {
    format!(
        "i.id, i.client_id, c.first_name, c.last_name, i.assessed_on, i.red_flags, {},
         a.acknowledged_at, a.referral_note",
        person_sql("a.acknowledged_by")
    )
}

fn red_flag_from_row(r: &Row<'_>) -> Result<RedFlagItem> {
    let flags: String = r.get(5)?;
    let ids: Vec<String> = serde_json::from_str(&flags).unwrap_or_default();
    Ok(RedFlagItem {
        intake_id: r.get(0)?,
        client_id: r.get(1)?,
        client_name: name(r.get(2)?, r.get(3)?),
        assessed_on: r.get(4)?,
        red_flags: ids.iter().filter_map(|f| vocab::from_id(f)).collect(),
        acknowledged_by: r.get(6)?,
        acknowledged_at: r.get(7)?,
        referral_note: r.get(8)?,
    })
}

impl Store {
    pub fn dashboard(&self, q: &DashboardQuery) -> Result<Dashboard> {
        self.require(Permission::ClinicReports)?;
        let now = self.now();
        let today = now.date_naive();
        let to = validate::optional_day("to", "To", &q.to)?.unwrap_or(today);
        let from = validate::optional_day("from", "From", &q.from)?
            .unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS - 1));
        if from > to {
            return Err(Error::field(
                "to",
                "The end of the period is before its start.",
            ));
        }
        if (to - from).num_days() > 366 * 20 {
            return Err(Error::field("from", "Choose a period of at most 20 years."));
        }
        // Instants sort as text; the period ends before the day after `to`.
        let from_text = from.to_string();
        let to_text = to.succ_opt().unwrap_or(to).to_string();
        let c = self.sql();
        // SQLite is told which index to read the sessions in a window from (0008's, on the
        // start time); PostgreSQL has no INDEXED BY and chooses the index itself.
        let by_start = c.pick("INDEXED BY sessions_by_start", "");

        let active_since = timestamp(now - Duration::days(ACTIVE_CLIENT_DAYS));
        let day_ago = timestamp(now - Duration::hours(UNSIGNED_OVERDUE_HOURS));
        // Intakes with red flags have an index of their own (most intakes have none).
        let open = "FROM intakes i JOIN clients c ON c.id = i.client_id
             LEFT JOIN red_flag_acks a ON a.intake_id = i.id
             WHERE i.red_flags <> '[]' AND a.intake_id IS NULL AND c.archived_at IS NULL";
        let referred = "FROM red_flag_acks a JOIN intakes i ON i.id = a.intake_id
             JOIN clients c ON c.id = i.client_id
             WHERE a.acknowledged_at >= ?1 AND a.acknowledged_at < ?2";
        // The five counts in one statement (on a clinic server each is a round trip):
        // - clients on record: all clients (the smallest index) less the archived ones (an
        //   index of their own), far less to read than every client row;
        // - active clients: from the sessions in the window (an index on the start time), not
        //   from every client; archived clients are few, and left out by a set;
        // - unsigned notes older than a day, open red flags, referrals in the period.
        let (clients_on_record, active_clients, unsigned_notes_total, open_red_flags_total, referrals_total): (u32, u32, u32, u32, u32) = c.one(
            &format!(
                "SELECT (SELECT count(*) FROM clients)
                      - (SELECT count(*) FROM clients WHERE archived_at IS NOT NULL),
                    (SELECT count(DISTINCT client_id) FROM sessions {by_start}
                      WHERE started_at >= ?3 AND status = 'signed'
                        AND client_id NOT IN (SELECT id FROM clients WHERE archived_at IS NOT NULL)),
                    (SELECT count(*) FROM sessions WHERE status = 'draft' AND created_at < ?4),
                    (SELECT count(*) {open}),
                    (SELECT count(*) {referred})"
            ),
            crate::args![from_text, to_text, active_since, day_ago],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;

        // (count of a CASE, not sum of a comparison: PostgreSQL does not sum booleans.)
        let sessions_per_therapist = c.all(
            &format!(
                "SELECT {},
                    count(CASE WHEN status = 'signed' THEN 1 END),
                    count(CASE WHEN status = 'draft' THEN 1 END)
             FROM sessions
             WHERE started_at >= ?1 AND started_at < ?2
             GROUP BY therapist ORDER BY therapist",
                person_sql("sessions.therapist")
            ),
            crate::args![from_text, to_text],
            |r| {
                Ok(TherapistSessions {
                    therapist: r.get(0)?,
                    signed: r.get(1)?,
                    drafts: r.get(2)?,
                })
            },
        )?;

        let unsigned_notes = c.all(
            &format!(
                "SELECT s.id, s.client_id, c.first_name, c.last_name,
                        {},
                        s.started_at, s.created_at
                 FROM sessions s JOIN clients c ON c.id = s.client_id
                 WHERE s.status = 'draft' AND s.created_at < ?1
                 ORDER BY s.created_at LIMIT {LIST_LIMIT}",
                person_sql("s.therapist")
            ),
            crate::args![day_ago],
            |r| {
                let created: String = r.get(6)?;
                Ok(UnsignedNote {
                    session_id: r.get(0)?,
                    client_id: r.get(1)?,
                    client_name: name(r.get(2)?, r.get(3)?),
                    therapist: r.get(4)?,
                    started_at: r.get(5)?,
                    hours_open: chrono::DateTime::parse_from_rfc3339(&created)
                        .map(|at| (now - at.to_utc()).num_hours().max(0) as u32)
                        .unwrap_or(0),
                })
            },
        )?;

        let month_ago_instant = timestamp(now - Duration::days(REASSESSMENT_WINDOW_DAYS));
        let month_ago_day = (today - Duration::days(REASSESSMENT_WINDOW_DAYS)).to_string();
        let today_text = today.to_string();
        // The clients seen in the window come from the sessions in it; all of them are
        // counted, and the latest intake and session are looked up only for the rows shown.
        let mut due_for_reassessment_total = 0;
        let due_for_reassessment = c.all(
            &format!(
                "WITH due AS MATERIALIZED (
                    SELECT c.id, c.first_name, c.last_name, c.sort_key
                    FROM (SELECT DISTINCT client_id FROM sessions {by_start}
                          WHERE started_at >= ?1) seen
                    JOIN clients c ON c.id = seen.client_id
                    WHERE c.archived_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM care_plans p
                                      WHERE p.client_id = c.id
                                        AND p.next_reassessment_on IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM intakes i
                                      WHERE i.client_id = c.id AND i.assessed_on > ?2)
                    UNION
                    SELECT c.id, c.first_name, c.last_name, c.sort_key
                    FROM care_plans p JOIN clients c ON c.id = p.client_id
                    WHERE p.next_reassessment_on <= ?3 AND c.archived_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM intakes i
                                      WHERE i.client_id = c.id
                                        AND i.assessed_on >= p.next_reassessment_on))
                 SELECT (SELECT count(*) FROM due), d.id, d.first_name, d.last_name,
                        (SELECT max(assessed_on) FROM intakes WHERE client_id = d.id),
                        (SELECT max(started_at) FROM sessions WHERE client_id = d.id)
                 FROM (SELECT * FROM due ORDER BY sort_key, id LIMIT {LIST_LIMIT}) d
                 ORDER BY d.sort_key, d.id"
            ),
            crate::args![month_ago_instant, month_ago_day, today_text],
            |r| {
                due_for_reassessment_total = r.get::<u32>(0)?;
                Ok(DueForReassessment {
                    client_id: r.get(1)?,
                    client_name: name(r.get(2)?, r.get(3)?),
                    last_intake_on: r.get(4)?,
                    last_session_at: r.get(5)?,
                })
            },
        )?;

        let open_red_flags = c.all(
            &format!(
                "SELECT {} {open} ORDER BY i.assessed_on, i.id LIMIT {LIST_LIMIT}",
                red_flag_columns()
            ),
            crate::args![],
            red_flag_from_row,
        )?;
        let referrals = c.all(
            &format!(
                "SELECT {} {referred}
                 ORDER BY a.acknowledged_at DESC, a.intake_id LIMIT {LIST_LIMIT}",
                red_flag_columns()
            ),
            crate::args![from_text, to_text],
            red_flag_from_row,
        )?;

        let technique_outcomes = self.technique_outcomes()?;
        Ok(Dashboard {
            from: from.to_string(),
            to: to.to_string(),
            clients_on_record,
            active_clients,
            sessions_per_therapist,
            unsigned_notes,
            unsigned_notes_total,
            due_for_reassessment,
            due_for_reassessment_total,
            open_red_flags,
            open_red_flags_total,
            referrals,
            referrals_total,
            technique_outcomes,
        })
    }

    /// Outcomes by technique, from the running totals (see [`crate::reports::technique_totals`]).
    fn technique_outcomes(&self) -> Result<Vec<TechniqueOutcome>> {
        self.sql().all(
            "SELECT t.id, t.name, r.sessions, r.sessions_with_pain, r.pain_change_sum,
                    r.clients, r.clients_measurable, r.responders
             FROM technique_outcome_totals r JOIN techniques t ON t.id = r.technique_id
             WHERE r.sessions > 0 ORDER BY t.name_key",
            crate::args![],
            |r| {
                let with_pain: u32 = r.get(3)?;
                let pain_sum: i64 = r.get(4)?;
                let measurable: u32 = r.get(6)?;
                let responders: u32 = r.get(7)?;
                let mean_pain_change = (with_pain > 0)
                    .then(|| (pain_sum as f64 / f64::from(with_pain) * 10.0).round() / 10.0);
                Ok(TechniqueOutcome {
                    technique_id: r.get(0)?,
                    technique_name: r.get(1)?,
                    sessions: r.get(2)?,
                    sessions_with_pain: with_pain,
                    pain_change_text: mean_pain_change
                        .map(crate::reports::outcomes::pain_change_text),
                    mean_pain_change,
                    clients: r.get(5)?,
                    clients_measurable: measurable,
                    responders,
                    responder_share_percent: (measurable > 0).then(|| {
                        (f64::from(responders) / f64::from(measurable) * 1000.0).round() / 10.0
                    }),
                })
            },
        )
    }
}
