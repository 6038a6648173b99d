//! CSV and JSON exports read back and checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::{ClientFields, Store};

/// Two clients, one of them with a signed and amended note and an intake, on the tests'
/// fixed clock (23 Nov 2026, 12:00 UTC).
fn setup(engine: Engine) -> (Place, Store, String) {
    let place = Place::new(engine);
    let mut s = place.open();
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
    (place, s, id)
}

fn clients_csv_quotes_commas_quotes_and_line_breaks_and_keeps_utf8(engine: Engine) {
    let (_d, s, id) = setup(engine);
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

fn sessions_csv_has_one_row_per_note_with_techniques_and_amendments(engine: Engine) {
    let (_d, s, _) = setup(engine);
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

fn the_json_export_holds_everything_about_one_client(engine: Engine) {
    let (_d, s, id) = setup(engine);
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

mod to_file {
    use super::*;
    use stillpoint::ErrorCode;
    use stillpoint::reports::export::ExportKind;

    fn leftovers(dir: &std::path::Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".stillpoint-export-"))
            .collect()
    }

    fn a_csv_is_written_whole_and_replaces_an_older_file(engine: Engine) {
        let (_d, s, _id) = setup(engine);
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("sessions.csv");
        std::fs::write(&path, "old contents").unwrap();
        let mut seen = Vec::new();
        let report = s
            .export_to_file(ExportKind::SessionsCsv, None, None, &path, &mut |p| {
                seen.push(p)
            })
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("session_id,"), "{text}");
        assert_eq!(report.records, 1);
        assert_eq!(report.bytes, text.len() as u64);
        assert_eq!(seen.last().map(|p| (p.done, p.total)), Some((1, 1)));
        assert!(leftovers(out.path()).is_empty());
    }

    fn a_failed_export_leaves_the_older_file_and_no_temporary_one(engine: Engine) {
        let (_d, s, _id) = setup(engine);
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("summary.pdf");
        std::fs::write(&path, "keep me").unwrap();
        let err = s
            .export_to_file(
                ExportKind::ClientPdf,
                Some("01900000-0000-7000-8000-0000000000ff"),
                None,
                &path,
                &mut |_| {},
            )
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
        assert!(leftovers(out.path()).is_empty());

        let err = s
            .export_to_file(ExportKind::ClientJson, None, None, &path, &mut |_| {})
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("client_id"));
        let err = s
            .export_to_file(ExportKind::ClientsCsv, None, None, out.path(), &mut |_| {})
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("path"));
    }

    fn a_pdf_and_a_json_file_for_one_client_with_suggested_names(engine: Engine) {
        let (_d, s, id) = setup(engine);
        let out = tempfile::tempdir().unwrap();
        let pdf_name = s
            .suggested_export_name(ExportKind::ClientPdf, Some(&id), None)
            .unwrap();
        assert_eq!(pdf_name, "Zoë O-Brien-Jr - summary 2026-11-23.pdf");
        let pdf = out.path().join(&pdf_name);
        s.export_to_file(ExportKind::ClientPdf, Some(&id), None, &pdf, &mut |_| {})
            .unwrap();
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

        let json = out.path().join(
            s.suggested_export_name(ExportKind::ClientJson, Some(&id), None)
                .unwrap(),
        );
        let r = s
            .export_to_file(ExportKind::ClientJson, Some(&id), None, &json, &mut |_| {})
            .unwrap();
        assert_eq!(r.records, 1);
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(doc["client"]["id"], id.as_str());
        assert_eq!(
            s.suggested_export_name(ExportKind::ClientsCsv, None, None)
                .unwrap(),
            "Stillpoint clients 2026-11-23.csv"
        );
    }

    fn a_second_connection_reads_while_the_first_is_in_use(engine: Engine) {
        let (_d, mut s, _id) = setup(engine);
        let reader = s.open_another().unwrap();
        s.create_client(&ClientFields {
            first_name: "New".into(),
            last_name: "Person".into(),
            ..Default::default()
        })
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("clients.csv");
        let r = reader
            .export_to_file(ExportKind::ClientsCsv, None, None, &path, &mut |_| {})
            .unwrap();
        assert_eq!(
            r.records, 3,
            "sees the client written on the other connection"
        );
    }

    crate::on_both_engines!(
        a_csv_is_written_whole_and_replaces_an_older_file,
        a_failed_export_leaves_the_older_file_and_no_temporary_one,
        a_pdf_and_a_json_file_for_one_client_with_suggested_names,
        a_second_connection_reads_while_the_first_is_in_use,
    );
}

crate::on_both_engines!(
    clients_csv_quotes_commas_quotes_and_line_breaks_and_keeps_utf8,
    sessions_csv_has_one_row_per_note_with_techniques_and_amendments,
    the_json_export_holds_everything_about_one_client,
);
