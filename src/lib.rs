//! Stillpoint core: the domain, its rules, and storage. No Tauri here; the desktop shell in
//! `src-tauri/` only adapts these functions to IPC commands.

pub mod app;
pub mod audit;
pub mod backup;
pub mod clients;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod history;
pub mod intake;
pub mod keys;
pub mod names;
pub mod outcomes;
pub mod pdf;
pub mod rollup;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod synth;
pub mod techniques;
pub mod text;
pub mod users;
pub mod validate;
pub mod vocab;

pub use app::{App, AppStatus, Phase};
pub use clients::{Client, ClientFields, ClientPage, ClientQuery, ClientSummary};
pub use db::{OpenOptions, Store};
pub use error::{Error, ErrorCode, Result};
pub use vocab::Pressure;
