//! Clinic settings: the name, address and phone on the letterhead of every PDF.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Store;
use crate::db::audit::AuditEntry;
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

impl Store {
    pub fn clinic_settings(&self) -> Result<ClinicSettings> {
        Ok(self.conn().query_row(
            "SELECT name, address, phone FROM clinic_settings WHERE id = 1",
            [],
            |r| {
                Ok(ClinicSettings {
                    name: r.get(0)?,
                    address: r.get(1)?,
                    phone: r.get(2)?,
                })
            },
        )?)
    }

    pub fn update_clinic_settings(&mut self, input: &ClinicSettings) -> Result<ClinicSettings> {
        self.require(Permission::Administer)?;
        let v = ClinicSettings {
            name: validate::text("name", "Clinic name", &input.name, 200, Lines::One)?,
            address: validate::text("address", "Address", &input.address, 500, Lines::Many)?,
            phone: validate::phone("phone", "Phone", &input.phone)?,
        };
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE clinic_settings SET name = ?1, address = ?2, phone = ?3, updated_at = ?4
                 WHERE id = 1",
                params![v.name, v.address, v.phone, ctx.now_text()],
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
        Ok(self.conn().query_row(
            "SELECT idle_lock_minutes FROM clinic_settings WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<u32> {
        self.require(Permission::Administer)?;
        if !(1..=240).contains(&minutes) {
            return Err(crate::error::Error::field(
                "idle_lock_minutes",
                "Lock after 1 to 240 minutes without use.",
            ));
        }
        self.write(|tx, _| {
            tx.execute(
                "UPDATE clinic_settings SET idle_lock_minutes = ?1 WHERE id = 1",
                [minutes],
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
