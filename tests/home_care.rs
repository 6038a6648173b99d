//! Home care the client takes home: the library (seeded, edited, retired, never deleted,
//! kept by those who keep the technique catalogue), the items a note's plan gives the
//! client with a personal line each (saved with the draft, locked when signed), and the
//! one-page handout PDF, read back with pdftotext (poppler-utils).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use std::process::Command;

use stillpoint::domain::clinic_settings::ClinicSettings;
use stillpoint::domain::home_care::{HomeCareItemInput, SessionHomeCareInput, seeded};
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::domain::techniques::seeded::TRIGGER_POINT;
use stillpoint::error::ErrorCode;
use stillpoint::reports::export::ExportKind;
use stillpoint::security::users::Role;
use stillpoint::{ClientFields, Store};

fn count(store: &Store, table: &str) -> i64 {
    store
        .sql()
        .value(
            &format!("SELECT count(*) FROM {table}"),
            stillpoint::args![],
        )
        .unwrap()
}

fn refused(store: &Store, sql: &str, why: &str) {
    let err = store
        .sql()
        .execute(sql, stillpoint::args![])
        .expect_err(sql);
    assert_eq!(err.code, ErrorCode::Storage, "{sql}: {err:?}");
    assert!(err.message.contains(why), "{sql}: {}", err.message);
}

fn item(title: &str, instructions: &str) -> HomeCareItemInput {
    HomeCareItemInput {
        title: title.into(),
        instructions: instructions.into(),
    }
}

fn pick(id: &str, line: &str) -> SessionHomeCareInput {
    SessionHomeCareInput {
        item_id: id.into(),
        personal_line: line.into(),
    }
}

fn draft(home_care: Vec<SessionHomeCareInput>) -> SessionInput {
    SessionInput {
        started_at: "2026-11-23T08:30:00Z".into(),
        duration_minutes: Some(60.0),
        subjective: "Neck stiff after long screen days.".into(),
        plan: "Weekly for four weeks.".into(),
        pain_before: Some(6.0),
        pain_after: Some(3.0),
        techniques: vec![SessionTechniqueInput {
            technique_id: TRIGGER_POINT.into(),
            ..Default::default()
        }],
        home_care,
        ..Default::default()
    }
}

fn the_library_is_seeded_editable_audited_and_never_loses_an_item(engine: Engine) {
    let place = Place::new(engine);
    let mut s = place.open();
    let titles: Vec<String> = s
        .list_home_care_items(false)
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(
        titles,
        vec![
            "Chin tucks",
            "Neck and upper-trapezius stretch",
            "Noticing early signs of tension",
            "Posture breaks at a screen",
            "Self-release of the suboccipitals",
            "Sleep routine",
        ]
    );
    let release = s.get_home_care_item(seeded::SUBOCCIPITAL_RELEASE).unwrap();
    assert!(release.instructions.contains("tennis balls"), "{release:?}");

    let added = s
        .add_home_care_item(&item(
            "Jaw release",
            "Rest your tongue on the roof of your mouth and let your teeth part.",
        ))
        .unwrap();
    assert_eq!(added.times_used, 0);
    // A title cannot be taken twice, however it is typed.
    let dup = s
        .add_home_care_item(&item("  CHIN-tucks ", "Again"))
        .unwrap_err();
    assert_eq!(dup.field.as_deref(), Some("title"), "{dup:?}");
    // Every field is checked, by name, and nothing is written.
    let before = count(&s, "home_care_items");
    let e = s.add_home_care_item(&item("", "Something")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("title"));
    let e = s.add_home_care_item(&item("Walks", "  ")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("instructions"));
    let e = s
        .add_home_care_item(&item("Walks", &"word ".repeat(53)))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("instructions"));
    assert_eq!(count(&s, "home_care_items"), before);
    // Hostile text is kept as text.
    let hostile = "<script>alert(1)</script> '; DROP TABLE sessions; -- 🙂 שלום";
    let h = s.add_home_care_item(&item("Odd one", hostile)).unwrap();
    assert_eq!(s.get_home_care_item(&h.id).unwrap().instructions, hostile);

    let renamed = s
        .update_home_care_item(
            &added.id,
            &item(
                "Jaw release (tongue up)",
                "Rest your tongue up; let the teeth part.",
            ),
        )
        .unwrap();
    assert_eq!(renamed.title, "Jaw release (tongue up)");
    let e = s
        .update_home_care_item(&added.id, &item("Sleep routine", "x"))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("title"));
    s.set_home_care_item_retired(&added.id, true).unwrap();
    assert_eq!(s.list_home_care_items(false).unwrap().len(), 7);
    assert_eq!(s.list_home_care_items(true).unwrap().len(), 8);
    assert!(s.get_home_care_item(&added.id).unwrap().retired);
    s.set_home_care_item_retired(&added.id, false).unwrap();
    assert_eq!(s.list_home_care_items(false).unwrap().len(), 8);

    let actions: Vec<String> = s
        .sql()
        .all(
            "SELECT action FROM audit_log WHERE entity = 'home_care_item' AND entity_id = ?1 ORDER BY seq",
            stillpoint::args![added.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        actions,
        [
            "home_care.create",
            "home_care.update",
            "home_care.retire",
            "home_care.restore"
        ]
    );
    refused(
        &s,
        "DELETE FROM home_care_items",
        "home-care items are retired, never deleted",
    );
    assert_eq!(count(&s, "home_care_items"), 8);
}

