//! People appear by name, with their credentials ("Robin Lee, RMT"), wherever records name
//! them: the signature, an amendment's author, an acknowledgement, the timeline, the PDF
//! letter. A user sets their own name and credentials and nobody else's (an administrator
//! sets anyone's). And the order in which red flags are acknowledged is the core's rule: the
//! newest open warning first. On both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use common::{Engine, Place};
use stillpoint::domain::intake::{ACKNOWLEDGE_NEWER_FIRST, IntakeInput};
use stillpoint::domain::vocab::RedFlag;
use stillpoint::security::users::{ProfileInput, Role};
use stillpoint::{ClientFields, ErrorCode, Store};

const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";

fn as_user(place: &Place, username: &str, role: Role) -> Store {
    Store::open_as(
        place.options().clock(common::fixed_clock()).actor(username),
        role,
    )
    .unwrap()
}

/// The clinic: its owner (no role: setup and tools) adds Robin (therapist) and Morgan
/// (manager).
fn clinic(engine: Engine) -> Place {
    let place = Place::new(engine);
    let mut owner = place.open();
    owner
        .insert_user("robin", "Robin Lee", Role::Therapist)
        .unwrap();
    owner
        .insert_user("morgan", "Morgan Quinn", Role::Manager)
        .unwrap();
    owner
        .insert_user("ada", "Ada Admin", Role::Administrator)
        .unwrap();
    place
}

