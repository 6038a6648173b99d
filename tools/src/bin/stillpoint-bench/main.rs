//! `stillpoint-bench [--engine sqlite|postgres] [--server CONNINFO] [--size small|medium|large]
//! [--seed N] [--keep DIR|DATABASE]`: measurements printed side by side in one run.
//!
//! On SQLite (the default), `--keep DIR` makes the synthetic clinic once in DIR and reuses it
//! (the large one takes minutes to make); the app opens it too (demo accounts).
//!
//! On PostgreSQL (`--engine postgres`), the server is `--server CONNINFO` or else
//! `STILLPOINT_TEST_PG` (a libpq key=value string, as `tests/pg/cluster` exports; its
//! database is only used to create the bench's own). The clinic is written through the core
//! into a database of its own on that server: without `--keep`,
//! `stillpoint_bench_<size>_scratch`, made afresh and dropped at the end; with
//! `--keep DATABASE`, that database, reused when it already holds a complete clinic of this
//! size and seed (the table `stillpoint_bench_clinic`, written once generation has finished,
//! says so), else made again. With `--import DIR` the server's clinic is not written through
//! the core but moved there from the SQLite clinic an earlier run kept in DIR, as a clinic
//! moves to a server (`security::import`): minutes instead of hours at the large size. Only
//! the operations (1. below) are measured there.
//!
//! 1. The operations a therapist or manager feels, on a synthetic clinic (encrypted, as in
//!    the app, on SQLite): our core API against the floor, the least SQL that returns the
//!    same answer, on the same database in the same run (on PostgreSQL: the same server, the
//!    floor on a second connection).
//!    `bench <op> [engine=postgres] n=<samples> ours_p50_ms=<x> ours_p95_ms=<y> floor_p50_ms=<z> ratio_p50=<r>`
//! 2. What encryption at rest costs: the same workload on an unencrypted and an encrypted
//!    database, and the time a login takes (one Argon2id derivation plus opening).
//!
//! Lines:
//! `bench encryption op=<op> n=<samples> plain_p50_ms=<x> encrypted_p50_ms=<y> plain_p95_ms=… encrypted_p95_ms=… ratio_p50=<r>`
//! `bench login n=<samples> p50_ms=<x> p95_ms=<y>`

mod floors;
mod floors_pg;
mod relay;
mod report;
mod startup;
mod writers;

use std::path::Path;

use rusqlite::OptionalExtension;
use std::process::ExitCode;
use std::time::Instant;

use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::search::SearchQuery;
use stillpoint::security::gate::SetupInput;
use stillpoint::security::keys::DbKey;
use stillpoint::{App, ClientFields, OpenOptions, Store, db::database_path};

use floors::{
    floor_backup, floor_chart, floor_dashboard, floor_diary_month, floor_name_prefix, floor_save,
    floor_search,
};
use floors_pg::PgFloor;
use report::{Engine, emit, line, percentile, versus, write_report};
use startup::startup;
use stillpoint_tools::synth::Summary;

const CLIENTS: usize = 300;

/// In a clinic made by an earlier run: the client whose chart holds the most between
/// sessions, as the generator picks it (a year of diary, MIDAS and a care plan; the first
/// made, by id), or failing that any client with a diary.
const DIARY_CLIENT_SQL: &str = "SELECT d.client_id FROM diary_days d
    GROUP BY d.client_id
    ORDER BY EXISTS (SELECT 1 FROM midas_assessments m WHERE m.client_id = d.client_id)
             AND EXISTS (SELECT 1 FROM care_plans p WHERE p.client_id = d.client_id) DESC,
             count(*) DESC, d.client_id
    LIMIT 1";

/// "812 MIDAS, 700 care plans, 38 clients with a year of diary": what the clinic holds
/// between sessions.
fn between_sessions(s: &Summary) -> String {
    format!(
        "{} MIDAS, {} care plans, {} with a year of diary",
        s.midas,
        s.care_plans,
        if s.diaries == 1 {
            "1 client".to_owned()
        } else {
            format!("{} clients", s.diaries)
        }
    )
}

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
            midas: count("SELECT count(*) FROM midas_assessments")?,
            care_plans: count("SELECT count(*) FROM care_plans")?,
            diaries: count("SELECT count(DISTINCT client_id) FROM diary_days")?,
            diary_client: c
                .query_row(DIARY_CLIENT_SQL, [], |r| r.get::<_, String>(0))
                .optional()?,
            client_ids,
        };
        let text = format!(
            "{} clients, {} sessions, {} intakes, {} (made by an earlier run with this seed, kept in {})",
            summary.clients,
            summary.sessions,
            summary.intakes,
            between_sessions(&summary),
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
        "{} clients, {} sessions, {} intakes, {}, generated in {:.1} s",
        synth.clients,
        synth.sessions,
        synth.intakes,
        between_sessions(&synth),
        made.elapsed().as_secs_f64()
    );
    Ok((guard, dir, key, synth, text))
}

