//! The floors on PostgreSQL: for each operation, the least SQL that returns the same answer
//! as the core, written by hand against the `postgres` crate on a second connection to the
//! same database, read out in full. Statement for statement they are the SQLite floors
//! (floors.rs) in PostgreSQL's dialect: full-text search is a `tsquery` on `search_fts.tsv`
//! with `ts_headline` marking the hits, a write takes the advisory lock first, and the audit
//! entry is appended by the server's own function (`stillpoint_audit_append`), as ours does;
//! a write's statements are combined where PostgreSQL allows (`WITH`). Each statement is prepared once, as the core
//! prepares its own. Like the SQLite floors they stop at what the database returns: what ours
//! does with it in Rust (grouping by client, cutting snippets) is part of ours' cost.

use std::collections::HashMap;

use postgres::types::{FromSql, ToSql, Type};

use stillpoint::reports::dashboard::{
    ACTIVE_CLIENT_DAYS, DEFAULT_PERIOD_DAYS, LIST_LIMIT, REASSESSMENT_WINDOW_DAYS,
    UNSIGNED_OVERDUE_HOURS,
};
use stillpoint::search::RANK_LIMIT;

/// A connection to the bench database and the statements prepared on it.
pub(crate) struct PgFloor {
    client: postgres::Client,
    prepared: HashMap<String, postgres::Statement>,
}

type Args<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A column's bytes, whatever its type (for the few types the core does not decode).
struct Raw(#[allow(dead_code)] Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// One value read out, owned, as the core reads it (floors.rs's `owned`).
#[allow(dead_code)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Every column of a row, copied out.
fn owned(r: &postgres::Row) -> Result<Vec<Cell>, postgres::Error> {
    let mut out = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let ty = column.type_();
        let cell = if *ty == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *ty == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?
                .map(|v| Cell::Int(i64::from(v)))
        } else if *ty == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?
                .map(|v| Cell::Int(i64::from(v)))
        } else if *ty == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i)?.map(Cell::Real)
        } else if *ty == Type::TEXT {
            r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        } else {
            r.try_get::<_, Option<Raw>>(i)?.map(|b| Cell::Bytes(b.0))
        };
        out.push(cell.unwrap_or(Cell::Null));
    }
    Ok(out)
}

