//! The clinical domain: who the client is, what their headaches are like, what was done in
//! each session, and the rules every record is checked against before it is written.

pub mod care_plan;
pub mod clients;
pub mod clinic_settings;
pub mod corrections;
pub mod diary;
pub mod diary_facts;
pub mod diary_store;
pub mod folding;
pub mod home_care;
pub mod intake;
pub mod midas;
pub mod responder;
pub mod sessions;
pub mod techniques;
pub mod validate;
pub mod vocab;
