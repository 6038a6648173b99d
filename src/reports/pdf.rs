//! The PDF client summary, which doubles as a referral letter to the client's physician:
//! the clinic letterhead, the client, baseline and latest intake, red flags and what was
//! done about them, techniques used and how often, the outcome chart, and the last plan.
//!
//! Layout is ours (measure with rustybuzz, wrap, place); drawing is krilla's. The font is
//! the bundled DejaVu Sans, so a PDF looks the same on every machine; characters it lacks
//! (a Chinese or Devanagari name, an emoji) come from the fonts installed (`fonts`).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};

use crate::Store;
use crate::domain::clinic_settings::ClinicSettings;
use crate::domain::diary_facts::Source;
use crate::domain::intake::Intake;
use crate::domain::sessions::{SessionStatus, SessionSummary};
use crate::error::{Error, Result};
use crate::reports::fonts::{self, Weight};
use crate::reports::outcomes::ClientOutcomes;
use crate::reports::outcomes::count_of;

const PAGE_W: f32 = 595.28; // A4 in points
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN - 24.0; // room for the footer
const INK: (u8, u8, u8) = (0x1f, 0x29, 0x33);
const MUTED: (u8, u8, u8) = (0x5b, 0x66, 0x70);
const ACCENT: (u8, u8, u8) = (0x2f, 0x6f, 0x8f);
const WARN: (u8, u8, u8) = (0xa1, 0x2c, 0x1c);

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        text: String,
    },
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        color: (u8, u8, u8),
        dashed: bool,
    },
    Dot {
        x: f32,
        y: f32,
        r: f32,
        color: (u8, u8, u8),
    },
}

/// Width of `text` in points, as drawn (each character in a font that has it).
fn measure(text: &str, size: f32, weight: Weight) -> f32 {
    fonts::advance(text, weight).unwrap_or_else(|| text.chars().count() as f32 * 0.6) * size
}

/// Break `text` into lines no wider than `width`; long words are split.
fn wrap(text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if measure(&candidate, size, weight) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A single word wider than the line: split it by characters.
            let mut piece = String::new();
            for ch in word.chars() {
                piece.push(ch);
                if measure(&piece, size, weight) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(ch);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// Places text top to bottom across as many pages as it needs.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
    /// A paragraph's line height, as a multiple of its type size.
    leading: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: MARGIN,
            leading: 1.4,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text_at(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        text: &str,
    ) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            weight,
            color,
            text: text.to_owned(),
        });
    }

    fn paragraph(
        &mut self,
        text: &str,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        indent: f32,
    ) {
        let leading = size * self.leading;
        for line in wrap(text, size, weight, TEXT_W - indent) {
            self.ensure(leading);
            self.y += size;
            let y = self.y;
            self.text_at(MARGIN + indent, y, size, weight, color, &line);
            self.y += leading - size;
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(48.0);
        self.y += 14.0;
        self.paragraph(text, 12.5, Weight::Bold, ACCENT, 0.0);
        self.y += 2.0;
    }

    /// "Label: value" with the label in bold.
    fn field(&mut self, label: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        let size = 10.0;
        let label = format!("{label}: ");
        let lw = measure(&label, size, Weight::Bold);
        let lines = wrap(value, size, Weight::Regular, TEXT_W - lw);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(size * 1.4);
            self.y += size;
            let y = self.y;
            if i == 0 {
                self.text_at(MARGIN, y, size, Weight::Bold, INK, &label);
            }
            self.text_at(MARGIN + lw, y, size, Weight::Regular, INK, line);
            self.y += size * 0.4;
        }
    }

    fn rule(&mut self) {
        self.y += 8.0;
        let y = self.y;
        self.ops().push(Op::Line {
            points: vec![(MARGIN, y), (PAGE_W - MARGIN, y)],
            width: 0.6,
            color: MUTED,
            dashed: false,
        });
        self.y += 8.0;
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }
}

fn pretty(date: &str) -> String {
    let day = date.get(..10).unwrap_or(date);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| date.to_owned())
}

