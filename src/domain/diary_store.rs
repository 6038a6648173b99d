//! The headache diary kept: a day saved (inserted, or replacing that day), removed, a month
//! read, and a CSV file previewed and imported, all through the roles and the audit log.
//!
//! Importing is all or nothing and adds nothing twice: a day already in the diary with the
//! same values is counted "unchanged" and left as it is; a day already there with *other*
//! values is refused by its line (field `day`), so a file never silently overwrites what was
//! typed in: the day is changed in the month grid, or taken out of the file.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::diary_corrections::{self, DiaryCorrectionRow};
use crate::db::tables::diary_days::{self, DiaryDayRow};
use crate::domain::diary::{
    self, DiaryCorrection, DiaryDay, DiaryDayInput, DiaryFile, DiaryLineError,
};
use crate::domain::validate;
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// The largest diary file read, in bytes.
pub const MAX_FILE_BYTES: usize = 1_000_000;

/// One month of a client's diary, for the grid and the calendar.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DiaryMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The weekday of the 1st, 0 = Monday to 6 = Sunday.
    pub first_weekday: u8,
    pub days_in_month: u8,
    /// The recorded days of the month, oldest first.
    pub days: Vec<DiaryDay>,
    /// The month before and after, `YYYY-MM`.
    pub previous: String,
    pub next: String,
    /// The month of the client's latest diary day, if any.
    pub latest_month: Option<String>,
    /// Today, `YYYY-MM-DD`: later days cannot be entered.
    pub today: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiaryImportReport {
    /// Days that were not in the diary and now are.
    pub added: u32,
    /// Days already in the diary with the same values, left as they were.
    pub unchanged: u32,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(format!("could not encode a list: {e}")))
}

fn small(v: Option<i64>) -> Result<Option<u8>> {
    v.map(|n| {
        u8::try_from(n)
            .map_err(|_| Error::internal(format!("a stored diary value, {n}, is out of range")))
    })
    .transpose()
}

/// A stored day; `today` decides whether a change needs a reason (recorded before today).
fn from_row(r: DiaryDayRow, today: NaiveDate) -> Result<DiaryDay> {
    let today = today.format("%Y-%m-%d").to_string();
    Ok(DiaryDay {
        reason_needed: r.recorded_at.get(..10).is_none_or(|d| d < today.as_str()),
        corrections: Vec::new(),
        day: r.day,
        headache: r.headache,
        peak_intensity: small(r.peak_intensity)?,
        duration_hours: r.duration_hours,
        acute_meds: serde_json::from_str(&r.acute_meds).unwrap_or_default(),
        triggers: serde_json::from_str(&r.triggers).unwrap_or_default(),
        sleep_hours: r.sleep_hours,
        sleep_quality: small(r.sleep_quality)?,
        stress: small(r.stress)?,
        menstruation: r.menstruation,
        note: r.note,
    })
}

/// A stored day with its corrections (authors by username), if the diary holds it.
fn stored_day(
    c: crate::db::sql::Conn<'_>,
    client_id: &str,
    day: &str,
    today: NaiveDate,
) -> Result<Option<DiaryDay>> {
    let Some(row) = diary_days::list(c, client_id, day, day)?.into_iter().next() else {
        return Ok(None);
    };
    let mut d = from_row(row, today)?;
    d.corrections = diary_corrections::between(c, client_id, day, day)?
        .into_iter()
        .map(correction_from)
        .collect();
    d.reason_needed |= !d.corrections.is_empty();
    Ok(Some(d))
}

fn correction_from(r: DiaryCorrectionRow) -> DiaryCorrection {
    DiaryCorrection {
        id: r.id,
        day: r.day,
        changes: r.changes,
        reason: r.reason,
        author_name: r.author.clone(),
        author: r.author,
        created_at: r.created_at,
    }
}

/// The authors of a day's corrections as people know them.
fn with_names(mut d: DiaryDay, names: &std::collections::HashMap<String, String>) -> DiaryDay {
    for c in &mut d.corrections {
        if let Some(n) = names.get(&c.author) {
            c.author_name.clone_from(n);
        }
    }
    d
}

