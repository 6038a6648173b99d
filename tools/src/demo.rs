//! A small, realistic demo clinic written through the core's own functions, with each record
//! written at the time it describes (the clock is moved along). The end-to-end tests, the
//! README's screenshots and the benchmarks start from it. Not used by the app itself.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};

use stillpoint::domain::care_plan::{CarePlanInput, FrequencyUnit, PlanPhaseInput};
use stillpoint::domain::clients::ClientFields;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::midas::MidasInput;
use stillpoint::domain::sessions::{BodyMark, SessionInput, SessionTechniqueInput};
use stillpoint::domain::vocab::{
    AcuteMedKind, HeadacheType, MarkKind, PainLocation, Pressure, RedFlag, Region, Side, Trigger,
};
use stillpoint::error::{Error, Result};
use stillpoint::security::gate::{App, Phase, SetupInput};
use stillpoint::security::keys::{DEFAULT_KDF, DbKey, KeyFile, keys_path};
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{OpenOptions, Store};

/// The seeded techniques, by id.
pub use stillpoint::domain::techniques::seeded::{
    CERVICAL, CRANIOSACRAL, MYOFASCIAL, SCALP, TRIGGER_POINT,
};

/// Usernames; every demo account has the password [`DEMO_PASSWORD`].
pub const ADMIN: &str = "admin";
pub const THERAPIST_A: &str = "jo.park";
pub const THERAPIST_B: &str = "sam.lee";
pub const MANAGER: &str = "mia.manager";
pub const DEMO_PASSWORD: &str = "demo password";

/// The ids of what was written, for tests to look up.
#[derive(Debug, Clone)]
pub struct Demo {
    /// Ann Smith: eight signed sessions, three intakes, a responder; MIDAS at each intake
    /// (24, grade IV; 13, III; 6, II) and a care plan shared with her physician, changed at
    /// her second re-assessment.
    pub ann: String,
    /// Ravi Patel: three sessions, a red flag acknowledged with a referral this month; MIDAS
    /// twice (16 and 11, both grade III) and a care plan not shared with his physician.
    pub ravi: String,
    /// María González: seen this month, no intake for two months: due for re-assessment. No
    /// MIDAS and no care plan yet (the end-to-end tests record her first).
    pub maria: String,
    /// Li Wei: an open red flag and a draft note left unsigned for three days.
    pub li: String,
    /// An archived client.
    pub archived: String,
    /// Ann's session whose objective mentions the left trapezius, amended once.
    pub ann_amended_session: String,
    pub li_draft: String,
}

/// One clock for every store below, moved to the time each record describes.
struct Time {
    at: Arc<AtomicI64>,
    now: DateTime<Utc>,
}

impl Time {
    fn set(&self, days_ago: i64, hour: u32) -> DateTime<Utc> {
        let day = (self.now - Duration::days(days_ago)).date_naive();
        let at = day
            .and_hms_opt(hour, 0, 0)
            .map(|t| Utc.from_utc_datetime(&t))
            .unwrap_or(self.now);
        self.at.store(at.timestamp(), Ordering::SeqCst);
        at
    }
}

fn clock(at: &Arc<AtomicI64>) -> stillpoint::db::Clock {
    let at = at.clone();
    Arc::new(move || {
        Utc.timestamp_opt(at.load(Ordering::SeqCst), 0)
            .single()
            .unwrap_or_else(Utc::now)
    })
}

fn open(path: &Path, key: &DbKey, actor: &str, role: Role, at: &Arc<AtomicI64>) -> Result<Store> {
    Store::open_as(
        OpenOptions::file(path)
            .key(key.clone())
            .actor(actor)
            .clock(clock(at)),
        role,
    )
}

fn client(
    s: &mut Store,
    first: &str,
    last: &str,
    dob: &str,
    extra: ClientFields,
) -> Result<String> {
    Ok(s.create_client(&ClientFields {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: Some(dob.into()),
        ..extra
    })?
    .id)
}

struct Visit<'a> {
    days_ago: i64,
    before: f64,
    after: f64,
    techniques: &'a [(&'a str, &'a [Region], &'a str)],
    objective: &'a str,
    assessment: &'a str,
    plan: &'a str,
}

