//! Dashboard lists carry at most LIST_LIMIT rows, with the true total beside them, in the
//! order the screen promises.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, TimeZone, Utc};
use stillpoint::reports::dashboard::{DashboardQuery, LIST_LIMIT};
use stillpoint::{ClientFields, Store};

fn long_lists_are_cut_at_the_limit_and_say_how_many_there_are(engine: Engine) {
    let place = Place::new(engine);
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let at = Arc::new(AtomicI64::new(0));
    let clock = {
        let at = at.clone();
        Arc::new(move || Utc.timestamp_opt(at.load(Ordering::SeqCst), 0).unwrap())
    };
    let mut s = Store::open(place.options().clock(clock).actor("therapist-1")).unwrap();
    let n = LIST_LIMIT as usize + 5;
    for i in 0..n {
        // Each draft a minute older than the next, all more than a day old by `now`.
        at.store(
            (now - Duration::days(3) + Duration::minutes(i as i64)).timestamp(),
            Ordering::SeqCst,
        );
        let c = s
            .create_client(&ClientFields {
                first_name: "Client".into(),
                // Names in the reverse of the order the drafts were started.
                last_name: format!("N{:03}", n - i),
                ..Default::default()
            })
            .unwrap();
        s.start_session(&c.id).unwrap();
    }
    at.store(now.timestamp(), Ordering::SeqCst);
    let d = s.dashboard(&DashboardQuery::default()).unwrap();

    assert_eq!(d.unsigned_notes_total as usize, n);
    assert_eq!(d.unsigned_notes.len(), LIST_LIMIT as usize);
    assert_eq!(
        d.unsigned_notes[0].client_name,
        format!("Client N{n:03}"),
        "oldest first"
    );
    assert_eq!(d.unsigned_notes[0].hours_open, 72);

    // Every client was seen (a draft counts) and none has an intake.
    assert_eq!(d.due_for_reassessment_total as usize, n);
    assert_eq!(d.due_for_reassessment.len(), LIST_LIMIT as usize);
    assert_eq!(
        d.due_for_reassessment[0].client_name, "Client N001",
        "name order"
    );
    assert_eq!(d.due_for_reassessment[0].last_intake_on, None);
    assert!(
        d.due_for_reassessment[0]
            .last_session_at
            .as_deref()
            .is_some_and(|at| at.starts_with("2026-11-2"))
    );

    assert_eq!((d.open_red_flags_total, d.referrals_total), (0, 0));
    assert_eq!(d.clients_on_record as usize, n);
    assert_eq!(d.active_clients, 0, "drafts do not make a client active");
}

crate::on_both_engines!(long_lists_are_cut_at_the_limit_and_say_how_many_there_are,);
