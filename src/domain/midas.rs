//! The Migraine Disability Assessment (MIDAS): five questions about the last three months,
//! scored as the sum of their days and graded I to IV, plus two questions that are recorded
//! but not scored (headache days, and their average pain).
//!
//! Grades, as published with the questionnaire: I 0–5 (little or no disability), II 6–10
//! (mild), III 11–20 (moderate), IV 21 and over (severe).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::corrections as correction_rows;
use crate::db::tables::midas::{self as table, MidasRow};
use crate::domain::corrections::{self, CorrectedField, ValueCorrection};
use crate::domain::validate::{self, DateRule, Lines};
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// The most days any question can count: three months.
pub const MAX_DAYS: u16 = 92;

/// The answers as the form sends them; a blank answer is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct MidasInput {
    /// When the questionnaire was answered, `YYYY-MM-DD`.
    pub answered_on: String,
    /// 1. Days of work or school missed because of headaches.
    pub missed_work: Option<f64>,
    /// 2. Days productivity at work or school was halved or worse (not counting question 1's).
    pub reduced_work: Option<f64>,
    /// 3. Days no household work was done.
    pub missed_household: Option<f64>,
    /// 4. Days household productivity was halved or worse (not counting question 3's).
    pub reduced_household: Option<f64>,
    /// 5. Days family, social or leisure activities were missed.
    pub missed_leisure: Option<f64>,
    /// A. Headache days in the last three months (not scored).
    pub headache_days: Option<f64>,
    /// B. Average pain of those headaches, 0–10 (not scored).
    pub average_pain: Option<f64>,
}

/// The checked answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MidasAnswers {
    pub missed_work: u16,
    pub reduced_work: u16,
    pub missed_household: u16,
    pub reduced_household: u16,
    pub missed_leisure: u16,
    pub headache_days: Option<u16>,
    pub average_pain: Option<u16>,
}

/// The disability grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MidasGrade {
    /// I: 0–5, little or no disability.
    I,
    /// II: 6–10, mild disability.
    Ii,
    /// III: 11–20, moderate disability.
    Iii,
    /// IV: 21 or more, severe disability.
    Iv,
}

impl MidasGrade {
    pub fn of(score: u16) -> Self {
        match score {
            0..=5 => Self::I,
            6..=10 => Self::Ii,
            11..=20 => Self::Iii,
            _ => Self::Iv,
        }
    }

    /// "mild disability".
    pub fn disability(self) -> &'static str {
        match self {
            Self::I => "little or no disability",
            Self::Ii => "mild disability",
            Self::Iii => "moderate disability",
            Self::Iv => "severe disability",
        }
    }

    /// "II".
    pub fn numeral(self) -> &'static str {
        match self {
            Self::I => "I",
            Self::Ii => "II",
            Self::Iii => "III",
            Self::Iv => "IV",
        }
    }

    /// "Grade II — mild disability".
    pub fn label(self) -> &'static str {
        match self {
            Self::I => "Grade I — little or no disability",
            Self::Ii => "Grade II — mild disability",
            Self::Iii => "Grade III — moderate disability",
            Self::Iv => "Grade IV — severe disability",
        }
    }
}

impl MidasAnswers {
    /// The score: the days of questions 1 to 5 added up.
    pub fn score(&self) -> u16 {
        self.missed_work
            + self.reduced_work
            + self.missed_household
            + self.reduced_household
            + self.missed_leisure
    }

    pub fn grade(&self) -> MidasGrade {
        MidasGrade::of(self.score())
    }
}

