//! `stillpoint-bench [--size small|medium|large] [--seed N] [--keep DIR]`: measurements printed
//! side by side in one run. `--keep DIR` makes the synthetic clinic once in DIR and reuses it
//! (the large one takes minutes to make); the app opens it too (demo accounts).
//!
//! 1. The operations a therapist or manager feels, on a synthetic clinic (encrypted, as in
//!    the app): our core API against the floor, the least SQL that returns the same answer,
//!    on the same file in the same run.
//!    `bench <op> n=<samples> ours_p50_ms=<x> ours_p95_ms=<y> floor_p50_ms=<z> ratio_p50=<r>`
//! 2. What encryption at rest costs: the same workload on an unencrypted and an encrypted
//!    database, and the time a login takes (one Argon2id derivation plus opening).
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

/// Every line printed, for the Markdown report.
static LINES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn emit(line: String) {
    println!("{line}");
    LINES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(line);
}

fn first_line(path: &str, key: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find(|l| l.starts_with(key))
        .map(|l| {
            l.split_once(':')
                .map_or(l, |(_, v)| v)
                .trim()
                .trim_matches('"')
                .to_owned()
        })
}

/// The targets of issue 6, at the large size on the 2-core machine: (operation, which
/// percentile, at most milliseconds).
const TARGETS: &[(&str, &str, f64)] = &[
    ("open_chart", "ours_p50_ms", 20.0),
    ("name_prefix", "ours_p95_ms", 5.0),
    ("note_search_rare", "ours_p95_ms", 25.0),
    ("note_search_common", "ours_p95_ms", 25.0),
    ("save_note", "ours_p99_ms", 20.0),
    ("dashboard", "ours_p50_ms", 200.0),
];
/// Every ratio to the floor, and the start-up ratio to the bare window.
const RATIO_TARGET: f64 = 1.3;
const STARTUP_TARGET: f64 = 1.2;

fn field(l: &str, k: &str) -> String {
    l.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{k}=")))
        .unwrap_or("")
        .to_owned()
}

