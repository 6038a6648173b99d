//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, clippy::panic, dead_code)]

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::{ClientFields, OpenOptions, Store, db::database_path};

/// The engine a test runs on. Every core test runs on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Run each named `fn name(engine: Engine)` as two tests: `on_sqlite::name` and
/// `on_postgres::name`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $( #[test] fn $name() { super::$name($crate::common::Engine::Sqlite) } )*
        }
        mod on_postgres {
            $( #[test] fn $name() { super::$name($crate::common::Engine::Postgres) } )*
        }
    };
}

/// Where one test's database lives: a temporary folder with an SQLite file, or a database
/// of its own on the throwaway PostgreSQL cluster that `make test` starts (cloned from a
/// migrated template). Dropping it removes the database.
pub enum Place {
    Dir(tempfile::TempDir),
    Pg { name: String, conninfo: String },
}

/// The connection string of the test cluster; a test run without one fails, never skips.
pub fn cluster() -> String {
    std::env::var("STILLPOINT_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "STILLPOINT_TEST_PG is not set: the core tests run on PostgreSQL too. Run them with \
             `make unit`, or `tests/pg/cluster run -- cargo test`, which start a throwaway cluster."
        )
    })
}

fn admin() -> postgres::Client {
    postgres::Client::connect(&cluster(), postgres::NoTls)
        .unwrap_or_else(|e| panic!("the test PostgreSQL cluster cannot be reached: {e}"))
}

static TEMPLATE: Mutex<bool> = Mutex::new(false);

/// The migrated template every test database is cloned from (made once per cluster).
fn template() {
    let mut made = TEMPLATE.lock().unwrap_or_else(|p| p.into_inner());
    if *made {
        return;
    }
    let mut admin = admin();
    // Test binaries run one after another, but keep two from racing all the same.
    admin.execute("SELECT pg_advisory_lock(4242)", &[]).unwrap();
    let exists = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = 'stillpoint_template'",
            &[],
        )
        .unwrap()
        .is_some();
    if !exists {
        admin
            .batch_execute("CREATE DATABASE stillpoint_template")
            .unwrap();
        let store = Store::open(OpenOptions::server(format!(
            "{} dbname=stillpoint_template",
            cluster()
        )))
        .unwrap();
        drop(store);
    }
    admin
        .execute("SELECT pg_advisory_unlock(4242)", &[])
        .unwrap();
    *made = true;
}

impl Place {
    pub fn new(engine: Engine) -> Place {
        match engine {
            Engine::Sqlite => Place::Dir(tempfile::tempdir().unwrap()),
            Engine::Postgres => {
                template();
                let name = format!("t_{}", uuid::Uuid::now_v7().simple());
                admin()
                    .batch_execute(&format!(
                        "CREATE DATABASE {name} TEMPLATE stillpoint_template"
                    ))
                    .unwrap();
                let conninfo = format!("{} dbname={name}", cluster());
                Place::Pg { name, conninfo }
            }
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Place::Dir(_) => Engine::Sqlite,
            Place::Pg { .. } => Engine::Postgres,
        }
    }

    /// How to open this place's database (a new connection each time).
    pub fn options(&self) -> OpenOptions {
        match self {
            Place::Dir(dir) => OpenOptions::file(database_path(dir.path())),
            Place::Pg { conninfo, .. } => OpenOptions::server(conninfo.clone()),
        }
    }

    /// A raw connection to a PostgreSQL place as the cluster's superuser, for what an attacker
    /// or a newer Stillpoint does behind the app's back.
    pub fn superuser(&self) -> postgres::Client {
        match self {
            Place::Pg { conninfo, .. } => {
                postgres::Client::connect(conninfo, postgres::NoTls).unwrap()
            }
            Place::Dir(_) => panic!("superuser() is for PostgreSQL places"),
        }
    }

    /// Open it on the tests' fixed clock (23 Nov 2026, 12:00 UTC).
    pub fn open(&self) -> Store {
        Store::open(self.options().clock(fixed_clock())).unwrap()
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Place::Pg { name, .. } = self {
            let _ = admin().batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// 23 Nov 2026, 12:00 UTC.
pub fn fixed_clock() -> stillpoint::db::Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap())
}

/// A new database on a fixed clock (23 Nov 2026, 12:00 UTC) with one client, Ann Smith.
/// Returns the place (keep it alive), the store and Ann's id.
pub fn store_with_ann_on(engine: Engine) -> (Place, Store, String) {
    let place = Place::new(engine);
    let mut store = place.open();
    let id = store
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    (place, store, id)
}

/// A new database on a fixed clock (23 Nov 2026, 12:00 UTC) with one client, Ann Smith.
/// Returns the folder (keep it alive), the store and Ann's id.
pub fn store_with_ann() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        Store::open(OpenOptions::file(database_path(dir.path())).clock(fixed_clock())).unwrap();
    let id = store
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    (dir, store, id)
}

/// A complete session note for `client` at `at`, with the given techniques, pain before and
/// after, and plan; signed when `sign`. Returns its id.
#[allow(clippy::too_many_arguments)]
pub fn note(
    s: &mut Store,
    client: &str,
    at: &str,
    techniques: &[&str],
    before: f64,
    after: f64,
    plan: &str,
    sign: bool,
) -> String {
    let id = s.start_session(client).unwrap().id;
    s.save_session_draft(
        &id,
        &SessionInput {
            started_at: at.into(),
            duration_minutes: Some(60.0),
            subjective: "ok".into(),
            plan: plan.into(),
            pain_before: Some(before),
            pain_after: Some(after),
            techniques: techniques
                .iter()
                .map(|t| SessionTechniqueInput {
                    technique_id: (*t).into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        },
    )
    .unwrap();
    if sign {
        s.sign_session(&id).unwrap();
    }
    id
}
