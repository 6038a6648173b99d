//! The technique catalogue: seeded with the five core techniques, editable by therapists.
//! A technique is retired, never deleted, and a name cannot be taken twice.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::techniques::{self, TechniqueRow, WarningRow};
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
#[serde(deny_unknown_fields)]
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

impl Technique {
    /// The technique from its stored row and its warnings (rows), dropping any warning for a
    /// flag this version does not know.
    fn from_stored(row: TechniqueRow, warnings: Vec<WarningRow>) -> Result<Technique> {
        Ok(Technique {
            times_used: u32::try_from(row.times_used).map_err(|_| {
                Error::internal(format!("a use count, {}, is out of range", row.times_used))
            })?,
            id: row.id,
            name: row.name,
            description: row.description,
            retired: row.retired,
            warnings: warnings
                .into_iter()
                .filter_map(|w| {
                    vocab::from_id(&w.flag).map(|contraindication| TechniqueWarning {
                        contraindication,
                        message: w.message,
                    })
                })
                .collect(),
        })
    }
}

impl Store {
    /// The catalogue in name order; retired techniques only when asked for.
    pub fn list_techniques(&self, include_retired: bool) -> Result<Vec<Technique>> {
        let ids = techniques::list_ids(self.sql(), include_retired)?;
        ids.iter().map(|id| self.get_technique(id)).collect()
    }

    pub fn get_technique(&self, id: &str) -> Result<Technique> {
        let id = validate::record_id(id, "technique")?;
        let c = self.sql();
        let row = techniques::get(c, &id)?.ok_or_else(|| Error::not_found("technique"))?;
        Technique::from_stored(row, techniques::warnings(c, &id)?)
    }

    fn technique_name_taken(&self, key: &str, except: &str) -> Result<bool> {
        techniques::name_key_taken(self.sql(), key, except)
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
            techniques::insert(tx, &id, &name, &key, &description, &ctx.now_text())?;
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
            techniques::update_text(tx, &id, &name, &key, &description)?;
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
            techniques::set_retired(tx, &id, retired.then_some(now.as_str()))?;
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
