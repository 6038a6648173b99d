//! Symptom intake, repeated over time: the first is the baseline, later ones re-assessments.
//! Red flags and medication-overuse notices are computed here, never in the UI.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::intakes::{self, AckRow, IntakeRow, ReadRow};
use crate::domain::diary_facts::{Source, diary_overuse};
use crate::domain::validate::{self, DateRule, Lines};
use crate::domain::vocab::{
    AcuteMedKind, HeadacheType, PainLocation, RedFlag, Side, Symptom, Trigger,
};
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// Where it hurts, and on which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PainSite {
    pub location: PainLocation,
    pub side: Side,
}

/// What the intake form sends. Numbers arrive as JSON numbers (or null when left blank)
/// and are checked here, so a decimal or out-of-range value gets a field error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct IntakeInput {
    /// The day of the assessment, `YYYY-MM-DD`.
    pub assessed_on: String,
    pub headache_type: Option<HeadacheType>,
    pub physician_diagnosed: bool,
    /// Days with any headache in the last 30 days (0-30). Required.
    pub headache_days: Option<f64>,
    /// Days with migraine in the last 30 days; not more than `headache_days`.
    pub migraine_days: Option<f64>,
    /// Usual intensity, 0-10 NRS. Required.
    pub usual_intensity: Option<f64>,
    pub worst_intensity: Option<f64>,
    /// Usual attack duration in hours (more than 0, up to 168).
    pub usual_duration_hours: Option<f64>,
    /// Days in the last 30 with acute (during-attack) medication.
    pub acute_med_days: Option<f64>,
    pub acute_med_kinds: Vec<AcuteMedKind>,
    pub triggers: Vec<Trigger>,
    pub trigger_notes: String,
    pub pain_sites: Vec<PainSite>,
    pub symptoms: Vec<Symptom>,
    /// 0 (very poor) to 10 (excellent).
    pub sleep_quality: Option<f64>,
    pub sleep_hours: Option<f64>,
    /// 0 (none) to 10 (extreme).
    pub stress: Option<f64>,
    pub red_flags: Vec<RedFlag>,
    pub goals: String,
    pub notes: String,
}

/// A stored intake, with what the core concluded from it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Intake {
    pub id: String,
    pub client_id: String,
    /// True for the client's earliest intake (by date): the baseline outcomes compare to.
    pub is_baseline: bool,
    pub assessed_on: String,
    pub headache_type: Option<HeadacheType>,
    pub physician_diagnosed: bool,
    pub headache_days: u8,
    pub migraine_days: Option<u8>,
    pub usual_intensity: u8,
    pub worst_intensity: Option<u8>,
    pub usual_duration_hours: Option<f64>,
    pub acute_med_days: Option<u8>,
    pub acute_med_kinds: Vec<AcuteMedKind>,
    pub triggers: Vec<Trigger>,
    pub trigger_notes: String,
    pub pain_sites: Vec<PainSite>,
    pub symptoms: Vec<Symptom>,
    pub sleep_quality: Option<u8>,
    pub sleep_hours: Option<f64>,
    pub stress: Option<u8>,
    pub red_flags: Vec<RedFlag>,
    pub goals: String,
    pub notes: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub medication_overuse: Option<MedicationOveruse>,
    pub acknowledgement: Option<RedFlagAck>,
}

/// Acute medication taken often enough to risk medication-overuse headache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MedicationOveruse {
    pub days: u8,
    pub threshold: u8,
    /// Counted from the diary's days, or as the client recalled them at an intake.
    pub source: Source,
    pub message: String,
}

/// A therapist's record that they saw the red flags and what they did about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RedFlagAck {
    pub acknowledged_by: String,
    /// Who acknowledged, as people know them: "Robin Lee, RMT".
    pub acknowledged_by_name: String,
    pub acknowledged_at: String,
    pub referral_note: String,
}

/// What the client page must show before anything else.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClientAlerts {
    /// Intakes whose red flags no therapist has acknowledged yet, newest first.
    pub open_red_flags: Vec<OpenRedFlags>,
    /// From the diary when it reaches the latest intake's date (the 30 days to its latest
    /// day), else from the latest intake ([`crate::domain::diary_facts`]).
    pub medication_overuse: Option<MedicationOveruse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OpenRedFlags {
    pub intake_id: String,
    pub assessed_on: String,
    pub red_flags: Vec<RedFlag>,
    pub message: String,
    /// Whether these red flags may be acknowledged now: the newest open warning first.
    pub can_acknowledge: bool,
    /// Why not, when they may not ([`ACKNOWLEDGE_NEWER_FIRST`]).
    pub blocked_reason: Option<String>,
}

