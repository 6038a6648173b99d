//! Home care the client takes home: a library of items (a title and a few plain sentences
//! of instructions), seeded with neutral texts each clinic may edit, kept like the technique
//! catalogue (added, edited, retired, never deleted; a title cannot be taken twice), and the
//! items a session note's plan gives the client, each with a personal line.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::home_care::{self, ItemRow};
use crate::domain::folding::fold;
use crate::domain::validate::{self, Lines};
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// The ids of the items every new database starts with (migration 0016).
pub mod seeded {
    pub const NECK_STRETCH: &str = "01900000-0000-7000-8000-000000000101";
    pub const CHIN_TUCKS: &str = "01900000-0000-7000-8000-000000000102";
    pub const SUBOCCIPITAL_RELEASE: &str = "01900000-0000-7000-8000-000000000103";
    pub const POSTURE_BREAKS: &str = "01900000-0000-7000-8000-000000000104";
    pub const SLEEP_ROUTINE: &str = "01900000-0000-7000-8000-000000000105";
    pub const EARLY_SIGNS: &str = "01900000-0000-7000-8000-000000000106";
}

/// At most this many items on one note: the handout stays one page in large type.
pub const MAX_PER_NOTE: usize = 4;
/// The instructions are a few plain sentences (they must fit the one-page handout).
pub const INSTRUCTIONS_MAX: usize = 260;
pub const PERSONAL_LINE_MAX: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HomeCareItem {
    pub id: String,
    pub title: String,
    pub instructions: String,
    pub retired: bool,
    /// How many session notes gave it (a used item can be retired, not removed).
    pub times_used: u32,
}

/// What the home-care item form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct HomeCareItemInput {
    pub title: String,
    pub instructions: String,
}

/// One item as chosen in a note's plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct SessionHomeCareInput {
    pub item_id: String,
    /// For this client: "hold 20 s, 3 times a day".
    pub personal_line: String,
}

/// One item a note gives the client: the library's title and instructions, and the
/// note's personal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SessionHomeCare {
    pub item_id: String,
    pub title: String,
    pub instructions: String,
    pub personal_line: String,
}

impl HomeCareItemInput {
    fn validated(&self) -> Result<(String, String, String)> {
        let title = validate::name("title", "Title", &self.title, 100)?;
        let instructions = validate::text(
            "instructions",
            "Instructions",
            &self.instructions,
            INSTRUCTIONS_MAX,
            Lines::Many,
        )?;
        if instructions.is_empty() {
            return Err(Error::field(
                "instructions",
                "Write the instructions the client will read.",
            ));
        }
        let key = fold(&title);
        if key.is_empty() {
            return Err(Error::field(
                "title",
                "Give the item a title with letters or digits.",
            ));
        }
        Ok((title, instructions, key))
    }
}

/// The checked home care of a note: (item id, personal line), in order.
pub(crate) fn validated_for_note(items: &[SessionHomeCareInput]) -> Result<Vec<(String, String)>> {
    if items.len() > MAX_PER_NOTE {
        return Err(Error::field(
            "home_care",
            format!("A handout holds at most {MAX_PER_NOTE} home-care items."),
        ));
    }
    let mut out: Vec<(String, String)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = Uuid::parse_str(item.item_id.trim())
            .map(|u| u.hyphenated().to_string())
            .map_err(|_| {
                Error::field(
                    &format!("home_care.{i}.item_id"),
                    "Choose a home-care item from the list.",
                )
            })?;
        if out.iter().any(|(seen, _)| *seen == id) {
            return Err(Error::field(
                &format!("home_care.{i}.item_id"),
                "This item is already on the list.",
            ));
        }
        let line = validate::text(
            &format!("home_care.{i}.personal_line"),
            "Personal line",
            &item.personal_line,
            PERSONAL_LINE_MAX,
            Lines::One,
        )?;
        out.push((id, line));
    }
    Ok(out)
}

impl HomeCareItem {
    fn from_stored(row: ItemRow) -> Result<HomeCareItem> {
        Ok(HomeCareItem {
            times_used: u32::try_from(row.times_used).map_err(|_| {
                Error::internal(format!("a use count, {}, is out of range", row.times_used))
            })?,
            id: row.id,
            title: row.title,
            instructions: row.instructions,
            retired: row.retired,
        })
    }
}

fn taken(title: &str) -> Error {
    Error::field(
        "title",
        format!("A home-care item called “{title}” already exists."),
    )
}

impl Store {
    /// The library in title order; retired items only when asked for.
    pub fn list_home_care_items(&self, include_retired: bool) -> Result<Vec<HomeCareItem>> {
        home_care::list(self.sql(), include_retired)?
            .into_iter()
            .map(HomeCareItem::from_stored)
            .collect()
    }

    pub fn get_home_care_item(&self, id: &str) -> Result<HomeCareItem> {
        let id = validate::record_id(id, "home-care item")?;
        let row =
            home_care::get(self.sql(), &id)?.ok_or_else(|| Error::not_found("home-care item"))?;
        HomeCareItem::from_stored(row)
    }

    pub fn add_home_care_item(&mut self, input: &HomeCareItemInput) -> Result<HomeCareItem> {
        self.require(Permission::ManageTechniques)?;
        let (title, instructions, key) = input.validated()?;
        if home_care::title_key_taken(self.sql(), &key, "")? {
            return Err(taken(&title));
        }
        let id = Uuid::now_v7().to_string();
        self.write_sql(|tx, ctx| {
            home_care::insert(tx, &id, &title, &key, &instructions, &ctx.now_text())?;
            Ok((
                (),
                AuditEntry {
                    action: "home_care.create",
                    entity: "home_care_item",
                    entity_id: id.clone(),
                    summary: format!("added the home-care item {title}"),
                },
            ))
        })?;
        self.get_home_care_item(&id)
    }

    /// Change an item's title or instructions. Past notes and handouts show the new text.
    pub fn update_home_care_item(
        &mut self,
        id: &str,
        input: &HomeCareItemInput,
    ) -> Result<HomeCareItem> {
        self.require(Permission::ManageTechniques)?;
        let current = self.get_home_care_item(id)?;
        let (title, instructions, key) = input.validated()?;
        if home_care::title_key_taken(self.sql(), &key, &current.id)? {
            return Err(taken(&title));
        }
        let id = current.id;
        self.write_sql(|tx, _| {
            home_care::update_text(tx, &id, &title, &key, &instructions)?;
            Ok((
                (),
                AuditEntry {
                    action: "home_care.update",
                    entity: "home_care_item",
                    entity_id: id.clone(),
                    summary: if current.title == title {
                        format!("changed the instructions of {title}")
                    } else {
                        format!("renamed {} to {title}", current.title)
                    },
                },
            ))
        })?;
        self.get_home_care_item(&id)
    }

    /// Retire (hide from new notes) or bring back an item.
    pub fn set_home_care_item_retired(&mut self, id: &str, retired: bool) -> Result<HomeCareItem> {
        self.require(Permission::ManageTechniques)?;
        let current = self.get_home_care_item(id)?;
        if current.retired == retired {
            return Ok(current);
        }
        let id = current.id;
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            home_care::set_retired(tx, &id, retired.then_some(now.as_str()))?;
            Ok((
                (),
                AuditEntry {
                    action: if retired {
                        "home_care.retire"
                    } else {
                        "home_care.restore"
                    },
                    entity: "home_care_item",
                    entity_id: id.clone(),
                    summary: format!(
                        "{} {}",
                        if retired { "retired" } else { "brought back" },
                        current.title
                    ),
                },
            ))
        })?;
        self.get_home_care_item(&id)
    }
}
