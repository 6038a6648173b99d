//! Users, roles and the lock, through `App` as the desktop shell uses it: first-run setup,
//! logins, a wrong password, a user added later, a password change, recovery with the
//! recovery key, roles enforced in the core with an audit entry, and the idle lock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{TimeZone, Utc};
use stillpoint::reports::dashboard::DashboardQuery;
use stillpoint::security::gate::SetupInput;
use stillpoint::security::keys::DEFAULT_KDF;
use stillpoint::security::users::{NewUser, Permission, ProfileInput, Role, Section};
use stillpoint::{App, ClientFields, ErrorCode, Phase};

struct Fixture {
    dir: tempfile::TempDir,
    now: Arc<AtomicI64>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            now: Arc::new(AtomicI64::new(
                Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
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

    fn wait_minutes(&self, m: i64) {
        self.now.fetch_add(m * 60, Ordering::SeqCst);
    }

    fn wait_seconds(&self, s: i64) {
        self.now.fetch_add(s, Ordering::SeqCst);
    }
}

const ADMIN_PW: &str = "admin passphrase 1";

fn set_up(f: &Fixture) -> (App, String) {
    let mut app = f.app();
    assert_eq!(app.status().phase, Phase::Setup);
    let done = app
        .setup(&SetupInput {
            username: "Admin".into(),
            display_name: "Alex Admin".into(),
            password: ADMIN_PW.into(),
            clinic_name: Some(" Harbour Light Massage ".into()),
        })
        .unwrap();
    assert_eq!(done.status.phase, Phase::Ready);
    assert_eq!(done.status.user.as_ref().unwrap().role, Role::Administrator);
    // The clinic's name asked at setup is the letterhead's.
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .clinic_settings()
            .unwrap()
            .name,
        "Harbour Light Massage"
    );
    (app, done.recovery_key)
}

fn add(app: &mut App, username: &str, role: Role, password: &str) {
    app.add_user(&NewUser {
        username: username.into(),
        display_name: format!("{username} person"),
        role: Some(role),
        password: password.into(),
    })
    .unwrap();
}

fn client(app: &mut App, first: &str) -> String {
    app.logged_in_store()
        .unwrap()
        .create_client(&ClientFields {
            first_name: first.into(),
            last_name: "Client".into(),
            ..Default::default()
        })
        .unwrap()
        .id
}

#[test]
fn setup_then_login_with_the_right_password_only() {
    let f = Fixture::new();
    let (mut app, recovery) = set_up(&f);
    assert_eq!(recovery.len(), 64);
    client(&mut app, "Ann");
    app.logout();
    assert_eq!(app.logged_in_store().err().unwrap().code, ErrorCode::Locked);

    // A fresh start (the app restarted) asks for a login.
    let mut app = f.app();
    assert_eq!(app.status().phase, Phase::Login);
    let err = app.login("admin", "wrong password!").unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.field.as_deref(), Some("password"));
    assert!(err.message.contains("not right"));
    assert_eq!(
        app.login("nobody", ADMIN_PW).unwrap_err().field.as_deref(),
        Some("password")
    );
    let status = app.login(" ADMIN ", ADMIN_PW).unwrap();
    assert_eq!(status.user.unwrap().display_name, "Alex Admin");
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .list_clients(&Default::default())
            .unwrap()
            .total,
        1
    );
    // Setup happens once.
    assert_eq!(
        app.setup(&SetupInput::default()).unwrap_err().code,
        ErrorCode::Conflict
    );
}

#[test]
fn wrong_passwords_make_each_next_try_wait_longer_and_are_audited_at_the_next_login() {
    let f = Fixture::new();
    let (mut app, _) = set_up(&f);
    add(&mut app, "tess", Role::Therapist, "tess passphrase 1");
    app.logout();
    // Three wrong passwords are only wrong.
    for _ in 0..3 {
        let err = app.login("admin", "wrong password!").unwrap_err();
        assert_eq!(err.code, ErrorCode::Validation);
    }
    // Then the next try waits 5 seconds, even with the right password, even after a restart,
    // and whatever the username's case; nothing else is slowed.
    let err = app.login("admin", ADMIN_PW).unwrap_err();
    assert_eq!(err.code, ErrorCode::Throttled);
    assert_eq!(err.field.as_deref(), Some("password"));
    assert!(err.message.contains("Wait 5 seconds"), "{}", err.message);
    let mut app = f.app();
    assert_eq!(
        app.login(" Admin", ADMIN_PW).unwrap_err().code,
        ErrorCode::Throttled
    );
    app.login("tess", "tess passphrase 1").unwrap();
    app.logout();
    // After the wait, one more wrong password doubles it: 10 seconds.
    f.wait_seconds(5);
    assert_eq!(
        app.login("admin", "wrong again!").unwrap_err().code,
        ErrorCode::Validation
    );
    f.wait_seconds(6);
    let err = app.login("admin", ADMIN_PW).unwrap_err();
    assert!(err.message.contains("Wait 4 seconds"), "{}", err.message);
    f.wait_seconds(4);
    app.login("admin", ADMIN_PW).unwrap();
    // Each failure is in the audit log, written by the next login (tess's, then admin's).
    let store = app.logged_in_store().unwrap();
    let failed = stillpoint::db::audit::list_for(store.sql(), "user", "admin")
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "user.login_failed")
        .count();
    assert_eq!(failed, 4);
    assert!(store.verify_audit().unwrap().intact);
    // The right password started the count again: one wrong password is only wrong.
    app.logout();
    assert_eq!(
        app.login("admin", "wrong password!").unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(
        app.login("admin", ADMIN_PW).unwrap().user.unwrap().username,
        "admin"
    );
}

