//! The clinic server goes away while a therapist types (`pg_ctl stop -m immediate`), and
//! comes back. Through `App`, as the desktop shell uses it: the outage is noticed and said;
//! writes are refused as `offline`; the note being typed is kept on this computer,
//! encrypted, and arrives when the server is back (also after the app was closed meanwhile);
//! signing waits for the server; saves kept going while the server stops and starts lose
//! nothing acknowledged and write nothing twice; the audit chain stays intact.
//!
//! This test stops the whole test cluster, so it lives alone in its own test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Engine, Place};
use stillpoint::domain::sessions::SessionInput;
use stillpoint::security::clinic_link::JoinInput;
use stillpoint::security::drafts::DRAFTS_DIR;
use stillpoint::security::keys::DEFAULT_KDF;
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{App, ClientFields, ErrorCode, Phase, Store};

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run through tests/pg/cluster"))
}

fn pg_ctl(args: &[&str]) {
    let ctl = env("STILLPOINT_TEST_PG_CTL");
    let data = env("STILLPOINT_TEST_PG_DATA");
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", &env("STILLPOINT_TEST_PG_USER"), "--", &ctl]);
        c
    } else {
        Command::new(&ctl)
    };
    let out = cmd.args(["-D", &data]).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "pg_ctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stop_server() {
    pg_ctl(&["-m", "immediate", "stop"]);
}

fn start_server() {
    pg_ctl(&["-l", &env("STILLPOINT_TEST_PG_LOG"), "-w", "start"]);
}

/// Starts the server again if the test fails while it is stopped (the next binaries need it).
struct Restart;
impl Drop for Restart {
    fn drop(&mut self) {
        let ctl = env("STILLPOINT_TEST_PG_CTL");
        let data = env("STILLPOINT_TEST_PG_DATA");
        let status = Command::new("runuser")
            .args([
                "-u",
                &env("STILLPOINT_TEST_PG_USER"),
                "--",
                &ctl,
                "-D",
                &data,
                "status",
            ])
            .output();
        if status.is_ok_and(|s| !s.status.success()) {
            start_server();
        }
    }
}

