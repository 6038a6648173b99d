//! `users`: who may log in, and in which role. A user is disabled, never deleted.

use crate::args;
use crate::db::sql::{Conn, Row};
use crate::error::Result;

/// One row of `users`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRow {
    pub username: String,
    pub display_name: String,
    /// e.g. "RMT"; empty when none (schema 13).
    pub credentials: String,
    /// A `Role` id.
    pub role: String,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

/// The columns of [`UserRow`], in its order.
pub const COLUMNS: &str = "username, display_name, role, created_at, disabled_at, credentials";

impl UserRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<UserRow> {
        Ok(UserRow {
            username: r.get(0)?,
            display_name: r.get(1)?,
            role: r.get(2)?,
            created_at: r.get(3)?,
            disabled_at: r.get(4)?,
            credentials: r.get(5)?,
        })
    }
}

/// Every user: enabled ones first, then by display name and username.
pub fn list(c: Conn<'_>) -> Result<Vec<UserRow>> {
    c.all(
        &format!(
            "SELECT {COLUMNS} FROM users
             ORDER BY disabled_at IS NOT NULL, display_name, username"
        ),
        args![],
        UserRow::from_row,
    )
}

/// One user, if there is one with this (normalised) username.
pub fn get(c: Conn<'_>, username: &str) -> Result<Option<UserRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM users WHERE username = ?1"),
        args![username],
        UserRow::from_row,
    )
}

/// A new user, enabled.
pub fn insert(
    tx: Conn<'_>,
    username: &str,
    display_name: &str,
    role: &str,
    created_at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO users (username, display_name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        args![username, display_name, role, created_at],
    )?;
    Ok(())
}

/// How many administrators are not disabled.
pub fn count_enabled_administrators(c: Conn<'_>) -> Result<i64> {
    c.value(
        "SELECT count(*) FROM users WHERE role = 'administrator' AND disabled_at IS NULL",
        args![],
    )
}

/// Disable (`disabled_at` set) or enable (`None`) a user.
pub fn set_disabled(tx: Conn<'_>, username: &str, disabled_at: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE users SET disabled_at = ?2 WHERE username = ?1",
        args![username, disabled_at],
    )?;
    Ok(())
}

/// A user's name and credentials (on SQLite; the clinic server goes through
/// `stillpoint_set_profile`).
pub fn set_profile(
    tx: Conn<'_>,
    username: &str,
    display_name: &str,
    credentials: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE users SET display_name = ?2, credentials = ?3 WHERE username = ?1",
        args![username, display_name, credentials],
    )?;
    Ok(())
}
