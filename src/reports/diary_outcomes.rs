//! Outcomes from the headache diary: the coverage rule, the baseline and latest figures, and
//! the weekly series the history charts draw.
//!
//! **Coverage.** A period of 30 days counts as covered by the diary when at least
//! [`COVERED_DAYS`] (24, four days in five) of its days are recorded. Its figures are then
//! scaled to 30 days from the days recorded: headache days per 30 = headache days ÷ days
//! recorded × 30, rounded to the nearest whole day (halves up); acute-medication days the
//! same way. Intensity is the mean peak intensity over its headache days, duration the mean
//! hours over its headache days with hours written down (one decimal).
//!
//! **Baseline.** The earliest covered 30 days (the first that starts on a recorded day) when
//! they start before the baseline intake's date (or there is no intake); otherwise, when the
//! diary starts on that day or later, the baseline intake, as before there was a diary (the
//! intake's 30 days came first).
//!
//! **Latest.** The most recent of: the latest covered 30 days of the diary (for a diary
//! baseline, only when it does not overlap the baseline's 30 days; for an intake baseline,
//! when it ends after that intake), and the latest intake when it is not the baseline (for a
//! diary baseline, when it is dated after the baseline's 30 days). At the same date the
//! diary's figure wins: it is counted, not recalled. With no such figure there is only a
//! baseline and the responder rule has too little data.
//!
//! Each figure carries its [`Source`], and its words say which days it counts.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::domain::diary_facts::{DayFacts, Source, WINDOW_DAYS};
use crate::domain::intake::Intake;
use crate::reports::outcomes::Point;

/// The days of a 30-day period that must be recorded for the diary to cover it.
pub const COVERED_DAYS: u32 = 24;

/// What the diary holds for the 30 days that end on `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub recorded: u32,
    pub headache_days: u32,
    pub acute_med_days: u32,
    peak_sum: u32,
    peak_n: u32,
    hours_sum: f64,
    hours_n: u32,
}

