//! The floors: for each operation, the least SQL that returns the same answer as the core,
//! read out in full, to time ours against on the same file.

use std::path::Path;

use stillpoint::reports::dashboard::{
    ACTIVE_CLIENT_DAYS, DEFAULT_PERIOD_DAYS, REASSESSMENT_WINDOW_DAYS, UNSIGNED_OVERDUE_HOURS,
};

/// A floor reads its answer out, as ours does: every column of every row, copied.
fn owned(r: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<rusqlite::types::Value>> {
    (0..r.as_ref().column_count())
        .map(|i| Ok(rusqlite::types::Value::from(r.get_ref(i)?)))
        .collect()
}

/// The floor for opening a chart: the client row with its contraindications, their intakes
/// with red-flag acknowledgements, their notes with technique names, the amendments with the
/// people's names, their MIDAS questionnaires, their care plan and the diary's days, each read
/// once, one statement each as ours does (on a clinic server each statement is a round trip).
pub(crate) fn floor_chart(c: &rusqlite::Connection, id: &str) -> rusqlite::Result<usize> {
    let mut rows = 0;
    for sql in [
        "SELECT * FROM midas_assessments WHERE client_id = ?1
          ORDER BY answered_on, recorded_at, id",
        "SELECT * FROM care_plans WHERE client_id = ?1",
        "SELECT c.*, (SELECT group_concat(f.flag) FROM client_contraindications f
            WHERE f.client_id = c.id) FROM clients c WHERE c.id = ?1",
        "SELECT i.*, a.* FROM intakes i LEFT JOIN red_flag_acks a ON a.intake_id = i.id
          WHERE i.client_id = ?1 ORDER BY i.assessed_on DESC",
        "SELECT s.*, (SELECT group_concat(t.name) FROM session_techniques st
            JOIN techniques t ON t.id = st.technique_id WHERE st.session_id = s.id)
         FROM sessions s WHERE s.client_id = ?1 ORDER BY s.started_at DESC",
        "SELECT a.session_id, a.created_at, a.author, a.reason
           FROM amendments a JOIN sessions s ON s.id = a.session_id WHERE s.client_id = ?1
         UNION ALL SELECT username, display_name, NULL, NULL FROM users",
        // The diary, as outcomes read it (client_chart reads it once since the diary outcomes).
        "SELECT day, headache, peak_intensity, duration_hours, acute_meds, sleep_hours,
                sleep_quality, stress FROM diary_days WHERE client_id = ?1 ORDER BY day",
    ] {
        rows += c
            .prepare_cached(sql)?
            .query_map([id], owned)?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .len();
    }
    Ok(rows)
}

