//! Corrections that count. A signed note and a MIDAS questionnaire are locked; when one of
//! their recorded values was wrong (pain after was 4, not 3), a correction says so with its
//! reason. The original stays visible and unchanged; the outcomes, the running totals and
//! the MIDAS trend use the corrected value and say that they do; the audit log holds both.
//!
//! The rows are in [`crate::db::tables::corrections`]; which values may be corrected, their
//! words, and the checks are here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::tables::corrections::CorrectionRow;
use crate::domain::validate;
use crate::error::{Error, Result};

/// A value that can be corrected after its record was locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CorrectedField {
    PainBefore,
    PainAfter,
    DurationMinutes,
    MissedWork,
    ReducedWork,
    MissedHousehold,
    ReducedHousehold,
    MissedLeisure,
    HeadacheDays,
    AveragePain,
}

impl CorrectedField {
    pub const ALL: [CorrectedField; 10] = [
        Self::PainBefore,
        Self::PainAfter,
        Self::DurationMinutes,
        Self::MissedWork,
        Self::ReducedWork,
        Self::MissedHousehold,
        Self::ReducedHousehold,
        Self::MissedLeisure,
        Self::HeadacheDays,
        Self::AveragePain,
    ];

    /// The column it corrects, and the field path its input is checked under.
    pub fn column(self) -> &'static str {
        match self {
            Self::PainBefore => "pain_before",
            Self::PainAfter => "pain_after",
            Self::DurationMinutes => "duration_minutes",
            Self::MissedWork => "missed_work",
            Self::ReducedWork => "reduced_work",
            Self::MissedHousehold => "missed_household",
            Self::ReducedHousehold => "reduced_household",
            Self::MissedLeisure => "missed_leisure",
            Self::HeadacheDays => "headache_days",
            Self::AveragePain => "average_pain",
        }
    }

    pub fn from_column(column: &str) -> Option<CorrectedField> {
        Self::ALL.into_iter().find(|f| f.column() == column)
    }

    /// The value in words: "Pain after".
    pub fn label(self) -> &'static str {
        match self {
            Self::PainBefore => "Pain before",
            Self::PainAfter => "Pain after",
            Self::DurationMinutes => "Duration",
            Self::MissedWork => "Question 1 (work or school missed)",
            Self::ReducedWork => "Question 2 (work or school at half productivity)",
            Self::MissedHousehold => "Question 3 (no household work)",
            Self::ReducedHousehold => "Question 4 (household work at half productivity)",
            Self::MissedLeisure => "Question 5 (family, social or leisure missed)",
            Self::HeadacheDays => "Question A (headache days)",
            Self::AveragePain => "Question B (average pain)",
        }
    }

    /// A value with its unit: "4/10", "50 minutes", "3 days".
    pub fn shown(self, v: i64) -> String {
        match self {
            Self::PainBefore | Self::PainAfter | Self::AveragePain => format!("{v}/10"),
            Self::DurationMinutes => format!("{v} minutes"),
            _ => format!("{v} {}", if v == 1 { "day" } else { "days" }),
        }
    }

    /// The range a corrected value must fall in (the original's own rule).
    fn range(self) -> (u16, u16) {
        match self {
            Self::PainBefore | Self::PainAfter | Self::AveragePain => (0, 10),
            Self::DurationMinutes => (1, 480),
            _ => (0, crate::domain::midas::MAX_DAYS),
        }
    }
}

/// A value corrected, as shown beside the original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ValueCorrection {
    pub id: String,
    pub field: CorrectedField,
    /// "Pain after".
    pub label: String,
    /// The value as first recorded (none: it was not recorded).
    #[ts(type = "number | null")]
    pub original: Option<i64>,
    #[ts(type = "number")]
    pub corrected: i64,
    /// The corrected value with its unit: "4/10", "45 minutes", "2 days".
    pub corrected_shown: String,
    /// "Pain after corrected from 3/10 to 4/10".
    pub text: String,
    pub reason: String,
    pub author: String,
    /// The author as people know them: "Robin Lee, RMT".
    pub author_name: String,
    pub created_at: String,
    /// The amendment that made it, for a note's correction.
    pub amendment_id: Option<String>,
}

impl ValueCorrection {
    /// A correction from its stored row; `None` for a field this version does not know.
    pub fn from_stored(r: CorrectionRow, name_of: &dyn Fn(&str) -> String) -> Option<Self> {
        let field = CorrectedField::from_column(&r.field)?;
        Some(ValueCorrection {
            text: correction_text(field, r.original, r.corrected),
            corrected_shown: field.shown(r.corrected),
            label: field.label().to_owned(),
            author_name: name_of(&r.author),
            id: r.id,
            field,
            original: r.original,
            corrected: r.corrected,
            reason: r.reason,
            author: r.author,
            created_at: r.created_at,
            amendment_id: r.amendment_id,
        })
    }
}

