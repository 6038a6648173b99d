//! The crash harness. `stillpoint-crash run --trials N [--dir DIR]` starts a writer process
//! that saves notes through the core and reports each write once its transaction has
//! committed; it kills the writer with SIGKILL at a random moment, reopens the database,
//! runs `PRAGMA integrity_check`, and checks every write acknowledged before the kill is
//! there. Trial after trial on the same file. It ends with
//! `crash-trials: N integrity-failures: F lost-acknowledged: L` and fails unless both are 0.
//!
//! `stillpoint-crash setup [--random N]` kills first-run setup: at each of its steps
//! ([`SetupStep`]), on an empty data folder and on one holding a database from before
//! encryption, then N times at random moments. After each kill the app starts again and
//! must either open the data (log in works, the administrator and every earlier record are
//! there) or show setup again with nothing half-made (no key file, no staging database, the
//! earlier database unencrypted and whole), after which setup must succeed; never a
//! database it cannot open. It ends with `setup-kills: N failures: F`.
//!
//! `stillpoint-crash writer DIR` is the writer (started by `run`). The database is encrypted
//! as in the app: the writer unlocks the key file with the harness's password. Every 500
//! trials start on a new database, so a long soak does not spend its time checking one huge
//! file.

const USER: &str = "crash";
const PASSWORD: &str = "crash harness password";
const TRIALS_PER_DATABASE: u32 = 500;

fn open_store(dir: &Path) -> stillpoint::Result<Store> {
    let key = KeyFile::load(&keys_path(dir))?
        .ok_or_else(|| stillpoint::Error::internal("no key file"))?
        .unlock(USER, PASSWORD)?;
    Store::open(OpenOptions::file(database_path(dir)).key(key))
}

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use stillpoint::domain::sessions::{SessionInput, SessionStatus, SessionTechniqueInput};
use stillpoint::domain::vocab::Region;
use stillpoint::security::gate::{SetupInput, SetupStep, setup_staging_path};
use stillpoint::security::keys::{DEFAULT_KDF, KeyFile, keys_path};
use stillpoint::{App, ClientFields, OpenOptions, Phase, Store, db::database_path};

fn random() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("writer") => match args.get(1) {
            Some(dir) => writer(Path::new(dir)),
            None => usage(),
        },
        Some("setup-child") => match (args.get(1), args.get(2)) {
            (Some(dir), Some(step)) => setup_child(Path::new(dir), step),
            _ => usage(),
        },
        Some("setup") => {
            let mut random_kills = 20u32;
            let mut it = args.iter().skip(1);
            while let Some(a) = it.next() {
                match (a.as_str(), it.next().map(|n| n.parse())) {
                    ("--random", Some(Ok(n))) => random_kills = n,
                    _ => return usage(),
                }
            }
            setup_kills(random_kills)
        }
        Some("run") => {
            let mut trials = 200u32;
            let mut dir: Option<PathBuf> = None;
            let mut it = args.iter().skip(1);
            while let Some(a) = it.next() {
                match (a.as_str(), it.next()) {
                    ("--trials", Some(n)) => match n.parse() {
                        Ok(n) => trials = n,
                        Err(_) => return usage(),
                    },
                    ("--dir", Some(d)) => dir = Some(PathBuf::from(d)),
                    _ => return usage(),
                }
            }
            run(trials, dir)
        }
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: stillpoint-crash run [--trials N] [--dir DIR] | stillpoint-crash setup [--random N] | stillpoint-crash writer DIR"
    );
    ExitCode::from(2)
}

