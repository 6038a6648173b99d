//! The headache diary: one entry per client per day, typed in from a paper diary or read from
//! a CSV file. This module holds the rules for one day and the reading of a file; nothing
//! here writes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::validate::{self, DateRule, Lines};
use crate::domain::vocab::{self, AcuteMedKind, Trigger};
use crate::error::{Error, Result};

/// How far back a diary day may be.
const YEARS_BACK: i32 = 5;
/// The longest attack a day records, in hours.
pub const MAX_HOURS: f64 = 72.0;
/// The longest note on a day.
const NOTE_MAX: usize = 500;

/// One day as the form (or a CSV row) gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct DiaryDayInput {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    pub headache: bool,
    /// Peak intensity, 0–10; needed on a headache day.
    pub peak_intensity: Option<f64>,
    /// How long the headache lasted, in hours (more than 0, up to 72).
    pub duration_hours: Option<f64>,
    /// Acute medication taken that day, by kind (for the overuse thresholds).
    pub acute_meds: Vec<AcuteMedKind>,
    /// Possible triggers, from the intake's list.
    pub triggers: Vec<Trigger>,
    pub sleep_hours: Option<f64>,
    /// 0 (very poor) to 10 (excellent), as at intake.
    pub sleep_quality: Option<f64>,
    /// 0 (none) to 10 (extreme), as at intake.
    pub stress: Option<f64>,
    /// Whether it was a menstruation day; `None` when not recorded.
    pub menstruation: Option<bool>,
    pub note: String,
}

/// A checked day.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DiaryDay {
    pub day: String,
    pub headache: bool,
    pub peak_intensity: Option<u8>,
    pub duration_hours: Option<f64>,
    pub acute_meds: Vec<AcuteMedKind>,
    pub triggers: Vec<Trigger>,
    pub sleep_hours: Option<f64>,
    pub sleep_quality: Option<u8>,
    pub stress: Option<u8>,
    pub menstruation: Option<bool>,
    pub note: String,
    /// Changes made with a reason after the day was recorded, oldest first; the earlier values
    /// are in their words ("peak intensity 7 → 5").
    pub corrections: Vec<DiaryCorrection>,
    /// A change of this day needs a reason: it was recorded before today, or corrected before.
    /// (A day is changed freely on the day it is typed in.)
    pub reason_needed: bool,
}

impl DiaryDay {
    /// Whether two days hold the same values (corrections aside).
    pub fn same_values(&self, other: &DiaryDay) -> bool {
        self.values_json() == other.values_json()
    }

    /// The day's values as JSON, as a correction keeps them.
    pub fn values_json(&self) -> String {
        serde_json::json!({
            "day": self.day,
            "headache": self.headache,
            "peak_intensity": self.peak_intensity,
            "duration_hours": self.duration_hours,
            "acute_meds": self.acute_meds,
            "triggers": self.triggers,
            "sleep_hours": self.sleep_hours,
            "sleep_quality": self.sleep_quality,
            "stress": self.stress,
            "menstruation": self.menstruation,
            "note": self.note,
        })
        .to_string()
    }
}

/// A diary day changed (or removed) with a reason after it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiaryCorrection {
    pub id: String,
    pub day: String,
    /// What changed, old → new: "peak intensity 7 → 5; hours 4.0 → 2.0", or "removed".
    pub changes: String,
    pub reason: String,
    pub author: String,
    /// The author as people know them: "Robin Lee, RMT".
    pub author_name: String,
    pub created_at: String,
}

fn scale(field: &str, label: &str, v: Option<f64>) -> Result<Option<u8>> {
    Ok(validate::whole_number(field, label, v, 0, 10)?.map(|n| n as u8))
}

