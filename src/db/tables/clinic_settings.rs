//! `clinic_settings`: one row (id 1), the letterhead and the idle lock.

use crate::args;
use crate::db::sql::{Conn, Row};
use crate::error::Result;

/// The letterhead columns of the settings row, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterheadRow {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// The columns of [`LetterheadRow`], in its order.
pub const LETTERHEAD_COLUMNS: &str = "name, address, phone";

impl LetterheadRow {
    /// A row of [`LETTERHEAD_COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<LetterheadRow> {
        Ok(LetterheadRow {
            name: r.get(0)?,
            address: r.get(1)?,
            phone: r.get(2)?,
        })
    }
}

/// The letterhead (the row is always there: the schema inserts it).
pub fn letterhead(c: Conn<'_>) -> Result<LetterheadRow> {
    c.one(
        &format!("SELECT {LETTERHEAD_COLUMNS} FROM clinic_settings WHERE id = 1"),
        args![],
        LetterheadRow::from_row,
    )
}

/// Replace the letterhead, noting when.
pub fn update_letterhead(tx: Conn<'_>, row: &LetterheadRow, updated_at: &str) -> Result<()> {
    tx.execute(
        "UPDATE clinic_settings SET name = ?1, address = ?2, phone = ?3, updated_at = ?4
         WHERE id = 1",
        args![row.name, row.address, row.phone, updated_at],
    )?;
    Ok(())
}

/// Minutes without a command before the app locks itself.
pub fn idle_lock_minutes(c: Conn<'_>) -> Result<i64> {
    c.value(
        "SELECT idle_lock_minutes FROM clinic_settings WHERE id = 1",
        args![],
    )
}

/// Set the idle lock (the schema allows 1 to 240).
pub fn set_idle_lock_minutes(tx: Conn<'_>, minutes: i64) -> Result<()> {
    tx.execute(
        "UPDATE clinic_settings SET idle_lock_minutes = ?1 WHERE id = 1",
        args![minutes],
    )?;
    Ok(())
}
