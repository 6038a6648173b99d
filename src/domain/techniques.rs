//! The technique catalogue: seeded with the five core techniques, editable by therapists.
//! A technique is retired, never deleted, and a name cannot be taken twice.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::sql::Row;
use crate::domain::folding::fold;
use crate::domain::validate::{self, Lines};
use crate::domain::vocab::{self, Contraindication};
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// The ids of the five techniques every new database starts with (migration 0002).
pub mod seeded {
    pub const TRIGGER_POINT: &str = "01900000-0000-7000-8000-000000000001";
    pub const MYOFASCIAL: &str = "01900000-0000-7000-8000-000000000002";
    pub const CRANIOSACRAL: &str = "01900000-0000-7000-8000-000000000003";
    pub const SCALP: &str = "01900000-0000-7000-8000-000000000004";
    pub const CERVICAL: &str = "01900000-0000-7000-8000-000000000005";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Technique {
    pub id: String,
    pub name: String,
    pub description: String,
    pub retired: bool,
    /// Client contraindications that warn against this technique.
    pub warnings: Vec<TechniqueWarning>,
    /// How many session notes used it (a used technique can be retired, not removed).
    pub times_used: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TechniqueWarning {
    pub contraindication: Contraindication,
    pub message: String,
}

/// What the technique form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct TechniqueInput {
    pub name: String,
    pub description: String,
}

impl TechniqueInput {
    fn validated(&self) -> Result<(String, String, String)> {
        let name = validate::name("name", "Technique name", &self.name, 100)?;
        let description = validate::text(
            "description",
            "Description",
            &self.description,
            2000,
            Lines::Many,
        )?;
        let key = fold(&name);
        Ok((name, description, key))
    }
}

/// What a technique is read as, for `FROM techniques t`: the row and how often it was used.
const COLUMNS: &str = "t.id, t.name, t.description, t.retired_at IS NOT NULL,
    (SELECT count(DISTINCT session_id) FROM session_techniques WHERE technique_id = t.id)";

/// A row of [`COLUMNS`]; its warnings are read separately.
fn from_row(r: &Row<'_>) -> Result<Technique> {
    Ok(Technique {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        retired: r.get(3)?,
        warnings: Vec::new(),
        times_used: r.get(4)?,
    })
}

/// What a warning is read as, for `FROM technique_warnings`.
const WARNING_COLUMNS: &str = "flag, message";

/// A row of [`WARNING_COLUMNS`]; `None` for a flag this version does not know.
fn warning_from_row(r: &Row<'_>) -> Result<Option<TechniqueWarning>> {
    let flag: String = r.get(0)?;
    let message: String = r.get(1)?;
    Ok(
        vocab::from_id(&flag).map(|contraindication| TechniqueWarning {
            contraindication,
            message,
        }),
    )
}

impl Store {
    /// The catalogue in name order; retired techniques only when asked for.
    pub fn list_techniques(&self, include_retired: bool) -> Result<Vec<Technique>> {
        let ids: Vec<String> = self.sql().all(
            "SELECT id FROM techniques WHERE ?1 = 1 OR retired_at IS NULL ORDER BY name_key",
            crate::args![include_retired],
            |r| r.get(0),
        )?;
        ids.iter().map(|id| self.get_technique(id)).collect()
    }

    pub fn get_technique(&self, id: &str) -> Result<Technique> {
        let id = validate::record_id(id, "technique")?;
        let c = self.sql();
        let mut technique = c
            .optional(
                &format!("SELECT {COLUMNS} FROM techniques t WHERE t.id = ?1"),
                crate::args![id],
                from_row,
            )?
            .ok_or_else(|| Error::not_found("technique"))?;
        technique.warnings = c
            .all(
                &format!(
                    "SELECT {WARNING_COLUMNS} FROM technique_warnings
                     WHERE technique_id = ?1 ORDER BY flag"
                ),
                crate::args![id],
                warning_from_row,
            )?
            .into_iter()
            .flatten()
            .collect();
        Ok(technique)
    }

    fn technique_name_taken(&self, key: &str, except: &str) -> Result<bool> {
        Ok(self
            .sql()
            .optional(
                "SELECT 1 FROM techniques WHERE name_key = ?1 AND id <> ?2",
                crate::args![key, except],
                |_| Ok(()),
            )?
            .is_some())
    }

    pub fn add_technique(&mut self, input: &TechniqueInput) -> Result<Technique> {
        self.require(Permission::ManageTechniques)?;
        let (name, description, key) = input.validated()?;
        if self.technique_name_taken(&key, "")? {
            return Err(Error::field(
                "name",
                format!("A technique called “{name}” already exists."),
            ));
        }
        let id = Uuid::now_v7().to_string();
        self.write_sql(|tx, ctx| {
            tx.execute(
                "INSERT INTO techniques (id, name, name_key, description, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                crate::args![id, name, key, description, ctx.now_text()],
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "technique.create",
                    entity: "technique",
                    entity_id: id.clone(),
                    summary: format!("added the technique {name}"),
                },
            ))
        })?;
        self.get_technique(&id)
    }

    /// Rename a technique or change its description. Past notes show the new name.
    pub fn update_technique(&mut self, id: &str, input: &TechniqueInput) -> Result<Technique> {
        self.require(Permission::ManageTechniques)?;
        let current = self.get_technique(id)?;
        let (name, description, key) = input.validated()?;
        if self.technique_name_taken(&key, &current.id)? {
            return Err(Error::field(
                "name",
                format!("A technique called “{name}” already exists."),
            ));
        }
        let id = current.id;
        self.write_sql(|tx, _| {
            tx.execute(
                "UPDATE techniques SET name = ?2, name_key = ?3, description = ?4 WHERE id = ?1",
                crate::args![id, name, key, description],
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "technique.update",
                    entity: "technique",
                    entity_id: id.clone(),
                    summary: if current.name == name {
                        "changed the description".to_owned()
                    } else {
                        format!("renamed {} to {name}", current.name)
                    },
                },
            ))
        })?;
        self.get_technique(&id)
    }

    /// Retire (hide from new notes) or bring back a technique.
    pub fn set_technique_retired(&mut self, id: &str, retired: bool) -> Result<Technique> {
        self.require(Permission::ManageTechniques)?;
        let current = self.get_technique(id)?;
        if current.retired == retired {
            return Ok(current);
        }
        let id = current.id;
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            tx.execute(
                "UPDATE techniques SET retired_at = ?2 WHERE id = ?1",
                crate::args![id, retired.then_some(now)],
            )?;
            Ok((
                (),
                AuditEntry {
                    action: if retired {
                        "technique.retire"
                    } else {
                        "technique.restore"
                    },
                    entity: "technique",
                    entity_id: id.clone(),
                    summary: format!(
                        "{} {}",
                        if retired { "retired" } else { "brought back" },
                        current.name
                    ),
                },
            ))
        })?;
        self.get_technique(&id)
    }
}
