//! A deterministic synthetic clinic for benchmarks and load tests: clients with names in
//! several scripts, baseline and follow-up intakes, session notes whose SOAP text is drawn
//! from a clinical phrase bank, techniques with regions, body-chart marks, signatures and
//! amendments. The same seed gives the same clinic. Everything is written through the core's
//! own functions (validation, search index, audit chain), each record at the time it
//! describes, so what is measured is what the app would hold.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use stillpoint::Store;
use stillpoint::db::sql::Engine;
use stillpoint::db::{Clock, OpenOptions, database_path, timestamp};
use stillpoint::domain::care_plan::{CarePlanInput, FrequencyUnit, PlanPhaseInput};
use stillpoint::domain::clients::ClientFields;
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::midas::MidasInput;
use stillpoint::domain::sessions::{BodyMark, SessionInput, SessionTechniqueInput};
use stillpoint::domain::vocab::{MarkKind, Pressure, Region, Trigger};
use stillpoint::error::Result;
use stillpoint::security::keys::DbKey;

/// How big a clinic to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub clients: usize,
    /// Sessions per client: 0 to this many (mean about half).
    pub max_sessions_per_client: usize,
}

/// A few thousand notes: a minute or so in a release build.
pub const MEDIUM: Size = Size {
    clients: 2_000,
    max_sessions_per_client: 12,
};

/// The clinic the targets are set for: 100,000 clients and about a million session notes.
pub const LARGE: Size = Size {
    clients: 100_000,
    max_sessions_per_client: 20,
};

/// Seconds to generate in a debug build; used by tests.
pub const SMALL: Size = Size {
    clients: 120,
    max_sessions_per_client: 12,
};

const FIRST: &[&str] = &[
    "Ann",
    "Zoë",
    "María",
    "José",
    "Siobhán",
    "Björn",
    "Chloé",
    "Łukasz",
    "Mehmet",
    "Aisha",
    "Олена",
    "Дмитрий",
    "Γιώργος",
    "Ελένη",
    "محمد",
    "فاطمة",
    "李",
    "王",
    "さくら",
    "Priya",
    "अर्जुन",
    "Oluwaseun",
    "Nguyễn",
    "Kwame",
    "Ingrid",
    "Rafael",
    "Hana",
    "Tomás",
];
const LAST: &[&str] = &[
    "Smith",
    "O'Brien",
    "González",
    "Müller",
    "Nowak",
    "Kowalski",
    "Yılmaz",
    "Haddad",
    "Шевченко",
    "Иванов",
    "Παπαδόπουλος",
    "العلي",
    "伟",
    "芳",
    "佐藤",
    "Sharma",
    "Okafor",
    "Tran",
    "Mensah",
    "Johansson",
    "Silva",
    "Novák",
    "Dubois",
    "Rossi",
];
const SUBJECTIVE: &[&str] = &[
    "Two migraines since last week, the worst on Thursday after a long screen day.",
    "Tension headache most afternoons, band-like across the forehead.",
    "Neck stiff on waking; turning to the left is painful.",
    "Slept badly, around five hours a night; stress at work is high.",
    "Fewer headaches than last time and they eased faster.",
    "Headache behind the right eye, throbbing, with light sensitivity.",
    "Jaw clenching at night according to partner.",
    "Reports tingling in the fingers of the right hand after desk work.",
];
const OBJECTIVE: &[&str] = &[
    "Taut band in the right upper trapezius referring to the temple.",
    "Suboccipitals tender bilaterally; restricted upper cervical rotation.",
    "Forward head posture; shoulders elevated and protracted.",
    "Active trigger point in the left levator scapulae.",
    "Temporalis and masseter hypertonic on the right.",
    "Cervical rotation 60 degrees left, 75 degrees right.",
    "Scalp tension over the occipital zone; no skin lesions.",
];
const ASSESSMENT: &[&str] = &[
    "Tension eased; rotation improved by about ten degrees.",
    "Good response to trigger point work; referral pattern reduced.",
    "Partial relief; headache frequency trending down.",
    "Little change today; stress remains the main driver.",
];
const PLAN: &[&str] = &[
    "Weekly for four weeks; chin tucks twice a day.",
    "Fortnightly; continue stretches and screen breaks every hour.",
    "Review at next visit; add scalp massage if tolerated.",
    "Monthly maintenance; re-assess headache diary in four weeks.",
];
/// A word in about one note in two thousand (the "rare word" of the benchmark).
pub const RARE_WORD: &str = "paresthesia";
/// A word in nearly every note.
pub const COMMON_WORD: &str = "headache";