/// The floor for the month of diary the history screen's calendar opens on: the month of
/// the latest day recorded, its days read out.
pub(crate) fn floor_diary_month(c: &rusqlite::Connection, id: &str) -> rusqlite::Result<usize> {
    let latest: Option<String> = c
        .prepare_cached("SELECT max(day) FROM diary_days WHERE client_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    let month: String = latest.unwrap_or_default().chars().take(7).collect();
    Ok(c.prepare_cached(
        "SELECT * FROM diary_days WHERE client_id = ?1 AND day >= ?2 AND day <= ?3
             ORDER BY day",
    )?
    .query_map([id, &format!("{month}-01"), &format!("{month}-31")], owned)?
    .collect::<rusqlite::Result<Vec<_>>>()?
    .len())
}

/// The floor for finding clients by the start of a name (the client list's search).
pub(crate) fn floor_name_prefix(
    fc: &rusqlite::Connection,
    prefix: &str,
) -> rusqlite::Result<usize> {
    // The same answer: the count and the first 100 in list order, from the prefix index.
    let key = stillpoint::domain::folding::fold(prefix);
    let _total: i64 = fc
        .prepare_cached(
            "SELECT count(*) FROM client_name_prefixes WHERE prefix = ?1 AND archived = 0",
        )?
        .query_row([&key], |r| r.get(0))?;
    Ok(fc
        .prepare_cached(
            "SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.date_of_birth, c.phone
             FROM (SELECT client_id, sort_key FROM client_name_prefixes
                   WHERE prefix = ?1 AND archived = 0 ORDER BY sort_key, client_id LIMIT 100) m
             JOIN clients c ON c.id = m.client_id ORDER BY m.sort_key, m.client_id",
        )?
        .query_map([&key], owned)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .len())
}

/// The floor for searching the notes for a word.
pub(crate) fn floor_search(c: &rusqlite::Connection, word: &str) -> rusqlite::Result<usize> {
    // The same answer as ours: at most 501 counted; relevance when few match, else the
    // index read newest-recorded first; 50 rows with snippets and their clients' names.
    // The word spelled out as the whole words in the index that start with it.
    let next = stillpoint::search::name_prefixes::next_prefix(word);
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

/// An audit entry's link in the chain, as the core computes it: SHA-256 (hex) over the
/// previous hash and the entry's fields, each prefixed with its length.
pub(crate) fn audit_hash(prev: &str, fields: [&str; 6]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for part in std::iter::once(prev).chain(fields) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The floor for saving a draft: the same writes in one transaction (the note, returning
/// its row read out in full, its techniques and marks cleared, its search entry, the audit
/// entry chained to the last one). Nothing is read back: what the note now holds comes back
/// from the update, and a draft's techniques, marks and amendments are what was written (none
/// here), as ours returns them.
pub(crate) fn floor_save(c: &rusqlite::Connection, id: &str, i: usize) -> stillpoint::Result<()> {
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let subjective = format!("Floor {i}: neck stiff, two headaches this week.");
    let tx = c.unchecked_transaction()?;
    let status: String = tx
        .prepare_cached("SELECT status FROM sessions WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if status != "draft" {
        return Err(stillpoint::Error::internal("the floor's draft was signed"));
    }
    tx.prepare_cached(
        "UPDATE sessions SET started_at = ?2, duration_minutes = NULL, subjective = ?3,
            headache_since_last = '', objective = '', assessment = '', plan = '',
            pain_before = NULL, pain_after = NULL, headache_at_start = 0,
            version = version + 1, updated_at = ?4
         WHERE id = ?1 AND status = 'draft'
         RETURNING *",
    )?
    .query_map(
        rusqlite::params![id, "2026-11-20T10:00:00Z", subjective, now],
        owned,
    )?
    .collect::<rusqlite::Result<Vec<_>>>()?;
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
    let hash = audit_hash(&prev, fields);
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, summary, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], hash
    ])?;
    tx.commit()?;
    Ok(())
}

/// The floor for the dashboard: the same figures and lists (100 rows each, with totals),
/// each from its one statement, for the default period (the last [`DEFAULT_PERIOD_DAYS`]
/// days). The periods are the core's own constants, so the floor cannot drift from its rules.
pub(crate) fn floor_dashboard(c: &rusqlite::Connection) -> stillpoint::Result<()> {
    let now = chrono::Utc::now();
    let iso = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let today = now.date_naive();
    let (from, to) = (
        (today - chrono::Duration::days(DEFAULT_PERIOD_DAYS - 1)).to_string(),
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
        &[&iso(now - chrono::Duration::days(ACTIVE_CLIENT_DAYS))],
    )?;
    rows(
        "SELECT therapist, sum(status = 'signed'), sum(status = 'draft') FROM sessions
         WHERE started_at >= ?1 AND started_at < ?2 GROUP BY therapist ORDER BY therapist",
        &[&from, &to],
    )?;
    let day_ago = iso(now - chrono::Duration::hours(UNSIGNED_OVERDUE_HOURS));
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
    // All of them, counted; the latest intake and session for the 100 shown. Due: seen in
    // the window with no recent intake and no plan dating the re-assessment, or past the
    // plan's date with no intake since (schema 16).
    rows(
        "WITH due AS MATERIALIZED (
            SELECT c.id, c.first_name, c.last_name, c.sort_key
            FROM (SELECT DISTINCT client_id FROM sessions INDEXED BY sessions_by_start
                  WHERE started_at >= ?1) seen
            JOIN clients c ON c.id = seen.client_id
            WHERE c.archived_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM care_plans p
                              WHERE p.client_id = c.id AND p.next_reassessment_on IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM intakes i WHERE i.client_id = c.id AND i.assessed_on > ?2)
            UNION
            SELECT c.id, c.first_name, c.last_name, c.sort_key
            FROM care_plans p JOIN clients c ON c.id = p.client_id
            WHERE p.next_reassessment_on <= ?3 AND c.archived_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM intakes i WHERE i.client_id = c.id
                                AND i.assessed_on >= p.next_reassessment_on))
         SELECT (SELECT count(*) FROM due), d.id, d.first_name, d.last_name,
                (SELECT max(assessed_on) FROM intakes WHERE client_id = d.id),
                (SELECT max(started_at) FROM sessions WHERE client_id = d.id)
         FROM (SELECT * FROM due ORDER BY sort_key, id LIMIT 100) d ORDER BY d.sort_key, d.id",
        &[
            &iso(now - chrono::Duration::days(REASSESSMENT_WINDOW_DAYS)),
            &(today - chrono::Duration::days(REASSESSMENT_WINDOW_DAYS)).to_string(),
            &today.to_string(),
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

/// The floor for a backup: the database copied to `to`.
pub(crate) fn floor_backup(fc: &rusqlite::Connection, to: &Path) -> stillpoint::Result<()> {
    let mut dest = rusqlite::Connection::open(to)?;
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
}
