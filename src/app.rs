//! The running app's state, independent of any UI shell: where the data lives, the open
//! store, and why it could not be opened. The Tauri shell holds one of these behind a lock.
//! (Login and the idle lock will live here too, so every command passes through one gate.)

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use crate::db::{self, OpenOptions, Store};
use crate::error::{Error, ErrorCode, Result};

/// What the UI needs to know before showing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    /// The database is open and commands will work.
    pub ready: bool,
    /// The data folder in use (from `STILLPOINT_DATA_DIR` or the user's data folder).
    pub data_dir: String,
    pub database_file: String,
    /// Why the database could not be opened, when it could not.
    pub error: Option<Error>,
    pub version: String,
}

pub struct App {
    data_dir: Option<PathBuf>,
    store: Result<Store>,
}

impl App {
    /// Open the database in the data folder, remembering any failure to show the user.
    pub fn start() -> App {
        match db::data_dir() {
            Ok(dir) => Self::start_in(dir),
            Err(e) => App {
                data_dir: None,
                store: Err(e),
            },
        }
    }

    pub fn start_in(data_dir: PathBuf) -> App {
        let store = Store::open(OpenOptions::file(db::database_path(&data_dir)));
        App {
            data_dir: Some(data_dir),
            store,
        }
    }

    pub fn status(&self) -> AppStatus {
        let dir = self.data_dir.as_ref();
        AppStatus {
            ready: self.store.is_ok(),
            data_dir: dir.map(|d| d.display().to_string()).unwrap_or_default(),
            database_file: dir
                .map(|d| db::database_path(d).display().to_string())
                .unwrap_or_default(),
            error: self.store.as_ref().err().cloned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The open store, or the reason there is none.
    pub fn store(&mut self) -> Result<&mut Store> {
        self.store.as_mut().map_err(|e| {
            Error::new(
                ErrorCode::NotOpen,
                format!("The database is not open: {}", e.message),
            )
        })
    }
}