/// One decimal.
pub fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A figure as people read it: whole numbers bare, else one decimal ("4", "4.5").
pub fn num(x: f64) -> String {
    let x = r1(x);
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

pub fn pretty(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// "2 Oct – 31 Oct 2026", or with both years when they differ.
pub fn span(from: NaiveDate, to: NaiveDate) -> String {
    if from.format("%Y").to_string() == to.format("%Y").to_string() {
        format!("{} – {}", from.format("%-d %b"), pretty(to))
    } else {
        format!("{} – {}", pretty(from), pretty(to))
    }
}

impl WindowStats {
    pub fn covered(&self) -> bool {
        self.recorded >= COVERED_DAYS
    }

    /// `n` of the recorded days scaled to 30, rounded (halves up).
    pub fn per_30(&self, n: u32) -> u8 {
        if self.recorded == 0 {
            return 0;
        }
        let v = (f64::from(n) * WINDOW_DAYS as f64 / f64::from(self.recorded)).round();
        v.clamp(0.0, 30.0) as u8
    }

    pub fn headache_days_per_30(&self) -> u8 {
        self.per_30(self.headache_days)
    }

    pub fn acute_med_days_per_30(&self) -> u8 {
        self.per_30(self.acute_med_days)
    }

    /// The mean peak intensity over the headache days, one decimal.
    pub fn mean_peak(&self) -> Option<f64> {
        (self.peak_n > 0).then(|| r1(f64::from(self.peak_sum) / f64::from(self.peak_n)))
    }

    /// The mean hours over the headache days with hours written down, one decimal.
    pub fn mean_hours(&self) -> Option<f64> {
        (self.hours_n > 0).then(|| r1(self.hours_sum / f64::from(self.hours_n)))
    }

    /// "28 of 30 days recorded (2 Oct – 31 Oct 2026)".
    pub fn coverage_text(&self) -> String {
        format!(
            "{} of 30 days recorded ({})",
            self.recorded,
            span(self.from, self.to)
        )
    }
}

/// The diary's figures for the 30 days that end on `to` (`days` oldest first, one per day).
pub fn window(days: &[DayFacts], to: NaiveDate) -> WindowStats {
    let from = to - Duration::days(WINDOW_DAYS - 1);
    let a = days.partition_point(|d| d.day < from);
    let b = days.partition_point(|d| d.day <= to);
    let mut w = WindowStats {
        from,
        to,
        recorded: 0,
        headache_days: 0,
        acute_med_days: 0,
        peak_sum: 0,
        peak_n: 0,
        hours_sum: 0.0,
        hours_n: 0,
    };
    for d in &days[a..b] {
        w.recorded += 1;
        if d.meds != 0 {
            w.acute_med_days += 1;
        }
        if d.headache {
            w.headache_days += 1;
            if let Some(p) = d.peak {
                w.peak_sum += u32::from(p);
                w.peak_n += 1;
            }
            if let Some(h) = d.hours {
                w.hours_sum += h;
                w.hours_n += 1;
            }
        }
    }
    w
}

/// The earliest covered 30 days: the first that starts on a recorded day and holds at least
/// [`COVERED_DAYS`] recorded days. (A covered period that starts on an unrecorded day is
/// still covered when moved to start on its first recorded day.)
pub fn first_covered(days: &[DayFacts]) -> Option<WindowStats> {
    days.iter().enumerate().find_map(|(i, d)| {
        let to = d.day + Duration::days(WINDOW_DAYS - 1);
        let n = days.partition_point(|x| x.day <= to) - i;
        (n >= COVERED_DAYS as usize).then(|| window(days, to))
    })
}

/// The latest covered 30 days: the last that ends on a recorded day and holds at least
/// [`COVERED_DAYS`] recorded days.
pub fn last_covered(days: &[DayFacts]) -> Option<WindowStats> {
    days.iter().enumerate().rev().find_map(|(i, d)| {
        let from = d.day - Duration::days(WINDOW_DAYS - 1);
        let n = i + 1 - days.partition_point(|x| x.day < from);
        (n >= COVERED_DAYS as usize).then(|| window(days, d.day))
    })
}

/// One headache-days figure (baseline or latest) with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OutcomeMeasure {
    pub source: Source,
    /// The 30 days it counts, `YYYY-MM-DD`: for an intake, the 30 days to its date.
    pub from: String,
    pub to: String,
    /// Headache days per 30 days.
    pub headache_days: u8,
    /// Diary days recorded of the 30; `None` for an intake.
    pub recorded_days: Option<u8>,
    /// Diary: the mean peak intensity on headache days; intake: the usual intensity (0–10).
    pub intensity: Option<f64>,
    /// Diary: the mean hours of an attack; intake: the usual attack duration.
    pub duration_hours: Option<f64>,
    /// Acute-medication days per 30 days.
    pub acute_med_days: Option<u8>,
    /// Where the figure comes from, for people: "from the diary, 28 of 30 days recorded
    /// (2 Oct – 31 Oct 2026)" or "from the intake of 3 Mar 2026".
    pub source_text: String,
}

impl OutcomeMeasure {
    pub fn from_diary(w: &WindowStats) -> OutcomeMeasure {
        OutcomeMeasure {
            source: Source::Diary,
            from: w.from.to_string(),
            to: w.to.to_string(),
            headache_days: w.headache_days_per_30(),
            recorded_days: Some(u8::try_from(w.recorded).unwrap_or(u8::MAX)),
            intensity: w.mean_peak(),
            duration_hours: w.mean_hours(),
            acute_med_days: Some(w.acute_med_days_per_30()),
            source_text: format!("from the diary, {}", w.coverage_text()),
        }
    }

    pub fn from_intake(i: &Intake) -> OutcomeMeasure {
        let to = date(&i.assessed_on);
        OutcomeMeasure {
            source: Source::Intake,
            from: to
                .map(|t| (t - Duration::days(WINDOW_DAYS - 1)).to_string())
                .unwrap_or_else(|| i.assessed_on.clone()),
            to: i.assessed_on.clone(),
            headache_days: i.headache_days,
            recorded_days: None,
            intensity: Some(f64::from(i.usual_intensity)),
            duration_hours: i.usual_duration_hours,
            acute_med_days: i.acute_med_days,
            source_text: format!(
                "from the intake of {}",
                to.map_or_else(|| i.assessed_on.clone(), pretty)
            ),
        }
    }

    /// The day outcomes count "since": an intake's date, or the first day of the diary's 30.
    pub fn since(&self) -> &str {
        match self.source {
            Source::Diary => &self.from,
            Source::Intake => &self.to,
        }
    }
}

pub fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The baseline and the latest figure by the rules at the top of this file, from the intakes
/// (oldest first) and the diary (oldest first). The latest is `None` when there is only a
/// baseline.
pub fn baseline_and_latest(
    by_date: &[&Intake],
    days: &[DayFacts],
) -> (Option<OutcomeMeasure>, Option<OutcomeMeasure>) {
    let first_w = first_covered(days);
    let last_w = last_covered(days);
    let first_intake = by_date.first().copied();
    let intake_day = |i: &Intake| date(&i.assessed_on);

    let diary_baseline = match (first_w, first_intake) {
        (Some(w), Some(i)) => intake_day(i).is_none_or(|d| w.from < d).then_some(w),
        (Some(w), None) => Some(w),
        (None, _) => None,
    };
    let Some(baseline) = diary_baseline
        .as_ref()
        .map(OutcomeMeasure::from_diary)
        .or_else(|| first_intake.map(OutcomeMeasure::from_intake))
    else {
        return (None, None);
    };

    // The diary's latest 30 days, when they say something the baseline does not.
    let diary_latest = last_w.filter(|w| match &diary_baseline {
        Some(b) => w.from > b.to,
        None => date(&baseline.to).is_some_and(|t| w.to > t),
    });
    // The latest intake, when it is not the baseline.
    let intake_latest = by_date.last().copied().filter(|l| match &diary_baseline {
        Some(b) => intake_day(l).is_some_and(|d| d > b.to),
        None => by_date.len() >= 2,
    });
    let latest = match (diary_latest, intake_latest) {
        (Some(w), Some(i)) => {
            if intake_day(i).is_some_and(|d| d > w.to) {
                Some(OutcomeMeasure::from_intake(i))
            } else {
                Some(OutcomeMeasure::from_diary(&w))
            }
        }
        (Some(w), None) => Some(OutcomeMeasure::from_diary(&w)),
        (None, Some(i)) => Some(OutcomeMeasure::from_intake(i)),
        (None, None) => None,
    };
    (Some(baseline), latest)
}

/// The diary's latest covered 30 days in words, or why the diary gives no figures yet;
/// `None` without a diary.
pub fn diary_text(days: &[DayFacts]) -> Option<String> {
    if days.is_empty() {
        return None;
    }
    let Some(w) = last_covered(days) else {
        return Some(format!(
            "The diary holds {}, but no 30 days with {COVERED_DAYS} of them recorded: its \
             figures count once it does; until then outcomes come from the intakes.",
            crate::reports::outcomes::count_of(days.len(), "day", "days")
        ));
    };
    let mut parts = vec![format!(
        "{} per 30 days",
        crate::reports::outcomes::count_of(
            usize::from(w.headache_days_per_30()),
            "headache day",
            "headache days"
        )
    )];
    if let Some(p) = w.mean_peak() {
        parts.push(format!("mean peak intensity {} / 10", num(p)));
    }
    if let Some(h) = w.mean_hours() {
        parts.push(format!("attacks of {} hours on average", num(h)));
    }
    parts.push(format!(
        "acute medication on {} per 30 days",
        crate::reports::outcomes::count_of(usize::from(w.acute_med_days_per_30()), "day", "days")
    ));
    Some(format!(
        "From the diary, {}: {}.",
        w.coverage_text(),
        parts.join(", ")
    ))
}

/// The ends of the diary's weeks, oldest first: every 7th day back from its latest day, down
/// to its first day.
fn week_ends(days: &[DayFacts]) -> Vec<NaiveDate> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    let weeks = (last.day - first.day).num_days() / 7 + 1;
    (0..weeks)
        .rev()
        .map(|k| last.day - Duration::days(7 * k))
        .collect()
}