fn intake_lines(l: &mut Layout, title: &str, i: &Intake) {
    l.paragraph(
        &format!("{title} — {}", pretty(&i.assessed_on)),
        10.5,
        Weight::Bold,
        INK,
        0.0,
    );
    if let Some(t) = i.headache_type {
        let dx = if i.physician_diagnosed {
            " (diagnosed by a physician)"
        } else {
            ""
        };
        l.field("Headache type", &format!("{}{dx}", t.label()));
    }
    let migraine = i
        .migraine_days
        .map(|m| format!(", of which {m} with migraine"))
        .unwrap_or_default();
    l.field(
        "Headache days",
        &format!("{} in the last 30 days{migraine}", i.headache_days),
    );
    let worst = i
        .worst_intensity
        .map(|w| format!("; worst {w}/10"))
        .unwrap_or_default();
    l.field(
        "Intensity",
        &format!("usually {}/10{worst}", i.usual_intensity),
    );
    if let Some(h) = i.usual_duration_hours {
        l.field(
            "Usual attack duration",
            &format!("{h} {}", if h == 1.0 { "hour" } else { "hours" }),
        );
    }
    if let Some(d) = i.acute_med_days {
        let kinds: Vec<&str> = i.acute_med_kinds.iter().map(|k| k.label()).collect();
        l.field(
            "Acute medication",
            &format!(
                "{} in the last 30 ({})",
                count_of(usize::from(d), "day", "days"),
                kinds.join(", ")
            ),
        );
    }
    if !i.triggers.is_empty() {
        let t: Vec<&str> = i.triggers.iter().map(|t| t.label()).collect();
        l.field("Triggers", &t.join(", "));
    }
    if let Some(s) = i.sleep_quality {
        let hours = i
            .sleep_hours
            .map(|h| format!(", about {h} hours a night"))
            .unwrap_or_default();
        l.field("Sleep quality", &format!("{s}/10{hours}"));
    }
    if let Some(s) = i.stress {
        l.field("Stress", &format!("{s}/10"));
    }
    l.gap(4.0);
}

/// The plot's height in points, at most and at least; and what the chart needs around it
/// (its title above, the date labels below).
const CHART_FULL_H: f32 = 130.0;
const CHART_MIN_H: f32 = 90.0;
const CHART_FRAME: f32 = 44.0;

/// Whether the chart fits in what is left of the page (at its shortest, after its gap).
fn chart_fits(l: &Layout) -> bool {
    BOTTOM - l.y - 10.0 - CHART_FRAME >= CHART_MIN_H
}

/// A line chart of headache days per 30 days over time, the baseline dashed.
///
/// The chart follows the text on the same page: when the page has less room left than the
/// full height it is drawn shorter (down to [`CHART_MIN_H`]) rather than moved to the next
/// page, which would leave the rest of this one blank.
fn chart(l: &mut Layout, o: &ClientOutcomes) {
    let room = BOTTOM - l.y - CHART_FRAME;
    let h = if room >= CHART_MIN_H {
        room.min(CHART_FULL_H)
    } else {
        l.ensure(CHART_FULL_H + CHART_FRAME);
        CHART_FULL_H
    };
    let w = TEXT_W - 40.0;
    let (x0, y0) = (MARGIN + 32.0, l.y + 22.0);
    let points = &o.headache_days;
    // The baseline counts too: from the diary, the points may all lie below an intake's
    // baseline, whose line must still fall inside the chart.
    let max = points
        .iter()
        .map(|p| p.value)
        .chain(o.baseline_headache_days.map(f64::from))
        .fold(5.0_f64, f64::max);
    // Round the top up to a multiple of 10 so the mid tick is a whole number.
    let top = ((max / 10.0).ceil() * 10.0).max(10.0) as f32;
    let days: Vec<f32> = points
        .iter()
        .map(|p| {
            NaiveDate::parse_from_str(&p.date, "%Y-%m-%d")
                .map(|d| d.num_days_from_ce() as f32)
                .unwrap_or(0.0)
        })
        .collect();
    let (first, last) = (
        days.iter().copied().fold(f32::MAX, f32::min),
        days.iter().copied().fold(f32::MIN, f32::max),
    );
    let span = (last - first).max(1.0);
    let px = |d: f32| {
        if points.len() < 2 {
            x0 + w / 2.0
        } else {
            x0 + (d - first) / span * w
        }
    };
    let py = |v: f32| y0 + h - v / top * h;
    // axes and grid
    for tick in [0.0, top / 2.0, top] {
        let y = py(tick);
        l.ops().push(Op::Line {
            points: vec![(x0, y), (x0 + w, y)],
            width: 0.4,
            color: (0xd0, 0xd6, 0xdb),
            dashed: false,
        });
        l.text_at(
            MARGIN,
            y + 3.0,
            8.0,
            Weight::Regular,
            MUTED,
            &format!("{tick:.0}"),
        );
    }
    if let Some(b) = o.baseline_headache_days {
        let y = py(f32::from(b));
        l.ops().push(Op::Line {
            points: vec![(x0, y), (x0 + w, y)],
            width: 1.0,
            color: MUTED,
            dashed: true,
        });
        l.text_at(
            x0 + w - 70.0,
            y - 4.0,
            8.0,
            Weight::Regular,
            MUTED,
            &format!("baseline {b}"),
        );
    }
    let line: Vec<(f32, f32)> = points
        .iter()
        .zip(&days)
        .map(|(p, d)| (px(*d), py(p.value as f32)))
        .collect();
    if line.len() > 1 {
        l.ops().push(Op::Line {
            points: line.clone(),
            width: 1.8,
            color: ACCENT,
            dashed: false,
        });
    }
    for (x, y) in &line {
        l.ops().push(Op::Dot {
            x: *x,
            y: *y,
            r: 2.6,
            color: ACCENT,
        });
    }
    let label_y = y0 + h + 12.0;
    if let (Some(f), Some(la)) = (points.first(), points.last()) {
        l.text_at(x0, label_y, 8.0, Weight::Regular, MUTED, &pretty(&f.date));
        if points.len() > 1 {
            let t = pretty(&la.date);
            let tw = measure(&t, 8.0, Weight::Regular);
            l.text_at(x0 + w - tw, label_y, 8.0, Weight::Regular, MUTED, &t);
        }
    }
    l.text_at(
        MARGIN,
        y0 - 12.0,
        8.5,
        Weight::Bold,
        MUTED,
        if o.headache_source == Source::Diary {
            "Headache days per 30 days (from the diary: the 30 days to each week's end)"
        } else {
            "Headache days per 30 days"
        },
    );
    l.y = label_y + 10.0;
}

