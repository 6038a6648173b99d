//! Session notes (SOAP): drafts saved as the therapist types, the techniques chosen with
//! their regions and reasons, body-chart marks, signing (which locks the note, enforced by
//! database triggers too), and amendments shown beside the unchanged original.
//!
//! The note's statements are in [`crate::db::tables::sessions`] (the catalogue's in
//! [`crate::db::tables::techniques`]); the rules, and what to write, are here. The notes list
//! the history screen reads (`Store::session_rows`) is a read model across tables and stays
//! here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::sql::Conn;
use crate::db::tables::{corrections as correction_rows, home_care, sessions, techniques};
use crate::db::timestamp;
use crate::domain::corrections::{self, CorrectedField, ValueCorrection};
use crate::domain::home_care::{SessionHomeCare, SessionHomeCareInput};
use crate::domain::validate::{self, Lines};
use crate::domain::vocab::{self, MarkKind, Pressure, Region};
use crate::error::{Error, Result};
use crate::search::index as search_index;
use crate::security::users::Permission;

/// One technique as chosen in the note form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct SessionTechniqueInput {
    pub technique_id: String,
    pub regions: Vec<Region>,
    pub pressure: Option<Pressure>,
    pub minutes: Option<f64>,
    /// Why it was chosen for this client today.
    pub reason: String,
}

/// A body-chart mark: a region and what was found or done there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct BodyMark {
    pub region: Region,
    pub kind: MarkKind,
}

/// The recorded values an amendment corrects; an empty one is not corrected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct SessionCorrectionInput {
    pub pain_before: Option<f64>,
    pub pain_after: Option<f64>,
    pub duration_minutes: Option<f64>,
}

