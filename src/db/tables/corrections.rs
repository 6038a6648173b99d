//! `corrections`: a recorded value corrected after its record was locked (a signed note's
//! pain or duration, a MIDAS answer), kept unchanged beside the unchanged original. The figures
//! read a record's field through [`latest`], the newest correction or else the stored value.

use crate::args;
use crate::db::sql::{Conn, Row};
use crate::error::Result;

/// One row of `corrections`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorrectionRow {
    pub id: String,
    pub client_id: String,
    /// `session` or `midas`.
    pub record_kind: String,
    pub record_id: String,
    /// The column it corrects (`pain_after`, `missed_work`).
    pub field: String,
    pub original: Option<i64>,
    pub corrected: i64,
    pub reason: String,
    /// The amendment that made it (a note's correction); none for a MIDAS answer.
    pub amendment_id: Option<String>,
    pub author: String,
    pub created_at: String,
}

/// The columns of [`CorrectionRow`], in its order.
const COLUMNS: &str = "id, client_id, record_kind, record_id, field, original, corrected,
    reason, amendment_id, author, created_at";

impl CorrectionRow {
    fn from_row(r: &Row<'_>) -> Result<CorrectionRow> {
        Ok(CorrectionRow {
            id: r.get(0)?,
            client_id: r.get(1)?,
            record_kind: r.get(2)?,
            record_id: r.get(3)?,
            field: r.get(4)?,
            original: r.get(5)?,
            corrected: r.get(6)?,
            reason: r.get(7)?,
            amendment_id: r.get(8)?,
            author: r.get(9)?,
            created_at: r.get(10)?,
        })
    }
}

/// The value a figure uses for `column` of the record whose id is `id_expr` (both SQL,
/// trusted text from the core, never user input): the newest correction of that field, or
/// else the column as stored. An index lookup per record (`corrections_by_record`).
pub fn latest(id_expr: &str, column: &str, field: &str) -> String {
    format!(
        "COALESCE((SELECT c.corrected FROM corrections c
                    WHERE c.record_id = {id_expr} AND c.field = '{field}'
                    ORDER BY c.created_at DESC, c.id DESC LIMIT 1), {column})"
    )
}

/// Whether any value of the record whose id is `id_expr` has been corrected (SQL, as for
/// [`latest`]).
pub fn any_for(id_expr: &str) -> String {
    format!("EXISTS (SELECT 1 FROM corrections c WHERE c.record_id = {id_expr})")
}

/// The corrections of one record, oldest first.
pub fn for_record(c: Conn<'_>, record_id: &str) -> Result<Vec<CorrectionRow>> {
    c.all(
        &format!("SELECT {COLUMNS} FROM corrections WHERE record_id = ?1 ORDER BY created_at, id"),
        args![record_id],
        CorrectionRow::from_row,
    )
}

/// The corrections of a client's records, oldest first.
pub fn for_client(c: Conn<'_>, client_id: &str) -> Result<Vec<CorrectionRow>> {
    c.all(
        &format!("SELECT {COLUMNS} FROM corrections WHERE client_id = ?1 ORDER BY created_at, id"),
        args![client_id],
        CorrectionRow::from_row,
    )
}

/// Keep a new correction.
pub fn insert(tx: Conn<'_>, row: &CorrectionRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO corrections ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        args![
            row.id,
            row.client_id,
            row.record_kind,
            row.record_id,
            row.field,
            row.original,
            row.corrected,
            row.reason,
            row.amendment_id,
            row.author,
            row.created_at
        ],
    )?;
    Ok(())
}