const TECHNIQUES: &[(&str, &[Region], &str)] = &[
    (
        crate::demo::TRIGGER_POINT,
        &[Region::UpperTrapeziusLeft, Region::UpperTrapeziusRight],
        "Active trigger points refer to the temples",
    ),
    (
        crate::demo::MYOFASCIAL,
        &[
            Region::UpperBack,
            Region::ShoulderLeft,
            Region::ShoulderRight,
        ],
        "Fascial restriction across the shoulders",
    ),
    (
        crate::demo::CRANIOSACRAL,
        &[Region::Occipitalis],
        "Client prefers light touch",
    ),
    (
        crate::demo::SCALP,
        &[
            Region::ScalpFrontal,
            Region::ScalpParietal,
            Region::ScalpOccipital,
        ],
        "Scalp tension; calming for the client",
    ),
    (
        crate::demo::CERVICAL,
        &[
            Region::CervicalSpine,
            Region::ScalenesLeft,
            Region::ScalenesRight,
        ],
        "Restricted cervical rotation",
    ),
];

/// What was made, for benchmarks to pick their inputs from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub clients: usize,
    pub intakes: usize,
    pub sessions: usize,
    pub signed: usize,
    pub amendments: usize,
    /// The client with the most sessions (the heaviest chart to open).
    pub busiest_client: String,
    pub busiest_sessions: usize,
    /// MIDAS questionnaires recorded, and clients with a care plan.
    pub midas: usize,
    pub care_plans: usize,
    /// Clients who keep a diary.
    pub diaries: usize,
    /// The first client who keeps a year of diary (and so also has MIDAS and a care plan):
    /// the chart with the most between-session records to open. `None` only in a clinic
    /// made by an earlier version, read back without one.
    pub diary_client: Option<String>,
    pub client_ids: Vec<String>,
}

/// One client in this many keeps a headache diary: a year of days up to the day before `now`.
/// The last client of a clinic that has none by then keeps one too, so every clinic (the
/// small one included) has a chart with a year of diary to open.
pub const DIARY_ONE_IN: u8 = 50;

/// One client in this many answers MIDAS (at the baseline intake and again at each
/// follow-up intake), and one in this many has a care plan; every diary keeper does both.
pub const MIDAS_ONE_IN: u8 = 4;
pub const CARE_PLAN_ONE_IN: u8 = 3;

/// A MIDAS as a client answers it, `improvement` (0–1) of the way from `base` towards none:
/// the five scored answers, headache days in three months and their average pain.
fn midas_answers(
    rng: &mut fastrand::Rng,
    answered_on: NaiveDate,
    base: [u8; 5],
    headache_days_a_month: f64,
    improvement: f64,
) -> MidasInput {
    let mut day = |v: u8| -> Option<f64> {
        let kept = (f64::from(v) * (1.0 - improvement)).round();
        Some((kept + f64::from(rng.u8(0..2))).min(40.0))
    };
    MidasInput {
        answered_on: answered_on.to_string(),
        missed_work: day(base[0]),
        reduced_work: day(base[1]),
        missed_household: day(base[2]),
        reduced_household: day(base[3]),
        missed_leisure: day(base[4]),
        headache_days: Some(
            (headache_days_a_month * 3.0 * (1.0 - improvement))
                .round()
                .min(92.0),
        ),
        average_pain: Some(f64::from(rng.u8(3..9))),
    }
}