/// What changed between two versions of a day, each as "what: old → new" ("peak intensity
/// 7 → 5", "note changed"); "no change" when nothing did. The audit log keeps it.
pub fn changes(old: &DiaryDay, new: &DiaryDay) -> Vec<String> {
    fn shown<T: std::fmt::Debug>(v: &Option<T>) -> String {
        v.as_ref()
            .map_or_else(|| "—".to_owned(), |v| format!("{v:?}"))
    }
    /// A list by its ids ("triptan, nsaid"), or "none".
    fn ids<T: Serialize>(items: &[T]) -> String {
        let words: Vec<String> = items
            .iter()
            .filter_map(|i| serde_json::to_value(i).ok())
            .filter_map(|v| v.as_str().map(|s| s.replace('_', " ")))
            .collect();
        if words.is_empty() {
            "none".to_owned()
        } else {
            words.join(", ")
        }
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let mut out = Vec::new();
    let mut diff = |what: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{what} {a} → {b}"));
        }
    };
    diff("headache", yes_no(old.headache), yes_no(new.headache));
    diff(
        "peak intensity",
        shown(&old.peak_intensity),
        shown(&new.peak_intensity),
    );
    diff(
        "hours",
        shown(&old.duration_hours),
        shown(&new.duration_hours),
    );
    diff(
        "acute medication",
        ids(&old.acute_meds),
        ids(&new.acute_meds),
    );
    diff("triggers", ids(&old.triggers), ids(&new.triggers));
    diff(
        "sleep hours",
        shown(&old.sleep_hours),
        shown(&new.sleep_hours),
    );
    diff(
        "sleep quality",
        shown(&old.sleep_quality),
        shown(&new.sleep_quality),
    );
    diff("stress", shown(&old.stress), shown(&new.stress));
    diff(
        "menstruation",
        old.menstruation.map_or_else(|| "—".to_owned(), yes_no),
        new.menstruation.map_or_else(|| "—".to_owned(), yes_no),
    );
    if old.note != new.note {
        out.push("note changed".to_owned());
    }
    if out.is_empty() {
        out.push("no change".to_owned());
    }
    out
}

/// Check one day against the diary's rules; `today` bounds the date.
pub fn check(input: &DiaryDayInput, today: NaiveDate) -> Result<DiaryDay> {
    let day = validate::past_date(
        "day",
        "The day",
        Some(input.day.as_str()),
        today,
        DateRule {
            max_years_back: YEARS_BACK,
        },
    )?
    .ok_or_else(|| Error::field("day", "The day is required."))?;
    let peak_intensity = scale("peak_intensity", "Peak intensity", input.peak_intensity)?;
    let duration_hours = validate::hours(
        "duration_hours",
        "How long it lasted",
        input.duration_hours,
        true,
        MAX_HOURS,
    )?;
    if input.headache {
        if peak_intensity.is_none() {
            return Err(Error::field(
                "peak_intensity",
                "Peak intensity is required on a headache day (0–10).",
            ));
        }
    } else if peak_intensity.is_some_and(|p| p > 0) || duration_hours.is_some() {
        let field = if duration_hours.is_some() {
            "duration_hours"
        } else {
            "peak_intensity"
        };
        return Err(Error::field(
            field,
            "A day without a headache has no intensity or duration: tick “Headache” or clear it.",
        ));
    }
    let sleep_hours = validate::hours("sleep_hours", "Sleep", input.sleep_hours, false, 24.0)?;
    let sleep_quality = scale("sleep_quality", "Sleep quality", input.sleep_quality)?;
    let stress = scale("stress", "Stress", input.stress)?;
    let note = validate::text("note", "Note", &input.note, NOTE_MAX, Lines::Many)?;
    let mut acute_meds = input.acute_meds.clone();
    acute_meds.sort();
    acute_meds.dedup();
    let mut triggers = input.triggers.clone();
    triggers.sort();
    triggers.dedup();
    Ok(DiaryDay {
        day: day.format("%Y-%m-%d").to_string(),
        headache: input.headache,
        peak_intensity: if input.headache { peak_intensity } else { None },
        duration_hours,
        acute_meds,
        triggers,
        sleep_hours,
        sleep_quality,
        stress,
        menstruation: input.menstruation,
        note,
        corrections: Vec::new(),
        reason_needed: false,
    })
}

/// What one column of a diary file was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiaryColumn {
    /// The header as written in the file.
    pub header: String,
    /// The diary field it fills, or `None` when the column is ignored.
    pub field: Option<String>,
}

