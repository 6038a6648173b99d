//! The synthetic clinic: the same seed gives the same clinic, and it is shaped like a real
//! one (notes to search, signed and draft notes, amendments, follow-up intakes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use stillpoint::search::SearchQuery;
use stillpoint::{ClientQuery, OpenOptions, Store, db::database_path};
use stillpoint_tools::synth::{self, COMMON_WORD, RARE_WORD, SMALL};

fn words(s: &Store, text: &str) -> u32 {
    s.search(&SearchQuery {
        text: text.into(),
        include_archived: false,
        client_id: None,
        from: None,
        to: None,
        limit: 10,
    })
    .unwrap()
    .total
}

#[test]
fn the_same_seed_makes_the_same_clinic() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sa = synth::generate(a.path(), SMALL, 7, now, None).unwrap();
    let sb = synth::generate(b.path(), SMALL, 7, now, None).unwrap();
    assert_eq!(
        (
            sa.clients,
            sa.intakes,
            sa.sessions,
            sa.signed,
            sa.amendments,
            sa.busiest_sessions
        ),
        (
            sb.clients,
            sb.intakes,
            sb.sessions,
            sb.signed,
            sb.amendments,
            sb.busiest_sessions
        )
    );
    let open =
        |d: &tempfile::TempDir| Store::open(OpenOptions::file(database_path(d.path()))).unwrap();
    let (x, y) = (open(&a), open(&b));
    let names = |s: &Store| -> Vec<String> {
        s.list_clients(&ClientQuery {
            limit: 500,
            ..Default::default()
        })
        .unwrap()
        .items
        .into_iter()
        .map(|c| format!("{} {} {:?}", c.first_name, c.last_name, c.date_of_birth))
        .collect()
    };
    assert_eq!(names(&x), names(&y));
    assert_eq!(words(&x, RARE_WORD), words(&y, RARE_WORD));

    // Shaped like a clinic.
    assert_eq!(sa.clients, SMALL.clients);
    assert!(sa.sessions > SMALL.clients * 3, "{} sessions", sa.sessions);
    assert!(sa.signed < sa.sessions && sa.signed * 10 > sa.sessions * 8);
    assert!(sa.intakes > sa.clients);
    let common = x
        .search(&SearchQuery {
            text: COMMON_WORD.into(),
            include_archived: false,
            client_id: None,
            from: None,
            to: None,
            limit: 10,
        })
        .unwrap();
    assert!(
        common.more || common.total as usize >= sa.sessions,
        "the common word is in every note"
    );
    assert!(
        (words(&x, RARE_WORD) as usize) < sa.sessions / 20,
        "the rare word is rare"
    );
    assert!(x.client_history(&sa.busiest_client).unwrap().events.len() >= sa.busiest_sessions);

    // A different seed, a different clinic.
    let c = tempfile::tempdir().unwrap();
    let sc = synth::generate(c.path(), SMALL, 8, now, None).unwrap();
    assert_ne!(names(&open(&c)), names(&x));
    assert!(sc.sessions > 0);
}