/// Headache days per 30 and mean peak intensity for the 30 days to each week's end, where the
/// diary covers those 30 days: the diary's headache chart.
pub fn headache_series(days: &[DayFacts]) -> (Vec<Point>, Vec<Point>) {
    let mut headache = Vec::new();
    let mut intensity = Vec::new();
    for end in week_ends(days) {
        let w = window(days, end);
        if !w.covered() {
            continue;
        }
        let date = end.to_string();
        headache.push(Point {
            date: date.clone(),
            value: f64::from(w.headache_days_per_30()),
        });
        if let Some(p) = w.mean_peak() {
            intensity.push(Point { date, value: p });
        }
    }
    (headache, intensity)
}

/// Sums and counts of one week's values.
#[derive(Debug, Clone, Copy, Default)]
struct WeekSums {
    sleep_quality: (f64, u32),
    sleep_hours: (f64, u32),
    stress: (f64, u32),
    hours: (f64, u32),
}

fn add(acc: &mut (f64, u32), v: Option<f64>) {
    if let Some(v) = v {
        acc.0 += v;
        acc.1 += 1;
    }
}

/// The weekly means of the diary: for each week (to each of [`week_ends`]) the mean sleep
/// quality, sleep hours, stress and attack hours over the days that record them.
pub struct WeeklyMeans {
    pub sleep_quality: Vec<Point>,
    pub sleep_hours: Vec<Point>,
    pub stress: Vec<Point>,
    pub attack_hours: Vec<Point>,
}

