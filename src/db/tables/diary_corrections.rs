//! `diary_corrections`: a diary day recorded before today and then changed (or removed) with a
//! reason, kept unchanged: the day as it was and as corrected, as JSON, and the changes in
//! words. The diary row holds the values in force.

use crate::args;
use crate::db::sql::{Conn, Row};
use crate::error::Result;

/// One row of `diary_corrections`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiaryCorrectionRow {
    pub id: String,
    pub client_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The day as it was, JSON.
    pub original: String,
    /// The day as corrected, JSON; none: the day was removed.
    pub corrected: Option<String>,
    /// "peak intensity 7 → 5; hours 4.0 → 2.0".
    pub changes: String,
    pub reason: String,
    pub author: String,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, client_id, day, original, corrected, changes, reason, author, created_at";

impl DiaryCorrectionRow {
    fn from_row(r: &Row<'_>) -> Result<DiaryCorrectionRow> {
        Ok(DiaryCorrectionRow {
            id: r.get(0)?,
            client_id: r.get(1)?,
            day: r.get(2)?,
            original: r.get(3)?,
            corrected: r.get(4)?,
            changes: r.get(5)?,
            reason: r.get(6)?,
            author: r.get(7)?,
            created_at: r.get(8)?,
        })
    }
}

/// The corrections of a client's days from `from` to `to` (inclusive), oldest first.
pub fn between(
    c: Conn<'_>,
    client_id: &str,
    from: &str,
    to: &str,
) -> Result<Vec<DiaryCorrectionRow>> {
    c.all(
        &format!(
            "SELECT {COLUMNS} FROM diary_corrections
             WHERE client_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day, created_at, id"
        ),
        args![client_id, from, to],
        DiaryCorrectionRow::from_row,
    )
}

/// How many of a client's diary days have been corrected (or removed with a reason).
pub fn days_corrected(c: Conn<'_>, client_id: &str) -> Result<i64> {
    c.value(
        "SELECT COUNT(DISTINCT day) FROM diary_corrections WHERE client_id = ?1",
        args![client_id],
    )
}

/// Keep a new correction.
pub fn insert(tx: Conn<'_>, row: &DiaryCorrectionRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO diary_corrections ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        args![
            row.id,
            row.client_id,
            row.day,
            row.original,
            row.corrected,
            row.changes,
            row.reason,
            row.author,
            row.created_at
        ],
    )?;
    Ok(())
}