/// The content of a note, as the form sends it on every autosave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct SessionInput {
    /// When the session started, RFC 3339 (the UI sends UTC).
    pub started_at: String,
    pub duration_minutes: Option<f64>,
    /// S: the client's own words.
    pub subjective: String,
    /// S: headaches since the last visit.
    pub headache_since_last: String,
    /// O: palpation findings, trigger points, posture, range of motion.
    pub objective: String,
    /// A: response to treatment, progress against goals.
    pub assessment: String,
    /// P: frequency, home care, focus for next time.
    pub plan: String,
    pub pain_before: Option<f64>,
    pub pain_after: Option<f64>,
    pub headache_at_start: bool,
    pub techniques: Vec<SessionTechniqueInput>,
    pub marks: Vec<BodyMark>,
    /// P: the home care the client takes home, each with a personal line.
    pub home_care: Vec<SessionHomeCareInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SessionStatus {
    Draft,
    Signed,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SessionTechnique {
    pub technique_id: String,
    pub technique_name: String,
    pub regions: Vec<Region>,
    pub pressure: Option<Pressure>,
    pub minutes: Option<u16>,
    pub reason: String,
    /// Warnings from the client's contraindications against this technique.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Amendment {
    pub id: String,
    pub author: String,
    /// The author as people know them: "Robin Lee, RMT".
    pub author_name: String,
    pub created_at: String,
    pub reason: String,
    pub body: String,
    /// The recorded values it corrected.
    pub corrections: Vec<ValueCorrection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Session {
    pub id: String,
    pub client_id: String,
    pub therapist: String,
    pub status: SessionStatus,
    pub started_at: String,
    pub duration_minutes: Option<u16>,
    pub subjective: String,
    pub headache_since_last: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
    pub headache_at_start: bool,
    pub techniques: Vec<SessionTechnique>,
    pub marks: Vec<BodyMark>,
    /// The session's one picture: its marks, and every region a technique treated that has
    /// no mark of its own, as treated. In the order of the region ids.
    pub chart: Vec<BodyMark>,
    /// The home care given (the handout's items), in the order chosen.
    pub home_care: Vec<SessionHomeCare>,
    pub signed_by: Option<String>,
    /// Who signed, as people know them: "Robin Lee, RMT".
    pub signed_by_name: Option<String>,
    pub signed_at: Option<String>,
    /// Added after signing, oldest first; the note above them is unchanged.
    pub amendments: Vec<Amendment>,
    /// The values in force where an amendment corrected them: the newest correction of each
    /// corrected field (`pain_before`, `pain_after`, `duration_minutes` above stay as signed).
    /// The outcomes use these.
    pub corrected: Vec<ValueCorrection>,
    #[ts(type = "number")]
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One line of a client's session list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SessionSummary {
    pub id: String,
    pub started_at: String,
    pub status: SessionStatus,
    pub therapist: String,
    /// Pain before and after as in force: an amendment's correction, else as signed.
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
    /// Whether an amendment corrected a recorded value of the note.
    pub corrected: bool,
    pub technique_names: Vec<String>,
    pub amendment_count: u32,
}

/// One note as the timeline and the outcomes both need it (the history screen reads the
/// notes once for both).
pub(crate) struct SessionRow {
    pub summary: SessionSummary,
    pub plan: String,
    pub signed_by: Option<String>,
}

const MAX_TECHNIQUES: usize = 20;
const SOAP_MAX: usize = 20_000;

/// Between the technique names of one note in [`Store::session_rows`] (the unit separator,
/// which no name contains).
const NAME_SEPARATOR: &str = "\u{1f}";

fn pain(field: &str, label: &str, v: Option<f64>) -> Result<Option<u8>> {
    Ok(validate::whole_number(field, label, v, 0, 10)?.map(|p| p as u8))
}

/// The checked content of a note.
struct ValidSession {
    started_at: String,
    duration_minutes: Option<u16>,
    subjective: String,
    headache_since_last: String,
    objective: String,
    assessment: String,
    plan: String,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
    headache_at_start: bool,
    techniques: Vec<ValidTechnique>,
    marks: Vec<BodyMark>,
    /// (item id, personal line), in order.
    home_care: Vec<(String, String)>,
}

struct ValidTechnique {
    technique_id: String,
    regions: Vec<Region>,
    pressure: Option<Pressure>,
    minutes: Option<u16>,
    reason: String,
}

impl SessionInput {
    /// Check what a draft may hold: shapes and ranges, not completeness (see `sign`).
    fn validated(&self, now: DateTime<Utc>) -> Result<ValidSession> {
        let started = DateTime::parse_from_rfc3339(self.started_at.trim())
            .map_err(|_| {
                Error::field("started_at", "Enter the date and time the session started.")
            })?
            .with_timezone(&Utc);
        if started > now + Duration::hours(24) {
            return Err(Error::field(
                "started_at",
                "The session cannot start more than a day from now.",
            ));
        }
        if started < now - Duration::days(366 * 10) {
            return Err(Error::field(
                "started_at",
                "The session cannot be more than ten years ago.",
            ));
        }
        let soap = |field: &str, label: &str, v: &str| {
            validate::text(field, label, v, SOAP_MAX, Lines::Many)
        };
        if self.techniques.len() > MAX_TECHNIQUES {
            return Err(Error::field(
                "techniques",
                format!("A note can list at most {MAX_TECHNIQUES} techniques."),
            ));
        }
        let mut techniques = Vec::with_capacity(self.techniques.len());
        for (i, t) in self.techniques.iter().enumerate() {
            let id = Uuid::parse_str(t.technique_id.trim())
                .map(|u| u.hyphenated().to_string())
                .map_err(|_| {
                    Error::field(
                        &format!("techniques.{i}.technique_id"),
                        "Choose a technique from the list.",
                    )
                })?;
            let minutes = validate::whole_number(
                &format!("techniques.{i}.minutes"),
                "Minutes",
                t.minutes,
                1,
                480,
            )?;
            let reason = validate::text(
                &format!("techniques.{i}.reason"),
                "Reason",
                &t.reason,
                2000,
                Lines::Many,
            )?;
            let regions: Vec<Region> = t
                .regions
                .iter()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            techniques.push(ValidTechnique {
                technique_id: id,
                regions,
                pressure: t.pressure,
                minutes,
                reason,
            });
        }
        // One mark per region: the last one sent wins (a click cycles the kind).
        let marks: BTreeMap<Region, MarkKind> =
            self.marks.iter().map(|m| (m.region, m.kind)).collect();
        let home_care = crate::domain::home_care::validated_for_note(&self.home_care)?;
        Ok(ValidSession {
            started_at: timestamp(started),
            duration_minutes: validate::whole_number(
                "duration_minutes",
                "Duration",
                self.duration_minutes,
                1,
                480,
            )?,
            subjective: soap("subjective", "Subjective", &self.subjective)?,
            headache_since_last: soap(
                "headache_since_last",
                "Headaches since last visit",
                &self.headache_since_last,
            )?,
            objective: soap("objective", "Objective", &self.objective)?,
            assessment: soap("assessment", "Assessment", &self.assessment)?,
            plan: soap("plan", "Plan", &self.plan)?,
            pain_before: pain("pain_before", "Pain before", self.pain_before)?,
            pain_after: pain("pain_after", "Pain after", self.pain_after)?,
            headache_at_start: self.headache_at_start,
            techniques,
            marks: marks
                .into_iter()
                .map(|(region, kind)| BodyMark { region, kind })
                .collect(),
            home_care,
        })
    }
}

fn status_from(status: &str) -> SessionStatus {
    if status == "signed" {
        SessionStatus::Signed
    } else {
        SessionStatus::Draft
    }
}

/// A stored whole number as the narrower type the note shows it in (the columns' checks
/// keep them in range; a value out of range is an internal error, as reading it was).
fn narrow<T: TryFrom<i64>>(column: &str, v: Option<i64>) -> Result<Option<T>> {
    v.map(|i| T::try_from(i).map_err(|_| Error::internal(format!("{column}: {i} is out of range"))))
        .transpose()
}

impl Session {
    /// The note from its stored row (its techniques, marks and amendments are read
    /// separately).
    fn from_stored(r: sessions::SessionRow) -> Result<Session> {
        Ok(Session {
            status: status_from(&r.status),
            duration_minutes: narrow("duration_minutes", r.duration_minutes)?,
            pain_before: narrow("pain_before", r.pain_before)?,
            pain_after: narrow("pain_after", r.pain_after)?,
            id: r.id,
            client_id: r.client_id,
            therapist: r.therapist,
            started_at: r.started_at,
            subjective: r.subjective,
            headache_since_last: r.headache_since_last,
            objective: r.objective,
            assessment: r.assessment,
            plan: r.plan,
            headache_at_start: r.headache_at_start,
            signed_by_name: r.signed_by.clone(),
            signed_by: r.signed_by,
            signed_at: r.signed_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            techniques: Vec::new(),
            marks: Vec::new(),
            chart: Vec::new(),
            home_care: Vec::new(),
            amendments: Vec::new(),
            corrected: Vec::new(),
        })
    }

    /// Fill [`Session::chart`] from the marks and the techniques' regions.
    fn fill_chart(&mut self) {
        let mut chart: BTreeMap<String, BodyMark> = self
            .techniques
            .iter()
            .flat_map(|t| t.regions.iter())
            .map(|&region| {
                (
                    region.id(),
                    BodyMark {
                        region,
                        kind: MarkKind::Treated,
                    },
                )
            })
            .collect();
        // A region's own mark says more than "treated".
        for m in &self.marks {
            chart.insert(m.region.id(), *m);
        }
        self.chart = chart.into_values().collect();
    }
}

impl SessionTechnique {
    /// A technique of a note from its stored row (the warnings are the caller's).
    fn from_stored(r: sessions::NamedTechniqueRow) -> Result<SessionTechnique> {
        let t = r.technique;
        Ok(SessionTechnique {
            technique_name: r.technique_name,
            regions: serde_json::from_str(&t.regions).unwrap_or_default(),
            pressure: t.pressure.as_deref().and_then(vocab::from_id),
            minutes: narrow("minutes", t.minutes)?,
            technique_id: t.technique_id,
            reason: t.reason,
            warnings: Vec::new(),
        })
    }
}

impl Amendment {
    fn from_stored(r: sessions::AmendmentRow) -> Amendment {
        Amendment {
            id: r.id,
            author_name: r.author.clone(),
            author: r.author,
            created_at: r.created_at,
            reason: r.reason,
            body: r.body,
            corrections: Vec::new(),
        }
    }
}

impl ValidSession {
    /// What saving this draft writes of the note itself.
    fn stored(&self) -> sessions::DraftContent {
        sessions::DraftContent {
            started_at: self.started_at.clone(),
            duration_minutes: self.duration_minutes.map(i64::from),
            subjective: self.subjective.clone(),
            headache_since_last: self.headache_since_last.clone(),
            objective: self.objective.clone(),
            assessment: self.assessment.clone(),
            plan: self.plan.clone(),
            pain_before: self.pain_before.map(i64::from),
            pain_after: self.pain_after.map(i64::from),
            headache_at_start: self.headache_at_start,
        }
    }

    fn stored_marks(&self) -> Vec<sessions::MarkRow> {
        self.marks
            .iter()
            .map(|m| sessions::MarkRow {
                region: m.region.id(),
                kind: m.kind.id(),
            })
            .collect()
    }
}

impl ValidTechnique {
    fn stored(&self) -> Result<sessions::TechniqueRow> {
        let regions = serde_json::to_string(&self.regions)
            .map_err(|e| Error::internal(format!("could not encode regions: {e}")))?;
        Ok(sessions::TechniqueRow {
            technique_id: self.technique_id.clone(),
            regions,
            pressure: self.pressure.map(Pressure::id),
            minutes: self.minutes.map(i64::from),
            reason: self.reason.clone(),
        })
    }
}

/// Write a draft's content, techniques and marks; the note as it now reads (what
/// [`Store::get_session`] would return): its stored row, its techniques with their catalogue
/// names and warnings for this client, and its marks. A draft has no amendments (they are
/// added to signed notes only). Every technique is checked against the catalogue first.
fn write_content(
    tx: Conn<'_>,
    id: &str,
    client_id: &str,
    v: &ValidSession,
    now: &str,
) -> Result<Session> {
    let row = sessions::rewrite_draft(tx, id, &v.stored(), now)?.ok_or_else(signed_error)?;
    let mut note = Session::from_stored(row)?;
    let ids: Vec<&str> = v
        .techniques
        .iter()
        .map(|t| t.technique_id.as_str())
        .collect();
    let catalogue = techniques::named_for_client(tx, client_id, &ids)?;
    let mut stored = Vec::with_capacity(v.techniques.len());
    for (pos, t) in v.techniques.iter().enumerate() {
        let Some(entry) = catalogue.iter().find(|c| c.id == t.technique_id) else {
            return Err(Error::field(
                &format!("techniques.{pos}.technique_id"),
                "That technique is not in the catalogue; choose one from the list.",
            ));
        };
        stored.push(t.stored()?);
        note.techniques.push(SessionTechnique {
            technique_id: t.technique_id.clone(),
            technique_name: entry.name.clone(),
            regions: t.regions.clone(),
            pressure: t.pressure,
            minutes: t.minutes,
            reason: t.reason.clone(),
            // Only the flags the vocabulary knows, as the client reads them.
            warnings: entry
                .warnings
                .iter()
                .filter(|w| vocab::from_id::<vocab::Contraindication>(&w.flag).is_some())
                .map(|w| w.message.clone())
                .collect(),
        });
    }
    // At most MAX_TECHNIQUES positions.
    sessions::insert_techniques(tx, id, &stored)?;
    sessions::insert_marks(tx, id, &v.stored_marks())?;
    // As the marks read back: in the order of their region ids.
    note.marks = v.marks.clone();
    note.marks.sort_by_key(|m| m.region.id());
    note.fill_chart();
    // The home care: every item must be in the library (a retired one may stay on a draft
    // that had it; the picker offers only current ones).
    let ids: Vec<&str> = v.home_care.iter().map(|(item, _)| item.as_str()).collect();
    let library = home_care::named(tx, &ids)?;
    for (pos, (item, line)) in v.home_care.iter().enumerate() {
        let Some(entry) = library.iter().find(|e| e.item_id == *item) else {
            return Err(Error::field(
                &format!("home_care.{pos}.item_id"),
                "That home-care item is not in the library; choose one from the list.",
            ));
        };
        note.home_care.push(SessionHomeCare {
            item_id: item.clone(),
            title: entry.title.clone(),
            instructions: entry.instructions.clone(),
            personal_line: line.clone(),
        });
    }
    home_care::insert_for_session(tx, id, &v.home_care)?;
    Ok(note)
}

fn signed_error() -> Error {
    Error::conflict(
        "This note is signed and locked. To change it, add an amendment with the reason.",
    )
}

impl Store {
    /// Start a new draft note for a client, dated now.
    pub fn start_session(&mut self, client_id: &str) -> Result<Session> {
        self.require(Permission::Chart)?;
        let client = self.get_client(client_id)?;
        if client.archived_at.is_some() {
            return Err(Error::conflict(
                "This client is archived. Restore the record before charting a session.",
            ));
        }
        let id = Uuid::now_v7().to_string();
        self.write_sql(|tx, ctx| {
            sessions::insert_draft(tx, &id, &client.id, ctx.actor, &ctx.now_text())?;
            Ok((
                (),
                AuditEntry {
                    action: "session.create",
                    entity: "session",
                    entity_id: id.clone(),
                    summary: format!("started a session note for client {}", client.id),
                },
            ))
        })?;
        self.get_session(&id)
    }

    /// Save what the therapist has typed so far. Called often (debounced) by the form.
    pub fn save_session_draft(&mut self, id: &str, input: &SessionInput) -> Result<Session> {
        // Only what the checks need: the whole note is read once, after the write (a draft
        // is saved on every pause in typing).
        let id = validate::record_id(id, "session")?;
        let sessions::StatusRow {
            status,
            therapist,
            client_id,
        } = sessions::status(self.sql(), &id)?.ok_or_else(|| Error::not_found("session note"))?;
        // A note's own therapist always sees its client (a client is visible to whoever has
        // charted for them): only someone else's note needs the client looked up.
        if therapist != self.actor() {
            self.require_client(&client_id)?;
        }
        self.require_own_note(&therapist)?;
        if status != "draft" {
            return Err(signed_error());
        }
        let v = input.validated(self.now())?;
        // The note as saved is known from the write itself (the updated row comes back with
        // it): it is not read again afterwards (on a clinic server, five round trips fewer).
        self.write_sql(|tx, ctx| {
            let note = write_content(tx, &id, &client_id, &v, &ctx.now_text())?;
            let body = [
                &v.subjective,
                &v.headache_since_last,
                &v.objective,
                &v.assessment,
                &v.plan,
            ]
            .map(String::as_str)
            .join("\n");
            search_index::index(
                tx,
                &search_index::Doc {
                    kind: search_index::HitKind::Session,
                    record_id: &id,
                    open_id: &id,
                    client_id: &client_id,
                    at: &v.started_at,
                    body: &body,
                },
            )?;
            Ok((
                note,
                AuditEntry {
                    action: "session.save_draft",
                    entity: "session",
                    entity_id: id.clone(),
                    summary: "saved the draft".to_owned(),
                },
            ))
        })
    }

    /// Sign a complete note. After this it is locked; changes are amendments.
    pub fn sign_session(&mut self, id: &str) -> Result<Session> {
        let s = self.get_session(id)?;
        self.require_own_note(&s.therapist)?;
        if s.status == SessionStatus::Signed {
            return Err(signed_error());
        }
        if s.duration_minutes.is_none() {
            return Err(Error::field(
                "duration_minutes",
                "Enter how long the session lasted before signing.",
            ));
        }
        if s.pain_before.is_none() {
            return Err(Error::field(
                "pain_before",
                "Record pain before treatment (0-10) before signing.",
            ));
        }
        if s.pain_after.is_none() {
            return Err(Error::field(
                "pain_after",
                "Record pain after treatment (0-10) before signing.",
            ));
        }
        if [&s.subjective, &s.objective, &s.assessment, &s.plan]
            .iter()
            .all(|t| t.is_empty())
        {
            return Err(Error::field(
                "subjective",
                "Write at least one part of the SOAP note before signing.",
            ));
        }
        if s.techniques.is_empty() {
            return Err(Error::field(
                "techniques",
                "Record at least one technique before signing.",
            ));
        }
        let id = s.id;
        let client_id = s.client_id;
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            let share_before = crate::reports::technique_totals::share(tx, &client_id)?;
            if !sessions::sign_if_draft(tx, &id, ctx.actor, &now)? {
                return Err(signed_error());
            }
            crate::reports::technique_totals::apply(
                tx,
                &share_before,
                &crate::reports::technique_totals::share(tx, &client_id)?,
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "session.sign",
                    entity: "session",
                    entity_id: id.clone(),
                    summary: "signed and locked the note".to_owned(),
                },
            ))
        })?;
        self.get_session(&id)
    }

    /// Add an amendment to a signed note: dated, authored, with a reason. The original stays.
    pub fn amend_session(&mut self, id: &str, reason: &str, body: &str) -> Result<Session> {
        self.amend_session_correcting(id, reason, body, &SessionCorrectionInput::default())
    }

    /// An amendment as [`Store::amend_session`] adds, which may also correct recorded values (pain before, pain after, duration): each is kept as a
    /// correction beside the signed value, and the outcomes and running totals use it.
    pub fn amend_session_correcting(
        &mut self,
        id: &str,
        reason: &str,
        body: &str,
        fix: &SessionCorrectionInput,
    ) -> Result<Session> {
        let s = self.get_session(id)?;
        if s.therapist != self.actor() {
            self.require(Permission::AmendAnyNote)?;
        }
        if s.status != SessionStatus::Signed {
            return Err(Error::conflict(
                "This note is still a draft: edit it directly. Amendments are for signed notes.",
            ));
        }
        let reason = validate::text("reason", "Reason", reason, 1000, Lines::Many)?;
        if reason.is_empty() {
            return Err(Error::field("reason", "Say why the note is being amended."));
        }
        let body = validate::text("body", "Amendment", body, SOAP_MAX, Lines::Many)?;
        let mut changes: Vec<(CorrectedField, Option<i64>, i64)> = Vec::new();
        for (field, value, signed) in [
            (
                CorrectedField::PainBefore,
                fix.pain_before,
                s.pain_before.map(i64::from),
            ),
            (
                CorrectedField::PainAfter,
                fix.pain_after,
                s.pain_after.map(i64::from),
            ),
            (
                CorrectedField::DurationMinutes,
                fix.duration_minutes,
                s.duration_minutes.map(i64::from),
            ),
        ] {
            let now = corrections::current(&s.corrected, field, signed);
            let path = format!("corrections.{}", field.column());
            if let Some(v) = corrections::check_value(&path, field, value, now)? {
                changes.push((field, now, v));
            }
        }
        if body.is_empty() && changes.is_empty() {
            return Err(Error::field(
                "body",
                "Write the amendment, or correct a recorded value below.",
            ));
        }
        let id = s.id;
        let client_id = s.client_id;
        let amendment_id = Uuid::now_v7().to_string();
        let moves_totals = changes
            .iter()
            .any(|(f, _, _)| *f != CorrectedField::DurationMinutes);
        let mut summary = format!("amended the signed note: {reason}");
        for (field, was, now) in &changes {
            summary.push_str("; ");
            summary.push_str(&corrections::correction_text(*field, *was, *now));
        }
        self.write_sql(|tx, ctx| {
            let share_before = if moves_totals {
                Some(crate::reports::technique_totals::share(tx, &client_id)?)
            } else {
                None
            };
            sessions::insert_amendment(
                tx,
                &id,
                &sessions::AmendmentRow {
                    id: amendment_id.clone(),
                    author: ctx.actor.to_owned(),
                    created_at: ctx.now_text(),
                    reason: reason.clone(),
                    body: body.clone(),
                },
            )?;
            for (field, was, now) in &changes {
                correction_rows::insert(
                    tx,
                    &correction_rows::CorrectionRow {
                        id: Uuid::now_v7().to_string(),
                        client_id: client_id.clone(),
                        record_kind: "session".to_owned(),
                        record_id: id.clone(),
                        field: field.column().to_owned(),
                        original: *was,
                        corrected: *now,
                        reason: reason.clone(),
                        amendment_id: Some(amendment_id.clone()),
                        author: ctx.actor.to_owned(),
                        created_at: ctx.now_text(),
                    },
                )?;
            }
            if let Some(before) = share_before {
                crate::reports::technique_totals::apply(
                    tx,
                    &before,
                    &crate::reports::technique_totals::share(tx, &client_id)?,
                )?;
            }
            search_index::index(
                tx,
                &search_index::Doc {
                    kind: search_index::HitKind::Amendment,
                    record_id: &amendment_id,
                    open_id: &id,
                    client_id: &client_id,
                    at: &ctx.now_text(),
                    body: &format!("{reason}\n{body}"),
                },
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "session.amend",
                    entity: "session",
                    entity_id: id.clone(),
                    summary,
                },
            ))
        })?;
        self.get_session(&id)
    }

    pub fn get_session(&self, id: &str) -> Result<Session> {
        let id = validate::record_id(id, "session")?;
        let c = self.sql();
        let row = sessions::get(c, &id)?.ok_or_else(|| Error::not_found("session note"))?;
        let mut s = Session::from_stored(row)?;
        let client = self.get_client(&s.client_id)?;
        let flags: Vec<String> = client
            .fields
            .contraindication_flags
            .iter()
            .map(|f| f.id())
            .collect();
        s.techniques = sessions::techniques(c, &id)?
            .into_iter()
            .map(SessionTechnique::from_stored)
            .collect::<Result<_>>()?;
        // Every technique's warnings in one statement, not one per technique (on a clinic
        // server each statement is a round trip).
        let warnings = if s.techniques.is_empty() {
            Vec::new()
        } else {
            techniques::warnings_for_session(c, &id)?
        };
        for t in &mut s.techniques {
            t.warnings = warnings
                .iter()
                .filter(|(technique, w)| *technique == t.technique_id && flags.contains(&w.flag))
                .map(|(_, w)| w.message.clone())
                .collect();
        }
        s.marks = sessions::marks(c, &id)?
            .into_iter()
            .filter_map(|m| {
                Some(BodyMark {
                    region: vocab::from_id(&m.region)?,
                    kind: vocab::from_id(&m.kind)?,
                })
            })
            .collect();
        s.fill_chart();
        s.home_care = home_care::for_session(c, &id)?
            .into_iter()
            .map(|r| SessionHomeCare {
                item_id: r.item_id,
                title: r.title,
                instructions: r.instructions,
                personal_line: r.personal_line,
            })
            .collect();
        s.amendments = sessions::amendments(c, &id)?
            .into_iter()
            .map(Amendment::from_stored)
            .collect();
        // People by name (with credentials), not by login.
        let names = self.person_names()?;
        let name_of = |u: &str| names.get(u).cloned().unwrap_or_else(|| u.to_owned());
        s.signed_by_name = s.signed_by.as_deref().map(name_of);
        for a in &mut s.amendments {
            a.author_name = name_of(&a.author);
        }
        if !s.amendments.is_empty() {
            let all: Vec<ValueCorrection> = correction_rows::for_record(c, &id)?
                .into_iter()
                .filter_map(|r| ValueCorrection::from_stored(r, &name_of))
                .collect();
            for a in &mut s.amendments {
                a.corrections = all
                    .iter()
                    .filter(|x| x.amendment_id.as_deref() == Some(a.id.as_str()))
                    .cloned()
                    .collect();
            }
            for field in CorrectedField::ALL {
                if let Some(latest) = all.iter().rev().find(|x| x.field == field) {
                    s.corrected.push(latest.clone());
                }
            }
        }
        Ok(s)
    }

    /// A client's session notes, newest first.
    pub fn list_sessions(&self, client_id: &str) -> Result<Vec<SessionSummary>> {
        let client_id = validate::record_id(client_id, "client")?;
        self.require_client(&client_id)?;
        Ok(self
            .session_rows(&client_id, true)?
            .into_iter()
            .map(|r| r.summary)
            .collect())
    }

    /// A client's notes with what the timeline and the outcomes need, in one query, newest
    /// first; technique names in the order recorded. Each note's amendments are counted only
    /// when `amendment_counts` is set (the session list shows them; the timeline reads the
    /// amendments themselves, and the outcomes need none): otherwise `amendment_count` is 0.
    /// Counting is one more index lookup per note (on the clinic server, about a sixth of
    /// this query's time for a client with a dozen notes).
    pub(crate) fn session_rows(
        &self,
        client_id: &str,
        amendment_counts: bool,
    ) -> Result<Vec<SessionRow>> {
        let count = if amendment_counts {
            "(SELECT count(*) FROM amendments a WHERE a.session_id = s.id)"
        } else {
            "0"
        };
        let c = self.sql();
        // Technique names joined with the unit separator (char 31), in the order recorded
        // (NULL when there are none). SQLite: string_agg with ORDER BY (from 3.44).
        // PostgreSQL: an ordered aggregate sorts each note's names, a sort per note; ARRAY()
        // over the names read from the primary key (session, position), already in order,
        // sorts nothing (about a tenth of this query's time for a client with a dozen notes).
        let names = c.pick(
            "(SELECT string_agg(t.name, CAST(?2 AS TEXT) ORDER BY st.position)
               FROM session_techniques st JOIN techniques t ON t.id = st.technique_id
              WHERE st.session_id = s.id)",
            "NULLIF(array_to_string(ARRAY(
                SELECT t.name FROM session_techniques st JOIN techniques t ON t.id = st.technique_id
                 WHERE st.session_id = s.id ORDER BY st.position), CAST(?2 AS TEXT)), '')",
        );
        // Pain as in force: an amendment's correction, else as signed (an index lookup
        // each; a draft has none).
        let before = correction_rows::latest("s.id", "s.pain_before", "pain_before");
        let after = correction_rows::latest("s.id", "s.pain_after", "pain_after");
        let corrected = correction_rows::any_for("s.id");
        c.all(
            &format!(
                "SELECT s.id, s.started_at, s.status, s.therapist, {before}, {after},
                    s.plan, s.signed_by, {names}, {count}, {corrected}
                 FROM sessions s WHERE s.client_id = ?1
                 ORDER BY s.started_at DESC, s.id DESC"
            ),
            crate::args![client_id, NAME_SEPARATOR],
            |r| {
                let status: String = r.get(2)?;
                let names: Option<String> = r.get(8)?;
                Ok(SessionRow {
                    summary: SessionSummary {
                        id: r.get(0)?,
                        started_at: r.get(1)?,
                        status: status_from(&status),
                        therapist: r.get(3)?,
                        pain_before: r.get(4)?,
                        pain_after: r.get(5)?,
                        corrected: r.get(10)?,
                        technique_names: names
                            .map(|n| n.split(NAME_SEPARATOR).map(str::to_owned).collect())
                            .unwrap_or_default(),
                        amendment_count: r.get(9)?,
                    },
                    plan: r.get(6)?,
                    signed_by: r.get(7)?,
                })
            },
        )
    }
}
