//! `sessions` and the rows that belong to a note: `session_techniques`, `session_marks` and
//! `amendments` (one file, as a note is written and read with them).
//!
//! A technique, mark or amendment row is given without its `session_id` (and a technique
//! without its `position`): the functions take the note they belong to, and a note's rows are
//! read in their order.

use crate::args;
use crate::db::sql::{Arg, Conn, Engine, Row};
use crate::error::Result;

/// One row of `sessions`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub client_id: String,
    pub therapist: String,
    /// `draft` or `signed`.
    pub status: String,
    pub started_at: String,
    pub duration_minutes: Option<i64>,
    pub subjective: String,
    pub headache_since_last: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub pain_before: Option<i64>,
    pub pain_after: Option<i64>,
    pub headache_at_start: bool,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The columns of [`SessionRow`], in its order.
pub const COLUMNS: &str = "id, client_id, therapist, status, started_at, duration_minutes,
    subjective, headache_since_last, objective, assessment, plan, pain_before, pain_after,
    headache_at_start, signed_by, signed_at, version, created_at, updated_at";

impl SessionRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<SessionRow> {
        Ok(SessionRow {
            id: r.get(0)?,
            client_id: r.get(1)?,
            therapist: r.get(2)?,
            status: r.get(3)?,
            started_at: r.get(4)?,
            duration_minutes: r.get(5)?,
            subjective: r.get(6)?,
            headache_since_last: r.get(7)?,
            objective: r.get(8)?,
            assessment: r.get(9)?,
            plan: r.get(10)?,
            pain_before: r.get(11)?,
            pain_after: r.get(12)?,
            headache_at_start: r.get(13)?,
            signed_by: r.get(14)?,
            signed_at: r.get(15)?,
            version: r.get(16)?,
            created_at: r.get(17)?,
            updated_at: r.get(18)?,
        })
    }
}

/// One note, if there is one with this id.
pub fn get(c: Conn<'_>, id: &str) -> Result<Option<SessionRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"),
        args![id],
        SessionRow::from_row,
    )
}

/// What the checks before a draft is saved read of a note (not the whole row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// `draft` or `signed`.
    pub status: String,
    pub therapist: String,
    pub client_id: String,
}

/// A note's status, therapist and client, if there is a note with this id.
pub fn status(c: Conn<'_>, id: &str) -> Result<Option<StatusRow>> {
    c.optional(
        "SELECT status, therapist, client_id FROM sessions WHERE id = ?1",
        args![id],
        |r| {
            Ok(StatusRow {
                status: r.get(0)?,
                therapist: r.get(1)?,
                client_id: r.get(2)?,
            })
        },
    )
}

/// A new, empty draft, started, created and updated `now`.
pub fn insert_draft(
    tx: Conn<'_>,
    id: &str,
    client_id: &str,
    therapist: &str,
    now: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sessions (id, client_id, therapist, started_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
        args![id, client_id, therapist, now],
    )?;
    Ok(())
}

/// What a saved draft writes of a note: its content, not its techniques or marks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftContent {
    pub started_at: String,
    pub duration_minutes: Option<i64>,
    pub subjective: String,
    pub headache_since_last: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub pain_before: Option<i64>,
    pub pain_after: Option<i64>,
    pub headache_at_start: bool,
}

/// Replace a draft's content, bumping its version, and clear its techniques, marks and home
/// care (the caller writes them again): the note as stored after the update, or `None` when no draft
/// has this id (it is signed, or there is no such note), and then nothing is changed.
///
/// On a clinic server this is one statement (the three deletes in `WITH`, each only when the
/// draft is there, as the update is), so one round trip; on SQLite four.
pub fn rewrite_draft(
    tx: Conn<'_>,
    id: &str,
    content: &DraftContent,
    now: &str,
) -> Result<Option<SessionRow>> {
    let DraftContent {
        started_at,
        duration_minutes,
        subjective,
        headache_since_last,
        objective,
        assessment,
        plan,
        pain_before,
        pain_after,
        headache_at_start,
    } = content;
    let clear = tx.pick(
        "",
        "WITH cleared_techniques AS (
             DELETE FROM session_techniques WHERE session_id = ?1
                AND EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND status = 'draft')),
         cleared_marks AS (
             DELETE FROM session_marks WHERE session_id = ?1
                AND EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND status = 'draft')),
         cleared_home_care AS (
             DELETE FROM session_home_care WHERE session_id = ?1
                AND EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND status = 'draft'))",
    );
    let row = tx.optional(
        &format!(
            "{clear}
             UPDATE sessions SET started_at = ?2, duration_minutes = ?3, subjective = ?4,
                headache_since_last = ?5, objective = ?6, assessment = ?7, plan = ?8,
                pain_before = ?9, pain_after = ?10, headache_at_start = ?11,
                version = version + 1, updated_at = ?12
             WHERE id = ?1 AND status = 'draft'
             RETURNING {COLUMNS}"
        ),
        args![
            id,
            started_at,
            duration_minutes,
            subjective,
            headache_since_last,
            objective,
            assessment,
            plan,
            pain_before,
            pain_after,
            headache_at_start,
            now
        ],
        SessionRow::from_row,
    )?;
    if row.is_some() && tx.engine() == Engine::Sqlite {
        tx.execute(
            "DELETE FROM session_techniques WHERE session_id = ?1",
            args![id],
        )?;
        tx.execute("DELETE FROM session_marks WHERE session_id = ?1", args![id])?;
        tx.execute(
            "DELETE FROM session_home_care WHERE session_id = ?1",
            args![id],
        )?;
    }
    Ok(row)
}

