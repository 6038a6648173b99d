//! The responder rule, the measure of whether massage is helping a client's headaches: at
//! least 50% fewer headache days at the latest intake than at the baseline.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Responder {
    /// At least 50% fewer headache days than at baseline.
    Responder,
    NotYet,
    /// Too little data to say (no intake, or only the baseline).
    TooLittleData,
    /// No headache days at baseline, so a reduction cannot be measured.
    NotMeasurable,
}

/// The responder rule: at least 50% fewer headache days at the latest intake than at the
/// baseline. `None` for the change when it cannot be measured.
pub fn responder_status(
    baseline_days: Option<u8>,
    latest_days: Option<u8>,
    intakes: usize,
) -> (Responder, Option<f64>) {
    match (baseline_days, latest_days) {
        (Some(_), Some(_)) if intakes < 2 => (Responder::TooLittleData, None),
        (Some(0), Some(_)) => (Responder::NotMeasurable, None),
        (Some(b), Some(l)) => {
            let pct = (f64::from(l) - f64::from(b)) / f64::from(b) * 100.0;
            let pct = (pct * 10.0).round() / 10.0;
            let status = if pct <= -50.0 {
                Responder::Responder
            } else {
                Responder::NotYet
            };
            (status, Some(pct))
        }
        _ => (Responder::TooLittleData, None),
    }
}