/// "Pain after corrected from 3/10 to 4/10"; "Duration corrected from not recorded to 50
/// minutes".
pub fn correction_text(field: CorrectedField, original: Option<i64>, corrected: i64) -> String {
    format!(
        "{} corrected from {} to {}",
        field.label(),
        original.map_or_else(|| "not recorded".to_owned(), |v| field.shown(v)),
        field.shown(corrected)
    )
}

/// Check one corrected value (a whole number in the field's range, as the original's rule),
/// given under the field path `path`, against the value in force now: the same value again is
/// refused, as it corrects nothing. `None`: the value is not corrected.
pub fn check_value(
    path: &str,
    field: CorrectedField,
    v: Option<f64>,
    current: Option<i64>,
) -> Result<Option<i64>> {
    let (min, max) = field.range();
    let Some(n) = validate::whole_number(path, field.label(), v, min, max)? else {
        return Ok(None);
    };
    let n = i64::from(n);
    if current == Some(n) {
        return Err(Error::field(
            path,
            format!(
                "{} is already {}: leave it empty, or enter the right value.",
                field.label(),
                field.shown(n)
            ),
        ));
    }
    Ok(Some(n))
}

/// The value in force for `field`: the newest of `corrections` for it, else `original`.
pub fn current(
    corrections: &[ValueCorrection],
    field: CorrectedField,
    original: Option<i64>,
) -> Option<i64> {
    corrections
        .iter()
        .rev()
        .find(|c| c.field == field)
        .map(|c| Some(c.corrected))
        .unwrap_or(original)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_from_its_column() {
        for f in CorrectedField::ALL {
            assert_eq!(CorrectedField::from_column(f.column()), Some(f));
        }
        assert_eq!(CorrectedField::from_column("subjective"), None);
    }

    #[test]
    fn corrections_are_worded_with_their_units() {
        assert_eq!(
            correction_text(CorrectedField::PainAfter, Some(3), 4),
            "Pain after corrected from 3/10 to 4/10"
        );
        assert_eq!(
            correction_text(CorrectedField::DurationMinutes, None, 50),
            "Duration corrected from not recorded to 50 minutes"
        );
        assert_eq!(
            correction_text(CorrectedField::MissedWork, Some(1), 2),
            "Question 1 (work or school missed) corrected from 1 day to 2 days"
        );
    }

    #[test]
    fn a_corrected_value_is_checked_as_the_original_was() {
        let f = CorrectedField::PainAfter;
        assert_eq!(check_value("pain_after", f, None, Some(3)).ok(), Some(None));
        assert_eq!(
            check_value("pain_after", f, Some(4.0), Some(3)).ok(),
            Some(Some(4))
        );
        let e = check_value("pain_after", f, Some(11.0), Some(3))
            .err()
            .map(|e| e.field);
        assert_eq!(e, Some(Some("pain_after".to_owned())));
        let e = check_value("pain_after", f, Some(2.5), Some(3))
            .err()
            .map(|e| e.field);
        assert_eq!(e, Some(Some("pain_after".to_owned())));
        let same = check_value("pain_after", f, Some(3.0), Some(3))
            .err()
            .map(|e| e.message);
        assert_eq!(
            same.as_deref(),
            Some("Pain after is already 3/10: leave it empty, or enter the right value.")
        );
        let d = CorrectedField::DurationMinutes;
        assert!(check_value("duration_minutes", d, Some(0.0), Some(50)).is_err());
        assert_eq!(
            check_value("duration_minutes", d, Some(60.0), Some(50)).ok(),
            Some(Some(60))
        );
    }

    #[test]
    fn the_newest_correction_is_in_force() {
        let c = |field, corrected, id: &str| ValueCorrection {
            id: id.to_owned(),
            field,
            label: String::new(),
            original: Some(3),
            corrected,
            corrected_shown: String::new(),
            text: String::new(),
            reason: String::new(),
            author: String::new(),
            author_name: String::new(),
            created_at: String::new(),
            amendment_id: None,
        };
        let list = [
            c(CorrectedField::PainAfter, 4, "a"),
            c(CorrectedField::PainBefore, 8, "b"),
            c(CorrectedField::PainAfter, 5, "c"),
        ];
        assert_eq!(current(&list, CorrectedField::PainAfter, Some(3)), Some(5));
        assert_eq!(current(&list, CorrectedField::PainBefore, Some(7)), Some(8));
        assert_eq!(
            current(&list, CorrectedField::DurationMinutes, Some(50)),
            Some(50)
        );
    }
}