/// Check the five scored answers (each required, whole days within three months, and the
/// "halved" days not more than the days left after the missed ones) and the two unscored ones.
pub fn check(input: &MidasInput) -> Result<MidasAnswers> {
    let days = |field: &str, label: &str, v: Option<f64>| -> Result<u16> {
        validate::whole_number(field, label, v, 0, MAX_DAYS)?
            .ok_or_else(|| Error::field(field, format!("{label} is required (0 if none).")))
    };
    let missed_work = days(
        "missed_work",
        "Days of work or school missed",
        input.missed_work,
    )?;
    let reduced_work = days(
        "reduced_work",
        "Days of work or school at half productivity or less",
        input.reduced_work,
    )?;
    let missed_household = days(
        "missed_household",
        "Days without household work",
        input.missed_household,
    )?;
    let reduced_household = days(
        "reduced_household",
        "Days of household work at half productivity or less",
        input.reduced_household,
    )?;
    let missed_leisure = days(
        "missed_leisure",
        "Days of family, social or leisure activities missed",
        input.missed_leisure,
    )?;
    if missed_work + reduced_work > MAX_DAYS {
        return Err(Error::field(
            "reduced_work",
            format!(
                "Missed and half-productive work days together cannot be more than {MAX_DAYS}: \
                 question 2 does not count the days of question 1."
            ),
        ));
    }
    if missed_household + reduced_household > MAX_DAYS {
        return Err(Error::field(
            "reduced_household",
            format!(
                "Days without and at half household work together cannot be more than \
                 {MAX_DAYS}: question 4 does not count the days of question 3."
            ),
        ));
    }
    let headache_days = validate::whole_number(
        "headache_days",
        "Headache days in the last three months",
        input.headache_days,
        0,
        MAX_DAYS,
    )?;
    let average_pain = validate::whole_number(
        "average_pain",
        "Average pain of those headaches",
        input.average_pain,
        0,
        10,
    )?;
    Ok(MidasAnswers {
        missed_work,
        reduced_work,
        missed_household,
        reduced_household,
        missed_leisure,
        headache_days,
        average_pain,
    })
}

/// Answers with their score and grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MidasScored {
    pub answers: MidasAnswers,
    pub score: u16,
    pub grade: MidasGrade,
    pub grade_label: String,
}

impl MidasScored {
    fn of(answers: MidasAnswers) -> MidasScored {
        let grade = answers.grade();
        MidasScored {
            score: answers.score(),
            grade,
            grade_label: grade.label().to_owned(),
            answers,
        }
    }
}

/// The corrected answers, as the form sends them; an empty one is not corrected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct MidasCorrectionInput {
    pub missed_work: Option<f64>,
    pub reduced_work: Option<f64>,
    pub missed_household: Option<f64>,
    pub reduced_household: Option<f64>,
    pub missed_leisure: Option<f64>,
    pub headache_days: Option<f64>,
    pub average_pain: Option<f64>,
}

/// A stored MIDAS, with the score and grade the core computed from it. `answers`, `score`
/// and `grade` are those in force: the answers as given with any corrections applied; the
/// trend, the timeline and the PDF use them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MidasAssessment {
    pub id: String,
    pub client_id: String,
    /// `YYYY-MM-DD`.
    pub answered_on: String,
    pub answers: MidasAnswers,
    /// Questions 1 to 5 added up.
    pub score: u16,
    pub grade: MidasGrade,
    /// "Grade II — mild disability".
    pub grade_label: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// The answers as given, when a correction changed them (kept, and shown).
    pub as_answered: Option<MidasScored>,
    /// The corrections of its answers, oldest first.
    pub corrections: Vec<ValueCorrection>,
}

/// The MIDAS questions a correction may change, with the answer in force for each.
fn answer_fields(a: &MidasAnswers) -> [(CorrectedField, Option<i64>); 7] {
    [
        (CorrectedField::MissedWork, Some(i64::from(a.missed_work))),
        (CorrectedField::ReducedWork, Some(i64::from(a.reduced_work))),
        (
            CorrectedField::MissedHousehold,
            Some(i64::from(a.missed_household)),
        ),
        (
            CorrectedField::ReducedHousehold,
            Some(i64::from(a.reduced_household)),
        ),
        (
            CorrectedField::MissedLeisure,
            Some(i64::from(a.missed_leisure)),
        ),
        (CorrectedField::HeadacheDays, a.headache_days.map(i64::from)),
        (CorrectedField::AveragePain, a.average_pain.map(i64::from)),
    ]
}

/// `a` with `field` set to `v` (a checked value in the field's range).
fn with_answer(mut a: MidasAnswers, field: CorrectedField, v: i64) -> MidasAnswers {
    let v = u16::try_from(v).unwrap_or(u16::MAX);
    match field {
        CorrectedField::MissedWork => a.missed_work = v,
        CorrectedField::ReducedWork => a.reduced_work = v,
        CorrectedField::MissedHousehold => a.missed_household = v,
        CorrectedField::ReducedHousehold => a.reduced_household = v,
        CorrectedField::MissedLeisure => a.missed_leisure = v,
        CorrectedField::HeadacheDays => a.headache_days = Some(v),
        CorrectedField::AveragePain => a.average_pain = Some(v),
        CorrectedField::PainBefore
        | CorrectedField::PainAfter
        | CorrectedField::DurationMinutes => {}
    }
    a
}

