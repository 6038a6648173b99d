//! The fixed clinical vocabulary: headache types, triggers, pain sites, symptoms, red flags,
//! medication kinds and body regions. Stable snake_case ids are stored; labels are for people.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::security::users::Role;

/// Declare a closed vocabulary: an enum with stable ids, people's labels, and the full list.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The stable id stored in the database (the serde name).
            pub fn id(self) -> String {
                serde_json::to_value(self)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }
        }
    };
}

vocabulary!(
    /// What kind of headache the client has, as far as is known.
    HeadacheType {
        MigraineWithAura => "Migraine with aura",
        MigraineWithoutAura => "Migraine without aura",
        TensionType => "Tension-type headache",
        Cervicogenic => "Cervicogenic headache",
        Unknown => "Unknown / not yet diagnosed",
    }
);

vocabulary!(
    /// The kind of acute (during-attack) medication; it sets the overuse threshold.
    AcuteMedKind {
        SimpleAnalgesic => "Simple analgesic (paracetamol, ibuprofen, aspirin)",
        Triptan => "Triptan",
        Combination => "Combination analgesic",
        Other => "Other (e.g. opioid, ergot)",
    }
);

vocabulary!(
    /// What brings the headaches on.
    Trigger {
        Stress => "Stress",
        PoorSleep => "Poor sleep",
        MuscleTension => "Neck, shoulder or scalp muscle tension",
        PostureScreenTime => "Posture or screen time",
        MenstrualCycle => "Menstrual cycle",
        MissedMeals => "Missed meals",
        Weather => "Weather",
        Light => "Bright or flickering light",
        Smells => "Smells",
        Alcohol => "Alcohol",
        Caffeine => "Caffeine",
        Other => "Other",
    }
);

vocabulary!(
    /// Where the pain is felt.
    PainLocation {
        Forehead => "Forehead",
        Temples => "Temples",
        BehindEyes => "Behind the eyes",
        BackOfHead => "Back of the head",
        Neck => "Neck",
        Shoulders => "Shoulders",
        Jaw => "Jaw",
    }
);

vocabulary!(
    /// Which side the pain is on.
    Side {
        Left => "Left",
        Right => "Right",
        Both => "Both sides",
    }
);

vocabulary!(
    /// Symptoms that come with the headaches.
    Symptom {
        Nausea => "Nausea or vomiting",
        LightSensitivity => "Sensitivity to light",
        SoundSensitivity => "Sensitivity to sound",
        Aura => "Aura (visual or sensory)",
    }
);

vocabulary!(
    /// Findings that mean "refer to a physician before treating" (SNOOP4 and others).
    RedFlag {
        SystemicSymptoms => "Systemic symptoms (weight loss, night sweats, cancer history, immune suppression)",
        NeurologicalDeficit => "Neurological signs (weakness, numbness, confusion, loss of vision or speech)",
        OnsetAfterFifty => "New headache starting after age 50",
        Thunderclap => "Sudden, thunderclap onset (worst pain within a minute)",
        Papilledema => "Papilledema or visual disturbance noted by a doctor",
        Positional => "Headache that changes with position (lying vs standing)",
        CoughOrStrain => "Brought on by coughing, sneezing or straining",
        PatternChange => "Changed or steadily worsening pattern",
        Pregnancy => "Pregnancy or recently given birth",
        WakesFromSleep => "Headache that wakes the client from sleep",
        Fever => "Fever with headache or stiff neck",
        RecentHeadNeckInjury => "Recent head or neck injury",
    }
);

vocabulary!(
    /// How firmly a technique is applied.
    Pressure {
        Light => "Light",
        Moderate => "Moderate",
        Firm => "Firm",
    }
);

vocabulary!(
    /// What a body-chart mark says about a region.
    MarkKind {
        Tension => "Tension",
        TriggerPoint => "Trigger point",
        Pain => "Pain",
        Treated => "Treated",
    }
);

vocabulary!(
    /// A contraindication recorded on the client that can warn against techniques.
    Contraindication {
        RecentNeckInjury => "Recent head or neck injury (incl. whiplash)",
        CervicalInstability => "Cervical instability, osteoporosis or disc disease",
        Anticoagulants => "Takes anticoagulants or bruises easily",
        ScalpSkinCondition => "Scalp skin condition, wound or infection",
        RecentConcussion => "Concussion in the last 3 months",
        Hypertension => "Uncontrolled high blood pressure",
    }
);

vocabulary!(
    /// Body regions with stable ids, used by techniques and by body-chart marks.
    Region {
        SuboccipitalsLeft => "Suboccipitals (left)",
        SuboccipitalsRight => "Suboccipitals (right)",
        UpperTrapeziusLeft => "Upper trapezius (left)",
        UpperTrapeziusRight => "Upper trapezius (right)",
        LevatorScapulaeLeft => "Levator scapulae (left)",
        LevatorScapulaeRight => "Levator scapulae (right)",
        ScmLeft => "Sternocleidomastoid (left)",
        ScmRight => "Sternocleidomastoid (right)",
        ScalenesLeft => "Scalenes (left)",
        ScalenesRight => "Scalenes (right)",
        TemporalisLeft => "Temporalis (left)",
        TemporalisRight => "Temporalis (right)",
        MasseterLeft => "Masseter (left)",
        MasseterRight => "Masseter (right)",
        Frontalis => "Frontalis",
        Occipitalis => "Occipitalis",
        ScalpFrontal => "Scalp, frontal zone",
        ScalpParietal => "Scalp, parietal zone",
        ScalpOccipital => "Scalp, occipital zone",
        CervicalSpine => "Cervical spine",
        UpperBack => "Upper back",
        ShoulderLeft => "Shoulder (left)",
        ShoulderRight => "Shoulder (right)",
    }
);

