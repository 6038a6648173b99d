//! Eight writers at once, on each engine: clients, intakes, notes and signatures from eight
//! connections (eight workstations on a clinic server). Afterwards the audit chain is
//! intact, the running totals equal a fresh count, and every write that was acknowledged is
//! there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};
use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::domain::techniques::seeded::{SCALP, TRIGGER_POINT};
use stillpoint::domain::vocab::HeadacheType;
use stillpoint::reports::technique_totals;
use stillpoint::{ClientFields, ErrorCode};

const WRITERS: usize = 8;
/// Each writer charts this many clients, five writes each: 100 writes per writer.
const CLIENTS_PER_WRITER: usize = 20;

/// What one writer was told had landed.
#[derive(Default)]
struct Acknowledged {
    clients: Vec<String>,
    intakes: Vec<String>,
    signed: Vec<String>,
    writes: usize,
    busy: usize,
}

fn writer(mut s: stillpoint::Store, w: usize) -> Acknowledged {
    let mut ack = Acknowledged::default();
    // A busy refusal is an honest answer (nothing was written); anything else is a failure.
    let attempt = |ack: &mut Acknowledged, r: stillpoint::Result<String>| match r {
        Ok(id) => {
            ack.writes += 1;
            Some(id)
        }
        Err(e) if e.code == ErrorCode::Busy => {
            ack.busy += 1;
            None
        }
        Err(e) => panic!("writer {w}: {e:?}"),
    };
    for c in 0..CLIENTS_PER_WRITER {
        let fields = ClientFields {
            first_name: format!("Writer{w}"),
            last_name: format!("Client{c}"),
            ..Default::default()
        };
        let Some(client) = attempt(&mut ack, s.create_client(&fields).map(|c| c.id)) else {
            continue;
        };
        ack.clients.push(client.clone());
        let intake = IntakeInput {
            assessed_on: "2026-11-20".into(),
            headache_type: Some(HeadacheType::MigraineWithoutAura),
            headache_days: Some((1 + c % 20) as f64),
            migraine_days: Some(1.0),
            usual_intensity: Some(6.0),
            worst_intensity: Some(9.0),
            usual_duration_hours: Some(12.0),
            sleep_quality: Some(4.0),
            sleep_hours: Some(6.5),
            stress: Some(7.0),
            ..Default::default()
        };
        if let Some(id) = attempt(&mut ack, s.record_intake(&client, &intake).map(|i| i.id)) {
            ack.intakes.push(id);
        }
        let Some(note) = attempt(&mut ack, s.start_session(&client).map(|n| n.id)) else {
            continue;
        };
        let input = SessionInput {
            started_at: "2026-11-21T10:00:00.000Z".into(),
            duration_minutes: Some(60.0),
            subjective: format!("writer {w} note {c}"),
            pain_before: Some(6.0),
            pain_after: Some(3.0),
            techniques: [TRIGGER_POINT, SCALP]
                .iter()
                .map(|t| SessionTechniqueInput {
                    technique_id: (*t).into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        if attempt(&mut ack, s.save_session_draft(&note, &input).map(|n| n.id)).is_none() {
            continue;
        }
        if let Some(id) = attempt(&mut ack, s.sign_session(&note).map(|n| n.id)) {
            ack.signed.push(id);
        }
    }
    ack
}

fn eight_writers_keep_one_chain_and_lose_nothing(engine: Engine) {
    let place = Place::new(engine);
    // Migrate once before the writers start.
    drop(place.open());
    let acks: Vec<Acknowledged> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let place = &place;
                scope.spawn(move || writer(place.open(), w))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let writes: usize = acks.iter().map(|a| a.writes).sum();
    let busy: usize = acks.iter().map(|a| a.busy).sum();
    eprintln!("{engine:?}: {writes} writes acknowledged, {busy} refused as busy");
    assert!(
        writes >= WRITERS * CLIENTS_PER_WRITER * 5 * 9 / 10,
        "most writes land ({writes})"
    );

    let s = place.open();
    let check = s.verify_audit().unwrap();
    assert!(check.intact, "{}", check.message);
    assert_eq!(check.entries as usize, writes, "one audit entry per write");
    assert!(technique_totals::check(s.sql()).unwrap());
    for a in &acks {
        for id in &a.clients {
            s.get_client(id).unwrap();
        }
        for id in &a.signed {
            assert_eq!(
                s.get_session(id).unwrap().status,
                stillpoint::domain::sessions::SessionStatus::Signed
            );
        }
        for id in &a.intakes {
            s.get_intake(id).unwrap();
        }
    }
}

crate::on_both_engines!(eight_writers_keep_one_chain_and_lose_nothing);

/// On the clinic server, eight therapists each logged in as their own role: the server's
/// row security and audit append under load. Every entry is by the writer's own login, each
/// therapist's role sees exactly their own clients, and nothing is lost or forked.
#[test]
fn eight_therapists_as_their_own_logins_keep_one_chain() {
    use stillpoint::security::users::{NewUser, Role};
    let place = Place::new(Engine::Postgres);
    let Place::Pg { conninfo, .. } = &place else {
        unreachable!()
    };
    let mut owner = place.open();
    let roles: Vec<String> = (0..WRITERS)
        .map(|w| {
            owner
                .add_clinic_user(&NewUser {
                    username: format!("therapist{w}"),
                    display_name: format!("Therapist {w}"),
                    role: Some(Role::Therapist),
                    password: format!("therapist {w} passphrase"),
                })
                .unwrap()
                .1
        })
        .collect();
    let open = |w: usize| {
        stillpoint::Store::open(
            stillpoint::OpenOptions::server(format!("{conninfo} user={}", roles[w]))
                .clock(common::fixed_clock())
                .actor(format!("therapist{w}")),
        )
        .unwrap()
    };
    let started = std::time::Instant::now();
    let acks: Vec<Acknowledged> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let open = &open;
                scope.spawn(move || writer(open(w), w))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let writes: usize = acks.iter().map(|a| a.writes).sum();
    eprintln!(
        "8 logins: {writes} writes acknowledged in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(writes, WRITERS * CLIENTS_PER_WRITER * 5, "nothing refused");

    let s = place.open();
    let check = s.verify_audit().unwrap();
    assert!(check.intact, "{}", check.message);
    assert_eq!(
        check.entries as usize,
        writes + WRITERS,
        "a write each, and 8 users added"
    );
    assert!(technique_totals::check(s.sql()).unwrap());
    let mut su = place.superuser();
    for (w, a) in acks.iter().enumerate() {
        let me = format!("therapist{w}");
        let by_me: i64 = su
            .query_one("SELECT count(*) FROM audit_log WHERE actor = $1", &[&me])
            .unwrap()
            .get(0);
        assert_eq!(by_me as usize, a.writes, "{me}'s entries");
        let mine = open(w)
            .list_clients(&stillpoint::ClientQuery {
                limit: 500,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            mine.total as usize,
            a.clients.len(),
            "{me} sees only their own"
        );
        assert!(
            mine.items
                .iter()
                .all(|c| c.first_name == format!("Writer{w}"))
        );
    }
}
