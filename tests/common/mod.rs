//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::{ClientFields, OpenOptions, Store, db::database_path};

/// A new database on a fixed clock (23 Nov 2026, 12:00 UTC) with one client, Ann Smith.
/// Returns the folder (keep it alive), the store and Ann's id.
pub fn store_with_ann() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(OpenOptions::file(database_path(dir.path())).clock(Arc::new(
        || Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap(),
    )))
    .unwrap();
    let id = store
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    (dir, store, id)
}

/// A complete session note for `client` at `at`, with the given techniques, pain before and
/// after, and plan; signed when `sign`. Returns its id.
#[allow(clippy::too_many_arguments)]
pub fn note(
    s: &mut Store,
    client: &str,
    at: &str,
    techniques: &[&str],
    before: f64,
    after: f64,
    plan: &str,
    sign: bool,
) -> String {
    let id = s.start_session(client).unwrap().id;
    s.save_session_draft(
        &id,
        &SessionInput {
            started_at: at.into(),
            duration_minutes: Some(60.0),
            subjective: "ok".into(),
            plan: plan.into(),
            pain_before: Some(before),
            pain_after: Some(after),
            techniques: techniques
                .iter()
                .map(|t| SessionTechniqueInput {
                    technique_id: (*t).into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        },
    )
    .unwrap();
    if sign {
        s.sign_session(&id).unwrap();
    }
    id
}