/// The least SQL for each operation, on one engine: what ours is timed against.
trait Floor {
    fn chart(&mut self, id: &str) -> stillpoint::Result<()>;
    fn diary_month(&mut self, id: &str) -> stillpoint::Result<()>;
    fn name_prefix(&mut self, prefix: &str) -> stillpoint::Result<()>;
    fn search(&mut self, word: &str) -> stillpoint::Result<()>;
    fn save(&mut self, draft: &str, i: usize) -> stillpoint::Result<()>;
    fn dashboard(&mut self) -> stillpoint::Result<()>;
}

/// The SQLite floors (floors.rs), on a second connection to the same file.
struct SqliteFloor<'c>(&'c rusqlite::Connection);

impl Floor for SqliteFloor<'_> {
    fn chart(&mut self, id: &str) -> stillpoint::Result<()> {
        floor_chart(self.0, id)?;
        Ok(())
    }
    fn diary_month(&mut self, id: &str) -> stillpoint::Result<()> {
        floor_diary_month(self.0, id)?;
        Ok(())
    }
    fn name_prefix(&mut self, prefix: &str) -> stillpoint::Result<()> {
        floor_name_prefix(self.0, prefix)?;
        Ok(())
    }
    fn search(&mut self, word: &str) -> stillpoint::Result<()> {
        floor_search(self.0, word)?;
        Ok(())
    }
    fn save(&mut self, draft: &str, i: usize) -> stillpoint::Result<()> {
        floor_save(self.0, draft, i)
    }
    fn dashboard(&mut self) -> stillpoint::Result<()> {
        floor_dashboard(self.0)
    }
}

/// The PostgreSQL floors (floors_pg.rs), on a second connection to the same database.
impl Floor for PgFloor {
    fn chart(&mut self, id: &str) -> stillpoint::Result<()> {
        PgFloor::chart(self, id)?;
        Ok(())
    }
    fn diary_month(&mut self, id: &str) -> stillpoint::Result<()> {
        PgFloor::diary_month(self, id)?;
        Ok(())
    }
    fn name_prefix(&mut self, prefix: &str) -> stillpoint::Result<()> {
        PgFloor::name_prefix(self, prefix)?;
        Ok(())
    }
    fn search(&mut self, word: &str) -> stillpoint::Result<()> {
        PgFloor::search(self, word)?;
        Ok(())
    }
    fn save(&mut self, draft: &str, i: usize) -> stillpoint::Result<()> {
        PgFloor::save(self, draft, i)
    }
    fn dashboard(&mut self) -> stillpoint::Result<()> {
        PgFloor::dashboard(self)
    }
}

