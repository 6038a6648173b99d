//! `midas_assessments`: a client's MIDAS questionnaires, kept as answered.

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// One row of `midas_assessments`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MidasRow {
    pub id: String,
    pub client_id: String,
    /// `YYYY-MM-DD`.
    pub answered_on: String,
    pub missed_work: i64,
    pub reduced_work: i64,
    pub missed_household: i64,
    pub reduced_household: i64,
    pub missed_leisure: i64,
    pub headache_days: Option<i64>,
    pub average_pain: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The columns of [`MidasRow`], in its order.
pub const COLUMNS: &str = "id, client_id, answered_on, missed_work, reduced_work,
    missed_household, reduced_household, missed_leisure, headache_days, average_pain,
    recorded_by, recorded_at";

impl MidasRow {
    pub fn from_row(r: &Row<'_>) -> Result<MidasRow> {
        Ok(MidasRow {
            id: r.get(0)?,
            client_id: r.get(1)?,
            answered_on: r.get(2)?,
            missed_work: r.get(3)?,
            reduced_work: r.get(4)?,
            missed_household: r.get(5)?,
            reduced_household: r.get(6)?,
            missed_leisure: r.get(7)?,
            headache_days: r.get(8)?,
            average_pain: r.get(9)?,
            recorded_by: r.get(10)?,
            recorded_at: r.get(11)?,
        })
    }

    fn args(&self) -> [&dyn Arg; 12] {
        [
            &self.id,
            &self.client_id,
            &self.answered_on,
            &self.missed_work,
            &self.reduced_work,
            &self.missed_household,
            &self.reduced_household,
            &self.missed_leisure,
            &self.headache_days,
            &self.average_pain,
            &self.recorded_by,
            &self.recorded_at,
        ]
    }
}

/// A new assessment.
pub fn insert(tx: Conn<'_>, row: &MidasRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO midas_assessments ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ),
        &row.args(),
    )?;
    Ok(())
}

/// One assessment, if there is one with this id.
pub fn get(c: Conn<'_>, id: &str) -> Result<Option<MidasRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM midas_assessments WHERE id = ?1"),
        args![id],
        MidasRow::from_row,
    )
}

/// A client's assessments, oldest first.
pub fn list_for_client(c: Conn<'_>, client_id: &str) -> Result<Vec<MidasRow>> {
    c.all(
        &format!(
            "SELECT {COLUMNS} FROM midas_assessments WHERE client_id = ?1
             ORDER BY answered_on, recorded_at, id"
        ),
        args![client_id],
        MidasRow::from_row,
    )
}
