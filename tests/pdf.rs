//! The PDF client summary, read back as text with pdftotext (poppler-utils).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use std::process::Command;

use stillpoint::domain::clinic_settings::ClinicSettings;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::vocab::{HeadacheType, RedFlag};
use stillpoint::{ClientFields, Store};

fn the_summary_pdf_reads_back_with_everything_a_physician_needs(engine: Engine) {
    let place = Place::new(engine);
    let mut s = Store::open(
        place
            .options()
            .actor("Riya Patel, LMT")
            .clock(common::fixed_clock()),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    s.update_clinic_settings(&ClinicSettings {
        name: "Harbour Light Massage".into(),
        address: "4 Quay Street\nGalway".into(),
        phone: "+353 91 555 0100".into(),
    })
    .unwrap();
    let c = s
        .create_client(&ClientFields {
            first_name: "Zoë".into(),
            last_name: "O'Brien".into(),
            date_of_birth: Some("1988-04-02".into()),
            physician_name: "Dr Adaeze Okafor".into(),
            physician_contact: "Riverside Practice".into(),
            medications_acute: "Sumatriptan 50 mg".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let base = s
        .record_intake(
            &c,
            &IntakeInput {
                assessed_on: "2026-03-03".into(),
                headache_type: Some(HeadacheType::MigraineWithoutAura),
                physician_diagnosed: true,
                headache_days: Some(12.0),
                migraine_days: Some(6.0),
                usual_intensity: Some(7.0),
                red_flags: vec![RedFlag::WakesFromSleep],
                ..Default::default()
            },
        )
        .unwrap();
    s.acknowledge_red_flags(&base.id, "GP reviewed on 5 March; cleared for treatment.")
        .unwrap();
    s.record_intake(
        &c,
        &IntakeInput {
            assessed_on: "2026-11-20".into(),
            headache_days: Some(5.0),
            usual_intensity: Some(4.0),
            ..Default::default()
        },
    )
    .unwrap();
    let tp = "01900000-0000-7000-8000-000000000001";
    let scalp = "01900000-0000-7000-8000-000000000004";
    common::note(
        &mut s,
        &c,
        "2026-10-01T10:00:00Z",
        &[tp],
        6.0,
        3.0,
        "Weekly",
        true,
    );
    common::note(
        &mut s,
        &c,
        "2026-11-18T10:00:00Z",
        &[tp, scalp],
        5.0,
        3.0,
        "Fortnightly; chin tucks twice daily.",
        true,
    );

    let pdf = s.client_summary_pdf(&c).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let path = dir.path().join("summary.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(keep) = std::env::var("STILLPOINT_KEEP_PDF") {
        std::fs::copy(&path, keep).unwrap();
    }
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: make test installs it");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "Harbour Light Massage",
        "4 Quay Street, Galway",
        "To: Dr Adaeze Okafor",
        "Client summary: Zoë O'Brien, born 2 Apr 1988",
        "Baseline intake — 3 Mar 2026",
        "Latest re-assessment — 20 Nov 2026",
        "Migraine without aura (diagnosed by a physician)",
        "12 in the last 30 days, of which 6 with migraine",
        "Headache that wakes the client from sleep",
        "Acknowledged by Riya Patel, LMT",
        "Trigger point therapy — 2 sessions",
        "Scalp massage — 1 session",
        "12 → 5 headache days per 30 days since 3 Mar 2026: responder",
        "Pain within sessions: 2.5 points less pain after sessions (mean), over 2 sessions",
        "Headache days per 30 days",
        "baseline 12",
        "Fortnightly; chin tucks twice daily.",
        "Sumatriptan 50 mg",
        "page 1 of",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // The chart follows the text on page 1, not pushed to page 2 leaving page 1 part blank.
    let page_one = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", "-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let page_one = String::from_utf8(page_one.stdout).unwrap();
    for want in ["Outcome", "Headache days per 30 days", "baseline 12"] {
        assert!(
            page_one.contains(want),
            "{want:?} not on page 1:\n{page_one}"
        );
    }
    // only the client asked for, and nothing for a client that does not exist
    assert_eq!(
        s.client_summary_pdf("nope").unwrap_err().code,
        stillpoint::ErrorCode::NotFound
    );
}

fn a_new_client_with_nothing_recorded_still_gets_a_clear_pdf(engine: Engine) {
    let place = Place::new(engine);
    let mut s = Store::open(place.options()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = s
        .create_client(&ClientFields {
            first_name: "<img src=x onerror=alert(1)>".into(),
            last_name: "Ünal".into(),
            notes: "x".repeat(5000),
            ..Default::default()
        })
        .unwrap()
        .id;
    let pdf = s.client_summary_pdf(&c).unwrap();
    let path = dir.path().join("empty.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("<img src=x onerror=alert(1)> Ünal"));
    assert!(text.contains("No symptom intake has been recorded yet."));
    assert!(text.contains("No intake yet"));
    // Nothing signed: said plainly, not "0 signed session notes … receiving massage therapy".
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("No session note for"), "{flat}");
    assert!(flat.contains("is signed yet."), "{flat}");
    assert!(!flat.contains("0 signed session"), "{flat}");
    assert!(
        !flat.contains("has been receiving massage therapy"),
        "{flat}"
    );
}

/// A client's name prints in the script it is written in: Chinese and emoji, Devanagari and
/// Arabic come from the installed Noto fonts (DejaVu, bundled, has none of the first three),
/// shaped, right to left where the script is, and read back as the same characters.
fn names_in_every_script_print_and_read_back(engine: Engine) {
    let place = Place::new(engine);
    let mut s = Store::open(place.options()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let names = [
        ("王秀英", "Wang 😀🧘"),
        ("देवनागरी", "नाम"),
        ("مريم", "العلي"),
    ];
    let mut fonts_seen = String::new();
    for (n, (first, last)) in names.iter().enumerate() {
        let c = s
            .create_client(&ClientFields {
                first_name: (*first).into(),
                last_name: (*last).into(),
                ..Default::default()
            })
            .unwrap()
            .id;
        let path = dir.path().join(format!("name-{n}.pdf"));
        std::fs::write(&path, s.client_summary_pdf(&c).unwrap()).unwrap();
        if let Ok(keep) = std::env::var("STILLPOINT_KEEP_PDF") {
            std::fs::copy(&path, format!("{keep}-script-{n}.pdf")).unwrap();
        }
        let out = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is needed: make test installs it");
        assert!(out.status.success());
        // pdftotext marks right-to-left words with embedding marks (U+202B … U+202C) and
        // puts a colour emoji (a tall bitmap glyph) on a line of its own: compare without
        // the marks, with spaces for line ends.
        let text: String = String::from_utf8(out.stdout)
            .unwrap()
            .chars()
            .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}'))
            .collect();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let want = format!("Client summary: {first} {last}");
        assert!(text.contains(&want), "{want:?} not in:\n{text}");
        let fonts = Command::new("pdffonts").arg(&path).output().unwrap();
        fonts_seen.push_str(&String::from_utf8(fonts.stdout).unwrap());
    }
    // Each script drawn in a font that has it, embedded as a subset: DejaVu (Latin and
    // Arabic), Noto Sans CJK and Noto Sans Devanagari, and the colour emoji as a Type 3 font
    // of bitmaps. (With DejaVu alone, the old way, these were .notdef boxes.)
    for family in ["DejaVuSans", "NotoSansCJK", "NotoSansDevanagari", "Type 3"] {
        assert!(
            fonts_seen.contains(family),
            "no {family} font embedded:\n{fonts_seen}"
        );
    }
}

/// Whatever the length of what comes before it, the chart is not pushed to the next page
/// leaving the rest of the outcome's page blank: the page the outcome is on also holds the
/// chart or, when the chart does not fit, the latest plan.
fn the_chart_never_leaves_the_outcome_page_blank(engine: Engine) {
    let place = Place::new(engine);
    let mut s = Store::open(place.options().actor("riya").clock(common::fixed_clock())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = s
        .create_client(&ClientFields {
            first_name: "Zoë".into(),
            last_name: "O'Brien".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    for (date, days) in [("2026-03-03", 12.0), ("2026-11-20", 5.0)] {
        s.record_intake(
            &c,
            &IntakeInput {
                assessed_on: date.into(),
                headache_days: Some(days),
                usual_intensity: Some(6.0),
                ..Default::default()
            },
        )
        .unwrap();
    }
    common::note(
        &mut s,
        &c,
        "2026-11-18T10:00:00Z",
        &["01900000-0000-7000-8000-000000000001"],
        5.0,
        3.0,
        "Fortnightly; chin tucks twice daily.",
        true,
    );
    let path = dir.path().join("summary.pdf");
    let mut deferred = 0;
    for lines in 0..36 {
        s.update_client(
            &c,
            s.get_client(&c).unwrap().version,
            &ClientFields {
                first_name: "Zoë".into(),
                last_name: "O'Brien".into(),
                medications_preventive: (0..lines)
                    .map(|i| format!("Line {i} of a long list of preventive medication"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                ..Default::default()
            },
        )
        .unwrap();
        std::fs::write(&path, s.client_summary_pdf(&c).unwrap()).unwrap();
        let pages = pages_with_words(&path);
        let (words, lowest) = pages
            .iter()
            .find(|(words, _)| words.contains(&"Outcome".to_owned()))
            .unwrap_or_else(|| panic!("no Outcome heading with {lines} lines"));
        let page = words.join(" ");
        let chart_here = page.contains("Headache days per 30 days");
        let plan_here = page.contains("Latest plan");
        // Text ends at most 60 pt above where the footer's room begins (756 pt down).
        let blank = 756.0 - lowest;
        assert!(
            chart_here || plan_here || blank < 60.0,
            "with {lines} lines the outcome's page holds neither the chart nor the plan, and \
             {blank:.0} pt of it is blank:\n{page}"
        );
        if !chart_here {
            deferred += 1;
        }
    }
    assert!(
        deferred > 0,
        "some lengths leave no room for the chart: the plan fills it"
    );
}

/// Each page's words (the footer left out) and how far down its lowest one ends, in points,
/// from `pdftotext -bbox`.
fn pages_with_words(path: &std::path::Path) -> Vec<(Vec<String>, f64)> {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<page ")
        .skip(1)
        .map(|page| {
            let mut words = Vec::new();
            let mut lowest: f64 = 0.0;
            for w in page.split("<word ").skip(1) {
                let (tag, rest) = w.split_once('>').unwrap();
                let word = rest.split("</word>").next().unwrap().to_owned();
                let (top, bottom) = (attr(tag, "yMin"), attr(tag, "yMax"));
                if top > 770.0 {
                    continue; // the footer
                }
                lowest = lowest.max(bottom);
                words.push(word);
            }
            (words, lowest)
        })
        .collect()
}

crate::on_both_engines!(
    the_chart_never_leaves_the_outcome_page_blank,
    the_summary_pdf_reads_back_with_everything_a_physician_needs,
    a_new_client_with_nothing_recorded_still_gets_a_clear_pdf,
    names_in_every_script_print_and_read_back,
);