/// Sign a draft: signed by `signed_by` at `now`, its version bumped. False when no draft has
/// this id (it was signed already, or there is no such note).
pub fn sign_if_draft(tx: Conn<'_>, id: &str, signed_by: &str, now: &str) -> Result<bool> {
    let n = tx.execute(
        "UPDATE sessions SET status = 'signed', signed_by = ?2, signed_at = ?3,
            version = version + 1, updated_at = ?3
         WHERE id = ?1 AND status = 'draft'",
        args![id, signed_by, now],
    )?;
    Ok(n == 1)
}

/// One row of `session_techniques`, as stored (without its note and position).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TechniqueRow {
    pub technique_id: String,
    /// A JSON array of `Region` ids.
    pub regions: String,
    /// A `Pressure` id.
    pub pressure: Option<String>,
    pub minutes: Option<i64>,
    pub reason: String,
}

/// A technique of a note as read: its row and the technique's name in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedTechniqueRow {
    pub technique: TechniqueRow,
    pub technique_name: String,
}

/// A note's techniques, in the order recorded, with their names.
pub fn techniques(c: Conn<'_>, session_id: &str) -> Result<Vec<NamedTechniqueRow>> {
    c.all(
        "SELECT st.technique_id, t.name, st.regions, st.pressure, st.minutes, st.reason
         FROM session_techniques st JOIN techniques t ON t.id = st.technique_id
         WHERE st.session_id = ?1 ORDER BY st.position",
        args![session_id],
        |r| {
            Ok(NamedTechniqueRow {
                technique: TechniqueRow {
                    technique_id: r.get(0)?,
                    regions: r.get(2)?,
                    pressure: r.get(3)?,
                    minutes: r.get(4)?,
                    reason: r.get(5)?,
                },
                technique_name: r.get(1)?,
            })
        },
    )
}

/// A note's techniques, in order (position 0 first), in one statement.
pub fn insert_techniques(tx: Conn<'_>, session_id: &str, rows: &[TechniqueRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO session_techniques (session_id, position, technique_id, regions, pressure, minutes, reason) VALUES ",
    );
    let mut values: Vec<&dyn Arg> = Vec::with_capacity(1 + rows.len() * 5);
    values.push(&session_id);
    for (position, row) in rows.iter().enumerate() {
        let p = 2 + position * 5;
        if position > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(?1, {position}, ?{p}, ?{}, ?{}, ?{}, ?{})",
            p + 1,
            p + 2,
            p + 3,
            p + 4
        ));
        values.extend([
            &row.technique_id as &dyn Arg,
            &row.regions,
            &row.pressure,
            &row.minutes,
            &row.reason,
        ]);
    }
    tx.execute(&sql, &values)?;
    Ok(())
}

/// One row of `session_marks`, as stored (without its note).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkRow {
    /// A `Region` id.
    pub region: String,
    /// A `MarkKind` id.
    pub kind: String,
}

/// A note's body-chart marks, in region order.
pub fn marks(c: Conn<'_>, session_id: &str) -> Result<Vec<MarkRow>> {
    c.all(
        "SELECT region, kind FROM session_marks WHERE session_id = ?1 ORDER BY region",
        args![session_id],
        |r| {
            Ok(MarkRow {
                region: r.get(0)?,
                kind: r.get(1)?,
            })
        },
    )
}

/// A note's body-chart marks (after [`rewrite_draft`] cleared them), in one statement.
pub fn insert_marks(tx: Conn<'_>, session_id: &str, marks: &[MarkRow]) -> Result<()> {
    if marks.is_empty() {
        return Ok(());
    }
    let mut sql = String::from("INSERT INTO session_marks (session_id, region, kind) VALUES ");
    let mut values: Vec<&dyn Arg> = Vec::with_capacity(1 + marks.len() * 2);
    values.push(&session_id);
    for (i, m) in marks.iter().enumerate() {
        let p = 2 + i * 2;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(?1, ?{p}, ?{})", p + 1));
        values.extend([&m.region as &dyn Arg, &m.kind]);
    }
    tx.execute(&sql, &values)?;
    Ok(())
}

/// One row of `amendments`, as stored (without its note).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmendmentRow {
    pub id: String,
    pub author: String,
    pub created_at: String,
    pub reason: String,
    pub body: String,
}

/// A note's amendments, oldest first.
pub fn amendments(c: Conn<'_>, session_id: &str) -> Result<Vec<AmendmentRow>> {
    c.all(
        "SELECT id, author, created_at, reason, body FROM amendments
             WHERE session_id = ?1 ORDER BY created_at, id",
        args![session_id],
        |r| {
            Ok(AmendmentRow {
                id: r.get(0)?,
                author: r.get(1)?,
                created_at: r.get(2)?,
                reason: r.get(3)?,
                body: r.get(4)?,
            })
        },
    )
}

/// A new amendment of a note.
pub fn insert_amendment(tx: Conn<'_>, session_id: &str, row: &AmendmentRow) -> Result<()> {
    tx.execute(
        "INSERT INTO amendments (id, session_id, author, created_at, reason, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![
            row.id,
            session_id,
            row.author,
            row.created_at,
            row.reason,
            row.body
        ],
    )?;
    Ok(())
}