fn visit(s: &mut Store, time: &Time, client: &str, v: &Visit<'_>, sign: bool) -> Result<String> {
    let at = time.set(v.days_ago, 10);
    let id = s.start_session(client)?.id;
    let marks = v
        .techniques
        .iter()
        .flat_map(|(_, regions, _)| regions.iter())
        .map(|r| BodyMark {
            region: *r,
            kind: MarkKind::Treated,
        })
        .collect::<Vec<_>>();
    let mut seen = std::collections::HashSet::new();
    let marks = marks
        .into_iter()
        .filter(|m| seen.insert(m.region))
        .collect();
    s.save_session_draft(
        &id,
        &SessionInput {
            started_at: stillpoint::db::timestamp(at),
            duration_minutes: Some(60.0),
            subjective: "Reports headaches mostly late in the working day, behind the eyes and at the temples.".into(),
            headache_since_last: "Fewer than last time; shorter.".into(),
            objective: v.objective.into(),
            assessment: v.assessment.into(),
            plan: v.plan.into(),
            pain_before: Some(v.before),
            pain_after: Some(v.after),
            techniques: v
                .techniques
                .iter()
                .map(|(t, regions, reason)| SessionTechniqueInput {
                    technique_id: (*t).into(),
                    regions: regions.to_vec(),
                    pressure: Some(Pressure::Moderate),
                    minutes: Some(20.0),
                    reason: (*reason).into(),
                })
                .collect(),
            marks,
            ..Default::default()
        },
    )?;
    if sign {
        time.set(v.days_ago, 11);
        s.sign_session(&id)?;
    }
    Ok(id)
}

fn intake(
    s: &mut Store,
    time: &Time,
    client: &str,
    days_ago: i64,
    input: IntakeInput,
) -> Result<String> {
    let at = time.set(days_ago, 9);
    Ok(s.record_intake(
        client,
        &IntakeInput {
            assessed_on: at.date_naive().to_string(),
            ..input
        },
    )?
    .id)
}

fn baseline_like(days: f64, intensity: f64, sleep: f64, stress: f64) -> IntakeInput {
    IntakeInput {
        headache_type: Some(HeadacheType::TensionType),
        headache_days: Some(days),
        usual_intensity: Some(intensity),
        worst_intensity: Some((intensity + 2.0).min(10.0)),
        usual_duration_hours: Some(6.0),
        acute_med_days: Some((days / 2.0).floor()),
        acute_med_kinds: vec![AcuteMedKind::SimpleAnalgesic],
        triggers: vec![
            Trigger::Stress,
            Trigger::MuscleTension,
            Trigger::PostureScreenTime,
        ],
        pain_sites: vec![stillpoint::domain::intake::PainSite {
            location: PainLocation::Temples,
            side: Side::Both,
        }],
        sleep_quality: Some(sleep),
        sleep_hours: Some(6.5),
        stress: Some(stress),
        goals: "Fewer headache days; sleep through the night.".into(),
        ..Default::default()
    }
}

/// The day `days_ago` before now (negative: after), `YYYY-MM-DD`.
fn day(time: &Time, days_ago: i64) -> String {
    (time.now - Duration::days(days_ago))
        .date_naive()
        .to_string()
}

/// A care-plan phase: every `every` weeks, for `for_weeks` (or from then on).
fn weeks(every: u8, for_weeks: Option<u8>) -> PlanPhaseInput {
    PlanPhaseInput {
        every: Some(f64::from(every)),
        unit: Some(FrequencyUnit::Weeks),
        for_weeks: for_weeks.map(f64::from),
    }
}

/// A MIDAS answered `days_ago` (after that day's intake): the five scored answers, then
/// headache days in three months and their average pain.
fn midas(s: &mut Store, time: &Time, client: &str, days_ago: i64, a: [f64; 7]) -> Result<()> {
    time.set(days_ago, 9);
    s.record_midas(
        client,
        &MidasInput {
            answered_on: day(time, days_ago),
            missed_work: Some(a[0]),
            reduced_work: Some(a[1]),
            missed_household: Some(a[2]),
            reduced_household: Some(a[3]),
            missed_leisure: Some(a[4]),
            headache_days: Some(a[5]),
            average_pain: Some(a[6]),
        },
    )?;
    Ok(())
}

