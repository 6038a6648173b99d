//! `stillpoint-clinic` as whoever runs the clinic server uses it: moving a single-computer
//! Stillpoint onto the server, then checking the server. Runs against the throwaway cluster
//! that `make test` starts (STILLPOINT_TEST_PG); without one it fails, never skips.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use stillpoint::security::gate::SetupInput;
use stillpoint::security::keys::DEFAULT_KDF;
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{App, ClientFields};

const ADMIN_PW: &str = "admin passphrase 1";
const TESS_PW: &str = "tess passphrase 1";

fn cluster() -> String {
    std::env::var("STILLPOINT_TEST_PG").unwrap_or_else(|_| {
        panic!("STILLPOINT_TEST_PG is not set: run with `make unit` or `tests/pg/cluster run -- cargo test`")
    })
}

/// An empty database on the cluster; its conninfo.
fn database() -> String {
    let name = format!(
        "clinic_cli_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    postgres::Client::connect(&cluster(), postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    format!("{} dbname={name}", cluster())
}

/// A single-computer Stillpoint with an administrator, a therapist and two clients; its
/// recovery key.
fn single_computer(dir: &std::path::Path) -> String {
    let mut app = App::start_with(
        dir.to_path_buf(),
        Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()),
        DEFAULT_KDF,
    );
    let done = app
        .setup(&SetupInput {
            username: "admin".into(),
            display_name: "Alex Admin".into(),
            password: ADMIN_PW.into(),
            clinic_name: None,
        })
        .unwrap();
    app.add_user(&NewUser {
        username: "tess".into(),
        display_name: "Tess Therapist".into(),
        role: Some(Role::Therapist),
        password: TESS_PW.into(),
    })
    .unwrap();
    for first in ["Ann", "Zoë"] {
        app.logged_in_store()
            .unwrap()
            .create_client(&ClientFields {
                first_name: first.into(),
                last_name: "Smith".into(),
                ..Default::default()
            })
            .unwrap();
    }
    done.recovery_key
}

fn clinic(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stillpoint-clinic"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads its input (an unknown role, a bad argument) may
    // exit before this is written: a broken pipe then is not a failure of the test.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn clients_on(conninfo: &str) -> i64 {
    let mut c = postgres::Client::connect(conninfo, postgres::NoTls).unwrap();
    let exists: bool = c
        .query_one("SELECT to_regclass('clients') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    if !exists {
        return -1;
    }
    c.query_one("SELECT count(*) FROM clients", &[])
        .unwrap()
        .get(0)
}

