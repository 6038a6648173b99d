//! Failed logins slow a guesser down. Argon2id makes each guess cost a fraction of a second;
//! on top of that, after [`FREE_TRIES`] wrong passwords for one username, each further try
//! must wait, twice as long after every failure, up to [`MAX_WAIT_SECONDS`]. A right password
//! (after the wait) clears the count.
//!
//! The database cannot record a failure when it happens (on this computer the password is
//! what unlocks it), so failures are kept in `login-failures.json` beside the key file —
//! usernames as typed and times, no secrets — and written into the audit log, one entry
//! each, by the next successful login. The file survives a restart, so restarting the app
//! does not reset the wait.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};

/// Wrong passwords for one username before any wait.
pub const FREE_TRIES: u32 = 3;
/// The wait after the first failure beyond the free tries; it doubles with each failure.
pub const FIRST_WAIT_SECONDS: i64 = 5;
/// The longest wait.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;
/// A username is kept to this many characters in the file and the audit log.
const USERNAME_CHARS: usize = 64;
/// Failures kept for the audit log at most (a flood is summarised, not stored whole).
const KEPT_FAILURES: usize = 1000;

pub const FILE_NAME: &str = "login-failures.json";

pub fn failures_path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// One username's failures since its last successful login.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Count {
    failures: u32,
    last: Option<DateTime<Utc>>,
}

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginFailures {
    counts: BTreeMap<String, Count>,
    /// Failures not yet in the audit log: (username as typed, when).
    unrecorded: Vec<(String, DateTime<Utc>)>,
    /// Failures beyond what `unrecorded` keeps.
    dropped: u64,
}

/// How long to wait after `failures` wrong passwords in a row.
pub fn wait_after(failures: u32) -> Duration {
    if failures < FREE_TRIES {
        return Duration::zero();
    }
    let doublings = (failures - FREE_TRIES).min(20);
    Duration::seconds((FIRST_WAIT_SECONDS << doublings).min(MAX_WAIT_SECONDS))
}

fn key(username: &str) -> String {
    crate::security::keys::normalize_username(username)
        .chars()
        .take(USERNAME_CHARS)
        .collect()
}

impl LoginFailures {
    /// The file in `dir`; none yet, or unreadable, is no failures (a damaged file must not
    /// lock everyone out; it is written afresh at the next failure).
    pub fn load(dir: &Path) -> LoginFailures {
        std::fs::read(failures_path(dir))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Write the file (a whole new file, then renamed over the old one).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = failures_path(dir);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::internal(e.to_string()))?;
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                Error::new(
                    ErrorCode::Storage,
                    format!("The login-failure record could not be written ({e})."),
                )
            })
    }

    /// Refused with how long to wait when `username` must still wait at `now`.
    pub fn check(&self, username: &str, now: DateTime<Utc>) -> Result<()> {
        let Some(c) = self.counts.get(&key(username)) else {
            return Ok(());
        };
        let Some(last) = c.last else { return Ok(()) };
        let left = last + wait_after(c.failures) - now;
        if left <= Duration::zero() {
            return Ok(());
        }
        let seconds = left.num_seconds() + i64::from(left.subsec_nanos() > 0);
        let wait = if seconds >= 120 {
            format!("{} minutes", (seconds + 59) / 60)
        } else if seconds == 1 {
            "1 second".to_owned()
        } else {
            format!("{seconds} seconds")
        };
        Err(Error {
            code: ErrorCode::Throttled,
            message: format!(
                "Too many wrong passwords for this username. Wait {wait}, then try again."
            ),
            field: Some("password".to_owned()),
        })
    }

    /// A wrong password for `username` at `now`.
    pub fn failed(&mut self, username: &str, now: DateTime<Utc>) {
        let k = key(username);
        let c = self.counts.entry(k.clone()).or_default();
        c.failures = c.failures.saturating_add(1);
        c.last = Some(now);
        if self.unrecorded.len() < KEPT_FAILURES {
            self.unrecorded.push((k, now));
        } else {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// `username` logged in: its count starts again.
    pub fn succeeded(&mut self, username: &str) {
        self.counts.remove(&key(username));
    }

    /// The failures to write into the audit log (summaries), and forget them.
    pub fn take_unrecorded(&mut self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .unrecorded
            .drain(..)
            .map(|(who, at)| {
                let summary = format!(
                    "wrong password for \"{who}\" at {}",
                    at.format("%Y-%m-%dT%H:%M:%SZ")
                );
                (who, summary)
            })
            .collect();
        if self.dropped > 0 {
            out.push((
                String::new(),
                format!(
                    "{} more wrong passwords, not listed one by one",
                    self.dropped
                ),
            ));
            self.dropped = 0;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_tries_up_to_the_cap() {
        assert_eq!(wait_after(0), Duration::zero());
        assert_eq!(wait_after(FREE_TRIES - 1), Duration::zero());
        assert_eq!(wait_after(FREE_TRIES), Duration::seconds(5));
        assert_eq!(wait_after(FREE_TRIES + 1), Duration::seconds(10));
        assert_eq!(wait_after(FREE_TRIES + 2), Duration::seconds(20));
        assert_eq!(wait_after(FREE_TRIES + 7), Duration::seconds(640));
        assert_eq!(
            wait_after(FREE_TRIES + 8),
            Duration::seconds(MAX_WAIT_SECONDS)
        );
        assert_eq!(wait_after(u32::MAX), Duration::seconds(MAX_WAIT_SECONDS));
    }
}
