//! A workstation joins its clinic's server through `App`, as the desktop shell uses it: the
//! join form's every wrong value gets its own message under its field and writes nothing;
//! once joined, people log in as their own login roles over TLS; an administrator adds,
//! disables, enables and resets users, which become the server's role operations; wrong
//! passwords are throttled; what exists only on one computer (recovery key, backups here)
//! is refused with what to do instead. Runs against the throwaway cluster's TLS listener.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{TimeZone, Utc};
use common::{Engine, Place};
use stillpoint::security::clinic_link::{CA_FILE, CLINIC_FILE, JoinInput};
use stillpoint::security::clinic_roles::login_role;
use stillpoint::security::drafts::DRAFTS_DIR;
use stillpoint::security::keys::DEFAULT_KDF;
use stillpoint::security::users::{NewUser, ProfileInput, Role};
use stillpoint::{App, ClientFields, ErrorCode, Phase};

struct Server {
    host: String,
    port: String,
    ca: PathBuf,
}

fn server() -> Server {
    let tls = std::env::var("STILLPOINT_TEST_PG_TLS")
        .expect("STILLPOINT_TEST_PG_TLS is not set: run with `tests/pg/cluster run -- cargo test`");
    let ca = std::env::var("STILLPOINT_TEST_PG_CA").expect("STILLPOINT_TEST_PG_CA is not set");
    let get = |k: &str| {
        tls.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    Server {
        host: get("host"),
        port: get("port"),
        ca: PathBuf::from(ca),
    }
}

struct Workstation {
    dir: tempfile::TempDir,
    now: Arc<AtomicI64>,
}

impl Workstation {
    fn new() -> Workstation {
        Workstation {
            dir: tempfile::tempdir().unwrap(),
            now: Arc::new(AtomicI64::new(
                Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
                    .unwrap()
                    .timestamp(),
            )),
        }
    }

    fn app(&self) -> App {
        let now = self.now.clone();
        App::start_with(
            self.dir.path().to_path_buf(),
            Arc::new(move || Utc.timestamp_opt(now.load(Ordering::SeqCst), 0).unwrap()),
            DEFAULT_KDF,
        )
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn database_of(place: &Place) -> String {
    match place {
        Place::Pg { name, .. } => name.clone(),
        Place::Dir(_) => unreachable!(),
    }
}

/// A clinic database with an administrator and a therapist, each their own login.
fn clinic() -> Place {
    let place = Place::new(Engine::Postgres);
    let mut owner = place.open();
    for (username, name, role, password) in [
        (
            "alex",
            "Alex Admin",
            Role::Administrator,
            "admin passphrase 1",
        ),
        (
            "tess",
            "Tess Therapist",
            Role::Therapist,
            "tess passphrase 1",
        ),
    ] {
        owner
            .add_clinic_user(&NewUser {
                username: username.into(),
                display_name: name.into(),
                role: Some(role),
                password: password.into(),
            })
            .unwrap();
    }
    place
}

fn join_input(s: &Server, place: &Place, username: &str, password: &str) -> JoinInput {
    JoinInput {
        host: s.host.clone(),
        port: s.port.clone(),
        database: database_of(place),
        ca_file: s.ca.display().to_string(),
        username: username.into(),
        password: password.into(),
    }
}

fn another_ca(dir: &Path) -> PathBuf {
    let out = dir.join("other-ca.crt");
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=Not the clinic", "-keyout"])
        .arg(dir.join("other-ca.key"))
        .arg("-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success());
    out
}

#[test]
fn joining_names_the_field_that_is_wrong_and_writes_nothing_until_it_works() {
    let s = server();
    let place = clinic();
    let ws = Workstation::new();
    let scratch = tempfile::tempdir().unwrap();
    let mut app = ws.app();
    assert_eq!(app.status().phase, Phase::Setup);

    let good = join_input(&s, &place, "alex", "admin passphrase 1");
    // A port nothing listens on: the server cannot be reached.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let cases: Vec<(JoinInput, &str, ErrorCode, &str)> = vec![
        (
            JoinInput {
                host: "no-such-host.invalid".into(),
                ..good.clone()
            },
            "host",
            ErrorCode::NotOpen,
            "No computer by that name",
        ),
        (
            JoinInput {
                host: "".into(),
                ..good.clone()
            },
            "host",
            ErrorCode::Validation,
            "",
        ),
        (
            JoinInput {
                port: "'; DROP TABLE clients; --".into(),
                ..good.clone()
            },
            "port",
            ErrorCode::Validation,
            "",
        ),
        (
            JoinInput {
                port: closed_port,
                ..good.clone()
            },
            "host",
            ErrorCode::NotOpen,
            "may be down",
        ),
        (
            JoinInput {
                ca_file: another_ca(scratch.path()).display().to_string(),
                ..good.clone()
            },
            "ca_file",
            ErrorCode::NotOpen,
            "certificate was not accepted",
        ),
        (
            JoinInput {
                password: "not the password".into(),
                ..good.clone()
            },
            "password",
            ErrorCode::NotOpen,
            "did not accept this username and password",
        ),
        (
            JoinInput {
                username: "nobody".into(),
                ..good.clone()
            },
            "password",
            ErrorCode::NotOpen,
            "did not accept this username and password",
        ),
        (
            JoinInput {
                database: "no_such_clinic".into(),
                ..good.clone()
            },
            // The role is named from the database, so no login matches it either: the
            // server says only that the login failed (it names no databases to strangers).
            "password",
            ErrorCode::NotOpen,
            "did not accept this username and password",
        ),
    ];
    for (input, field, code, says) in cases {
        let e = app.join_clinic(&input).unwrap_err();
        assert!(e.message.contains(says), "{input:?}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{input:?}: {e:?}");
        assert_eq!(e.code, code, "{input:?}: {e:?}");
        assert!(!e.message.is_empty());
        assert_eq!(app.status().phase, Phase::Setup);
        assert!(ws.files().is_empty(), "{:?} after {input:?}", ws.files());
    }

    let status = app.join_clinic(&good).unwrap();
    assert_eq!(status.phase, Phase::Ready);
    assert_eq!(status.user.as_ref().unwrap().username, "alex");
    let server = status.clinic.unwrap();
    assert_eq!(server.database, database_of(&place));
    assert_eq!(
        ws.files(),
        vec![
            CA_FILE.to_owned(),
            CLINIC_FILE.to_owned(),
            DRAFTS_DIR.to_owned()
        ]
    );
    let kept = std::fs::read_to_string(ws.dir.path().join(CLINIC_FILE)).unwrap();
    assert!(!kept.contains("passphrase"), "no password on this computer");

    // Started again, the workstation goes straight to the login screen for its server.
    drop(app);
    let mut app = ws.app();
    assert_eq!(app.status().phase, Phase::Login);
    assert!(app.status().clinic.is_some());
    assert_eq!(
        app.login("alex", "wrong").unwrap_err().field.as_deref(),
        Some("password")
    );
    app.login("Alex", "admin passphrase 1").unwrap();
    assert_eq!(app.status().phase, Phase::Ready);
}

#[test]
fn an_administrator_manages_logins_from_the_app_and_the_server_enforces_them() {
    let s = server();
    let place = clinic();
    let front = Workstation::new();
    let room = Workstation::new();
    let mut admin = front.app();
    admin
        .join_clinic(&join_input(&s, &place, "alex", "admin passphrase 1"))
        .unwrap();

    // A new therapist, added in the Administration screen: their own login on the server.
    let added = admin
        .add_user(&NewUser {
            username: "Rui".into(),
            display_name: "Rui Therapist".into(),
            role: Some(Role::Therapist),
            password: "rui passphrase 1".into(),
        })
        .unwrap();
    assert_eq!(added.username, "rui");
    let mut rui = room.app();
    rui.join_clinic(&join_input(&s, &place, "rui", "rui passphrase 1"))
        .unwrap();
    let mine = rui
        .logged_in_store()
        .unwrap()
        .create_client(&ClientFields {
            first_name: "Mina".into(),
            last_name: "Rui's client".into(),
            ..Default::default()
        })
        .unwrap();
    // The audit entry is by the login.
    let actor: String = place
        .superuser()
        .query_one(
            "SELECT actor FROM audit_log WHERE entity = 'client' AND entity_id = $1",
            &[&mine.id],
        )
        .unwrap()
        .get(0);
    assert_eq!(actor, "rui");

    // Tess (a therapist on the server already) cannot read Rui's client, even by id.
    let tess_ws = Workstation::new();
    let mut tess = tess_ws.app();
    tess.join_clinic(&join_input(&s, &place, "tess", "tess passphrase 1"))
        .unwrap();
    let refused = tess.logged_in_store().unwrap().get_client(&mine.id);
    assert_eq!(refused.unwrap_err().code, ErrorCode::Forbidden);
    let recorded: i64 = place
        .superuser()
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'tess'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(recorded, 1, "the refusal is in the audit log, by the login");

    // Disabled: the server takes the login away, so the next login is refused as disabled.
    rui.logout();
    admin
        .logged_in_store()
        .unwrap()
        .set_user_disabled("rui", true)
        .unwrap();
    let e = rui.login("rui", "rui passphrase 1").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("username"), "{e:?}");
    assert!(e.message.contains("disabled"), "{e:?}");
    admin
        .logged_in_store()
        .unwrap()
        .set_user_disabled("rui", false)
        .unwrap();
    rui.login("rui", "rui passphrase 1").unwrap();
    rui.logout();

    // A new password set by the administrator: the old one no longer works.
    admin
        .set_user_password("rui", "rui new passphrase")
        .unwrap();
    assert_eq!(
        rui.login("rui", "rui passphrase 1")
            .unwrap_err()
            .field
            .as_deref(),
        Some("password")
    );
    rui.login("rui", "rui new passphrase").unwrap();

    // Rui changes their own; the current one is checked by the server.
    let e = rui
        .change_password("not it", "rui third passphrase")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("current_password"));
    let e = rui
        .change_password("rui new passphrase", "short")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("new_password"));
    rui.change_password("rui new passphrase", "rui third passphrase")
        .unwrap();
    rui.logout();
    rui.login("rui", "rui third passphrase").unwrap();

    // A therapist's app cannot manage logins, and neither can their login on the server.
    let e = rui
        .add_user(&NewUser {
            username: "eve".into(),
            display_name: "Eve".into(),
            role: Some(Role::Administrator),
            password: "eve passphrase 1".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = rui.set_user_password("tess", "taken over 1").unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    // Straight to the server with a plain SQL client as Rui's login: refused there too.
    let Place::Pg { conninfo, name } = &place else {
        unreachable!()
    };
    let mut sql = postgres::Client::connect(
        &format!("{conninfo} user={}", login_role(name, "rui")),
        postgres::NoTls,
    )
    .unwrap();
    let verifier = postgres_protocol::password::scram_sha_256(b"taken over 1");
    for (statement, params) in [
        (
            "SELECT stillpoint_set_login_password('tess', $1)",
            vec![verifier.clone()],
        ),
        (
            "SELECT stillpoint_create_login('rui', $1)",
            vec![verifier.clone()],
        ),
        ("SELECT stillpoint_set_login_enabled('tess', false)", vec![]),
        ("CREATE ROLE eve LOGIN", vec![]),
    ] {
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            params.iter().map(|p| p as _).collect();
        let e = sql.execute(statement, &params).unwrap_err();
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{statement}: {e}"
        );
    }
    // Names and credentials: Rui sets their own from the app; the server refuses Rui's
    // login changing anyone else's, by the function or straight in the table.
    let me = rui
        .update_profile(
            "rui",
            &ProfileInput {
                display_name: "Rui Costa".into(),
                credentials: "RMT".into(),
            },
        )
        .unwrap();
    assert_eq!(me.name_with_credentials, "Rui Costa, RMT");
    let e = rui
        .update_profile(
            "tess",
            &ProfileInput {
                display_name: "Tess Therapist".into(),
                credentials: "Dr".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = sql
        .execute(
            "SELECT stillpoint_set_profile('tess', 'Tess Therapist', 'Dr')",
            &[],
        )
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{e}"
    );
    for statement in [
        "UPDATE users SET credentials = 'Dr' WHERE username = 'tess'",
        "UPDATE users SET role = 'administrator' WHERE username = 'rui'",
    ] {
        let e = sql.execute(statement, &[]).unwrap_err();
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{statement}: {e}"
        );
    }
    // Tess (a login made before Rui's) may set her own, straight on the server too.
    let mut tess_sql = postgres::Client::connect(
        &format!("{conninfo} user={}", login_role(name, "tess")),
        postgres::NoTls,
    )
    .unwrap();
    tess_sql
        .execute(
            "SELECT stillpoint_set_profile('tess', 'Tess Therapist', 'LMT')",
            &[],
        )
        .unwrap();
    // The administrator sets anyone's.
    admin
        .update_profile(
            "tess",
            &ProfileInput {
                display_name: "Tess Therapist".into(),
                credentials: "RMT".into(),
            },
        )
        .unwrap();
    let (tess_name, rui_credentials): (String, String) = {
        let row = place
            .superuser()
            .query_one(
                "SELECT (SELECT credentials FROM users WHERE username = 'tess'),
                        (SELECT credentials FROM users WHERE username = 'rui')",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(
        (tess_name.as_str(), rui_credentials.as_str()),
        ("RMT", "RMT")
    );

    tess.logout();
    tess.login("tess", "tess passphrase 1").unwrap();

    // What belongs to one computer only.
    assert_eq!(admin.list_backups().unwrap_err().code, ErrorCode::Conflict);
    assert!(admin.backup_on_close().is_none());
    admin.logout();
    let e = admin
        .recover("AAAA-BBBB", "alex", "whatever passphrase")
        .unwrap_err();
    assert!(e.message.contains("administrator"), "{e:?}");
}

#[test]
fn wrong_passwords_on_a_clinic_server_are_throttled_and_audited() {
    let s = server();
    let place = clinic();
    let ws = Workstation::new();
    let mut app = ws.app();
    app.join_clinic(&join_input(&s, &place, "tess", "tess passphrase 1"))
        .unwrap();
    app.logout();
    for _ in 0..3 {
        let e = app.login("tess", "wrong").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("password"));
    }
    let e = app.login("tess", "tess passphrase 1").unwrap_err();
    assert_eq!(e.code, ErrorCode::Throttled, "{e:?}");
    ws.now.fetch_add(6, Ordering::SeqCst);
    app.login("tess", "tess passphrase 1").unwrap();
    let failures = place
        .superuser()
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action = 'user.login_failed' AND entity_id = 'tess'",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(failures, 3);
}

#[test]
fn about_on_a_workstation_names_the_server_and_keeps_no_backups_here() {
    let s = server();
    let place = clinic();
    let ws = Workstation::new();
    let mut app = ws.app();
    app.join_clinic(&join_input(&s, &place, "tess", "tess passphrase 1"))
        .unwrap();
    let about = app.about().unwrap();
    assert!(
        about.storage.contains(&database_of(&place)) && about.storage.contains(&s.host),
        "{}",
        about.storage
    );
    assert_eq!(
        about.schema_version,
        i64::try_from(stillpoint::db::schema_version()).unwrap()
    );
    assert_eq!(about.database_file, None);
    assert_eq!(about.backups_dir, None);
    assert!(about.backups_note.unwrap().contains("on the server"));
    assert_eq!(
        app.folder(stillpoint::security::gate::Folder::Backups)
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    assert_eq!(
        app.folder(stillpoint::security::gate::Folder::Data)
            .unwrap(),
        ws.dir.path()
    );
}
