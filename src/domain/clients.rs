//! Client records: create, read, update, list and search, archive and restore.
//! Never a hard delete (a trigger refuses DELETE too).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::{self, AuditEntry, AuditRecord};
use crate::db::sql::Conn;
use crate::db::tables::clients::{self, ClientRow, SummaryRow};
use crate::domain::folding::{fold, query_terms};
use crate::domain::validate::{self, DateRule, Lines};
use crate::domain::vocab::{self, Contraindication, Pressure};
use crate::error::{Error, Result};
use crate::search::index as search_index;
use crate::security::users::Permission;

/// Everything a therapist records about a client. The form sends it; the record holds it.
/// Text fields are empty when not given; dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct ClientFields {
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
    /// Contraindications that warn against specific techniques.
    pub contraindication_flags: Vec<Contraindication>,
    pub preferred_pressure: Option<Pressure>,
    pub areas_to_avoid: String,
    pub positioning: String,
    pub consent_version: String,
    pub consent_date: Option<String>,
    pub notes: String,
}

/// A stored client record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Client {
    pub id: String,
    #[serde(flatten)]
    pub fields: ClientFields,
    /// Whole years, from the date of birth and today's date.
    pub age: Option<u32>,
    /// Bumped by every change; an update must name the version it was based on.
    #[ts(type = "number")]
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

/// One line of the client list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientSummary {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: String,
    pub date_of_birth: Option<String>,
    pub phone: String,
    pub archived: bool,
}

/// What the client list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct ClientQuery {
    /// Any part of a first, last or preferred name; accents, case and punctuation ignored.
    pub search: String,
    pub include_archived: bool,
    /// At most this many rows (1 to 500; 0 means 100).
    pub limit: u32,
    pub offset: u32,
}

/// A page of the client list and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientPage {
    pub items: Vec<ClientSummary>,
    pub total: u32,
}

/// The most clients one page returns.
pub const MAX_PAGE: u32 = 500;
const DEFAULT_PAGE: u32 = 100;
const MAX_SEARCH_CHARS: usize = 200;
const MAX_SEARCH_TERMS: usize = 8;

/// What people call each field: in error messages and in the record history.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "first_name" => "First name",
        "last_name" => "Last name",
        "preferred_name" => "Preferred name",
        "date_of_birth" => "Date of birth",
        "phone" => "Phone",
        "email" => "Email",
        "address" => "Address",
        "emergency_contact_name" => "Emergency contact name",
        "emergency_contact_phone" => "Emergency contact phone",
        "physician_name" => "Physician",
        "physician_contact" => "Physician contact",
        "occupation" => "Occupation",
        "posture_notes" => "Posture notes",
        "medical_history" => "Medical history",
        "medications_preventive" => "Preventive medications",
        "medications_acute" => "Acute medications",
        "allergies" => "Allergies",
        "contraindications" => "Contraindications",
        "contraindication_flags" => "Technique contraindications",
        "preferred_pressure" => "Preferred pressure",
        "areas_to_avoid" => "Areas to avoid",
        "positioning" => "Positioning",
        "consent_version" => "Consent form version",
        "consent_date" => "Consent date",
        "notes" => "Notes",
        _ => "A field",
    }
}

