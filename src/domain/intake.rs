//! Symptom intake, repeated over time: the first is the baseline, later ones re-assessments.
//! Red flags and medication-overuse notices are computed here, never in the UI.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::sql::Row;
use crate::domain::validate::{self, DateRule, Lines};
use crate::domain::vocab::{
    AcuteMedKind, HeadacheType, PainLocation, RedFlag, Side, Symptom, Trigger,
};
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// Where it hurts, and on which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PainSite {
    pub location: PainLocation,
    pub side: Side,
}

/// What the intake form sends. Numbers arrive as JSON numbers (or null when left blank)
/// and are checked here, so a decimal or out-of-range value gets a field error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
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
    pub message: String,
}

/// A therapist's record that they saw the red flags and what they did about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RedFlagAck {
    pub acknowledged_by: String,
    pub acknowledged_at: String,
    pub referral_note: String,
}

/// What the client page must show before anything else.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClientAlerts {
    /// Intakes whose red flags no therapist has acknowledged yet, newest first.
    pub open_red_flags: Vec<OpenRedFlags>,
    /// From the latest intake.
    pub medication_overuse: Option<MedicationOveruse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OpenRedFlags {
    pub intake_id: String,
    pub assessed_on: String,
    pub red_flags: Vec<RedFlag>,
    pub message: String,
}

