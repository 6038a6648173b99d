//! The headache diary as outcomes read it: each recorded day reduced to the few facts that
//! are counted (a headache, its peak and hours, the acute medication by kind, sleep and
//! stress), read for a client in one statement; and the medication-overuse rule on diary
//! days.
//!
//! The overuse notice comes from the diary when the diary holds a day on or after the latest
//! intake's date (or there is no intake): it counts the days with acute medication among the
//! days recorded in the 30 days that end on the diary's latest day, by kind, against the same
//! thresholds as the intake ([`crate::domain::intake::medication_overuse`]). A diary that
//! stopped before the latest intake leaves the notice to that intake, the newer account.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::db::tables::diary_days;
use crate::domain::intake::{MedicationOveruse, overuse_threshold};
use crate::domain::vocab::AcuteMedKind;
use crate::error::{Error, Result};

/// Where a figure comes from: the day-by-day diary, or the client's recollection at an intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Source {
    Diary,
    Intake,
}

/// One recorded diary day, as outcomes count it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayFacts {
    pub day: NaiveDate,
    pub headache: bool,
    pub peak: Option<u8>,
    pub hours: Option<f64>,
    /// The acute medication kinds taken, one bit per kind in the order of
    /// [`AcuteMedKind::ALL`] (see [`med_bit`]).
    pub meds: u8,
    pub sleep_hours: Option<f64>,
    pub sleep_quality: Option<u8>,
    pub stress: Option<u8>,
}

impl DayFacts {
    /// A day with nothing recorded but the date (for tests and builders).
    pub fn on(day: NaiveDate) -> DayFacts {
        DayFacts {
            day,
            headache: false,
            peak: None,
            hours: None,
            meds: 0,
            sleep_hours: None,
            sleep_quality: None,
            stress: None,
        }
    }
}

/// The bit of a medication kind in [`DayFacts::meds`].
pub fn med_bit(kind: AcuteMedKind) -> u8 {
    let i = AcuteMedKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default();
    1 << i
}

/// The kinds of a `meds` bit set, in the order of [`AcuteMedKind::ALL`].
pub fn med_kinds(meds: u8) -> Vec<AcuteMedKind> {
    AcuteMedKind::ALL
        .iter()
        .copied()
        .filter(|k| meds & med_bit(*k) != 0)
        .collect()
}

fn small(v: Option<i64>) -> Result<Option<u8>> {
    v.map(|n| {
        u8::try_from(n)
            .map_err(|_| Error::internal(format!("a stored diary value, {n}, is out of range")))
    })
    .transpose()
}

/// 30 days: the window the overuse notice and the outcomes count in.
pub const WINDOW_DAYS: i64 = 30;

/// The acute-medication overuse notice from diary days (oldest first): the 30 days that end
/// on the latest day; `None` when there are no days or the thresholds are not reached.
pub fn diary_overuse(days: &[DayFacts]) -> Option<MedicationOveruse> {
    let last = days.last()?.day;
    let from = last - chrono::Duration::days(WINDOW_DAYS - 1);
    let start = days.partition_point(|d| d.day < from);
    let window = &days[start..];
    let recorded = window.len();
    let mut kinds = 0u8;
    let mut per_kind = [0usize; 8];
    let mut med_days = 0usize;
    for d in window.iter().filter(|d| d.meds != 0) {
        med_days += 1;
        kinds |= d.meds;
        for (i, k) in AcuteMedKind::ALL.iter().enumerate() {
            if d.meds & med_bit(*k) != 0 {
                per_kind[i] += 1;
            }
        }
    }
    let kinds = med_kinds(kinds);
    let (threshold, only_simple) = overuse_threshold(&kinds)?;
    let days_u8 = u8::try_from(med_days).unwrap_or(u8::MAX);
    if days_u8 < threshold {
        return None;
    }
    let by_kind: Vec<String> = AcuteMedKind::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| per_kind[*i] > 0)
        .map(|(i, k)| {
            format!(
                "{} on {}",
                k.label().to_lowercase(),
                crate::reports::outcomes::count_of(per_kind[i], "day", "days")
            )
        })
        .collect();
    Some(MedicationOveruse {
        days: days_u8,
        threshold,
        source: Source::Diary,
        message: format!(
            "From the diary: acute medication on {med_days} of the {recorded} days recorded in the 30 days to {} ({}; threshold {threshold} for {}): risk of medication-overuse headache. Suggest the client reviews it with their physician.",
            last.format("%-d %b %Y"),
            by_kind.join(", "),
            if only_simple {
                "simple analgesics"
            } else {
                "triptans, combination or other acute medication"
            }
        ),
    })
}

