//! `care_plans`: each client's current care plan (one row per client; changes are audited).

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// One row of `care_plans`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CarePlanRow {
    pub client_id: String,
    pub goals: String,
    /// A JSON array of frequency phases.
    pub phases: String,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub next_reassessment_on: Option<String>,
    pub shared_with_physician: bool,
    pub updated_by: String,
    pub updated_at: String,
}

/// The columns of [`CarePlanRow`], in its order.
pub const COLUMNS: &str = "client_id, goals, phases, starts_on, next_reassessment_on,
    shared_with_physician, updated_by, updated_at";

impl CarePlanRow {
    pub fn from_row(r: &Row<'_>) -> Result<CarePlanRow> {
        Ok(CarePlanRow {
            client_id: r.get(0)?,
            goals: r.get(1)?,
            phases: r.get(2)?,
            starts_on: r.get(3)?,
            next_reassessment_on: r.get(4)?,
            shared_with_physician: r.get(5)?,
            updated_by: r.get(6)?,
            updated_at: r.get(7)?,
        })
    }

    fn args(&self) -> [&dyn Arg; 8] {
        [
            &self.client_id,
            &self.goals,
            &self.phases,
            &self.starts_on,
            &self.next_reassessment_on,
            &self.shared_with_physician,
            &self.updated_by,
            &self.updated_at,
        ]
    }
}

/// Set a client's plan: a new row, or the current one replaced.
pub fn upsert(tx: Conn<'_>, row: &CarePlanRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO care_plans ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (client_id) DO UPDATE SET goals = excluded.goals,
                phases = excluded.phases, starts_on = excluded.starts_on,
                next_reassessment_on = excluded.next_reassessment_on,
                shared_with_physician = excluded.shared_with_physician,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at"
        ),
        &row.args(),
    )?;
    Ok(())
}

/// A client's plan, if one was set.
pub fn get(c: Conn<'_>, client_id: &str) -> Result<Option<CarePlanRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM care_plans WHERE client_id = ?1"),
        args![client_id],
        CarePlanRow::from_row,
    )
}