/// `docs/BENCHMARKS.md` keeps the latest run of each size in its own section: this run's
/// section (the machine, the clinic, every line as a table, the targets) replaces the one
/// of the same size, and the others stay.
fn write_report(path: &str, size: &str, seed: u64, clinic: &str) -> std::io::Result<()> {
    let cpu = first_line("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = first_line("/proc/meminfo", "MemTotal")
        .and_then(|m| m.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let os = first_line("/etc/os-release", "PRETTY_NAME=").unwrap_or_default();
    let os = os.trim_start_matches("PRETTY_NAME=").trim_matches('"');
    let lines = LINES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let judged = size == "large";
    let verdict = |ok: bool| if ok { "met" } else { "missed" };
    let mut md = format!(
        "## Size `{size}`\n\n- Run: {} UTC, seed {seed}: {clinic}\n- Machine: {cpu}, {cores} cores, {mem} memory, {os}\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    );
    md.push_str("| operation | samples | ours p50 ms | ours p95 ms | ours p99 ms | floor p50 ms | ratio p50 | target |\n|---|---|---|---|---|---|---|---|\n");
    for l in lines.iter().filter(|l| l.contains("ours_p50_ms=")) {
        let op = l.split_whitespace().nth(1).unwrap_or("");
        let ratio: f64 = field(l, "ratio_p50").parse().unwrap_or(f64::NAN);
        let mut target = String::new();
        if judged {
            if let Some((_, k, max)) = TARGETS.iter().find(|(o, _, _)| *o == op) {
                let v: f64 = field(l, k).parse().unwrap_or(f64::NAN);
                let pct = k.trim_start_matches("ours_").trim_end_matches("_ms");
                target.push_str(&format!("≤ {max} ms {pct}: {}; ", verdict(v <= *max)));
            }
            target.push_str(&format!(
                "ratio ≤ {RATIO_TARGET}: {}",
                verdict(ratio <= RATIO_TARGET)
            ));
        }
        md.push_str(&format!(
            "| {op} | {} | {} | {} | {} | {} | {} | {target} |\n",
            field(l, "n"),
            field(l, "ours_p50_ms"),
            field(l, "ours_p95_ms"),
            field(l, "ours_p99_ms"),
            field(l, "floor_p50_ms"),
            field(l, "ratio_p50"),
        ));
    }
    md.push_str("\nEncryption at rest (the same small workload on a plain and an encrypted file), login, and\nstart-up and memory beside a bare Tauri window (when measured):\n\n```\n");
    for l in lines.iter().filter(|l| !l.contains("ours_p50_ms=")) {
        md.push_str(l);
        md.push('\n');
    }
    md.push_str("```\n");
    if let Some(l) = lines.iter().find(|l| l.starts_with("startup ")) {
        let r: f64 = field(l, "ratio").parse().unwrap_or(f64::NAN);
        md.push_str(&format!(
            "\nStart-up ratio to the bare window ≤ {STARTUP_TARGET}: {}.\n",
            verdict(r <= STARTUP_TARGET)
        ));
    }
    // Keep the other sizes' latest sections.
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut sections: Vec<(String, String)> = Vec::new();
    for part in old.split("\n## Size `").skip(1) {
        let name = part.split('`').next().unwrap_or("").to_owned();
        sections.push((name, format!("## Size `{part}")));
    }
    sections.retain(|(name, _)| name != size);
    sections.push((size.to_owned(), md));
    let rank = |n: &str| ["large", "medium", "small"].iter().position(|s| *s == n);
    sections.sort_by_key(|(n, _)| rank(n));
    let mut out = String::from(
        "# Benchmarks\n\nWritten by `make bench` (`target/release/stillpoint-bench --write docs/BENCHMARKS.md`),\none section per size, each the latest run of that size: `make bench` runs `medium` (with\nstart-up and memory), `make bench BENCH_SIZE=large` the clinic the targets are set for\n(100,000 clients and about a million notes; it takes about 7 minutes to make and 15 to\nmeasure; `BENCH_KEEP=DIR` keeps it for later runs). Each operation is timed through the core\nAPI (ours) and as the least SQL that returns the same answer, read out in full (the floor),\non the same encrypted file in the same run, alternately, after one untimed pass over the\ninputs (steady state; the backup is not warmed).\n\n",
    );
    for (_, text) in sections {
        out.push_str(text.trim_end());
        out.push_str("\n\n");
    }
    std::fs::write(path, out.trim_end().to_owned() + "\n")
}

/// A floor reads its answer out, as ours does: every column of every row, copied.
fn owned(r: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<rusqlite::types::Value>> {
    (0..r.as_ref().column_count())
        .map(|i| Ok(rusqlite::types::Value::from(r.get_ref(i)?)))
        .collect()
}

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
    emit(format!(
        "bench encryption op={op} n={} plain_p50_ms={p50:.3} encrypted_p50_ms={e50:.3} plain_p95_ms={p95:.3} encrypted_p95_ms={e95:.3} ratio_p50={:.2}",
        plain.len(),
        e50 / p50
    ));
}

/// Time `ours` and `floor` `n` times each, alternating which goes first, so neither gains
/// from running after the other (warmer caches, a machine that has settled).
///
/// The first `warm` inputs are run once untimed by both first: what is timed is the steady
/// state of a clinic's day, not the first read of each page of the file after the machine
/// did something else (the large file is 3.4 GB; other runs push it out of the OS cache).
fn pair(
    n: usize,
    warm: usize,
    mut ours: impl FnMut(usize) -> stillpoint::Result<()>,
    mut floor: impl FnMut(usize) -> stillpoint::Result<()>,
) -> stillpoint::Result<(Vec<f64>, Vec<f64>)> {
    for i in 0..warm.min(n) {
        ours(i)?;
        floor(i)?;
    }
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let one = |f: &mut dyn FnMut(usize) -> stillpoint::Result<()>,
                   out: &mut Vec<f64>|
         -> stillpoint::Result<()> {
            let start = Instant::now();
            f(i)?;
            out.push(ms(start));
            Ok(())
        };
        if i % 2 == 0 {
            one(&mut ours, &mut a)?;
            one(&mut floor, &mut b)?;
        } else {
            one(&mut floor, &mut b)?;
            one(&mut ours, &mut a)?;
        }
    }
    Ok((a, b))
}

fn versus(op: &str, mut ours: Vec<f64>, mut floor: Vec<f64>) {
    let (o50, o95, o99, f50) = (
        percentile(&mut ours, 0.5),
        percentile(&mut ours, 0.95),
        percentile(&mut ours, 0.99),
        percentile(&mut floor, 0.5),
    );
    emit(format!(
        "bench {op} n={} ours_p50_ms={o50:.3} ours_p95_ms={o95:.3} floor_p50_ms={f50:.3} ratio_p50={:.2} ours_p99_ms={o99:.3}",
        ours.len(),
        o50 / f50
    ));
}

/// The floor for opening a chart: the client row and contraindications, their intakes,
/// their notes with technique names, amendments and red-flag acknowledgements, each read
/// once.
fn floor_chart(c: &rusqlite::Connection, id: &str) -> rusqlite::Result<usize> {
    let mut rows = 0;
    rows += c
        .prepare_cached("SELECT * FROM clients WHERE id = ?1")?
        .query_map([id], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len();
    rows += c
        .prepare_cached("SELECT * FROM intakes WHERE client_id = ?1 ORDER BY assessed_on DESC")?
        .query_map([id], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len();
    rows += c
        .prepare_cached(
            "SELECT s.*, (SELECT group_concat(t.name) FROM session_techniques st
                JOIN techniques t ON t.id = st.technique_id WHERE st.session_id = s.id)
             FROM sessions s WHERE s.client_id = ?1 ORDER BY s.started_at DESC",
        )?
        .query_map([id], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len();
    rows += c
        .prepare_cached(
            "SELECT a.* FROM amendments a JOIN sessions s ON s.id = a.session_id
             WHERE s.client_id = ?1",
        )?
        .query_map([id], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len();
    rows += c
        .prepare_cached("SELECT flag FROM client_contraindications WHERE client_id = ?1")?
        .query_map([id], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len();
    rows += c
        .prepare_cached(
            "SELECT a.* FROM red_flag_acks a JOIN intakes i ON i.id = a.intake_id
             WHERE i.client_id = ?1",
        )?
        .query_map([id], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len();
    Ok(rows)
}

/// The floor for saving a draft: the same writes in one transaction (the note, its
/// techniques and marks, its search entry, the audit entry chained to the last one), then
/// the saved note read back with its client, as ours returns it.
fn floor_save(c: &rusqlite::Connection, id: &str, i: usize) -> stillpoint::Result<()> {
    use sha2::Digest;
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let subjective = format!("Floor {i}: neck stiff, two headaches this week.");
    let tx = c.unchecked_transaction()?;
    let (status, client): (String, String) = tx
        .prepare_cached("SELECT status, client_id FROM sessions WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if status != "draft" {
        return Err(stillpoint::Error::internal("the floor's draft was signed"));
    }
    tx.prepare_cached(
        "UPDATE sessions SET started_at = ?2, duration_minutes = NULL, subjective = ?3,
            headache_since_last = '', objective = '', assessment = '', plan = '',
            pain_before = NULL, pain_after = NULL, headache_at_start = 0,
            version = version + 1, updated_at = ?4
         WHERE id = ?1 AND status = 'draft'",
    )?
    .execute(rusqlite::params![
        id,
        "2026-11-20T10:00:00Z",
        subjective,
        now
    ])?;
    tx.prepare_cached("DELETE FROM session_techniques WHERE session_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM session_marks WHERE session_id = ?1")?
        .execute([id])?;
    let doc: i64 = tx
        .prepare_cached("SELECT id FROM search_docs WHERE record_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    tx.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?
        .execute([doc])?;
    tx.prepare_cached("UPDATE search_docs SET at = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![doc, "2026-11-20T10:00:00Z"])?;
    tx.prepare_cached("INSERT INTO search_fts (rowid, body) VALUES (?1, ?2)")?
        .execute(rusqlite::params![doc, format!("{subjective}\n\n\n\n")])?;
    let prev: String = tx
        .prepare_cached("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| r.get(0))?;
    let fields = [
        now.as_str(),
        "synth.therapist",
        "session.save_draft",
        "session",
        id,
        "saved the draft",
    ];
    let mut h = sha2::Sha256::new();
    for part in std::iter::once(prev.as_str()).chain(fields) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, summary, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], hash
    ])?;
    tx.commit()?;
    let rows = |sql: &str, arg: &str| -> rusqlite::Result<usize> {
        Ok(c.prepare_cached(sql)?
            .query_map([arg], owned)?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .len())
    };
    rows("SELECT * FROM sessions WHERE id = ?1", id)?;
    rows("SELECT * FROM clients WHERE id = ?1", &client)?;
    rows(
        "SELECT flag FROM client_contraindications WHERE client_id = ?1",
        &client,
    )?;
    rows(
        "SELECT st.technique_id, t.name, st.regions, st.pressure, st.minutes, st.reason
         FROM session_techniques st JOIN techniques t ON t.id = st.technique_id
         WHERE st.session_id = ?1 ORDER BY st.position",
        id,
    )?;
    rows(
        "SELECT region, kind FROM session_marks WHERE session_id = ?1 ORDER BY region",
        id,
    )?;
    rows(
        "SELECT * FROM amendments WHERE session_id = ?1 ORDER BY created_at",
        id,
    )?;
    Ok(())
}

/// The floor for the dashboard: the same figures and lists (100 rows each, with totals),
/// each from its one statement, for the default period (the last 30 days).
fn floor_dashboard(c: &rusqlite::Connection) -> stillpoint::Result<()> {
    let now = chrono::Utc::now();
    let iso = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let today = now.date_naive();
    let (from, to) = (
        (today - chrono::Duration::days(29)).to_string(),
        (today + chrono::Duration::days(1)).to_string(),
    );
    let count = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<i64> {
        c.prepare_cached(sql)?.query_row(args, |r| r.get(0))
    };
    let rows = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<usize> {
        Ok(c.prepare_cached(sql)?
            .query_map(args, owned)?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .len())
    };
    count(
        "SELECT (SELECT count(*) FROM clients) - (SELECT count(*) FROM clients WHERE archived_at IS NOT NULL)",
        &[],
    )?;
    count(
        "SELECT count(DISTINCT client_id) FROM sessions INDEXED BY sessions_by_start
         WHERE started_at >= ?1 AND status = 'signed'
           AND client_id NOT IN (SELECT id FROM clients WHERE archived_at IS NOT NULL)",
        &[&iso(now - chrono::Duration::days(90))],
    )?;
    rows(
        "SELECT therapist, sum(status = 'signed'), sum(status = 'draft') FROM sessions
         WHERE started_at >= ?1 AND started_at < ?2 GROUP BY therapist ORDER BY therapist",
        &[&from, &to],
    )?;
    let day_ago = iso(now - chrono::Duration::hours(24));
    count(
        "SELECT count(*) FROM sessions WHERE status = 'draft' AND created_at < ?1",
        &[&day_ago],
    )?;
    rows(
        "SELECT s.id, s.client_id, c.first_name, c.last_name, s.therapist, s.started_at, s.created_at
         FROM sessions s JOIN clients c ON c.id = s.client_id
         WHERE s.status = 'draft' AND s.created_at < ?1 ORDER BY s.created_at LIMIT 100",
        &[&day_ago],
    )?;
    // All of them, counted; the latest intake and session for the 100 shown.
    rows(
        "WITH due AS MATERIALIZED (
            SELECT c.id, c.first_name, c.last_name, c.sort_key
            FROM (SELECT DISTINCT client_id FROM sessions INDEXED BY sessions_by_start
                  WHERE started_at >= ?1) seen
            JOIN clients c ON c.id = seen.client_id
            WHERE c.archived_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM intakes i WHERE i.client_id = c.id AND i.assessed_on > ?2))
         SELECT (SELECT count(*) FROM due), d.id, d.first_name, d.last_name,
                (SELECT max(assessed_on) FROM intakes WHERE client_id = d.id),
                (SELECT max(started_at) FROM sessions WHERE client_id = d.id)
         FROM (SELECT * FROM due ORDER BY sort_key, id LIMIT 100) d ORDER BY d.sort_key, d.id",
        &[
            &iso(now - chrono::Duration::days(30)),
            &(today - chrono::Duration::days(30)).to_string(),
        ],
    )?;
    let open = "FROM intakes i JOIN clients c ON c.id = i.client_id
         LEFT JOIN red_flag_acks a ON a.intake_id = i.id
         WHERE i.red_flags <> '[]' AND a.intake_id IS NULL AND c.archived_at IS NULL";
    count(&format!("SELECT count(*) {open}"), &[])?;
    rows(
        &format!(
            "SELECT i.id, i.client_id, c.first_name, c.last_name, i.assessed_on, i.red_flags {open} ORDER BY i.assessed_on, i.id LIMIT 100"
        ),
        &[],
    )?;
    let referred = "FROM red_flag_acks a JOIN intakes i ON i.id = a.intake_id
         JOIN clients c ON c.id = i.client_id WHERE a.acknowledged_at >= ?1 AND a.acknowledged_at < ?2";
    count(&format!("SELECT count(*) {referred}"), &[&from, &to])?;
    rows(
        &format!(
            "SELECT i.id, i.client_id, c.first_name, c.last_name, i.assessed_on, i.red_flags, a.acknowledged_by, a.acknowledged_at, a.referral_note {referred} ORDER BY a.acknowledged_at DESC LIMIT 100"
        ),
        &[&from, &to],
    )?;
    rows(
        "SELECT t.id, t.name, r.sessions, r.sessions_with_pain, r.pain_change_sum, r.clients,
                r.clients_measurable, r.responders
         FROM technique_outcome_totals r JOIN techniques t ON t.id = r.technique_id
         WHERE r.sessions > 0 ORDER BY t.name_key",
        &[],
    )?;
    Ok(())
}

fn floor_search(c: &rusqlite::Connection, word: &str) -> rusqlite::Result<usize> {
    // The same answer as ours: at most 501 counted; relevance when few match, else the
    // index read newest-recorded first; 50 rows with snippets and their clients' names.
    // The word spelled out as the whole words in the index that start with it.
    let next = stillpoint::names::next_prefix(word);
    let words: Vec<String> = c
        .prepare_cached("SELECT term FROM search_terms WHERE term >= ?1 AND term < ?2 LIMIT 33")?
        .query_map([word, next.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let pattern = match words.as_slice() {
        [] => format!("\"{word}\"*"),
        [one] => format!("\"{one}\""),
        many if many.len() > 32 => format!("\"{word}\"*"),
        many => format!(
            "({})",
            many.iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    };
    let n: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ?1 LIMIT 501)",
        )?
        .query_row([&pattern], |r| r.get(0))?;
    let order = if n <= 500 {
        "rank"
    } else {
        "search_fts.rowid DESC"
    };
    Ok(c
        .prepare_cached(&format!(
            "SELECT d.kind, d.open_id, d.client_id, d.at, snippet(search_fts, 0, char(2), char(3), '…', 16),
                    c.first_name, c.last_name, c.preferred_name, c.date_of_birth, c.phone
             FROM search_fts CROSS JOIN search_docs d ON d.id = search_fts.rowid
             JOIN clients c ON c.id = d.client_id
             WHERE search_fts MATCH ?1 ORDER BY {order} LIMIT 50"
        ))?
        .query_map([&pattern], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len())
}

/// The synthetic clinic to measure: made afresh in a temporary folder, or, with `--keep DIR`,
/// made once in DIR (with the demo accounts, so the app can open it too) and reused by later
/// runs. Returns the folder's guard (if temporary), its path, the key and what it holds.
fn clinic(
    size: stillpoint::synth::Size,
    seed: u64,
    keep: Option<&Path>,
) -> stillpoint::Result<(
    Option<tempfile::TempDir>,
    std::path::PathBuf,
    DbKey,
    stillpoint::synth::Summary,
    String,
)> {
    use stillpoint::keys::{KeyFile, keys_path};
    if let Some(dir) = keep
        && database_path(dir).exists()
    {
        let key = KeyFile::load(&keys_path(dir))?
            .ok_or_else(|| stillpoint::Error::internal("the kept clinic has no keys.json"))?
            .unlock("admin", stillpoint::demo::DEMO_PASSWORD)?;
        let s = Store::open(OpenOptions::file(database_path(dir)).key(key.clone()))?;
        let c = s.conn();
        let count = |sql: &str| -> stillpoint::Result<usize> {
            Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as usize)
        };
        let client_ids = c
            .prepare("SELECT id FROM clients ORDER BY rowid")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (busiest_client, busiest_sessions): (String, i64) = c.query_row(
            "SELECT client_id, count(*) FROM sessions GROUP BY client_id ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let summary = stillpoint::synth::Summary {
            clients: client_ids.len(),
            intakes: count("SELECT count(*) FROM intakes")?,
            sessions: count("SELECT count(*) FROM sessions")?,
            signed: count("SELECT count(*) FROM sessions WHERE status = 'signed'")?,
            amendments: count("SELECT count(*) FROM amendments")?,
            busiest_client,
            busiest_sessions: busiest_sessions as usize,
            client_ids,
        };
        let text = format!(
            "{} clients, {} sessions, {} intakes (made by an earlier run with this seed, kept in {})",
            summary.clients,
            summary.sessions,
            summary.intakes,
            dir.display()
        );
        return Ok((None, dir.to_path_buf(), key, summary, text));
    }
    let (guard, dir, key) = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let key = stillpoint::demo::demo_accounts(dir, stillpoint::db::system_clock())?;
            (None, dir.to_path_buf(), key)
        }
        None => {
            let t = tempfile::tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p, DbKey::generate()?)
        }
    };
    let made = Instant::now();
    let synth =
        stillpoint::synth::generate(&dir, size, seed, chrono::Utc::now(), Some(key.clone()))?;
    let text = format!(
        "{} clients, {} sessions, {} intakes, generated in {:.1} s",
        synth.clients,
        synth.sessions,
        synth.intakes,
        made.elapsed().as_secs_f64()
    );
    Ok((guard, dir, key, synth, text))
}

fn operations(
    size: stillpoint::synth::Size,
    seed: u64,
    keep: Option<&Path>,
) -> stillpoint::Result<String> {
    let (_guard, dir, key, synth, clinic) = clinic(size, seed, keep)?;
    eprintln!("(synthetic clinic: {clinic})");
    let mut s = Store::open(OpenOptions::file(database_path(&dir)).key(key.clone()))?;
    let floor = Store::open(OpenOptions::file(database_path(&dir)).key(key))?;
    let fc = floor.conn();
    let ids = &synth.client_ids;
    let n = 50.min(ids.len());

    let (ours, fl) = pair(
        n,
        1,
        |i| {
            let id = if i == 0 {
                &synth.busiest_client
            } else {
                &ids[i * 7 % ids.len()]
            };
            // What the history screen calls.
            s.client_chart(id)?;
            Ok(())
        },
        |i| {
            let id = if i == 0 {
                &synth.busiest_client
            } else {
                &ids[i * 7 % ids.len()]
            };
            floor_chart(fc, id)?;
            Ok(())
        },
    )?;
    versus("open_chart", ours, fl);

    let prefixes = ["ma", "jo", "ol", "сh", "ив", "ka", "no", "gon", "pa", "li"];
    let (ours, fl) = pair(
        n,
        prefixes.len(),
        |i| {
            s.list_clients(&stillpoint::ClientQuery {
                search: prefixes[i % prefixes.len()].into(),
                limit: 100,
                ..Default::default()
            })?;
            Ok(())
        },
        |i| {
            // The same answer: the count and the first 100 in list order, from the prefix index.
            let key = stillpoint::text::fold(prefixes[i % prefixes.len()]);
            let _total: i64 = fc
                .prepare_cached(
                    "SELECT count(*) FROM client_name_prefixes WHERE prefix = ?1 AND archived = 0",
                )?
                .query_row([&key], |r| r.get(0))?;
            fc.prepare_cached(
                "SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.date_of_birth, c.phone
             FROM (SELECT client_id, sort_key FROM client_name_prefixes
                   WHERE prefix = ?1 AND archived = 0 ORDER BY sort_key, client_id LIMIT 100) m
             JOIN clients c ON c.id = m.client_id ORDER BY m.sort_key, m.client_id",
            )?
            .query_map([&key], owned)?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .len();
            Ok(())
        },
    )?;
    versus("name_prefix", ours, fl);

    for (op, word) in [
        ("note_search_rare", stillpoint::synth::RARE_WORD),
        ("note_search_common", stillpoint::synth::COMMON_WORD),
    ] {
        let (ours, fl) = pair(
            n,
            1,
            |_| {
                s.search(&SearchQuery {
                    text: word.into(),
                    include_archived: true,
                    client_id: None,
                    from: None,
                    to: None,
                    limit: 50,
                })?;
                Ok(())
            },
            |_| {
                floor_search(fc, word)?;
                Ok(())
            },
        )?;
        versus(op, ours, fl);
    }

    let draft = s.start_session(&synth.busiest_client)?.id;
    // More samples here: the target is on the 99th percentile.
    let saves = 4 * n;
    let (ours, fl) = pair(
        saves,
        1,
        |i| {
            s.save_session_draft(
                &draft,
                &SessionInput {
                    started_at: "2026-11-20T10:00:00Z".into(),
                    subjective: format!("Autosave {i}: neck stiff, two headaches this week."),
                    ..Default::default()
                },
            )?;
            Ok(())
        },
        |i| floor_save(fc, &draft, i),
    )?;
    versus("save_note", ours, fl);

    let (ours, fl) = pair(
        10,
        1,
        |_| {
            s.dashboard(&DashboardQuery::default())?;
            Ok(())
        },
        |_| floor_dashboard(fc),
    )?;
    versus("dashboard", ours, fl);

    let backups = tempfile::tempdir()?;
    let (ours, fl) = pair(
        3,
        0,
        |_| {
            s.backup_scheduled(backups.path(), &mut |_| {})?;
            Ok(())
        },
        |i| {
            let to = backups.path().join(format!("floor-{i}.db"));
            let mut dest = rusqlite::Connection::open(&to)?;
            dest.execute_batch(&format!(
                "PRAGMA key = {};",
                "\"x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'\""
            ))?;
            // The same answer as ours: a copy from one snapshot, checked whole, holding the
            // rows the snapshot held.
            let snapshot = fc.unchecked_transaction()?;
            let tables = [
                "clients",
                "intakes",
                "sessions",
                "session_techniques",
                "amendments",
                "audit_log",
                "users",
            ];
            let count = |c: &rusqlite::Connection| -> rusqlite::Result<Vec<i64>> {
                tables
                    .iter()
                    .map(|t| c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)))
                    .collect()
            };
            let expected = count(fc)?;
            {
                let b = rusqlite::backup::Backup::new(fc, &mut dest)?;
                b.run_to_completion(256, std::time::Duration::ZERO, None)?;
            }
            drop(snapshot);
            let ok: String = dest.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if ok != "ok" || count(&dest)? != expected {
                return Err(stillpoint::Error::internal(
                    "the floor's backup failed its check",
                ));
            }
            Ok(())
        },
    )?;
    versus("backup", ours, fl);
    Ok(clinic)
}

/// Every process below `pid` (the WebKit web and network processes of a Tauri app).
fn descendants(pid: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces.
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat"))
                && let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r)
                && let Some(ppid) = rest
                    .split_whitespace()
                    .nth(1)
                    .and_then(|x| x.parse::<u32>().ok())
            {
                parent_of.push((p, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for (child, parent) in &parent_of {
            if *parent == p {
                out.push(*child);
                frontier.push(*child);
            }
        }
    }
    out
}

fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Launch `binary`, time until it prints "ready", let it settle, and sum the PSS of it and
/// its WebKit processes. Returns (milliseconds, MiB).
fn launch_once(binary: &str, data_dir: &Path) -> stillpoint::Result<(f64, f64)> {
    use std::io::BufRead;
    let start = Instant::now();
    let mut child = std::process::Command::new(binary)
        .env("STILLPOINT_REPORT_READY", "1")
        .env("STILLPOINT_DATA_DIR", data_dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| stillpoint::Error::internal("no stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line == "ready" {
                let _ = tx.send(());
            }
        }
    });
    let ready = rx.recv_timeout(std::time::Duration::from_secs(60));
    let elapsed = ms(start);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let tree = descendants(child.id());
    let pss: u64 = std::iter::once(child.id())
        .chain(tree.iter().copied())
        .map(pss_kb)
        .sum();
    for p in &tree {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(p.to_string())
            .status();
    }
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    if ready.is_err() {
        return Err(stillpoint::Error::internal(format!(
            "{binary} never reported ready"
        )));
    }
    Ok((elapsed, pss as f64 / 1024.0))
}

