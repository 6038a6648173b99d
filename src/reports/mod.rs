//! What managers and therapists read: a client's history and outcomes, the clinic
//! dashboard and the running totals behind it, data export and PDF summaries.

pub mod dashboard;
pub mod diary_outcomes;
pub mod export;
mod fonts;
pub mod history;
pub mod outcomes;
pub mod pdf;
pub mod technique_totals;
pub mod trends;