/// Set up a new, encrypted data folder with the demo accounts (every password is
/// [`DEMO_PASSWORD`]); returns the database key. Refuses a folder already in use.
pub fn demo_accounts(data_dir: &Path, clock: stillpoint::db::Clock) -> Result<DbKey> {
    let mut app = App::start_with(data_dir.to_path_buf(), clock, DEFAULT_KDF);
    if app.status().phase != Phase::Setup || stillpoint::db::database_path(data_dir).exists() {
        return Err(Error::field(
            "path",
            "That data folder is already in use; the demo clinic goes into a new one.",
        ));
    }
    app.setup(&SetupInput {
        username: ADMIN.into(),
        display_name: "Alex Admin".into(),
        password: DEMO_PASSWORD.into(),
        clinic_name: None,
    })?;
    for (username, name, role) in [
        (THERAPIST_A, "Jo Park", Role::Therapist),
        (THERAPIST_B, "Sam Lee", Role::Therapist),
        (MANAGER, "Mia Manager", Role::Manager),
    ] {
        app.add_user(&NewUser {
            username: username.into(),
            display_name: name.into(),
            role: Some(role),
            password: DEMO_PASSWORD.into(),
        })?;
    }
    app.logout();
    KeyFile::load(&keys_path(data_dir))?
        .ok_or_else(|| Error::internal("the demo key file was not written"))?
        .unlock(ADMIN, DEMO_PASSWORD)
}