/// Start-up time and memory of Stillpoint beside a bare Tauri window, alternating runs,
/// after one untimed launch of each (so neither is measured reading its binary and WebKit
/// from a cold disk cache, e.g. after the large backups).
fn startup(app: &str, bare: &str, runs: usize) -> stillpoint::Result<()> {
    let (mut ours_ms, mut bare_ms, mut ours_mb, mut bare_mb) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for binary in [app, bare] {
        let dir = tempfile::tempdir()?;
        launch_once(binary, dir.path())?;
    }
    for _ in 0..runs {
        let dir = tempfile::tempdir()?;
        let (t, m) = launch_once(app, dir.path())?;
        ours_ms.push(t);
        ours_mb.push(m);
        let dir = tempfile::tempdir()?;
        let (t, m) = launch_once(bare, dir.path())?;
        bare_ms.push(t);
        bare_mb.push(m);
    }
    let (o, b) = (percentile(&mut ours_ms, 0.5), percentile(&mut bare_ms, 0.5));
    emit(format!(
        "startup ours_ms={o:.0} bare_ms={b:.0} ratio={:.2}",
        o / b
    ));
    emit(format!(
        "memory ours_pss_mb={:.0} bare_pss_mb={:.0}",
        percentile(&mut ours_mb, 0.5),
        percentile(&mut bare_mb, 0.5)
    ));
    Ok(())
}

