//! Several workstations writing at once on a clinic server: `processes` OS processes (this
//! program again, with the hidden `--writer` subcommand), each logged in as its own clinic
//! user's login role, write for `seconds` on their own clients (therapists: new clients,
//! notes started, saved as typed, signed and amended, intakes; managers: new clients and
//! amendments to any signed note), and report every write the server acknowledged.
//!
//! Afterwards, on the owner's connection: every acknowledged write is there (each record by
//! id; each note at least at the version and status its last acknowledged write returned),
//! each writer's audit entries equal its acknowledged writes, the audit chain verifies from
//! its first entry, and the outcome totals equal a fresh count (`security::import`'s
//! `check_server`). Any of those failing fails the run. Throughput and latency are reported,
//! never asserted.
//!
//! Lines:
//! `bench writers engine=postgres processes=<n> seconds=<s> writes=<n> writes_per_s=<x> p50_ms=… p99_ms=… failed=<n> lost=<n> audit_entries=<n> audit_broken=<n> totals_agree=<bool>`
//! `bench writer engine=postgres process=<i> role=<role> writes=<n> writes_per_s=<x> p50_ms=… p99_ms=… failed=<n>`
//! `bench writers_round_trips engine=postgres <kind>=<round trips per write> …` (the core's count)

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{BodyMark, SessionInput, SessionStatus, SessionTechniqueInput};
use stillpoint::domain::vocab::{MarkKind, Pressure, Region};
use stillpoint::security::clinic_roles::login_role;
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{ClientFields, Error, OpenOptions, Result, Store};

use crate::report::{emit, percentile};

/// The scratch database the writers share, made afresh and dropped at the end.
const DATABASE: &str = "stillpoint_bench_writers_scratch";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn role_id(role: Role) -> &'static str {
    match role {
        Role::Therapist => "therapist",
        Role::Manager => "manager",
        Role::Administrator => "administrator",
    }
}