impl ClientFields {
    /// Trim and check every field; the first problem is returned, naming its field.
    pub fn validated(&self, today: NaiveDate) -> Result<ClientFields> {
        let l = field_label;
        let one = |f: &str, v: &str, max| validate::text(f, l(f), v, max, Lines::One);
        let many = |f: &str, v: &str, max| validate::text(f, l(f), v, max, Lines::Many);
        let name = |f: &str, v: &str| validate::name(f, l(f), v, 100);
        let phone = |f: &str, v: &str| validate::phone(f, l(f), v);
        let date = |f: &str, v: &Option<String>| {
            validate::past_date(
                f,
                l(f),
                v.as_deref(),
                today,
                DateRule {
                    max_years_back: 120,
                },
            )
        };
        let dob = date("date_of_birth", &self.date_of_birth)?;
        let consent_version = one("consent_version", &self.consent_version, 50)?;
        let consent_date = date("consent_date", &self.consent_date)?;
        if consent_date.is_some() && consent_version.is_empty() {
            return Err(Error::field(
                "consent_version",
                "Enter which version of the consent form was signed on that date.",
            ));
        }
        if consent_date.is_none() && !consent_version.is_empty() {
            return Err(Error::field(
                "consent_date",
                "Enter the date the consent form was signed.",
            ));
        }
        if let (Some(signed), Some(born)) = (consent_date, dob)
            && signed < born
        {
            return Err(Error::field(
                "consent_date",
                "Consent date cannot be before the date of birth.",
            ));
        }
        Ok(ClientFields {
            first_name: name("first_name", &self.first_name)?,
            last_name: name("last_name", &self.last_name)?,
            preferred_name: one("preferred_name", &self.preferred_name, 100)?,
            date_of_birth: dob.map(|d| d.to_string()),
            phone: phone("phone", &self.phone)?,
            email: validate::email("email", l("email"), &self.email)?,
            address: many("address", &self.address, 500)?,
            emergency_contact_name: one(
                "emergency_contact_name",
                &self.emergency_contact_name,
                200,
            )?,
            emergency_contact_phone: phone(
                "emergency_contact_phone",
                &self.emergency_contact_phone,
            )?,
            physician_name: one("physician_name", &self.physician_name, 200)?,
            physician_contact: many("physician_contact", &self.physician_contact, 500)?,
            occupation: one("occupation", &self.occupation, 200)?,
            posture_notes: many("posture_notes", &self.posture_notes, 4000)?,
            medical_history: many("medical_history", &self.medical_history, 10_000)?,
            medications_preventive: many(
                "medications_preventive",
                &self.medications_preventive,
                4000,
            )?,
            medications_acute: many("medications_acute", &self.medications_acute, 4000)?,
            allergies: many("allergies", &self.allergies, 2000)?,
            contraindications: many("contraindications", &self.contraindications, 4000)?,
            contraindication_flags: self
                .contraindication_flags
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
            preferred_pressure: self.preferred_pressure,
            areas_to_avoid: many("areas_to_avoid", &self.areas_to_avoid, 2000)?,
            positioning: many("positioning", &self.positioning, 2000)?,
            consent_version,
            consent_date: consent_date.map(|d| d.to_string()),
            notes: many("notes", &self.notes, 10_000)?,
        })
    }

    fn search_key(&self) -> String {
        let names = [&self.first_name, &self.last_name, &self.preferred_name];
        let words: Vec<String> = names.iter().map(|n| fold(n)).collect();
        // The compact forms let "maryjane" find "Mary-Jane" and "vanderberg" find "van der Berg".
        let compact: Vec<String> = words.iter().map(|w| w.replace(' ', "")).collect();
        format!(" {} {} ", words.join(" "), compact.join(" "))
    }

    fn names(&self) -> [&str; 3] {
        [&self.first_name, &self.last_name, &self.preferred_name]
    }

    fn sort_key(&self) -> String {
        format!("{} {}", fold(&self.last_name), fold(&self.first_name))
    }