pub fn weekly_means(days: &[DayFacts]) -> WeeklyMeans {
    let ends = week_ends(days);
    let mut weeks = vec![WeekSums::default(); ends.len()];
    if let Some(last) = days.last() {
        for d in days {
            // Week 0 is the latest; `weeks` runs oldest first.
            let back = ((last.day - d.day).num_days() / 7) as usize;
            let Some(w) = weeks
                .len()
                .checked_sub(back + 1)
                .and_then(|i| weeks.get_mut(i))
            else {
                continue;
            };
            add(&mut w.sleep_quality, d.sleep_quality.map(f64::from));
            add(&mut w.sleep_hours, d.sleep_hours);
            add(&mut w.stress, d.stress.map(f64::from));
            if d.headache {
                add(&mut w.hours, d.hours);
            }
        }
    }
    let series = |pick: fn(&WeekSums) -> (f64, u32)| -> Vec<Point> {
        ends.iter()
            .zip(&weeks)
            .filter_map(|(end, w)| {
                let (sum, n) = pick(w);
                (n > 0).then(|| Point {
                    date: end.to_string(),
                    value: r1(sum / f64::from(n)),
                })
            })
            .collect()
    };
    WeeklyMeans {
        sleep_quality: series(|w| w.sleep_quality),
        sleep_hours: series(|w| w.sleep_hours),
        stress: series(|w| w.stress),
        attack_hours: series(|w| w.hours),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::diary_facts::{DayFacts, med_bit};
    use crate::domain::vocab::AcuteMedKind;

    fn d(s: &str) -> NaiveDate {
        date(s).unwrap_or_default()
    }

    /// Consecutive days from `first`, each a headache when `ache(i)`, with peak 6 and 4 hours.
    fn run(first: &str, n: i64, ache: impl Fn(i64) -> bool) -> Vec<DayFacts> {
        (0..n)
            .map(|i| {
                let h = ache(i);
                DayFacts {
                    headache: h,
                    peak: h.then_some(6),
                    hours: h.then_some(4.0),
                    ..DayFacts::on(d(first) + Duration::days(i))
                }
            })
            .collect()
    }

    fn without(mut days: Vec<DayFacts>, gone: &[&str]) -> Vec<DayFacts> {
        days.retain(|x| !gone.contains(&x.day.to_string().as_str()));
        days
    }

    #[test]
    fn thirty_days_are_covered_from_24_recorded() {
        // 1–30 Sep, six days missing: 24 recorded, covered.
        let all = run("2026-09-01", 30, |i| i % 3 == 0); // 10 headache days
        let gone = [
            "2026-09-02",
            "2026-09-03",
            "2026-09-05",
            "2026-09-06",
            "2026-09-08",
            "2026-09-09",
        ];
        let days = without(all.clone(), &gone);
        let w = window(&days, d("2026-09-30"));
        assert_eq!((w.recorded, w.headache_days), (24, 10));
        assert!(w.covered());
        // 10 / 24 × 30 = 12.5: rounded up to 13.
        assert_eq!(w.headache_days_per_30(), 13);
        assert_eq!(
            w.coverage_text(),
            "24 of 30 days recorded (1 Sep – 30 Sep 2026)"
        );
        // One more missing: 23 of 30, not covered, and nothing else in the diary is.
        let fewer = without(days, &["2026-09-30"]);
        let w = window(&fewer, d("2026-09-30"));
        assert_eq!(w.recorded, 23);
        assert!(!w.covered());
        assert_eq!(first_covered(&fewer), None);
        assert_eq!(last_covered(&fewer), None);
        // All 30: 10 headache days are 10 per 30.
        assert_eq!(window(&all, d("2026-09-30")).headache_days_per_30(), 10);
    }

    #[test]
    fn the_first_and_last_covered_periods_start_and_end_on_recorded_days() {
        // Two scattered days in August, then every day from 1 Sep to 15 Nov.
        let mut days = vec![DayFacts::on(d("2026-08-03")), DayFacts::on(d("2026-08-10"))];
        days.extend(run("2026-09-01", 76, |i| i < 12));
        // 10 Aug – 8 Sep holds 1 + 8 = 9 days; the first covered start is 1 Sep.
        let first = first_covered(&days).unwrap();
        assert_eq!((first.from, first.to), (d("2026-09-01"), d("2026-09-30")));
        assert_eq!(first.headache_days_per_30(), 12);
        assert_eq!(first.mean_peak(), Some(6.0));
        let last = last_covered(&days).unwrap();
        assert_eq!((last.from, last.to), (d("2026-10-17"), d("2026-11-15")));
        assert_eq!(last.headache_days_per_30(), 0);
    }

    fn intake(on: &str, days: u8) -> Intake {
        Intake {
            id: on.into(),
            client_id: "c".into(),
            is_baseline: false,
            assessed_on: on.into(),
            headache_type: None,
            physician_diagnosed: false,
            headache_days: days,
            migraine_days: None,
            usual_intensity: 7,
            worst_intensity: None,
            usual_duration_hours: None,
            acute_med_days: None,
            acute_med_kinds: vec![],
            triggers: vec![],
            trigger_notes: String::new(),
            pain_sites: vec![],
            symptoms: vec![],
            sleep_quality: None,
            sleep_hours: None,
            stress: None,
            red_flags: vec![],
            goals: String::new(),
            notes: String::new(),
            recorded_by: String::new(),
            recorded_at: String::new(),
            medication_overuse: None,
            acknowledgement: None,
        }
    }

    #[test]
    fn a_diary_that_starts_later_keeps_the_intake_as_baseline() {
        // Intake on 1 Sep (12 days); diary 1 Sep – 30 Nov, headaches every 6th day (5 / 30).
        let i = intake("2026-09-01", 12);
        let days = run("2026-09-01", 91, |k| k % 6 == 0);
        let (b, l) = baseline_and_latest(&[&i], &days);
        let b = b.unwrap();
        let l = l.unwrap();
        // The diary starts on the intake's day, not before it: the intake is the baseline.
        assert_eq!((b.source, b.headache_days), (Source::Intake, 12));
        assert_eq!(b.source_text, "from the intake of 1 Sep 2026");
        assert_eq!((l.source, l.headache_days), (Source::Diary, 5));
        assert_eq!(l.from, "2026-11-01");
        assert_eq!(
            l.source_text,
            "from the diary, 30 of 30 days recorded (1 Nov – 30 Nov 2026)"
        );
    }

    #[test]
    fn a_diary_from_before_the_intake_is_the_baseline_and_its_last_30_days_the_latest() {
        // Diary from 1 Aug: 15 headache days in its first 30, none after; intake on 5 Aug.
        let i = intake("2026-08-05", 20);
        let days = run("2026-08-01", 90, |k| k < 30 && k % 2 == 0);
        let (b, l) = baseline_and_latest(&[&i], &days);
        let (b, l) = (b.unwrap(), l.unwrap());
        assert_eq!(
            (b.source, b.headache_days, b.since()),
            (Source::Diary, 15, "2026-08-01")
        );
        assert_eq!(
            (l.source, l.headache_days, l.to.as_str()),
            (Source::Diary, 0, "2026-10-29")
        );
        // A later intake is the latest instead: it is newer than the diary.
        let later = intake("2026-11-02", 3);
        let (_, l) = baseline_and_latest(&[&i, &later], &days);
        assert_eq!(
            l.map(|l| (l.source, l.headache_days)),
            Some((Source::Intake, 3))
        );
        // On the diary's last day, the diary wins.
        let same = intake("2026-10-29", 3);
        let (_, l) = baseline_and_latest(&[&i, &same], &days);
        assert_eq!(l.map(|l| l.source), Some(Source::Diary));
    }

    #[test]
    fn overlapping_periods_are_one_figure() {
        // 45 days of diary and no intake: the first and last 30 overlap, so only a baseline.
        let days = run("2026-09-01", 45, |k| k % 3 == 0);
        let (b, l) = baseline_and_latest(&[], &days);
        assert_eq!(b.map(|b| b.to), Some("2026-09-30".to_owned()));
        assert_eq!(l, None);
        // 60 days: two periods that do not overlap.
        let days = run("2026-09-01", 60, |k| k % 3 == 0);
        let (_, l) = baseline_and_latest(&[], &days);
        assert_eq!(l.map(|l| l.from), Some("2026-10-01".to_owned()));
        // No diary covered and no intake: nothing.
        assert_eq!(baseline_and_latest(&[], &days[..23]), (None, None));
    }

    #[test]
    fn weekly_means_count_each_week_back_from_the_latest_day() {
        // 6–15 Nov: weeks back from 15 Nov, to 8 Nov (6–8 Nov) and to 15 Nov (9–15 Nov).
        let mut days = run("2026-11-06", 10, |k| k >= 7);
        for (k, x) in days.iter_mut().enumerate() {
            x.sleep_quality = Some(k as u8); // 0..9
            x.stress = (k % 2 == 0).then_some(8);
            x.meds = if k == 9 {
                med_bit(AcuteMedKind::Triptan)
            } else {
                0
            };
        }
        let m = weekly_means(&days);
        let dates: Vec<&str> = m.sleep_quality.iter().map(|p| p.date.as_str()).collect();
        assert_eq!(dates, ["2026-11-08", "2026-11-15"]);
        // (0+1+2)/3, (3+…+9)/7
        let values: Vec<f64> = m.sleep_quality.iter().map(|p| p.value).collect();
        assert_eq!(values, [1.0, 6.0]);
        assert_eq!(m.stress.len(), 2);
        // Attack hours only from the headache days (13–15 Nov).
        assert_eq!(m.attack_hours.len(), 1);
        assert_eq!(m.attack_hours[0].value, 4.0);
        assert!(m.sleep_hours.is_empty());
        // No week of the headache chart is covered by 10 days.
        assert_eq!(headache_series(&days), (vec![], vec![]));
    }

    #[test]
    fn the_diary_in_words() {
        assert_eq!(diary_text(&[]), None);
        let days = run("2026-11-01", 10, |_| false);
        assert!(
            diary_text(&days)
                .unwrap()
                .starts_with("The diary holds 10 days, but no 30 days with 24 of them recorded")
        );
        let mut days = run("2026-11-01", 28, |k| k % 4 == 0); // 7 headache days
        days[0].meds = med_bit(AcuteMedKind::Triptan);
        assert_eq!(
            diary_text(&days).unwrap(),
            // 7 / 28 × 30 = 7.5 → 8; 1 / 28 × 30 = 1.07 → 1
            "From the diary, 28 of 30 days recorded (30 Oct – 28 Nov 2026): 8 headache days per \
             30 days, mean peak intensity 6 / 10, attacks of 4 hours on average, acute \
             medication on 1 day per 30 days."
        );
    }
}