/// The correction kept when a day recorded before today changes to `new` (none: removed);
/// refused without a reason.
fn correction_of(
    old: &DiaryDay,
    new: Option<&DiaryDay>,
    reason: &str,
    client_id: &str,
    ctx: &crate::db::WriteCtx<'_>,
) -> Result<DiaryCorrectionRow> {
    if reason.is_empty() {
        let on = NaiveDate::parse_from_str(&old.day, "%Y-%m-%d")
            .map_or_else(|_| old.day.clone(), |d| d.format("%-d %b %Y").to_string());
        return Err(Error::field(
            "reason",
            format!(
                "{on} was recorded before today: say why it is being {}.",
                if new.is_some() { "changed" } else { "removed" }
            ),
        ));
    }
    Ok(DiaryCorrectionRow {
        id: uuid::Uuid::now_v7().to_string(),
        client_id: client_id.to_owned(),
        day: old.day.clone(),
        original: old.values_json(),
        corrected: new.map(DiaryDay::values_json),
        changes: match new {
            Some(n) => diary::changes(old, n).join("; "),
            None => "removed".to_owned(),
        },
        reason: reason.to_owned(),
        author: ctx.actor.to_owned(),
        created_at: ctx.now_text(),
    })
}

fn to_row(client_id: &str, d: &DiaryDay, actor: &str, now: String) -> Result<DiaryDayRow> {
    Ok(DiaryDayRow {
        client_id: client_id.to_owned(),
        day: d.day.clone(),
        headache: d.headache,
        peak_intensity: d.peak_intensity.map(i64::from),
        duration_hours: d.duration_hours,
        acute_meds: json(&d.acute_meds)?,
        triggers: json(&d.triggers)?,
        sleep_hours: d.sleep_hours,
        sleep_quality: d.sleep_quality.map(i64::from),
        stress: d.stress.map(i64::from),
        menstruation: d.menstruation,
        note: d.note.clone(),
        recorded_by: actor.to_owned(),
        recorded_at: now,
    })
}

/// The first day of a `YYYY-MM` month.
fn month_start(field: &str, month: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
        .map_err(|_| Error::field(field, "The month must be written YYYY-MM."))
}

fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let m0 = d.year() * 12 + d.month0() as i32 + n;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

/// Compare a file's days with what the diary holds: the days to add, how many are unchanged,
/// and a line error for each day already there with other values.
fn sort_out<'a>(
    file: &'a DiaryFile,
    stored: &[DiaryDay],
) -> (Vec<&'a DiaryDay>, u32, Vec<DiaryLineError>) {
    let mut add = Vec::new();
    let mut unchanged = 0;
    let mut errors = Vec::new();
    for (i, day) in file.days.iter().enumerate() {
        match stored.iter().find(|s| s.day == day.day) {
            None => add.push(day),
            Some(s) if s.same_values(day) => unchanged += 1,
            Some(_) => errors.push(DiaryLineError {
                line: file.lines.get(i).copied().unwrap_or(0),
                field: "day".into(),
                message: format!(
                    "{} is already in the diary with other values; change it in the month grid, \
                     or take it out of the file.",
                    day.day
                ),
            }),
        }
    }
    (add, unchanged, errors)
}

fn range_of(file: &DiaryFile) -> Option<(&str, &str)> {
    let first = file.days.iter().map(|d| d.day.as_str()).min()?;
    let last = file.days.iter().map(|d| d.day.as_str()).max()?;
    Some((first, last))
}

impl Store {
    /// A client the diary may be written for: visible to this user, not archived.
    fn diary_client(&self, client_id: &str) -> Result<String> {
        self.require(Permission::Chart)?;
        let client = self.get_client(client_id)?;
        if client.archived_at.is_some() {
            return Err(Error::conflict(
                "This client is archived. Restore the record before changing the diary.",
            ));
        }
        Ok(client.id)
    }

