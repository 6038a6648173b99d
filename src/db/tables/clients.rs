//! `clients` and `client_contraindications`.

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// One row of `clients`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: String,
    pub date_of_birth: Option<String>,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub emergency_contact_name: String,
    pub emergency_contact_phone: String,
    pub physician_name: String,
    pub physician_contact: String,
    pub occupation: String,
    pub posture_notes: String,
    pub medical_history: String,
    pub medications_preventive: String,
    pub medications_acute: String,
    pub allergies: String,
    pub contraindications: String,
    /// A `Pressure` id.
    pub preferred_pressure: Option<String>,
    pub areas_to_avoid: String,
    pub positioning: String,
    pub consent_version: String,
    pub consent_date: Option<String>,
    pub notes: String,
    /// The folded names, for search (see `domain::clients`).
    pub search_key: String,
    /// Last name then first name, folded: the list order.
    pub sort_key: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    pub created_by: String,
}

/// The columns of [`ClientRow`], in its order.
pub const COLUMNS: &str = "id, first_name, last_name, preferred_name, date_of_birth, phone, email,
    address, emergency_contact_name, emergency_contact_phone, physician_name, physician_contact,
    occupation, posture_notes, medical_history, medications_preventive, medications_acute,
    allergies, contraindications, preferred_pressure, areas_to_avoid, positioning,
    consent_version, consent_date, notes, search_key, sort_key, version, created_at, updated_at,
    archived_at, created_by";

/// How many columns [`COLUMNS`] names; a column after them is numbered this.
pub const COLUMN_COUNT: usize = 32;

impl ClientRow {
    /// A row of [`COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<ClientRow> {
        Ok(ClientRow {
            id: r.get(0)?,
            first_name: r.get(1)?,
            last_name: r.get(2)?,
            preferred_name: r.get(3)?,
            date_of_birth: r.get(4)?,
            phone: r.get(5)?,
            email: r.get(6)?,
            address: r.get(7)?,
            emergency_contact_name: r.get(8)?,
            emergency_contact_phone: r.get(9)?,
            physician_name: r.get(10)?,
            physician_contact: r.get(11)?,
            occupation: r.get(12)?,
            posture_notes: r.get(13)?,
            medical_history: r.get(14)?,
            medications_preventive: r.get(15)?,
            medications_acute: r.get(16)?,
            allergies: r.get(17)?,
            contraindications: r.get(18)?,
            preferred_pressure: r.get(19)?,
            areas_to_avoid: r.get(20)?,
            positioning: r.get(21)?,
            consent_version: r.get(22)?,
            consent_date: r.get(23)?,
            notes: r.get(24)?,
            search_key: r.get(25)?,
            sort_key: r.get(26)?,
            version: r.get(27)?,
            created_at: r.get(28)?,
            updated_at: r.get(29)?,
            archived_at: r.get(30)?,
            created_by: r.get(31)?,
        })
    }

    /// `?1` to `?32`: every column in [`COLUMNS`] order.
    fn args(&self) -> [&dyn Arg; 32] {
        [
            &self.id,
            &self.first_name,
            &self.last_name,
            &self.preferred_name,
            &self.date_of_birth,
            &self.phone,
            &self.email,
            &self.address,
            &self.emergency_contact_name,
            &self.emergency_contact_phone,
            &self.physician_name,
            &self.physician_contact,
            &self.occupation,
            &self.posture_notes,
            &self.medical_history,
            &self.medications_preventive,
            &self.medications_acute,
            &self.allergies,
            &self.contraindications,
            &self.preferred_pressure,
            &self.areas_to_avoid,
            &self.positioning,
            &self.consent_version,
            &self.consent_date,
            &self.notes,
            &self.search_key,
            &self.sort_key,
            &self.version,
            &self.created_at,
            &self.updated_at,
            &self.archived_at,
            &self.created_by,
        ]
    }
}

/// One client, if there is one with this id.
pub fn get(c: Conn<'_>, id: &str) -> Result<Option<ClientRow>> {
    c.optional(
        &format!("SELECT {COLUMNS} FROM clients WHERE id = ?1"),
        args![id],
        ClientRow::from_row,
    )
}

