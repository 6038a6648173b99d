//! The headache diary kept on both engines: a day saved and replaced (one row per day),
//! removed, read by month; a CSV file previewed and imported all or nothing, every bad row
//! by line and field with nothing written, the same file twice adding nothing twice, a day
//! with other values refused rather than overwritten; hostile text kept as text; roles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Engine, Place, fixed_clock, store_with_ann_on};
use stillpoint::domain::diary::DiaryDayInput;
use stillpoint::domain::vocab::{AcuteMedKind, Trigger};
use stillpoint::error::ErrorCode;
use stillpoint::security::users::Role;
use stillpoint::{ClientFields, Store};

fn headache(day: &str, peak: f64, hours: f64) -> DiaryDayInput {
    DiaryDayInput {
        day: day.into(),
        headache: true,
        peak_intensity: Some(peak),
        duration_hours: Some(hours),
        acute_meds: vec![AcuteMedKind::Triptan],
        triggers: vec![Trigger::Stress],
        sleep_hours: Some(6.5),
        sleep_quality: Some(4.0),
        stress: Some(7.0),
        menstruation: Some(false),
        note: "after a long screen day".into(),
    }
}

fn count_days(s: &Store, client: &str, month: &str) -> usize {
    s.diary_month(client, Some(month)).unwrap().days.len()
}

