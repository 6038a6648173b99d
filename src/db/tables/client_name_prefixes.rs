//! `client_name_prefixes`: every start of every word of a client's names, beside the
//! client's archived flag and sort key. Which prefixes a client has is decided in
//! `search::name_prefixes`, and the client list reads the table there; this writes it.

use crate::args;
use crate::db::sql::{Conn, Row};
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
}

/// Remove every prefix of a client (before writing them again).
pub fn delete_for_client(tx: Conn<'_>, client_id: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM client_name_prefixes WHERE client_id = ?1",
        args![client_id],
    )?;
    Ok(())
}

/// Every prefix of a client, in one statement (one round trip on a clinic server, where one
/// per prefix was about a dozen for a client): the prefixes go as one JSON array, so the
/// statement's text does not depend on how many there are (one prepared statement).
pub fn insert_all(
    tx: Conn<'_>,
    client_id: &str,
    sort_key: &str,
    archived: bool,
    prefixes: &[String],
) -> Result<()> {
    if prefixes.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_string(prefixes)
        .map_err(|e| crate::error::Error::internal(format!("could not list the prefixes: {e}")))?;
    tx.execute(
        tx.pick(
            "INSERT INTO client_name_prefixes (prefix, archived, sort_key, client_id)
             SELECT value, ?2, ?3, ?4 FROM json_each(?1)",
            "INSERT INTO client_name_prefixes (prefix, archived, sort_key, client_id)
             SELECT value, CAST(?2 AS BIGINT), CAST(?3 AS TEXT), CAST(?4 AS TEXT)
             FROM json_array_elements_text(CAST(CAST(?1 AS TEXT) AS json)) AS value",
        ),
        args![list, archived, sort_key, client_id],
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