    /// The names of the fields that differ between `self` and `other`.
    fn changed_fields(&self, other: &ClientFields) -> Vec<String> {
        let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
            (serde_json::to_value(self), serde_json::to_value(other))
        else {
            return Vec::new();
        };
        a.iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

impl Client {
    /// The record from its stored row (the contraindication flags are read separately).
    fn from_stored(row: ClientRow, today: NaiveDate) -> Client {
        let fields = ClientFields {
            first_name: row.first_name,
            last_name: row.last_name,
            preferred_name: row.preferred_name,
            date_of_birth: row.date_of_birth,
            phone: row.phone,
            email: row.email,
            address: row.address,
            emergency_contact_name: row.emergency_contact_name,
            emergency_contact_phone: row.emergency_contact_phone,
            physician_name: row.physician_name,
            physician_contact: row.physician_contact,
            occupation: row.occupation,
            posture_notes: row.posture_notes,
            medical_history: row.medical_history,
            medications_preventive: row.medications_preventive,
            medications_acute: row.medications_acute,
            allergies: row.allergies,
            contraindications: row.contraindications,
            contraindication_flags: Vec::new(),
            preferred_pressure: row.preferred_pressure.as_deref().and_then(vocab::from_id),
            areas_to_avoid: row.areas_to_avoid,
            positioning: row.positioning,
            consent_version: row.consent_version,
            consent_date: row.consent_date,
            notes: row.notes,
        };
        let age = fields
            .date_of_birth
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|born| age_on(born, today));
        Client {
            id: row.id,
            fields,
            age,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            archived_at: row.archived_at,
        }
    }
}

impl ClientSummary {
    pub(crate) fn from_stored(r: SummaryRow) -> ClientSummary {
        ClientSummary {
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            preferred_name: r.preferred_name,
            date_of_birth: r.date_of_birth,
            phone: r.phone,
            archived: r.archived,
        }
    }
}

impl ClientFields {
    /// The row these (checked) fields are stored as; `version`, the times and the creator
    /// are the caller's.
    fn stored(
        &self,
        id: &str,
        version: i64,
        created_at: &str,
        now: &str,
        creator: &str,
    ) -> ClientRow {
        let f = self.clone();
        ClientRow {
            id: id.to_owned(),
            search_key: self.search_key(),
            sort_key: self.sort_key(),
            first_name: f.first_name,
            last_name: f.last_name,
            preferred_name: f.preferred_name,
            date_of_birth: f.date_of_birth,
            phone: f.phone,
            email: f.email,
            address: f.address,
            emergency_contact_name: f.emergency_contact_name,
            emergency_contact_phone: f.emergency_contact_phone,
            physician_name: f.physician_name,
            physician_contact: f.physician_contact,
            occupation: f.occupation,
            posture_notes: f.posture_notes,
            medical_history: f.medical_history,
            medications_preventive: f.medications_preventive,
            medications_acute: f.medications_acute,
            allergies: f.allergies,
            contraindications: f.contraindications,
            preferred_pressure: f.preferred_pressure.map(Pressure::id),
            areas_to_avoid: f.areas_to_avoid,
            positioning: f.positioning,
            consent_version: f.consent_version,
            consent_date: f.consent_date,
            notes: f.notes,
            version,
            created_at: created_at.to_owned(),
            updated_at: now.to_owned(),
            archived_at: None,
            created_by: creator.to_owned(),
        }
    }

    fn flag_ids(&self) -> Vec<String> {
        self.contraindication_flags.iter().map(|f| f.id()).collect()
    }
}

/// Whole years between `born` and `today`.
pub fn age_on(born: NaiveDate, today: NaiveDate) -> Option<u32> {
    let mut years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

fn index_client(tx: Conn<'_>, id: &str, created_at: &str, f: &ClientFields) -> Result<()> {
    let body = search_index::client_body(&f.first_name, &f.last_name, &f.preferred_name);
    search_index::index(
        tx,
        &search_index::Doc {
            kind: search_index::HitKind::Client,
            record_id: id,
            open_id: id,
            client_id: id,
            at: created_at,
            body: &body,
        },
    )
}

impl Store {
    pub fn create_client(&mut self, input: &ClientFields) -> Result<Client> {
        self.require_any(&[Permission::Chart, Permission::ReadAllClients])?;
        let fields = input.validated(self.today())?;
        let creator = self.actor().to_owned();
        let id = Uuid::now_v7().to_string();
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            let stored = fields.stored(&id, 1, &now, &now, &creator);
            clients::insert(tx, &stored)?;
            clients::replace_flags(tx, &id, &fields.flag_ids())?;
            index_client(tx, &id, &now, &fields)?;
            crate::search::name_prefixes::index(tx, &id, &fields.names(), &stored.sort_key, false)?;
            let entry = AuditEntry {
                action: "client.create",
                entity: "client",
                entity_id: id.clone(),
                summary: "created the client record".to_owned(),
            };
            Ok(((), entry))
        })?;
        self.get_client(&id)
    }

