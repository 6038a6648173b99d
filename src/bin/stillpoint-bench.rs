//! `stillpoint-bench`: measurements printed side by side in one run. For now, what
//! encryption at rest costs: the same workload on an unencrypted and an encrypted database,
//! and the time a login takes (one Argon2id derivation plus opening the database).
//!
//! Lines:
//! `bench encryption op=<op> n=<samples> plain_p50_ms=<x> encrypted_p50_ms=<y> plain_p95_ms=… encrypted_p95_ms=… ratio_p50=<r>`
//! `bench login n=<samples> p50_ms=<x> p95_ms=<y>`

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use stillpoint::app::SetupInput;
use stillpoint::dashboard::DashboardQuery;
use stillpoint::keys::DbKey;
use stillpoint::search::SearchQuery;
use stillpoint::sessions::{SessionInput, SessionTechniqueInput};
use stillpoint::{App, ClientFields, OpenOptions, Store, db::database_path};

const CLIENTS: usize = 300;

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or(f64::NAN)
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

struct Timings {
    create_client: Vec<f64>,
    save_note: Vec<f64>,
    open_chart: Vec<f64>,
    search_notes: Vec<f64>,
    dashboard: Vec<f64>,
}

fn workload(dir: &Path, key: Option<DbKey>) -> stillpoint::Result<Timings> {
    let mut opts = OpenOptions::file(database_path(dir));
    if let Some(k) = key {
        opts = opts.key(k);
    }
    let mut s = Store::open(opts)?;
    let mut t = Timings {
        create_client: Vec::new(),
        save_note: Vec::new(),
        open_chart: Vec::new(),
        search_notes: Vec::new(),
        dashboard: Vec::new(),
    };
    let mut ids = Vec::new();
    for i in 0..CLIENTS {
        let start = Instant::now();
        let c = s.create_client(&ClientFields {
            first_name: format!("Client{i}"),
            last_name: ["Smith", "Okafor", "Nguyen", "García", "Kowalski"][i % 5].into(),
            notes: "Tension-type headaches, worse with screen work.".into(),
            ..Default::default()
        })?;
        t.create_client.push(ms(start));
        ids.push(c.id);
    }
    for (i, id) in ids.iter().enumerate() {
        let session = s.start_session(id)?.id;
        let start = Instant::now();
        s.save_session_draft(
            &session,
            &SessionInput {
                started_at: "2026-11-20T10:00:00Z".into(),
                duration_minutes: Some(60.0),
                subjective: format!("Visit {i}: two migraines since last week, neck stiff."),
                objective: "Taut band in the right upper trapezius referring to the temple.".into(),
                assessment: "Rotation improved after treatment.".into(),
                plan: "Weekly for four weeks; chin tucks at home.".into(),
                pain_before: Some(6.0),
                pain_after: Some(3.0),
                techniques: vec![SessionTechniqueInput {
                    technique_id: stillpoint::demo::TRIGGER_POINT.into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )?;
        t.save_note.push(ms(start));
    }
    for id in ids.iter().step_by(3) {
        let start = Instant::now();
        s.get_client(id)?;
        s.client_history(id)?;
        s.client_outcomes(id)?;
        t.open_chart.push(ms(start));
    }
    for word in ["trapezius", "migraines", "rotation", "chin", "temple"]
        .iter()
        .cycle()
        .take(50)
    {
        let start = Instant::now();
        s.search(&SearchQuery {
            text: (*word).into(),
            include_archived: false,
            client_id: None,
            from: None,
            to: None,
            limit: 50,
        })?;
        t.search_notes.push(ms(start));
    }
    for _ in 0..20 {
        let start = Instant::now();
        s.dashboard(&DashboardQuery::default())?;
        t.dashboard.push(ms(start));
    }
    Ok(t)
}

fn line(op: &str, plain: &mut [f64], enc: &mut [f64]) {
    let (p50, e50) = (percentile(plain, 0.5), percentile(enc, 0.5));
    let (p95, e95) = (percentile(plain, 0.95), percentile(enc, 0.95));
    println!(
        "bench encryption op={op} n={} plain_p50_ms={p50:.3} encrypted_p50_ms={e50:.3} plain_p95_ms={p95:.3} encrypted_p95_ms={e95:.3} ratio_p50={:.2}",
        plain.len(),
        e50 / p50
    );
}

fn run() -> stillpoint::Result<()> {
    let plain_dir = tempfile::tempdir()?;
    let enc_dir = tempfile::tempdir()?;
    // Interleave nothing: each workload runs alone on its own file, plain first.
    let mut plain = workload(plain_dir.path(), None)?;
    let mut enc = workload(enc_dir.path(), Some(DbKey::generate()?))?;
    line(
        "create_client",
        &mut plain.create_client,
        &mut enc.create_client,
    );
    line("save_note", &mut plain.save_note, &mut enc.save_note);
    line("open_chart", &mut plain.open_chart, &mut enc.open_chart);
    line(
        "search_notes",
        &mut plain.search_notes,
        &mut enc.search_notes,
    );
    line("dashboard", &mut plain.dashboard, &mut enc.dashboard);

    let login_dir = tempfile::tempdir()?;
    let mut app = App::start_in(login_dir.path().to_path_buf());
    app.setup(&SetupInput {
        username: "admin".into(),
        display_name: "Bench Admin".into(),
        password: "bench passphrase".into(),
    })?;
    let mut logins = Vec::new();
    for _ in 0..10 {
        app.logout();
        let start = Instant::now();
        app.login("admin", "bench passphrase")?;
        logins.push(ms(start));
    }
    println!(
        "bench login n={} p50_ms={:.1} p95_ms={:.1}",
        logins.len(),
        percentile(&mut logins, 0.5),
        percentile(&mut logins, 0.95)
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stillpoint-bench: {}", e.message);
            ExitCode::FAILURE
        }
    }
}