/// Why an older intake's red flags wait: a newer intake of the same client has red flags
/// nobody has acknowledged yet, and that one is the current picture to act on.
pub const ACKNOWLEDGE_NEWER_FIRST: &str =
    "Acknowledge the newer warning above first; this one stays until it is acknowledged too.";

/// The overuse threshold for the kinds taken, and whether they are only simple analgesics:
/// 15 days for simple analgesics alone, 10 for triptans, combination analgesics, other acute
/// drugs or a mix of kinds; `None` when no kind is given.
pub fn overuse_threshold(kinds: &[AcuteMedKind]) -> Option<(u8, bool)> {
    if kinds.is_empty() {
        return None;
    }
    let only_simple = kinds.iter().all(|k| *k == AcuteMedKind::SimpleAnalgesic);
    Some((if only_simple { 15 } else { 10 }, only_simple))
}

/// The medication-overuse rule: simple analgesics on 15 or more days a month, or triptans,
/// combination analgesics, other acute drugs or a mix of kinds on 10 or more.
pub fn medication_overuse(days: Option<u8>, kinds: &[AcuteMedKind]) -> Option<MedicationOveruse> {
    let days = days?;
    let (threshold, only_simple) = overuse_threshold(kinds)?;
    (days >= threshold).then(|| MedicationOveruse {
        days,
        threshold,
        source: Source::Intake,
        message: format!(
            "Acute medication on {days} days in the last 30 (threshold {threshold} for {}): risk of medication-overuse headache. Suggest the client reviews it with their physician.",
            if only_simple {
                "simple analgesics"
            } else {
                "triptans, combination or other acute medication"
            }
        ),
    })
}

/// A whole number from 0 to `max`.
fn whole(field: &str, label: &str, v: Option<f64>, max: u8) -> Result<Option<u8>> {
    Ok(validate::whole_number(field, label, v, 0, u16::from(max))?.map(|n| n as u8))
}

fn required<T>(field: &str, label: &str, v: Option<T>) -> Result<T> {
    v.ok_or_else(|| Error::field(field, format!("{label} is required.")))
}

fn dedup<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    items
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The checked, normalised intake, ready to store.
struct ValidIntake {
    assessed_on: NaiveDate,
    input: IntakeInput,
    headache_days: u8,
    migraine_days: Option<u8>,
    usual_intensity: u8,
    worst_intensity: Option<u8>,
    acute_med_days: Option<u8>,
    sleep_quality: Option<u8>,
    stress: Option<u8>,
}