fn join_input(place: &Place) -> JoinInput {
    let tls = env("STILLPOINT_TEST_PG_TLS");
    let get = |k: &str| {
        tls.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    let Place::Pg { name, .. } = place else {
        unreachable!()
    };
    JoinInput {
        host: get("host"),
        port: get("port"),
        database: name.clone(),
        ca_file: env("STILLPOINT_TEST_PG_CA"),
        username: "tess".into(),
        password: "tess passphrase 1".into(),
    }
}

fn text(subjective: &str) -> SessionInput {
    SessionInput {
        started_at: "2026-11-30T09:00:00Z".into(),
        subjective: subjective.into(),
        ..Default::default()
    }
}

fn kept_files(dir: &std::path::Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir.join(DRAFTS_DIR).join("tess")) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "draft"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The note's text as the server holds it, read by the clinic's owner.
fn on_server(place: &Place, id: &str) -> String {
    place
        .superuser()
        .query_one("SELECT subjective FROM sessions WHERE id = $1", &[&id])
        .unwrap()
        .get(0)
}

fn app(dir: &std::path::Path) -> App {
    App::start_with(dir.to_path_buf(), Arc::new(chrono::Utc::now), DEFAULT_KDF)
}

#[test]
fn a_note_typed_while_the_server_is_away_is_kept_here_and_arrives_once_it_is_back() {
    let _restart = Restart;
    let place = Place::new(Engine::Postgres);
    place
        .open()
        .add_clinic_user(&NewUser {
            username: "tess".into(),
            display_name: "Tess Therapist".into(),
            role: Some(Role::Therapist),
            password: "tess passphrase 1".into(),
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ws = app(dir.path());
    ws.join_clinic(&join_input(&place)).unwrap();
    let client = ws
        .logged_in_store()
        .unwrap()
        .create_client(&ClientFields {
            first_name: "Nadia".into(),
            last_name: "Quist".into(),
            ..Default::default()
        })
        .unwrap();
    let note = ws
        .logged_in_store()
        .unwrap()
        .start_session(&client.id)
        .unwrap();
    ws.save_session_draft(&note.id, &text("before the outage"))
        .unwrap();

    // The server stops: noticed, said, and writes are refused as offline.
    stop_server();
    let noticed = Instant::now();
    let link = ws.check_link();
    assert!(!link.reachable);
    assert!(link.message.unwrap().contains("can't be reached"));
    assert!(noticed.elapsed() < Duration::from_secs(3));
    let e = ws
        .logged_in_store()
        .unwrap()
        .create_client(&ClientFields {
            first_name: "Not".into(),
            last_name: "Saved".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline, "{e:?}");

    // Typing goes on: the draft is kept here, encrypted, and says so.
    let e = ws
        .save_session_draft(
            &note.id,
            &text("typed while the server was away: Quillonbeck"),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline);
    assert!(e.message.contains("kept on this computer"), "{e:?}");
    let kept = kept_files(dir.path());
    assert_eq!(kept.len(), 1);
    assert!(!String::from_utf8_lossy(&std::fs::read(&kept[0]).unwrap()).contains("Quillonbeck"));
    assert_eq!(ws.check_link().unsent_drafts, 1);
    // Signing waits for the server.
    let e = ws
        .logged_in_store()
        .unwrap()
        .sign_session(&note.id)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline);

    // Back: the link is made again and the kept draft arrives.
    start_server();
    let link = ws.check_link();
    assert!(link.reachable);
    assert_eq!(link.unsent_drafts, 0);
    assert!(kept_files(dir.path()).is_empty());
    assert_eq!(
        on_server(&place, &note.id),
        "typed while the server was away: Quillonbeck"
    );

    // Away again, and the app is closed before the server is back: the next login sends it.
    stop_server();
    assert!(!ws.check_link().reachable);
    ws.save_session_draft(&note.id, &text("kept over a restart of the app"))
        .unwrap_err();
    drop(ws);
    start_server();
    let mut ws = app(dir.path());
    assert_eq!(ws.status().phase, Phase::Login);
    ws.login("tess", "tess passphrase 1").unwrap();
    assert!(kept_files(dir.path()).is_empty());
    assert_eq!(
        on_server(&place, &note.id),
        "kept over a restart of the app"
    );

    // Saves keep going while the server stops and starts under them: everything
    // acknowledged is there, and the last version typed arrives.
    let stopping = Arc::new(AtomicBool::new(false));
    let outage = {
        let stopping = stopping.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            stopping.store(true, Ordering::SeqCst);
            stop_server();
            std::thread::sleep(Duration::from_millis(1500));
            start_server();
            stopping.store(false, Ordering::SeqCst);
        })
    };
    let mut acknowledged = 0u32;
    let mut refused = 0u32;
    let mut typed = 0u32;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && (typed < 20 || refused == 0 || !outage.is_finished()) {
        typed += 1;
        match ws.save_session_draft(&note.id, &text(&format!("version {typed}"))) {
            Ok(saved) => {
                assert_eq!(saved.subjective, format!("version {typed}"));
                acknowledged = typed;
            }
            Err(e) => {
                assert_eq!(e.code, ErrorCode::Offline, "{e:?}");
                refused += 1;
                ws.check_link();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    outage.join().unwrap();
    assert!(refused > 0, "the server never went away under the saves");
    let link = ws.check_link();
    assert!(link.reachable);
    assert_eq!(link.unsent_drafts, 0);
    let stored = on_server(&place, &note.id);
    assert_eq!(
        stored,
        format!("version {typed}"),
        "the last version typed arrived"
    );
    assert!(acknowledged > 0 && acknowledged <= typed);

    // Nothing written twice: one note, and the audit chain holds.
    let owner = Store::open(place.options()).unwrap();
    let notes: i64 = place
        .superuser()
        .query_one(
            "SELECT count(*) FROM sessions WHERE client_id = $1",
            &[&client.id],
        )
        .unwrap()
        .get(0);
    assert_eq!(notes, 1);
    let verified = owner.verify_audit().unwrap();
    assert!(verified.intact, "{verified:?}");
    let nobody: i64 = place
        .superuser()
        .query_one(
            "SELECT count(*) FROM clients WHERE last_name = 'Saved'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(nobody, 0);
}