/// The operations a therapist or manager feels, ours through the core `Store` against the
/// floor, on the same database, interleaved (see [`pair`]); one line each.
fn measure(
    s: &mut Store,
    floor: &mut dyn Floor,
    synth: &Summary,
    engine: Engine,
    link: Option<&Link<'_>>,
) -> stillpoint::Result<()> {
    // Through a link: its name after each operation's, and the round trips each call cost
    // ours and the floor (counted by the relays, averaged over every call of the pair).
    let suffix = link.map_or("", |l| l.suffix);
    let trips = || link.map_or((0, 0), |l| (l.ours.round_trips(), l.floor.round_trips()));
    let report = |op: &str, before: (u64, u64), calls: usize, ours: Vec<f64>, fl: Vec<f64>| {
        versus(&format!("{op}{suffix}"), engine, ours, fl);
        if link.is_some() {
            let after = trips();
            let per = |a: u64, b: u64| (b - a) as f64 / calls.max(1) as f64;
            emit(format!(
                "bench round_trips engine=postgres op={op} ours={:.1} floor={:.1}",
                per(before.0, after.0),
                per(before.1, after.1)
            ));
        }
    };
    let ids = &synth.client_ids;
    let n = 50.min(ids.len());
    let chart_of = |i: usize| {
        if i == 0 {
            &synth.busiest_client
        } else {
            &ids[i * 7 % ids.len()]
        }
    };

    let before = trips();
    let (ours, fl) = pair(
        n,
        1,
        |i| {
            // What the history screen calls.
            s.client_chart(chart_of(i))?;
            Ok(())
        },
        |i| floor.chart(chart_of(i)),
    )?;
    report("open_chart", before, n + 1, ours, fl);

    // The chart with the most between sessions: a year of diary, MIDAS and a care plan. The
    // chart alone (client_chart), then as the history screen opens it: the chart and the
    // diary calendar's month (diary_month).
    if let Some(keeper) = synth.diary_client.as_deref() {
        let before = trips();
        let (ours, fl) = pair(
            n,
            1,
            |_| {
                s.client_chart(keeper)?;
                Ok(())
            },
            |_| floor.chart(keeper),
        )?;
        report("open_chart_diary_year", before, n + 1, ours, fl);
        let before = trips();
        let (ours, fl) = pair(
            n,
            1,
            |_| {
                s.client_chart(keeper)?;
                s.diary_month(keeper, None)?;
                Ok(())
            },
            |_| {
                floor.chart(keeper)?;
                floor.diary_month(keeper)
            },
        )?;
        report("open_history_diary_year", before, n + 1, ours, fl);
    } else {
        eprintln!("(no client keeps a diary in this clinic: the diary rows are not measured)");
    }

    let prefixes = ["ma", "jo", "ol", "сh", "ив", "ka", "no", "gon", "pa", "li"];
    let before = trips();
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
        |i| floor.name_prefix(prefixes[i % prefixes.len()]),
    )?;
    report("name_prefix", before, n + prefixes.len().min(n), ours, fl);

    for (op, word) in [
        ("note_search_rare", stillpoint_tools::synth::RARE_WORD),
        ("note_search_common", stillpoint_tools::synth::COMMON_WORD),
    ] {
        let before = trips();
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
            |_| floor.search(word),
        )?;
        report(op, before, n + 1, ours, fl);
    }

    let draft = s.start_session(&synth.busiest_client)?.id;
    // More samples here: the target is on the 99th percentile.
    let saves = 4 * n;
    let before = trips();
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
        |i| floor.save(&draft, i),
    )?;
    report("save_note", before, saves + 1, ours, fl);

    let before = trips();
    let (ours, fl) = pair(
        10,
        1,
        |_| {
            s.dashboard(&DashboardQuery::default())?;
            Ok(())
        },
        |_| floor.dashboard(),
    )?;
    report("dashboard", before, 11, ours, fl);
    Ok(())
}

/// A measured network link: the name its lines carry and the relays ours and the floor
/// go through.
struct Link<'a> {
    suffix: &'a str,
    ours: &'a relay::Relay,
    floor: &'a relay::Relay,
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
    measure(&mut s, &mut SqliteFloor(fc), &synth, Engine::Sqlite, None)?;

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
    versus("backup", Engine::Sqlite, ours, fl);
    Ok(clinic)
}

/// The table that marks a bench database on PostgreSQL as holding a complete clinic (its
/// size, seed and how long it took to make): written only once the generator has committed
/// its last client and the database was vacuumed, so a run cut short leaves no marker.
const MARKER: &str = "stillpoint_bench_clinic";

/// A database on the bench server, dropped when this goes (a scratch clinic, not kept).
struct ScratchDatabase {
    admin: String,
    name: String,
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let dropped = postgres::Client::connect(&self.admin, postgres::NoTls).and_then(|mut c| {
            c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
        });
        if let Err(e) = dropped {
            eprintln!("(could not drop the scratch database {}: {e})", self.name);
        }
    }
}

/// A database name the bench may create and drop: lower-case letters, digits and `_`.
fn database_name(name: &str) -> stillpoint::Result<&str> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(stillpoint::Error::field(
            "keep",
            "On PostgreSQL, --keep names a database: lower-case letters, digits and _.",
        ))
    }
}

