//! `diary_days`: one row per client per day of the headache diary.

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// One row of `diary_days`, as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiaryDayRow {
    pub client_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub headache: bool,
    pub peak_intensity: Option<i64>,
    pub duration_hours: Option<f64>,
    /// JSON arrays of vocabulary ids.
    pub acute_meds: String,
    pub triggers: String,
    pub sleep_hours: Option<f64>,
    pub sleep_quality: Option<i64>,
    pub stress: Option<i64>,
    pub menstruation: Option<bool>,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The columns of [`DiaryDayRow`], in its order.
pub const COLUMNS: &str = "client_id, day, headache, peak_intensity, duration_hours, acute_meds,
    triggers, sleep_hours, sleep_quality, stress, menstruation, note, recorded_by, recorded_at";

impl DiaryDayRow {
    pub fn from_row(r: &Row<'_>) -> Result<DiaryDayRow> {
        Ok(DiaryDayRow {
            client_id: r.get(0)?,
            day: r.get(1)?,
            headache: r.get(2)?,
            peak_intensity: r.get(3)?,
            duration_hours: r.get(4)?,
            acute_meds: r.get(5)?,
            triggers: r.get(6)?,
            sleep_hours: r.get(7)?,
            sleep_quality: r.get(8)?,
            stress: r.get(9)?,
            menstruation: r.get(10)?,
            note: r.get(11)?,
            recorded_by: r.get(12)?,
            recorded_at: r.get(13)?,
        })
    }

    fn args(&self) -> [&dyn Arg; 14] {
        [
            &self.client_id,
            &self.day,
            &self.headache,
            &self.peak_intensity,
            &self.duration_hours,
            &self.acute_meds,
            &self.triggers,
            &self.sleep_hours,
            &self.sleep_quality,
            &self.stress,
            &self.menstruation,
            &self.note,
            &self.recorded_by,
            &self.recorded_at,
        ]
    }
}

/// Insert the day, or replace the client's row for that day.
pub fn upsert(tx: Conn<'_>, row: &DiaryDayRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO diary_days ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (client_id, day) DO UPDATE SET
                headache = excluded.headache, peak_intensity = excluded.peak_intensity,
                duration_hours = excluded.duration_hours, acute_meds = excluded.acute_meds,
                triggers = excluded.triggers, sleep_hours = excluded.sleep_hours,
                sleep_quality = excluded.sleep_quality, stress = excluded.stress,
                menstruation = excluded.menstruation, note = excluded.note,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at"
        ),
        &row.args(),
    )?;
    Ok(())
}

/// Remove a client's day; how many rows went (0 or 1).
pub fn delete(tx: Conn<'_>, client_id: &str, day: &str) -> Result<usize> {
    tx.execute(
        "DELETE FROM diary_days WHERE client_id = ?1 AND day = ?2",
        args![client_id, day],
    )
}

/// A client's days from `from` to `to` (both included, `YYYY-MM-DD`), oldest first.
pub fn list(c: Conn<'_>, client_id: &str, from: &str, to: &str) -> Result<Vec<DiaryDayRow>> {
    c.all(
        &format!(
            "SELECT {COLUMNS} FROM diary_days
             WHERE client_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day"
        ),
        args![client_id, from, to],
        DiaryDayRow::from_row,
    )
}

/// The client's latest diary day, if any.
pub fn latest_day(c: Conn<'_>, client_id: &str) -> Result<Option<String>> {
    c.value(
        "SELECT max(day) FROM diary_days WHERE client_id = ?1",
        args![client_id],
    )
}

/// The columns outcomes read, in the order [`each_for_outcomes`] gives them: day, headache,
/// peak_intensity, duration_hours, acute_meds, sleep_hours, sleep_quality, stress.
const OUTCOME_COLUMNS: &str =
    "day, headache, peak_intensity, duration_hours, acute_meds, sleep_hours, sleep_quality, stress";

/// Every day of a client's diary, oldest first, in one statement, each row handed to `f`
/// as it is read (nothing is collected here): the columns of `OUTCOME_COLUMNS`.
pub fn each_for_outcomes(
    c: Conn<'_>,
    client_id: &str,
    f: impl FnMut(&Row<'_>) -> Result<bool>,
) -> Result<()> {
    c.each(
        &format!("SELECT {OUTCOME_COLUMNS} FROM diary_days WHERE client_id = ?1 ORDER BY day"),
        args![client_id],
        f,
    )
}