fn input_of(a: &MidasAnswers) -> MidasInput {
    MidasInput {
        answered_on: String::new(),
        missed_work: Some(f64::from(a.missed_work)),
        reduced_work: Some(f64::from(a.reduced_work)),
        missed_household: Some(f64::from(a.missed_household)),
        reduced_household: Some(f64::from(a.reduced_household)),
        missed_leisure: Some(f64::from(a.missed_leisure)),
        headache_days: a.headache_days.map(f64::from),
        average_pain: a.average_pain.map(f64::from),
    }
}

fn stored_days(v: i64) -> Result<u16> {
    u16::try_from(v)
        .map_err(|_| Error::internal(format!("a stored MIDAS answer, {v}, is out of range")))
}

impl MidasAssessment {
    fn from_stored(r: MidasRow) -> Result<MidasAssessment> {
        let answers = MidasAnswers {
            missed_work: stored_days(r.missed_work)?,
            reduced_work: stored_days(r.reduced_work)?,
            missed_household: stored_days(r.missed_household)?,
            reduced_household: stored_days(r.reduced_household)?,
            missed_leisure: stored_days(r.missed_leisure)?,
            headache_days: r.headache_days.map(stored_days).transpose()?,
            average_pain: r.average_pain.map(stored_days).transpose()?,
        };
        let grade = answers.grade();
        Ok(MidasAssessment {
            id: r.id,
            client_id: r.client_id,
            answered_on: r.answered_on,
            score: answers.score(),
            grade,
            grade_label: grade.label().to_owned(),
            answers,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            as_answered: None,
            corrections: Vec::new(),
        })
    }

    /// Apply its corrections (oldest first): the answers in force, the originals kept.
    fn corrected_by(mut self, corrections: Vec<ValueCorrection>) -> MidasAssessment {
        if corrections.is_empty() {
            return self;
        }
        let original = MidasScored::of(self.answers);
        let mut a = self.answers;
        for c in &corrections {
            a = with_answer(a, c.field, c.corrected);
        }
        let now = MidasScored::of(a);
        self.answers = now.answers;
        self.score = now.score;
        self.grade = now.grade;
        self.grade_label = now.grade_label;
        self.as_answered = Some(original);
        self.corrections = corrections;
        self
    }
}

/// The date the questionnaire was answered: required, not in the future, not before birth.
fn answered_on(input: &MidasInput, today: NaiveDate, born: Option<NaiveDate>) -> Result<NaiveDate> {
    let on = validate::past_date(
        "answered_on",
        "Date answered",
        Some(&input.answered_on),
        today,
        DateRule {
            max_years_back: 120,
        },
    )?
    .ok_or_else(|| Error::field("answered_on", "Date answered is required."))?;
    if born.is_some_and(|b| on < b) {
        return Err(Error::field(
            "answered_on",
            "Date answered cannot be before the client's date of birth.",
        ));
    }
    Ok(on)
}

impl Store {
    /// Record a MIDAS questionnaire for a client (repeated like an intake).
    pub fn record_midas(&mut self, client_id: &str, input: &MidasInput) -> Result<MidasAssessment> {
        self.require(Permission::Chart)?;
        let client = self.get_client(client_id)?;
        if client.archived_at.is_some() {
            return Err(Error::conflict(
                "This client is archived. Restore the record before adding a MIDAS.",
            ));
        }
        let born = client
            .fields
            .date_of_birth
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let on = answered_on(input, self.today(), born)?;
        let a = check(input)?;
        let id = Uuid::now_v7().to_string();
        let client_id = client.id;
        let row = self.write_sql(|tx, ctx| {
            let row = MidasRow {
                id: id.clone(),
                client_id: client_id.clone(),
                answered_on: on.to_string(),
                missed_work: i64::from(a.missed_work),
                reduced_work: i64::from(a.reduced_work),
                missed_household: i64::from(a.missed_household),
                reduced_household: i64::from(a.reduced_household),
                missed_leisure: i64::from(a.missed_leisure),
                headache_days: a.headache_days.map(i64::from),
                average_pain: a.average_pain.map(i64::from),
                recorded_by: ctx.actor.to_owned(),
                recorded_at: ctx.now_text(),
            };
            table::insert(tx, &row)?;
            Ok((
                row,
                AuditEntry {
                    action: "midas.create",
                    entity: "midas",
                    entity_id: id.clone(),
                    summary: format!(
                        "recorded a MIDAS for client {client_id}: score {}, {}",
                        a.score(),
                        a.grade().label()
                    ),
                },
            ))
        })?;
        MidasAssessment::from_stored(row)
    }