/// The synthetic clinic on the PostgreSQL server `admin` (a conninfo): in the kept database
/// when it already holds a complete clinic of this size and seed, else written through the
/// core into a fresh database and then vacuumed and analysed (what autovacuum would have done
/// on a server that had been running). Returns the scratch guard (if not kept), the
/// database's conninfo, what it holds, and a line for the report.
/// What a clinic database on the server holds, as the measurements need it.
fn pg_summary(c: &mut postgres::Client) -> stillpoint::Result<Summary> {
    let count = |c: &mut postgres::Client, sql: &str| -> stillpoint::Result<usize> {
        Ok(usize::try_from(c.query_one(sql, &[])?.try_get::<_, i64>(0)?).unwrap_or(0))
    };
    // Client ids are UUIDv7, issued in the order the clients were made.
    let client_ids = c
        .query("SELECT id FROM clients ORDER BY id", &[])?
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    let busiest = c.query_one(
        "SELECT client_id, count(*) FROM sessions GROUP BY client_id ORDER BY count(*) DESC LIMIT 1",
        &[],
    )?;
    Ok(Summary {
        clients: client_ids.len(),
        intakes: count(c, "SELECT count(*) FROM intakes")?,
        sessions: count(c, "SELECT count(*) FROM sessions")?,
        signed: count(c, "SELECT count(*) FROM sessions WHERE status = 'signed'")?,
        amendments: count(c, "SELECT count(*) FROM amendments")?,
        busiest_client: busiest.try_get(0)?,
        busiest_sessions: usize::try_from(busiest.try_get::<_, i64>(1)?).unwrap_or(0),
        midas: count(c, "SELECT count(*) FROM midas_assessments")?,
        care_plans: count(c, "SELECT count(*) FROM care_plans")?,
        diaries: count(c, "SELECT count(DISTINCT client_id) FROM diary_days")?,
        diary_client: c
            .query_opt(DIARY_CLIENT_SQL, &[])?
            .map(|r| r.try_get::<_, String>(0))
            .transpose()?,
        client_ids,
    })
}

fn pg_clinic(
    admin: &str,
    size: stillpoint_tools::synth::Size,
    size_name: &str,
    seed: u64,
    keep: Option<&str>,
    import_from: Option<&Path>,
) -> stillpoint::Result<(Option<ScratchDatabase>, String, Summary, String)> {
    let name = match keep {
        Some(k) => database_name(k)?.to_owned(),
        None => format!("stillpoint_bench_{size_name}_scratch"),
    };
    let conninfo = format!("{admin} dbname={name}");
    let mut server = postgres::Client::connect(admin, postgres::NoTls)?;
    let exists = server
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])?
        .is_some();
    if keep.is_some() && exists {
        let mut c = postgres::Client::connect(&conninfo, postgres::NoTls)?;
        let marked = c
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&MARKER])?
            .try_get::<_, bool>(0)?;
        let made = if marked {
            c.query_opt(
                &format!(
                    "SELECT generated_seconds, made_at,
                        coalesce(to_jsonb(m) ->> 'how', 'made through the core')
                     FROM {MARKER} m WHERE size = $1 AND seed = $2"
                ),
                &[&size_name, &i64::try_from(seed).unwrap_or(i64::MAX)],
            )?
        } else {
            None
        };
        if let Some(made) = made {
            let (seconds, at, how): (f64, String, String) =
                (made.try_get(0)?, made.try_get(1)?, made.try_get(2)?);
            let summary = pg_summary(&mut c)?;
            let text = format!(
                "{} clients, {} sessions, {} intakes, {} ({how} by an earlier run with this seed at {at}, in {seconds:.1} s, kept in database {name})",
                summary.clients,
                summary.sessions,
                summary.intakes,
                between_sessions(&summary)
            );
            return Ok((None, conninfo, summary, text));
        }
        eprintln!(
            "(database {name} holds no complete clinic of size {size_name}, seed {seed}: making it again)"
        );
    }
    server.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    server.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let guard = keep.is_none().then(|| ScratchDatabase {
        admin: admin.to_owned(),
        name: name.clone(),
    });
    let made = Instant::now();
    let (synth, how) = match import_from {
        Some(dir) => {
            // The SQLite clinic an earlier run kept, moved as a clinic would move to a server.
            use stillpoint::security::keys::{KeyFile, keys_path};
            let key = KeyFile::load(&keys_path(dir))?
                .ok_or_else(|| stillpoint::Error::internal("the kept clinic has no keys.json"))?
                .unlock("admin", stillpoint_tools::demo::DEMO_PASSWORD)?;
            let source = Store::open(OpenOptions::file(database_path(dir)).key(key))?;
            let target = Store::open(OpenOptions::server(conninfo.clone()))?;
            let report = stillpoint::security::import::import(&source, &target)?;
            drop(target);
            let mut c = postgres::Client::connect(&conninfo, postgres::NoTls)?;
            (
                pg_summary(&mut c)?,
                format!(
                    "imported from the SQLite clinic in {} ({} audit entries)",
                    dir.display(),
                    report.audit_entries
                ),
            )
        }
        None => (
            stillpoint_tools::synth::generate_into(
                OpenOptions::server(conninfo.clone()),
                size,
                seed,
                chrono::Utc::now(),
            )?,
            "generated through the core".to_owned(),
        ),
    };
    let generated = made.elapsed().as_secs_f64();
    let settled = Instant::now();
    let mut c = postgres::Client::connect(&conninfo, postgres::NoTls)?;
    c.batch_execute("VACUUM (ANALYZE)")?;
    let vacuumed = settled.elapsed().as_secs_f64();
    c.batch_execute(&format!(
        "CREATE TABLE {MARKER} (size TEXT NOT NULL, seed BIGINT NOT NULL,
             generated_seconds DOUBLE PRECISION NOT NULL, made_at TEXT NOT NULL, how TEXT)"
    ))?;
    c.execute(
        &format!(
            "INSERT INTO {MARKER} (size, seed, generated_seconds, made_at, how) VALUES ($1, $2, $3, $4, $5)"
        ),
        &[
            &size_name,
            &i64::try_from(seed).unwrap_or(i64::MAX),
            &generated,
            &chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            &how,
        ],
    )?;
    let text = format!(
        "{} clients, {} sessions, {} intakes, {}, {how} in {generated:.1} s (then VACUUM ANALYZE, {vacuumed:.1} s)",
        synth.clients,
        synth.sessions,
        synth.intakes,
        between_sessions(&synth)
    );
    Ok((guard, conninfo, synth, text))
}