/// The medication-overuse rule: simple analgesics on 15 or more days a month, or triptans,
/// combination analgesics, other acute drugs or a mix of kinds on 10 or more.
pub fn medication_overuse(days: Option<u8>, kinds: &[AcuteMedKind]) -> Option<MedicationOveruse> {
    let days = days?;
    if kinds.is_empty() {
        return None;
    }
    let only_simple = kinds.iter().all(|k| *k == AcuteMedKind::SimpleAnalgesic);
    let threshold = if only_simple { 15 } else { 10 };
    (days >= threshold).then(|| MedicationOveruse {
        days,
        threshold,
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

fn hours(
    field: &str,
    label: &str,
    v: Option<f64>,
    min_exclusive: bool,
    max: f64,
) -> Result<Option<f64>> {
    let Some(v) = v else { return Ok(None) };
    let low_ok = if min_exclusive { v > 0.0 } else { v >= 0.0 };
    if !v.is_finite() || !low_ok || v > max {
        let low = if min_exclusive {
            "more than 0"
        } else {
            "0 or more"
        };
        return Err(Error::field(
            field,
            format!("{label} must be {low} and at most {max} hours."),
        ));
    }
    Ok(Some((v * 4.0).round() / 4.0))
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
        let usual_duration_hours = hours(
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
        let sleep_hours = hours("sleep_hours", "Sleep", self.sleep_hours, false, 24.0)?;
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

const COLUMNS: &str = "i.id, i.client_id, i.assessed_on, i.headache_type, i.physician_diagnosed,
    i.headache_days, i.migraine_days, i.usual_intensity, i.worst_intensity,
    i.usual_duration_hours, i.acute_med_days, i.acute_med_kinds, i.triggers, i.trigger_notes,
    i.pain_sites, i.symptoms, i.sleep_quality, i.sleep_hours, i.stress, i.red_flags, i.goals,
    i.notes, i.recorded_by, i.recorded_at,
    a.acknowledged_by, a.acknowledged_at, a.referral_note,
    i.id = (SELECT b.id FROM intakes b WHERE b.client_id = i.client_id
            ORDER BY b.assessed_on, b.recorded_at, b.id LIMIT 1)";

const FROM: &str = "FROM intakes i LEFT JOIN red_flag_acks a ON a.intake_id = i.id";

fn intake_from_row(r: &Row<'_>) -> Result<Intake> {
    let headache_type: Option<String> = r.get(3)?;
    let acute_med_days: Option<u8> = r.get(10)?;
    let acute_med_kinds: Vec<AcuteMedKind> = from_json(r.get(11)?);
    let acknowledged_by: Option<String> = r.get(24)?;
    Ok(Intake {
        id: r.get(0)?,
        client_id: r.get(1)?,
        assessed_on: r.get(2)?,
        headache_type: headache_type
            .as_deref()
            .and_then(crate::domain::vocab::from_id),
        physician_diagnosed: r.get(4)?,
        headache_days: r.get(5)?,
        migraine_days: r.get(6)?,
        usual_intensity: r.get(7)?,
        worst_intensity: r.get(8)?,
        usual_duration_hours: r.get(9)?,
        medication_overuse: medication_overuse(acute_med_days, &acute_med_kinds),
        acute_med_days,
        acute_med_kinds,
        triggers: from_json(r.get(12)?),
        trigger_notes: r.get(13)?,
        pain_sites: from_json(r.get(14)?),
        symptoms: from_json(r.get(15)?),
        sleep_quality: r.get(16)?,
        sleep_hours: r.get(17)?,
        stress: r.get(18)?,
        red_flags: from_json(r.get(19)?),
        goals: r.get(20)?,
        notes: r.get(21)?,
        recorded_by: r.get(22)?,
        recorded_at: r.get(23)?,
        acknowledgement: match acknowledged_by {
            Some(by) => Some(RedFlagAck {
                acknowledged_by: by,
                acknowledged_at: r.get(25)?,
                referral_note: r.get(26)?,
            }),
            None => None,
        },
        is_baseline: r.get(27)?,
    })
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
            tx.execute(
                "INSERT INTO intakes (id, client_id, assessed_on, headache_type,
                    physician_diagnosed, headache_days, migraine_days, usual_intensity,
                    worst_intensity, usual_duration_hours, acute_med_days, acute_med_kinds,
                    triggers, trigger_notes, pain_sites, symptoms, sleep_quality, sleep_hours,
                    stress, red_flags, goals, notes, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
                crate::args![
                    id,
                    client_id,
                    v.assessed_on.to_string(),
                    i.headache_type.map(|t| t.id()),
                    i.physician_diagnosed,
                    v.headache_days,
                    v.migraine_days,
                    v.usual_intensity,
                    v.worst_intensity,
                    i.usual_duration_hours,
                    v.acute_med_days,
                    json(&i.acute_med_kinds)?,
                    json(&i.triggers)?,
                    i.trigger_notes,
                    json(&i.pain_sites)?,
                    json(&i.symptoms)?,
                    v.sleep_quality,
                    i.sleep_hours,
                    v.stress,
                    json(&i.red_flags)?,
                    i.goals,
                    i.notes,
                    ctx.actor,
                    ctx.now_text(),
                ],
            )?;
            // The new intake may change the client's responder status.
            crate::reports::technique_totals::apply(
                tx,
                &share_before,
                &crate::reports::technique_totals::share(tx, &client_id)?,
            )?;
            let body = format!("{}\n{}\n{}", i.goals, i.notes, i.trigger_notes);
            crate::search::index(
                tx,
                &crate::search::Doc {
                    kind: crate::search::HitKind::Intake,
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
        self.sql()
            .optional(
                &format!("SELECT {COLUMNS} {FROM} WHERE i.id = ?1"),
                crate::args![id],
                intake_from_row,
            )?
            .ok_or_else(|| Error::not_found("intake"))
            .and_then(|i| self.require_client(&i.client_id).map(|()| i))
    }

    /// A client's intakes, newest first.
    pub fn list_intakes(&self, client_id: &str) -> Result<Vec<Intake>> {
        let client_id = validate::record_id(client_id, "client")?;
        self.require_client(&client_id)?;
        self.sql().all(
            &format!(
                "SELECT {COLUMNS} {FROM} WHERE i.client_id = ?1
                 ORDER BY i.assessed_on DESC, i.recorded_at DESC, i.id DESC"
            ),
            crate::args![client_id],
            intake_from_row,
        )
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
        let id = intake.id;
        self.write_sql(|tx, ctx| {
            tx.execute(
                "INSERT INTO red_flag_acks (intake_id, acknowledged_by, acknowledged_at, referral_note)
                 VALUES (?1, ?2, ?3, ?4)",
                crate::args![id, ctx.actor, ctx.now_text(), note],
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
        let open_red_flags = intakes
            .iter()
            .filter(|i| !i.red_flags.is_empty() && i.acknowledgement.is_none())
            .map(|i| OpenRedFlags {
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
        Ok(ClientAlerts {
            open_red_flags,
            medication_overuse: intakes.first().and_then(|i| i.medication_overuse.clone()),
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