/// The clinic written through the core into a PostgreSQL database (the cluster of
/// `tests/pg/cluster`, as the core's tests use) is the one the same seed makes in a file.
#[test]
fn the_same_seed_makes_the_same_clinic_on_postgres() {
    let cluster = std::env::var("STILLPOINT_TEST_PG").expect(
        "STILLPOINT_TEST_PG is not set: run the tests with `make unit` or \
         `tests/pg/cluster run -- cargo test`",
    );
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let name = format!("synth_{}", uuid::Uuid::now_v7().simple());
    let mut admin = postgres::Client::connect(&cluster, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let conninfo = format!("{cluster} dbname={name}");
    let on_pg = synth::generate_into(OpenOptions::server(conninfo.clone()), SMALL, 7, now).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let in_file = synth::generate(dir.path(), SMALL, 7, now, None).unwrap();
    let shape = |s: &synth::Summary| {
        (
            s.clients,
            s.intakes,
            s.sessions,
            s.signed,
            s.amendments,
            s.busiest_sessions,
            s.midas,
            s.care_plans,
        )
    };
    assert_eq!(shape(&on_pg), shape(&in_file));
    assert!(on_pg.midas > 0 && on_pg.care_plans > 0);
    {
        let pg = Store::open(OpenOptions::server(conninfo)).unwrap();
        let file = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
        let names = |s: &Store| -> Vec<String> {
            s.list_clients(&ClientQuery {
                limit: 500,
                ..Default::default()
            })
            .unwrap()
            .items
            .into_iter()
            .map(|c| format!("{} {} {:?}", c.first_name, c.last_name, c.date_of_birth))
            .collect()
        };
        assert_eq!(names(&pg), names(&file));
        assert_eq!(words(&pg, RARE_WORD), words(&file, RARE_WORD));
        assert_eq!(
            pg.client_chart(&on_pg.busiest_client)
                .unwrap()
                .history
                .events
                .len(),
            file.client_chart(&in_file.busiest_client)
                .unwrap()
                .history
                .events
                .len()
        );
    }
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}

#[test]
fn some_clients_keep_a_year_of_diary() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::generate(dir.path(), SMALL, 7, now, None).unwrap();
    let s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    let per_client: Vec<(String, i64, String, String)> = s
        .sql()
        .all(
            "SELECT client_id, count(*), min(day), max(day) FROM diary_days GROUP BY client_id",
            stillpoint::args![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert!(!per_client.is_empty(), "no client keeps a diary");
    assert!(per_client.len() < 20, "{} diaries", per_client.len());
    for (client, days, first, last) in &per_client {
        assert_eq!(*days, 365, "{client}");
        assert_eq!(
            (first.as_str(), last.as_str()),
            ("2025-11-23", "2026-11-22")
        );
        let month = s.diary_month(client, None).unwrap();
        assert_eq!(month.month, "2026-11");
        assert_eq!(month.days.len(), 22);
    }
}

/// The clinic's people, sessions, intakes and diaries as a seed made them before MIDAS and
/// care plans were added: those come from streams of their own, so none of this moved.
#[test]
fn midas_and_care_plans_leave_the_rest_of_a_seed_as_it_was() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sum = synth::generate(dir.path(), SMALL, 7, now, None).unwrap();
    assert_eq!(
        (
            sum.clients,
            sum.intakes,
            sum.sessions,
            sum.signed,
            sum.amendments,
            sum.busiest_sessions
        ),
        (120, 206, 797, 745, 38, 12),
        "figures of seed 7 before MIDAS and care plans"
    );
    let s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    let diaries: Vec<(String, String, i64)> = s
        .sql()
        .all(
            "SELECT d.client_id, c.first_name || ' ' || c.last_name || ' ' || c.date_of_birth,
                    count(*)
               FROM diary_days d JOIN clients c ON c.id = d.client_id
              GROUP BY d.client_id, c.first_name, c.last_name, c.date_of_birth ORDER BY 2",
            stillpoint::args![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let names: Vec<(&str, i64)> = diaries.iter().map(|(_, n, d)| (n.as_str(), *d)).collect();
    assert_eq!(
        names,
        vec![
            ("Hana Okafor 1944-08-02", 365),
            ("さくら O'Brien 1947-04-12", 365)
        ]
    );

    // A share of clients answered MIDAS, some more than once; a share has a care plan.
    let count = |sql: &str| -> i64 { s.sql().value(sql, stillpoint::args![]).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM midas_assessments") as usize,
        sum.midas
    );
    assert_eq!(
        count("SELECT count(*) FROM care_plans") as usize,
        sum.care_plans
    );
    let with_midas = count("SELECT count(DISTINCT client_id) FROM midas_assessments");
    assert!(
        (18..=48).contains(&with_midas),
        "{with_midas} clients with MIDAS"
    );
    assert!(
        count(
            "SELECT count(*) FROM (SELECT client_id FROM midas_assessments
               GROUP BY client_id HAVING count(*) > 1) t"
        ) > 0,
        "MIDAS is repeated like an intake"
    );
    assert!(
        (24..=60).contains(&(sum.care_plans as i64)),
        "{} care plans",
        sum.care_plans
    );
    assert!(
        count("SELECT count(*) FROM care_plans WHERE shared_with_physician") > 0
            && count("SELECT count(*) FROM care_plans WHERE NOT shared_with_physician") > 0
    );

    // The diary keepers answered MIDAS and have a plan; the first of them is the one named.
    let keeper = sum.diary_client.clone().expect("a diary client");
    assert!(diaries.iter().any(|(id, _, _)| *id == keeper));
    for (id, _, _) in &diaries {
        let chart = s.client_chart(id).unwrap();
        assert!(!chart.midas.assessments.is_empty(), "{id}");
        assert!(chart.care_plan.plan.is_some(), "{id}");
        assert!(chart.care_plan.adherence.is_some(), "{id}");
    }
}

/// A clinic whose draws gave nobody a diary still has one: its last client keeps it (seed 42,
/// the bench's, at the small size), so the bench always has a year of diary to open.
#[test]
fn the_last_client_keeps_a_diary_when_nobody_else_does() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sum = synth::generate(dir.path(), SMALL, 42, now, None).unwrap();
    let last = sum.client_ids.last().cloned();
    assert_eq!(sum.diary_client, last);
    let s = Store::open(OpenOptions::file(database_path(dir.path()))).unwrap();
    let keepers: i64 = s
        .sql()
        .value(
            "SELECT count(DISTINCT client_id) FROM diary_days",
            stillpoint::args![],
        )
        .unwrap();
    assert_eq!(keepers, 1);
}