/// A refused row: its line in the file, the field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiaryLineError {
    pub line: u32,
    pub field: String,
    pub message: String,
}

/// A diary file read and checked, nothing written: the columns as mapped, every day, and
/// every refused row. It may be imported only when `errors` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DiaryFile {
    pub columns: Vec<DiaryColumn>,
    pub days: Vec<DiaryDay>,
    pub errors: Vec<DiaryLineError>,
    /// Of `days`, how many are already in the client's diary with the same values (an
    /// import leaves them as they are). Counted by the store's preview; 0 from [`read_csv`].
    pub unchanged: u32,
    /// The line of each of `days` in the file.
    #[serde(skip)]
    #[ts(skip)]
    pub lines: Vec<u32>,
}

/// The diary fields a header may name, with the other words people write for them.
const HEADERS: &[(&str, &[&str])] = &[
    ("day", &["day", "date"]),
    ("headache", &["headache", "headache_yes_no", "had_headache"]),
    (
        "peak_intensity",
        &["peak_intensity", "intensity", "peak", "pain", "peak_pain"],
    ),
    (
        "duration_hours",
        &["duration_hours", "duration", "hours", "duration_h"],
    ),
    (
        "acute_meds",
        &[
            "acute_meds",
            "acute_medication",
            "medication",
            "medicine",
            "meds",
        ],
    ),
    ("triggers", &["triggers", "trigger"]),
    ("sleep_hours", &["sleep_hours", "sleep", "hours_slept"]),
    ("sleep_quality", &["sleep_quality"]),
    ("stress", &["stress", "stress_level"]),
    ("menstruation", &["menstruation", "period", "menstrual"]),
    ("note", &["note", "notes", "comment", "comments"]),
];

/// The template's header line, in the order of the fields.
pub const TEMPLATE_HEADER: &str = "date,headache,peak_intensity,duration_hours,acute_meds,triggers,sleep_hours,sleep_quality,stress,menstruation,note";

/// The most rows a file may hold (ten years of days).
const MAX_ROWS: usize = 3660;

fn normalise_header(h: &str) -> String {
    let mut out = String::new();
    for c in h.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

fn field_for(header: &str) -> Option<&'static str> {
    let h = normalise_header(header);
    HEADERS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(field, _)| *field)
}

/// A yes/no cell; `None` when empty.
fn yes_no(cell: &str) -> std::result::Result<Option<bool>, ()> {
    match cell.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" | "x" => Ok(Some(true)),
        "no" | "n" | "false" | "0" | "-" => Ok(Some(false)),
        _ => Err(()),
    }
}

fn number(cell: &str) -> std::result::Result<Option<f64>, ()> {
    let c = cell.trim();
    if c.is_empty() {
        return Ok(None);
    }
    c.replace(',', ".").parse::<f64>().map(Some).map_err(|_| ())
}

/// Items of a list cell, by id or by label ("triptan", "Triptan"), split by `;` or `|`; the
/// first unknown item is returned as it was written.
fn items<T: Copy + serde::de::DeserializeOwned>(
    cell: &str,
    label_of: impl Fn(T) -> &'static str,
    all: &[T],
) -> std::result::Result<Vec<T>, String> {
    let mut out = Vec::new();
    for raw in cell
        .split([';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let found = vocab::from_id::<T>(&normalise_header(raw)).or_else(|| {
            all.iter()
                .copied()
                .find(|t| label_of(*t).eq_ignore_ascii_case(raw))
        });
        match found {
            Some(t) => out.push(t),
            None => return Err(raw.chars().take(40).collect()),
        }
    }
    Ok(out)
}

