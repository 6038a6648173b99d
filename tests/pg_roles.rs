//! The clinic server decides who may see and write what, whatever the client says: each user
//! logs in as their own role, a therapist's role reads only the clients they registered,
//! assessed or charted for and writes only their own notes, and the audit actor is the
//! login's user. Tried with the core connected as a user's role, and with a plain SQL client.
//! PostgreSQL only: on one computer the app is the database's only client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{ClientFields, OpenOptions, Store};

struct Clinic {
    place: Place,
    conninfo: String,
    tess: String,
    jo: String,
    mia: String,
}

fn clinic() -> Clinic {
    let place = Place::new(Engine::Postgres);
    let conninfo = match &place {
        Place::Pg { conninfo, .. } => conninfo.clone(),
        Place::Dir(_) => unreachable!(),
    };
    let mut owner = place.open();
    let mut add = |username: &str, role: Role| {
        owner
            .add_clinic_user(&NewUser {
                username: username.into(),
                display_name: format!("{username} person"),
                role: Some(role),
                password: format!("{username} passphrase 1"),
            })
            .unwrap()
            .1
    };
    let tess = add("tess", Role::Therapist);
    let jo = add("jo", Role::Therapist);
    let mia = add("mia", Role::Manager);
    Clinic {
        place,
        conninfo,
        tess,
        jo,
        mia,
    }
}

/// The core, connected as `role`, saying it acts for `actor`.
fn core_as(c: &Clinic, role: &str, actor: &str) -> Store {
    Store::open(OpenOptions::server(format!("{} user={role}", c.conninfo)).actor(actor)).unwrap()
}

/// A plain SQL client connected as `role`.
fn sql_as(c: &Clinic, role: &str) -> postgres::Client {
    postgres::Client::connect(&format!("{} user={role}", c.conninfo), postgres::NoTls).unwrap()
}

fn count(db: &mut postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).unwrap().get(0)
}

fn refused(r: Result<u64, postgres::Error>) -> String {
    let e = r.expect_err("the server accepted it");
    e.as_db_error()
        .map(|d| format!("{} {}", d.code().code(), d.message()))
        .unwrap_or_else(|| e.to_string())
}