impl Store {
    /// The client summary and referral letter as PDF bytes.
    pub fn client_summary_pdf(&self, client_id: &str) -> Result<Vec<u8>> {
        let client = self.get_client(client_id)?;
        let settings = self.clinic_settings()?;
        let intakes = self.list_intakes(&client.id)?; // newest first
        let sessions: Vec<SessionSummary> = self.list_sessions(&client.id)?;
        let outcomes = self.client_outcomes(&client.id)?;
        let signed: Vec<&SessionSummary> = sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Signed)
            .collect();
        let f = &client.fields;
        let name = format!("{} {}", f.first_name, f.last_name);

        let mut l = Layout::new();
        let clinic = letterhead(&mut l, &settings, &pretty(&self.today().to_string()));

        if !f.physician_name.is_empty() {
            l.paragraph(
                &format!("To: {}", f.physician_name),
                10.5,
                Weight::Regular,
                INK,
                0.0,
            );
            if !f.physician_contact.is_empty() {
                l.paragraph(&f.physician_contact, 10.0, Weight::Regular, MUTED, 0.0);
            }
            l.gap(6.0);
        }
        let born = f
            .date_of_birth
            .as_deref()
            .map(|d| format!(", born {}", pretty(d)))
            .unwrap_or_default();
        l.paragraph(
            &format!("Client summary: {name}{born}"),
            14.0,
            Weight::Bold,
            INK,
            0.0,
        );
        l.gap(4.0);
        let since = outcomes
            .baseline_date
            .as_deref()
            .map(|d| format!(" since {}", pretty(d)))
            .unwrap_or_default();
        let intro = if signed.is_empty() {
            format!(
                "No session note for {} is signed yet{}. This summary is shared to support an integrated plan of care.",
                f.first_name,
                if intakes.is_empty() {
                    ""
                } else {
                    "; it shows the symptom intake recorded so far"
                }
            )
        } else {
            format!(
                "{} has been receiving massage therapy for headache-related muscle tension{since}: {} on record. This summary is shared to support an integrated plan of care.",
                f.first_name,
                count_of(signed.len(), "signed session note", "signed session notes")
            )
        };
        l.paragraph(&intro, 10.0, Weight::Regular, INK, 0.0);
        if !f.medications_preventive.is_empty() || !f.medications_acute.is_empty() {
            l.gap(4.0);
            l.field("Preventive medication", &f.medications_preventive);
            l.field("Acute medication", &f.medications_acute);
        }

