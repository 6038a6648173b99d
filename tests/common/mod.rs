//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, dead_code)]

use stillpoint::Store;
use stillpoint::sessions::{SessionInput, SessionTechniqueInput};

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