impl Store {
    /// A client's whole diary as outcomes count it, oldest first, read in one statement.
    /// The caller has checked that the client may be read.
    pub fn diary_facts(&self, client_id: &str) -> Result<Vec<DayFacts>> {
        // The ids as stored in the JSON list, quoted, so a list is read without parsing it.
        let quoted: Vec<(u8, String)> = AcuteMedKind::ALL
            .iter()
            .map(|k| (med_bit(*k), format!("\"{}\"", k.id())))
            .collect();
        let mut out = Vec::new();
        diary_days::each_for_outcomes(self.sql(), client_id, |r| {
            let day: String = r.get(0)?;
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| {
                Error::internal(format!("a stored diary day, {day}, is not a date"))
            })?;
            let meds_json: String = r.get(4)?;
            let meds = quoted
                .iter()
                .filter(|(_, q)| meds_json.contains(q.as_str()))
                .fold(0u8, |m, (bit, _)| m | bit);
            out.push(DayFacts {
                day,
                headache: r.get(1)?,
                peak: small(r.get(2)?)?,
                hours: r.get(3)?,
                meds,
                sleep_hours: r.get(5)?,
                sleep_quality: small(r.get(6)?)?,
                stress: small(r.get(7)?)?,
            });
            Ok(true)
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AcuteMedKind::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    /// `n` consecutive days ending on `last`, the first `med` of them (from the end) with
    /// `kinds` taken.
    fn days(last: &str, n: i64, med: i64, kinds: &[AcuteMedKind]) -> Vec<DayFacts> {
        let bits = kinds.iter().fold(0, |m, k| m | med_bit(*k));
        (0..n)
            .rev()
            .map(|back| DayFacts {
                meds: if back < med { bits } else { 0 },
                ..DayFacts::on(d(last) - chrono::Duration::days(back))
            })
            .collect()
    }

    #[test]
    fn kinds_round_trip_through_the_bits() {
        let all = med_kinds(med_bit(Triptan) | med_bit(Other));
        assert_eq!(all, vec![Triptan, Other]);
        assert_eq!(med_kinds(0), Vec::<AcuteMedKind>::new());
    }

    #[test]
    fn diary_overuse_counts_the_30_days_to_the_latest_day() {
        // 14 simple-analgesic days: below 15.
        assert_eq!(
            diary_overuse(&days("2026-11-20", 30, 14, &[SimpleAnalgesic])),
            None
        );
        // 15: at the threshold.
        let o = diary_overuse(&days("2026-11-20", 30, 15, &[SimpleAnalgesic])).unwrap();
        assert_eq!((o.days, o.threshold, o.source), (15, 15, Source::Diary));
        assert!(
            o.message.starts_with(
                "From the diary: acute medication on 15 of the 30 days recorded in the 30 days to 20 Nov 2026 (simple analgesic"
            ),
            "{}",
            o.message
        );
        // Triptans: 9 no, 10 yes, named by kind.
        assert_eq!(diary_overuse(&days("2026-11-20", 30, 9, &[Triptan])), None);
        let o = diary_overuse(&days("2026-11-20", 30, 10, &[Triptan])).unwrap();
        assert_eq!(o.threshold, 10);
        assert!(o.message.contains("triptan on 10 days"), "{}", o.message);
        // Only the 30 days to the latest: 40 days of medication, 31 days back and older
        // are not counted; 12 of 20 recorded days in the window with a mix of kinds.
        let mut older = days("2026-10-01", 20, 20, &[Triptan]);
        let mut recent = days("2026-11-20", 20, 12, &[SimpleAnalgesic, Triptan]);
        older.append(&mut recent);
        let o = diary_overuse(&older).unwrap();
        assert_eq!(o.days, 12);
        assert!(
            o.message.contains("12 of the 20 days recorded"),
            "{}",
            o.message
        );
        assert_eq!(diary_overuse(&[]), None);
        assert_eq!(diary_overuse(&days("2026-11-20", 30, 0, &[])), None);
    }
}
