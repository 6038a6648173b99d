//! `technique_outcome_totals`: the running totals behind the dashboard's outcomes by
//! technique. What a client adds to them is counted in `reports::technique_totals`; this
//! reads and writes the kept figures.

use crate::args;
use crate::db::sql::{Conn, Row};
use crate::error::Result;

/// One row of `technique_outcome_totals`, as stored: one technique's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotalsRow {
    pub technique_id: String,
    pub sessions: i64,
    pub sessions_with_pain: i64,
    pub pain_change_sum: i64,
    pub clients: i64,
    pub clients_measurable: i64,
    pub responders: i64,
}

/// The columns of [`TotalsRow`], in its order.
pub const COLUMNS: &str = "technique_id, sessions, sessions_with_pain, pain_change_sum, clients,
    clients_measurable, responders";

impl TotalsRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<TotalsRow> {
        Ok(TotalsRow {
            technique_id: r.get(0)?,
            sessions: r.get(1)?,
            sessions_with_pain: r.get(2)?,
            pain_change_sum: r.get(3)?,
            clients: r.get(4)?,
            clients_measurable: r.get(5)?,
            responders: r.get(6)?,
        })
    }
}

/// Every row as kept (including techniques whose figures are all zero), in no set order.
pub fn list(c: Conn<'_>) -> Result<Vec<TotalsRow>> {
    c.all(
        &format!("SELECT {COLUMNS} FROM technique_outcome_totals"),
        args![],
        TotalsRow::from_row,
    )
}

/// Add `row`'s figures to its technique's (a difference: figures may be negative); a
/// technique without a row gets one.
pub fn add(tx: Conn<'_>, row: &TotalsRow) -> Result<()> {
    // The kept value is named with its table: on PostgreSQL a bare column name in
    // DO UPDATE is ambiguous with `excluded`'s.
    tx.execute(
        "INSERT INTO technique_outcome_totals
            (technique_id, sessions, sessions_with_pain, pain_change_sum, clients, clients_measurable, responders)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (technique_id) DO UPDATE SET
            sessions = technique_outcome_totals.sessions + excluded.sessions,
            sessions_with_pain = technique_outcome_totals.sessions_with_pain + excluded.sessions_with_pain,
            pain_change_sum = technique_outcome_totals.pain_change_sum + excluded.pain_change_sum,
            clients = technique_outcome_totals.clients + excluded.clients,
            clients_measurable = technique_outcome_totals.clients_measurable + excluded.clients_measurable,
            responders = technique_outcome_totals.responders + excluded.responders",
        args![
            row.technique_id,
            row.sessions,
            row.sessions_with_pain,
            row.pain_change_sum,
            row.clients,
            row.clients_measurable,
            row.responders
        ],
    )?;
    Ok(())
}

/// Remove every row (before counting afresh).
pub fn delete_all(tx: Conn<'_>) -> Result<()> {
    tx.execute("DELETE FROM technique_outcome_totals", args![])?;
    Ok(())
}
