//! Typed accessors, one file per table (or per table and the rows that belong to it): the
//! row type, its column list and its row mapping, written once; the statements that read and
//! write it. No rule lives here: the domain decides what to write, these say how.
//!
//! Row types hold what the table holds (text, numbers); the domain turns them into its own
//! types. Every function takes a [`Conn`](crate::db::sql::Conn), so it runs on either engine.

pub mod care_plans;
pub mod client_name_prefixes;
pub mod clients;
pub mod clinic_settings;
pub mod corrections;
pub mod diary_corrections;
pub mod diary_days;
pub mod home_care;
pub mod intakes;
pub mod midas;
pub mod sessions;
pub mod technique_outcome_totals;
pub mod techniques;
pub mod users;
