//! Stillpoint core: the domain, its rules, and storage. No Tauri here; the desktop shell in
//! `src-tauri/` only adapts these functions to IPC commands.
//!
//! The folders are the architecture, each layer using only the ones below it:
//! - [`db`]: storage only — connections, the audited write transaction, migrations, the
//!   audit chain. It imports nothing from the layers above.
//! - [`domain`]: clients, intakes, session notes, techniques, and the rules that check them.
//! - [`search`]: finding clients by name and notes by their words.
//! - [`reports`]: histories, outcomes, the clinic dashboard, running totals, export, PDF.
//! - [`security`]: users and roles, keys, backups, and the gate the app opens through.

pub mod db;
pub mod domain;
pub mod error;
pub mod ipc;
pub mod locale;
pub mod progress;
pub mod reports;
pub mod search;
pub mod security;
pub mod store;

pub use db::OpenOptions;
pub use domain::clients::{Client, ClientFields, ClientPage, ClientQuery, ClientSummary};
pub use domain::vocab::Pressure;
pub use error::{Error, ErrorCode, Result};
pub use security::gate::{App, AppStatus, Phase};
pub use store::Store;