        l.heading("Headache profile");
        match (intakes.last(), intakes.first()) {
            (Some(base), Some(latest)) if base.id != latest.id => {
                intake_lines(&mut l, "Baseline intake", base);
                intake_lines(&mut l, "Latest re-assessment", latest);
            }
            (Some(base), _) => intake_lines(&mut l, "Baseline intake", base),
            _ => l.paragraph(
                "No symptom intake has been recorded yet.",
                10.0,
                Weight::Regular,
                MUTED,
                0.0,
            ),
        }

        l.heading("Red flags");
        let flagged: Vec<&Intake> = intakes.iter().filter(|i| !i.red_flags.is_empty()).collect();
        if flagged.is_empty() {
            l.paragraph("None recorded.", 10.0, Weight::Regular, INK, 0.0);
        }
        for i in flagged {
            let labels: Vec<&str> = i.red_flags.iter().map(|r| r.label()).collect();
            l.paragraph(
                &format!("{}: {}", pretty(&i.assessed_on), labels.join("; ")),
                10.0,
                Weight::Bold,
                WARN,
                0.0,
            );
            match &i.acknowledgement {
                Some(a) => l.paragraph(
                    &format!(
                        "Acknowledged by {} on {}: {}",
                        a.acknowledged_by_name,
                        pretty(&a.acknowledged_at),
                        a.referral_note
                    ),
                    10.0,
                    Weight::Regular,
                    INK,
                    12.0,
                ),
                None => l.paragraph(
                    "Not yet acknowledged: treatment waits for a physician's review.",
                    10.0,
                    Weight::Regular,
                    WARN,
                    12.0,
                ),
            }
        }

        l.heading("Techniques used");
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for s in &signed {
            for t in &s.technique_names {
                *counts.entry(t.clone()).or_default() += 1;
            }
        }
        if counts.is_empty() {
            l.paragraph("No signed sessions yet.", 10.0, Weight::Regular, MUTED, 0.0);
        }
        let mut by_use: Vec<(String, u32)> = counts.into_iter().collect();
        by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (t, n) in by_use {
            l.paragraph(
                &format!("{t} — {}", count_of(n as usize, "session", "sessions")),
                10.0,
                Weight::Regular,
                INK,
                0.0,
            );
        }

        l.heading("Outcome");
        l.paragraph(&outcomes.summary, 10.0, Weight::Regular, INK, 0.0);
        if let Some(diary) = &outcomes.diary_text {
            l.paragraph(diary, 10.0, Weight::Regular, INK, 0.0);
        }
        // Sleep, stress and attack duration, as the history's charts say them in words;
        // only those with something recorded.
        for t in outcomes
            .trends
            .iter()
            .filter(|t| t.series.iter().any(|s| !s.points.is_empty()))
        {
            l.field(&t.title, &t.summary);
        }
        if let Some(change) = &outcomes.pain_change_text {
            l.paragraph(
                &format!(
                    "Pain within sessions: {change}, over {} (0-10 scale).",
                    count_of(outcomes.session_pain.len(), "session", "sessions")
                ),
                10.0,
                Weight::Regular,
                INK,
                0.0,
            );
        }
        for note in [&outcomes.corrections_note, &outcomes.diary_corrections_note]
            .into_iter()
            .flatten()
        {
            l.paragraph(note, 9.0, Weight::Regular, MUTED, 0.0);
        }
        // The chart follows the outcome text when the page has room for it, even drawn
        // shorter; when it has not, the (short) latest plan fills that room first and the
        // chart opens the next page, so no quarter of a page is left blank.
        let draw_chart = !outcomes.headache_days.is_empty();
        let chart_now = draw_chart && chart_fits(&l);
        if chart_now {
            l.gap(10.0);
            chart(&mut l, &outcomes);
        }

        let midas = self.list_midas(&client.id)?; // oldest first
        if let (Some(first), Some(latest)) = (midas.first(), midas.last()) {
            l.heading("Migraine disability (MIDAS)");
            l.paragraph(
                &format!(
                    "Latest MIDAS ({}): score {}, {}.",
                    pretty(&latest.answered_on),
                    latest.score,
                    latest.grade_label
                ),
                10.0,
                Weight::Regular,
                INK,
                0.0,
            );
            if midas.len() > 1 {
                let change = i32::from(latest.score) - i32::from(first.score);
                let words = match change {
                    0 => "unchanged".to_owned(),
                    c if c < 0 => format!("{} points lower", -c),
                    c => format!("{c} points higher"),
                };
                l.paragraph(
                    &format!(
                        "Since the first ({}): score {}, {}; {words} ({} questionnaires).",
                        pretty(&first.answered_on),
                        first.score,
                        first.grade_label,
                        midas.len()
                    ),
                    10.0,
                    Weight::Regular,
                    INK,
                    0.0,
                );
            }
            l.paragraph(
                "Scored over the last 3 months: grade I 0-5, II 6-10, III 11-20, IV 21 and over.",
                9.0,
                Weight::Regular,
                MUTED,
                0.0,
            );
        }

