//! `techniques` (the catalogue) and `technique_warnings` (which client contraindications
//! warn against each technique). A technique is retired, never deleted.

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// A technique as read: its row, and how many session notes used it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TechniqueRow {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `retired_at` is set.
    pub retired: bool,
    /// The sessions in `session_techniques` that name it.
    pub times_used: i64,
}

/// The columns of [`TechniqueRow`], in its order, for `FROM techniques t`.
pub const COLUMNS: &str = "t.id, t.name, t.description, t.retired_at IS NOT NULL,
    (SELECT count(DISTINCT session_id) FROM session_techniques WHERE technique_id = t.id)";

impl TechniqueRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<TechniqueRow> {
        Ok(TechniqueRow {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            retired: r.get(3)?,
            times_used: r.get(4)?,
        })
    }
}

/// One row of `technique_warnings`, less its technique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningRow {
    /// A `Contraindication` id.
    pub flag: String,
    pub message: String,
}

/// The columns of [`WarningRow`], in its order.
pub const WARNING_COLUMNS: &str = "flag, message";

impl WarningRow {
    /// A row of [`WARNING_COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<WarningRow> {
        Ok(WarningRow {
            flag: r.get(0)?,
            message: r.get(1)?,
        })
    }
}

/// The ids of the catalogue in name order; retired techniques only when asked for.
pub fn list_ids(c: Conn<'_>, include_retired: bool) -> Result<Vec<String>> {
    c.all(
        "SELECT id FROM techniques WHERE ?1 = 1 OR retired_at IS NULL ORDER BY name_key",
        args![include_retired],
        |r| r.get(0),
    )
}

/// One technique, if there is one with this id.
pub fn get(c: Conn<'_>, id: &str) -> Result<Option<TechniqueRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM techniques t WHERE t.id = ?1"),
        args![id],
        TechniqueRow::from_row,
    )
}

/// Whether there is a technique with this id (retired or not).
pub fn exists(c: Conn<'_>, id: &str) -> Result<bool> {
    Ok(
        c.optional("SELECT 1 FROM techniques WHERE id = ?1", args![id], |_| {
            Ok(())
        })?
        .is_some(),
    )
}

/// Whether a technique other than `except` has this folded name.
pub fn name_key_taken(c: Conn<'_>, name_key: &str, except: &str) -> Result<bool> {
    Ok(c.optional(
        "SELECT 1 FROM techniques WHERE name_key = ?1 AND id <> ?2",
        args![name_key, except],
        |_| Ok(()),
    )?
    .is_some())
}

/// A new technique, not retired.
pub fn insert(
    tx: Conn<'_>,
    id: &str,
    name: &str,
    name_key: &str,
    description: &str,
    created_at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO techniques (id, name, name_key, description, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![id, name, name_key, description, created_at],
    )?;
    Ok(())
}

/// Rename a technique or change its description.
pub fn update_text(
    tx: Conn<'_>,
    id: &str,
    name: &str,
    name_key: &str,
    description: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE techniques SET name = ?2, name_key = ?3, description = ?4 WHERE id = ?1",
        args![id, name, name_key, description],
    )?;
    Ok(())
}

/// Retire (`retired_at` set) or bring back (`None`) a technique.
pub fn set_retired(tx: Conn<'_>, id: &str, retired_at: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE techniques SET retired_at = ?2 WHERE id = ?1",
        args![id, retired_at],
    )?;
    Ok(())
}

/// The warnings of every technique recorded on a note, in one statement: (technique id,
/// warning), in technique and flag order.
pub fn warnings_for_session(c: Conn<'_>, session_id: &str) -> Result<Vec<(String, WarningRow)>> {
    c.all(
        &format!(
            "SELECT technique_id, {WARNING_COLUMNS} FROM technique_warnings
             WHERE technique_id IN (SELECT technique_id FROM session_techniques WHERE session_id = ?1)
             ORDER BY technique_id, flag"
        ),
        args![session_id],
        |r| {
            Ok((
                r.get(0)?,
                WarningRow {
                    flag: r.get(1)?,
                    message: r.get(2)?,
                },
            ))
        },
    )
}

/// A technique of the catalogue as a note names it: its name, and its warnings against a
/// client's contraindication flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedForClient {
    pub id: String,
    pub name: String,
    /// In flag order; only flags the client has.
    pub warnings: Vec<WarningRow>,
}

/// The catalogue's entries for `ids` (retired or not; an id not in the catalogue is left
/// out), each with its warnings against the flags `client_id` has, in one statement: what
/// saving a draft checks its techniques against and shows beside them.
pub fn named_for_client(c: Conn<'_>, client_id: &str, ids: &[&str]) -> Result<Vec<NamedForClient>> {
    let mut distinct: Vec<&str> = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..distinct.len()).map(|i| format!("?{}", i + 2)).collect();
    let mut values: Vec<&dyn Arg> = Vec::with_capacity(1 + distinct.len());
    values.push(&client_id);
    values.extend(distinct.iter().map(|id| id as &dyn Arg));
    let mut out: Vec<NamedForClient> = Vec::new();
    c.each(
        &format!(
            "SELECT t.id, t.name, w.flag, w.message FROM techniques t
               LEFT JOIN technique_warnings w ON w.technique_id = t.id
                AND w.flag IN (SELECT f.flag FROM client_contraindications f WHERE f.client_id = ?1)
             WHERE t.id IN ({})
             ORDER BY t.id, w.flag",
            placeholders.join(", ")
        ),
        &values,
        |r| {
            let id: String = r.get(0)?;
            let warning = match (r.get::<Option<String>>(2)?, r.get::<Option<String>>(3)?) {
                (Some(flag), Some(message)) => Some(WarningRow { flag, message }),
                _ => None,
            };
            match out.last_mut() {
                Some(last) if last.id == id => last.warnings.extend(warning),
                _ => out.push(NamedForClient {
                    name: r.get(1)?,
                    id,
                    warnings: warning.into_iter().collect(),
                }),
            }
            Ok(true)
        },
    )?;
    Ok(out)
}

/// The warnings of a technique, in flag order.
pub fn warnings(c: Conn<'_>, technique_id: &str) -> Result<Vec<WarningRow>> {
    c.all(
        &format!(
            "SELECT {WARNING_COLUMNS} FROM technique_warnings
             WHERE technique_id = ?1 ORDER BY flag"
        ),
        args![technique_id],
        WarningRow::from_row,
    )
}
