//! `client_name_prefixes`: every start of every word of a client's names, beside the
//! client's archived flag and sort key. Which prefixes a client has is decided in
//! `search::name_prefixes`, and the client list reads the table there; this writes it.

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// One row of `client_name_prefixes`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefixRow {
    /// Folded (plain ASCII).
    pub prefix: String,
    pub archived: bool,
    /// The client's sort key (see `clients.sort_key`).
    pub sort_key: String,
    pub client_id: String,
}

/// The columns of [`PrefixRow`], in its order.
pub const COLUMNS: &str = "prefix, archived, sort_key, client_id";

impl PrefixRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<PrefixRow> {
        Ok(PrefixRow {
            prefix: r.get(0)?,
            archived: r.get(1)?,
            sort_key: r.get(2)?,
            client_id: r.get(3)?,
        })
    }

    /// `?1` to `?4`: every column in [`COLUMNS`] order.
    fn args(&self) -> [&dyn Arg; 4] {
        [
            &self.prefix,
            &self.archived,
            &self.sort_key,
            &self.client_id,
        ]
    }
}

/// Remove every prefix of a client (before writing them again).
pub fn delete_for_client(tx: Conn<'_>, client_id: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM client_name_prefixes WHERE client_id = ?1",
        args![client_id],
    )?;
    Ok(())
}

/// One prefix of a client.
pub fn insert(tx: Conn<'_>, row: &PrefixRow) -> Result<()> {
    // [`COLUMNS`] written out: a statement text made once, not per prefix.
    tx.execute(
        "INSERT INTO client_name_prefixes (prefix, archived, sort_key, client_id)
         VALUES (?1, ?2, ?3, ?4)",
        &row.args(),
    )?;
    Ok(())
}

/// Set the archived flag on every prefix of a client.
pub fn set_archived(tx: Conn<'_>, client_id: &str, archived: bool) -> Result<()> {
    tx.execute(
        "UPDATE client_name_prefixes SET archived = ?2 WHERE client_id = ?1",
        args![client_id, archived],
    )?;
    Ok(())
}
