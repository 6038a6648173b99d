//! The demo clinic: what the end-to-end tests and screenshots start from, with every
//! dashboard figure worked out by hand from the records it writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use stillpoint::domain::diary_facts::Source;
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::reports::outcomes::Responder;
use stillpoint::search::SearchQuery;
use stillpoint::security::keys::{KeyFile, keys_path};
use stillpoint::security::users::Role;
use stillpoint::{OpenOptions, Store, db::database_path};
use stillpoint_tools::demo;

#[test]
fn the_demo_clinic_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let d = demo::seed_demo(dir.path(), now).unwrap();
    let key = KeyFile::load(&keys_path(dir.path()))
        .unwrap()
        .unwrap()
        .unlock(demo::MANAGER, demo::DEMO_PASSWORD)
        .unwrap();
    let s = Store::open_as(
        OpenOptions::file(&path)
            .key(key)
            .actor(demo::MANAGER)
            .clock(std::sync::Arc::new(move || now)),
        Role::Manager,
    )
    .unwrap();

    let dash = s
        .dashboard(&DashboardQuery {
            from: None,
            to: None,
        })
        .unwrap();
    assert_eq!(dash.clients_on_record, 4, "Peter Brown is archived");
    assert_eq!(dash.active_clients, 3, "Li Wei has only a draft");
    let per = |name: &str| {
        dash.sessions_per_therapist
            .iter()
            .find(|t| t.therapist == name)
            .map(|t| (t.signed, t.drafts))
    };
    // Jo: Ann 26, 12 and 5 days ago, María 21 days ago. Sam: Ravi 17 days ago; Li's draft.
    assert_eq!(per("Jo Park"), Some((4, 0)), "display names, not usernames");
    assert_eq!(per("Sam Lee"), Some((1, 1)));
    assert_eq!(dash.unsigned_notes.len(), 1);
    assert_eq!(dash.unsigned_notes[0].session_id, d.li_draft);
    assert_eq!(dash.unsigned_notes[0].hours_open, 74);
    let due: Vec<_> = dash
        .due_for_reassessment
        .iter()
        .map(|c| c.client_id.as_str())
        .collect();
    assert_eq!(due, vec![d.maria.as_str()]);
    assert_eq!(dash.open_red_flags.len(), 1);
    assert_eq!(dash.open_red_flags[0].client_id, d.li);
    assert_eq!(dash.referrals.len(), 1);
    assert_eq!(dash.referrals[0].client_id, d.ravi);

    let t = |id: &str| {
        dash.technique_outcomes
            .iter()
            .find(|t| t.technique_id == id)
            .unwrap()
            .clone()
    };
    let tp = t(demo::TRIGGER_POINT);
    assert_eq!(
        (
            tp.sessions,
            tp.clients,
            tp.clients_measurable,
            tp.responders
        ),
        (8, 1, 1, 1)
    );
    assert_eq!(tp.mean_pain_change, Some(2.8)); // (3+3+2+4+3+2+3+2) / 8 = 2.75, one decimal
    let cervical = t(demo::CERVICAL);
    assert_eq!(
        (
            cervical.sessions,
            cervical.clients,
            cervical.clients_measurable,
            cervical.responders
        ),
        (7, 2, 1, 1),
        "María has one intake only: not measurable"
    );
    let myo = t(demo::MYOFASCIAL);
    assert_eq!(
        (myo.sessions, myo.responders, myo.clients_measurable),
        (3, 0, 1)
    );
    assert_eq!(myo.responder_share_percent, Some(0.0));

    let ann = s.client_outcomes(&d.ann).unwrap();
    assert_eq!(ann.responder, Responder::Responder);
    assert_eq!(
        (ann.baseline_headache_days, ann.latest_headache_days),
        (Some(12), Some(5))
    );
    assert_eq!(ann.session_pain.len(), 8);
    // Her baseline is the intake (her diary starts that day); her latest is her diary's last
    // 30 days, all recorded, 5 of them with a headache, as her latest intake says too.
    assert_eq!(
        ann.summary,
        "12 → 5 headache days per 30 days since 14 Sep 2026: responder. Baseline from the \
         intake of 14 Sep 2026; latest from the diary, 30 of 30 days recorded (24 Oct – 22 Nov \
         2026)."
    );
    assert_eq!(
        (
            ann.baseline.as_ref().map(|b| b.source),
            ann.latest.as_ref().map(|l| l.source)
        ),
        (Some(Source::Intake), Some(Source::Diary))
    );
    assert_eq!(ann.trends.len(), 3);
    assert!(ann.trends.iter().all(|t| t.source == Source::Diary));

    let h = s.client_history(&d.ann).unwrap();
    // The history screen's one call holds exactly what the three separate calls return.
    for id in [&d.ann, &d.maria, &d.li] {
        let chart = s.client_chart(id).unwrap();
        assert_eq!(chart.client, s.get_client(id).unwrap());
        assert_eq!(chart.history, s.client_history(id).unwrap());
        assert_eq!(chart.outcomes, s.client_outcomes(id).unwrap());
    }
    assert!(s.client_chart("not-a-client").is_err());
    assert_eq!(
        h.events.len(),
        3 + 8 + 1 + 3 + 1,
        "three intakes, eight notes, one amendment, three MIDAS, the care plan"
    );
    assert_eq!(
        h.events.last().map(|e| e.title.as_str()),
        Some("Baseline intake"),
        "the baseline's MIDAS, the same day, after it"
    );
    assert!(h.latest_plan.unwrap().plan.starts_with("Fortnightly"));

    let found = s
        .search(&SearchQuery {
            text: "trapezius".into(),
            include_archived: false,
            client_id: None,
            from: None,
            to: None,
            limit: 50,
        })
        .unwrap();
    assert_eq!(
        found.total,
        8 + 3 + 1,
        "Ann's eight notes and amendment, Ravi's three"
    );

    // MIDAS at Ann's three intakes and twice for Ravi, improving; care plans for both from
    // the intakes' goals (Ann's shared with her physician and changed at her second
    // re-assessment); María has neither yet, and is still the one due for re-assessment.
    let ann_chart = s.client_chart(&d.ann).unwrap();
    let scores: Vec<(u16, &str)> = ann_chart
        .midas
        .assessments
        .iter()
        .map(|m| (m.score, m.grade_label.as_str()))
        .collect();
    assert_eq!(
        scores,
        vec![
            (24, "Grade IV — severe disability"),
            (13, "Grade III — moderate disability"),
            (6, "Grade II — mild disability")
        ]
    );
    assert_eq!(
        ann_chart.midas.summary,
        "3 MIDAS questionnaires. First 24 (grade IV) on 14 Sep 2026, latest 6 (grade II) on \
         10 Nov 2026: 18 points lower."
    );
    let plan = ann_chart.care_plan.plan.clone().unwrap();
    assert_eq!(
        plan.frequency,
        "weekly for 6 weeks, then every 2 weeks for 6 weeks, then every 4 weeks"
    );
    assert_eq!(plan.goals, "Fewer headache days; sleep through the night.");
    assert_eq!(plan.goals, ann_chart.care_plan.intake_goals);
    assert_eq!(
        (
            plan.starts_on.as_str(),
            plan.next_reassessment_on.as_deref()
        ),
        ("2026-09-16", Some("2026-12-21"))
    );
    assert!(plan.shared_with_physician);
    // Visits 68, 61, 54, 47, 40, 26, 12 and 5 days ago against weekly for six weeks (six
    // planned: 68 … 33 days ago), then fortnightly (26 and 12 days ago planned): eight of eight.
    let adherence = ann_chart.care_plan.adherence.clone().unwrap();
    assert_eq!((adherence.attended, adherence.planned), (8, 8));
    let ravi = s.client_chart(&d.ravi).unwrap();
    let ravi_scores: Vec<u16> = ravi.midas.assessments.iter().map(|m| m.score).collect();
    assert_eq!(ravi_scores, vec![16, 11]);
    let ravi_plan = ravi.care_plan.plan.unwrap();
    assert_eq!(
        ravi_plan.frequency,
        "weekly for 4 weeks, then every 2 weeks"
    );
    assert!(!ravi_plan.shared_with_physician);
    assert_eq!(
        ravi_plan.next_reassessment_on.as_deref(),
        Some("2026-12-04")
    );
    let maria = s.client_chart(&d.maria).unwrap();
    assert!(maria.midas.assessments.is_empty() && maria.care_plan.plan.is_none());
    assert!(s.client_chart(&d.li).unwrap().care_plan.plan.is_none());

    // The demo goes only into a new database.
    let again = demo::seed_demo(dir.path(), now).unwrap_err();
    assert_eq!(again.field.as_deref(), Some("path"));
}