impl PgFloor {
    pub(crate) fn connect(conninfo: &str) -> stillpoint::Result<PgFloor> {
        let mut client = postgres::Client::connect(conninfo, postgres::NoTls)?;
        // As the core's connection (db::postgres::connect).
        client.batch_execute("SET TIME ZONE 'UTC'")?;
        Ok(PgFloor {
            client,
            prepared: HashMap::new(),
        })
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.prepared.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    /// Every row, read out in full; how many.
    fn rows(&mut self, sql: &str, args: Args<'_>) -> Result<usize, postgres::Error> {
        let s = self.statement(sql)?;
        let rows = self.client.query(&s, args)?;
        let mut n = 0;
        for r in &rows {
            owned(r)?;
            n += 1;
        }
        Ok(n)
    }

    /// The first column of the one row, an integer (counts).
    fn count(&mut self, sql: &str, args: Args<'_>) -> Result<i64, postgres::Error> {
        let s = self.statement(sql)?;
        self.client.query_one(&s, args)?.try_get(0)
    }

    /// The server process serving this connection.
    pub(crate) fn backend_pid(&mut self) -> stillpoint::Result<i64> {
        Ok(self.count("SELECT pg_backend_pid()::bigint", &[])?)
    }

    fn execute(&mut self, sql: &str, args: Args<'_>) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.client.execute(&s, args)
    }

    /// The floor for opening a chart: the client row with its contraindications, their
    /// intakes with red-flag acknowledgements, their notes with technique names, the
    /// amendments with the people's names, their MIDAS questionnaires, their care plan and the
    /// diary's days, each read once, one statement (round trip) each as ours does.
    pub(crate) fn chart(&mut self, id: &str) -> stillpoint::Result<usize> {
        let mut rows = 0;
        for sql in [
            "SELECT * FROM midas_assessments WHERE client_id = $1
              ORDER BY answered_on, recorded_at, id",
            "SELECT * FROM care_plans WHERE client_id = $1",
            "SELECT c.*, (SELECT string_agg(f.flag, ',') FROM client_contraindications f
                WHERE f.client_id = c.id) FROM clients c WHERE c.id = $1",
            "SELECT i.*, a.* FROM intakes i LEFT JOIN red_flag_acks a ON a.intake_id = i.id
              WHERE i.client_id = $1 ORDER BY i.assessed_on DESC",
            "SELECT s.*, (SELECT string_agg(t.name, ',') FROM session_techniques st
                JOIN techniques t ON t.id = st.technique_id WHERE st.session_id = s.id)
             FROM sessions s WHERE s.client_id = $1 ORDER BY s.started_at DESC",
            "SELECT a.session_id, a.created_at, a.author, a.reason
               FROM amendments a JOIN sessions s ON s.id = a.session_id WHERE s.client_id = $1
             UNION ALL SELECT username, display_name, NULL, NULL FROM users",
            // The diary, as outcomes read it (client_chart reads it once).
            "SELECT day, headache, peak_intensity, duration_hours, acute_meds, sleep_hours,
                    sleep_quality, stress FROM diary_days WHERE client_id = $1 ORDER BY day",
        ] {
            rows += self.rows(sql, &[&id])?;
        }
        Ok(rows)
    }

    /// The floor for the month of diary the history screen's calendar opens on: the month
    /// of the latest day recorded, its days read out.
    pub(crate) fn diary_month(&mut self, id: &str) -> stillpoint::Result<usize> {
        let s = self.statement("SELECT max(day) FROM diary_days WHERE client_id = $1")?;
        let latest: Option<String> = self.client.query_one(&s, &[&id])?.try_get(0)?;
        let month: String = latest.unwrap_or_default().chars().take(7).collect();
        Ok(self.rows(
            "SELECT * FROM diary_days WHERE client_id = $1 AND day >= $2 AND day <= $3
             ORDER BY day",
            &[&id, &format!("{month}-01"), &format!("{month}-31")],
        )?)
    }

    /// The floor for finding clients by the start of a name: the count and the first 100 in
    /// list order, from the prefix index.
    pub(crate) fn name_prefix(&mut self, prefix: &str) -> stillpoint::Result<usize> {
        let key = stillpoint::domain::folding::fold(prefix);
        self.count(
            "SELECT count(*) FROM client_name_prefixes WHERE prefix = $1 AND archived = 0",
            &[&key],
        )?;
        Ok(self.rows(
            "SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.date_of_birth, c.phone
             FROM (SELECT client_id, sort_key FROM client_name_prefixes
                   WHERE prefix = $1 AND archived = 0 ORDER BY sort_key, client_id LIMIT 100) m
             JOIN clients c ON c.id = m.client_id ORDER BY m.sort_key, m.client_id",
            &[&key],
        )?)
    }

    /// The floor for searching the notes for a word: the same answer as ours, at most
    /// `RANK_LIMIT + 1` counted; relevance when few match, else newest recorded first; 50 rows
    /// with their texts, hits marked by `ts_headline`, and their clients' names.
    pub(crate) fn search(&mut self, word: &str) -> stillpoint::Result<usize> {
        // The word spelled out as the whole words in the index that start with it.
        let next = stillpoint::search::name_prefixes::next_prefix(word);
        let s = self.statement(
            "SELECT term FROM search_terms WHERE term >= $1 AND term < $2 ORDER BY term LIMIT 33",
        )?;
        let words: Vec<String> = self
            .client
            .query(&s, &[&word, &next])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let query = match words.as_slice() {
            [] => format!("'{word}':*"),
            [one] => format!("'{one}'"),
            many if many.len() > 32 => format!("'{word}':*"),
            many => format!(
                "({})",
                many.iter()
                    .map(|w| format!("'{w}'"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        };
        // Planned for this word each time (query_typed: an unnamed statement), as ours does:
        // a cached generic plan reads every match of a common word from the GIN index.
        let n: i64 = self
            .client
            .query_typed(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM search_fts
                     WHERE tsv @@ to_tsquery('stillpoint_search', $1) LIMIT {}) capped",
                    RANK_LIMIT + 1
                ),
                &[(&query, Type::TEXT)],
            )?
            .first()
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or(0);
        let order = if n <= i64::from(RANK_LIMIT) {
            "ts_rank(f.tsv, to_tsquery('stillpoint_search', $1)) DESC, f.rowid DESC"
        } else {
            "f.rowid DESC"
        };
        // The whole text with every hit marked, as ours asks for it (ours then cuts the
        // window around the hits in Rust; the floor stops at what the server returns).
        let headline = "StartSel=\u{2}, StopSel=\u{3}, HighlightAll=true";
        let rows = self.client.query_typed(
            &format!(
                "SELECT d.kind, d.open_id, d.client_id, d.at,
                        ts_headline('stillpoint_search', f.body, to_tsquery('stillpoint_search', $1), $2),
                        c.first_name, c.last_name, c.preferred_name, c.date_of_birth, c.phone
                 FROM search_fts f JOIN search_docs d ON d.id = f.rowid
                 JOIN clients c ON c.id = d.client_id
                 WHERE f.tsv @@ to_tsquery('stillpoint_search', $1) ORDER BY {order} LIMIT 50"
            ),
            &[(&query, Type::TEXT), (&headline, Type::TEXT)],
        )?;
        for r in &rows {
            owned(r)?;
        }
        Ok(rows.len())
    }

    /// The floor for saving a draft: the same writes in one transaction that takes the
    /// core's advisory lock first, in as few statements as they go: the note updated with its
    /// techniques and marks cleared, returning its row (read out in full); its search entry,
    /// text and words in one statement (the entry is there already: the floor's owner
    /// connection has no row-level security to satisfy); the audit entry through the
    /// server's append function. Nothing is read back: what the note now holds comes back
    /// from the update, and a draft's techniques, marks and amendments are what was written
    /// (none here), as ours returns them.
    pub(crate) fn save(&mut self, id: &str, i: usize) -> stillpoint::Result<()> {
        self.client
            .batch_execute(stillpoint::db::postgres::BEGIN_WRITE)?;
        let result = self.save_in_transaction(id, i);
        match result {
            Ok(()) => {
                self.client.batch_execute("COMMIT")?;
                Ok(())
            }
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK");
                Err(e)
            }
        }
    }

    fn save_in_transaction(&mut self, id: &str, i: usize) -> stillpoint::Result<()> {
        let now = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let started = "2026-11-20T10:00:00Z";
        let subjective = format!("Floor {i}: neck stiff, two headaches this week.");
        let s = self.statement("SELECT status FROM sessions WHERE id = $1")?;
        let status: String = self.client.query_one(&s, &[&id])?.try_get(0)?;
        if status != "draft" {
            return Err(stillpoint::Error::internal("the floor's draft was signed"));
        }
        self.rows(
            "WITH t AS (DELETE FROM session_techniques WHERE session_id = $1),
                  m AS (DELETE FROM session_marks WHERE session_id = $1)
             UPDATE sessions SET started_at = $2, duration_minutes = NULL, subjective = $3,
                headache_since_last = '', objective = '', assessment = '', plan = '',
                pain_before = NULL, pain_after = NULL, headache_at_start = 0,
                version = version + 1, updated_at = $4
             WHERE id = $1 AND status = 'draft'
             RETURNING *",
            &[&id, &started, &subjective, &now],
        )?;
        // The text as PostgreSQL's parser is given it, its words guarded, as ours writes it.
        let body = stillpoint::search::index::guarded(&format!("{subjective}\n\n\n\n"));
        self.execute(
            "WITH d AS (UPDATE search_docs SET at = $2 WHERE record_id = $1 RETURNING id),
                  f AS (INSERT INTO search_fts (rowid, body) SELECT id, $3 FROM d
                        ON CONFLICT (rowid) DO UPDATE SET body = excluded.body)
             INSERT INTO search_terms (term)
             SELECT lexeme FROM unnest(to_tsvector('stillpoint_search', $3::text))
             ON CONFLICT DO NOTHING",
            &[&id, &started, &body],
        )?;
        self.execute(
            "SELECT stillpoint_audit_append($1, $2, $3, $4, $5, $6)",
            &[
                &now,
                &"synth.therapist",
                &"session.save_draft",
                &"session",
                &id,
                &"saved the draft",
            ],
        )?;
        Ok(())
    }

    /// The floor for the dashboard: the same figures and lists ([`LIST_LIMIT`] rows each,
    /// with totals), each from its one statement, for the default period. The periods are the
    /// core's own constants, so the floor cannot drift from its rules.
    pub(crate) fn dashboard(&mut self) -> stillpoint::Result<()> {
        let now = chrono::Utc::now();
        let iso = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let today = now.date_naive();
        let (from, to) = (
            (today - chrono::Duration::days(DEFAULT_PERIOD_DAYS - 1)).to_string(),
            (today + chrono::Duration::days(1)).to_string(),
        );
        self.count(
            "SELECT (SELECT count(*) FROM clients) - (SELECT count(*) FROM clients WHERE archived_at IS NOT NULL)",
            &[],
        )?;
        self.count(
            "SELECT count(DISTINCT client_id) FROM sessions
             WHERE started_at >= $1 AND status = 'signed'
               AND client_id NOT IN (SELECT id FROM clients WHERE archived_at IS NOT NULL)",
            &[&iso(now - chrono::Duration::days(ACTIVE_CLIENT_DAYS))],
        )?;
        self.rows(
            "SELECT therapist, count(*) FILTER (WHERE status = 'signed'),
                    count(*) FILTER (WHERE status = 'draft')
             FROM sessions WHERE started_at >= $1 AND started_at < $2
             GROUP BY therapist ORDER BY therapist",
            &[&from, &to],
        )?;
        let day_ago = iso(now - chrono::Duration::hours(UNSIGNED_OVERDUE_HOURS));
        self.count(
            "SELECT count(*) FROM sessions WHERE status = 'draft' AND created_at < $1",
            &[&day_ago],
        )?;
        self.rows(
            &format!(
                "SELECT s.id, s.client_id, c.first_name, c.last_name, s.therapist, s.started_at, s.created_at
                 FROM sessions s JOIN clients c ON c.id = s.client_id
                 WHERE s.status = 'draft' AND s.created_at < $1 ORDER BY s.created_at LIMIT {LIST_LIMIT}"
            ),
            &[&day_ago],
        )?;
        // All of them, counted; the latest intake and session for the 100 shown.
        self.rows(
            &format!(
                "WITH due AS MATERIALIZED (
                    SELECT c.id, c.first_name, c.last_name, c.sort_key
                    FROM (SELECT DISTINCT client_id FROM sessions WHERE started_at >= $1) seen
                    JOIN clients c ON c.id = seen.client_id
                    WHERE c.archived_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM care_plans p
                                      WHERE p.client_id = c.id
                                        AND p.next_reassessment_on IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM intakes i
                                      WHERE i.client_id = c.id AND i.assessed_on > $2)
                    UNION
                    SELECT c.id, c.first_name, c.last_name, c.sort_key
                    FROM care_plans p JOIN clients c ON c.id = p.client_id
                    WHERE p.next_reassessment_on <= $3 AND c.archived_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM intakes i
                                      WHERE i.client_id = c.id
                                        AND i.assessed_on >= p.next_reassessment_on))
                 SELECT (SELECT count(*) FROM due), d.id, d.first_name, d.last_name,
                        (SELECT max(assessed_on) FROM intakes WHERE client_id = d.id),
                        (SELECT max(started_at) FROM sessions WHERE client_id = d.id)
                 FROM (SELECT * FROM due ORDER BY sort_key, id LIMIT {LIST_LIMIT}) d
                 ORDER BY d.sort_key, d.id"
            ),
            &[
                &iso(now - chrono::Duration::days(REASSESSMENT_WINDOW_DAYS)),
                &(today - chrono::Duration::days(REASSESSMENT_WINDOW_DAYS)).to_string(),
                &today.to_string(),
            ],
        )?;
        let open = "FROM intakes i JOIN clients c ON c.id = i.client_id
             LEFT JOIN red_flag_acks a ON a.intake_id = i.id
             WHERE i.red_flags <> '[]' AND a.intake_id IS NULL AND c.archived_at IS NULL";
        self.count(&format!("SELECT count(*) {open}"), &[])?;
        self.rows(
            &format!(
                "SELECT i.id, i.client_id, c.first_name, c.last_name, i.assessed_on, i.red_flags
                 {open} ORDER BY i.assessed_on, i.id LIMIT {LIST_LIMIT}"
            ),
            &[],
        )?;
        let referred = "FROM red_flag_acks a JOIN intakes i ON i.id = a.intake_id
             JOIN clients c ON c.id = i.client_id WHERE a.acknowledged_at >= $1 AND a.acknowledged_at < $2";
        self.count(&format!("SELECT count(*) {referred}"), &[&from, &to])?;
        self.rows(
            &format!(
                "SELECT i.id, i.client_id, c.first_name, c.last_name, i.assessed_on, i.red_flags,
                        a.acknowledged_by, a.acknowledged_at, a.referral_note
                 {referred} ORDER BY a.acknowledged_at DESC LIMIT {LIST_LIMIT}"
            ),
            &[&from, &to],
        )?;
        self.rows(
            "SELECT t.id, t.name, r.sessions, r.sessions_with_pain, r.pain_change_sum, r.clients,
                    r.clients_measurable, r.responders
             FROM technique_outcome_totals r JOIN techniques t ON t.id = r.technique_id
             WHERE r.sessions > 0 ORDER BY t.name_key",
            &[],
        )?;
        Ok(())
    }

    /// The server and the settings that matter for the timings, for the report.
    pub(crate) fn server_info(&mut self) -> stillpoint::Result<String> {
        let mut show = |name: &str| -> stillpoint::Result<String> {
            Ok(self
                .client
                .query_one(&format!("SHOW {name}"), &[])?
                .try_get(0)?)
        };
        Ok(format!(
            "PostgreSQL {}, shared_buffers {}, work_mem {}, fsync {}, synchronous_commit {}",
            show("server_version")?,
            show("shared_buffers")?,
            show("work_mem")?,
            show("fsync")?,
            show("synchronous_commit")?
        ))
    }
}
