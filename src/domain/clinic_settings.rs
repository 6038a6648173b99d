//! Clinic settings: the name, address and phone on the letterhead of every PDF.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::sql::Row;
use crate::domain::validate::{self, Lines};
use crate::error::Result;
use crate::security::users::Permission;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ClinicSettings {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// The letterhead columns of `clinic_settings`, in the order [`from_row`] reads them.
const COLUMNS: &str = "name, address, phone";

fn from_row(r: &Row<'_>) -> Result<ClinicSettings> {
    Ok(ClinicSettings {
        name: r.get(0)?,
        address: r.get(1)?,
        phone: r.get(2)?,
    })
}

impl Store {
    pub fn clinic_settings(&self) -> Result<ClinicSettings> {
        self.sql().one(
            &format!("SELECT {COLUMNS} FROM clinic_settings WHERE id = 1"),
            crate::args![],
            from_row,
        )
    }

    pub fn update_clinic_settings(&mut self, input: &ClinicSettings) -> Result<ClinicSettings> {
        self.require(Permission::Administer)?;
        let v = ClinicSettings {
            name: validate::text("name", "Clinic name", &input.name, 200, Lines::One)?,
            address: validate::text("address", "Address", &input.address, 500, Lines::Many)?,
            phone: validate::phone("phone", "Phone", &input.phone)?,
        };
        self.write_sql(|tx, ctx| {
            tx.execute(
                "UPDATE clinic_settings SET name = ?1, address = ?2, phone = ?3, updated_at = ?4
                 WHERE id = 1",
                crate::args![v.name, v.address, v.phone, ctx.now_text()],
            )?;
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
        self.sql().value(
            "SELECT idle_lock_minutes FROM clinic_settings WHERE id = 1",
            crate::args![],
        )
    }

    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<u32> {
        self.require(Permission::Administer)?;
        if !(1..=240).contains(&minutes) {
            return Err(crate::error::Error::field(
                "idle_lock_minutes",
                "Lock after 1 to 240 minutes without use.",
            ));
        }
        self.write_sql(|tx, _| {
            tx.execute(
                "UPDATE clinic_settings SET idle_lock_minutes = ?1 WHERE id = 1",
                crate::args![minutes],
            )?;
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