#[test]
fn an_administrator_moves_the_clinic_and_the_server_checks_out() {
    let dir = tempfile::tempdir().unwrap();
    single_computer(dir.path());
    let server = database();
    let folder = dir.path().to_str().unwrap();
    let out = clinic(
        &["import", folder, "--server", &server, "--secret-stdin"],
        &format!("{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("clients"), "{said}");
    assert!(said.contains("audit chain"), "{said}");
    assert_eq!(clients_on(&server), 2);

    let out = clinic(&["check", "--server", &server], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("intact"),
        "{}",
        text(&out.stdout)
    );

    // A second import into the same database is refused; nothing doubles.
    let out = clinic(
        &["import", folder, "--server", &server, "--secret-stdin"],
        &format!("{ADMIN_PW}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already holds records"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(clients_on(&server), 2);
}

#[test]
fn a_wrong_password_or_a_therapist_moves_nothing_and_the_recovery_key_does() {
    let dir = tempfile::tempdir().unwrap();
    let recovery = single_computer(dir.path());
    let folder = dir.path().to_str().unwrap();
    let server = database();

    let out = clinic(
        &["import", folder, "--server", &server, "--secret-stdin"],
        "not the password\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not right"),
        "{}",
        text(&out.stderr)
    );
    // The server was not even touched: no schema.
    assert_eq!(clients_on(&server), -1);

    let out = clinic(
        &[
            "import",
            folder,
            "--server",
            &server,
            "--username",
            "tess",
            "--secret-stdin",
        ],
        &format!("{TESS_PW}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Only an administrator"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(clients_on(&server), -1);

    let out = clinic(
        &[
            "import",
            folder,
            "--server",
            &server,
            "--recovery-key",
            "--secret-stdin",
        ],
        &format!("{recovery}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(clients_on(&server), 2);
}

#[test]
fn bad_arguments_say_what_is_wrong() {
    let out = clinic(&["import"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--server"),
        "{}",
        text(&out.stderr)
    );
    let out = clinic(&["frobnicate", "--server", "host=/nowhere"], "");
    assert!(text(&out.stderr).contains("unknown command"));
    let out = clinic(&["import", "a", "b"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = clinic(
        &[
            "import",
            "/no/such/folder",
            "--server",
            "host=/nowhere",
            "--secret-stdin",
        ],
        "x\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("keys.json"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_owner_adds_a_user_who_then_logs_in_over_tls_with_their_password() {
    let server = database();
    // The schema first (a fresh database): a check migrates it.
    assert!(clinic(&["check", "--server", &server], "").status.success());
    let out = clinic(
        &[
            "add-user",
            "sam",
            "--name",
            "Sam Rivera",
            "--role",
            "therapist",
            "--server",
            &server,
            "--secret-stdin",
        ],
        "sam's passphrase 1\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Sam Rivera (sam) as therapist"), "{said}");
    let login = said
        .split("log in to the server as ")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches('.')
        .to_owned();

    // Sam's workstation: TLS against the test CA, Sam's login and password.
    let tls = std::env::var("STILLPOINT_TEST_PG_TLS").unwrap();
    let ca = std::env::var("STILLPOINT_TEST_PG_CA").unwrap();
    // The last dbname= wins (the cluster's conninfo names "postgres" first).
    let dbname = server
        .split_whitespace()
        .rfind(|kv| kv.starts_with("dbname="))
        .unwrap();
    let base: Vec<&str> = tls
        .split_whitespace()
        .filter(|kv| ["host=", "port="].iter().any(|k| kv.starts_with(k)))
        .collect();
    let conninfo = format!(
        "{} {dbname} user={login} password='sam\\'s passphrase 1'",
        base.join(" ")
    );
    let s = stillpoint::Store::open(stillpoint::OpenOptions::server(conninfo.clone()).tls_ca(&ca))
        .unwrap();
    let me: Option<String> = s
        .sql()
        .value("SELECT stillpoint_user()", stillpoint::args![])
        .unwrap();
    assert_eq!(me.as_deref(), Some("sam"));
    // The right login at a database with no clinic in it: said plainly.
    let elsewhere = conninfo.replace(dbname, "dbname=postgres");
    let err = stillpoint::Store::open(stillpoint::OpenOptions::server(elsewhere).tls_ca(&ca))
        .unwrap_err();
    assert_eq!(err.code, stillpoint::ErrorCode::NotOpen);
    assert!(
        err.message.contains("holds no Stillpoint clinic"),
        "{}",
        err.message
    );
    let wrong = conninfo.replace("sam\\'s passphrase 1", "guess");
    assert!(stillpoint::Store::open(stillpoint::OpenOptions::server(wrong).tls_ca(&ca)).is_err());

    // The same username again, a bad role, a hostile username: refused, nothing added.
    for (args, says) in [
        (
            vec![
                "add-user",
                "sam",
                "--name",
                "Sam Two",
                "--role",
                "therapist",
            ],
            "taken",
        ),
        (
            vec!["add-user", "kim", "--name", "Kim", "--role", "boss"],
            "unknown role",
        ),
        (
            vec![
                "add-user",
                "'; DROP ROLE postgres; --",
                "--name",
                "M",
                "--role",
                "therapist",
            ],
            "username",
        ),
    ] {
        let mut args = args;
        args.extend(["--server", &server, "--secret-stdin"]);
        let out = clinic(&args, "a long passphrase 1\n");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
}