/// Set up a new, encrypted data folder with the demo accounts and write the demo clinic
/// into it, as if recorded over the ten weeks up to `now`. Refuses a folder already in use.
pub fn seed_demo(data_dir: &Path, now: DateTime<Utc>) -> Result<Demo> {
    let at = Arc::new(AtomicI64::new((now - Duration::days(210)).timestamp()));
    let time = Time {
        at: at.clone(),
        now,
    };
    let key = demo_accounts(data_dir, clock(&at))?;
    let path = stillpoint::db::database_path(data_dir);
    let path = path.as_path();
    let mut jo = open(path, &key, THERAPIST_A, Role::Therapist, &at)?;
    let mut sam = open(path, &key, THERAPIST_B, Role::Therapist, &at)?;

    time.set(200, 8);
    let archived = client(
        &mut jo,
        "Peter",
        "Brown",
        "1955-01-20",
        ClientFields::default(),
    )?;
    time.set(150, 8);
    jo.archive_client(&archived)?;

    time.set(72, 8);
    let ann = client(
        &mut jo,
        "Ann",
        "Smith",
        "1984-03-12",
        ClientFields {
            phone: "+44 20 7946 0018".into(),
            email: "ann.smith@example.com".into(),
            occupation: "Software developer, long screen days".into(),
            physician_name: "Dr Helen Okafor".into(),
            physician_contact: "Riverside Surgery, 020 7946 0555".into(),
            preferred_pressure: Some(Pressure::Moderate),
            consent_version: "2026-01".into(),
            consent_date: Some((now - Duration::days(72)).date_naive().to_string()),
            ..Default::default()
        },
    )?;
    let neck: &[Region] = &[
        Region::SuboccipitalsLeft,
        Region::SuboccipitalsRight,
        Region::CervicalSpine,
    ];
    let traps: &[Region] = &[Region::UpperTrapeziusLeft, Region::UpperTrapeziusRight];
    let scalp: &[Region] = &[
        Region::ScalpFrontal,
        Region::ScalpParietal,
        Region::ScalpOccipital,
    ];
    intake(&mut jo, &time, &ann, 70, baseline_like(12.0, 7.0, 4.0, 8.0))?;
    let ann_visits: [(i64, f64, f64); 8] = [
        (68, 6.0, 3.0),
        (61, 7.0, 4.0),
        (54, 5.0, 3.0),
        (47, 6.0, 2.0),
        (40, 5.0, 2.0),
        (26, 4.0, 2.0),
        (12, 4.0, 1.0),
        (5, 3.0, 1.0),
    ];
    let mut ann_amended_session = String::new();
    for (i, (days_ago, before, after)) in ann_visits.iter().enumerate() {
        if *days_ago == 40 {
            intake(&mut jo, &time, &ann, 41, baseline_like(8.0, 6.0, 5.0, 6.0))?;
        }
        if *days_ago == 12 {
            intake(&mut jo, &time, &ann, 13, baseline_like(5.0, 4.0, 7.0, 5.0))?;
        }
        let techniques: &[(&str, &[Region], &str)] = if i % 2 == 0 {
            &[
                (
                    TRIGGER_POINT,
                    traps,
                    "Active trigger points refer to the temples",
                ),
                (CERVICAL, neck, "Restricted rotation to the left"),
            ]
        } else {
            &[
                (
                    TRIGGER_POINT,
                    traps,
                    "Active trigger points refer to the temples",
                ),
                (SCALP, scalp, "Scalp tension; client finds it calming"),
            ]
        };
        let id = visit(
            &mut jo,
            &time,
            &ann,
            &Visit {
                days_ago: *days_ago,
                before: *before,
                after: *after,
                techniques,
                objective: "Taut band in the left upper trapezius referring to the left temple; suboccipitals tender.",
                assessment: "Tension eased; rotation improved by about ten degrees.",
                plan: if *days_ago == 5 {
                    "Fortnightly for two more visits, then monthly.\nHome care: chin tucks twice a day, screen at eye level."
                } else {
                    "Weekly; continue trigger point work and stretches."
                },
            },
            true,
        )?;
        if *days_ago == 26 {
            ann_amended_session = id;
        }
    }
    time.set(25, 9);
    jo.amend_session(
        &ann_amended_session,
        "Side of the taut band was recorded wrongly",
        "The taut band was in the right upper trapezius, not the left.",
    )?;

    time.set(52, 8);
    let ravi = client(
        &mut sam,
        "Ravi",
        "Patel",
        "1971-09-30",
        ClientFields::default(),
    )?;
    intake(
        &mut sam,
        &time,
        &ravi,
        50,
        baseline_like(10.0, 6.0, 5.0, 7.0),
    )?;
    for (days_ago, before, after) in [(45, 6.0, 4.0), (31, 5.0, 3.0), (17, 5.0, 4.0)] {
        visit(
            &mut sam,
            &time,
            &ravi,
            &Visit {
                days_ago,
                before,
                after,
                techniques: &[
                    (
                        MYOFASCIAL,
                        traps,
                        "Fascial restriction across the shoulders",
                    ),
                    (
                        CRANIOSACRAL,
                        &[Region::Occipitalis],
                        "Client prefers light touch",
                    ),
                ],
                objective: "Shoulders elevated; fascial restriction across both upper trapezius.",
                assessment: "Some relief, short-lived.",
                plan: "Weekly; add breathing exercises.",
            },
            true,
        )?;
    }
    let flagged = intake(
        &mut sam,
        &time,
        &ravi,
        20,
        IntakeInput {
            red_flags: vec![RedFlag::Positional],
            ..baseline_like(8.0, 6.0, 5.0, 6.0)
        },
    )?;
    sam.acknowledge_red_flags(
        &flagged,
        "Referred to GP; reviewed and cleared for massage on the same day.",
    )?;

    time.set(62, 8);
    let maria = client(
        &mut jo,
        "María",
        "González",
        "1962-05-04",
        ClientFields::default(),
    )?;
    intake(
        &mut jo,
        &time,
        &maria,
        60,
        baseline_like(15.0, 8.0, 3.0, 6.0),
    )?;
    for (days_ago, before, after) in [(55, 7.0, 5.0), (40, 6.0, 4.0), (21, 6.0, 3.0)] {
        visit(
            &mut jo,
            &time,
            &maria,
            &Visit {
                days_ago,
                before,
                after,
                techniques: &[(CERVICAL, neck, "Stiff neck in the mornings")],
                objective: "Reduced cervical rotation both sides; tender levator scapulae.",
                assessment: "Mobility better after each session.",
                plan: "Every two weeks.",
            },
            true,
        )?;
    }

    time.set(4, 8);
    let li = client(&mut sam, "Li", "Wei", "1990-11-02", ClientFields::default())?;
    intake(
        &mut sam,
        &time,
        &li,
        3,
        IntakeInput {
            red_flags: vec![RedFlag::Thunderclap],
            ..baseline_like(6.0, 8.0, 6.0, 5.0)
        },
    )?;
    let li_draft = visit(
        &mut sam,
        &time,
        &li,
        &Visit {
            days_ago: 3,
            before: 5.0,
            after: 5.0,
            techniques: &[],
            objective: "Not treated: red flag, referred first.",
            assessment: "",
            plan: "",
        },
        false,
    )?;

    // MIDAS at the intakes, improving as the headaches do; care plans from the intakes' goals.
    midas(
        &mut jo,
        &time,
        &ann,
        70,
        [4.0, 7.0, 3.0, 6.0, 4.0, 36.0, 7.0],
    )?;
    midas(
        &mut jo,
        &time,
        &ann,
        41,
        [2.0, 5.0, 1.0, 3.0, 2.0, 24.0, 6.0],
    )?;
    midas(
        &mut jo,
        &time,
        &ann,
        13,
        [1.0, 2.0, 0.0, 2.0, 1.0, 15.0, 4.0],
    )?;
    midas(
        &mut sam,
        &time,
        &ravi,
        50,
        [3.0, 5.0, 2.0, 4.0, 2.0, 30.0, 6.0],
    )?;
    midas(
        &mut sam,
        &time,
        &ravi,
        20,
        [2.0, 4.0, 1.0, 3.0, 1.0, 24.0, 6.0],
    )?;
    let goals = "Fewer headache days; sleep through the night.";
    // Ann: weekly, then fortnightly, re-assessed four weeks in; at her second re-assessment
    // the plan goes on to monthly visits, the next re-assessment four weeks ahead.
    let ann_plan = |phases: Vec<PlanPhaseInput>, next: i64| CarePlanInput {
        goals: goals.into(),
        phases,
        starts_on: day(&time, 68),
        next_reassessment_on: day(&time, next),
        shared_with_physician: true,
    };
    time.set(68, 12);
    jo.set_care_plan(&ann, &ann_plan(vec![weeks(1, Some(6)), weeks(2, None)], 41))?;
    time.set(13, 12);
    jo.set_care_plan(
        &ann,
        &ann_plan(
            vec![weeks(1, Some(6)), weeks(2, Some(6)), weeks(4, None)],
            -28,
        ),
    )?;
    time.set(45, 12);
    sam.set_care_plan(
        &ravi,
        &CarePlanInput {
            goals: goals.into(),
            phases: vec![weeks(1, Some(4)), weeks(2, None)],
            starts_on: day(&time, 45),
            next_reassessment_on: day(&time, -11),
            shared_with_physician: false,
        },
    )?;

    // Ann keeps a headache diary: the ten weeks up to yesterday, typed in from her paper diary
    // at two sessions (the first six weeks 30 days ago, the rest this morning), her headaches
    // thinning as her intakes say (about 12 a month at first, 4 to 5 in the last 30 days,
    // which her outcomes then count from the diary). The older days are changed only with a
    // reason now.
    time.set(30, 17);
    let mut rng = fastrand::Rng::with_seed(72);
    let first = (now - Duration::days(70)).date_naive();
    jo.import_diary_csv(&ann, &crate::synth::diary_csv(&mut rng, first, 40, 0.4))?;
    time.set(0, 8);
    let recent = (now - Duration::days(30)).date_naive();
    jo.import_diary_csv(&ann, &crate::synth::diary_csv(&mut rng, recent, 30, 0.15))?;

    at.store(now.timestamp(), Ordering::SeqCst);
    Ok(Demo {
        ann,
        ravi,
        maria,
        li,
        archived,
        ann_amended_session,
        li_draft,
    })
}