fn rows(s: &Store, table: &str) -> i64 {
    s.sql()
        .value(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .unwrap()
}

/// The day after the tests' fixed clock: 24 Nov 2026, 09:00 UTC.
fn next_day() -> stillpoint::db::Clock {
    use chrono::TimeZone;
    std::sync::Arc::new(|| chrono::Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap())
}

/// A day is changed freely on the day it is typed in; a day recorded before today only with a
/// reason, kept as a correction beside the values in force, which the outcomes count and say.
fn a_day_recorded_before_today_is_corrected_only_with_a_reason(engine: Engine) {
    let (place, mut s, ann) = store_with_ann_on(engine);
    s.save_diary_day(&ann, &headache("2026-11-03", 7.0, 4.0), "")
        .unwrap();
    s.save_diary_day(&ann, &headache("2026-11-04", 6.0, 3.0), "")
        .unwrap();
    // The same day (23 Nov): a change is part of typing it in.
    let again = s
        .save_diary_day(&ann, &headache("2026-11-04", 6.0, 5.0), "")
        .unwrap();
    assert!(!again.reason_needed);
    assert!(again.corrections.is_empty());
    drop(s);

    // The next day: changing or removing either needs a reason.
    let mut s = Store::open(place.options().clock(next_day())).unwrap();
    let month = s.diary_month(&ann, Some("2026-11")).unwrap();
    assert!(month.days.iter().all(|d| d.reason_needed));
    let before = (rows(&s, "diary_corrections"), rows(&s, "audit_log"));
    let e = s
        .save_diary_day(&ann, &headache("2026-11-03", 5.0, 2.0), " ")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    assert_eq!(
        e.message,
        "3 Nov 2026 was recorded before today: say why it is being changed."
    );
    let e = s.delete_diary_day(&ann, "2026-11-04", "").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    assert_eq!(
        e.message,
        "4 Nov 2026 was recorded before today: say why it is being removed."
    );
    // Saved again as it is: nothing to ask, nothing written.
    s.save_diary_day(&ann, &headache("2026-11-03", 7.0, 4.0), "")
        .unwrap();
    assert_eq!(
        (rows(&s, "diary_corrections"), rows(&s, "audit_log")),
        before
    );
    assert_eq!(
        s.diary_month(&ann, Some("2026-11")).unwrap().days[0].peak_intensity,
        Some(7)
    );

    let reason = "She misread her diary <script>'; DROP TABLE diary_days; -- 😀 عربى";
    let fixed = s
        .save_diary_day(&ann, &headache("2026-11-03", 5.0, 2.0), reason)
        .unwrap();
    assert_eq!(fixed.peak_intensity, Some(5));
    assert!(fixed.reason_needed);
    assert_eq!(fixed.corrections.len(), 1);
    let c = &fixed.corrections[0];
    assert_eq!(c.changes, "peak intensity 7 → 5; hours 4.0 → 2.0");
    assert_eq!(c.reason, reason);
    assert_eq!(
        (c.author.as_str(), c.author_name.as_str()),
        ("local", "local")
    );
    let original: String = s
        .sql()
        .value("SELECT original FROM diary_corrections", &[])
        .unwrap();
    assert!(original.contains("\"peak_intensity\":7"), "{original}");
    let audit: String = s
        .sql()
        .value(
            "SELECT summary FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(
        audit,
        format!(
            "corrected the diary day 2026-11-03 for client {ann}: {reason}; peak intensity 7 → 5; hours 4.0 → 2.0"
        )
    );
    assert_eq!(
        s.diary_month(&ann, Some("2026-11")).unwrap().days[0],
        fixed,
        "the month shows the correction too"
    );

    s.delete_diary_day(&ann, "2026-11-04", "Not her diary: her sister's")
        .unwrap();
    let removed: Option<String> = s
        .sql()
        .value(
            "SELECT corrected FROM diary_corrections WHERE day = '2026-11-04'",
            &[],
        )
        .unwrap();
    assert_eq!(removed, None);
    assert_eq!(rows(&s, "diary_corrections"), 2);
    // The outcomes count the values in force and say so.
    let outcomes = s.client_outcomes(&ann).unwrap();
    assert_eq!(
        outcomes.diary_corrections_note.as_deref(),
        Some(
            "The diary figures use the corrected values of 2 days (changed with a reason after they were recorded); the earlier values are kept."
        )
    );
    assert_eq!(
        s.client_chart(&ann)
            .unwrap()
            .outcomes
            .diary_corrections_note,
        outcomes.diary_corrections_note
    );
    // Kept unchanged.
    let e = s
        .sql()
        .value::<i64>("UPDATE diary_corrections SET reason = 'x' RETURNING 1", &[])
        .unwrap_err();
    assert!(e.message.contains("kept unchanged"), "{}", e.message);
}

fn a_day_is_saved_replaced_read_by_month_and_removed(engine: Engine) {
    let (_place, mut s, ann) = store_with_ann_on(engine);
    let saved = s
        .save_diary_day(&ann, &headache("2026-11-03", 7.0, 4.0), "")
        .unwrap();
    assert_eq!(saved.peak_intensity, Some(7));
    s.save_diary_day(
        &ann,
        &DiaryDayInput {
            day: "2026-11-04".into(),
            sleep_hours: Some(8.0),
            ..Default::default()
        },
        "",
    )
    .unwrap();
    // Saving the same day again replaces it: still one row for the 3rd.
    let again = s
        .save_diary_day(&ann, &headache("2026-11-03", 5.0, 2.0), "")
        .unwrap();
    // The audit log keeps what the day held before, beside what it holds now.
    let audit: Vec<String> = s
        .sql()
        .all(
            "SELECT summary FROM audit_log WHERE action = 'diary.save' ORDER BY seq",
            &[],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit.len(), 3);
    assert_eq!(
        audit[0],
        format!("saved the diary day 2026-11-03 for client {ann}")
    );
    assert_eq!(
        audit[2],
        format!(
            "changed the diary day 2026-11-03 for client {ann}: peak intensity 7 → 5; hours 4.0 → 2.0"
        )
    );
    let m = s.diary_month(&ann, Some("2026-11")).unwrap();
    assert_eq!(m.days.len(), 2);
    assert_eq!(m.days[0], again);
    assert_eq!(m.days[0].note, "after a long screen day");
    assert_eq!(m.days_in_month, 30);
    assert_eq!(m.first_weekday, 6, "1 Nov 2026 is a Sunday");
    assert_eq!(
        (m.previous.as_str(), m.next.as_str()),
        ("2026-10", "2026-12")
    );
    assert_eq!(m.latest_month.as_deref(), Some("2026-11"));
    // Without a month: the latest month with days.
    assert_eq!(s.diary_month(&ann, None).unwrap().month, "2026-11");
    assert_eq!(count_days(&s, &ann, "2026-10"), 0);

    s.delete_diary_day(&ann, "2026-11-04", "").unwrap();
    assert_eq!(count_days(&s, &ann, "2026-11"), 1);
    assert_eq!(
        s.delete_diary_day(&ann, "2026-11-04", "").unwrap_err().code,
        ErrorCode::NotFound
    );
    let actions: Vec<String> = s
        .sql()
        .all(
            "SELECT action FROM audit_log WHERE entity = 'diary' ORDER BY seq",
            stillpoint::args![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        actions,
        ["diary.save", "diary.save", "diary.save", "diary.delete"]
    );
}

fn a_bad_day_names_its_field_and_writes_nothing(engine: Engine) {
    let (_place, mut s, ann) = store_with_ann_on(engine);
    let cases: Vec<(&str, DiaryDayInput)> = vec![
        ("peak_intensity", headache("2026-11-03", 11.0, 2.0)),
        ("duration_hours", headache("2026-11-03", 4.0, 80.0)),
        ("day", headache("2026-12-24", 4.0, 2.0)),
        (
            "peak_intensity",
            DiaryDayInput {
                peak_intensity: None,
                ..headache("2026-11-03", 0.0, 2.0)
            },
        ),
        (
            "stress",
            DiaryDayInput {
                stress: Some(4.5),
                ..headache("2026-11-03", 4.0, 2.0)
            },
        ),
    ];
    for (field, input) in cases {
        let e = s.save_diary_day(&ann, &input, "").unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{input:?}");
    }
    assert_eq!(count_days(&s, &ann, "2026-11"), 0);
    assert_eq!(
        s.diary_month(&ann, Some("November"))
            .unwrap_err()
            .field
            .as_deref(),
        Some("month")
    );
}

fn hostile_text_is_stored_as_text(engine: Engine) {
    let (_place, mut s, ann) = store_with_ann_on(engine);
    let note = "<script>alert(1)</script> '; DROP TABLE diary_days; -- 😀 مرحبا";
    let mut d = headache("2026-11-05", 6.0, 3.0);
    d.note = note.into();
    s.save_diary_day(&ann, &d, "").unwrap();
    let csv = format!("date,headache,peak,note\n2026-11-06,yes,3,\"{note}\"\n");
    s.import_diary_csv(&ann, &csv).unwrap();
    let m = s.diary_month(&ann, Some("2026-11")).unwrap();
    assert_eq!(m.days.len(), 2);
    assert!(m.days.iter().all(|d| d.note == note));
}

const GOOD: &str = "date,headache,peak_intensity,duration_hours,acute_meds,triggers,sleep_hours,sleep_quality,stress,menstruation,note\n\
2026-11-01,yes,6,3,triptan,stress;poor_sleep,6,4,7,no,woke with it\n\
2026-11-02,no,,,,,8,7,3,,\n\
2026-11-03,yes,4,1.5,simple_analgesic,,7,6,5,yes,\n";

fn a_file_with_a_bad_row_is_refused_whole_then_imported_once(engine: Engine) {
    let (_place, mut s, ann) = store_with_ann_on(engine);
    let bad = GOOD.replace("2026-11-03,yes,4,", "2026-11-03,yes,14,");
    let preview = s.preview_diary_csv(&ann, &bad).unwrap();
    assert_eq!(preview.days.len(), 2);
    let errs: Vec<(u32, &str)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(errs, [(4, "peak_intensity")]);
    let e = s.import_diary_csv(&ann, &bad).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("file"));
    assert!(
        e.message.contains("line 4 (peak_intensity)"),
        "{}",
        e.message
    );
    assert_eq!(count_days(&s, &ann, "2026-11"), 0, "nothing written");

    let preview = s.preview_diary_csv(&ann, GOOD).unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!((preview.days.len(), preview.unchanged), (3, 0));
    let r = s.import_diary_csv(&ann, GOOD).unwrap();
    assert_eq!((r.added, r.unchanged), (3, 0));
    let m = s.diary_month(&ann, Some("2026-11")).unwrap();
    assert_eq!(m.days.len(), 3);
    assert_eq!(m.days[0].acute_meds, [AcuteMedKind::Triptan]);
    assert_eq!(m.days[0].triggers.len(), 2);
    assert_eq!(m.days[2].menstruation, Some(true));
    assert_eq!(m.days[1].peak_intensity, None);

    // The same file again adds nothing.
    assert_eq!(s.preview_diary_csv(&ann, GOOD).unwrap().unchanged, 3);
    let r = s.import_diary_csv(&ann, GOOD).unwrap();
    assert_eq!((r.added, r.unchanged), (0, 3));
    assert_eq!(count_days(&s, &ann, "2026-11"), 3);

    // A file that would change a day already typed in is refused by that line, whole.
    let changed = format!(
        "{}2026-11-04,no,,,,,8,7,2,,\n",
        GOOD.replace("2026-11-02,no,,,,,8,7,3", "2026-11-02,no,,,,,5,7,3")
    );
    let preview = s.preview_diary_csv(&ann, &changed).unwrap();
    let errs: Vec<(u32, &str)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(errs, [(3, "day")]);
    assert_eq!(preview.unchanged, 2);
    assert!(s.import_diary_csv(&ann, &changed).is_err());
    assert_eq!(
        count_days(&s, &ann, "2026-11"),
        3,
        "the 4th was not added either"
    );
    let imports: i64 = s
        .sql()
        .value(
            "SELECT count(*) FROM audit_log WHERE action = 'diary.import'",
            stillpoint::args![],
        )
        .unwrap();
    assert_eq!(imports, 2);
}

fn a_file_too_large_or_without_dates_is_refused(engine: Engine) {
    let (_place, mut s, ann) = store_with_ann_on(engine);
    let big = format!("date,note\n2026-11-01,{}\n", "x".repeat(1_000_001));
    let e = s.import_diary_csv(&ann, &big).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("file"));
    assert!(e.message.contains("1 MB"), "{}", e.message);
    let e = s
        .preview_diary_csv(&ann, "when,pain\n2026-11-01,3\n")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("file"));
    assert_eq!(count_days(&s, &ann, "2026-11"), 0);
}

