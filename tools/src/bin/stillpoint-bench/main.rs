//! `stillpoint-bench [--size small|medium|large] [--seed N] [--keep DIR]`: measurements printed
//! side by side in one run. `--keep DIR` makes the synthetic clinic once in DIR and reuses it
//! (the large one takes minutes to make); the app opens it too (demo accounts).
//!
//! 1. The operations a therapist or manager feels, on a synthetic clinic (encrypted, as in
//!    the app): our core API against the floor, the least SQL that returns the same answer,
//!    on the same file in the same run.
//!    `bench <op> n=<samples> ours_p50_ms=<x> ours_p95_ms=<y> floor_p50_ms=<z> ratio_p50=<r>`
//! 2. What encryption at rest costs: the same workload on an unencrypted and an encrypted
//!    database, and the time a login takes (one Argon2id derivation plus opening).
//!
//! Lines:
//! `bench encryption op=<op> n=<samples> plain_p50_ms=<x> encrypted_p50_ms=<y> plain_p95_ms=… encrypted_p95_ms=… ratio_p50=<r>`
//! `bench login n=<samples> p50_ms=<x> p95_ms=<y>`

mod floors;
mod report;
mod startup;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::search::SearchQuery;
use stillpoint::security::gate::SetupInput;
use stillpoint::security::keys::DbKey;
use stillpoint::{App, ClientFields, OpenOptions, Store, db::database_path};

use floors::{
    floor_backup, floor_chart, floor_dashboard, floor_name_prefix, floor_save, floor_search,
};
use report::{emit, line, percentile, versus, write_report};
use startup::startup;

const CLIENTS: usize = 300;

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

struct Timings {
    create_client: Vec<f64>,
    save_note: Vec<f64>,
    open_chart: Vec<f64>,
    search_notes: Vec<f64>,
    dashboard: Vec<f64>,
}