/// A care plan from `starts_on`: weekly for a few weeks, then every two or three weeks, the
/// next re-assessment some weeks on, shared with the physician for about half.
fn care_plan(rng: &mut fastrand::Rng, starts_on: NaiveDate) -> CarePlanInput {
    let weekly_for = rng.u8(4..9);
    let reassess = starts_on
        .checked_add_days(chrono::Days::new(7 * u64::from(rng.u8(6..13))))
        .unwrap_or(starts_on);
    CarePlanInput {
        goals: (*pick(
            rng,
            &[
                "Fewer headache days; sleep through the night.",
                "Halve the headache days; turn the head freely when driving.",
                "Fewer painkiller days; notice shoulder tension early.",
                "Work a full screen day without a headache.",
            ],
        ))
        .to_owned(),
        phases: vec![
            PlanPhaseInput {
                every: Some(1.0),
                unit: Some(FrequencyUnit::Weeks),
                for_weeks: Some(f64::from(weekly_for)),
            },
            PlanPhaseInput {
                every: Some(f64::from(rng.u8(2..4))),
                unit: Some(FrequencyUnit::Weeks),
                for_weeks: None,
            },
        ],
        starts_on: starts_on.to_string(),
        next_reassessment_on: reassess.to_string(),
        shared_with_physician: rng.bool(),
    }
}

