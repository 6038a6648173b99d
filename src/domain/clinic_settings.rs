//! Clinic settings: the name, address and phone on the letterhead of every PDF.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::clinic_settings::{self, LetterheadRow};
use crate::domain::validate::{self, Lines};
use crate::error::{Error, Result};
use crate::security::users::Permission;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct ClinicSettings {
    pub name: String,
    pub address: String,
    pub phone: String,
}

impl ClinicSettings {
    fn from_stored(r: LetterheadRow) -> ClinicSettings {
        ClinicSettings {
            name: r.name,
            address: r.address,
            phone: r.phone,
        }
    }

    fn stored(&self) -> LetterheadRow {
        LetterheadRow {
            name: self.name.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// The longest clinic name (characters).
pub const MAX_CLINIC_NAME_CHARS: usize = 200;

/// The idle lock a new database starts with, in minutes (the column's default).
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 10;
/// The idle lock's allowed range, in minutes (the column's check).
pub const IDLE_LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;

impl Store {
    pub fn clinic_settings(&self) -> Result<ClinicSettings> {
        clinic_settings::letterhead(self.sql()).map(ClinicSettings::from_stored)
    }

    pub fn update_clinic_settings(&mut self, input: &ClinicSettings) -> Result<ClinicSettings> {
        self.require(Permission::Administer)?;
        let v = ClinicSettings {
            name: validate::text(
                "name",
                "Clinic name",
                &input.name,
                MAX_CLINIC_NAME_CHARS,
                Lines::One,
            )?,
            address: validate::text("address", "Address", &input.address, 500, Lines::Many)?,
            phone: validate::phone("phone", "Phone", &input.phone)?,
        };
        self.write_sql(|tx, ctx| {
            clinic_settings::update_letterhead(tx, &v.stored(), &ctx.now_text())?;
            Ok((
                (),
                AuditEntry {
                    action: "settings.update",
                    entity: "clinic_settings",
                    entity_id: "1".to_owned(),
                    summary: "changed the clinic letterhead".to_owned(),
                },
            ))
        })?;
        self.clinic_settings()
    }

    /// Minutes without a command before the app locks itself (1 to 240; default 10).
    pub fn idle_lock_minutes(&self) -> Result<u32> {
        let minutes = clinic_settings::idle_lock_minutes(self.sql())?;
        u32::try_from(minutes)
            .map_err(|_| Error::internal(format!("the idle lock, {minutes}, is out of range")))
    }

    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<u32> {
        self.require(Permission::Administer)?;
        if !IDLE_LOCK_MINUTES.contains(&minutes) {
            return Err(Error::field(
                "idle_lock_minutes",
                format!(
                    "Lock after {} to {} minutes without use.",
                    IDLE_LOCK_MINUTES.start(),
                    IDLE_LOCK_MINUTES.end()
                ),
            ));
        }
        self.write_sql(|tx, _| {
            clinic_settings::set_idle_lock_minutes(tx, i64::from(minutes))?;
            Ok((
                (),
                AuditEntry {
                    action: "settings.update",
                    entity: "clinic_settings",
                    entity_id: "1".to_owned(),
                    summary: format!("set the idle lock to {minutes} minutes"),
                },
            ))
        })?;
        Ok(minutes)
    }
}
