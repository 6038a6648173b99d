//! `stillpoint-clinic init`, `backup`, `verify` and `restore` as whoever runs the clinic
//! server uses them, against real PostgreSQL.
//!
//! Most tests use the shared throwaway cluster `make test` starts (STILLPOINT_TEST_PG) with
//! `--no-server-config`: init's TLS step rewrites the cluster's certificate and pg_hba.conf,
//! which would pull the harness's own TLS (and its CA) from under the tests running beside
//! these. The full configuration is tested on a second cluster of its own, started here
//! (initdb as the cluster's OS user, a socket and 127.0.0.1, TLS off until init turns it on).
//! Without STILLPOINT_TEST_PG these fail, never skip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::domain::techniques::seeded::TRIGGER_POINT;
use stillpoint::security::clinic_roles::login_role;
use stillpoint::security::clinic_server::{DiskEncryption, disk_encryption};
use stillpoint::{ClientFields, OpenOptions, Store};

/// The tests on the shared cluster look at its list of databases and roles: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

const OWNER_PW: &str = "owner passphrase 1";
const ADMIN_PW: &str = "admin passphrase 1";
const WARNING: &str = "is not on an encrypted disk: anyone with the disk can read every record. Put PostgreSQL's data folder on an encrypted disk (LUKS) before storing client records.";

fn cluster() -> String {
    std::env::var("STILLPOINT_TEST_PG").unwrap_or_else(|_| {
        panic!("STILLPOINT_TEST_PG is not set: run with `make unit` or `tests/pg/cluster run -- cargo test`")
    })
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000_000
    )
}