        let plan = self.care_plan_of(&client.id, &intakes, &sessions)?;
        if let Some(p) = &plan.plan {
            l.heading("Care plan");
            l.field(
                "Frequency",
                &format!("{} from {}", p.frequency, pretty(&p.starts_on)),
            );
            if let Some(a) = &plan.adherence {
                l.field("Adherence", &a.summary);
            }
            if let Some(d) = &p.next_reassessment_on {
                l.field("Next re-assessment", &pretty(d));
            }
            if !p.goals.is_empty() {
                l.field("Goals", &p.goals);
            }
        }

        l.heading("Latest plan");
        match signed.first() {
            Some(s) => {
                let plan = self.get_session(&s.id)?.plan;
                l.paragraph(
                    &format!("From the session of {}:", pretty(&s.started_at)),
                    10.0,
                    Weight::Regular,
                    MUTED,
                    0.0,
                );
                l.paragraph(
                    if plan.is_empty() {
                        "No plan was written."
                    } else {
                        &plan
                    },
                    10.0,
                    Weight::Regular,
                    INK,
                    0.0,
                );
            }
            None => l.paragraph("No signed sessions yet.", 10.0, Weight::Regular, MUTED, 0.0),
        }
        if draw_chart && !chart_now {
            l.gap(14.0);
            chart(&mut l, &outcomes);
        }
        // The person by name and credentials ("Robin Lee, RMT"), not by their login.
        let preparer = self
            .get_user(self.actor())?
            .map_or_else(|| self.actor().to_owned(), |u| u.name_with_credentials);
        l.gap(18.0);
        l.paragraph(
            &format!("Prepared by {preparer} for {clinic}."),
            10.0,
            Weight::Regular,
            INK,
            0.0,
        );

        render(l.pages, &name)
    }
}

/// The clinic letterhead: its name, address and phone, today's date at the right, a rule.
/// Returns the clinic's name as shown.
fn letterhead<'a>(l: &mut Layout, settings: &'a ClinicSettings, today: &str) -> &'a str {
    let clinic = if settings.name.is_empty() {
        "Massage therapy clinic"
    } else {
        settings.name.as_str()
    };
    l.paragraph(clinic, 16.0, Weight::Bold, ACCENT, 0.0);
    let contact = [settings.address.replace('\n', ", "), settings.phone.clone()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    if !contact.is_empty() {
        l.paragraph(&contact, 9.5, Weight::Regular, MUTED, 0.0);
    }
    let tw = measure(today, 9.5, Weight::Regular);
    l.text_at(
        PAGE_W - MARGIN - tw,
        MARGIN + 14.0,
        9.5,
        Weight::Regular,
        MUTED,
        today,
    );
    l.rule();
    clinic
}

/// The handout's body type: large and readable (at least 14 pt).
const HANDOUT_BODY: f32 = 14.0;

impl Store {
    /// The one-page client handout of a note's home care, as PDF bytes: the clinic
    /// letterhead, the client's name, the session's date, and each item chosen with its
    /// instructions and the personal line, in large type.
    pub fn home_care_handout_pdf(&self, session_id: &str) -> Result<Vec<u8>> {
        let note = self.get_session(session_id)?;
        if note.home_care.is_empty() {
            return Err(Error::field(
                "home_care",
                "Choose at least one home-care item before printing the handout.",
            ));
        }
        let client = self.get_client(&note.client_id)?;
        let settings = self.clinic_settings()?;
        let f = &client.fields;
        let name = format!("{} {}", f.first_name, f.last_name);
        let shown = if f.preferred_name.trim().is_empty() {
            name.clone()
        } else {
            format!("{} {}", f.preferred_name.trim(), f.last_name)
        };
        let date = pretty(note.started_at.get(..10).unwrap_or(&note.started_at));

        // The roomiest spacing that keeps the handout on one page (the type stays large:
        // only the space between items shrinks).
        let mut pages = Vec::new();
        for (space, leading) in [(1.0, 1.4), (0.6, 1.35), (0.3, 1.25)] {
            let l = handout_layout(&settings, &date, &shown, &note.home_care, space, leading);
            pages = l.pages;
            if pages.len() == 1 {
                break;
            }
        }
        render(pages, &name)
    }
}