#[test]
fn setup_refuses_a_weak_password_and_a_bad_username_and_writes_nothing() {
    let f = Fixture::new();
    let mut app = f.app();
    let err = app
        .setup(&SetupInput {
            username: "admin".into(),
            display_name: "Alex".into(),
            password: "short".into(),
            clinic_name: None,
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("password"));
    let err = app
        .setup(&SetupInput {
            username: "<script>".into(),
            display_name: "Alex".into(),
            password: ADMIN_PW.into(),
            clinic_name: None,
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("username"));
    let err = app
        .setup(&SetupInput {
            username: "admin".into(),
            display_name: "Alex".into(),
            password: ADMIN_PW.into(),
            clinic_name: Some(format!("Harbour\nLight {}", "x".repeat(300))),
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("clinic_name"));
    assert!(
        std::fs::read_dir(f.dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
    assert_eq!(app.status().phase, Phase::Setup);
}

#[test]
fn a_user_added_later_logs_in_and_a_password_change_and_recovery_work() {
    let f = Fixture::new();
    let (mut app, recovery) = set_up(&f);
    add(&mut app, "jo.park", Role::Therapist, "jo's first password");
    app.logout();
    app.login("jo.park", "jo's first password").unwrap();

    // Change: the old password stops working, the new one works.
    let err = app
        .change_password("not it at all", "jo's second password")
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("current_password"));
    app.change_password("jo's first password", "jo's second password")
        .unwrap();
    app.logout();
    assert!(app.login("jo.park", "jo's first password").is_err());
    app.login("jo.park", "jo's second password").unwrap();
    app.logout();

    // Forgotten: the recovery key sets a new one (and logs in).
    let err = app
        .recover("AAAA-BBBB", "jo.park", "jo's third password")
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("recovery_key"));
    let status = app
        .recover(&recovery.to_lowercase(), "jo.park", "jo's third password")
        .unwrap();
    assert_eq!(status.user.unwrap().username, "jo.park");
    app.logout();
    app.login("jo.park", "jo's third password").unwrap();
}

#[test]
fn roles_are_enforced_in_the_core_and_refusals_are_audited() {
    let f = Fixture::new();
    let (mut app, _) = set_up(&f);
    add(&mut app, "jo.park", Role::Therapist, "jo password 123");
    add(&mut app, "sam.lee", Role::Therapist, "sam password 123");
    add(&mut app, "mia.manager", Role::Manager, "mia password 123");
    app.logout();

    // What the screens show comes from the core: the role's label, its permissions and
    // the sections of the app it uses.
    let status = app.login("jo.park", "jo password 123").unwrap();
    assert_eq!(status.role_label.as_deref(), Some("Therapist"));
    assert_eq!(status.permissions, [Permission::Chart]);
    assert_eq!(
        status.sections,
        [
            Section::Clients,
            Section::Search,
            Section::Techniques,
            Section::About
        ]
    );
    // Their own name and credentials ("Your account"), shown at once in the status.
    let me = app
        .update_profile(
            "jo.park",
            &ProfileInput {
                display_name: "Jo Park".into(),
                credentials: "RMT".into(),
            },
        )
        .unwrap();
    assert_eq!(me.name_with_credentials, "Jo Park, RMT");
    assert_eq!(
        app.status().user.unwrap().name_with_credentials,
        "Jo Park, RMT"
    );
    let err = app
        .update_profile(
            "sam.lee",
            &ProfileInput {
                display_name: "Sam Lee".into(),
                credentials: "RMT".into(),
            },
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let jos = client(&mut app, "Jos");
    let err = app
        .logged_in_store()
        .unwrap()
        .dashboard(&DashboardQuery::default())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(err.message.contains("therapist"), "{}", err.message);
    assert_eq!(
        app.add_user(&NewUser {
            username: "evil".into(),
            display_name: "Evil".into(),
            role: Some(Role::Administrator),
            password: "evil password 1".into(),
        })
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
    app.logout();

    app.login("sam.lee", "sam password 123").unwrap();
    let sams = client(&mut app, "Sams");
    // Sam sees only Sam's client, and cannot open Jo's.
    let page = app
        .logged_in_store()
        .unwrap()
        .list_clients(&Default::default())
        .unwrap();
    assert_eq!(
        page.items.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        vec![sams.as_str()]
    );
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .get_client(&jos)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .start_session(&jos)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    app.logout();

    // The manager reads everything and the dashboard, but does not chart.
    let status = app.login("mia.manager", "mia password 123").unwrap();
    assert_eq!(status.role_label.as_deref(), Some("Clinic manager"));
    assert_eq!(
        status.sections,
        [
            Section::Clients,
            Section::Search,
            Section::Dashboard,
            Section::Techniques,
            Section::About
        ]
    );
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .list_clients(&Default::default())
            .unwrap()
            .total,
        2
    );
    app.logged_in_store()
        .unwrap()
        .dashboard(&DashboardQuery::default())
        .unwrap();
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .start_session(&jos)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .verify_audit()
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    app.logout();

    app.login("admin", ADMIN_PW).unwrap();
    let denied: Vec<(String, String)> = app
        .logged_in_store()
        .unwrap()
        .conn()
        .unwrap()
        .prepare("SELECT actor, summary FROM audit_log WHERE action = 'access.denied' ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let actors: Vec<&str> = denied.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actors,
        vec![
            "jo.park",
            "jo.park",
            "jo.park",
            "sam.lee",
            "sam.lee",
            "mia.manager",
            "mia.manager"
        ]
    );
    assert!(
        denied[0].1.contains("manage users"),
        "changing another user's name: {}",
        denied[0].1
    );
    assert!(denied[1].1.contains("clinic reports"), "{}", denied[1].1);
    assert!(
        app.logged_in_store()
            .unwrap()
            .verify_audit()
            .unwrap()
            .intact
    );
}

#[test]
fn the_app_locks_after_the_idle_time_and_a_login_carries_on() {
    let f = Fixture::new();
    let (mut app, _) = set_up(&f);
    let id = client(&mut app, "Ann");
    f.wait_minutes(9);
    app.logged_in_store().unwrap(); // still open: 9 minutes is within the default 10
    f.wait_minutes(11);
    let err = app.logged_in_store().unwrap_err();
    assert_eq!(err.code, ErrorCode::Locked);
    let status = app.status();
    assert_eq!(status.phase, Phase::Login);
    assert!(status.login_reason.unwrap().contains("idle"));
    assert_eq!(status.last_username.as_deref(), Some("admin"));
    app.login("admin", ADMIN_PW).unwrap();
    assert_eq!(
        app.logged_in_store()
            .unwrap()
            .get_client(&id)
            .unwrap()
            .fields
            .first_name,
        "Ann"
    );

    // The setting is the administrator's, from 1 to 240 minutes.
    assert_eq!(
        app.set_idle_lock_minutes(0).unwrap_err().field.as_deref(),
        Some("idle_lock_minutes")
    );
    app.set_idle_lock_minutes(2).unwrap();
    f.wait_minutes(3);
    assert_eq!(app.logged_in_store().unwrap_err().code, ErrorCode::Locked);
}

#[test]
fn a_database_from_before_encryption_is_encrypted_at_setup() {
    let f = Fixture::new();
    let db = stillpoint::db::database_path(f.dir.path());
    {
        let mut plain = stillpoint::Store::open(stillpoint::OpenOptions::file(&db)).unwrap();
        plain
            .create_client(&ClientFields {
                first_name: "Quillonbeck".into(),
                last_name: "Legacy".into(),
                ..Default::default()
            })
            .unwrap();
    }
    let mut app = f.app();
    let status = app.status();
    assert_eq!(status.phase, Phase::Setup);
    assert!(status.has_unencrypted_data);
    app.setup(&SetupInput {
        username: "admin".into(),
        display_name: "Alex Admin".into(),
        password: ADMIN_PW.into(),
        clinic_name: None,
    })
    .unwrap();
    let page = app
        .logged_in_store()
        .unwrap()
        .list_clients(&Default::default())
        .unwrap();
    assert_eq!(page.items[0].first_name, "Quillonbeck");
    app.logout();
    for entry in std::fs::read_dir(f.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(11).any(|w| w == b"Quillonbeck"));
    }
}

#[test]
fn an_encrypted_database_without_its_key_file_says_what_to_do() {
    let f = Fixture::new();
    let (mut app, _) = set_up(&f);
    app.logout();
    std::fs::remove_file(f.dir.path().join("keys.json")).unwrap();
    let status = f.app().status();
    assert_eq!(status.phase, Phase::Failed);
    let message = status.error.unwrap().message;
    assert!(
        message.contains("keys.json") && message.contains("backups folder"),
        "{message}"
    );
    // Nothing was removed: the records are still there for when keys.json is back.
    assert!(f.dir.path().join("stillpoint.db").exists());
}
