//! How far a long piece of work has got, for the screen that waits on it: an export, a
//! backup, or the upgrade of the database at login.

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

/// How far a long piece of work has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
    /// What is being done, in words for the person waiting ("Upgrading the database, step 2
    /// of 9: indexing client names for search"); absent where the screen says it itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub step: Option<String>,
}

impl Progress {
    /// `done` of `total`, the screen knowing what is being done.
    pub fn of(done: u32, total: u32) -> Self {
        Self {
            done,
            total,
            step: None,
        }
    }

    /// `done` of `total`, saying what is being done.
    pub fn step(done: u32, total: u32, step: impl Into<String>) -> Self {
        Self {
            done,
            total,
            step: Some(step.into()),
        }
    }
}

/// Where progress goes while work runs somewhere the caller cannot lend a closure to (the
/// migrations' hooks): shared, and callable from any thread.
pub type Reporter = Arc<dyn Fn(Progress) + Send + Sync>;

/// A reporter that tells nobody.
pub fn nobody() -> Reporter {
    Arc::new(|_| {})
}