/// The handout's page(s), with `space` (0–1) of the usual room between its parts and lines
/// `leading` times the type size apart.
fn handout_layout(
    settings: &ClinicSettings,
    date: &str,
    shown: &str,
    items: &[crate::domain::home_care::SessionHomeCare],
    space: f32,
    leading: f32,
) -> Layout {
    let mut l = Layout::new();
    l.leading = leading;
    letterhead(&mut l, settings, date);
    l.gap(6.0 * space);
    l.paragraph("Your home care", 22.0, Weight::Bold, INK, 0.0);
    l.gap(2.0);
    l.paragraph(
        &format!("For {shown} · from your session on {date}"),
        HANDOUT_BODY,
        Weight::Regular,
        MUTED,
        0.0,
    );
    for (n, item) in items.iter().enumerate() {
        l.gap(12.0 * space);
        l.paragraph(
            &format!("{}. {}", n + 1, item.title),
            16.0,
            Weight::Bold,
            ACCENT,
            0.0,
        );
        l.gap(2.0 * space);
        l.paragraph(&item.instructions, HANDOUT_BODY, Weight::Regular, INK, 0.0);
        if !item.personal_line.is_empty() {
            l.gap(2.0 * space);
            l.paragraph(
                &format!("For you: {}", item.personal_line),
                HANDOUT_BODY,
                Weight::Bold,
                INK,
                0.0,
            );
        }
    }
    l.gap(14.0 * space);
    l.paragraph(
        "Stop any exercise that causes pain, numbness or dizziness, and tell your therapist. Seek medical help for a sudden, severe or unusual headache.",
        12.0,
        Weight::Regular,
        MUTED,
        0.0,
    );
    l
}

fn paint(c: (u8, u8, u8)) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn render(pages: Vec<Vec<Op>>, client: &str) -> Result<Vec<u8>> {
    if !fonts::bundled_ok() {
        return Err(Error::internal("the bundled PDF font could not be loaded"));
    }
    let size =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| Error::internal("bad page size"))?;
    let mut doc = Document::new();
    let count = pages.len();
    for (n, ops) in pages.into_iter().enumerate() {
        let mut page = doc.start_page_with(size.clone());
        let mut s = page.surface();
        let footer = format!(
            "Confidential client information — {client} — page {} of {count}",
            n + 1
        );
        let footer_op = Op::Text {
            x: MARGIN,
            y: PAGE_H - MARGIN + 8.0,
            size: 8.0,
            weight: Weight::Regular,
            color: MUTED,
            text: footer,
        };
        for op in ops.iter().chain(std::iter::once(&footer_op)) {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    weight,
                    color,
                    text,
                } => {
                    s.set_fill(Some(Fill {
                        paint: paint(*color),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    let mut at = *x;
                    for run in fonts::shape_line(text, *weight) {
                        s.draw_glyphs(
                            Point::from_xy(at, *y),
                            &run.glyphs,
                            run.face.font.clone(),
                            &run.text,
                            *size,
                            false,
                        );
                        at += run.advance * size;
                    }
                }
                Op::Line {
                    points,
                    width,
                    color,
                    dashed,
                } => {
                    let mut pb = PathBuilder::new();
                    for (i, (x, y)) in points.iter().enumerate() {
                        if i == 0 {
                            pb.move_to(*x, *y);
                        } else {
                            pb.line_to(*x, *y);
                        }
                    }
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: paint(*color),
                            width: *width,
                            dash: dashed.then(|| StrokeDash {
                                array: vec![4.0, 3.0],
                                offset: 0.0,
                            }),
                            ..Default::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Op::Dot { x, y, r, color } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) =
                        krilla::geom::Rect::from_xywh(x - r, y - r, 2.0 * r, 2.0 * r)
                    {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        s.set_fill(Some(Fill {
                            paint: paint(*color),
                            opacity: NormalizedF32::ONE,
                            rule: Default::default(),
                        }));
                        s.draw_path(&path);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| Error::internal(format!("the PDF could not be written: {e:?}")))
}