fn run() -> stillpoint::Result<()> {
    let mut size = stillpoint::synth::SMALL;
    let mut size_name = "small";
    let mut seed = 42u64;
    let mut write: Option<String> = None;
    let mut keep: Option<std::path::PathBuf> = None;
    let mut apps: Option<(String, String)> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next().map(String::as_str)) {
            ("--size", Some("small")) => size = stillpoint::synth::SMALL,
            ("--size", Some("medium")) => (size, size_name) = (stillpoint::synth::MEDIUM, "medium"),
            ("--size", Some("large")) => (size, size_name) = (stillpoint::synth::LARGE, "large"),
            ("--write", Some(path)) => write = Some(path.to_owned()),
            ("--keep", Some(path)) => keep = Some(path.into()),
            ("--startup", Some(app)) => match it.next() {
                Some(bare) => apps = Some((app.to_owned(), bare.to_owned())),
                None => return Err(stillpoint::Error::field("args", "--startup APP BARE")),
            },
            ("--seed", Some(n)) => seed = n.parse().unwrap_or(42),
            _ => {
                eprintln!(
                    "usage: stillpoint-bench [--size small|medium|large] [--seed N] [--keep DIR] [--write FILE.md] [--startup APP BARE]"
                );
                return Err(stillpoint::Error::field("args", "unknown argument"));
            }
        }
    }
    let clinic = operations(size, seed, keep.as_deref())?;
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
    emit(format!(
        "bench login n={} p50_ms={:.1} p95_ms={:.1}",
        logins.len(),
        percentile(&mut logins, 0.5),
        percentile(&mut logins, 0.95)
    ));
    if let Some((app, bare)) = apps {
        startup(&app, &bare, 9)?;
    }
    if let Some(path) = write {
        write_report(&path, size_name, seed, &clinic)?;
        eprintln!("(wrote {path})");
    }
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
