//! CSV and JSON exports read back and checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use stillpoint::intake::IntakeInput;
use stillpoint::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::{ClientFields, OpenOptions, Store, db::database_path};

fn setup() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(
        OpenOptions::file(database_path(dir.path())).clock(Arc::new(|| {
            Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
        })),
    )
    .unwrap();
    let id = s
        .create_client(&ClientFields {
            first_name: "Zoë".into(),
            last_name: "O'Brien, \"Jr\"".into(),
            address: "1 Calm Street\nLeeds".into(),
            notes: "Arabic: مرحبا — emoji: 😀".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    s.create_client(&ClientFields {
        first_name: "Ann".into(),
        last_name: "Smith".into(),
        ..Default::default()
    })
    .unwrap();
    let sid = s.start_session(&id).unwrap().id;
    s.save_session_draft(
        &sid,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            duration_minutes: Some(45.0),
            subjective: "Said: \"my neck, again\"".into(),
            pain_before: Some(6.0),
            pain_after: Some(3.0),
            techniques: vec![
                SessionTechniqueInput {
                    technique_id: "01900000-0000-7000-8000-000000000001".into(),
                    ..Default::default()
                },
                SessionTechniqueInput {
                    technique_id: "01900000-0000-7000-8000-000000000004".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .unwrap();
    s.sign_session(&sid).unwrap();
    s.amend_session(&sid, "Typo", "Pain after was 4").unwrap();
    s.record_intake(
        &id,
        &IntakeInput {
            assessed_on: "2026-11-01".into(),
            headache_days: Some(9.0),
            usual_intensity: Some(6.0),
            ..Default::default()
        },
    )
    .unwrap();
    (dir, s, id)
}

#[test]
fn clients_csv_quotes_commas_quotes_and_line_breaks_and_keeps_utf8() {
    let (_d, s, id) = setup();
    let mut buf = Vec::new();
    let mut seen = Vec::new();
    let n = s
        .export_clients_csv(&mut buf, &mut |p| seen.push((p.done, p.total)))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(seen.last(), Some(&(2, 2)));
    let text = String::from_utf8(buf.clone()).unwrap();
    assert!(
        text.contains("\"O'Brien, \"\"Jr\"\"\""),
        "RFC 4180 quoting: {text}"
    );
    let mut r = csv::Reader::from_reader(buf.as_slice());
    let headers = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let zoe = rows.iter().find(|r| &r[0] == id.as_str()).unwrap();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&zoe[col("first_name")], "Zoë");
    assert_eq!(&zoe[col("last_name")], "O'Brien, \"Jr\"");
    assert_eq!(&zoe[col("address")], "1 Calm Street\nLeeds");
    assert_eq!(&zoe[col("notes")], "Arabic: مرحبا — emoji: 😀");
}

#[test]
fn sessions_csv_has_one_row_per_note_with_techniques_and_amendments() {
    let (_d, s, _) = setup();
    let mut buf = Vec::new();
    assert_eq!(s.export_sessions_csv(&mut buf, &mut |_| {}).unwrap(), 1);
    let mut r = csv::Reader::from_reader(buf.as_slice());
    let headers = r.headers().unwrap().clone();
    let row = r.records().next().unwrap().unwrap();
    let col = |name: &str| &row[headers.iter().position(|h| h == name).unwrap()];
    assert_eq!(col("status"), "signed");
    assert_eq!(col("pain_before"), "6");
    assert_eq!(col("techniques"), "Trigger point therapy; Scalp massage");
    assert_eq!(col("subjective"), "Said: \"my neck, again\"");
    assert!(col("amendments").contains("(Typo): Pain after was 4"));
    assert_eq!(col("client_name"), "Zoë O'Brien, \"Jr\"");
}

#[test]
fn the_json_export_holds_everything_about_one_client() {
    let (_d, s, id) = setup();
    let mut buf = Vec::new();
    s.export_client_json(&id, &mut buf).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(doc["format"], "stillpoint-client-export/1");
    assert_eq!(doc["client"]["first_name"], "Zoë");
    assert_eq!(doc["intakes"].as_array().unwrap().len(), 1);
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(doc["sessions"][0]["amendments"][0]["reason"], "Typo");
    let actions: Vec<&str> = doc["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "client.create",
            "session.create",
            "session.save_draft",
            "session.sign",
            "session.amend",
            "intake.create"
        ]
    );
    // nothing about the other client
    assert!(!String::from_utf8(buf).unwrap().contains("Smith"));
    let missing = s.export_client_json("nope", Vec::new());
    assert_eq!(missing.unwrap_err().code, stillpoint::ErrorCode::NotFound);
}