/// Read a diary file: map its columns by header, check every row as the form would, and list
/// every refused row by line and field. Nothing is written here; `today` bounds the dates.
pub fn read_csv(text: &str, today: NaiveDate) -> Result<DiaryFile> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            Error::field(
                "file",
                format!("The file's first line cannot be read as CSV headers ({e})."),
            )
        })?
        .clone();
    let mut columns = Vec::new();
    let mut index: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let field = field_for(h).filter(|f| !index.contains_key(f));
        if let Some(f) = field {
            index.insert(f, i);
        }
        columns.push(DiaryColumn {
            header: h.to_owned(),
            field: field.map(str::to_owned),
        });
    }
    if !index.contains_key("day") {
        return Err(Error::field(
            "file",
            format!(
                "The file needs a “date” column. The template's first line is: {TEMPLATE_HEADER}"
            ),
        ));
    }
    let mut days = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for (n, record) in reader.records().enumerate() {
        // Line 1 is the header.
        let line = u32::try_from(n + 2).unwrap_or(u32::MAX);
        if n >= MAX_ROWS {
            return Err(Error::field(
                "file",
                format!("The file has more than {MAX_ROWS} days; split it and import each part."),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(DiaryLineError {
                    line,
                    field: "file".into(),
                    message: format!("This line cannot be read as CSV ({e})."),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: &str| index.get(f).and_then(|&i| record.get(i)).unwrap_or("");
        let mut bad = |field: &str, message: String| {
            errors.push(DiaryLineError {
                line,
                field: field.to_owned(),
                message,
            });
        };
        let mut input = DiaryDayInput {
            day: cell("day").to_owned(),
            note: cell("note").to_owned(),
            ..DiaryDayInput::default()
        };
        let mut row_ok = true;
        for (field, slot) in [
            ("peak_intensity", &mut input.peak_intensity),
            ("duration_hours", &mut input.duration_hours),
            ("sleep_hours", &mut input.sleep_hours),
            ("sleep_quality", &mut input.sleep_quality),
            ("stress", &mut input.stress),
        ] {
            match number(cell(field)) {
                Ok(v) => *slot = v,
                Err(()) => {
                    bad(field, format!("{} must be a number.", vocab_label(field)));
                    row_ok = false;
                }
            }
        }
        match yes_no(cell("headache")) {
            Ok(v) => input.headache = v.unwrap_or(input.peak_intensity.is_some_and(|p| p > 0.0)),
            Err(()) => {
                bad("headache", "Headache must be yes or no.".into());
                row_ok = false;
            }
        }
        match yes_no(cell("menstruation")) {
            Ok(v) => input.menstruation = v,
            Err(()) => {
                bad(
                    "menstruation",
                    "Menstruation must be yes, no or empty.".into(),
                );
                row_ok = false;
            }
        }
        match items::<AcuteMedKind>(cell("acute_meds"), |k| k.label(), AcuteMedKind::ALL) {
            Ok(v) => input.acute_meds = v,
            Err(what) => {
                bad(
                    "acute_meds",
                    format!("“{what}” is not a kind of acute medication this diary knows."),
                );
                row_ok = false;
            }
        }
        match items::<Trigger>(cell("triggers"), |t| t.label(), Trigger::ALL) {
            Ok(v) => input.triggers = v,
            Err(what) => {
                bad("triggers", format!("“{what}” is not one of the triggers."));
                row_ok = false;
            }
        }
        if !row_ok {
            continue;
        }
        match check(&input, today) {
            Ok(day) => {
                if let Some(first) = seen.insert(day.day.clone(), line) {
                    bad("day", format!("{} is already on line {first}.", day.day));
                } else {
                    days.push(day);
                    lines.push(line);
                }
            }
            Err(e) => bad(e.field.as_deref().unwrap_or("file"), e.message),
        }
    }
    if days.is_empty() && errors.is_empty() {
        return Err(Error::field(
            "file",
            "The file has no diary days under its header.",
        ));
    }
    Ok(DiaryFile {
        columns,
        days,
        errors,
        unchanged: 0,
        lines,
    })
}

fn vocab_label(field: &str) -> &'static str {
    match field {
        "peak_intensity" => "Peak intensity",
        "duration_hours" => "How long it lasted",
        "sleep_hours" => "Sleep",
        "sleep_quality" => "Sleep quality",
        _ => "Stress",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
    }

    fn day(d: &str) -> DiaryDayInput {
        DiaryDayInput {
            day: d.into(),
            ..DiaryDayInput::default()
        }
    }

    #[test]
    fn a_headache_day_needs_its_intensity_and_a_clear_day_has_none() {
        let mut i = day("2026-11-20");
        i.headache = true;
        assert_eq!(
            check(&i, today()).unwrap_err().field.as_deref(),
            Some("peak_intensity")
        );
        i.peak_intensity = Some(7.0);
        i.duration_hours = Some(3.5);
        assert!(check(&i, today()).is_ok());
        i.headache = false;
        assert_eq!(
            check(&i, today()).unwrap_err().field.as_deref(),
            Some("duration_hours")
        );
        i.duration_hours = None;
        assert_eq!(
            check(&i, today()).unwrap_err().field.as_deref(),
            Some("peak_intensity")
        );
        i.peak_intensity = Some(0.0);
        let ok = check(&i, today()).unwrap();
        assert_eq!(ok.peak_intensity, None);
    }

    #[test]
    fn each_bad_value_names_its_field() {
        type Spoil = fn(&mut DiaryDayInput);
        let cases: [(&str, Spoil); 7] = [
            ("day", |i| i.day = "2026-12-25".into()),
            ("day", |i| i.day = "30/11/2026".into()),
            ("duration_hours", |i| {
                i.headache = true;
                i.peak_intensity = Some(3.0);
                i.duration_hours = Some(0.0)
            }),
            ("sleep_hours", |i| i.sleep_hours = Some(25.0)),
            ("sleep_quality", |i| i.sleep_quality = Some(10.5)),
            ("stress", |i| i.stress = Some(-1.0)),
            ("note", |i| i.note = "x".repeat(501)),
        ];
        for (field, spoil) in cases {
            let mut i = day("2026-11-20");
            spoil(&mut i);
            assert_eq!(
                check(&i, today()).unwrap_err().field.as_deref(),
                Some(field),
                "{i:?}"
            );
        }
    }

    #[test]
    fn a_file_is_mapped_by_header_and_every_bad_row_is_listed() {
        let text = "\u{feff}Date,Headache,Intensity,Hours,Medication,Triggers,Sleep,Stress,Mood\n\
                    2026-11-01,yes,7,4,Triptan,stress;poor_sleep,6.5,8,meh\n\
                    2026-11-02,no,,,,,8,3,\n\
                    2026-11-03,maybe,5,2,,,7,4,\n\
                    2026-11-04,yes,5,2,aspirin-ish,,7,4,\n\
                    2026-11-01,yes,3,1,,,7,4,\n\
                    2026-11-05,yes,12,1,,,7,4,\n";
        let f = read_csv(text, today()).unwrap();
        let mapped: Vec<Option<&str>> = f.columns.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(
            mapped,
            [
                Some("day"),
                Some("headache"),
                Some("peak_intensity"),
                Some("duration_hours"),
                Some("acute_meds"),
                Some("triggers"),
                Some("sleep_hours"),
                Some("stress"),
                None
            ]
        );
        assert_eq!(f.days.len(), 2);
        assert_eq!(f.days[0].acute_meds, [AcuteMedKind::Triptan]);
        assert_eq!(f.days[0].triggers.len(), 2);
        let errs: Vec<(u32, &str)> = f
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            errs,
            [
                (4, "headache"),
                (5, "acute_meds"),
                (6, "day"),
                (7, "peak_intensity")
            ]
        );
    }

    #[test]
    fn a_file_without_a_date_column_or_days_is_refused_whole() {
        assert_eq!(
            read_csv("when,pain\n2026-11-01,3\n", today())
                .unwrap_err()
                .field
                .as_deref(),
            Some("file")
        );
        assert_eq!(
            read_csv("date,pain\n", today())
                .unwrap_err()
                .field
                .as_deref(),
            Some("file")
        );
    }

    #[test]
    fn hostile_text_is_kept_as_text() {
        let text = "date,headache,intensity,note\n2026-11-01,yes,4,\"<script>alert(1)</script> '; DROP TABLE x; -- 😀 مرحبا\"\n";
        let f = read_csv(text, today()).unwrap();
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.days[0].note.contains("<script>"));
    }
}