    /// Save one day of a client's diary: added, or replacing what that day held. A day
    /// recorded before today (or corrected before) is changed only with `reason`; the change
    /// is then kept as a correction (the day as it was, and as it is now).
    pub fn save_diary_day(
        &mut self,
        client_id: &str,
        input: &DiaryDayInput,
        reason: &str,
    ) -> Result<DiaryDay> {
        let client_id = self.diary_client(client_id)?;
        let day = diary::check(input, self.today())?;
        let reason = validate::text("reason", "Reason", reason, 1000, validate::Lines::Many)?;
        let today = self.today();
        let names = self.person_names()?;
        // Saved again as it is: nothing to write (and no reason to ask for).
        if let Some(old) = stored_day(self.sql(), &client_id, &day.day, today)?
            && old.same_values(&day)
        {
            return Ok(with_names(old, &names));
        }
        self.write_sql(|tx, ctx| {
            let before = stored_day(tx, &client_id, &day.day, today)?;
            let correction = match &before {
                Some(old) if old.reason_needed => {
                    Some(correction_of(old, Some(&day), &reason, &client_id, ctx)?)
                }
                _ => None,
            };
            diary_days::upsert(tx, &to_row(&client_id, &day, ctx.actor, ctx.now_text())?)?;
            let summary = match (&before, &correction) {
                (None, _) => format!("saved the diary day {} for client {client_id}", day.day),
                (Some(_), Some(c)) => {
                    diary_corrections::insert(tx, c)?;
                    format!(
                        "corrected the diary day {} for client {client_id}: {reason}; {}",
                        day.day, c.changes
                    )
                }
                (Some(old), None) => format!(
                    "changed the diary day {} for client {client_id}: {}",
                    day.day,
                    diary::changes(old, &day).join("; ")
                ),
            };
            let saved = stored_day(tx, &client_id, &day.day, today)?
                .ok_or_else(|| Error::internal("the diary day saved could not be read back"))?;
            Ok((
                saved,
                AuditEntry {
                    action: "diary.save",
                    entity: "diary",
                    entity_id: client_id.clone(),
                    summary,
                },
            ))
        })
        .map(|d| with_names(d, &names))
    }