/// Half the round trip the network link adds: 1 ms between a room and the server.
const LINK_ONE_WAY: std::time::Duration = std::time::Duration::from_micros(500);

/// Put the server processes serving ours and the floor on the first core and this program on
/// the second, when the server runs on this machine (and we may): otherwise the core each
/// backend happens to land on, beside this program or across from it, decides more than the
/// code does (one chart read measured at ratios from 0.58 to 2.22 across four runs of the
/// same build, with both backends free to move). Says what it did.
fn place_on_cores(s: &Store, floor: &mut PgFloor) -> stillpoint::Result<String> {
    let ours_backend: i64 = s
        .sql()
        .value("SELECT pg_backend_pid()::bigint", stillpoint::args![])?;
    let floor_backend = floor.backend_pid()?;
    if report::machine_cores() < 2 {
        return Ok("one core: ours, the floor and the server share it".to_owned());
    }
    let pin = |pid: String, cpu: &str| {
        std::process::Command::new("taskset")
            .args(["-a", "-cp", cpu, &pid])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let backends = [ours_backend, floor_backend]
        .iter()
        .all(|pid| pin(pid.to_string(), "0"));
    Ok(if backends && pin(std::process::id().to_string(), "1") {
        "both server backends pinned to core 0, the bench to core 1".to_owned()
    } else {
        "the server's processes could not be pinned (a remote server, or no taskset): \
         placement left to the scheduler, ratios vary more"
            .to_owned()
    })
}

/// The operations on PostgreSQL: ours through the core opened on the server, the floor on
/// a second connection to the same database. Returns the clinic's line and the server's.
fn operations_pg(
    admin: &str,
    size: stillpoint_tools::synth::Size,
    size_name: &str,
    seed: u64,
    keep: Option<&str>,
    import_from: Option<&Path>,
) -> stillpoint::Result<(String, String)> {
    let (guard, conninfo, synth, clinic) =
        pg_clinic(admin, size, size_name, seed, keep, import_from)?;
    eprintln!("(synthetic clinic on PostgreSQL: {clinic})");
    let server = {
        let mut s = Store::open(OpenOptions::server(conninfo.clone()))?;
        let mut floor = PgFloor::connect(&conninfo)?;
        let placement = place_on_cores(&s, &mut floor)?;
        eprintln!("({placement})");
        measure(&mut s, &mut floor, &synth, Engine::Postgres, None)?;
        let info = floor.server_info()?;
        drop((s, floor));

        // Again through a link that adds LINK_ONE_WAY each way (a 1 ms round trip), each
        // connection through its own relay, which counts its round trips.
        let upstream = relay::Upstream::of(&conninfo);
        let (ours_link, floor_link) = (
            relay::Relay::start(upstream.clone(), LINK_ONE_WAY)?,
            relay::Relay::start(upstream, LINK_ONE_WAY)?,
        );
        let via = |port: u16| {
            let rest: Vec<&str> = conninfo
                .split_whitespace()
                .filter(|kv| !kv.starts_with("host=") && !kv.starts_with("port="))
                .collect();
            format!("host=127.0.0.1 port={port} {}", rest.join(" "))
        };
        let mut s = Store::open(OpenOptions::server(via(ours_link.port)))?;
        let mut floor = PgFloor::connect(&via(floor_link.port))?;
        place_on_cores(&s, &mut floor)?;
        let mut rtt = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            s.sql()
                .value::<i64>("SELECT 1::bigint", stillpoint::args![])?;
            rtt.push(ms(t));
        }
        emit(format!(
            "bench link engine=postgres added_each_way_ms={:.1} select1_p50_ms={:.3}",
            LINK_ONE_WAY.as_secs_f64() * 1000.0,
            percentile(&mut rtt, 0.5)
        ));
        let link = Link {
            suffix: "@1ms",
            ours: &ours_link,
            floor: &floor_link,
        };
        measure(&mut s, &mut floor, &synth, Engine::Postgres, Some(&link))?;
        format!("{info}; {placement}")
    };
    // Every connection is closed by now: the scratch database can go.
    drop(guard);
    Ok((clinic, server))
}

