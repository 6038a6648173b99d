//! A workstation reaches the clinic server over TLS, verified against the clinic's CA and
//! the server's name (verify-full), with its user's own login and SCRAM password. A server
//! whose certificate another CA signed is refused with a message saying so; the server itself
//! refuses a connection without TLS. Runs against the throwaway cluster, which listens on
//! 127.0.0.1 with TLS and SCRAM required (tests/pg/cluster).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use common::{Engine, Place};
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{ClientFields, ErrorCode, OpenOptions, Store};

fn tls() -> (String, String) {
    let need = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} is not set: run with `make unit` or `tests/pg/cluster run -- cargo test`")
        })
    };
    (
        need("STILLPOINT_TEST_PG_TLS"),
        need("STILLPOINT_TEST_PG_CA"),
    )
}

/// `conninfo` over TCP with the database of `place`, as `user` with `password`.
fn over_tcp(place: &Place, user: &str, password: &str) -> String {
    let (tls, _) = tls();
    let Place::Pg { name, .. } = place else {
        unreachable!()
    };
    let base: String = tls
        .split_whitespace()
        .filter(|kv| {
            !kv.starts_with("user=") && !kv.starts_with("password=") && !kv.starts_with("dbname=")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let quoted = password.replace('\\', "\\\\").replace('\'', "\\'");
    format!("{base} dbname={name} user={user} password='{quoted}'")
}

/// A CA of our own, not the clinic's, in `dir`.
fn another_ca(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("other-ca.crt");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=Not the clinic"])
        .arg("-keyout")
        .arg(dir.join("other-ca.key"))
        .arg("-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

#[test]
fn a_user_charts_over_tls_as_their_own_login_and_another_ca_is_refused() {
    let (_, ca) = tls();
    let place = Place::new(Engine::Postgres);
    let (_, tess) = place
        .open()
        .add_clinic_user(&NewUser {
            username: "tess".into(),
            display_name: "Tess Therapist".into(),
            role: Some(Role::Therapist),
            password: "tess passphrase 1".into(),
        })
        .unwrap();

    // Tess's workstation: TLS against the clinic CA, her login and password.
    let mut s = Store::open(
        OpenOptions::server(over_tcp(&place, &tess, "tess passphrase 1"))
            .tls_ca(&ca)
            .actor("tess"),
    )
    .unwrap();
    let ann = s
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(s.get_client(&ann.id).unwrap().fields.first_name, "Ann");
    let encrypted: bool = s
        .sql()
        .value(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            stillpoint::args![],
        )
        .unwrap();
    assert!(encrypted);

    // A wrong password is refused by the server.
    let err =
        Store::open(OpenOptions::server(over_tcp(&place, &tess, "not her password")).tls_ca(&ca))
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotOpen);
    assert!(err.message.contains("password"), "{}", err.message);

    // A certificate from another CA: refused, and the message says it is the certificate.
    let dir = tempfile::tempdir().unwrap();
    let other = another_ca(dir.path());
    let err = Store::open(
        OpenOptions::server(over_tcp(&place, &tess, "tess passphrase 1")).tls_ca(&other),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotOpen);
    assert!(err.message.contains("certificate"), "{}", err.message);

    // The right CA but another name for the server: its certificate names 127.0.0.1 only.
    let by_name =
        over_tcp(&place, &tess, "tess passphrase 1").replace("host=127.0.0.1", "host=localhost");
    if std::net::ToSocketAddrs::to_socket_addrs(&("localhost", 1))
        .map(|mut a| a.any(|a| a.ip().to_string() == "127.0.0.1"))
        .unwrap_or(false)
    {
        let err = Store::open(OpenOptions::server(by_name).tls_ca(&ca)).unwrap_err();
        assert!(err.message.contains("certificate"), "{}", err.message);
    }

    // A CA file that is not one.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let err = Store::open(
        OpenOptions::server(over_tcp(&place, &tess, "tess passphrase 1")).tls_ca(&junk),
    )
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("ca_file"));

    // Without TLS the server itself says no.
    let plain = postgres::Client::connect(
        &over_tcp(&place, &tess, "tess passphrase 1"),
        postgres::NoTls,
    );
    assert!(plain.is_err());
}