fn client(s: &mut Store) -> String {
    s.create_client(&ClientFields {
        first_name: "Zoë".into(),
        last_name: "Brennan".into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

fn profile(name: &str, credentials: &str) -> ProfileInput {
    ProfileInput {
        display_name: name.into(),
        credentials: credentials.into(),
    }
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    assert!(out.status.success());
    // One line: the layout may wrap a sentence anywhere.
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn a_user_sets_their_own_credentials_and_nobody_elses(engine: Engine) {
    let place = clinic(engine);
    let mut robin = as_user(&place, "robin", Role::Therapist);

    let me = robin
        .update_profile("robin", &profile("Robin Lee", " RMT "))
        .unwrap();
    assert_eq!(me.credentials, "RMT");
    assert_eq!(me.name_with_credentials, "Robin Lee, RMT");

    // Someone else's: refused, and nothing changes.
    let e = robin
        .update_profile("morgan", &profile("Morgan Quinn", "Dr"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let morgan = robin.get_user("morgan").unwrap().unwrap();
    assert_eq!(morgan.credentials, "");

    // Bad values name their field and write nothing.
    for (input, field) in [
        (profile("Robin Lee", &"R".repeat(41)), "credentials"),
        (profile("Robin Lee", "RMT\nCLT"), "credentials"),
        (profile("Robin Lee", "<b>RMT</b>"), "credentials"),
        (profile("", "RMT"), "display_name"),
    ] {
        let e = robin.update_profile("robin", &input).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{input:?}: {e:?}");
    }
    assert_eq!(
        robin
            .get_user("robin")
            .unwrap()
            .unwrap()
            .name_with_credentials,
        "Robin Lee, RMT"
    );

    // An administrator sets anyone's; clearing the credentials leaves the name alone.
    let mut ada = as_user(&place, "ada", Role::Administrator);
    let m = ada
        .update_profile("morgan", &profile("Morgan Quinn", "RMT, CLT"))
        .unwrap();
    assert_eq!(m.name_with_credentials, "Morgan Quinn, RMT, CLT");
    let m = ada
        .update_profile("morgan", &profile("Morgan Quinn", ""))
        .unwrap();
    assert_eq!(m.name_with_credentials, "Morgan Quinn");
    assert_eq!(
        ada.update_profile("nobody", &profile("No One", ""))
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}

fn records_name_people_with_their_credentials(engine: Engine) {
    let place = clinic(engine);
    let mut robin = as_user(&place, "robin", Role::Therapist);
    robin
        .update_profile("robin", &profile("Robin Lee", "RMT"))
        .unwrap();
    let c = client(&mut robin);
    let intake = robin
        .record_intake(
            &c,
            &IntakeInput {
                assessed_on: "2026-11-01".into(),
                headache_days: Some(8.0),
                usual_intensity: Some(6.0),
                red_flags: vec![RedFlag::WakesFromSleep],
                ..Default::default()
            },
        )
        .unwrap();
    let ack = robin
        .acknowledge_red_flags(&intake.id, "GP cleared treatment.")
        .unwrap();
    let a = ack.acknowledgement.unwrap();
    assert_eq!(a.acknowledged_by, "robin");
    assert_eq!(a.acknowledged_by_name, "Robin Lee, RMT");
    let sid = common::note(
        &mut robin,
        &c,
        "2026-11-20T10:00:00Z",
        &[TRIGGER_POINT],
        6.0,
        3.0,
        "Weekly",
        true,
    );
    let signed = robin.get_session(&sid).unwrap();
    assert_eq!(signed.signed_by.as_deref(), Some("robin"));
    assert_eq!(signed.signed_by_name.as_deref(), Some("Robin Lee, RMT"));

    let mut morgan = as_user(&place, "morgan", Role::Manager);
    let amended = morgan
        .amend_session(&sid, "Pain after recorded wrongly", "It was 4/10.")
        .unwrap();
    assert_eq!(amended.amendments[0].author, "morgan");
    assert_eq!(amended.amendments[0].author_name, "Morgan Quinn");

    let history = morgan.client_history(&c).unwrap();
    let bys: Vec<&str> = history.events.iter().map(|e| e.by.as_str()).collect();
    assert!(bys.contains(&"Robin Lee, RMT"), "{bys:?}");
    assert!(bys.contains(&"Morgan Quinn"), "{bys:?}");
    assert!(!bys.contains(&"robin"), "{bys:?}");
    assert_eq!(
        history.latest_plan.unwrap().therapist,
        "Robin Lee, RMT",
        "the latest plan names its therapist"
    );

    // The letter to the physician: prepared by the person, acknowledged by the person; one
    // signed note is "1 signed session note", one technique use "1 session".
    let text = pdf_text(&robin.client_summary_pdf(&c).unwrap());
    for want in [
        "Prepared by Robin Lee, RMT for",
        "Acknowledged by Robin Lee, RMT",
        "1 signed session note on record",
        "Trigger point therapy — 1 session",
        "Pain within sessions: 3.0 points less pain after sessions (mean), over 1 session",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains("1 sessions"), "{text}");
    assert!(!text.contains("Prepared by robin"), "{text}");
}

fn the_newest_open_warning_is_acknowledged_first(engine: Engine) {
    let place = clinic(engine);
    let mut robin = as_user(&place, "robin", Role::Therapist);
    let c = client(&mut robin);
    let flagged = |date: &str, flag: RedFlag| IntakeInput {
        assessed_on: date.into(),
        headache_days: Some(8.0),
        usual_intensity: Some(6.0),
        red_flags: vec![flag],
        ..Default::default()
    };
    let older = robin
        .record_intake(&c, &flagged("2026-10-01", RedFlag::Fever))
        .unwrap();
    let newer = robin
        .record_intake(&c, &flagged("2026-11-01", RedFlag::Thunderclap))
        .unwrap();

    // The alerts say which one may be acknowledged now, and why the other waits.
    let alerts = robin.client_alerts(&c).unwrap();
    let open: Vec<(&str, bool, Option<&str>)> = alerts
        .open_red_flags
        .iter()
        .map(|o| {
            (
                o.intake_id.as_str(),
                o.can_acknowledge,
                o.blocked_reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        open,
        [
            (newer.id.as_str(), true, None),
            (older.id.as_str(), false, Some(ACKNOWLEDGE_NEWER_FIRST)),
        ]
    );

    // The older one first: refused with the same sentence, and nothing is recorded.
    let e = robin
        .acknowledge_red_flags(&older.id, "Referred to GP.")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert_eq!(e.message, ACKNOWLEDGE_NEWER_FIRST);
    assert!(
        robin
            .get_intake(&older.id)
            .unwrap()
            .acknowledgement
            .is_none()
    );

    // The newer one, then the older one.
    robin
        .acknowledge_red_flags(&newer.id, "Sent to the emergency department.")
        .unwrap();
    let alerts = robin.client_alerts(&c).unwrap();
    assert_eq!(alerts.open_red_flags.len(), 1);
    assert!(alerts.open_red_flags[0].can_acknowledge);
    assert_eq!(alerts.open_red_flags[0].blocked_reason, None);
    robin
        .acknowledge_red_flags(&older.id, "Referred to GP.")
        .unwrap();
    assert!(robin.client_alerts(&c).unwrap().open_red_flags.is_empty());
}

crate::on_both_engines!(
    a_user_sets_their_own_credentials_and_nobody_elses,
    records_name_people_with_their_credentials,
    the_newest_open_warning_is_acknowledged_first,
);