/// The parent: a fresh clinic database on the server `admin` (a conninfo whose user may
/// create databases and roles), `processes` users with their own login roles (the last two
/// managers when there are four or more, the rest therapists), the children started
/// together, then the checks. Returns an error when a check fails.
pub(crate) fn run(admin: &str, processes: usize, seconds: u64) -> Result<()> {
    let conninfo = format!("{admin} dbname={DATABASE}");
    // Login roles belong to the server, not the database: a run cut short leaves them.
    let guard = Scratch {
        admin: admin.to_owned(),
        roles: (0..processes)
            .map(|i| login_role(DATABASE, &format!("writer{i}")))
            .collect(),
    };
    guard.clean()?;
    postgres::Client::connect(admin, postgres::NoTls)?
        .batch_execute(&format!("CREATE DATABASE {DATABASE}"))?;
    let mut owner = Store::open(OpenOptions::server(conninfo.clone()))?;
    let managers = if processes >= 4 { 2 } else { 0 };
    let mut users = Vec::with_capacity(processes);
    for i in 0..processes {
        let role = if i >= processes - managers {
            Role::Manager
        } else {
            Role::Therapist
        };
        let username = format!("writer{i}");
        // No spaces: it goes into a key=value conninfo as it is.
        let password = format!("writer-{i}-bench-passphrase");
        let (_, login) = owner.add_clinic_user(&NewUser {
            username: username.clone(),
            display_name: format!("Writer {i}"),
            role: Some(role),
            password: password.clone(),
        })?;
        users.push((username, role, login, password));
    }
    drop(owner);
    // The bench pinned itself to one core for the operations; the writers and their server
    // processes may use every core.
    let cores = crate::report::machine_cores().max(1);
    let _ = Command::new("taskset")
        .args([
            "-a",
            "-cp",
            &format!("0-{}", cores - 1),
            &std::process::id().to_string(),
        ])
        .output();

    let exe = std::env::current_exe()?;
    // Every child connects first, then all start at this moment and stop `seconds` later.
    let start_at = now_ms() + 1500;
    let end_at = start_at + seconds * 1000;
    let mut children = Vec::with_capacity(processes);
    for (i, (username, role, login, password)) in users.iter().enumerate() {
        let child = Command::new(&exe)
            .args([
                "--writer",
                &format!("{conninfo} user={login} password={password}"),
                username,
                role_id(*role),
                &start_at.to_string(),
                &end_at.to_string(),
                &(1000 + i).to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()?;
        children.push(child);
    }
    // What each child reported: its writes' latencies, failures, and the acknowledged records.
    let mut per_process: Vec<(Vec<f64>, u64)> = Vec::new();
    let mut records: HashMap<&'static str, Vec<String>> = HashMap::new();
    // A note's last acknowledged (version, status) per note id.
    let mut notes: HashMap<String, (i64, String)> = HashMap::new();
    let mut acked_by: HashMap<String, u64> = HashMap::new();
    // Round trips to the server per kind of write (the core's own count): (sum, writes).
    let mut trips_by_kind: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    // Each child's output read as it comes, all at once (a full pipe would hold a writer up).
    let mut readers = Vec::with_capacity(processes);
    for child in &mut children {
        let out = child
            .stdout
            .take()
            .ok_or_else(|| Error::internal("a writer has no output"))?;
        readers.push(std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .collect::<std::io::Result<Vec<String>>>()
        }));
    }
    for (i, (mut child, reader)) in children.into_iter().zip(readers).enumerate() {
        let lines = reader
            .join()
            .map_err(|_| Error::internal("a writer's output could not be read"))??;
        let mut latencies = Vec::new();
        let mut failed = 0u64;
        for line in lines {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                ["ack", kind, id, ms, n, rest @ ..] => {
                    latencies.push(ms.parse::<f64>().unwrap_or(f64::NAN));
                    *acked_by.entry(users[i].0.clone()).or_default() += 1;
                    let t = trips_by_kind.entry((*kind).to_owned()).or_insert((0, 0));
                    *t = (t.0 + n.parse::<u64>().unwrap_or(0), t.1 + 1);
                    match (*kind, rest) {
                        (note, [version, status]) if note.starts_with("note") => {
                            let version: i64 = version.parse().unwrap_or(i64::MAX);
                            let e = notes
                                .entry((*id).to_owned())
                                .or_insert((version, (*status).to_owned()));
                            if version >= e.0 {
                                *e = (version, (*status).to_owned());
                            }
                        }
                        ("client", _) => records.entry("clients").or_default().push((*id).into()),
                        ("amendment", _) => {
                            records.entry("amendments").or_default().push((*id).into())
                        }
                        ("intake", _) => records.entry("intakes").or_default().push((*id).into()),
                        _ => {}
                    }
                }
                ["failed", n] => failed = n.parse().unwrap_or(0),
                _ => {}
            }
        }
        let status = child.wait()?;
        if !status.success() {
            return Err(Error::internal(format!(
                "writer {i} ended with {status} (its errors are above)"
            )));
        }
        per_process.push((latencies, failed));
    }

    // The checks, as the owner (which row-level security lets read everything).
    let mut db = postgres::Client::connect(&conninfo, postgres::NoTls)?;
    let mut lost = 0u64;
    for (table, ids) in &records {
        let found: i64 = db
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE id = ANY($1)"),
                &[ids],
            )?
            .try_get(0)?;
        lost += u64::try_from(ids.len() as i64 - found).unwrap_or(0);
    }
    let note_ids: Vec<String> = notes.keys().cloned().collect();
    let stored: HashMap<String, (i64, String)> = db
        .query(
            "SELECT id, version, status FROM sessions WHERE id = ANY($1)",
            &[&note_ids],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
        .collect::<std::result::Result<_, postgres::Error>>()?;
    for (id, (version, status)) in &notes {
        match stored.get(id) {
            Some((v, s)) if v >= version && (s == status || s == "signed") => {}
            _ => lost += 1,
        }
    }
    // Every acknowledged write appended one entry in its own transaction: the entries of
    // each writer's actions (refusals aside) equal its acknowledged writes.
    let mut audit_mismatch = 0u64;
    let mut audit_entries = 0u64;
    for (username, _, _, _) in &users {
        let n: i64 = db
            .query_one(
                "SELECT count(*) FROM audit_log WHERE actor = $1 AND action <> 'access.denied'",
                &[username],
            )?
            .try_get(0)?;
        let n = u64::try_from(n).unwrap_or(0);
        audit_entries += n;
        if n != acked_by.get(username).copied().unwrap_or(0) {
            audit_mismatch += 1;
        }
    }
    drop(db);
    let check = stillpoint::security::import::check_server(&conninfo)?;
    let broken = u64::from(!check.audit.intact);

    let mut all = Vec::new();
    let mut failed_total = 0;
    for (i, (latencies, failed)) in per_process.iter_mut().enumerate() {
        let n = latencies.len();
        emit(format!(
            "bench writer engine=postgres process={i} role={} writes={n} writes_per_s={:.1} p50_ms={:.2} p99_ms={:.2} failed={failed}",
            role_id(users[i].1),
            n as f64 / seconds as f64,
            percentile(latencies, 0.5),
            percentile(latencies, 0.99),
        ));
        failed_total += *failed;
        all.extend_from_slice(latencies);
    }
    let total = all.len();
    emit(format!(
        "bench writers engine=postgres processes={processes} seconds={seconds} writes={total} writes_per_s={:.1} per_process_writes_per_s={:.1} p50_ms={:.2} p99_ms={:.2} failed={failed_total} lost={lost} audit_entries={audit_entries} audit_entries_match_writes={} audit_broken={broken} audit_checked={} totals_agree={}",
        total as f64 / seconds as f64,
        total as f64 / seconds as f64 / processes.max(1) as f64,
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.99),
        audit_mismatch == 0,
        check.audit.entries,
        check.totals_agree,
    ));
    emit(format!(
        "bench writers_round_trips engine=postgres {}",
        trips_by_kind
            .iter()
            .map(|(k, (sum, n))| format!("{k}={:.1}", *sum as f64 / (*n).max(1) as f64))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    if lost > 0 || broken > 0 || !check.totals_agree || audit_mismatch > 0 {
        return Err(Error::internal(format!(
            "writers: {lost} acknowledged writes lost, audit chain {} ({}), totals {}, {audit_mismatch} writers whose audit entries differ from their acknowledged writes",
            if broken > 0 { "broken" } else { "intact" },
            check.audit.message,
            if check.totals_agree {
                "agree"
            } else {
                "disagree"
            },
        )));
    }
    Ok(())
}

/// Round trips to the server so far on this store's connection (the core's count).
fn trips(s: &Store) -> u64 {
    match s.sql() {
        stillpoint::db::sql::Conn::Pg(p) => p.round_trips(),
        stillpoint::db::sql::Conn::Sqlite(_) => 0,
    }
}

/// The writers' database and login roles on the bench server, dropped when this goes.
struct Scratch {
    admin: String,
    roles: Vec<String>,
}

impl Scratch {
    fn clean(&self) -> Result<()> {
        let mut server = postgres::Client::connect(&self.admin, postgres::NoTls)?;
        server.batch_execute(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))?;
        for role in &self.roles {
            // The names are made here: "sp_", hex digits, "_writer" and a number.
            server.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""))?;
        }
        Ok(())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = self.clean() {
            eprintln!(
                "(could not drop the writers' database and roles: {})",
                e.message
            );
        }
    }
}