/// A diary file (the template's columns) of `days` days from `first`, a headache on about
/// `rate` of them (0–1), as a client would fill it in: peak, hours and medication on headache
/// days, sleep and stress every day.
pub fn diary_csv(rng: &mut fastrand::Rng, first: NaiveDate, days: u32, rate: f64) -> String {
    let mut out = String::from(
        "date,headache,peak_intensity,duration_hours,acute_meds,triggers,sleep_hours,sleep_quality,stress\n",
    );
    for n in 0..days {
        let Some(day) = first.checked_add_days(chrono::Days::new(u64::from(n))) else {
            break;
        };
        let sleep = f64::from(rng.u8(10..19)) / 2.0;
        let (quality, stress) = (rng.u8(2..10), rng.u8(1..9));
        if rng.f64() < rate {
            let meds = *pick(
                rng,
                &["", "triptan", "simple_analgesic", "simple_analgesic"],
            );
            let trigger = *pick(rng, &["", "stress", "poor_sleep", "posture_screen_time"]);
            out.push_str(&format!(
                "{day},yes,{},{},{meds},{trigger},{sleep},{quality},{stress}\n",
                rng.u8(3..10),
                rng.u8(1..13)
            ));
        } else {
            out.push_str(&format!("{day},no,,,,,{sleep},{quality},{stress}\n"));
        }
    }
    out
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn clock(at: &Arc<AtomicI64>) -> Clock {
    let at = at.clone();
    Arc::new(move || {
        Utc.timestamp_opt(at.load(Ordering::SeqCst), 0)
            .single()
            .unwrap_or_else(Utc::now)
    })
}

/// Write a synthetic clinic of `size` into the database in `data_dir` (encrypted with `key`
/// when given), as if recorded over the two years before `now`. Same seed, same clinic.
pub fn generate(
    data_dir: &Path,
    size: Size,
    seed: u64,
    now: DateTime<Utc>,
    key: Option<DbKey>,
) -> Result<Summary> {
    let mut options = OpenOptions::file(database_path(data_dir));
    if let Some(k) = key {
        options = options.key(k);
    }
    generate_into(options, size, seed, now)
}

/// Write a synthetic clinic of `size` into whatever database `options` opens: an SQLite
/// file, or a clinic server (`OpenOptions::server`). The actor and the clock of `options`
/// are replaced: every record is written by `synth.therapist` at the time it describes.
/// Same seed, same clinic, on either engine.
pub fn generate_into(
    options: OpenOptions,
    size: Size,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<Summary> {
    let at = Arc::new(AtomicI64::new(now.timestamp()));
    let options = options.actor("synth.therapist").clock(clock(&at));
    let mut store = Store::open(options)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    // Diaries draw from their own stream, so the rest of a seed's clinic is as it was.
    let mut diary_rng = fastrand::Rng::with_seed(seed ^ 0xD1A2_D1A2);
    // So do MIDAS and care plans, each on its own.
    let mut midas_rng = fastrand::Rng::with_seed(seed ^ 0x313D_A5A5);
    let mut plan_rng = fastrand::Rng::with_seed(seed ^ 0xCA2E_71A4);
    let start = now - Duration::days(730);
    let set = |t: DateTime<Utc>| at.store(t.timestamp(), Ordering::SeqCst);
    let mut summary = Summary {
        clients: 0,
        intakes: 0,
        sessions: 0,
        signed: 0,
        amendments: 0,
        busiest_client: String::new(),
        busiest_sessions: 0,
        midas: 0,
        care_plans: 0,
        diaries: 0,
        diary_client: None,
        client_ids: Vec::with_capacity(size.clients),
    };
    // SQLite: commit every 200 clients, one disk flush per chunk, not per write.
    // PostgreSQL: every 5. Every write updates the one row of audit_issued (and signing the
    // outcome totals' few rows), and inside one transaction none of those row versions can
    // be pruned: each later read walks all of them, so a transaction of 200 clients (some
    // 5,000 writes) costs quadratically (the medium clinic took 524 s; 51 s at 5 clients,
    // where the time is the statements' round trips, about 90 per note).
    let per_commit = match store.engine() {
        Engine::Sqlite => 200,
        Engine::Postgres => 5,
    };
    let mut done = 0;
    while done < size.clients {
        let chunk = (size.clients - done).min(per_commit);
        store.bulk(|store| {
            for _ in 0..chunk {
                let first_seen = start + Duration::minutes(rng.i64(0..(600 * 24 * 60)));
                set(first_seen);
                let id = store
                    .create_client(&ClientFields {
                        first_name: (*pick(&mut rng, FIRST)).to_owned(),
                        last_name: (*pick(&mut rng, LAST)).to_owned(),
                        date_of_birth: Some(format!(
                            "{}-{:02}-{:02}",
                            rng.i32(1940..2005),
                            rng.u32(1..13),
                            rng.u32(1..29)
                        )),
                        phone: format!("+44 20 7946 {:04}", rng.u32(0..10_000)),
                        preferred_pressure: Some(*pick(
                            &mut rng,
                            &[Pressure::Light, Pressure::Moderate, Pressure::Firm],
                        )),
                        ..Default::default()
                    })?
                    .id;
                summary.clients += 1;
                // Drawn first, as the diary stream always was: one draw per client, then
                // the diary's days (below) when it keeps one.
                let last_client = summary.clients == size.clients;
                let keeps_diary = diary_rng.u8(0..DIARY_ONE_IN) == 0
                    || (last_client && summary.diary_client.is_none());
                let keeps_midas = midas_rng.u8(0..MIDAS_ONE_IN) == 0 || keeps_diary;
                let midas_base = [
                    midas_rng.u8(0..8),
                    midas_rng.u8(0..10),
                    midas_rng.u8(0..8),
                    midas_rng.u8(0..10),
                    midas_rng.u8(0..6),
                ];
                let mut midas_taken = 0u8;
                let has_plan = plan_rng.u8(0..CARE_PLAN_ONE_IN) == 0 || keeps_diary;
                let baseline_days = f64::from(rng.u8(4..25));
                let mut day = first_seen;
                store.record_intake(
                    &id,
                    &IntakeInput {
                        assessed_on: day.date_naive().to_string(),
                        headache_days: Some(baseline_days),
                        usual_intensity: Some(f64::from(rng.u8(3..10))),
                        sleep_quality: Some(f64::from(rng.u8(2..9))),
                        stress: Some(f64::from(rng.u8(3..10))),
                        triggers: vec![*pick(
                            &mut rng,
                            &[
                                Trigger::Stress,
                                Trigger::PoorSleep,
                                Trigger::MuscleTension,
                                Trigger::PostureScreenTime,
                            ],
                        )],
                        ..Default::default()
                    },
                )?;
                summary.intakes += 1;
                if keeps_midas {
                    store.record_midas(
                        &id,
                        &midas_answers(
                            &mut midas_rng,
                            day.date_naive(),
                            midas_base,
                            baseline_days,
                            0.0,
                        ),
                    )?;
                    midas_taken += 1;
                }
                if has_plan {
                    set(day + Duration::minutes(30));
                    store.set_care_plan(&id, &care_plan(&mut plan_rng, day.date_naive()))?;
                    summary.care_plans += 1;
                }
                let sessions = rng.usize(0..=size.max_sessions_per_client);
                let mut made = 0;
                for n in 0..sessions {
                    day += Duration::days(rng.i64(5..15));
                    if day > now - Duration::hours(2) {
                        break;
                    }
                    set(day);
                    let session = store.start_session(&id)?.id;
                    let (t, regions, reason) = *pick(&mut rng, TECHNIQUES);
                    let mut subjective = (*pick(&mut rng, SUBJECTIVE)).to_owned();
                    if !subjective.contains(COMMON_WORD) {
                        subjective.push_str(" No headache at the start of the session.");
                    }
                    if rng.u16(0..2000) == 0 {
                        subjective.push_str(&format!(" New {RARE_WORD} in the left forearm."));
                    }
                    let before = f64::from(rng.u8(3..9));
                    store.save_session_draft(
                        &session,
                        &SessionInput {
                            started_at: timestamp(day),
                            duration_minutes: Some(f64::from(*pick(&mut rng, &[45u8, 60, 75, 90]))),
                            subjective,
                            objective: (*pick(&mut rng, OBJECTIVE)).to_owned(),
                            assessment: (*pick(&mut rng, ASSESSMENT)).to_owned(),
                            plan: (*pick(&mut rng, PLAN)).to_owned(),
                            pain_before: Some(before),
                            pain_after: Some((before - f64::from(rng.u8(0..4))).max(0.0)),
                            techniques: vec![SessionTechniqueInput {
                                technique_id: t.to_owned(),
                                regions: regions.to_vec(),
                                pressure: Some(Pressure::Moderate),
                                minutes: Some(f64::from(rng.u8(10..40))),
                                reason: reason.to_owned(),
                            }],
                            marks: regions
                                .iter()
                                .map(|r| BodyMark {
                                    region: *r,
                                    kind: *pick(
                                        &mut rng,
                                        &[
                                            MarkKind::Tension,
                                            MarkKind::TriggerPoint,
                                            MarkKind::Treated,
                                        ],
                                    ),
                                })
                                .collect(),
                            ..Default::default()
                        },
                    )?;
                    summary.sessions += 1;
                    made += 1;
                    // Most notes are signed; the newest few are sometimes left as drafts.
                    if n + 1 < sessions || rng.bool() {
                        store.sign_session(&session)?;
                        summary.signed += 1;
                        if rng.u8(0..20) == 0 {
                            set(day + Duration::hours(3));
                            store.amend_session(
                                &session,
                                "Late entry",
                                "Client phoned: headache returned that evening.",
                            )?;
                            summary.amendments += 1;
                        }
                    }
                    if n % 6 == 5 {
                        set(day + Duration::hours(1));
                        store.record_intake(
                            &id,
                            &IntakeInput {
                                assessed_on: day.date_naive().to_string(),
                                headache_days: Some(
                                    (baseline_days - f64::from(rng.u8(0..8))).max(0.0),
                                ),
                                usual_intensity: Some(f64::from(rng.u8(2..9))),
                                ..Default::default()
                            },
                        )?;
                        summary.intakes += 1;
                        if keeps_midas {
                            let improvement = (0.25 * f64::from(midas_taken)).min(0.75);
                            store.record_midas(
                                &id,
                                &midas_answers(
                                    &mut midas_rng,
                                    day.date_naive(),
                                    midas_base,
                                    baseline_days,
                                    improvement,
                                ),
                            )?;
                            midas_taken += 1;
                        }
                        if has_plan {
                            // Re-assessed: the plan goes on, with its next date further on.
                            set(day + Duration::hours(2));
                            store
                                .set_care_plan(&id, &care_plan(&mut plan_rng, day.date_naive()))?;
                        }
                    }
                }
                summary.midas += usize::from(midas_taken);
                if keeps_diary {
                    set(now);
                    let first = (now - Duration::days(365)).date_naive();
                    let rate = baseline_days / 30.0 * 0.8;
                    store.import_diary_csv(&id, &diary_csv(&mut diary_rng, first, 365, rate))?;
                    summary.diaries += 1;
                    if summary.diary_client.is_none() {
                        summary.diary_client = Some(id.clone());
                    }
                }
                if made > summary.busiest_sessions {
                    summary.busiest_sessions = made;
                    summary.busiest_client = id.clone();
                }
                summary.client_ids.push(id);
            }
            Ok(())
        })?;
        done += chunk;
    }
    Ok(summary)
}