    /// Remove one day from a client's diary; not found when the day holds nothing. A day
    /// recorded before today (or corrected before) is removed only with `reason`, kept as a
    /// correction.
    pub fn delete_diary_day(&mut self, client_id: &str, day: &str, reason: &str) -> Result<()> {
        let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| Error::field("day", "The day must be a date, YYYY-MM-DD."))?
            .format("%Y-%m-%d")
            .to_string();
        let client_id = self.diary_client(client_id)?;
        let reason = validate::text("reason", "Reason", reason, 1000, validate::Lines::Many)?;
        let today = self.today();
        self.write_sql(|tx, ctx| {
            let Some(old) = stored_day(tx, &client_id, &day, today)? else {
                return Err(Error::not_found("diary day"));
            };
            let correction = if old.reason_needed {
                Some(correction_of(&old, None, &reason, &client_id, ctx)?)
            } else {
                None
            };
            diary_days::delete(tx, &client_id, &day)?;
            let summary = match &correction {
                Some(c) => {
                    diary_corrections::insert(tx, c)?;
                    format!("removed the diary day {day} for client {client_id}: {reason}")
                }
                None => format!("removed the diary day {day} for client {client_id}"),
            };
            Ok((
                (),
                AuditEntry {
                    action: "diary.delete",
                    entity: "diary",
                    entity_id: client_id.clone(),
                    summary,
                },
            ))
        })
    }

    /// A month of a client's diary; without a month, the month of the latest day recorded
    /// (or this month when there is none).
    pub fn diary_month(&self, client_id: &str, month: Option<&str>) -> Result<DiaryMonth> {
        let client_id = validate::record_id(client_id, "client")?;
        self.require_client(&client_id)?;
        let latest = diary_days::latest_day(self.sql(), &client_id)?;
        let latest_month = latest
            .as_ref()
            .map(|d| d.chars().take(7).collect::<String>());
        let today = self.today();
        let start = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => month_start("month", m)?,
            None => match &latest_month {
                Some(m) => month_start("month", m)?,
                None => today.with_day(1).unwrap_or(today),
            },
        };
        let next = add_months(start, 1);
        let last = next.pred_opt().unwrap_or(start);
        let (from, to) = (
            start.format("%Y-%m-%d").to_string(),
            last.format("%Y-%m-%d").to_string(),
        );
        let mut fixes = diary_corrections::between(self.sql(), &client_id, &from, &to)?;
        let names = if fixes.is_empty() {
            Default::default()
        } else {
            self.person_names()?
        };
        let days = diary_days::list(self.sql(), &client_id, &from, &to)?
            .into_iter()
            .map(|r| {
                let mut d = from_row(r, today)?;
                let (mine, rest): (Vec<_>, Vec<_>) = fixes.drain(..).partition(|c| c.day == d.day);
                fixes = rest;
                d.corrections = mine.into_iter().map(correction_from).collect();
                d.reason_needed |= !d.corrections.is_empty();
                Ok(with_names(d, &names))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DiaryMonth {
            month: start.format("%Y-%m").to_string(),
            first_weekday: start.weekday().num_days_from_monday() as u8,
            days_in_month: last.day() as u8,
            days,
            previous: add_months(start, -1).format("%Y-%m").to_string(),
            next: next.format("%Y-%m").to_string(),
            latest_month,
            today: today.format("%Y-%m-%d").to_string(),
        })
    }

    fn read_diary_file(&self, text: &str) -> Result<DiaryFile> {
        if text.len() > MAX_FILE_BYTES {
            return Err(Error::field(
                "file",
                format!(
                    "The file is {:.1} MB; a diary file may be at most 1 MB. Split it and import each part.",
                    text.len() as f64 / 1_000_000.0
                ),
            ));
        }
        diary::read_csv(text, self.today())
    }

    fn stored_days(&self, client_id: &str, file: &DiaryFile) -> Result<Vec<DiaryDay>> {
        match range_of(file) {
            Some((from, to)) => diary_days::list(self.sql(), client_id, from, to)?
                .into_iter()
                .map(|r| from_row(r, self.today()))
                .collect(),
            None => Ok(Vec::new()),
        }
    }

    /// Read a diary file for a client and say what importing it would do: the columns as
    /// mapped, the days, every refused row by line and field (days already in the diary with
    /// other values among them), and how many days are already there unchanged. Nothing is
    /// written.
    pub fn preview_diary_csv(&self, client_id: &str, text: &str) -> Result<DiaryFile> {
        let client_id = validate::record_id(client_id, "client")?;
        self.require_client(&client_id)?;
        let mut file = self.read_diary_file(text)?;
        let stored = self.stored_days(&client_id, &file)?;
        let (_, unchanged, conflicts) = sort_out(&file, &stored);
        file.unchanged = unchanged;
        file.errors.extend(conflicts);
        file.errors.sort_by_key(|e| e.line);
        Ok(file)
    }

    /// Import a diary file for a client, all or nothing: any refused row refuses the file
    /// (naming each line and field) and nothing is written; days already there unchanged
    /// are left as they are, so importing the same file twice adds nothing the second time.
    pub fn import_diary_csv(&mut self, client_id: &str, text: &str) -> Result<DiaryImportReport> {
        let client_id = self.diary_client(client_id)?;
        let file = self.read_diary_file(text)?;
        let today = self.today();
        let refuse = |errors: &[DiaryLineError]| {
            let listed: Vec<String> = errors
                .iter()
                .take(5)
                .map(|e| format!("line {} ({}): {}", e.line, e.field, e.message))
                .collect();
            let more = if errors.len() > 5 {
                format!("; and {} more", errors.len() - 5)
            } else {
                String::new()
            };
            Error::field(
                "file",
                format!(
                    "Nothing was imported: {} row(s) cannot be read. {}{more}",
                    errors.len(),
                    listed.join("; ")
                ),
            )
        };
        if !file.errors.is_empty() {
            return Err(refuse(&file.errors));
        }
        let total = file.days.len();
        self.write_sql(|tx, ctx| {
            // Read again under the write lock: what is there now is what counts.
            let stored = match range_of(&file) {
                Some((from, to)) => diary_days::list(tx, &client_id, from, to)?
                    .into_iter()
                    .map(|r| from_row(r, today))
                    .collect::<Result<Vec<_>>>()?,
                None => Vec::new(),
            };
            let (add, unchanged, conflicts) = sort_out(&file, &stored);
            if !conflicts.is_empty() {
                return Err(refuse(&conflicts));
            }
            let now = ctx.now_text();
            for day in &add {
                diary_days::upsert(tx, &to_row(&client_id, day, ctx.actor, now.clone())?)?;
            }
            let added = u32::try_from(add.len()).unwrap_or(u32::MAX);
            Ok((
                DiaryImportReport { added, unchanged },
                AuditEntry {
                    action: "diary.import",
                    entity: "diary",
                    entity_id: client_id.clone(),
                    summary: format!(
                        "imported a diary file of {total} day(s) for client {client_id}: {added} added, {unchanged} unchanged"
                    ),
                },
            ))
        })
    }
}
