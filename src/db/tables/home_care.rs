//! `home_care_items` (the library of home care a client takes home) and `session_home_care`
//! (the items a note's plan gives the client, each with a personal line). An item is
//! retired, never deleted.

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// An item of the library as read, with how many session notes gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub instructions: String,
    /// `retired_at` is set.
    pub retired: bool,
    /// The sessions in `session_home_care` that name it.
    pub times_used: i64,
}

/// The columns of [`ItemRow`], in its order, for `FROM home_care_items h`.
pub const COLUMNS: &str = "h.id, h.title, h.instructions, h.retired_at IS NOT NULL,
    (SELECT count(DISTINCT session_id) FROM session_home_care WHERE item_id = h.id)";

impl ItemRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<ItemRow> {
        Ok(ItemRow {
            id: r.get(0)?,
            title: r.get(1)?,
            instructions: r.get(2)?,
            retired: r.get(3)?,
            times_used: r.get(4)?,
        })
    }
}

/// The library in title order; retired items only when asked for.
pub fn list(c: Conn<'_>, include_retired: bool) -> Result<Vec<ItemRow>> {
    c.all(
        &format!(
            "SELECT {COLUMNS} FROM home_care_items h
             WHERE ?1 = 1 OR h.retired_at IS NULL ORDER BY h.title_key"
        ),
        args![include_retired],
        ItemRow::from_row,
    )
}

/// One item, if there is one with this id.
pub fn get(c: Conn<'_>, id: &str) -> Result<Option<ItemRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM home_care_items h WHERE h.id = ?1"),
        args![id],
        ItemRow::from_row,
    )
}

/// Whether an item other than `except` has this folded title.
pub fn title_key_taken(c: Conn<'_>, title_key: &str, except: &str) -> Result<bool> {
    Ok(c.optional(
        "SELECT 1 FROM home_care_items WHERE title_key = ?1 AND id <> ?2",
        args![title_key, except],
        |_| Ok(()),
    )?
    .is_some())
}

/// A new item, not retired.
pub fn insert(
    tx: Conn<'_>,
    id: &str,
    title: &str,
    title_key: &str,
    instructions: &str,
    created_at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO home_care_items (id, title, title_key, instructions, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![id, title, title_key, instructions, created_at],
    )?;
    Ok(())
}

/// Change an item's title or instructions.
pub fn update_text(
    tx: Conn<'_>,
    id: &str,
    title: &str,
    title_key: &str,
    instructions: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE home_care_items SET title = ?2, title_key = ?3, instructions = ?4 WHERE id = ?1",
        args![id, title, title_key, instructions],
    )?;
    Ok(())
}

/// Retire (`retired_at` set) or bring back (`None`) an item.
pub fn set_retired(tx: Conn<'_>, id: &str, retired_at: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE home_care_items SET retired_at = ?2 WHERE id = ?1",
        args![id, retired_at],
    )?;
    Ok(())
}

/// One item a note gives the client, as read: the item's title and instructions as the
/// library has them now, and the note's personal line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteItemRow {
    pub item_id: String,
    pub title: String,
    pub instructions: String,
    pub personal_line: String,
}

/// A note's home care, in the order chosen.
pub fn for_session(c: Conn<'_>, session_id: &str) -> Result<Vec<NoteItemRow>> {
    c.all(
        "SELECT sh.item_id, h.title, h.instructions, sh.personal_line
         FROM session_home_care sh JOIN home_care_items h ON h.id = sh.item_id
         WHERE sh.session_id = ?1 ORDER BY sh.position",
        args![session_id],
        |r| {
            Ok(NoteItemRow {
                item_id: r.get(0)?,
                title: r.get(1)?,
                instructions: r.get(2)?,
                personal_line: r.get(3)?,
            })
        },
    )
}

/// The library's entries for `ids` (retired or not; an id not in the library is left out).
pub fn named(c: Conn<'_>, ids: &[&str]) -> Result<Vec<NoteItemRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("?{}", i + 1)).collect();
    let values: Vec<&dyn Arg> = ids.iter().map(|id| id as &dyn Arg).collect();
    c.all(
        &format!(
            "SELECT id, title, instructions FROM home_care_items WHERE id IN ({})",
            placeholders.join(", ")
        ),
        &values,
        |r| {
            Ok(NoteItemRow {
                item_id: r.get(0)?,
                title: r.get(1)?,
                instructions: r.get(2)?,
                personal_line: String::new(),
            })
        },
    )
}

/// A note's home care, in order (position 0 first), in one statement: (item id, personal line).
pub fn insert_for_session(tx: Conn<'_>, session_id: &str, rows: &[(String, String)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO session_home_care (session_id, position, item_id, personal_line) VALUES ",
    );
    let mut values: Vec<&dyn Arg> = Vec::with_capacity(1 + rows.len() * 2);
    values.push(&session_id);
    for (position, (item_id, line)) in rows.iter().enumerate() {
        let p = 2 + position * 2;
        if position > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(?1, {position}, ?{p}, ?{})", p + 1));
        values.extend([item_id as &dyn Arg, line]);
    }
    tx.execute(&sql, &values)?;
    Ok(())
}