#[test]
fn a_therapist_role_reads_only_its_own_clients_and_writes_only_its_own_notes() {
    let c = clinic();
    // Tess charts for Ann through the core, as herself.
    let mut tess = core_as(&c, &c.tess, "tess");
    let ann = tess
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            notes: "suboccipital tension".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let note = tess.start_session(&ann).unwrap().id;
    tess.save_session_draft(
        &note,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            duration_minutes: Some(60.0),
            subjective: "Two migraines this week; suboccipital tension.".into(),
            pain_before: Some(6.0),
            pain_after: Some(3.0),
            techniques: vec![SessionTechniqueInput {
                technique_id: "01900000-0000-7000-8000-000000000001".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();
    tess.sign_session(&note).unwrap();

    // Jo, with a plain SQL client, finds nothing of Ann's anywhere.
    let mut jo = sql_as(&c, &c.jo);
    for table in [
        "clients",
        "sessions",
        "intakes",
        "search_docs",
        "search_fts",
        "client_name_prefixes",
        "audit_log",
    ] {
        assert_eq!(
            count(&mut jo, &format!("SELECT count(*) FROM {table}")),
            0,
            "jo reads {table}"
        );
    }
    // Nor can Jo write a note as Tess, a note of his own for Ann, or change Tess's note.
    let why = refused(jo.execute(
        "INSERT INTO sessions (id, client_id, therapist, started_at, status, created_at, updated_at)
         VALUES ('01900000-0000-7000-8000-00000000f001', $1, 'tess', '2026-11-21T10:00:00Z', 'draft', 'x', 'x')",
        &[&ann],
    ));
    assert!(why.starts_with("42501"), "{why}");
    let why = refused(jo.execute(
        "INSERT INTO sessions (id, client_id, therapist, started_at, status, created_at, updated_at)
         VALUES ('01900000-0000-7000-8000-00000000f002', $1, 'jo', '2026-11-21T10:00:00Z', 'draft', 'x', 'x')",
        &[&ann],
    ));
    assert!(why.starts_with("42501"), "{why}");
    assert_eq!(
        jo.execute(
            "UPDATE sessions SET plan = 'changed' WHERE id = $1",
            &[&note]
        )
        .unwrap(),
        0
    );
    // The audit log is not his to write, even with Tess's name in it.
    let why = refused(jo.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, summary, hash)
         VALUES (999, 'x', 'tess', 'x', 'x', 'x', 'x', 'x')",
        &[],
    ));
    assert!(why.starts_with("42501"), "{why}");
    assert!(refused(jo.execute("UPDATE audit_issued SET seq = seq + 1", &[])).starts_with("42501"));
    // Through the append function the entry is his, by the server's clock.
    jo.execute(
        "SELECT stillpoint_audit_append('2000-01-01T00:00:00.000Z', 'tess', 'note.sign', 'session', 'x', 'forged')",
        &[],
    )
    .unwrap();

    // The manager reads everything; so does the owner.
    let mut mia = sql_as(&c, &c.mia);
    assert_eq!(count(&mut mia, "SELECT count(*) FROM clients"), 1);
    assert_eq!(count(&mut mia, "SELECT count(*) FROM sessions"), 1);

    let owner = c.place.open();
    let v = owner.verify_audit().unwrap();
    assert!(v.intact, "{}", v.message);
    let mut su = c.place.superuser();
    let forged = su
        .query_one(
            "SELECT actor, at FROM audit_log WHERE summary = 'forged'",
            &[],
        )
        .unwrap();
    let (actor, at): (String, String) = (forged.get(0), forged.get(1));
    assert_eq!(actor, "jo");
    assert!(at.starts_with("20") && !at.starts_with("2000"), "{at}");
}

#[test]
fn the_audit_actor_is_the_login_whatever_the_client_claims() {
    let c = clinic();
    let mut tess = core_as(&c, &c.tess, "tess");
    let ann = tess
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap();
    // The same login, claiming to be Jo: the server refuses a client "registered by Jo"…
    let mut liar = core_as(&c, &c.tess, "jo");
    assert!(
        liar.create_client(&ClientFields {
            first_name: "Bob".into(),
            last_name: "Jones".into(),
            ..Default::default()
        })
        .is_err()
    );
    // …and what it may change is audited as Tess's.
    let mut fields = ann.fields.clone();
    fields.phone = "555 0101".into();
    liar.update_client(&ann.id, ann.version, &fields).unwrap();
    let mut su = c.place.superuser();
    let actors: Vec<String> = su
        .query(
            "SELECT actor FROM audit_log WHERE entity = 'client' ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(actors, vec!["tess", "tess"]);
    assert_eq!(count(&mut su, "SELECT count(*) FROM clients"), 1);
    assert!(c.place.open().verify_audit().unwrap().intact);
}

#[test]
fn clinic_users_are_added_on_a_server_only_and_validated() {
    let c = clinic();
    let mut owner = c.place.open();
    let err = owner
        .add_clinic_user(&NewUser {
            username: "tess".into(),
            display_name: "Another Tess".into(),
            role: Some(Role::Therapist),
            password: "tess passphrase 2".into(),
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("username"));
    let err = owner
        .add_clinic_user(&NewUser {
            username: "'; DROP ROLE postgres; --".into(),
            display_name: "Mallory".into(),
            role: Some(Role::Therapist),
            password: "mallory passphrase".into(),
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("username"));
    let lite = Place::new(Engine::Sqlite);
    assert!(
        lite.open()
            .add_clinic_user(&NewUser {
                username: "sam".into(),
                display_name: "Sam".into(),
                role: Some(Role::Therapist),
                password: "sam passphrase 1".into(),
            })
            .is_err()
    );
}

#[test]
fn home_care_is_written_by_the_notes_therapist_and_the_library_by_a_manager() {
    use stillpoint::domain::home_care::{HomeCareItemInput, SessionHomeCareInput, seeded};
    let c = clinic();
    // Tess gives Ann home care on her own note, through the core, as herself (a login made
    // after the schema's migration 14: the grants come from stillpoint_create_login).
    let mut tess = core_as(&c, &c.tess, "tess");
    let ann = tess
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let note = tess.start_session(&ann).unwrap().id;
    let saved = tess
        .save_session_draft(
            &note,
            &SessionInput {
                started_at: "2026-11-20T10:00:00Z".into(),
                home_care: vec![SessionHomeCareInput {
                    item_id: seeded::CHIN_TUCKS.into(),
                    personal_line: "Hold 5 s, 10 times".into(),
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(saved.home_care.len(), 1);
    assert_eq!(tess.get_session(&note).unwrap().home_care, saved.home_care);
    // The library is not hers to change, on the server either.
    let mut tess_sql = sql_as(&c, &c.tess);
    let why = refused(tess_sql.execute(
        "UPDATE home_care_items SET title = 'x' WHERE id = $1",
        &[&seeded::CHIN_TUCKS],
    ));
    assert!(why.starts_with("42501"), "{why}");

    // Jo reads none of Ann's home care and cannot add to Tess's note.
    let mut jo = sql_as(&c, &c.jo);
    assert_eq!(count(&mut jo, "SELECT count(*) FROM session_home_care"), 0);
    assert_eq!(count(&mut jo, "SELECT count(*) FROM home_care_items"), 6);
    let why = refused(jo.execute(
        "INSERT INTO session_home_care (session_id, position, item_id, personal_line)
         VALUES ($1, 5, $2, 'forged')",
        &[&note, &seeded::SLEEP_ROUTINE],
    ));
    assert!(why.starts_with("42501"), "{why}");

    // The manager reads it, and keeps the library.
    let mut mia_sql = sql_as(&c, &c.mia);
    assert_eq!(
        count(&mut mia_sql, "SELECT count(*) FROM session_home_care"),
        1
    );
    let mut mia = Store::open_as(
        OpenOptions::server(format!("{} user={}", c.conninfo, c.mia)).actor("mia"),
        Role::Manager,
    )
    .unwrap();
    mia.add_home_care_item(&HomeCareItemInput {
        title: "Walks".into(),
        instructions: "A short walk outdoors each day.".into(),
    })
    .unwrap();
    assert_eq!(count(&mut jo, "SELECT count(*) FROM home_care_items"), 7);
}