impl IntakeInput {
    fn validated(&self, today: NaiveDate, born: Option<NaiveDate>) -> Result<ValidIntake> {
        let assessed_on = validate::past_date(
            "assessed_on",
            "Assessment date",
            Some(&self.assessed_on),
            today,
            DateRule {
                max_years_back: 120,
            },
        )?
        .ok_or_else(|| Error::field("assessed_on", "Assessment date is required."))?;
        if born.is_some_and(|b| assessed_on < b) {
            return Err(Error::field(
                "assessed_on",
                "Assessment date cannot be before the client's date of birth.",
            ));
        }
        let headache_days = required(
            "headache_days",
            "Headache days",
            whole("headache_days", "Headache days", self.headache_days, 30)?,
        )?;
        let migraine_days = whole("migraine_days", "Migraine days", self.migraine_days, 30)?;
        if migraine_days.is_some_and(|m| m > headache_days) {
            return Err(Error::field(
                "migraine_days",
                "Migraine days cannot be more than headache days.",
            ));
        }
        let usual_intensity = required(
            "usual_intensity",
            "Usual intensity",
            whole(
                "usual_intensity",
                "Usual intensity",
                self.usual_intensity,
                10,
            )?,
        )?;
        let worst_intensity = whole(
            "worst_intensity",
            "Worst intensity",
            self.worst_intensity,
            10,
        )?;
        if worst_intensity.is_some_and(|w| w < usual_intensity) {
            return Err(Error::field(
                "worst_intensity",
                "Worst intensity cannot be lower than usual intensity.",
            ));
        }
        let usual_duration_hours = validate::hours(
            "usual_duration_hours",
            "Usual attack duration",
            self.usual_duration_hours,
            true,
            168.0,
        )?;
        let acute_med_days = whole(
            "acute_med_days",
            "Acute medication days",
            self.acute_med_days,
            30,
        )?;
        if acute_med_days.is_some_and(|d| d > 0) && self.acute_med_kinds.is_empty() {
            return Err(Error::field(
                "acute_med_kinds",
                "Choose which kind of acute medication was taken.",
            ));
        }
        let sleep_quality = whole("sleep_quality", "Sleep quality", self.sleep_quality, 10)?;
        let sleep_hours = validate::hours("sleep_hours", "Sleep", self.sleep_hours, false, 24.0)?;
        let stress = whole("stress", "Stress", self.stress, 10)?;
        let trigger_notes = validate::text(
            "trigger_notes",
            "Other triggers",
            &self.trigger_notes,
            1000,
            Lines::Many,
        )?;
        let goals = validate::text("goals", "Goals", &self.goals, 4000, Lines::Many)?;
        let notes = validate::text("notes", "Notes", &self.notes, 10_000, Lines::Many)?;
        if self.pain_sites.len() > 64 {
            return Err(Error::field("pain_sites", "Too many pain locations."));
        }
        Ok(ValidIntake {
            assessed_on,
            headache_days,
            migraine_days,
            usual_intensity,
            worst_intensity,
            acute_med_days,
            sleep_quality,
            stress,
            input: IntakeInput {
                assessed_on: assessed_on.to_string(),
                usual_duration_hours,
                sleep_hours,
                acute_med_kinds: dedup(&self.acute_med_kinds),
                triggers: dedup(&self.triggers),
                pain_sites: dedup(&self.pain_sites),
                symptoms: dedup(&self.symptoms),
                red_flags: dedup(&self.red_flags),
                trigger_notes,
                goals,
                notes,
                ..self.clone()
            },
        })
    }
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(format!("could not encode a list: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned + Default>(s: String) -> T {
    serde_json::from_str(&s).unwrap_or_default()
}

/// A whole number as stored, back in the range its field allows (the schema checks it).
fn stored_u8(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| Error::internal(format!("a stored count, {v}, is out of range")))
}

fn stored_u8_opt(v: Option<i64>) -> Result<Option<u8>> {
    v.map(stored_u8).transpose()
}

impl Intake {
    /// The intake from its stored row, its acknowledgement and whether it is the baseline.
    fn from_stored(r: ReadRow) -> Result<Intake> {
        let i = r.intake;
        let acute_med_days = stored_u8_opt(i.acute_med_days)?;
        let acute_med_kinds: Vec<AcuteMedKind> = from_json(i.acute_med_kinds);
        Ok(Intake {
            id: i.id,
            client_id: i.client_id,
            assessed_on: i.assessed_on,
            headache_type: i
                .headache_type
                .as_deref()
                .and_then(crate::domain::vocab::from_id),
            physician_diagnosed: i.physician_diagnosed,
            headache_days: stored_u8(i.headache_days)?,
            migraine_days: stored_u8_opt(i.migraine_days)?,
            usual_intensity: stored_u8(i.usual_intensity)?,
            worst_intensity: stored_u8_opt(i.worst_intensity)?,
            usual_duration_hours: i.usual_duration_hours,
            medication_overuse: medication_overuse(acute_med_days, &acute_med_kinds),
            acute_med_days,
            acute_med_kinds,
            triggers: from_json(i.triggers),
            trigger_notes: i.trigger_notes,
            pain_sites: from_json(i.pain_sites),
            symptoms: from_json(i.symptoms),
            sleep_quality: stored_u8_opt(i.sleep_quality)?,
            sleep_hours: i.sleep_hours,
            stress: stored_u8_opt(i.stress)?,
            red_flags: from_json(i.red_flags),
            goals: i.goals,
            notes: i.notes,
            recorded_by: i.recorded_by,
            recorded_at: i.recorded_at,
            acknowledgement: r.ack.map(|a| RedFlagAck {
                acknowledged_by_name: a.acknowledged_by.clone(),
                acknowledged_by: a.acknowledged_by,
                acknowledged_at: a.acknowledged_at,
                referral_note: a.referral_note,
            }),
            is_baseline: r.is_baseline,
        })
    }
}

impl ValidIntake {
    /// The row this (checked) intake is stored as.
    fn stored(&self, id: &str, client_id: &str, actor: &str, now: String) -> Result<IntakeRow> {
        let i = &self.input;
        Ok(IntakeRow {
            id: id.to_owned(),
            client_id: client_id.to_owned(),
            assessed_on: self.assessed_on.to_string(),
            headache_type: i.headache_type.map(|t| t.id()),
            physician_diagnosed: i.physician_diagnosed,
            headache_days: i64::from(self.headache_days),
            migraine_days: self.migraine_days.map(i64::from),
            usual_intensity: i64::from(self.usual_intensity),
            worst_intensity: self.worst_intensity.map(i64::from),
            usual_duration_hours: i.usual_duration_hours,
            acute_med_days: self.acute_med_days.map(i64::from),
            acute_med_kinds: json(&i.acute_med_kinds)?,
            triggers: json(&i.triggers)?,
            trigger_notes: i.trigger_notes.clone(),
            pain_sites: json(&i.pain_sites)?,
            symptoms: json(&i.symptoms)?,
            sleep_quality: self.sleep_quality.map(i64::from),
            sleep_hours: i.sleep_hours,
            stress: self.stress.map(i64::from),
            red_flags: json(&i.red_flags)?,
            goals: i.goals.clone(),
            notes: i.notes.clone(),
            recorded_by: actor.to_owned(),
            recorded_at: now,
        })
    }
}

impl Store {
    /// Record an intake for a client. Red flags stay open on the client until acknowledged.
    pub fn record_intake(&mut self, client_id: &str, input: &IntakeInput) -> Result<Intake> {
        self.require(Permission::Chart)?;
        let client = self.get_client(client_id)?;
        if client.archived_at.is_some() {
            return Err(Error::conflict(
                "This client is archived. Restore the record before adding an intake.",
            ));
        }
        let born = client
            .fields
            .date_of_birth
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let v = input.validated(self.today(), born)?;
        let i = &v.input;
        let id = Uuid::now_v7().to_string();
        let client_id = client.id;
        self.write_sql(|tx, ctx| {
            let share_before = crate::reports::technique_totals::share(tx, &client_id)?;
            intakes::insert(tx, &v.stored(&id, &client_id, ctx.actor, ctx.now_text())?)?;
            // The new intake may change the client's responder status.
            crate::reports::technique_totals::apply(
                tx,
                &share_before,
                &crate::reports::technique_totals::share(tx, &client_id)?,
            )?;
            let body = format!("{}\n{}\n{}", i.goals, i.notes, i.trigger_notes);
            crate::search::index::index(
                tx,
                &crate::search::index::Doc {
                    kind: crate::search::index::HitKind::Intake,
                    record_id: &id,
                    open_id: &id,
                    client_id: &client_id,
                    at: &i.assessed_on,
                    body: &body,
                },
            )?;
            let flags = if i.red_flags.is_empty() {
                String::new()
            } else {
                format!(" with {} red flag(s)", i.red_flags.len())
            };
            Ok((
                (),
                AuditEntry {
                    action: "intake.create",
                    entity: "intake",
                    entity_id: id.clone(),
                    summary: format!("recorded an intake for client {client_id}{flags}"),
                },
            ))
        })?;
        self.get_intake(&id)
    }