    pub fn get_client(&self, id: &str) -> Result<Client> {
        let id = validate::record_id(id, "client")?;
        let today = self.today();
        let c = self.sql();
        let Some((row, flags)) = clients::get_with_flags(c, &id)? else {
            // On the clinic server a therapist's login does not even see another therapist's
            // client (row-level security): refuse it as the app refuses it, with the refusal
            // in the audit log, rather than call it missing.
            if c.engine() == crate::db::sql::Engine::Postgres {
                self.require_client(&id)?;
            }
            return Err(Error::not_found("client"));
        };
        let mut client = Client::from_stored(row, today);
        self.require_client(&id)?;
        client.fields.contraindication_flags =
            flags.iter().filter_map(|f| vocab::from_id(f)).collect();
        client.fields.contraindication_flags.sort();
        Ok(client)
    }

    /// Replace a client's fields. `expected_version` is the version the form was loaded
    /// from; if someone saved in between, the update is refused rather than lost.
    pub fn update_client(
        &mut self,
        id: &str,
        expected_version: i64,
        input: &ClientFields,
    ) -> Result<Client> {
        let fields = input.validated(self.today())?;
        let current = self.get_client(id)?;
        if current.archived_at.is_some() {
            return Err(Error::conflict(
                "This client is archived. Restore the record before editing it.",
            ));
        }
        if current.version != expected_version {
            return Err(Error::conflict(
                "This record was changed since you opened it. Reopen the client to see the latest, then make your change again.",
            ));
        }
        let changed = current.fields.changed_fields(&fields);
        if changed.is_empty() {
            return Ok(current);
        }
        let id = current.id;
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            // (An update keeps the creator and the archiving: it does not write them.)
            let stored = fields.stored(&id, expected_version + 1, &current.created_at, &now, "");
            if !clients::update_if_version(tx, &stored, expected_version)? {
                return Err(Error::conflict(
                    "This record was changed since you opened it. Reopen the client to see the latest, then make your change again.",
                ));
            }
            clients::replace_flags(tx, &id, &fields.flag_ids())?;
            index_client(tx, &id, &current.created_at, &fields)?;
            crate::search::name_prefixes::index(
                tx,
                &id,
                &fields.names(),
                &stored.sort_key,
                current.archived_at.is_some(),
            )?;
            let entry = AuditEntry {
                action: "client.update",
                entity: "client",
                entity_id: id.clone(),
                summary: format!(
                    "changed {}",
                    changed
                        .iter()
                        .map(|f| field_label(f).to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            Ok(((), entry))
        })?;
        self.get_client(&id)
    }

    /// Archive a client: hidden from the list unless asked for, kept in full.
    pub fn archive_client(&mut self, id: &str) -> Result<Client> {
        self.set_archived(id, true)
    }

    /// Bring an archived client back to the list.
    pub fn restore_client(&mut self, id: &str) -> Result<Client> {
        self.set_archived(id, false)
    }

    fn set_archived(&mut self, id: &str, archive: bool) -> Result<Client> {
        let current = self.get_client(id)?;
        if current.archived_at.is_some() == archive {
            return Err(Error::conflict(if archive {
                "This client is already archived."
            } else {
                "This client is not archived."
            }));
        }
        let id = current.id;
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            clients::set_archived(tx, &id, archive.then_some(now.as_str()), &now)?;
            crate::search::name_prefixes::set_archived(tx, &id, archive)?;
            let entry = AuditEntry {
                action: if archive {
                    "client.archive"
                } else {
                    "client.restore"
                },
                entity: "client",
                entity_id: id.clone(),
                summary: if archive {
                    "archived the client record"
                } else {
                    "restored the client record"
                }
                .to_owned(),
            };
            Ok(((), entry))
        })?;
        self.get_client(&id)
    }

    /// Clients in name order, optionally narrowed by a search: each word typed must start a
    /// word of the client's names (see [`crate::search::name_prefixes`]).
    pub fn list_clients(&self, query: &ClientQuery) -> Result<ClientPage> {
        if query.search.chars().count() > MAX_SEARCH_CHARS {
            return Err(Error::field(
                "search",
                format!("Search is too long; use at most {MAX_SEARCH_CHARS} characters."),
            ));
        }
        let terms = query_terms(&query.search);
        if terms.len() > MAX_SEARCH_TERMS {
            return Err(Error::field(
                "search",
                format!("Search for at most {MAX_SEARCH_TERMS} words at once."),
            ));
        }
        let limit = match query.limit {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        };
        let c = self.sql();
        let mine = self.visible_clients_sql("c");
        let (total, items) = if terms.is_empty() {
            let mut filter = String::from(if query.include_archived {
                "1 = 1"
            } else {
                "c.archived_at IS NULL"
            });
            if let Some(mine) = &mine {
                filter.push_str(&format!(" AND {mine}"));
            }
            let total: u32 = c.value(
                &format!("SELECT count(*) FROM clients c WHERE {filter}"),
                crate::args![],
            )?;
            let items = c.all(
                &format!(
                    "SELECT {} FROM clients c WHERE {filter}
                     ORDER BY c.archived_at IS NOT NULL, c.sort_key, c.id
                     LIMIT {limit} OFFSET {offset}",
                    clients::SUMMARY_COLUMNS,
                    offset = query.offset
                ),
                crate::args![],
                |r| SummaryRow::from_row(r).map(ClientSummary::from_stored),
            )?;
            (total, items)
        } else {
            // By the start of any word of the names: one key of the prefix index, whose
            // entries are in list order; only the page reads client rows.
            let (mut filter, terms) =
                crate::search::name_prefixes::filter(&terms, query.include_archived);
            let args = crate::search::name_prefixes::filter_args(&terms);
            if let Some(mine) = &mine {
                filter.push_str(&format!(
                    " AND p.client_id IN (SELECT c.id FROM clients c WHERE {mine})"
                ));
            }
            let total: u32 = c.value(
                &format!("SELECT count(*) FROM client_name_prefixes p WHERE {filter}"),
                &args,
            )?;
            let items = c.all(
                &format!(
                    "SELECT {}
                     FROM (SELECT p.client_id AS id, p.archived AS archived, p.sort_key AS sort_key
                           FROM client_name_prefixes p WHERE {filter}
                           ORDER BY p.archived, p.sort_key, p.client_id
                           LIMIT {limit} OFFSET {offset}) m
                     JOIN clients c ON c.id = m.id
                     ORDER BY m.archived, m.sort_key, m.id",
                    clients::SUMMARY_COLUMNS,
                    offset = query.offset
                ),
                &args,
                |r| SummaryRow::from_row(r).map(ClientSummary::from_stored),
            )?;
            (total, items)
        };
        Ok(ClientPage { items, total })
    }

    /// The audit trail of one client record, oldest first.
    pub fn client_audit(&self, id: &str) -> Result<Vec<AuditRecord>> {
        let id = validate::record_id(id, "client")?;
        self.require_client(&id)?;
        audit::list_for(self.sql(), "client", &id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age_on(d("1980-11-24"), d("2026-11-23")), Some(45));
        assert_eq!(age_on(d("1980-11-23"), d("2026-11-23")), Some(46));
        assert_eq!(age_on(d("2000-02-29"), d("2026-02-28")), Some(25));
    }

    #[test]
    fn changed_fields_names_only_the_differences() {
        let a = ClientFields {
            first_name: "A".into(),
            ..Default::default()
        };
        let mut b = a.clone();
        b.phone = "+44 20 7946 0958".into();
        b.preferred_pressure = Some(Pressure::Light);
        assert_eq!(a.changed_fields(&b), vec!["phone", "preferred_pressure"]);
    }

    #[test]
    fn search_key_has_words_and_compact_forms() {
        let f = ClientFields {
            first_name: "Mary-Jane".into(),
            last_name: "O'Brien".into(),
            ..Default::default()
        };
        let key = f.search_key();
        assert!(key.contains("mary jane"));
        assert!(key.contains("maryjane"));
        assert!(key.contains("obrien"));
    }
}