fn workload(dir: &Path, key: Option<DbKey>) -> stillpoint::Result<Timings> {
    let mut opts = OpenOptions::file(database_path(dir));
    if let Some(k) = key {
        opts = opts.key(k);
    }
    let mut s = Store::open(opts)?;
    let mut t = Timings {
        create_client: Vec::new(),
        save_note: Vec::new(),
        open_chart: Vec::new(),
        search_notes: Vec::new(),
        dashboard: Vec::new(),
    };
    let mut ids = Vec::new();
    for i in 0..CLIENTS {
        let start = Instant::now();
        let c = s.create_client(&ClientFields {
            first_name: format!("Client{i}"),
            last_name: ["Smith", "Okafor", "Nguyen", "García", "Kowalski"][i % 5].into(),
            notes: "Tension-type headaches, worse with screen work.".into(),
            ..Default::default()
        })?;
        t.create_client.push(ms(start));
        ids.push(c.id);
    }
    for (i, id) in ids.iter().enumerate() {
        let session = s.start_session(id)?.id;
        let start = Instant::now();
        s.save_session_draft(
            &session,
            &SessionInput {
                started_at: "2026-11-20T10:00:00Z".into(),
                duration_minutes: Some(60.0),
                subjective: format!("Visit {i}: two migraines since last week, neck stiff."),
                objective: "Taut band in the right upper trapezius referring to the temple.".into(),
                assessment: "Rotation improved after treatment.".into(),
                plan: "Weekly for four weeks; chin tucks at home.".into(),
                pain_before: Some(6.0),
                pain_after: Some(3.0),
                techniques: vec![SessionTechniqueInput {
                    technique_id: stillpoint_tools::demo::TRIGGER_POINT.into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )?;
        t.save_note.push(ms(start));
    }
    for id in ids.iter().step_by(3) {
        let start = Instant::now();
        s.get_client(id)?;
        s.client_history(id)?;
        s.client_outcomes(id)?;
        t.open_chart.push(ms(start));
    }
    for word in ["trapezius", "migraines", "rotation", "chin", "temple"]
        .iter()
        .cycle()
        .take(50)
    {
        let start = Instant::now();
        s.search(&SearchQuery {
            text: (*word).into(),
            include_archived: false,
            client_id: None,
            from: None,
            to: None,
            limit: 50,
        })?;
        t.search_notes.push(ms(start));
    }
    for _ in 0..20 {
        let start = Instant::now();
        s.dashboard(&DashboardQuery::default())?;
        t.dashboard.push(ms(start));
    }
    Ok(t)
}

/// Time `ours` and `floor` `n` times each, alternating which goes first, so neither gains
/// from running after the other (warmer caches, a machine that has settled).
///
/// The first `warm` inputs are run once untimed by both first: what is timed is the steady
/// state of a clinic's day, not the first read of each page of the file after the machine
/// did something else (the large file is 3.4 GB; other runs push it out of the OS cache).
fn pair(
    n: usize,
    warm: usize,
    mut ours: impl FnMut(usize) -> stillpoint::Result<()>,
    mut floor: impl FnMut(usize) -> stillpoint::Result<()>,
) -> stillpoint::Result<(Vec<f64>, Vec<f64>)> {
    for i in 0..warm.min(n) {
        ours(i)?;
        floor(i)?;
    }
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let one = |f: &mut dyn FnMut(usize) -> stillpoint::Result<()>,
                   out: &mut Vec<f64>|
         -> stillpoint::Result<()> {
            let start = Instant::now();
            f(i)?;
            out.push(ms(start));
            Ok(())
        };
        if i % 2 == 0 {
            one(&mut ours, &mut a)?;
            one(&mut floor, &mut b)?;
        } else {
            one(&mut floor, &mut b)?;
            one(&mut ours, &mut a)?;
        }
    }
    Ok((a, b))
}

/// The synthetic clinic to measure: made afresh in a temporary folder, or, with `--keep DIR`,
/// made once in DIR (with the demo accounts, so the app can open it too) and reused by later
/// runs. Returns the folder's guard (if temporary), its path, the key and what it holds.
fn clinic(
    size: stillpoint_tools::synth::Size,
    seed: u64,
    keep: Option<&Path>,
) -> stillpoint::Result<(
    Option<tempfile::TempDir>,
    std::path::PathBuf,
    DbKey,
    stillpoint_tools::synth::Summary,
    String,
)> {
    use stillpoint::security::keys::{KeyFile, keys_path};
    if let Some(dir) = keep
        && database_path(dir).exists()
    {
        let key = KeyFile::load(&keys_path(dir))?
            .ok_or_else(|| stillpoint::Error::internal("the kept clinic has no keys.json"))?
            .unlock("admin", stillpoint_tools::demo::DEMO_PASSWORD)?;
        let s = Store::open(OpenOptions::file(database_path(dir)).key(key.clone()))?;
        let c = s.conn()?;
        let count = |sql: &str| -> stillpoint::Result<usize> {
            Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as usize)
        };
        let client_ids = c
            .prepare("SELECT id FROM clients ORDER BY rowid")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (busiest_client, busiest_sessions): (String, i64) = c.query_row(
            "SELECT client_id, count(*) FROM sessions GROUP BY client_id ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let summary = stillpoint_tools::synth::Summary {
            clients: client_ids.len(),
            intakes: count("SELECT count(*) FROM intakes")?,
            sessions: count("SELECT count(*) FROM sessions")?,
            signed: count("SELECT count(*) FROM sessions WHERE status = 'signed'")?,
            amendments: count("SELECT count(*) FROM amendments")?,
            busiest_client,
            busiest_sessions: busiest_sessions as usize,
            client_ids,
        };
        let text = format!(
            "{} clients, {} sessions, {} intakes (made by an earlier run with this seed, kept in {})",
            summary.clients,
            summary.sessions,
            summary.intakes,
            dir.display()
        );
        return Ok((None, dir.to_path_buf(), key, summary, text));
    }
    let (guard, dir, key) = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let key = stillpoint_tools::demo::demo_accounts(dir, stillpoint::db::system_clock())?;
            (None, dir.to_path_buf(), key)
        }
        None => {
            let t = tempfile::tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p, DbKey::generate()?)
        }
    };
    let made = Instant::now();
    let synth =
        stillpoint_tools::synth::generate(&dir, size, seed, chrono::Utc::now(), Some(key.clone()))?;
    let text = format!(
        "{} clients, {} sessions, {} intakes, generated in {:.1} s",
        synth.clients,
        synth.sessions,
        synth.intakes,
        made.elapsed().as_secs_f64()
    );
    Ok((guard, dir, key, synth, text))
}