    pub fn get_intake(&self, id: &str) -> Result<Intake> {
        let id = validate::record_id(id, "intake")?;
        let intake = intakes::get(self.sql(), &id)?
            .ok_or_else(|| Error::not_found("intake"))
            .and_then(Intake::from_stored)
            .and_then(|i| self.require_client(&i.client_id).map(|()| i))?;
        self.with_names(vec![intake]).map(|mut v| v.remove(0))
    }

    /// Who acknowledged red flags, by name (with credentials), not by login.
    fn with_names(&self, mut intakes: Vec<Intake>) -> Result<Vec<Intake>> {
        if intakes.iter().all(|i| i.acknowledgement.is_none()) {
            return Ok(intakes);
        }
        let names = self.person_names()?;
        for a in intakes
            .iter_mut()
            .filter_map(|i| i.acknowledgement.as_mut())
        {
            if let Some(n) = names.get(&a.acknowledged_by) {
                a.acknowledged_by_name = n.clone();
            }
        }
        Ok(intakes)
    }

    /// A client's intakes, newest first.
    pub fn list_intakes(&self, client_id: &str) -> Result<Vec<Intake>> {
        let client_id = validate::record_id(client_id, "client")?;
        self.require_client(&client_id)?;
        let intakes = intakes::list_for_client(self.sql(), &client_id)?
            .into_iter()
            .map(Intake::from_stored)
            .collect::<Result<Vec<_>>>()?;
        self.with_names(intakes)
    }

