//! Every command in the table is a gate: its arguments decode strictly, and every refusal is
//! a validation error naming the field by the core's path, in words. A property test per
//! command mutates a valid call: a value of the wrong kind anywhere, an unknown field in any
//! object, and arbitrary JSON.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use stillpoint::ErrorCode;
use stillpoint_app::commands::{NAMES, decode_args};

/// A valid call for every command, every field of every form filled.
fn samples() -> BTreeMap<&'static str, Value> {
    let client = json!({
        "first_name": "Ada", "last_name": "Lovelace", "preferred_name": "Ada",
        "date_of_birth": "1985-03-12", "phone": "555 0100", "email": "ada@example.com",
        "address": "1 Road", "emergency_contact_name": "Bo", "emergency_contact_phone": "555 0101",
        "physician_name": "Dr Who", "physician_contact": "555 0102", "occupation": "Analyst",
        "posture_notes": "Forward head", "medical_history": "None", "medications_preventive": "",
        "medications_acute": "Ibuprofen", "allergies": "", "contraindications": "",
        "contraindication_flags": ["anticoagulants"], "preferred_pressure": "light",
        "areas_to_avoid": "", "positioning": "", "consent_version": "v1",
        "consent_date": "2026-01-02", "notes": ""
    });
    let intake = json!({
        "assessed_on": "2026-11-01", "headache_type": "tension_type", "physician_diagnosed": true,
        "headache_days": 8, "migraine_days": 2, "usual_intensity": 5, "worst_intensity": 8,
        "usual_duration_hours": 4.5, "acute_med_days": 6, "acute_med_kinds": ["triptan"],
        "triggers": ["stress"], "trigger_notes": "Deadlines",
        "pain_sites": [{"location": "neck", "side": "both"}], "symptoms": ["nausea"],
        "sleep_quality": 3, "sleep_hours": 6.5, "stress": 7, "red_flags": ["thunderclap"],
        "goals": "Fewer headaches", "notes": ""
    });
    let session = json!({
        "started_at": "2026-11-02T10:00:00Z", "duration_minutes": 60, "subjective": "Tight",
        "headache_since_last": "Two", "objective": "Trigger points", "assessment": "Better",
        "plan": "Weekly", "pain_before": 6, "pain_after": 3, "headache_at_start": false,
        "techniques": [{"technique_id": "t1", "regions": ["scm_left"], "pressure": "moderate",
                        "minutes": 15, "reason": "Tension"}],
        "marks": [{"region": "suboccipitals_left", "kind": "tension"}],
        "home_care": [{"item_id": "h1", "personal_line": "Hold 20 s, 3 times a day"}]
    });
    let technique = json!({"name": "Scalp massage", "description": "Slow circles"});
    let home_care_item = json!({"title": "Chin tucks", "instructions": "Slide the chin back."});
    let channel = json!("__CHANNEL__:1");
    BTreeMap::from([
        ("app_status", json!({})),
        (
            "list_clients",
            json!({"query": {"search": "ada", "include_archived": false, "limit": 50, "offset": 0}}),
        ),
        ("get_client", json!({"id": "c1"})),
        ("create_client", json!({"fields": client})),
        (
            "update_client",
            json!({"id": "c1", "version": 3, "fields": client}),
        ),
        ("archive_client", json!({"id": "c1"})),
        ("restore_client", json!({"id": "c1"})),
        ("client_audit", json!({"id": "c1"})),
        ("vocabulary", json!({})),
        ("record_intake", json!({"clientId": "c1", "input": intake})),
        ("list_intakes", json!({"clientId": "c1"})),
        (
            "acknowledge_red_flags",
            json!({"intakeId": "i1", "referralNote": "Referred to GP"}),
        ),
        ("client_alerts", json!({"clientId": "c1"})),
        (
            "record_midas",
            json!({"clientId": "c1", "input": {"answered_on": "2026-11-01", "missed_work": 1,
                "reduced_work": 2, "missed_household": 0, "reduced_household": 1,
                "missed_leisure": 3, "headache_days": 20, "average_pain": 6}}),
        ),
        ("list_midas", json!({"clientId": "c1"})),
        (
            "correct_midas",
            json!({"id": "m1", "reason": "Typo", "corrections": {"missed_work": 2}}),
        ),
        ("care_plan", json!({"clientId": "c1"})),
        (
            "set_care_plan",
            json!({"clientId": "c1", "input": {"goals": "Fewer headache days",
                "phases": [{"every": 1, "unit": "weeks", "for_weeks": 6},
                           {"every": 2, "unit": "weeks", "for_weeks": null}],
                "starts_on": "2026-09-01", "next_reassessment_on": "2026-12-01",
                "shared_with_physician": true}}),
        ),
        ("list_techniques", json!({"includeRetired": true})),
        ("add_technique", json!({"input": technique})),
        ("update_technique", json!({"id": "t1", "input": technique})),
        (
            "set_technique_retired",
            json!({"id": "t1", "retired": true}),
        ),
        ("list_home_care_items", json!({"includeRetired": false})),
        ("add_home_care_item", json!({"input": home_care_item})),
        (
            "update_home_care_item",
            json!({"id": "h1", "input": home_care_item}),
        ),
        (
            "set_home_care_item_retired",
            json!({"id": "h1", "retired": true}),
        ),
        ("start_session", json!({"clientId": "c1"})),
        ("save_session_draft", json!({"id": "s1", "input": session})),
        ("sign_session", json!({"id": "s1"})),
        (
            "amend_session",
            json!({"id": "s1", "reason": "Typo", "body": "Pain after was 4", "corrections": {"pain_after": 4}}),
        ),
        ("get_session", json!({"id": "s1"})),
        ("list_sessions", json!({"clientId": "c1"})),
        ("client_outcomes", json!({"clientId": "c1"})),
        (
            "dashboard",
            json!({"query": {"from": "2026-01-01", "to": "2026-11-30"}}),
        ),
        (
            "search",
            json!({"query": {"text": "neck", "include_archived": false, "client_id": "c1",
                                    "from": "2026-01-01", "to": "2026-11-30", "limit": 50}}),
        ),
        ("client_chart", json!({"clientId": "c1"})),
        ("client_history", json!({"clientId": "c1"})),
        ("diary_month", json!({"clientId": "c1", "month": "2026-11"})),
        (
            "save_diary_day",
            json!({"clientId": "c1", "input": {
                "day": "2026-11-03", "headache": true, "peak_intensity": 6, "duration_hours": 3.5,
                "acute_meds": ["triptan"], "triggers": ["stress"], "sleep_hours": 6.5,
                "sleep_quality": 4, "stress": 7, "menstruation": false, "note": "Screen day"
            }, "reason": "She re-read her diary"}),
        ),
        (
            "delete_diary_day",
            json!({"clientId": "c1", "day": "2026-11-03", "reason": "Not her diary"}),
        ),
        (
            "preview_diary_csv",
            json!({"clientId": "c1", "text": "date,headache\n2026-11-03,no\n"}),
        ),
        (
            "import_diary_csv",
            json!({"clientId": "c1", "text": "date,headache\n2026-11-03,no\n"}),
        ),
        (
            "export",
            json!({"kind": "handout_pdf", "clientId": null, "sessionId": "s1", "onProgress": channel}),
        ),
        (
            "setup",
            json!({"input": {"username": "admin", "display_name": "Alex", "password": "a long password",
                             "clinic_name": "Calm Clinic"}}),
        ),
        (
            "join_clinic",
            json!({"input": {"host": "db.clinic", "port": "5432", "database": "stillpoint",
                                         "ca_file": "/tmp/ca.pem", "username": "robin", "password": "pw"}}),
        ),
        ("choose_ca_file", json!({})),
        ("check_link", json!({})),
        (
            "login",
            json!({"username": "robin", "password": "pw", "onProgress": channel}),
        ),
        ("logout", json!({})),
        ("lock_now", json!({})),
        (
            "change_password",
            json!({"currentPassword": "old", "newPassword": "a new password"}),
        ),
        (
            "recover",
            json!({"recoveryKey": "ABCD", "username": "robin", "newPassword": "a new password", "onProgress": channel}),
        ),
        ("list_users", json!({})),
        (
            "add_user",
            json!({"input": {"username": "nina", "display_name": "Nina", "role": "therapist", "password": "pw"}}),
        ),
        (
            "set_user_disabled",
            json!({"username": "nina", "disabled": true}),
        ),
        (
            "set_user_password",
            json!({"username": "nina", "password": "pw"}),
        ),
        (
            "update_profile",
            json!({"username": "nina", "input": {"display_name": "Nina Park", "credentials": "RMT"}}),
        ),
        ("verify_audit", json!({})),
        ("clinic_settings", json!({})),
        (
            "update_clinic_settings",
            json!({"input": {"name": "Calm Clinic", "address": "1 Road", "phone": "555"}}),
        ),
        ("idle_lock_minutes", json!({})),
        ("set_idle_lock_minutes", json!({"minutes": 10})),
        ("about", json!({})),
        ("open_folder", json!({"folder": "backups"})),
        ("list_backups", json!({})),
        ("backup_now", json!({"onProgress": channel})),
        (
            "restore_backup",
            json!({"name": "stillpoint-2026-11-30.bak"}),
        ),
    ])
}