/// Read a stored id back; `None` for an id this version does not know.
pub fn from_id<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(id.to_owned())).ok()
}

/// One option of a vocabulary, for pick lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VocabOption<T: TS> {
    pub id: T,
    pub label: String,
}

/// Every vocabulary with its labels, so the UI never hard-codes clinical terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Vocabulary {
    pub headache_types: Vec<VocabOption<HeadacheType>>,
    pub acute_med_kinds: Vec<VocabOption<AcuteMedKind>>,
    pub triggers: Vec<VocabOption<Trigger>>,
    pub pain_locations: Vec<VocabOption<PainLocation>>,
    pub sides: Vec<VocabOption<Side>>,
    pub symptoms: Vec<VocabOption<Symptom>>,
    pub red_flags: Vec<VocabOption<RedFlag>>,
    pub pressures: Vec<VocabOption<Pressure>>,
    pub mark_kinds: Vec<VocabOption<MarkKind>>,
    pub contraindications: Vec<VocabOption<Contraindication>>,
    pub regions: Vec<VocabOption<Region>>,
    /// The roles a user may have, in the order the add-user form offers them.
    pub roles: Vec<VocabOption<Role>>,
    /// The numbers the core works with, so the UI never types them again.
    pub defaults: Defaults,
}

/// The core's defaults and limits that forms and screens show or start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Defaults {
    /// Minutes without use before the app locks itself, until the setting has been read.
    pub idle_lock_minutes: u32,
    pub idle_lock_min_minutes: u32,
    pub idle_lock_max_minutes: u32,
    /// Search hits asked for at once (one page), and the most a query may ask for.
    pub search_limit: u32,
    pub search_max_limit: u32,
    /// The shortest password accepted.
    pub min_password_chars: u32,
    /// The longest credentials after a name (e.g. "RMT").
    pub max_credentials_chars: u32,
}

pub fn defaults() -> Defaults {
    use crate::domain::clinic_settings::{DEFAULT_IDLE_LOCK_MINUTES, IDLE_LOCK_MINUTES};
    use crate::security::users::{MAX_CREDENTIALS_CHARS, MIN_PASSWORD_CHARS};
    let chars = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Defaults {
        idle_lock_minutes: DEFAULT_IDLE_LOCK_MINUTES,
        idle_lock_min_minutes: *IDLE_LOCK_MINUTES.start(),
        idle_lock_max_minutes: *IDLE_LOCK_MINUTES.end(),
        search_limit: crate::search::DEFAULT_SEARCH_LIMIT,
        search_max_limit: crate::search::MAX_SEARCH_LIMIT,
        min_password_chars: chars(MIN_PASSWORD_CHARS),
        max_credentials_chars: chars(MAX_CREDENTIALS_CHARS),
    }
}

macro_rules! options {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| VocabOption {
                id: *v,
                label: v.label().to_owned(),
            })
            .collect()
    };
}

pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        headache_types: options!(HeadacheType),
        acute_med_kinds: options!(AcuteMedKind),
        triggers: options!(Trigger),
        pain_locations: options!(PainLocation),
        sides: options!(Side),
        symptoms: options!(Symptom),
        red_flags: options!(RedFlag),
        pressures: options!(Pressure),
        mark_kinds: options!(MarkKind),
        contraindications: options!(Contraindication),
        regions: options!(Region),
        roles: options!(Role),
        defaults: defaults(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_snake_case() {
        assert_eq!(Region::ScmLeft.id(), "scm_left");
        assert_eq!(RedFlag::OnsetAfterFifty.id(), "onset_after_fifty");
        assert_eq!(HeadacheType::TensionType.id(), "tension_type");
        assert_eq!(MarkKind::TriggerPoint.id(), "trigger_point");
    }

    #[test]
    fn the_vocabulary_lists_everything_with_labels() {
        let v = vocabulary();
        assert_eq!(v.red_flags.len(), 12);
        assert_eq!(v.regions.len(), Region::ALL.len());
        assert!(v.regions.iter().all(|o| !o.label.is_empty()));
        let roles: Vec<(Role, &str)> = v.roles.iter().map(|o| (o.id, o.label.as_str())).collect();
        assert_eq!(
            roles,
            [
                (Role::Therapist, "Therapist"),
                (Role::Manager, "Clinic manager"),
                (Role::Administrator, "Administrator")
            ]
        );
        assert_eq!(v.defaults.idle_lock_minutes, 10);
        assert_eq!(v.defaults.search_limit, 50);
        assert_eq!(v.defaults.min_password_chars, 10);
    }
}