fn the_diary_goes_through_the_roles(engine: Engine) {
    let place = Place::new(engine);
    let open_as = |role: Role, actor: &str| {
        Store::open_as(place.options().clock(fixed_clock()).actor(actor), role).unwrap()
    };
    let mut tess = open_as(Role::Therapist, "tess");
    let ann = tess
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    tess.save_diary_day(&ann, &headache("2026-11-10", 7.0, 4.0), "")
        .unwrap();
    tess.import_diary_csv(&ann, GOOD).unwrap();

    // Another therapist neither reads nor writes Ann's diary.
    let mut jo = open_as(Role::Therapist, "jo");
    assert!(jo.diary_month(&ann, Some("2026-11")).is_err());
    assert!(jo.preview_diary_csv(&ann, GOOD).is_err());
    assert!(
        jo.save_diary_day(&ann, &headache("2026-11-11", 3.0, 1.0), "")
            .is_err()
    );
    assert!(jo.delete_diary_day(&ann, "2026-11-03", "").is_err());

    // A manager reads it and writes nothing.
    let mut mia = open_as(Role::Manager, "mia");
    assert_eq!(count_days(&mia, &ann, "2026-11"), 4);
    let e = mia
        .save_diary_day(&ann, &headache("2026-11-11", 3.0, 1.0), "")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(
        mia.import_diary_csv(&ann, GOOD).unwrap_err().code,
        ErrorCode::Forbidden
    );

    // An archived client's diary is kept as it is.
    let mut owner = place.open();
    owner.archive_client(&ann).unwrap();
    assert_eq!(
        tess.save_diary_day(&ann, &headache("2026-11-11", 3.0, 1.0), "")
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    assert_eq!(count_days(&owner, &ann, "2026-11"), 4);
}

/// On the clinic server the table itself obeys the roles, whatever the client: each user
/// logs in as their own role (made after schema 13, so granted by the redefined
/// `stillpoint_create_login`); a therapist's login, through the core or a plain SQL client,
/// reads and writes only the diaries of clients they see; a manager's login reads them.
#[test]
fn on_the_server_the_diary_table_obeys_the_login_roles() {
    use stillpoint::OpenOptions;
    use stillpoint::security::users::NewUser;
    let place = Place::new(Engine::Postgres);
    let Place::Pg { conninfo, .. } = &place else {
        unreachable!()
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
    let (tess, jo, mia) = (
        add("tess", Role::Therapist),
        add("jo", Role::Therapist),
        add("mia", Role::Manager),
    );
    let mut core_tess =
        Store::open(OpenOptions::server(format!("{conninfo} user={tess}")).actor("tess")).unwrap();
    let ann = core_tess
        .create_client(&ClientFields {
            first_name: "Ann".into(),
            last_name: "Smith".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    core_tess
        .save_diary_day(&ann, &headache("2026-11-03", 7.0, 4.0), "")
        .unwrap();
    core_tess.import_diary_csv(&ann, GOOD).unwrap_err(); // the 3rd differs: refused whole
    core_tess.delete_diary_day(&ann, "2026-11-03", "").unwrap();
    assert_eq!(core_tess.import_diary_csv(&ann, GOOD).unwrap().added, 3);

    let sql_as = |role: &str| {
        postgres::Client::connect(&format!("{conninfo} user={role}"), postgres::NoTls).unwrap()
    };
    let mut jo_sql = sql_as(&jo);
    let n: i64 = jo_sql
        .query_one("SELECT count(*) FROM diary_days", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "jo reads none of Ann's diary");
    let e = jo_sql
        .execute(
            "INSERT INTO diary_days (client_id, day, headache, recorded_by, recorded_at)
             VALUES ($1, '2026-11-20', 0, 'jo', 'x')",
            &[&ann],
        )
        .expect_err("jo wrote a day into Ann's diary");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{e}");
    assert_eq!(
        jo_sql
            .execute("DELETE FROM diary_days WHERE client_id = $1", &[&ann])
            .unwrap(),
        0
    );
    let mut mia_sql = sql_as(&mia);
    let n: i64 = mia_sql
        .query_one("SELECT count(*) FROM diary_days", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

crate::on_both_engines!(
    a_day_recorded_before_today_is_corrected_only_with_a_reason,
    a_day_is_saved_replaced_read_by_month_and_removed,
    a_bad_day_names_its_field_and_writes_nothing,
    hostile_text_is_stored_as_text,
    a_file_with_a_bad_row_is_refused_whole_then_imported_once,
    a_file_too_large_or_without_dates_is_refused,
    the_diary_goes_through_the_roles,
);