const FORM_ARGUMENTS: &[&str] = &["input", "fields", "query"];

/// One place in a call: the JSON keys and indices down to it.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The core's field path for a place: form arguments are stepped into, other arguments take
/// the core's spelling, list items are numbered.
fn core_path(steps: &[Step]) -> String {
    let mut parts = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        match s {
            Step::Key(k) if i == 0 => {
                if !FORM_ARGUMENTS.contains(&k.as_str()) {
                    let mut snake = String::new();
                    for c in k.chars() {
                        if c.is_ascii_uppercase() {
                            snake.push('_');
                        }
                        snake.push(c.to_ascii_lowercase());
                    }
                    parts.push(snake);
                }
            }
            Step::Key(k) => parts.push(k.clone()),
            Step::Index(n) => parts.push(n.to_string()),
        }
    }
    parts.join(".")
}

fn leaves(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                leaves(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                leaves(child, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}

fn objects(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                objects(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                objects(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, steps: &[Step]) -> &'a mut Value {
    steps.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// A value of another JSON kind than `v`, chosen by `pick`.
fn other_kind(v: &Value, pick: usize) -> Value {
    // A null stands for an optional scalar whose kind the sample does not show: only a list
    // or an object is sure to be the wrong kind for it.
    if v.is_null() {
        return [json!([1]), json!({"x": 1})][pick % 2].clone();
    }
    let kinds = [
        json!("11"),
        json!(11),
        json!(true),
        json!([1]),
        json!({"x": 1}),
    ];
    let same = |c: &Value| {
        matches!(
            (v, c),
            (Value::String(_), Value::String(_))
                | (Value::Number(_), Value::Number(_))
                | (Value::Bool(_), Value::Bool(_))
        )
    };
    let others: Vec<&Value> = kinds.iter().filter(|c| !same(c)).collect();
    others[pick % others.len()].clone()
}

/// A refusal in the person's words: a validation error with a field, and no decoder jargon.
fn assert_refusal(name: &str, call: &Value, e: &stillpoint::Error) -> Option<String> {
    assert_eq!(e.code, ErrorCode::Validation, "{name} {call}: {e:?}");
    let field = e.field.clone();
    assert!(
        field.as_deref().is_some_and(|f| !f.is_empty()),
        "{name} {call}: no field in {e:?}"
    );
    for jargon in [
        "invalid type",
        "expected",
        "f64",
        "u32",
        "i64",
        "struct ",
        "`",
        "variant",
    ] {
        assert!(
            !e.message.contains(jargon),
            "{name}: jargon {jargon:?} in {:?}",
            e.message
        );
    }
    field
}

#[test]
fn every_command_has_a_valid_sample_and_it_decodes() {
    let samples = samples();
    let unsampled: Vec<&str> = NAMES
        .iter()
        .copied()
        .filter(|n| !samples.contains_key(n))
        .collect();
    assert!(
        unsampled.is_empty(),
        "commands in the table with no valid call in samples() (src-tauri/tests/command_args.rs): {unsampled:?}"
    );
    let stale: Vec<&str> = samples
        .keys()
        .copied()
        .filter(|n| !NAMES.contains(n))
        .collect();
    assert!(
        stale.is_empty(),
        "samples for commands no longer in the table: {stale:?}"
    );
    for (name, call) in &samples {
        match decode_args(name, call) {
            Some(Ok(())) => {}
            other => panic!("{name} refused its valid sample {call}: {other:?}"),
        }
    }
    assert!(decode_args("no_such_command", &json!({})).is_none());
}

#[test]
fn the_issues_examples_are_refused_by_field() {
    let s = samples();
    let mut call = s["save_session_draft"].clone();
    call["input"]["pain_before"] = json!("11");
    let Some(Err(e)) = decode_args("save_session_draft", &call) else {
        panic!("accepted")
    };
    assert_eq!(e.field.as_deref(), Some("pain_before"));
    assert_eq!(e.message, "Pain before the session must be a number.");

    let mut call = s["save_session_draft"].clone();
    call["input"]["marks"][0]["region"] = json!("left_big_toe");
    let Some(Err(e)) = decode_args("save_session_draft", &call) else {
        panic!("accepted")
    };
    assert_eq!(e.field.as_deref(), Some("marks.0.region"));
    assert!(
        e.message
            .contains("“left_big_toe” is not one of the choices"),
        "{}",
        e.message
    );

    let mut call = s["add_user"].clone();
    call["input"]["role"] = json!("superuser");
    let Some(Err(e)) = decode_args("add_user", &call) else {
        panic!("accepted")
    };
    assert_eq!(e.field.as_deref(), Some("role"));

    let mut call = s["record_intake"].clone();
    call["input"]["evil"] = json!(1);
    let Some(Err(e)) = decode_args("record_intake", &call) else {
        panic!("accepted")
    };
    assert_eq!(e.field.as_deref(), Some("evil"));
    assert!(e.message.contains("nothing was saved"), "{}", e.message);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// A value of the wrong kind at any leaf of any command's call is refused under that leaf.
    #[test]
    fn a_wrong_kind_anywhere_is_refused_by_its_path(cmd in 0..NAMES.len(), which in any::<usize>(), pick in any::<usize>()) {
        let name = NAMES[cmd];
        let mut call = samples()[name].clone();
        let mut all = Vec::new();
        leaves(&call, &mut Vec::new(), &mut all);
        // The progress channel is Tauri's, taken as it comes.
        all.retain(|p| !matches!(p.first(), Some(Step::Key(k)) if k == "onProgress"));
        prop_assume!(!all.is_empty());
        let path = all[which % all.len()].clone();
        let slot = at_mut(&mut call, &path);
        *slot = other_kind(slot, pick);
        match decode_args(name, &call) {
            Some(Err(e)) => {
                let field = assert_refusal(name, &call, &e);
                let want = core_path(&path);
                prop_assert_eq!(field.as_deref(), Some(want.as_str()), "{} {}", name, call);
            }
            other => prop_assert!(false, "{name} accepted {call}: {other:?}"),
        }
    }

    /// An unknown field in any object of any command's call is refused by its name.
    #[test]
    fn an_unknown_field_anywhere_is_refused_by_name(cmd in 0..NAMES.len(), which in any::<usize>(), key in "[a-z][a-z_]{0,12}", value in any::<i64>()) {
        let name = NAMES[cmd];
        let mut call = samples()[name].clone();
        let mut all = Vec::new();
        objects(&call, &mut Vec::new(), &mut all);
        let path = all[which % all.len()].clone();
        let slot = at_mut(&mut call, &path);
        let Value::Object(map) = slot else { unreachable!("objects() lists objects") };
        prop_assume!(!map.contains_key(&key));
        let key = format!("zz_{key}");
        map.insert(key.clone(), json!(value));
        match decode_args(name, &call) {
            Some(Err(e)) => {
                let field = assert_refusal(name, &call, &e);
                let mut expected = path.clone();
                expected.push(Step::Key(key));
                let want = core_path(&expected);
                prop_assert_eq!(field.as_deref(), Some(want.as_str()));
            }
            other => prop_assert!(false, "{name} accepted {call}: {other:?}"),
        }
    }

    /// Arbitrary JSON never panics: it decodes, or it is a refusal in words with a field.
    #[test]
    fn arbitrary_json_is_decoded_or_refused_in_words(cmd in 0..NAMES.len(), call in arb_json()) {
        let name = NAMES[cmd];
        match decode_args(name, &call) {
            Some(Ok(())) => {}
            Some(Err(e)) => { assert_refusal(name, &call, &e); }
            None => prop_assert!(false, "{name} missing from the table"),
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("'; DROP TABLE clients; --".to_owned()),
            Just("😀 مرحبا".to_owned()),
            ".{0,20}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("input".to_owned()),
                    Just("id".to_owned()),
                    Just("clientId".to_owned()),
                    Just("query".to_owned()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
