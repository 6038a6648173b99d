//! Full-text search: names and note words, diacritics, grouping, hostile queries, archived
//! clients, narrowing, ordering, and the index staying in step with the data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place};

use stillpoint::domain::intake::IntakeInput;
use stillpoint::domain::sessions::SessionInput;
use stillpoint::search::{HitKind, Ordering, RANK_LIMIT, SearchQuery, SearchResults};
use stillpoint::{ClientFields, OpenOptions, Store, db::database_path};

fn store(engine: Engine) -> (Place, Store) {
    let place = Place::new(engine);
    let s = place.open();
    (place, s)
}

fn client(s: &mut Store, first: &str, last: &str) -> String {
    s.create_client(&ClientFields {
        first_name: first.into(),
        last_name: last.into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

fn note(s: &mut Store, client: &str, at: &str, subjective: &str, objective: &str) -> String {
    let id = s.start_session(client).unwrap().id;
    s.save_session_draft(
        &id,
        &SessionInput {
            started_at: at.into(),
            subjective: subjective.into(),
            objective: objective.into(),
            ..Default::default()
        },
    )
    .unwrap();
    id
}

fn find(s: &Store, text: &str) -> SearchResults {
    s.search(&SearchQuery {
        text: text.into(),
        ..Default::default()
    })
    .unwrap()
}

fn hit_text(r: &SearchResults) -> Vec<String> {
    r.groups
        .iter()
        .flat_map(|g| g.hits.iter())
        .map(|h| {
            h.snippet
                .iter()
                .map(|p| p.text.as_str())
                .collect::<String>()
        })
        .collect()
}

fn finds_clients_by_name_and_notes_by_their_words(engine: Engine) {
    let (_d, mut s) = store(engine);
    let zoe = client(&mut s, "Zoë", "O'Brien");
    let other = client(&mut s, "Ann", "Smith");
    let sid = note(
        &mut s,
        &zoe,
        "2026-11-20T10:00:00Z",
        "Stress at the café all week",
        "Taut band in the upper trapezius",
    );
    note(
        &mut s,
        &other,
        "2026-11-21T10:00:00Z",
        "Slept badly",
        "Tender temporalis",
    );

    let r = find(&s, "zoe");
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.groups[0].client.id, zoe);
    assert_eq!(r.groups[0].hits[0].kind, HitKind::Client);
    assert_eq!(
        r.groups[0].hits[0].at, None,
        "a name match carries no time: the record's time means nothing to the reader"
    );
    assert_eq!(find(&s, "obrien").groups[0].client.id, zoe);

    let r = find(&s, "trap");
    assert_eq!(r.total, 1);
    assert_eq!(r.groups[0].hits[0].kind, HitKind::Session);
    assert_eq!(r.groups[0].hits[0].record_id, sid);
    assert!(
        r.groups[0].hits[0]
            .at
            .as_deref()
            .is_some_and(|at| at.starts_with("2026-11-20T10:00")),
        "a note's hit carries its time"
    );
    let hit = &r.groups[0].hits[0].snippet;
    assert!(
        hit.iter().any(|p| p.hit && p.text == "trapezius"),
        "{hit:?}"
    );

    // diacritics-insensitive both ways
    assert_eq!(find(&s, "cafe").total, 1);
    assert_eq!(find(&s, "CAFÉ").total, 1);
    // every word must match
    assert_eq!(find(&s, "taut temporalis").total, 0);
    assert_eq!(find(&s, "tender temporalis").total, 1);
}

fn amendments_and_intake_notes_are_found_and_open_the_right_record(engine: Engine) {
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Ann", "Smith");
    let sid = s.start_session(&c).unwrap().id;
    s.save_session_draft(
        &sid,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            duration_minutes: Some(60.0),
            subjective: "Fine".into(),
            pain_before: Some(5.0),
            pain_after: Some(2.0),
            techniques: vec![stillpoint::domain::sessions::SessionTechniqueInput {
                technique_id: "01900000-0000-7000-8000-000000000004".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();
    s.sign_session(&sid).unwrap();
    s.amend_session(
        &sid,
        "Late entry",
        "Client mentioned jaw clenching at night",
    )
    .unwrap();
    let iid = s
        .record_intake(
            &c,
            &IntakeInput {
                assessed_on: "2026-11-01".into(),
                headache_days: Some(8.0),
                usual_intensity: Some(5.0),
                goals: "Run a marathon without a migraine".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;

    let r = find(&s, "clenching");
    assert_eq!(r.groups[0].hits[0].kind, HitKind::Amendment);
    assert_eq!(
        r.groups[0].hits[0].record_id, sid,
        "an amendment opens its session"
    );
    let r = find(&s, "marathon");
    assert_eq!(r.groups[0].hits[0].kind, HitKind::Intake);
    assert_eq!(r.groups[0].hits[0].record_id, iid);
}

fn hostile_queries_and_markup_are_harmless(engine: Engine) {
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Ann", "Smith");
    note(
        &mut s,
        &c,
        "2026-11-20T10:00:00Z",
        "<img src=x onerror=alert(1)> headache",
        "",
    );
    for q in [
        "\"",
        "'; DROP TABLE search_fts; --",
        "NEAR(a b)",
        "*",
        "a OR",
        "^x",
        "😀",
        "שלום",
        "",
    ] {
        s.search(&SearchQuery {
            text: q.into(),
            ..Default::default()
        })
        .unwrap();
    }
    let r = find(&s, "onerror");
    let joined = hit_text(&r).join("");
    assert!(
        joined.contains("<img src=x onerror=alert(1)>"),
        "markup is text: {joined}"
    );
    assert_eq!(find(&s, "headache").total, 1);
    let too_long = s.search(&SearchQuery {
        text: "a".repeat(201),
        ..Default::default()
    });
    assert_eq!(too_long.unwrap_err().field.as_deref(), Some("text"));
}

fn the_index_follows_edits_and_archiving(engine: Engine) {
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Ann", "Smith");
    let sid = note(&mut s, &c, "2026-11-20T10:00:00Z", "Neck stiffness", "");
    assert_eq!(find(&s, "stiffness").total, 1);
    s.save_session_draft(
        &sid,
        &SessionInput {
            started_at: "2026-11-20T10:00:00Z".into(),
            subjective: "Shoulder ache".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(find(&s, "stiffness").total, 0);
    assert_eq!(find(&s, "shoulder").total, 1);

    let current = s.get_client(&c).unwrap();
    let mut renamed = current.fields.clone();
    renamed.last_name = "Lindqvist".into();
    s.update_client(&c, current.version, &renamed).unwrap();
    assert_eq!(find(&s, "smith").total, 0);
    assert_eq!(find(&s, "lindqvist").total, 1);

    s.archive_client(&c).unwrap();
    assert_eq!(find(&s, "shoulder").total, 0);
    let asked = s
        .search(&SearchQuery {
            text: "shoulder".into(),
            include_archived: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(asked.total, 1);
    assert!(asked.groups[0].client.archived);
}

fn a_common_word_is_newest_first_unless_the_search_is_narrowed(engine: Engine) {
    let (_d, mut s) = store(engine);
    let a = client(&mut s, "Ann", "Smith");
    let b = client(&mut s, "Bea", "Jones");
    let n = RANK_LIMIT as usize + 1;
    for i in 0..n {
        let who = if i % 2 == 0 { &a } else { &b };
        let day = 1 + (i % 28);
        let month = 1 + (i / 28) % 10;
        note(
            &mut s,
            who,
            &format!("2026-{month:02}-{day:02}T10:00:00Z"),
            "headache again",
            "",
        );
    }
    let r = s
        .search(&SearchQuery {
            text: "headache".into(),
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.ordering, Ordering::Newest);
    assert_eq!(r.total, RANK_LIMIT, "not counted to the end");
    assert!(r.more, "says that more match");
    // grouped by client; within each group newest first; the first hit is the newest of all
    assert_eq!(r.groups.len(), 2, "grouped by client");
    for g in &r.groups {
        let dates: Vec<&str> = g.hits.iter().map(|h| h.at.as_deref().unwrap()).collect();
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "newest first within a client"
        );
    }
    let newest = r
        .groups
        .iter()
        .flat_map(|g| &g.hits)
        .map(|h| h.at.as_deref().unwrap())
        .max();
    assert_eq!(r.groups[0].hits[0].at.as_deref(), newest);

    let one = s
        .search(&SearchQuery {
            text: "headache".into(),
            client_id: Some(a.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(one.ordering, Ordering::Relevance);
    assert!(one.groups.iter().all(|g| g.client.id == a));
    let period = s
        .search(&SearchQuery {
            text: "headache".into(),
            from: Some("2026-02-01".into()),
            to: Some("2026-02-28".into()),
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(period.ordering, Ordering::Relevance);
    assert!(
        period
            .groups
            .iter()
            .flat_map(|g| &g.hits)
            .all(|h| h.at.as_deref().is_some_and(|at| at.starts_with("2026-02")))
    );
    assert_eq!(period.total, 56); // i in 28..56 and 308..336
    let bad = s.search(&SearchQuery {
        text: "x".into(),
        from: Some("2026-03-01".into()),
        to: Some("2026-02-01".into()),
        ..Default::default()
    });
    assert_eq!(bad.unwrap_err().field.as_deref(), Some("to"));
}

fn note_ids(r: &SearchResults) -> Vec<String> {
    let mut ids: Vec<String> = r
        .groups
        .iter()
        .flat_map(|g| g.hits.iter())
        .filter(|h| h.kind == HitKind::Session)
        .map(|h| h.record_id.clone())
        .collect();
    ids.sort();
    ids
}

fn a_prefix_finds_every_word_it_starts_whatever_was_written_when(engine: Engine) {
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Pia", "Prefix");
    let at = "2026-11-20T10:00:00Z";
    let one = note(&mut s, &c, at, "Headache on waking.", "");
    let many = note(&mut s, &c, at, "Headaches all week.", "");
    let ish = note(&mut s, &c, at, "Feeling headachy.", "");
    let cafe = note(&mut s, &c, at, "Too much café au lait.", "");
    let naive = note(&mut s, &c, at, "", "Naïve to massage.");
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        note_ids(&find(&s, "headache")),
        sorted(vec![one.clone(), many.clone()])
    );
    assert_eq!(
        note_ids(&find(&s, "headach")),
        sorted(vec![one.clone(), many.clone(), ish.clone()])
    );
    assert_eq!(note_ids(&find(&s, "HEADACHES")), vec![many.clone()]);
    assert_eq!(note_ids(&find(&s, "caf")), vec![cafe.clone()]);
    assert_eq!(note_ids(&find(&s, "café")), vec![cafe.clone()]);
    assert_eq!(note_ids(&find(&s, "naive")), vec![naive.clone()]);
    assert_eq!(note_ids(&find(&s, "naï")), vec![naive]);
    assert_eq!(note_ids(&find(&s, "head wak")), vec![one.clone()]);
    assert!(note_ids(&find(&s, "headachez")).is_empty());

    // A word saved later is found by its prefix too, and an edit that drops a word drops it
    // from the results (a stale entry in the word list matches nothing).
    s.save_session_draft(
        &ish,
        &SessionInput {
            started_at: at.into(),
            subjective: "Headachiness gone; paresthesia in the left hand.".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(note_ids(&find(&s, "paresth")), vec![ish.clone()]);
    assert_eq!(note_ids(&find(&s, "headachy")), Vec::<String>::new());
    assert_eq!(note_ids(&find(&s, "headach")), sorted(vec![one, many, ish]));
}

fn a_prefix_of_very_many_words_still_finds_them_all(engine: Engine) {
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Wen", "Words");
    // More words than are ever spelled out for one prefix.
    let body: Vec<String> = (0..40).map(|i| format!("zq{i:02}x")).collect();
    let id = note(&mut s, &c, "2026-11-20T10:00:00Z", &body.join(" "), "");
    assert_eq!(note_ids(&find(&s, "zq")), vec![id.clone()]);
    assert_eq!(note_ids(&find(&s, "zq3")), vec![id]);
}

fn words_inside_addresses_numbers_ranges_and_markup_are_found_by_each_part(engine: Engine) {
    // Every character that is not part of a word separates words, whatever it is next to:
    // an e-mail or web address, a decimal, a range, a path, a tag.
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Pat", "Parts");
    let at = "2026-11-20T10:00:00Z";
    let email = note(
        &mut s,
        &c,
        at,
        "Emailed the plan to jane@harbourlight-clinic.ie",
        "",
    );
    let web = note(
        &mut s,
        &c,
        at,
        "Sent https://physio.example.org/neck-stretches?week=2",
        "",
    );
    let dose = note(&mut s, &c, at, "Took 12.5 mg sumatriptan", "");
    let range = note(&mut s, &c, at, "Chin tucks 3x/day, 2-3 sets", "");
    let spine = note(&mut s, &c, at, "", "Tender over L5/S1 and C3-C4");
    let markup = note(&mut s, &c, at, "<b>Throbbing</b> &amp; pulsing", "");
    let digits = note(&mut s, &c, at, "Tried café2go tea", "");
    let decomposed = note(&mut s, &c, at, "Works at an e\u{301}cole", "");
    let places = note(&mut s, &c, at, "Moved from Łódź to the Hauptstraße", "");
    for (query, want) in [
        ("harbourlight", &email),
        ("clinic ie", &email),
        ("jane@harbourlight", &email),
        ("physio", &web),
        ("stretches", &web),
        ("example org", &web),
        ("12.5", &dose),
        ("12 5 mg", &dose),
        ("day", &range),
        ("3x", &range),
        ("sets", &range),
        ("S1", &spine),
        ("l5", &spine),
        ("c4", &spine),
        ("throbbing", &markup),
        ("amp pulsing", &markup),
        ("cafe2go", &digits),
        ("café2", &digits),
        ("ecole", &decomposed),
        ("école", &decomposed),
        ("łódź", &places),
        ("ŁÓD", &places),
        ("hauptstraße", &places),
    ] {
        assert_eq!(note_ids(&find(&s, query)), vec![want.clone()], "{query}");
    }
    assert!(note_ids(&find(&s, "harbourlightclinic")).is_empty());
    assert!(note_ids(&find(&s, "125")).is_empty());
}

/// The snippet's text without its ellipses and hit marks.
fn plain(h: &stillpoint::search::Hit) -> String {
    h.snippet
        .iter()
        .map(|p| p.text.as_str())
        .collect::<String>()
}

fn a_snippet_is_the_notes_own_text_around_the_hit(engine: Engine) {
    let (_d, mut s) = store(engine);
    let c = client(&mut s, "Sam", "Snippet");
    let before: Vec<String> = (0..30).map(|i| format!("w{i}")).collect();
    let after: Vec<String> = (30..60).map(|i| format!("w{i}")).collect();
    let body = format!(
        "{} (see <i>note</i>: tension-type headache, 2-3/week.) {}",
        before.join(" "),
        after.join(" ")
    );
    note(&mut s, &c, "2026-11-20T10:00:00Z", &body, "");
    let short = "\"<Quoted>\" — headache; [brackets] & more.";
    note(&mut s, &c, "2026-11-21T10:00:00Z", short, "");
    let r = find(&s, "headache");
    assert_eq!(r.total, 2);
    let mut seen = 0;
    for h in r.groups.iter().flat_map(|g| &g.hits) {
        let text = plain(h);
        let hits: Vec<&str> = h
            .snippet
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, vec!["headache"], "{text}");
        if text.contains("Quoted") {
            // A short note is shown whole, every character as written.
            assert_eq!(text.trim_end(), short);
        } else {
            // A long one is cut to the words around the hit, as written, and says where it
            // was cut (FTS5 leaves out the "…" where a cut falls at a sentence start).
            assert!(text.ends_with('…'), "{text}");
            let inner = text.trim_matches('…');
            assert!(body.contains(inner), "{inner:?} is not in the note");
            assert!(
                inner.contains("tension-type headache, 2-3/week.)"),
                "{inner}"
            );
            assert!(inner.split_whitespace().count() < 24, "{inner}");
        }
        seen += 1;
    }
    assert_eq!(seen, 2);
}

// SQLite only: migration 0010 upgrades a file written before the word list existed; a
// clinic server starts from the PostgreSQL baseline, which already has it.
#[test]
fn words_written_before_the_word_list_existed_are_found_by_prefix_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    let id = {
        let mut s = Store::open(OpenOptions::file(&path)).unwrap();
        let c = client(&mut s, "Uma", "Upgrade");
        note(
            &mut s,
            &c,
            "2026-11-20T10:00:00Z",
            "Paresthesia in both hands.",
            "",
        )
    };
    {
        // As the version before the word list left the file.
        let c = rusqlite::Connection::open(&path).unwrap();
        // (Schema 13's column and the later schemas' tables too: the upgrade adds them again.)
        c.execute_batch(
            "DROP TABLE search_terms; ALTER TABLE users DROP COLUMN credentials;
             DROP TABLE diary_days; DROP TABLE session_home_care; DROP TABLE home_care_items;
             PRAGMA user_version = 9;",
        )
        .unwrap();
    }
    let s = Store::open(OpenOptions::file(&path)).unwrap();
    assert_eq!(note_ids(&find(&s, "paresth")), vec![id]);
    let words: i64 = s
        .conn()
        .unwrap()
        .query_row("SELECT count(*) FROM search_terms", [], |r| r.get(0))
        .unwrap();
    assert!(words >= 6, "{words}");
}

crate::on_both_engines!(
    finds_clients_by_name_and_notes_by_their_words,
    amendments_and_intake_notes_are_found_and_open_the_right_record,
    hostile_queries_and_markup_are_harmless,
    the_index_follows_edits_and_archiving,
    a_common_word_is_newest_first_unless_the_search_is_narrowed,
    a_prefix_finds_every_word_it_starts_whatever_was_written_when,
    a_prefix_of_very_many_words_still_finds_them_all,
    words_inside_addresses_numbers_ranges_and_markup_are_found_by_each_part,
    a_snippet_is_the_notes_own_text_around_the_hit,
);