fn run() -> stillpoint::Result<()> {
    let mut size = stillpoint_tools::synth::SMALL;
    let mut size_name = "small";
    let mut seed = 42u64;
    let mut write: Option<String> = None;
    let mut keep: Option<String> = None;
    let mut apps: Option<(String, String)> = None;
    let mut engine = Engine::Sqlite;
    let mut server: Option<String> = None;
    let mut import_from: Option<std::path::PathBuf> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A writer process of the several-workstations run (writers.rs), started by the bench.
    if args.first().is_some_and(|a| a == "--writer") {
        return writers::child(&args[1..]);
    }
    let mut writers_seconds: Option<u64> = None;
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
            ("--engine", Some("sqlite")) => engine = Engine::Sqlite,
            ("--engine", Some("postgres")) => engine = Engine::Postgres,
            ("--server", Some(conninfo)) => server = Some(conninfo.to_owned()),
            ("--write", Some(path)) => write = Some(path.to_owned()),
            ("--keep", Some(path)) => keep = Some(path.into()),
            ("--import", Some(path)) => import_from = Some(path.into()),
            ("--startup", Some(app)) => match it.next() {
                Some(bare) => apps = Some((app.to_owned(), bare.to_owned())),
                None => return Err(stillpoint::Error::field("args", "--startup APP BARE")),
            },
            ("--seed", Some(n)) => seed = n.parse().unwrap_or(42),
            ("--writers-seconds", Some(n)) => writers_seconds = n.parse().ok(),
            _ => {
                eprintln!(
                    "usage: stillpoint-bench [--engine sqlite|postgres] [--server CONNINFO] [--size small|medium|large] [--seed N] [--keep DIR|DATABASE] [--import DIR] [--write FILE.md] [--startup APP BARE] [--writers-seconds N]"
                );
                return Err(stillpoint::Error::field("args", "unknown argument"));
            }
        }
    }
    if engine == Engine::Postgres {
        if apps.is_some() {
            return Err(stillpoint::Error::field(
                "args",
                "--startup measures the app beside a bare window: run it with --engine sqlite",
            ));
        }
        let admin = match server.or_else(|| std::env::var("STILLPOINT_TEST_PG").ok()) {
            Some(s) if !s.trim().is_empty() => s,
            _ => {
                return Err(stillpoint::Error::field(
                    "server",
                    "--engine postgres needs --server CONNINFO or STILLPOINT_TEST_PG (tests/pg/cluster run -- … sets it)",
                ));
            }
        };
        let (clinic, server) = operations_pg(
            &admin,
            size,
            size_name,
            seed,
            keep.as_deref(),
            import_from.as_deref(),
        )?;
        // Eight workstations writing at once: a minute, or a few seconds at the small size
        // (the smoke run inside make test).
        let seconds = writers_seconds.unwrap_or(if size_name == "small" { 5 } else { 60 });
        if seconds > 0 {
            writers::run(&admin, 8, seconds)?;
        }
        if let Some(path) = write {
            write_report(&path, engine, size_name, seed, &clinic, Some(&server))?;
            eprintln!("(wrote {path})");
        }
        return Ok(());
    }
    let clinic = operations(size, seed, keep.as_deref().map(Path::new))?;
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
        clinic_name: None,
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
        write_report(&path, engine, size_name, seed, &clinic, None)?;
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
