//! `intakes` and `red_flag_acks` (an intake's red flags, acknowledged once).

use crate::args;
use crate::db::sql::{Arg, Conn, Row};
use crate::error::Result;

/// One row of `intakes`, as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeRow {
    pub id: String,
    pub client_id: String,
    /// `YYYY-MM-DD`.
    pub assessed_on: String,
    /// A `HeadacheType` id.
    pub headache_type: Option<String>,
    pub physician_diagnosed: bool,
    pub headache_days: i64,
    pub migraine_days: Option<i64>,
    pub usual_intensity: i64,
    pub worst_intensity: Option<i64>,
    pub usual_duration_hours: Option<f64>,
    pub acute_med_days: Option<i64>,
    /// A JSON array of `AcuteMedKind` ids; so are `triggers`, `symptoms` and `red_flags`.
    pub acute_med_kinds: String,
    pub triggers: String,
    pub trigger_notes: String,
    /// A JSON array of pain sites (location and side ids).
    pub pain_sites: String,
    pub symptoms: String,
    pub sleep_quality: Option<i64>,
    pub sleep_hours: Option<f64>,
    pub stress: Option<i64>,
    pub red_flags: String,
    pub goals: String,
    pub notes: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The columns of [`IntakeRow`], in its order.
pub const COLUMNS: &str = "id, client_id, assessed_on, headache_type,
    physician_diagnosed, headache_days, migraine_days, usual_intensity,
    worst_intensity, usual_duration_hours, acute_med_days, acute_med_kinds,
    triggers, trigger_notes, pain_sites, symptoms, sleep_quality, sleep_hours,
    stress, red_flags, goals, notes, recorded_by, recorded_at";

impl IntakeRow {
    /// A row of [`COLUMNS`] (or of [`READ_COLUMNS`], which start with the same columns).
    pub fn from_row(r: &Row<'_>) -> Result<IntakeRow> {
        Ok(IntakeRow {
            id: r.get(0)?,
            client_id: r.get(1)?,
            assessed_on: r.get(2)?,
            headache_type: r.get(3)?,
            physician_diagnosed: r.get(4)?,
            headache_days: r.get(5)?,
            migraine_days: r.get(6)?,
            usual_intensity: r.get(7)?,
            worst_intensity: r.get(8)?,
            usual_duration_hours: r.get(9)?,
            acute_med_days: r.get(10)?,
            acute_med_kinds: r.get(11)?,
            triggers: r.get(12)?,
            trigger_notes: r.get(13)?,
            pain_sites: r.get(14)?,
            symptoms: r.get(15)?,
            sleep_quality: r.get(16)?,
            sleep_hours: r.get(17)?,
            stress: r.get(18)?,
            red_flags: r.get(19)?,
            goals: r.get(20)?,
            notes: r.get(21)?,
            recorded_by: r.get(22)?,
            recorded_at: r.get(23)?,
        })
    }

    /// `?1` to `?24`: every column in [`COLUMNS`] order.
    fn args(&self) -> [&dyn Arg; 24] {
        [
            &self.id,
            &self.client_id,
            &self.assessed_on,
            &self.headache_type,
            &self.physician_diagnosed,
            &self.headache_days,
            &self.migraine_days,
            &self.usual_intensity,
            &self.worst_intensity,
            &self.usual_duration_hours,
            &self.acute_med_days,
            &self.acute_med_kinds,
            &self.triggers,
            &self.trigger_notes,
            &self.pain_sites,
            &self.symptoms,
            &self.sleep_quality,
            &self.sleep_hours,
            &self.stress,
            &self.red_flags,
            &self.goals,
            &self.notes,
            &self.recorded_by,
            &self.recorded_at,
        ]
    }
}

/// One row of `red_flag_acks`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AckRow {
    pub intake_id: String,
    pub acknowledged_by: String,
    pub acknowledged_at: String,
    pub referral_note: String,
}