    /// A client's MIDAS questionnaires, oldest first, each scored and graded.
    pub fn list_midas(&self, client_id: &str) -> Result<Vec<MidasAssessment>> {
        let client_id = validate::record_id(client_id, "client")?;
        self.require_client(&client_id)?;
        let rows = table::list_for_client(self.sql(), &client_id)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let all = self.midas_corrections(correction_rows::for_client(self.sql(), &client_id)?)?;
        rows.into_iter()
            .map(|r| {
                let mine: Vec<ValueCorrection> = all
                    .iter()
                    .filter(|(id, _)| *id == r.id)
                    .map(|(_, c)| c.clone())
                    .collect();
                Ok(MidasAssessment::from_stored(r)?.corrected_by(mine))
            })
            .collect()
    }

    /// One MIDAS questionnaire.
    pub fn get_midas(&self, id: &str) -> Result<MidasAssessment> {
        let id = validate::record_id(id, "MIDAS")?;
        let m = table::get(self.sql(), &id)?
            .ok_or_else(|| Error::not_found("MIDAS"))
            .and_then(MidasAssessment::from_stored)?;
        self.require_client(&m.client_id)?;
        let mine = self
            .midas_corrections(correction_rows::for_record(self.sql(), &id)?)?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        Ok(m.corrected_by(mine))
    }

    /// The MIDAS corrections among `rows`, each with the id of its questionnaire.
    fn midas_corrections(
        &self,
        rows: Vec<correction_rows::CorrectionRow>,
    ) -> Result<Vec<(String, ValueCorrection)>> {
        if rows.iter().all(|r| r.record_kind != "midas") {
            return Ok(Vec::new());
        }
        let names = self.person_names()?;
        let name_of = |u: &str| names.get(u).cloned().unwrap_or_else(|| u.to_owned());
        Ok(rows
            .into_iter()
            .filter(|r| r.record_kind == "midas")
            .filter_map(|r| {
                let id = r.record_id.clone();
                ValueCorrection::from_stored(r, &name_of).map(|c| (id, c))
            })
            .collect())
    }