    /// Record that a therapist saw an intake's red flags, with the referral made.
    pub fn acknowledge_red_flags(
        &mut self,
        intake_id: &str,
        referral_note: &str,
    ) -> Result<Intake> {
        self.require(Permission::Chart)?;
        let intake = self.get_intake(intake_id)?;
        if intake.red_flags.is_empty() {
            return Err(Error::conflict(
                "This intake has no red flags to acknowledge.",
            ));
        }
        if intake.acknowledgement.is_some() {
            return Err(Error::conflict(
                "These red flags were already acknowledged.",
            ));
        }
        let note = validate::text(
            "referral_note",
            "Referral note",
            referral_note,
            4000,
            Lines::Many,
        )?;
        if note.is_empty() {
            return Err(Error::field(
                "referral_note",
                "Say what you did: e.g. referred to the GP, or the physician has cleared treatment.",
            ));
        }
        // The newest open warning first: a newer intake of this client with unacknowledged
        // red flags is acknowledged before an older one.
        let newer_open = self.list_intakes(&intake.client_id)?.into_iter().any(|i| {
            (&i.assessed_on, &i.recorded_at, &i.id)
                > (&intake.assessed_on, &intake.recorded_at, &intake.id)
                && !i.red_flags.is_empty()
                && i.acknowledgement.is_none()
        });
        if newer_open {
            return Err(Error::conflict(ACKNOWLEDGE_NEWER_FIRST));
        }
        let id = intake.id;
        self.write_sql(|tx, ctx| {
            intakes::insert_ack(
                tx,
                &AckRow {
                    intake_id: id.clone(),
                    acknowledged_by: ctx.actor.to_owned(),
                    acknowledged_at: ctx.now_text(),
                    referral_note: note.clone(),
                },
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "intake.acknowledge_red_flags",
                    entity: "intake",
                    entity_id: id.clone(),
                    summary: "acknowledged the red flags and recorded the referral".to_owned(),
                },
            ))
        })?;
        self.get_intake(&id)
    }

    /// The warnings a client's page must lead with.
    pub fn client_alerts(&self, client_id: &str) -> Result<ClientAlerts> {
        let intakes = self.list_intakes(client_id)?;
        // Newest first (as `list_intakes` orders them): only the first may be acknowledged.
        let open_red_flags = intakes
            .iter()
            .filter(|i| !i.red_flags.is_empty() && i.acknowledgement.is_none())
            .enumerate()
            .map(|(n, i)| OpenRedFlags {
                can_acknowledge: n == 0,
                blocked_reason: (n > 0).then(|| ACKNOWLEDGE_NEWER_FIRST.to_owned()),
                intake_id: i.id.clone(),
                assessed_on: i.assessed_on.clone(),
                red_flags: i.red_flags.clone(),
                message: format!(
                    "Refer to a physician before treatment: the intake of {} records {}.",
                    i.assessed_on,
                    i.red_flags
                        .iter()
                        .map(|f| f.label().to_lowercase())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            })
            .collect();
        let from_intake = || intakes.first().and_then(|i| i.medication_overuse.clone());
        let diary = self.diary_facts(&validate::record_id(client_id, "client")?)?;
        let diary_is_newer = diary.last().is_some_and(|d| {
            intakes
                .first()
                .is_none_or(|i| d.day.format("%Y-%m-%d").to_string() >= i.assessed_on)
        });
        Ok(ClientAlerts {
            open_red_flags,
            medication_overuse: if diary_is_newer {
                diary_overuse(&diary)
            } else {
                from_intake()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AcuteMedKind::*;

    #[test]
    fn overuse_thresholds() {
        assert_eq!(medication_overuse(Some(14), &[SimpleAnalgesic]), None);
        assert_eq!(
            medication_overuse(Some(15), &[SimpleAnalgesic]).map(|m| m.threshold),
            Some(15)
        );
        assert_eq!(medication_overuse(Some(9), &[Triptan]), None);
        assert_eq!(
            medication_overuse(Some(10), &[Triptan]).map(|m| m.threshold),
            Some(10)
        );
        assert_eq!(
            medication_overuse(Some(10), &[Combination]).map(|m| m.days),
            Some(10)
        );
        assert!(medication_overuse(Some(12), &[SimpleAnalgesic, Triptan]).is_some());
        assert!(medication_overuse(Some(12), &[SimpleAnalgesic]).is_none());
        assert_eq!(medication_overuse(None, &[Triptan]), None);
        assert_eq!(medication_overuse(Some(30), &[]), None);
    }

    #[test]
    fn whole_numbers_only_within_range() {
        assert_eq!(whole("f", "F", Some(3.0), 10).unwrap(), Some(3));
        assert_eq!(whole("f", "F", None, 10).unwrap(), None);
        for bad in [3.5, -1.0, 11.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                whole("f", "F", Some(bad), 10).unwrap_err().field.as_deref(),
                Some("f")
            );
        }
    }
}