/// The columns of [`AckRow`], in its order.
pub const ACK_COLUMNS: &str = "intake_id, acknowledged_by, acknowledged_at, referral_note";

/// What an intake is read as, for [`FROM`]: the intake's columns (those of [`COLUMNS`], in
/// its order), its acknowledgement if any, and whether it is the client's earliest.
pub const READ_COLUMNS: &str = "i.id, i.client_id, i.assessed_on, i.headache_type,
    i.physician_diagnosed, i.headache_days, i.migraine_days, i.usual_intensity, i.worst_intensity,
    i.usual_duration_hours, i.acute_med_days, i.acute_med_kinds, i.triggers, i.trigger_notes,
    i.pain_sites, i.symptoms, i.sleep_quality, i.sleep_hours, i.stress, i.red_flags, i.goals,
    i.notes, i.recorded_by, i.recorded_at,
    a.acknowledged_by, a.acknowledged_at, a.referral_note,
    i.id = (SELECT b.id FROM intakes b WHERE b.client_id = i.client_id
            ORDER BY b.assessed_on, b.recorded_at, b.id LIMIT 1)";

/// The tables [`READ_COLUMNS`] read.
pub const FROM: &str = "FROM intakes i LEFT JOIN red_flag_acks a ON a.intake_id = i.id";

/// An intake as read: its row, its acknowledgement, and whether it is the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRow {
    pub intake: IntakeRow,
    pub ack: Option<AckRow>,
    /// True for the client's earliest intake (by date, then time recorded, then id).
    pub is_baseline: bool,
}

impl ReadRow {
    /// A row of [`READ_COLUMNS`].
    pub fn from_row(r: &Row<'_>) -> Result<ReadRow> {
        let intake = IntakeRow::from_row(r)?;
        let acknowledged_by: Option<String> = r.get(24)?;
        let ack = match acknowledged_by {
            Some(by) => Some(AckRow {
                intake_id: intake.id.clone(),
                acknowledged_by: by,
                acknowledged_at: r.get(25)?,
                referral_note: r.get(26)?,
            }),
            None => None,
        };
        Ok(ReadRow {
            intake,
            ack,
            is_baseline: r.get(27)?,
        })
    }
}

/// A new intake.
pub fn insert(tx: Conn<'_>, row: &IntakeRow) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO intakes ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"
        ),
        &row.args(),
    )?;
    Ok(())
}

/// One intake, if there is one with this id.
pub fn get(c: Conn<'_>, id: &str) -> Result<Option<ReadRow>> {
    c.optional(
        &format!("SELECT {READ_COLUMNS} {FROM} WHERE i.id = ?1"),
        args![id],
        ReadRow::from_row,
    )
}

/// A client's intakes, newest first.
pub fn list_for_client(c: Conn<'_>, client_id: &str) -> Result<Vec<ReadRow>> {
    c.all(
        &format!(
            "SELECT {READ_COLUMNS} {FROM} WHERE i.client_id = ?1
             ORDER BY i.assessed_on DESC, i.recorded_at DESC, i.id DESC"
        ),
        args![client_id],
        ReadRow::from_row,
    )
}

/// Record the acknowledgement of an intake's red flags (written once: a trigger refuses
/// any change to it).
pub fn insert_ack(tx: Conn<'_>, row: &AckRow) -> Result<()> {
    tx.execute(
        &format!("INSERT INTO red_flag_acks ({ACK_COLUMNS}) VALUES (?1, ?2, ?3, ?4)"),
        args![
            row.intake_id,
            row.acknowledged_by,
            row.acknowledged_at,
            row.referral_note
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_columns_start_with_the_row_columns() {
        let plain: Vec<&str> = COLUMNS.split(',').map(str::trim).collect();
        let read: Vec<String> = READ_COLUMNS
            .split(',')
            .take(plain.len())
            .map(|c| c.trim().trim_start_matches("i.").to_owned())
            .collect();
        assert_eq!(read, plain);
        assert_eq!(plain.len(), 24);
    }
}