fn the_library_is_kept_by_those_who_keep_the_technique_catalogue(engine: Engine) {
    let place = Place::new(engine);
    let mut therapist = Store::open_as(place.options(), Role::Therapist).unwrap();
    assert_eq!(therapist.list_home_care_items(false).unwrap().len(), 6);
    let e = therapist
        .add_home_care_item(&item("Walks", "A short walk each day."))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = therapist
        .set_home_care_item_retired(seeded::CHIN_TUCKS, true)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = therapist
        .update_home_care_item(seeded::CHIN_TUCKS, &item("Tucks", "x"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    assert_eq!(count(&therapist, "home_care_items"), 6);
    let mut manager = Store::open_as(place.options(), Role::Manager).unwrap();
    manager
        .add_home_care_item(&item("Walks", "A short walk each day."))
        .unwrap();
    let mut admin = Store::open_as(place.options(), Role::Administrator).unwrap();
    admin
        .set_home_care_item_retired(seeded::SLEEP_ROUTINE, true)
        .unwrap();
    assert_eq!(therapist.list_home_care_items(false).unwrap().len(), 6);
}

fn a_note_gives_home_care_with_a_personal_line_saved_with_the_draft_and_locked_when_signed(
    engine: Engine,
) {
    let (_place, mut s, ann) = common::store_with_ann_on(engine);
    let id = s.start_session(&ann).unwrap().id;
    let saved = s
        .save_session_draft(
            &id,
            &draft(vec![
                pick(seeded::CHIN_TUCKS, "Hold 5 s, 10 times, 3 times a day"),
                pick(
                    seeded::NECK_STRETCH,
                    "Hold 20 s each side, morning and evening",
                ),
            ]),
        )
        .unwrap();
    let lines: Vec<(&str, &str)> = saved
        .home_care
        .iter()
        .map(|h| (h.title.as_str(), h.personal_line.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("Chin tucks", "Hold 5 s, 10 times, 3 times a day"),
            (
                "Neck and upper-trapezius stretch",
                "Hold 20 s each side, morning and evening"
            ),
        ]
    );
    // What saving returned is what reading gives.
    assert_eq!(s.get_session(&id).unwrap().home_care, saved.home_care);
    assert_eq!(
        s.get_home_care_item(seeded::CHIN_TUCKS).unwrap().times_used,
        1
    );
    // Saving again replaces the list (one removed, the order kept as sent).
    let saved = s
        .save_session_draft(&id, &draft(vec![pick(seeded::NECK_STRETCH, "Hold 20 s")]))
        .unwrap();
    assert_eq!(saved.home_care.len(), 1);
    assert_eq!(count(&s, "session_home_care"), 1);

    // Bad input names the field and writes nothing.
    let version = s.get_session(&id).unwrap().version;
    let bad = [
        (draft(vec![pick("not-an-id", "")]), "home_care.0.item_id"),
        (
            draft(vec![pick("01900000-0000-7000-8000-0000000009ff", "")]),
            "home_care.0.item_id",
        ),
        (
            draft(vec![
                pick(seeded::CHIN_TUCKS, ""),
                pick(seeded::CHIN_TUCKS, ""),
            ]),
            "home_care.1.item_id",
        ),
        (
            draft(vec![pick(seeded::CHIN_TUCKS, "line one\nline two")]),
            "home_care.0.personal_line",
        ),
        (
            draft(vec![pick(seeded::CHIN_TUCKS, &"x".repeat(61))]),
            "home_care.0.personal_line",
        ),
        (
            draft(vec![
                pick(seeded::CHIN_TUCKS, ""),
                pick(seeded::NECK_STRETCH, ""),
                pick(seeded::SLEEP_ROUTINE, ""),
                pick(seeded::POSTURE_BREAKS, ""),
                pick(seeded::EARLY_SIGNS, ""),
            ]),
            "home_care",
        ),
    ];
    for (input, field) in bad {
        let e = s.save_session_draft(&id, &input).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }
    let after = s.get_session(&id).unwrap();
    assert_eq!(after.version, version);
    assert_eq!(after.home_care.len(), 1);

    // Hostile text in the personal line is kept as text.
    let hostile = "<b>20 s</b>'; DROP TABLE sessions; -- 🙂 مرحبا";
    s.save_session_draft(
        &id,
        &draft(vec![
            pick(seeded::CHIN_TUCKS, hostile),
            pick(seeded::SUBOCCIPITAL_RELEASE, "Two minutes before bed"),
        ]),
    )
    .unwrap();
    let signed = s.sign_session(&id).unwrap();
    assert_eq!(signed.home_care[0].personal_line, hostile);
    assert_eq!(
        signed.home_care[1].title,
        "Self-release of the suboccipitals"
    );
    // Signed: locked in the core and in the database.
    let e = s
        .save_session_draft(&id, &draft(vec![pick(seeded::SLEEP_ROUTINE, "")]))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    refused(
        &s,
        "DELETE FROM session_home_care",
        "a signed session note is locked",
    );
    refused(
        &s,
        "UPDATE session_home_care SET personal_line = 'changed'",
        "a signed session note is locked",
    );
    let e = s
        .sql()
        .execute(
            "INSERT INTO session_home_care (session_id, position, item_id, personal_line) VALUES (?1, 9, ?2, '')",
            stillpoint::args![id, seeded::SLEEP_ROUTINE],
        )
        .unwrap_err();
    assert!(
        e.message.contains("a signed session note is locked"),
        "{e:?}"
    );
    assert_eq!(s.get_session(&id).unwrap().home_care.len(), 2);
    // A retired item stays on the notes that gave it.
    s.set_home_care_item_retired(seeded::CHIN_TUCKS, true)
        .unwrap();
    assert_eq!(s.get_session(&id).unwrap().home_care[0].title, "Chin tucks");
}

fn pdftotext(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: make test installs it");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn pages(path: &std::path::Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().expect("pdfinfo");
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap()
}

fn the_handout_is_one_page_with_the_letterhead_the_client_and_the_items(engine: Engine) {
    let place = Place::new(engine);
    let mut s = Store::open(
        place
            .options()
            .actor("Riya Patel, LMT")
            .clock(common::fixed_clock()),
    )
    .unwrap();
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
            ..Default::default()
        })
        .unwrap()
        .id;
    let id = s.start_session(&c).unwrap().id;
    // No items: nothing to print, said on the field.
    let e = s.home_care_handout_pdf(&id).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("home_care"));
    s.save_session_draft(
        &id,
        &draft(vec![
            pick(seeded::CHIN_TUCKS, "Hold 5 s, 10 times, 3 times a day"),
            pick(
                seeded::NECK_STRETCH,
                "Hold 20 s each side, morning and evening",
            ),
            pick(seeded::SUBOCCIPITAL_RELEASE, "Two minutes before bed"),
            pick(seeded::POSTURE_BREAKS, "Set a timer for every 40 minutes"),
        ]),
    )
    .unwrap();
    s.sign_session(&id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        s.suggested_export_name(ExportKind::HandoutPdf, None, Some(&id))
            .unwrap(),
        "Zoë O-Brien - home care 2026-11-23.pdf"
    );
    let path = dir.path().join("handout.pdf");
    let e = s
        .export_to_file(ExportKind::HandoutPdf, None, None, &path, &mut |_| {})
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("session_id"));
    let report = s
        .export_to_file(ExportKind::HandoutPdf, None, Some(&id), &path, &mut |_| {})
        .unwrap();
    assert_eq!(report.records, 1);
    assert_eq!(pages(&path), 1, "the handout is one page");
    let text = pdftotext(&path);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Harbour Light Massage",
        "4 Quay Street, Galway",
        "Your home care",
        "For Zoë O'Brien",
        "23 Nov 2026",
        "1. Chin tucks",
        "Slide your chin straight back",
        "For you: Hold 5 s, 10 times, 3 times a day",
        "2. Neck and upper-trapezius stretch",
        "For you: Hold 20 s each side, morning and evening",
        "3. Self-release of the suboccipitals",
        "two tennis balls",
        "For you: Two minutes before bed",
        "4. Posture breaks at a screen",
        "For you: Set a timer for every 40 minutes",
    ] {
        assert!(flat.contains(want), "{want:?} not in the handout:\n{text}");
    }
    if let Ok(keep) = std::env::var("STILLPOINT_KEEP_HANDOUT") {
        std::fs::copy(&path, keep).unwrap();
    }

    // The most a note may give (four items, the longest instructions and personal lines)
    // still fits one page in the handout's large type.
    let long = "Sit tall, breathe slowly and move gently; ".repeat(8);
    let long = long[..long.char_indices().nth(260).map_or(long.len(), |(i, _)| i)].trim();
    let mut picks = Vec::new();
    for n in 1..=4 {
        let it = s
            .add_home_care_item(&item(&format!("Long exercise number {n}"), long))
            .unwrap();
        picks.push(pick(
            &it.id,
            &"Twice a day, morning and evening, ".repeat(3)[..60],
        ));
    }
    let id = s.start_session(&c).unwrap().id;
    s.save_session_draft(&id, &draft(picks)).unwrap();
    s.export_to_file(ExportKind::HandoutPdf, None, Some(&id), &path, &mut |_| {})
        .unwrap();
    if let Ok(keep) = std::env::var("STILLPOINT_KEEP_FULL_HANDOUT") {
        std::fs::copy(&path, keep).unwrap();
    }
    assert_eq!(pages(&path), 1, "the fullest handout is one page");
}

crate::on_both_engines!(
    the_library_is_seeded_editable_audited_and_never_loses_an_item,
    the_library_is_kept_by_those_who_keep_the_technique_catalogue,
    a_note_gives_home_care_with_a_personal_line_saved_with_the_draft_and_locked_when_signed,
    the_handout_is_one_page_with_the_letterhead_the_client_and_the_items,
);