fn clinic(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stillpoint-clinic"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads its input may exit before this is written.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn said(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

fn databases(server: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(server, postgres::NoTls).unwrap();
    c.query("SELECT datname::text FROM pg_database ORDER BY 1", &[])
        .unwrap()
        .into_iter()
        .map(|r| r.get(0))
        .collect()
}

fn roles(server: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(server, postgres::NoTls).unwrap();
    c.query("SELECT rolname::text FROM pg_roles ORDER BY 1", &[])
        .unwrap()
        .into_iter()
        .map(|r| r.get(0))
        .collect()
}

/// A clinic on the shared cluster, set up by init without touching the server's TLS; its
/// database name and the folder holding its backup key.
fn init_shared(admin: bool) -> (String, tempfile::TempDir) {
    let db = unique("clinic_srv");
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    let server = cluster();
    let mut args = vec![
        "init",
        "--server",
        &server,
        "--database",
        &db,
        "--tls-dir",
        tls.to_str().unwrap(),
        "--no-server-config",
        "--secret-stdin",
    ];
    if admin {
        args.extend(["--admin", "alex", "--admin-name", "Alex Admin"]);
    }
    let out = clinic(&args, &format!("{OWNER_PW}\n{ADMIN_PW}\n"));
    assert!(out.status.success(), "{}", said(&out));
    (db, dir)
}

fn on(db: &str) -> String {
    format!("{} dbname={db}", cluster())
}

fn key_file(dir: &tempfile::TempDir, db: &str) -> PathBuf {
    dir.path().join("tls").join(format!("{db}.backup-key"))
}

/// Records a clinic keeps: two clients, a signed note and a draft, all audited.
fn chart(db: &str) {
    let mut s = Store::open(OpenOptions::server(on(db)).actor("alex")).unwrap();
    for (first, last) in [("Ann", "O'Brien"), ("Zoë", "Smith")] {
        let c = s
            .create_client(&ClientFields {
                first_name: first.into(),
                last_name: last.into(),
                ..Default::default()
            })
            .unwrap();
        let note = s.start_session(&c.id).unwrap();
        s.save_session_draft(
            &note.id,
            &SessionInput {
                started_at: "2026-11-30T10:00:00Z".into(),
                duration_minutes: Some(50.0),
                subjective: format!("{first}: headache behind the eyes since Tuesday"),
                plan: "Suboccipital release; stretches twice a day".into(),
                pain_before: Some(6.0),
                pain_after: Some(3.0),
                techniques: vec![SessionTechniqueInput {
                    technique_id: TRIGGER_POINT.into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
        if first == "Ann" {
            s.sign_session(&note.id).unwrap();
            s.amend_session(&note.id, "Late entry", "Jaw clenching at night")
                .unwrap();
        }
    }
}

/// Every row of the tables that hold the records, as JSON text in a fixed order.
fn records(db: &str) -> Vec<String> {
    records_at(&on(db))
}

fn records_at(conninfo: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(conninfo, postgres::NoTls).unwrap();
    let mut out = Vec::new();
    for (table, order) in [
        ("users", "username"),
        ("clients", "id"),
        ("sessions", "id"),
        ("session_techniques", "session_id"),
        ("amendments", "id"),
        ("audit_log", "seq"),
    ] {
        for r in c
            .query(
                &format!("SELECT '{table}: ' || row_to_json(t)::text FROM (SELECT * FROM {table} ORDER BY {order}) t"),
                &[],
            )
            .unwrap()
        {
            out.push(r.get(0));
        }
    }
    out
}

#[test]
fn backup_verify_and_restore_bring_back_every_record() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(true);
    chart(&db);
    let before = records(&db);
    assert_eq!(
        before.iter().filter(|r| r.starts_with("clients: ")).count(),
        2
    );
    assert_eq!(
        before
            .iter()
            .filter(|r| r.starts_with("sessions: "))
            .count(),
        2
    );
    assert_eq!(
        before
            .iter()
            .filter(|r| r.starts_with("amendments: "))
            .count(),
        1
    );
    assert!(
        before
            .iter()
            .filter(|r| r.starts_with("audit_log: "))
            .count()
            >= 7
    );
    let key = key_file(&dir, &db);
    let file = dir.path().join("clinic.spbk");

    let started = std::time::Instant::now();
    let out = clinic(
        &[
            "backup",
            "--server",
            &on(&db),
            "--key-file",
            key.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
        "",
    );
    let took = started.elapsed();
    assert!(out.status.success(), "{}", said(&out));
    let s = text(&out.stdout);
    assert!(
        s.contains("Verified: restored into a scratch database"),
        "{s}"
    );
    assert!(s.contains("intact"), "{s}");
    assert!(s.contains("equal a fresh count"), "{s}");
    assert!(s.contains("clients                       2"), "{s}");
    eprintln!(
        "backup of a small clinic: {} bytes, {:.2} s including its check",
        std::fs::metadata(&file).unwrap().len(),
        took.as_secs_f64()
    );
    // Not readable without the key: no name or note text in the file.
    let bytes = std::fs::read(&file).unwrap();
    for plain in [
        &b"O'Brien"[..],
        b"behind the eyes",
        b"CREATE TABLE",
        b"PGDMP",
    ] {
        assert!(!bytes.windows(plain.len()).any(|w| w == plain));
    }
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No scratch database was left behind.
    assert!(
        !databases(&cluster())
            .iter()
            .any(|d| d.starts_with("stillpoint_verify_"))
    );

    let out = verify(&key, &file);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        text(&out.stdout).contains(&format!("schema {}", stillpoint::db::schema_version())),
        "{}",
        said(&out)
    );

    // Into a new database: every user, client, note and audit entry as it was.
    let restored = unique("clinic_restored");
    let out = clinic(
        &[
            "restore",
            "--server",
            &cluster(),
            "--key-file",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
            "--database",
            &restored,
        ],
        "",
    );
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(records(&restored), before);
    // Owned by the clinic's owner, as the original.
    let mut c = postgres::Client::connect(&cluster(), postgres::NoTls).unwrap();
    let owner: String = c
        .query_one(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
            &[&restored],
        )
        .unwrap()
        .get(0);
    assert_eq!(owner, format!("{db}_owner"));
    let check = clinic(&["check", "--server", &on(&restored)], "");
    assert!(check.status.success(), "{}", said(&check));

    // Into a clinic just set up by init and holding nothing yet (the way onto a new
    // server: init, then restore): taken without --replace, nothing left beside it.
    let (fresh, _fresh_dir) = init_shared(false);
    let out = clinic(
        &[
            "restore",
            "--server",
            &cluster(),
            "--key-file",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
            "--database",
            &fresh,
        ],
        "",
    );
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(records(&fresh), before);
    assert!(
        !databases(&cluster())
            .iter()
            .any(|d| d.starts_with(&format!("{fresh}_before_restore")))
    );

    // Not over a database holding records...
    let again = clinic(
        &[
            "restore",
            "--server",
            &cluster(),
            "--key-file",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
            "--database",
            &db,
        ],
        "",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(said(&again).contains("already holds"), "{}", said(&again));
    // ...unless asked to, and then the one there is kept.
    let mut s = Store::open(OpenOptions::server(on(&db)).actor("alex")).unwrap();
    s.create_client(&ClientFields {
        first_name: "Later".into(),
        last_name: "Client".into(),
        ..Default::default()
    })
    .unwrap();
    drop(s);
    let newer = records(&db);
    let out = clinic(
        &[
            "restore",
            "--server",
            &cluster(),
            "--key-file",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
            "--database",
            &db,
            "--replace",
        ],
        "",
    );
    assert!(out.status.success(), "{}", said(&out));
    let kept = text(&out.stdout)
        .split("is kept as ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .trim_end_matches('.')
        .to_owned();
    assert!(kept.starts_with(&format!("{db}_before_restore_")), "{kept}");
    assert_eq!(records(&db), before);
    assert_eq!(records(&kept), newer);
}

#[test]
fn a_tampered_file_or_a_wrong_key_is_refused_and_restores_nothing() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(true);
    chart(&db);
    let key = key_file(&dir, &db);
    let file = dir.path().join("b.spbk");
    let out = clinic(
        &[
            "backup",
            "--server",
            &on(&db),
            "--key-file",
            key.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", said(&out));
    let good = std::fs::read(&file).unwrap();
    let before = databases(&cluster());

    let verify = |f: &Path, k: &Path| {
        clinic(
            &[
                "verify",
                "--server",
                &cluster(),
                "--key-file",
                k.to_str().unwrap(),
                f.to_str().unwrap(),
            ],
            "",
        )
    };
    // One byte flipped in the middle, near the end, in the header; the end cut off.
    for (name, bad) in [
        ("middle", {
            let mut b = good.clone();
            let i = b.len() / 2;
            b[i] ^= 0x40;
            b
        }),
        ("end", {
            let mut b = good.clone();
            let i = b.len() - 3;
            b[i] ^= 0x01;
            b
        }),
        ("header", {
            let mut b = good.clone();
            b[60] ^= 0x01;
            b
        }),
        ("cut", good[..good.len() - 100].to_vec()),
    ] {
        let f = dir.path().join(format!("{name}.spbk"));
        std::fs::write(&f, &bad).unwrap();
        let out = verify(&f, &key);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", said(&out));
        let msg = said(&out);
        assert!(
            msg.contains("damaged or was altered")
                || msg.contains("not a Stillpoint clinic backup")
                || msg.contains("different backup key"),
            "{name}: {msg}"
        );
        // Nor restored.
        let target = unique("clinic_never");
        let out = clinic(
            &[
                "restore",
                "--server",
                &cluster(),
                "--key-file",
                key.to_str().unwrap(),
                f.to_str().unwrap(),
                "--database",
                &target,
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(1), "{name}: {}", said(&out));
    }
    let mid = dir.path().join("middle.spbk");
    assert!(said(&verify(&mid, &key)).contains("damaged or was altered"));

    // Another clinic's key.
    let (other_db, other_dir) = init_shared(false);
    let out = verify(&file, &key_file(&other_dir, &other_db));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said(&out).contains("different backup key"),
        "{}",
        said(&out)
    );
    // Not a key at all; not a backup at all.
    let junk = dir.path().join("junk");
    std::fs::write(&junk, "not a key\n").unwrap();
    let out = verify(&file, &junk);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said(&out).contains("not a clinic backup key"),
        "{}",
        said(&out)
    );
    let out = verify(&junk, &key);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said(&out).contains("not a Stillpoint clinic backup"),
        "{}",
        said(&out)
    );
    // Nothing was left on the server: no scratch database, no restored one.
    let mut after = databases(&cluster());
    after.retain(|d| d != &other_db);
    assert_eq!(after, before);
    // The good file still verifies.
    assert!(verify(&file, &key).status.success());
}

#[test]
fn init_twice_or_with_bad_input_refuses_and_writes_nothing() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(true);
    let server = cluster();
    let dbs = databases(&server);
    let rls = roles(&server);
    let key_before = std::fs::read(key_file(&dir, &db)).unwrap();
    let tls = dir.path().join("tls");

    // The same database again.
    let out = clinic(
        &[
            "init",
            "--server",
            &server,
            "--database",
            &db,
            "--admin",
            "alex",
            "--admin-name",
            "Alex Admin",
            "--tls-dir",
            tls.to_str().unwrap(),
            "--no-server-config",
            "--secret-stdin",
        ],
        &format!("{OWNER_PW}\n{ADMIN_PW}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said(&out).contains(&format!("already has a database named {db}")),
        "{}",
        said(&out)
    );
    assert!(said(&out).contains("nothing was changed"));
    assert_eq!(std::fs::read(key_file(&dir, &db)).unwrap(), key_before);

    let fresh = unique("clinic_bad");
    let empty_dir = dir.path().join("never");
    let base = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "init",
            "--server",
            &server,
            "--tls-dir",
            empty_dir.to_str().unwrap(),
            "--no-server-config",
            "--secret-stdin",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    for (args, stdin, says) in [
        (base(&["--database", ""]), "", "--database"),
        (
            base(&["--database", "x'; DROP TABLE users; --"]),
            "",
            "--database",
        ),
        (base(&["--database", "\"Clinic\""]), "", "--database"),
        (base(&["--database", "postgres"]), "", "PostgreSQL's own"),
        (
            base(&["--database", &"c".repeat(33)]),
            "",
            "at most 32 characters",
        ),
        (
            base(&["--database", &fresh, "--owner", "o'wner"]),
            "",
            "--owner",
        ),
        (
            base(&[
                "--database",
                &fresh,
                "--admin",
                "'; DROP ROLE postgres; --",
                "--admin-name",
                "M",
            ]),
            "",
            "--admin",
        ),
        (
            base(&["--database", &fresh, "--admin", "sam", "--admin-name", ""]),
            "",
            "--admin-name",
        ),
        (
            base(&["--database", &fresh, "--admin", "sam"]),
            "",
            "--admin-name",
        ),
        (base(&["--database", &fresh]), "short\n", "owner's password"),
        (
            base(&[
                "--database",
                &fresh,
                "--admin",
                "sam",
                "--admin-name",
                "Sam O'Neil \"Jr\"",
            ]),
            &format!("{OWNER_PW}\nshort\n"),
            "administrator's password",
        ),
        (base(&[]), "", "--database"),
    ] {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = clinic(&refs, stdin);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", said(&out));
        assert!(said(&out).contains(says), "{args:?}: {}", said(&out));
    }
    // With the server configuration, the host workstations use is needed, and checked.
    for (host, says) in [
        (None, "--host is required"),
        (Some("a b'; --"), "--host must be"),
    ] {
        let mut args = vec![
            "init".to_owned(),
            "--server".to_owned(),
            server.clone(),
            "--database".to_owned(),
            fresh.clone(),
            "--tls-dir".to_owned(),
            empty_dir.to_str().unwrap().to_owned(),
            "--secret-stdin".to_owned(),
        ];
        if let Some(h) = host {
            args.extend(["--host".to_owned(), h.to_owned()]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = clinic(&refs, &format!("{OWNER_PW}\n"));
        assert_eq!(out.status.code(), Some(1), "{}", said(&out));
        assert!(said(&out).contains(says), "{}", said(&out));
    }
    // Nothing was made: no database, no role, no folder.
    assert_eq!(databases(&server), dbs);
    assert_eq!(roles(&server), rls);
    assert!(!empty_dir.exists());
    // A name with quotes that is a fine full name: taken as it is.
    let ok = unique("clinic_quotes");
    let out = clinic(
        &[
            "init",
            "--server",
            &server,
            "--database",
            &ok,
            "--admin",
            "sam",
            "--admin-name",
            "Sam O'Neil \"Jr\"",
            "--tls-dir",
            tls.to_str().unwrap(),
            "--no-server-config",
            "--secret-stdin",
        ],
        &format!("{OWNER_PW}\n{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", said(&out));
    let s = Store::open(OpenOptions::server(on(&ok))).unwrap();
    assert_eq!(
        s.get_user("sam").unwrap().unwrap().display_name,
        "Sam O'Neil \"Jr\""
    );
}

#[test]
fn backup_and_restore_arguments_are_checked() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(false);
    let key = key_file(&dir, &db);
    let existing = dir.path().join("exists.spbk");
    std::fs::write(&existing, b"keep me").unwrap();
    for (args, says) in [
        (
            vec!["backup", "--server", &on(&db), "--out", "x"],
            "--key-file",
        ),
        (
            vec![
                "backup",
                "--server",
                &on(&db),
                "--key-file",
                key.to_str().unwrap(),
            ],
            "--out",
        ),
        (
            vec![
                "backup",
                "--server",
                &on(&db),
                "--key-file",
                key.to_str().unwrap(),
                "--out",
                existing.to_str().unwrap(),
            ],
            "already exists",
        ),
        (
            vec![
                "backup",
                "--server",
                &on(&db),
                "--key-file",
                "/no/such/key",
                "--out",
                "/tmp/x.spbk",
            ],
            "cannot be read",
        ),
        (
            vec![
                "backup",
                "--server",
                &cluster(),
                "--key-file",
                key.to_str().unwrap(),
                "--out",
                dir.path().join("p.spbk").to_str().unwrap(),
            ],
            "holds no Stillpoint clinic",
        ),
        (
            vec![
                "verify",
                "--server",
                &cluster(),
                "--key-file",
                key.to_str().unwrap(),
            ],
            "FILE",
        ),
        (
            vec![
                "restore",
                "--server",
                &cluster(),
                "--key-file",
                key.to_str().unwrap(),
                existing.to_str().unwrap(),
            ],
            "--database",
        ),
        (
            vec![
                "restore",
                "--server",
                &cluster(),
                "--key-file",
                key.to_str().unwrap(),
                existing.to_str().unwrap(),
                "--database",
                "a'; DROP DATABASE postgres; --",
            ],
            "database",
        ),
    ] {
        let out = clinic(&args, "");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", said(&out));
        assert!(said(&out).contains(says), "{args:?}: {}", said(&out));
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
}

/// A PostgreSQL cluster of this test's own, stopped and removed when dropped.
struct OwnCluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    user: String,
    port: u16,
}

impl OwnCluster {
    fn start() -> OwnCluster {
        let ctl = PathBuf::from(std::env::var("STILLPOINT_TEST_PG_CTL").unwrap());
        let bindir = ctl.parent().unwrap().to_path_buf();
        let user = std::env::var("STILLPOINT_TEST_PG_USER").unwrap();
        let dir = tempfile::Builder::new()
            .prefix("sp-own-")
            .tempdir_in("/tmp")
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir(dir.path().join("sock")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = OwnCluster {
            dir,
            bindir,
            user,
            port,
        };
        c.chown_to_owner(c.dir.path());
        c.chown_to_owner(&c.dir.path().join("sock"));
        c.as_owner(&[
            c.bindir.join("initdb").to_str().unwrap(),
            "-D",
            c.data().to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]);
        let opts = format!(
            "-k {} -c listen_addresses=127.0.0.1 -p {}",
            c.dir.path().join("sock").display(),
            c.port
        );
        c.as_owner(&[
            c.bindir.join("pg_ctl").to_str().unwrap(),
            "-D",
            c.data().to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            c.dir.path().join("log").to_str().unwrap(),
            "-w",
            "start",
        ]);
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn conninfo(&self) -> String {
        format!(
            "host={} port={} user=postgres dbname=postgres",
            self.dir.path().join("sock").display(),
            self.port
        )
    }

    fn is_root() -> bool {
        std::fs::metadata("/proc/self").unwrap().uid() == 0
    }

    fn chown_to_owner(&self, path: &Path) {
        if Self::is_root() {
            let st = Command::new("chown")
                .arg(format!("{}:", self.user))
                .arg(path)
                .status()
                .unwrap();
            assert!(st.success());
        }
    }

    fn as_owner(&self, argv: &[&str]) {
        let out = if Self::is_root() {
            Command::new("runuser")
                .args(["-u", &self.user, "--"])
                .args(argv)
                .current_dir("/")
                .output()
                .unwrap()
        } else {
            Command::new(argv[0])
                .args(&argv[1..])
                .current_dir("/")
                .output()
                .unwrap()
        };
        assert!(out.status.success(), "{argv:?}: {}", said(&out));
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let pg_ctl = self.bindir.join("pg_ctl");
        let data = self.data();
        let argv = [
            pg_ctl.to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ];
        let _ = if Self::is_root() {
            Command::new("runuser")
                .args(["-u", &self.user, "--"])
                .args(argv)
                .current_dir("/")
                .output()
        } else {
            Command::new(argv[0]).args(&argv[1..]).output()
        };
    }
}

fn line_after<'a>(s: &'a str, label: &str) -> &'a str {
    s.lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label} in {s}"))
        .trim()
}

#[test]
fn init_turns_on_tls_and_the_first_administrator_logs_in_with_the_printed_ca() {
    let pg = OwnCluster::start();
    let tls = pg.dir.path().join("tls");
    let init = |db: &str, admin: &str, host: &str| {
        clinic(
            &[
                "init",
                "--server",
                &pg.conninfo(),
                "--database",
                db,
                "--admin",
                admin,
                "--admin-name",
                "Alex Admin",
                "--host",
                host,
                "--tls-dir",
                tls.to_str().unwrap(),
                "--secret-stdin",
            ],
            &format!("{OWNER_PW}\n{ADMIN_PW}\n"),
        )
    };
    let out = init("clinic", "alex", "127.0.0.1");
    assert!(out.status.success(), "{}", said(&out));
    let s = text(&out.stdout);
    assert!(s.contains("Checked: a TLS login to it works."), "{s}");
    let ca = PathBuf::from(line_after(&s, "CA file:").split("  ").next().unwrap());
    assert_eq!(line_after(&s, "Host:"), "127.0.0.1");
    assert_eq!(line_after(&s, "Port:"), pg.port.to_string());
    assert_eq!(line_after(&s, "Database:"), "clinic");
    let login = s
        .split("log in to the server as ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_owned();
    // Warned exactly when the data folder is not on an encrypted disk.
    let encrypted = matches!(
        disk_encryption(&pg.data()),
        DiskEncryption::Encrypted { .. }
    );
    assert_eq!(said(&out).contains(WARNING), !encrypted, "{}", said(&out));

    // The administrator's workstation: TLS verified against the printed CA, their password.
    let conninfo = |db: &str, who: &str| {
        format!(
            "host=127.0.0.1 port={} dbname={db} user={who} password='{ADMIN_PW}'",
            pg.port
        )
    };
    let store = Store::open(OpenOptions::server(conninfo("clinic", &login)).tls_ca(&ca)).unwrap();
    let me: Option<String> = store
        .sql()
        .value("SELECT stillpoint_user()", stillpoint::args![])
        .unwrap();
    assert_eq!(me.as_deref(), Some("alex"));
    let on_tls: bool = store
        .sql()
        .value(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            stillpoint::args![],
        )
        .unwrap();
    assert!(on_tls);
    drop(store);
    // Without TLS the same login is turned away by pg_hba.conf.
    let plain = postgres::Client::connect(&conninfo("clinic", &login), postgres::NoTls);
    let err = plain
        .err()
        .unwrap()
        .as_db_error()
        .map(|d| d.message().to_owned())
        .unwrap_or_default();
    assert!(err.contains("pg_hba.conf rejects"), "{err}");
    // A certificate from another CA (the harness's) is refused.
    let other_ca = std::env::var("STILLPOINT_TEST_PG_CA").unwrap();
    let e =
        Store::open(OpenOptions::server(conninfo("clinic", &login)).tls_ca(&other_ca)).unwrap_err();
    assert!(
        e.message.contains("certificate was not accepted"),
        "{}",
        e.message
    );
    // A wrong password is refused.
    let wrong = conninfo("clinic", &login).replace(ADMIN_PW, "not the password");
    assert!(Store::open(OpenOptions::server(wrong).tls_ca(&ca)).is_err());

    // Keys private, the server's owned by the cluster's OS user.
    let key = std::fs::metadata(pg.data().join("stillpoint-server.key")).unwrap();
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    assert_eq!(key.uid(), std::fs::metadata(pg.data()).unwrap().uid());
    for f in ["stillpoint-clinic-ca.key", "clinic.backup-key"] {
        let m = std::fs::metadata(tls.join(f)).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o600, "{f}");
    }

    // Twice: refused, and pg_hba.conf, the settings and the certificate are as they were.
    let hba = std::fs::read_to_string(pg.data().join("pg_hba.conf")).unwrap();
    assert_eq!(hba.matches("# BEGIN stillpoint-clinic clinic ").count(), 1);
    let auto = std::fs::read(pg.data().join("postgresql.auto.conf")).unwrap();
    let cert = std::fs::read(pg.data().join("stillpoint-server.crt")).unwrap();
    let out = init("clinic", "alex", "127.0.0.1");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said(&out).contains("already has a database named clinic"),
        "{}",
        said(&out)
    );
    assert_eq!(
        std::fs::read_to_string(pg.data().join("pg_hba.conf")).unwrap(),
        hba
    );
    assert_eq!(
        std::fs::read(pg.data().join("postgresql.auto.conf")).unwrap(),
        auto
    );
    assert_eq!(
        std::fs::read(pg.data().join("stillpoint-server.crt")).unwrap(),
        cert
    );

    // A second clinic on the same server: its own rules beside the first's, the same CA,
    // and the first clinic's administrator still gets in.
    // Reached by a name this time: the server must listen on the network, which takes a
    // restart (said, not done); the certificate names both.
    let out = init("clinic_two", "bo", "clinic-two.lan");
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("RESTART NEEDED"), "{}", said(&out));
    assert!(
        !said(&out).contains("Checked: a TLS login"),
        "{}",
        said(&out)
    );
    let hba = std::fs::read_to_string(pg.data().join("pg_hba.conf")).unwrap();
    assert_eq!(hba.matches("# BEGIN stillpoint-clinic clinic ").count(), 1);
    assert_eq!(
        hba.matches("# BEGIN stillpoint-clinic clinic_two ").count(),
        1
    );
    assert!(Store::open(OpenOptions::server(conninfo("clinic", &login)).tls_ca(&ca)).is_ok());
}

fn verifiers(conninfo: &str, roles: &[String]) -> Vec<(String, Option<String>, bool)> {
    let mut c = postgres::Client::connect(conninfo, postgres::NoTls).unwrap();
    c.query(
        "SELECT rolname::text, rolpassword, rolcreaterole FROM pg_authid WHERE rolname::text = ANY($1) ORDER BY 1",
        &[&roles],
    )
    .unwrap()
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

#[test]
fn a_backup_restores_onto_a_new_server_with_everyones_logins() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(true);
    let out = clinic(
        &[
            "add-user",
            "tess",
            "--name",
            "Tess Therapist",
            "--role",
            "therapist",
            "--server",
            &on(&db),
            "--secret-stdin",
        ],
        "tess passphrase 1\n",
    );
    assert!(out.status.success(), "{}", said(&out));
    chart(&db);
    let key = key_file(&dir, &db);
    let file = dir.path().join("to-new-server.spbk");
    let out = clinic(
        &[
            "backup",
            "--server",
            &on(&db),
            "--key-file",
            key.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        text(&out.stdout).contains("It carries 3 login role(s)"),
        "{}",
        said(&out)
    );
    // The file holds the verifiers, encrypted: none of them is readable in it.
    let logins: Vec<String> = vec![
        format!("{db}_owner"),
        login_role(&db, "alex"),
        login_role(&db, "tess"),
    ];
    let before = verifiers(&cluster(), &logins);
    assert_eq!(before.len(), 3);
    let bytes = std::fs::read(&file).unwrap();
    for (_, v, _) in &before {
        let v = v.as_deref().unwrap().as_bytes();
        assert!(!bytes.windows(v.len()).any(|w| w == v));
    }

    // A new server: none of the clinic's roles exist there.
    let pg = OwnCluster::start();
    assert!(verifiers(&pg.conninfo(), &logins).is_empty());
    let out = clinic(
        &[
            "restore",
            "--server",
            &pg.conninfo(),
            "--key-file",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
            "--database",
            &db,
        ],
        "",
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        text(&out.stdout).contains("Made the logins this server lacked"),
        "{}",
        said(&out)
    );
    let there = format!("{} dbname={db}", pg.conninfo());
    assert_eq!(records_at(&there), records(&db));
    // The same verifiers (so the same passwords), the owner still may create roles.
    assert_eq!(verifiers(&pg.conninfo(), &logins), before);
    // Tess's grants and the row-level security came back with the records: she reads her
    // own (none) of the clients, as on the old server.
    let tess = format!(
        "{} user={} dbname={db}",
        pg.conninfo().replace("user=postgres", ""),
        login_role(&db, "tess")
    );
    let mut c = postgres::Client::connect(&tess, postgres::NoTls).unwrap();
    let me: Option<String> = c.query_one("SELECT stillpoint_user()", &[]).unwrap().get(0);
    assert_eq!(me.as_deref(), Some("tess"));
    let seen: i64 = c
        .query_one("SELECT count(*) FROM clients", &[])
        .unwrap()
        .get(0);
    assert_eq!(seen, 0);
    let mut superuser = postgres::Client::connect(&there, postgres::NoTls).unwrap();
    let all: i64 = superuser
        .query_one("SELECT count(*) FROM clients", &[])
        .unwrap()
        .get(0);
    assert_eq!(all, 2);
}

/// The schema a clinic database is at, and whether each table is there.
fn schema_of(db: &str) -> i64 {
    let mut c = postgres::Client::connect(&on(db), postgres::NoTls).unwrap();
    c.query_one(
        "SELECT coalesce(max(version), 0) FROM stillpoint_migrations",
        &[],
    )
    .unwrap()
    .get(0)
}

fn owner_of_table(db: &str, table: &str) -> Option<String> {
    let mut c = postgres::Client::connect(&on(db), postgres::NoTls).unwrap();
    c.query_opt(
        "SELECT tableowner::text FROM pg_tables WHERE schemaname = 'public' AND tablename = $1",
        &[&table],
    )
    .unwrap()
    .map(|r| r.get(0))
}

/// A clinic as an older release left it, at schema 16: schema 17's and 18's migrations only
/// add a table each (and replace the login function, which the upgrade replaces again), so
/// dropping those tables and their rows in `stillpoint_migrations` takes them back.
fn back_to_schema_16(db: &str) {
    let mut c = postgres::Client::connect(&on(db), postgres::NoTls).unwrap();
    c.batch_execute(
        "DROP TABLE diary_corrections; DROP TABLE corrections;
         DELETE FROM stillpoint_migrations WHERE version > 16;",
    )
    .unwrap();
    assert_eq!(schema_of(db), 16);
}

fn verify(key: &Path, file: &Path) -> Output {
    clinic(
        &[
            "verify",
            "--server",
            &cluster(),
            "--key-file",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        "",
    )
}

fn upgrade(db: &str, key: &Path, out: &Path) -> Output {
    clinic(
        &[
            "upgrade",
            "--server",
            &on(db),
            "--key-file",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    )
}

#[test]
fn upgrade_backs_up_first_then_brings_an_older_clinic_up_to_date_in_one_step() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(true);
    chart(&db);
    back_to_schema_16(&db);
    let newest = stillpoint::db::postgres::newest_schema();
    assert!(newest > 16);
    let before = records(&db);

    // A workstation cannot change the schema: it is told who upgrades, and nothing changes.
    let alex = format!(
        "{} dbname={db} user={} password='{ADMIN_PW}'",
        cluster(),
        login_role(&db, "alex")
    );
    let err = Store::open(OpenOptions::server(alex.clone())).unwrap_err();
    assert!(
        err.message.contains(
            "Whoever runs the clinic server upgrades it first (stillpoint-clinic upgrade)"
        ),
        "{}",
        err.message
    );
    assert_eq!(schema_of(&db), 16);

    // Without somewhere for the backup it takes first, upgrade refuses and changes nothing.
    let out = clinic(&["upgrade", "--server", &on(&db)], "");
    assert!(!out.status.success());
    assert!(
        said(&out).contains("upgrade needs --key-file PATH and --out FILE"),
        "{}",
        said(&out)
    );
    assert_eq!(schema_of(&db), 16);

    let key = key_file(&dir, &db);
    let file = dir.path().join("before-upgrade.spbk");
    let out = upgrade(&db, &key, &file);
    assert!(out.status.success(), "{}", said(&out));
    let s = text(&out.stdout);
    assert!(
        s.contains(&format!("Backed up {db} into {}", file.display())),
        "{s}"
    );
    assert!(
        s.contains("Verified: restored into a scratch database"),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "Upgraded the clinic database {db} from schema 16 to {newest}"
        )),
        "{s}"
    );
    assert_eq!(schema_of(&db), newest);
    assert_eq!(records(&db), before, "every record as it was");
    // Run as the superuser, the migrations still made the owner's tables.
    for table in ["corrections", "diary_corrections"] {
        assert_eq!(
            owner_of_table(&db, table).as_deref(),
            Some(format!("{db}_owner").as_str()),
            "{table}"
        );
    }
    // The backup is of the clinic as it was: schema 16.
    let out = verify(&key, &file);
    assert!(out.status.success(), "{}", said(&out));
    assert!(text(&out.stdout).contains("schema 16"), "{}", said(&out));

    // The workstation opens now, and what the new schema added works for it.
    let s = Store::open(OpenOptions::server(alex).actor("alex")).unwrap();
    assert_eq!(s.schema_version().unwrap(), newest);
    assert!(s.verify_audit().unwrap().intact);
    drop(s);

    // Nothing pending: nothing backed up, nothing changed.
    let again = dir.path().join("again.spbk");
    let out = upgrade(&db, &key, &again);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        text(&out.stdout).contains("nothing to do"),
        "{}",
        said(&out)
    );
    assert!(!again.exists());
}

#[test]
fn a_failed_upgrade_changes_nothing_and_says_where_the_backup_is() {
    let _one_at_a_time = serial();
    let (db, dir) = init_shared(true);
    chart(&db);
    back_to_schema_16(&db);
    {
        // Something in the way of schema 18's table (schema 17's would go in first).
        let mut c = postgres::Client::connect(&on(&db), postgres::NoTls).unwrap();
        c.batch_execute("CREATE TABLE diary_corrections (x TEXT)")
            .unwrap();
    }
    let before = records(&db);
    let key = key_file(&dir, &db);

    // With a backup: its check restores it into a scratch database and upgrades that first,
    // where the step fails, so the clinic database is never touched.
    let file = dir.path().join("before-upgrade.spbk");
    let out = upgrade(&db, &key, &file);
    assert!(!out.status.success(), "{}", said(&out));
    let s = said(&out);
    assert!(
        s.contains(&format!(
            "Nothing was upgraded: the clinic database {db} is still at schema 16. The backup ({}) is checked by restoring it into a scratch database",
            file.display()
        )),
        "{s}"
    );
    assert!(s.contains("the step to schema 18 failed"), "{s}");
    assert!(s.contains("\"diary_corrections\" already exists"), "{s}");
    assert!(file.exists(), "the backup is kept");
    assert_eq!(schema_of(&db), 16);
    assert_eq!(owner_of_table(&db, "corrections"), None);
    assert_eq!(records(&db), before);

    // Without one (--no-backup), the steps run on the clinic database itself, in one
    // transaction: schema 17's step went in, schema 18's failed, and neither is left.
    let out = clinic(&["upgrade", "--server", &on(&db), "--no-backup"], "");
    assert!(!out.status.success(), "{}", said(&out));
    let s = said(&out);
    assert!(
        s.contains(
            "The database could not be upgraded from schema 16 to 18: the step to schema 18 failed"
        ),
        "{s}"
    );
    assert!(
        s.contains(
            "Every step runs in one transaction, so nothing was changed: it is still at schema 16."
        ),
        "{s}"
    );
    assert_eq!(schema_of(&db), 16);
    assert_eq!(owner_of_table(&db, "corrections"), None);
    assert_eq!(records(&db), before);
}