fn operations(
    size: stillpoint_tools::synth::Size,
    seed: u64,
    keep: Option<&Path>,
) -> stillpoint::Result<String> {
    let (_guard, dir, key, synth, clinic) = clinic(size, seed, keep)?;
    eprintln!("(synthetic clinic: {clinic})");
    let mut s = Store::open(OpenOptions::file(database_path(&dir)).key(key.clone()))?;
    let floor = Store::open(OpenOptions::file(database_path(&dir)).key(key))?;
    let fc = floor.conn()?;
    let ids = &synth.client_ids;
    let n = 50.min(ids.len());

    let (ours, fl) = pair(
        n,
        1,
        |i| {
            let id = if i == 0 {
                &synth.busiest_client
            } else {
                &ids[i * 7 % ids.len()]
            };
            // What the history screen calls.
            s.client_chart(id)?;
            Ok(())
        },
        |i| {
            let id = if i == 0 {
                &synth.busiest_client
            } else {
                &ids[i * 7 % ids.len()]
            };
            floor_chart(fc, id)?;
            Ok(())
        },
    )?;
    versus("open_chart", ours, fl);

    let prefixes = ["ma", "jo", "ol", "сh", "ив", "ka", "no", "gon", "pa", "li"];
    let (ours, fl) = pair(
        n,
        prefixes.len(),
        |i| {
            s.list_clients(&stillpoint::ClientQuery {
                search: prefixes[i % prefixes.len()].into(),
                limit: 100,
                ..Default::default()
            })?;
            Ok(())
        },
        |i| {
            floor_name_prefix(fc, prefixes[i % prefixes.len()])?;
            Ok(())
        },
    )?;
    versus("name_prefix", ours, fl);

    for (op, word) in [
        ("note_search_rare", stillpoint_tools::synth::RARE_WORD),
        ("note_search_common", stillpoint_tools::synth::COMMON_WORD),
    ] {
        let (ours, fl) = pair(
            n,
            1,
            |_| {
                s.search(&SearchQuery {
                    text: word.into(),
                    include_archived: true,
                    client_id: None,
                    from: None,
                    to: None,
                    limit: 50,
                })?;
                Ok(())
            },
            |_| {
                floor_search(fc, word)?;
                Ok(())
            },
        )?;
        versus(op, ours, fl);
    }

    let draft = s.start_session(&synth.busiest_client)?.id;
    // More samples here: the target is on the 99th percentile.
    let saves = 4 * n;
    let (ours, fl) = pair(
        saves,
        1,
        |i| {
            s.save_session_draft(
                &draft,
                &SessionInput {
                    started_at: "2026-11-20T10:00:00Z".into(),
                    subjective: format!("Autosave {i}: neck stiff, two headaches this week."),
                    ..Default::default()
                },
            )?;
            Ok(())
        },
        |i| floor_save(fc, &draft, i),
    )?;
    versus("save_note", ours, fl);

    let (ours, fl) = pair(
        10,
        1,
        |_| {
            s.dashboard(&DashboardQuery::default())?;
            Ok(())
        },
        |_| floor_dashboard(fc),
    )?;
    versus("dashboard", ours, fl);

    let backups = tempfile::tempdir()?;
    let (ours, fl) = pair(
        3,
        0,
        |_| {
            s.backup_scheduled(backups.path(), &mut |_| {})?;
            Ok(())
        },
        |i| floor_backup(fc, &backups.path().join(format!("floor-{i}.db"))),
    )?;
    versus("backup", ours, fl);
    Ok(clinic)
}

fn run() -> stillpoint::Result<()> {
    let mut size = stillpoint_tools::synth::SMALL;
    let mut size_name = "small";
    let mut seed = 42u64;
    let mut write: Option<String> = None;
    let mut keep: Option<std::path::PathBuf> = None;
    let mut apps: Option<(String, String)> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next().map(String::as_str)) {
            ("--size", Some("small")) => size = stillpoint_tools::synth::SMALL,
            ("--size", Some("medium")) => {
                (size, size_name) = (stillpoint_tools::synth::MEDIUM, "medium")
            }
            ("--size", Some("large")) => {
                (size, size_name) = (stillpoint_tools::synth::LARGE, "large")
            }
            ("--write", Some(path)) => write = Some(path.to_owned()),
            ("--keep", Some(path)) => keep = Some(path.into()),
            ("--startup", Some(app)) => match it.next() {
                Some(bare) => apps = Some((app.to_owned(), bare.to_owned())),
                None => return Err(stillpoint::Error::field("args", "--startup APP BARE")),
            },
            ("--seed", Some(n)) => seed = n.parse().unwrap_or(42),
            _ => {
                eprintln!(
                    "usage: stillpoint-bench [--size small|medium|large] [--seed N] [--keep DIR] [--write FILE.md] [--startup APP BARE]"
                );
                return Err(stillpoint::Error::field("args", "unknown argument"));
            }
        }
    }
    let clinic = operations(size, seed, keep.as_deref())?;
    let plain_dir = tempfile::tempdir()?;
    let enc_dir = tempfile::tempdir()?;
    // Interleave nothing: each workload runs alone on its own file, plain first.
    let mut plain = workload(plain_dir.path(), None)?;
    let mut enc = workload(enc_dir.path(), Some(DbKey::generate()?))?;
    line(
        "create_client",
        &mut plain.create_client,
        &mut enc.create_client,
    );
    line("save_note", &mut plain.save_note, &mut enc.save_note);
    line("open_chart", &mut plain.open_chart, &mut enc.open_chart);
    line(
        "search_notes",
        &mut plain.search_notes,
        &mut enc.search_notes,
    );
    line("dashboard", &mut plain.dashboard, &mut enc.dashboard);

    let login_dir = tempfile::tempdir()?;
    let mut app = App::start_in(login_dir.path().to_path_buf());
    app.setup(&SetupInput {
        username: "admin".into(),
        display_name: "Bench Admin".into(),
        password: "bench passphrase".into(),
    })?;
    let mut logins = Vec::new();
    for _ in 0..10 {
        app.logout();
        let start = Instant::now();
        app.login("admin", "bench passphrase")?;
        logins.push(ms(start));
    }
    emit(format!(
        "bench login n={} p50_ms={:.1} p95_ms={:.1}",
        logins.len(),
        percentile(&mut logins, 0.5),
        percentile(&mut logins, 0.95)
    ));
    if let Some((app, bare)) = apps {
        startup(&app, &bare, 9)?;
    }
    if let Some(path) = write {
        write_report(&path, size_name, seed, &clinic)?;
        eprintln!("(wrote {path})");
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stillpoint-bench: {}", e.message);
            ExitCode::FAILURE
        }
    }
}