/// One client with their contraindication flags (ids, in no set order), in one statement:
/// on a clinic server each statement is a round trip over the network.
pub fn get_with_flags(c: Conn<'_>, id: &str) -> Result<Option<(ClientRow, Vec<String>)>> {
    c.optional(
        &format!(
            "SELECT {COLUMNS},
                (SELECT string_agg(f.flag, CAST(?2 AS TEXT)) FROM client_contraindications f
                  WHERE f.client_id = clients.id)
             FROM clients WHERE id = ?1"
        ),
        args![id, FLAG_SEPARATOR],
        |r| {
            let flags: Option<String> = r.get(COLUMN_COUNT)?;
            let flags = flags
                .map(|f| f.split(FLAG_SEPARATOR).map(str::to_owned).collect())
                .unwrap_or_default();
            Ok((ClientRow::from_row(r)?, flags))
        },
    )
}

/// Joins flags in one column: the unit separator, which no flag id contains.
const FLAG_SEPARATOR: &str = "\u{1f}";

/// A new client.
pub fn insert(tx: Conn<'_>, row: &ClientRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO clients ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,
                ?27, ?28, ?29, ?30, ?31, ?32)"
        ),
        &row.args(),
    )?;
    Ok(())
}

/// Replace a client's recorded fields (not its id, creation or archiving) if the stored
/// version is still `expected_version` and the client is not archived; the version becomes
/// `row.version`. False when nothing matched: someone saved in between, or it was archived.
pub fn update_if_version(tx: Conn<'_>, row: &ClientRow, expected_version: i64) -> Result<bool> {
    // Every column but created_at, archived_at and created_by (?29 to ?32), which an update
    // keeps; a statement must use each argument it is given (PostgreSQL types them all).
    let mut a = row.args()[..28].to_vec();
    a.extend([&row.updated_at as &dyn Arg, &expected_version]);
    let n = tx.execute(
        "UPDATE clients SET first_name = ?2, last_name = ?3, preferred_name = ?4,
            date_of_birth = ?5, phone = ?6, email = ?7, address = ?8,
            emergency_contact_name = ?9, emergency_contact_phone = ?10, physician_name = ?11,
            physician_contact = ?12, occupation = ?13, posture_notes = ?14,
            medical_history = ?15, medications_preventive = ?16, medications_acute = ?17,
            allergies = ?18, contraindications = ?19, preferred_pressure = ?20,
            areas_to_avoid = ?21, positioning = ?22, consent_version = ?23, consent_date = ?24,
            notes = ?25, search_key = ?26, sort_key = ?27, version = ?28, updated_at = ?29
         WHERE id = ?1 AND version = ?30 AND archived_at IS NULL",
        &a,
    )?;
    Ok(n == 1)
}

/// Archive (`archived_at` set) or restore (`None`) a client, bumping its version.
pub fn set_archived(tx: Conn<'_>, id: &str, archived_at: Option<&str>, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE clients SET archived_at = ?2, version = version + 1, updated_at = ?3
         WHERE id = ?1",
        args![id, archived_at, now],
    )?;
    Ok(())
}

/// Replace a client's contraindication flags.
pub fn replace_flags(tx: Conn<'_>, client_id: &str, flags: &[String]) -> Result<()> {
    tx.execute(
        "DELETE FROM client_contraindications WHERE client_id = ?1",
        args![client_id],
    )?;
    if flags.is_empty() {
        return Ok(());
    }
    // All of them in one statement, as one JSON array (one round trip on a clinic server).
    let list = serde_json::to_string(flags)
        .map_err(|e| crate::error::Error::internal(format!("could not list the flags: {e}")))?;
    tx.execute(
        tx.pick(
            "INSERT INTO client_contraindications (client_id, flag)
             SELECT ?1, value FROM json_each(?2)",
            "INSERT INTO client_contraindications (client_id, flag)
             SELECT CAST(?1 AS TEXT), value
             FROM json_array_elements_text(CAST(CAST(?2 AS TEXT) AS json)) AS value",
        ),
        args![client_id, list],
    )?;
    Ok(())
}

/// What a line of the client list is read as, for `FROM clients c`.
pub const SUMMARY_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.preferred_name,
    c.date_of_birth, c.phone, c.archived_at IS NOT NULL";

/// One line of the client list, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: String,
    pub date_of_birth: Option<String>,
    pub phone: String,
    pub archived: bool,
}

impl SummaryRow {
    /// A row of [`SUMMARY_COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<SummaryRow> {
        Ok(SummaryRow {
            id: r.get(0)?,
            first_name: r.get(1)?,
            last_name: r.get(2)?,
            preferred_name: r.get(3)?,
            date_of_birth: r.get(4)?,
            phone: r.get(5)?,
            archived: r.get(6)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_count_matches_the_column_list() {
        assert_eq!(super::COLUMNS.split(',').count(), super::COLUMN_COUNT);
    }
}