/// One note a therapist is writing, and how far it has got.
struct Draft {
    id: String,
    saves: u32,
}

/// The child: `args` are the conninfo (with the login role and its password), the username,
/// the role, the start and end (ms since the epoch) and a seed. Prints `ack <kind> <id> <ms> <round trips>
/// [version status]` for each acknowledged write, then `failed <n>`.
pub(crate) fn child(args: &[String]) -> Result<()> {
    let [conninfo, username, role, start_at, end_at, seed] = args else {
        return Err(Error::field(
            "args",
            "--writer CONNINFO USER ROLE START END SEED",
        ));
    };
    let role = match role.as_str() {
        "manager" => Role::Manager,
        _ => Role::Therapist,
    };
    let number = |s: &str| -> Result<u64> {
        s.parse()
            .map_err(|_| Error::field("args", format!("{s} is not a number")))
    };
    let (start_at, end_at, seed) = (number(start_at)?, number(end_at)?, number(seed)?);
    let mut s = Store::open_as(
        OpenOptions::server(conninfo.clone()).actor(username.clone()),
        role,
    )?;
    let techniques: Vec<String> = s.sql().all(
        "SELECT id FROM techniques WHERE retired_at IS NULL ORDER BY id",
        stillpoint::args![],
        |r| r.get(0),
    )?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut clients: Vec<String> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut signed: Vec<String> = Vec::new();
    let mut failed = 0u64;
    let mut counter = 0u64;
    std::thread::sleep(Duration::from_millis(start_at.saturating_sub(now_ms())));
    while now_ms() < end_at {
        counter += 1;
        let roll = rng.u32(0..100);
        let trips_before = trips(&s);
        let started = Instant::now();
        // (kind, id, extra) of the acknowledged write, or its error.
        let result: Result<(&str, String, String)> = (|| {
            let new_client = clients.len() < 3 || roll < 4;
            if new_client || (role == Role::Manager && roll < 25) {
                let c = s.create_client(&ClientFields {
                    first_name: format!("W{seed}c{counter}"),
                    last_name: ["Okafor", "Nguyen", "García", "Kowalski"][rng.usize(0..4)].into(),
                    notes: "Tension-type headaches, worse with screen work.".into(),
                    contraindication_flags: if rng.bool() {
                        vec![stillpoint::domain::vocab::Contraindication::Anticoagulants]
                    } else {
                        Vec::new()
                    },
                    ..Default::default()
                })?;
                clients.push(c.id.clone());
                return Ok(("client", c.id, String::new()));
            }
            if role == Role::Manager {
                // Any signed note in the clinic (a read, not timed as a write of its own).
                let note: Option<String> = s.sql().optional(
                    "SELECT id FROM sessions WHERE status = 'signed' ORDER BY random() LIMIT 1",
                    stillpoint::args![],
                    |r| r.get(0),
                )?;
                let Some(note) = note else {
                    let c = s.create_client(&ClientFields {
                        first_name: format!("W{seed}c{counter}"),
                        last_name: "Lindqvist".into(),
                        ..Default::default()
                    })?;
                    clients.push(c.id.clone());
                    return Ok(("client", c.id, String::new()));
                };
                return amend(&mut s, &note, username, counter);
            }
            if drafts.is_empty() || roll < 12 {
                let client = &clients[rng.usize(0..clients.len())];
                let n = s.start_session(client)?;
                drafts.push(Draft {
                    id: n.id.clone(),
                    saves: 0,
                });
                return Ok(("note-start", n.id, format!("{} draft", n.version)));
            }
            if roll < 24 {
                let client = clients[rng.usize(0..clients.len())].clone();
                let i = s.record_intake(
                    &client,
                    &IntakeInput {
                        assessed_on: chrono::Utc::now().date_naive().to_string(),
                        headache_days: Some(f64::from(rng.u8(0..20))),
                        usual_intensity: Some(f64::from(rng.u8(2..9))),
                        sleep_quality: Some(f64::from(rng.u8(2..9))),
                        stress: Some(f64::from(rng.u8(3..10))),
                        ..Default::default()
                    },
                )?;
                return Ok(("intake", i.id, String::new()));
            }
            let ready = drafts.iter().position(|d| d.saves > 0);
            if roll < 34
                && let Some(i) = ready
            {
                let d = drafts.swap_remove(i);
                let n = s.sign_session(&d.id)?;
                signed.push(n.id.clone());
                return Ok(("note-sign", n.id, format!("{} signed", n.version)));
            }
            if roll < 42 && !signed.is_empty() {
                let note = signed[rng.usize(0..signed.len())].clone();
                return amend(&mut s, &note, username, counter);
            }
            // Most writes: a draft saved as it is typed.
            let i = rng.usize(0..drafts.len());
            let d = &mut drafts[i];
            d.saves += 1;
            let technique = techniques
                .get(rng.usize(0..techniques.len().max(1)))
                .cloned()
                .unwrap_or_default();
            let n = s.save_session_draft(
                &d.id,
                &SessionInput {
                    started_at: "2026-11-20T10:00:00Z".into(),
                    duration_minutes: Some(60.0),
                    subjective: format!(
                        "Autosave {counter}: two migraines since last week, neck stiff."
                    ),
                    objective: "Taut band in the right upper trapezius referring to the temple."
                        .into(),
                    assessment: "Rotation improved after treatment.".into(),
                    plan: "Weekly for four weeks; chin tucks at home.".into(),
                    pain_before: Some(f64::from(rng.u8(4..9))),
                    pain_after: Some(f64::from(rng.u8(1..4))),
                    techniques: vec![SessionTechniqueInput {
                        technique_id: technique,
                        regions: vec![Region::UpperTrapeziusRight, Region::SuboccipitalsLeft],
                        pressure: Some(Pressure::Moderate),
                        minutes: Some(20.0),
                        reason: "Referral pattern to the temple.".into(),
                    }],
                    marks: vec![BodyMark {
                        region: Region::UpperTrapeziusRight,
                        kind: MarkKind::TriggerPoint,
                    }],
                    ..Default::default()
                },
            )?;
            let status = if n.status == SessionStatus::Signed {
                "signed"
            } else {
                "draft"
            };
            Ok(("note-save", n.id, format!("{} {status}", n.version)))
        })();
        let took = started.elapsed().as_secs_f64() * 1000.0;
        let trips = trips(&s) - trips_before;
        match result {
            Ok((kind, id, extra)) => println!("ack {kind} {id} {took:.3} {trips} {extra}"),
            Err(e) => {
                failed += 1;
                if failed <= 5 {
                    eprintln!("(writer {username}: a write failed: {})", e.message);
                }
            }
        }
    }
    println!("failed {failed}");
    Ok(())
}

/// An amendment to a signed note; acknowledged as the amendment's id (this user's newest on
/// that note).
fn amend(
    s: &mut Store,
    note: &str,
    username: &str,
    counter: u64,
) -> Result<(&'static str, String, String)> {
    let n = s.amend_session(
        note,
        "Late entry",
        &format!("Amendment {counter}: client phoned, headache eased the next day."),
    )?;
    let id = n
        .amendments
        .iter()
        .filter(|a| a.author == username)
        .map(|a| a.id.clone())
        .max()
        .ok_or_else(|| Error::internal("the amendment is not on the note"))?;
    Ok(("amendment", id, String::new()))
}
