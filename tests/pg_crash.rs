//! The clinic server stopped abruptly while a workstation writes (`pg_ctl stop -m
//! immediate`: the postmaster and every backend are killed, no checkpoint), then started
//! again: every write the app acknowledged is there, the audit chain is intact and the
//! running totals equal a fresh count. Five rounds.
//!
//! This test stops the whole test cluster, so it lives alone in its own test binary (test
//! binaries run one after another; the tests inside one run side by side).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Engine, Place};
use stillpoint::domain::sessions::{SessionInput, SessionStatus, SessionTechniqueInput};
use stillpoint::domain::techniques::seeded::TRIGGER_POINT;
use stillpoint::reports::technique_totals;
use stillpoint::{ClientFields, ErrorCode, Store};

const ROUNDS: usize = 5;

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run through tests/pg/cluster"))
}

/// Run pg_ctl as the cluster's owner (initdb and the server refuse root).
fn pg_ctl(args: &[&str]) {
    if let Err(why) = try_pg_ctl(args) {
        panic!("{why}");
    }
}

fn try_pg_ctl(args: &[&str]) -> Result<(), String> {
    let var = |name: &str| {
        std::env::var(name).map_err(|_| format!("{name} is not set: run through tests/pg/cluster"))
    };
    let ctl = var("STILLPOINT_TEST_PG_CTL")?;
    let data = var("STILLPOINT_TEST_PG_DATA")?;
    let mut cmd = if nix_is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", &var("STILLPOINT_TEST_PG_USER")?, "--", &ctl]);
        c
    } else {
        Command::new(&ctl)
    };
    cmd.args(["-D", &data]).args(args);
    let out = cmd.output().map_err(|e| format!("pg_ctl {args:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "pg_ctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Open the store, waiting for the server to come back.
fn reopen(place: &Place) -> Store {
    let start = Instant::now();
    loop {
        match Store::open(place.options().clock(common::fixed_clock())) {
            Ok(s) => return s,
            Err(e) if start.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("the server did not come back: {e:?}"),
        }
    }
}

/// The value of a write, or `None` once the server has gone away. Any other refusal is a
/// mistake in this test.
fn landed<T>(r: stillpoint::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::Offline | ErrorCode::Storage | ErrorCode::Busy
            ) =>
        {
            eprintln!("the server went away: {}", e.message);
            None
        }
        Err(e) => panic!("unexpected refusal: {e:?}"),
    }
}

/// Write until the server goes away; the ids of every client and signed note acknowledged.
fn write_until_refused(
    place: &Place,
    round: usize,
    give_up: &AtomicBool,
) -> (Vec<String>, Vec<String>) {
    let mut s = reopen(place);
    let mut clients = Vec::new();
    let mut signed = Vec::new();
    // If the server could not be stopped, stop writing rather than write for ever.
    for i in 0.. {
        if give_up.load(Ordering::SeqCst) {
            break;
        }
        let fields = ClientFields {
            first_name: format!("Round{round}"),
            last_name: format!("Client{i}"),
            ..Default::default()
        };
        let Some(client) = landed(s.create_client(&fields)) else {
            break;
        };
        clients.push(client.id.clone());
        let Some(note) = landed(s.start_session(&client.id)) else {
            break;
        };
        let input = SessionInput {
            started_at: "2026-11-21T10:00:00.000Z".into(),
            duration_minutes: Some(45.0),
            pain_before: Some(7.0),
            pain_after: Some(4.0),
            subjective: format!("round {round} note {i}"),
            techniques: vec![SessionTechniqueInput {
                technique_id: TRIGGER_POINT.into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        if landed(s.save_session_draft(&note.id, &input)).is_none() {
            break;
        }
        let Some(n) = landed(s.sign_session(&note.id)) else {
            break;
        };
        signed.push(n.id);
    }
    (clients, signed)
}

#[test]
fn every_acknowledged_write_survives_the_server_being_killed() {
    let place = Place::new(Engine::Postgres);
    let mut clients = Vec::new();
    let mut signed = Vec::new();
    for round in 0..ROUNDS {
        let give_up = AtomicBool::new(false);
        let (stop, (c, n)) = std::thread::scope(|scope| {
            let writer = scope.spawn(|| write_until_refused(&place, round, &give_up));
            std::thread::sleep(Duration::from_millis(300 + 170 * round as u64));
            let stop = try_pg_ctl(&["-m", "immediate", "-w", "stop"]);
            if stop.is_err() {
                give_up.store(true, Ordering::SeqCst);
            }
            (stop, writer.join().unwrap())
        });
        if let Err(why) = stop {
            panic!("round {round}: the server could not be stopped: {why}");
        }
        assert!(
            !c.is_empty(),
            "round {round}: some writes landed before the stop"
        );
        eprintln!(
            "round {round}: {} clients and {} signed notes acknowledged before the stop",
            c.len(),
            n.len()
        );
        clients.extend(c);
        signed.extend(n);
        pg_ctl(&["-l", &env("STILLPOINT_TEST_PG_LOG"), "-w", "start"]);
    }

    let s = reopen(&place);
    for id in &clients {
        s.get_client(id).unwrap();
    }
    for id in &signed {
        assert_eq!(s.get_session(id).unwrap().status, SessionStatus::Signed);
    }
    let check = s.verify_audit().unwrap();
    assert!(check.intact, "{}", check.message);
    assert!(technique_totals::check(s.sql()).unwrap());
}
