//! Who may do what: users and roles, the database key and its wrapping, encrypted backups,
//! and the gate the app opens through (setup, login, lock).

pub mod backup;
pub mod clinic_backup;
pub mod clinic_link;
pub mod clinic_roles;
pub mod clinic_server;
pub mod drafts;
pub mod gate;
pub mod import;
pub mod keys;
pub mod throttle;
pub mod users;