/// Write forever: a client, then notes for it, some signed. Each line on stdout is printed
/// only after the write's transaction committed: that is the acknowledgement.
fn writer(dir: &Path) -> ExitCode {
    let mut store = match open_store(dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("writer: {}", e.message);
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "ready").and_then(|_| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    let tag = random() % 1_000_000;
    let mut n = 0u64;
    loop {
        n += 1;
        let client = match store.create_client(&ClientFields {
            first_name: format!("Crash{tag}n{n}"),
            last_name: "Trial".into(),
            notes: "x".repeat(200 + (n as usize % 7) * 300),
            ..Default::default()
        }) {
            Ok(c) => c.id,
            Err(e) => {
                eprintln!("writer: {}", e.message);
                return ExitCode::FAILURE;
            }
        };
        let mut line = format!("client {client} Crash{tag}n{n}\n");
        for k in 0..3 {
            let text = format!("note {tag}-{n}-{k}");
            let session = store.start_session(&client).and_then(|s| {
                store.save_session_draft(
                    &s.id,
                    &SessionInput {
                        started_at: "2026-11-20T10:00:00Z".into(),
                        subjective: text.clone(),
                        pain_before: Some(5.0),
                        pain_after: Some(3.0),
                        duration_minutes: Some(45.0),
                        objective: "Taut band, left upper trapezius.".repeat(1 + k),
                        techniques: vec![SessionTechniqueInput {
                            technique_id: stillpoint_tools::demo::TRIGGER_POINT.into(),
                            regions: vec![Region::UpperTrapeziusLeft],
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                )
            });
            let id = match session {
                Ok(s) => s.id,
                Err(e) => {
                    eprintln!("writer: {}", e.message);
                    return ExitCode::FAILURE;
                }
            };
            line.push_str(&format!("note {id} {text}\n"));
            if k == 1 {
                if let Err(e) = store.sign_session(&id) {
                    eprintln!("writer: {}", e.message);
                    return ExitCode::FAILURE;
                }
                line.push_str(&format!("signed {id}\n"));
            }
            if out
                .write_all(line.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            line.clear();
        }
    }
}

/// Acknowledged writes not found after the crash.
fn missing(store: &Store, acks: &[String]) -> Vec<String> {
    let mut lost = Vec::new();
    for ack in acks {
        let parts: Vec<&str> = ack.splitn(3, ' ').collect();
        let present = match parts.as_slice() {
            ["client", id, name] => store
                .get_client(id)
                .map(|c| c.fields.first_name == *name)
                .unwrap_or(false),
            ["note", id, text] => store
                .get_session(id)
                .map(|s| s.subjective == *text)
                .unwrap_or(false),
            ["signed", id] => store
                .get_session(id)
                .map(|s| s.status == SessionStatus::Signed)
                .unwrap_or(false),
            _ => true,
        };
        if !present {
            lost.push(ack.clone());
        }
    }
    lost
}

fn run(trials: u32, dir: Option<PathBuf>) -> ExitCode {
    let temp;
    let dir = match dir {
        Some(d) => d,
        None => match tempfile::tempdir() {
            Ok(t) => {
                temp = t;
                temp.path().to_path_buf()
            }
            Err(e) => {
                eprintln!("no temporary folder: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let me = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot find this program: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut integrity_failures, mut lost_total, mut acked_total) = (0u32, 0usize, 0usize);
    let mut db_dir = dir.clone();
    for trial in 1..=trials {
        if (trial - 1) % TRIALS_PER_DATABASE == 0 {
            db_dir = dir.join(format!("db-{}", (trial - 1) / TRIALS_PER_DATABASE));
            let made = std::fs::create_dir_all(&db_dir).and_then(|_| {
                KeyFile::create(USER, PASSWORD, DEFAULT_KDF)
                    .and_then(|(file, _, _)| file.save(&keys_path(&db_dir)))
                    .map_err(|e| std::io::Error::other(e.message))
            });
            if let Err(e) = made {
                eprintln!("cannot prepare {}: {e}", db_dir.display());
                return ExitCode::FAILURE;
            }
        }
        let child = Command::new(&me)
            .arg("writer")
            .arg(&db_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                eprintln!("cannot start the writer: {e}");
                return ExitCode::FAILURE;
            }
        };
        let Some(stdout) = child.stdout.take() else {
            return ExitCode::FAILURE;
        };
        // Read acknowledgements on a thread; kill from here at a random moment after "ready".
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut acks = Vec::new();
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(l) if l == "ready" => {}
            other => {
                eprintln!("trial {trial}: the writer did not start ({other:?})");
                child.kill().ok();
                child.wait().ok();
                return ExitCode::FAILURE;
            }
        }
        std::thread::sleep(Duration::from_micros(random() % 40_000));
        child.kill().ok(); // SIGKILL on Unix
        child.wait().ok();
        reader.join().ok();
        // Only whole lines count: a line cut by the kill was never acknowledged.
        acks.extend(rx.try_iter());
        acked_total += acks.len();

        let store = match open_store(&db_dir) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("trial {trial}: the database did not reopen: {}", e.message);
                integrity_failures += 1;
                continue;
            }
        };
        let check: stillpoint::Result<String> = store.conn().and_then(|c| {
            Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))?)
        });
        if check.as_deref() != Ok("ok") {
            eprintln!("trial {trial}: integrity_check says {check:?}");
            integrity_failures += 1;
        }
        let lost = missing(&store, &acks);
        for l in &lost {
            eprintln!("trial {trial}: acknowledged but missing: {l}");
        }
        lost_total += lost.len();
    }
    eprintln!(
        "({acked_total} acknowledged writes checked in {})",
        dir.display()
    );
    println!(
        "crash-trials: {trials} integrity-failures: {integrity_failures} lost-acknowledged: {lost_total}"
    );
    if integrity_failures == 0 && lost_total == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

const SETUP_PASSWORD: &str = "setup crash password";
const LEGACY_CLIENT: &str = "Quillonbeck";

fn setup_input() -> SetupInput {
    SetupInput {
        username: "admin".into(),
        display_name: "Alex Admin".into(),
        password: SETUP_PASSWORD.into(),
        clinic_name: Some("Crash Test Clinic".into()),
    }
}

/// Run setup in `dir`, printing each step as it is reached; at `stop` (a step's name) print
/// "paused" and wait to be killed. `random` stops nowhere (killed at a random moment).
fn setup_child(dir: &Path, stop: &str) -> ExitCode {
    let mut app = App::start_in(dir.to_path_buf());
    let mut out = std::io::stdout();
    let _ = writeln!(out, "started").and_then(|_| out.flush());
    let done = app.setup_observed(&setup_input(), &mut |step| {
        let _ = writeln!(out, "{}", step.name()).and_then(|_| out.flush());
        if step.name() == stop {
            let _ = writeln!(out, "paused").and_then(|_| out.flush());
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
    });
    match done {
        Ok(_) => {
            let _ = writeln!(out, "done").and_then(|_| out.flush());
            // Killed here too: after setup, before the app would have gone on.
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
        Err(e) => {
            eprintln!("setup-child: {}", e.message);
            ExitCode::FAILURE
        }
    }
}

/// A database from before encryption, holding one client.
fn make_legacy(dir: &Path) -> stillpoint::Result<()> {
    let mut plain = Store::open(OpenOptions::file(database_path(dir)))?;
    plain.create_client(&ClientFields {
        first_name: LEGACY_CLIENT.into(),
        last_name: "Legacy".into(),
        ..Default::default()
    })?;
    Ok(())
}

/// What a start after the kill must find. `Ok(phase)` when it is sound.
fn check_after_kill(dir: &Path, legacy: bool) -> Result<Phase, String> {
    let mut app = App::start_in(dir.to_path_buf());
    let status = app.status();
    let staging = setup_staging_path(dir);
    match status.phase {
        Phase::Setup => {
            if keys_path(dir).exists() {
                return Err("setup shows again, but keys.json is there".into());
            }
            if staging.exists() {
                return Err("setup shows again, with the staging database left".into());
            }
            if legacy != status.has_unencrypted_data {
                return Err(format!(
                    "the earlier unencrypted database is {} (expected {})",
                    if status.has_unencrypted_data {
                        "there"
                    } else {
                        "gone"
                    },
                    if legacy { "there" } else { "none" },
                ));
            }
            if !legacy && database_path(dir).exists() {
                return Err("setup shows again, with a database left in place".into());
            }
            // Setup again, to the end.
            app.setup(&setup_input())
                .map_err(|e| format!("setup again failed: {}", e.message))?;
            app.logout();
            check_opens(dir, legacy)?;
            Ok(Phase::Setup)
        }
        Phase::Login => {
            if staging.exists() {
                return Err("set up, but the staging database is still there".into());
            }
            check_opens(dir, legacy)?;
            Ok(Phase::Login)
        }
        other => Err(format!(
            "the app starts as {other:?}: {}",
            status.error.map(|e| e.message).unwrap_or_default()
        )),
    }
}

/// Log in and find the administrator, the clinic's name and any earlier record, intact.
fn check_opens(dir: &Path, legacy: bool) -> Result<(), String> {
    let mut app = App::start_in(dir.to_path_buf());
    let status = app
        .login("admin", SETUP_PASSWORD)
        .map_err(|e| format!("log in failed: {}", e.message))?;
    if status.phase != Phase::Ready {
        return Err(format!("logged in, but {:?}", status.phase));
    }
    let store = app.logged_in_store().map_err(|e| e.message)?;
    let check: String = store
        .conn()
        .and_then(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .map_err(|e| e.message)?;
    if check != "ok" {
        return Err(format!("integrity_check says {check}"));
    }
    let name = store.clinic_settings().map_err(|e| e.message)?.name;
    if name != "Crash Test Clinic" {
        return Err(format!("the clinic's name is {name:?}"));
    }
    let clients = store
        .list_clients(&Default::default())
        .map_err(|e| e.message)?;
    let has_legacy = clients.items.iter().any(|c| c.first_name == LEGACY_CLIENT);
    if has_legacy != legacy {
        return Err(format!("the earlier client is there: {has_legacy}"));
    }
    Ok(())
}

/// Start a setup child in a fresh folder; kill it at `stop` (a step's name, or "done"), or
/// after `delay` once it has started (`stop` = "random").
fn kill_setup(
    me: &Path,
    dir: &Path,
    legacy: bool,
    stop: &str,
    delay: Duration,
) -> Result<Phase, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    if legacy {
        make_legacy(dir).map_err(|e| e.message)?;
    }
    let mut child = Command::new(me)
        .arg("setup-child")
        .arg(dir)
        .arg(stop)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the setup child: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |want: &str| -> Result<(), String> {
        loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(l) if l == want => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(format!("the setup child never said {want:?} ({e})")),
            }
        }
    };
    let waited = if stop == "random" {
        wait_for("started").map(|_| std::thread::sleep(delay))
    } else {
        wait_for(if stop == "done" { "done" } else { "paused" })
    };
    child.kill().ok(); // SIGKILL on Unix
    child.wait().ok();
    reader.join().ok();
    waited?;
    check_after_kill(dir, legacy)
}

fn setup_kills(random_kills: u32) -> ExitCode {
    let Ok(temp) = tempfile::tempdir() else {
        eprintln!("no temporary folder");
        return ExitCode::FAILURE;
    };
    let me = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot find this program: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut kills, mut failures) = (0u32, 0u32);
    let mut trial = 0u32;
    let mut run_one = |legacy: bool, stop: &str, delay: Duration, expect: Option<Phase>| {
        trial += 1;
        kills += 1;
        let dir = temp.path().join(format!("setup-{trial}"));
        let what = format!(
            "{} at {stop}{}",
            if legacy { "legacy" } else { "fresh" },
            if stop == "random" {
                format!(" +{delay:?}")
            } else {
                String::new()
            }
        );
        match kill_setup(&me, &dir, legacy, stop, delay) {
            Ok(phase) if expect.is_none_or(|p| p == phase) => {
                eprintln!("killed {what}: then {phase:?}, sound");
            }
            Ok(phase) => {
                eprintln!("killed {what}: then {phase:?}, expected {expect:?}");
                failures += 1;
            }
            Err(e) => {
                eprintln!("killed {what}: {e}");
                failures += 1;
            }
        }
    };
    for legacy in [false, true] {
        for step in SetupStep::ALL {
            // Before keys.json, nothing was set up; from it on, setup is done.
            let expect = match step {
                SetupStep::StagingOpen | SetupStep::StagingWritten => Phase::Setup,
                SetupStep::KeysWritten | SetupStep::Installed => Phase::Login,
            };
            run_one(legacy, step.name(), Duration::ZERO, Some(expect));
        }
        run_one(legacy, "done", Duration::ZERO, Some(Phase::Login));
    }
    // A whole setup takes a few hundred milliseconds here (the key derivation most of it).
    for k in 0..random_kills {
        let delay = Duration::from_micros(random() % 600_000);
        run_one(k % 2 == 1, "random", delay, None);
    }
    println!("setup-kills: {kills} failures: {failures}");
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_check_finds_a_missing_acknowledged_write_and_passes_a_present_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
        let c = s
            .create_client(&ClientFields {
                first_name: "Present".into(),
                last_name: "Here".into(),
                ..Default::default()
            })
            .unwrap();
        let acks = vec![
            format!("client {} Present", c.id),
            format!("client {} Renamed", c.id),
            "client 01900000-0000-7000-8000-0000000000ff Gone".to_owned(),
            "note 01900000-0000-7000-8000-0000000000fe lost words".to_owned(),
            "signed 01900000-0000-7000-8000-0000000000fe".to_owned(),
        ];
        assert_eq!(missing(&s, &acks).len(), 4);
    }
}