    /// Correct answers of a MIDAS with the reason. The answers as given stay (shown as
    /// such); the score, grade and trend use the corrected ones; the audit log holds both.
    pub fn correct_midas(
        &mut self,
        id: &str,
        reason: &str,
        fix: &MidasCorrectionInput,
    ) -> Result<MidasAssessment> {
        self.require(Permission::Chart)?;
        let m = self.get_midas(id)?;
        let reason = validate::text("reason", "Reason", reason, 1000, Lines::Many)?;
        if reason.is_empty() {
            return Err(Error::field(
                "reason",
                "Say why the answer is being corrected.",
            ));
        }
        let values = [
            fix.missed_work,
            fix.reduced_work,
            fix.missed_household,
            fix.reduced_household,
            fix.missed_leisure,
            fix.headache_days,
            fix.average_pain,
        ];
        let mut changes: Vec<(CorrectedField, Option<i64>, i64)> = Vec::new();
        let mut answers = m.answers;
        for ((field, now), value) in answer_fields(&m.answers).into_iter().zip(values) {
            let path = format!("corrections.{}", field.column());
            if let Some(v) = corrections::check_value(&path, field, value, now)? {
                changes.push((field, now, v));
                answers = with_answer(answers, field, v);
            }
        }
        if changes.is_empty() {
            return Err(Error::field(
                "corrections",
                "Enter the corrected answer to at least one question.",
            ));
        }
        // The corrected answers together keep the questionnaire's own rules.
        check(&input_of(&answers)).map_err(|e| match e.field {
            Some(f) => Error::field(&format!("corrections.{f}"), e.message),
            None => e,
        })?;
        let mut summary = format!(
            "corrected the MIDAS of {} for client {}: {reason}",
            m.answered_on, m.client_id
        );
        for (field, was, now) in &changes {
            summary.push_str("; ");
            summary.push_str(&corrections::correction_text(*field, *was, *now));
        }
        let (mid, client_id) = (m.id.clone(), m.client_id.clone());
        self.write_sql(|tx, ctx| {
            for (field, was, now) in &changes {
                correction_rows::insert(
                    tx,
                    &correction_rows::CorrectionRow {
                        id: Uuid::now_v7().to_string(),
                        client_id: client_id.clone(),
                        record_kind: "midas".to_owned(),
                        record_id: mid.clone(),
                        field: field.column().to_owned(),
                        original: *was,
                        corrected: *now,
                        reason: reason.clone(),
                        amendment_id: None,
                        author: ctx.actor.to_owned(),
                        created_at: ctx.now_text(),
                    },
                )?;
            }
            Ok((
                (),
                AuditEntry {
                    action: "midas.correct",
                    entity: "midas",
                    entity_id: mid.clone(),
                    summary,
                },
            ))
        })?;
        self.get_midas(&mid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(days: [f64; 5]) -> MidasInput {
        MidasInput {
            answered_on: "2026-11-30".into(),
            missed_work: Some(days[0]),
            reduced_work: Some(days[1]),
            missed_household: Some(days[2]),
            reduced_household: Some(days[3]),
            missed_leisure: Some(days[4]),
            headache_days: Some(20.0),
            average_pain: Some(6.0),
        }
    }

    fn scored(days: [f64; 5]) -> (u16, MidasGrade) {
        match check(&input(days)) {
            Ok(a) => (a.score(), a.grade()),
            Err(e) => panic!("refused {days:?}: {e:?}"),
        }
    }

    /// Worked by hand: each grade's two edges.
    #[test]
    fn score_and_grade_at_every_boundary() {
        assert_eq!(scored([0.0, 0.0, 0.0, 0.0, 0.0]), (0, MidasGrade::I));
        assert_eq!(scored([1.0, 1.0, 1.0, 1.0, 1.0]), (5, MidasGrade::I));
        assert_eq!(scored([2.0, 1.0, 1.0, 1.0, 1.0]), (6, MidasGrade::Ii));
        assert_eq!(scored([2.0, 2.0, 2.0, 2.0, 2.0]), (10, MidasGrade::Ii));
        assert_eq!(scored([3.0, 2.0, 2.0, 2.0, 2.0]), (11, MidasGrade::Iii));
        assert_eq!(scored([4.0, 4.0, 4.0, 4.0, 4.0]), (20, MidasGrade::Iii));
        assert_eq!(scored([5.0, 4.0, 4.0, 4.0, 4.0]), (21, MidasGrade::Iv));
        assert_eq!(
            scored([46.0, 46.0, 46.0, 46.0, 92.0]),
            (276, MidasGrade::Iv)
        );
    }

    #[test]
    fn the_unscored_answers_do_not_count() {
        let mut i = input([1.0, 0.0, 0.0, 0.0, 0.0]);
        i.headache_days = Some(90.0);
        i.average_pain = Some(10.0);
        assert_eq!(check(&i).map(|a| a.score()), Ok(1));
        i.headache_days = None;
        i.average_pain = None;
        assert_eq!(check(&i).map(|a| a.score()), Ok(1));
    }

    #[test]
    fn each_bad_answer_names_its_field() {
        type Spoil = fn(&mut MidasInput);
        let cases: [(&str, Spoil); 7] = [
            ("missed_work", |i| i.missed_work = None),
            ("reduced_work", |i| i.reduced_work = Some(2.5)),
            ("missed_household", |i| i.missed_household = Some(-1.0)),
            ("reduced_household", |i| {
                i.reduced_household = Some(f64::NAN)
            }),
            ("missed_leisure", |i| i.missed_leisure = Some(93.0)),
            ("headache_days", |i| i.headache_days = Some(100.0)),
            ("average_pain", |i| i.average_pain = Some(11.0)),
        ];
        for (field, spoil) in cases {
            let mut i = input([1.0, 1.0, 1.0, 1.0, 1.0]);
            spoil(&mut i);
            let e = check(&i).expect_err(field);
            assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
        }
    }

    #[test]
    fn halved_days_do_not_count_the_missed_ones_again() {
        let e = check(&input([60.0, 40.0, 0.0, 0.0, 0.0])).expect_err("over 92");
        assert_eq!(e.field.as_deref(), Some("reduced_work"));
        let e = check(&input([0.0, 0.0, 50.0, 50.0, 0.0])).expect_err("over 92");
        assert_eq!(e.field.as_deref(), Some("reduced_household"));
        assert!(check(&input([46.0, 46.0, 46.0, 46.0, 0.0])).is_ok());
    }
}
