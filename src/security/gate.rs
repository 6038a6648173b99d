//! The running app's state, independent of any UI shell: where the data lives, who is logged
//! in, and the open store. The Tauri shell holds one of these behind a lock, and every
//! command passes through [`App::store`], the one gate: nobody logged in, or idle for longer
//! than the clinic's setting, and the command is refused with `locked`.
//!
//! First run sets up an administrator, the database key and the recovery key. A database
//! from before encryption is encrypted in place at that moment.
//!
//! Encrypting in place works on the SQLite file itself (SQLCipher's export into a keyed copy,
//! PRAGMAs, opening the copy to check it), so it stays on rusqlite: a clinic server's data is
//! never a file here. Everything else reaches the database through the store.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::Store;
use crate::db::{self, Clock, OpenOptions, system_clock};
use crate::domain::sessions::{Session, SessionInput};
use crate::error::{Error, ErrorCode, Result};
use crate::progress::{self, Reporter};
use crate::security::backup::{self, BackupInfo, BackupReport};
use crate::security::clinic_link::{ClinicServer, JoinInput};
use crate::security::drafts::DraftsKey;
use crate::security::keys::{self, DEFAULT_KDF, DbKey, KdfParams, KeyFile};
use crate::security::throttle::LoginFailures;
use crate::security::users::{self, NewUser, Permission, ProfileInput, Role, Section, User};

/// What the UI shows first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Phase {
    /// No administrator yet: the first-run setup screen.
    Setup,
    /// Set up; nobody logged in (or the app locked itself).
    Login,
    /// Someone is logged in; commands work.
    Ready,
    /// The data folder or database cannot be used; `error` says why.
    Failed,
}

/// What the UI needs to know before showing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    pub phase: Phase,
    /// The database is open and commands will work (`phase == ready`).
    pub ready: bool,
    /// The data folder in use (from `STILLPOINT_DATA_DIR` or the user's data folder).
    pub data_dir: String,
    pub database_file: String,
    /// Why the database could not be opened, when it could not.
    pub error: Option<Error>,
    pub version: String,
    /// Who is logged in.
    pub user: Option<User>,
    /// Their role as people call it ("Clinic manager"); `None` when nobody is logged in.
    pub role_label: Option<String>,
    /// What they may do (from their role), and the screens they use, in the sidebar's
    /// order. Empty when nobody is logged in. The core enforces the permissions anyway; the
    /// UI shows only these.
    pub permissions: Vec<Permission>,
    pub sections: Vec<Section>,
    /// The last user, to prefill the login form after a lock.
    pub last_username: Option<String>,
    /// Why the login screen shows (e.g. locked after being idle).
    pub login_reason: Option<String>,
    /// Records from before encryption will be encrypted at setup.
    pub has_unencrypted_data: bool,
    /// The clinic server this computer works on; `None` for a single-computer database.
    pub clinic: Option<ClinicServer>,
}

/// Whether the clinic server answers (always, for a single-computer database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LinkStatus {
    pub reachable: bool,
    /// What to tell the user when it does not.
    pub message: Option<String>,
    /// Session notes typed while the server was away, kept on this computer, not yet sent.
    pub unsent_drafts: u32,
}

/// The first administrator, entered on the setup screen.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct SetupInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// The clinic's name for the PDF letterhead; optional (Admin → Settings changes it).
    pub clinic_name: Option<String>,
}

/// Shown once, at setup.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SetupDone {
    /// 52 letters and digits in groups of four. Never stored anywhere in plaintext.
    pub recovery_key: String,
    pub status: AppStatus,
}

struct Open {
    store: Store,
    user: User,
    /// The database key; `None` on a clinic server (the server holds the records).
    key: Option<DbKey>,
    /// On a clinic server: the key of this user's drafts kept here while it is away.
    drafts: Option<DraftsKey>,
    last_active: DateTime<Utc>,
    idle: Duration,
}

impl Open {
    /// The single-computer database's key.
    fn key(&self) -> Result<&DbKey> {
        self.key.as_ref().ok_or_else(|| {
            Error::conflict(
                "This works on a single-computer database only, not on a clinic server.",
            )
        })
    }
}

enum State {
    Setup { legacy: bool },
    Login { reason: Option<String> },
    Open(Box<Open>),
    Failed(Error),
}

pub struct App {
    data_dir: Option<PathBuf>,
    /// The clinic server this computer has joined, if it has.
    clinic: Option<ClinicServer>,
    state: State,
    clock: Clock,
    kdf: KdfParams,
    last_username: Option<String>,
}

/// Send the drafts kept on this computer, oldest first; stops at the first that cannot be
/// sent because the server is away again. Returns how many are still here. A draft the
/// server refuses for another reason (signed meanwhile, say) stays here too, never dropped.
fn send_kept_drafts(o: &mut Open) -> usize {
    let Some(drafts) = &o.drafts else {
        return 0;
    };
    let Ok(pending) = drafts.pending() else {
        return 0;
    };
    let mut left = pending.len();
    for (id, input) in pending {
        match o.store.save_session_draft(&id, &input) {
            Ok(_) => {
                if drafts.forget(&id).is_ok() {
                    left -= 1;
                }
            }
            Err(e) if e.code == ErrorCode::Offline => break,
            Err(_) => {}
        }
    }
    left
}

const CLINIC_BACKUPS: &str = "On a clinic server, backups are taken on the server by whoever runs it (stillpoint-clinic backup); nothing is backed up on this computer.";

fn locked(reason: &str) -> Error {
    Error::new(ErrorCode::Locked, reason)
}

impl App {
    /// Open the data folder, remembering any failure to show the user.
    pub fn start() -> App {
        match db::data_dir() {
            Ok(dir) => Self::start_in(dir),
            Err(e) => App {
                data_dir: None,
                clinic: None,
                state: State::Failed(e),
                clock: system_clock(),
                kdf: DEFAULT_KDF,
                last_username: None,
            },
        }
    }

    pub fn start_in(data_dir: PathBuf) -> App {
        Self::start_with(data_dir, system_clock(), DEFAULT_KDF)
    }

    /// With a clock (tests move it to reach the idle lock) and a key-derivation cost.
    pub fn start_with(data_dir: PathBuf, clock: Clock, kdf: KdfParams) -> App {
        let (clinic, state) = match ClinicServer::load(&data_dir) {
            Ok(Some(server)) => (Some(server), State::Login { reason: None }),
            Ok(None) => (None, Self::initial_state(&data_dir)),
            Err(e) => (None, State::Failed(e)),
        };
        App {
            data_dir: Some(data_dir),
            clinic,
            state,
            clock,
            kdf,
            last_username: None,
        }
    }

    fn initial_state(dir: &Path) -> State {
        if let Err(e) = settle_interrupted_setup(dir) {
            return State::Failed(e);
        }
        match KeyFile::load(&keys::keys_path(dir)) {
            Ok(Some(_)) => State::Login { reason: None },
            Err(e) => State::Failed(e),
            Ok(None) => {
                let db = db::database_path(dir);
                if !db.exists() {
                    return State::Setup { legacy: false };
                }
                match is_plain_sqlite(&db) {
                    Ok(true) => {}
                    Ok(false) => return State::Failed(missing_key_file()),
                    Err(e) => return State::Failed(e),
                }
                // A database from before encryption: check it opens (not too new, not
                // damaged) before offering to encrypt it at setup. It is upgraded only once
                // encrypted, so the copy kept before the upgrade is encrypted too.
                match db::check_file(&db, None) {
                    Ok(_) => State::Setup { legacy: true },
                    Err(e) => State::Failed(e),
                }
            }
        }
    }

    fn dir(&self) -> Result<&Path> {
        self.data_dir
            .as_deref()
            .ok_or_else(|| Error::new(ErrorCode::NotOpen, "There is no data folder."))
    }

    pub fn status(&self) -> AppStatus {
        let dir = self.data_dir.as_ref();
        let (phase, error, user, reason, legacy) = match &self.state {
            State::Setup { legacy } => (Phase::Setup, None, None, None, *legacy),
            State::Login { reason } => (Phase::Login, None, None, reason.clone(), false),
            State::Open(o) => (Phase::Ready, None, Some(o.user.clone()), None, false),
            State::Failed(e) => (Phase::Failed, Some(e.clone()), None, None, false),
        };
        AppStatus {
            phase,
            ready: phase == Phase::Ready,
            data_dir: dir.map(|d| d.display().to_string()).unwrap_or_default(),
            database_file: dir
                .map(|d| db::database_path(d).display().to_string())
                .unwrap_or_default(),
            error,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            role_label: user.as_ref().map(|u| u.role.label().to_owned()),
            permissions: user
                .as_ref()
                .map(|u| u.role.permissions())
                .unwrap_or_default(),
            sections: user.as_ref().map(|u| u.role.sections()).unwrap_or_default(),
            user,
            last_username: self.last_username.clone(),
            login_reason: reason,
            has_unencrypted_data: legacy,
            clinic: self.clinic.clone(),
        }
    }

    /// The open store for a command: the one gate. Refused when nobody is logged in, and
    /// the app locks itself here when it has been idle too long.
    pub fn logged_in_store(&mut self) -> Result<&mut Store> {
        let now = (self.clock)();
        if let State::Open(o) = &self.state
            && now - o.last_active > o.idle
        {
            self.lock("Stillpoint locked itself after being idle. Log in to go on; nothing typed was lost.");
        }
        match &mut self.state {
            State::Open(o) => {
                o.last_active = now;
                Ok(&mut o.store)
            }
            State::Failed(e) => Err(Error::new(
                ErrorCode::NotOpen,
                format!("The database is not open: {}", e.message),
            )),
            State::Setup { .. } => Err(locked("Set up Stillpoint first.")),
            State::Login { .. } => Err(locked("Log in to go on.")),
        }
    }

    /// The screen locked at the user's request, or by the UI's idle timer.
    pub fn lock_now(&mut self) -> AppStatus {
        if matches!(self.state, State::Open(_)) {
            self.lock("Stillpoint is locked. Log in to go on; nothing typed was lost.");
        }
        self.status()
    }

    /// Close the store and show the login screen with `reason`.
    fn lock(&mut self, reason: &str) {
        if let State::Open(o) = &mut self.state {
            let _ = o.store.audit_account("user.lock", reason);
        }
        self.state = State::Login {
            reason: Some(reason.to_owned()),
        };
    }

    /// Open the database with `key` as `user_name`. When it needs an upgrade, a verified copy
    /// is kept first and `report` hears how it goes; a failed upgrade leaves the file as it
    /// was and says where the copy is.
    fn open_as(&mut self, key: DbKey, user_name: &str, report: &Reporter) -> Result<()> {
        let dir = self.dir()?.to_path_buf();
        let store = Store::open_reporting(
            OpenOptions::file(db::database_path(&dir))
                .key(key.clone())
                .clock(self.clock.clone())
                .actor(user_name),
            report,
        )?;
        self.enter(store, Some(key), user_name)
    }

    /// On the clinic server: connect as the user's own login role with their password.
    /// The server checks the password; a wrong one comes back under `password`.
    fn connect_clinic(
        &self,
        server: &ClinicServer,
        ca: &Path,
        user_name: &str,
        password: &str,
    ) -> Result<Store> {
        Store::open(
            OpenOptions::server(server.conninfo(user_name, password))
                .tls_ca(ca)
                .clock(self.clock.clone())
                .actor(user_name),
        )
    }

    /// Logged in: the user's row read (a missing or disabled user is refused), the role set,
    /// the login recorded.
    fn enter(&mut self, mut store: Store, key: Option<DbKey>, user_name: &str) -> Result<()> {
        let Some(user) = store.get_user(user_name)? else {
            return Err(Error::field(
                "password",
                "The username or password is not right. Check them and try again.",
            ));
        };
        if user.disabled_at.is_some() {
            return Err(Error::field(
                "username",
                "This account is disabled. Ask an administrator.",
            ));
        }
        store.set_role(user.role);
        let idle_minutes = store.idle_lock_minutes()?;
        store.audit_account("user.login", "logged in")?;
        self.last_username = Some(user.username.clone());
        self.state = State::Open(Box::new(Open {
            store,
            user,
            key,
            drafts: None,
            last_active: (self.clock)(),
            idle: Duration::minutes(i64::from(idle_minutes)),
        }));
        Ok(())
    }

    /// First run on a clinic's workstation: check the server, the CA and the person's login
    /// by logging in; only then is the server remembered (`clinic.json`, the CA copied into
    /// the data folder). Nothing is written when any of it fails.
    pub fn join_clinic(&mut self, input: &JoinInput) -> Result<AppStatus> {
        if !matches!(self.state, State::Setup { legacy: false }) {
            return Err(Error::conflict(
                "This computer already has its records; it cannot join a clinic server now.",
            ));
        }
        let (server, ca) = input.validated()?;
        if input.username.trim().is_empty() {
            return Err(Error::field("username", "Enter your username."));
        }
        if input.password.is_empty() {
            return Err(Error::field("password", "Enter your password."));
        }
        let dir = self.dir()?.to_path_buf();
        let store = self.connect_clinic(&server, &ca, &input.username, &input.password)?;
        self.enter(store, None, &keys::normalize_username(&input.username))?;
        self.after_clinic_login(&keys::normalize_username(&input.username), &input.password)?;
        if let Err(e) = server.save(&dir, &ca) {
            self.state = State::Setup { legacy: false };
            return Err(e);
        }
        self.clinic = Some(server);
        Ok(self.status())
    }

    /// Refused on a clinic's workstation, with what to do instead.
    fn single_computer_only(&self, what: &str) -> Result<()> {
        if self.clinic.is_some() {
            return Err(Error::conflict(what.to_owned()));
        }
        Ok(())
    }

    /// Whether the clinic server answers; a lost connection is made again when it does.
    pub fn check_link(&mut self) -> LinkStatus {
        let State::Open(o) = &mut self.state else {
            return LinkStatus {
                reachable: true,
                message: None,
                unsent_drafts: 0,
            };
        };
        let reachable = o.store.check_link();
        // Back (or never away): what was kept here is sent now.
        let unsent = if reachable {
            send_kept_drafts(o)
        } else {
            o.drafts
                .as_ref()
                .and_then(|d| d.pending().ok())
                .map_or(0, |p| p.len())
        };
        LinkStatus {
            reachable,
            message: (!reachable).then(|| Error::offline().message),
            unsent_drafts: u32::try_from(unsent).unwrap_or(u32::MAX),
        }
    }

    /// Save a session note's draft. On a clinic server that cannot be reached, the draft is
    /// kept on this computer (encrypted) and sent when the server is back; the answer is still
    /// `offline`, with a message saying where the draft is.
    pub fn save_session_draft(&mut self, id: &str, input: &SessionInput) -> Result<Session> {
        let o = self.open()?;
        match o.store.save_session_draft(id, input) {
            Ok(saved) => {
                if let Some(d) = &o.drafts {
                    d.forget(id)?;
                }
                Ok(saved)
            }
            Err(e) if e.code == ErrorCode::Offline => match &o.drafts {
                Some(d) => {
                    d.keep(id, input)?;
                    Err(Error::new(
                        ErrorCode::Offline,
                        "Not yet saved to the clinic server: kept on this computer, encrypted, and sent as soon as the server is back.",
                    ))
                }
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// On a clinic server, after logging in: the key for drafts kept here, and whatever
    /// was kept while the server was away sent now.
    fn after_clinic_login(&mut self, username: &str, password: &str) -> Result<()> {
        let dir = self.dir()?.to_path_buf();
        let kdf = self.kdf;
        if let State::Open(o) = &mut self.state {
            o.drafts = Some(DraftsKey::derive(&dir, username, password, kdf)?);
            send_kept_drafts(o);
        }
        Ok(())
    }

    /// First run: the administrator, the database key and the recovery key (returned to be
    /// shown once). An unencrypted database from an earlier version is encrypted now.
    pub fn setup(&mut self, input: &SetupInput) -> Result<SetupDone> {
        self.setup_observed(input, &mut |_| {})
    }

    /// [`App::setup`], calling `at` at each [`SetupStep`]: the crash test stops the process
    /// there (`stillpoint-crash setup`). The app passes a closure that does nothing.
    ///
    /// The order makes every crash restart cleanly: the database is written in a staging
    /// file, closed and flushed; then `keys.json` is written (the moment setup is done);
    /// then the staging file is renamed into place. A start that finds a staging file
    /// without `keys.json` removes it and shows setup again (an earlier unencrypted
    /// database untouched); one that finds it with `keys.json` finishes the rename.
    pub fn setup_observed(
        &mut self,
        input: &SetupInput,
        at: &mut dyn FnMut(SetupStep),
    ) -> Result<SetupDone> {
        let State::Setup { legacy } = self.state else {
            return Err(Error::conflict("Stillpoint is already set up."));
        };
        let username = users::validate_username(&input.username)?;
        let display_name =
            crate::domain::validate::name("display_name", "Full name", &input.display_name, 100)?;
        users::validate_password(&input.password)?;
        let clinic_name = crate::domain::validate::text(
            "clinic_name",
            "Clinic name",
            input.clinic_name.as_deref().unwrap_or_default(),
            crate::domain::clinic_settings::MAX_CLINIC_NAME_CHARS,
            crate::domain::validate::Lines::One,
        )?;
        let dir = self.dir()?.to_path_buf();
        let (file, key, recovery) = KeyFile::create(&username, &input.password, self.kdf)?;
        let db_path = db::database_path(&dir);
        let staging = setup_staging_path(&dir);
        remove_staging(&staging)?;
        let staged = (|| {
            if legacy {
                encrypt_into(&db_path, &staging, &key)?;
            }
            let mut store = Store::open(
                OpenOptions::file(&staging)
                    .key(key.clone())
                    .clock(self.clock.clone())
                    .actor(&username),
            )?;
            store.insert_user(&username, &display_name, Role::Administrator)?;
            if !clinic_name.is_empty() {
                let settings = store.clinic_settings()?;
                store.update_clinic_settings(&crate::domain::clinic_settings::ClinicSettings {
                    name: clinic_name,
                    ..settings
                })?;
            }
            at(SetupStep::StagingOpen);
            close_flushed(store, &staging)?;
            at(SetupStep::StagingWritten);
            file.save(&keys::keys_path(&dir))
        })();
        if let Err(e) = staged {
            let _ = remove_staging(&staging);
            return Err(e);
        }
        at(SetupStep::KeysWritten);
        if let Err(e) = install_staged(&staging, &db_path) {
            // keys.json is written: the next start finishes the rename.
            self.state = State::Failed(e.clone());
            return Err(e);
        }
        at(SetupStep::Installed);
        self.state = State::Login { reason: None };
        self.open_as(key, &username, &progress::nobody())?;
        Ok(SetupDone {
            recovery_key: recovery.to_string(),
            status: self.status(),
        })
    }

    pub fn login(&mut self, username: &str, password: &str) -> Result<AppStatus> {
        self.login_reporting(username, password, &progress::nobody())
    }

    /// Log in; when the database needs an upgrade first, `report` hears how it goes (the
    /// copy kept before it, then each migration), for the login screen to show.
    pub fn login_reporting(
        &mut self,
        username: &str,
        password: &str,
        report: &Reporter,
    ) -> Result<AppStatus> {
        if !matches!(self.state, State::Login { .. }) {
            return match self.state {
                State::Open(_) => Err(Error::conflict("Someone is already logged in.")),
                _ => Err(Error::conflict("Stillpoint is not ready for a login.")),
            };
        }
        if username.trim().is_empty() {
            return Err(Error::field("username", "Enter your username."));
        }
        if password.is_empty() {
            return Err(Error::field("password", "Enter your password."));
        }
        let dir = self.dir()?.to_path_buf();
        let now = (self.clock)();
        let mut failures = LoginFailures::load(&dir);
        failures.check(username, now)?;
        if let Some(server) = self.clinic.clone() {
            let ca = ClinicServer::ca_path(&dir);
            let opened = self
                .connect_clinic(&server, &ca, username, password)
                .and_then(|store| self.enter(store, None, &keys::normalize_username(username)));
            if let Err(e) = opened {
                if e.field.as_deref() == Some("password") {
                    failures.failed(username, now);
                    failures.save(&dir)?;
                }
                return Err(e);
            }
            self.after_clinic_login(&keys::normalize_username(username), password)?;
        } else {
            self.login_with_key_file(username, password, &dir, now, &mut failures, report)?;
        }
        // Logged in: the failures since the last login go into the audit log, this user's
        // count starts again.
        if let State::Open(o) = &mut self.state {
            for (who, summary) in failures.take_unrecorded() {
                o.store.audit_login_failure(&who, &summary)?;
            }
        }
        failures.succeeded(username);
        failures.save(&dir)?;
        Ok(self.status())
    }

    fn login_with_key_file(
        &mut self,
        username: &str,
        password: &str,
        dir: &Path,
        now: DateTime<Utc>,
        failures: &mut LoginFailures,
        report: &Reporter,
    ) -> Result<()> {
        let file = self.key_file()?;
        let key = match file.unlock(username, password) {
            Ok(key) => key,
            Err(e) => {
                if keys::is_wrong_password(&e) {
                    failures.failed(username, now);
                    failures.save(dir)?;
                }
                return Err(e);
            }
        };
        self.open_as(key, &keys::normalize_username(username), report)
    }

    pub fn logout(&mut self) -> AppStatus {
        if let State::Open(o) = &mut self.state {
            let _ = o.store.audit_account("user.logout", "logged out");
        }
        if matches!(self.state, State::Open(_)) {
            self.state = State::Login { reason: None };
        }
        self.status()
    }

    fn key_file(&self) -> Result<KeyFile> {
        KeyFile::load(&keys::keys_path(self.dir()?))?
            .ok_or_else(|| Error::new(ErrorCode::Storage, "The key file (keys.json) is missing."))
    }

    fn open(&mut self) -> Result<&mut Open> {
        self.logged_in_store()?;
        match &mut self.state {
            State::Open(o) => Ok(o),
            _ => Err(locked("Log in to go on.")),
        }
    }

    /// The logged-in user changes their own password (the current one is checked).
    pub fn change_password(&mut self, current: &str, new: &str) -> Result<()> {
        if let Some(server) = self.clinic.clone() {
            let ca = ClinicServer::ca_path(self.dir()?);
            let me = self.open()?.user.username.clone();
            users::validate_password(new).map_err(|e| Error::field("new_password", e.message))?;
            // The server checks the current password: a login with it must succeed.
            self.connect_clinic(&server, &ca, &me, current)
                .map_err(|e| match e.field.as_deref() {
                    Some("password") => {
                        Error::field("current_password", "That is not your current password.")
                    }
                    _ => e,
                })?;
            return self
                .open()?
                .store
                .set_clinic_password(&me, new)
                .map_err(|e| match e.field.as_deref() {
                    Some("password") => Error::field("new_password", e.message),
                    _ => e,
                });
        }
        let kdf = self.kdf;
        let mut file = self.key_file()?;
        let path = keys::keys_path(self.dir()?);
        let o = self.open()?;
        let me = o.user.username.clone();
        file.unlock(&me, current)
            .map_err(|_| Error::field("current_password", "That is not your current password."))?;
        users::validate_password(new).map_err(|e| Error::field("new_password", e.message))?;
        file.set_user(&me, new, kdf, o.key()?)?;
        file.save(&path)?;
        o.store
            .audit_account("user.password", "changed their password")
    }

    /// Forgotten password: the recovery key opens the database, and `username` gets
    /// `new_password`. Logs them in.
    pub fn recover(
        &mut self,
        recovery_key: &str,
        username: &str,
        new_password: &str,
    ) -> Result<AppStatus> {
        self.recover_reporting(recovery_key, username, new_password, &progress::nobody())
    }

    /// [`App::recover`], telling `report` how an upgrade of the database goes.
    pub fn recover_reporting(
        &mut self,
        recovery_key: &str,
        username: &str,
        new_password: &str,
        report: &Reporter,
    ) -> Result<AppStatus> {
        if !matches!(self.state, State::Login { .. }) {
            return Err(Error::conflict("Log out before using the recovery key."));
        }
        self.single_computer_only(
            "On a clinic server there is no recovery key: ask an administrator to set you a new password.",
        )?;
        let mut file = self.key_file()?;
        let key = file.unlock_with_recovery(recovery_key)?;
        let username = users::validate_username(username)?;
        users::validate_password(new_password)
            .map_err(|e| Error::field("new_password", e.message))?;
        {
            let store = Store::open_reporting(
                OpenOptions::file(db::database_path(self.dir()?))
                    .key(key.clone())
                    .clock(self.clock.clone()),
                report,
            )?;
            if store.get_user(&username)?.is_none() {
                return Err(Error::field(
                    "username",
                    "There is no user with that username.",
                ));
            }
        }
        file.set_user(&username, new_password, self.kdf, &key)?;
        file.save(&keys::keys_path(self.dir()?))?;
        self.open_as(key, &username, report)?;
        if let State::Open(o) = &mut self.state {
            o.store
                .audit_account("user.recover", "set a new password with the recovery key")?;
        }
        Ok(self.status())
    }

    /// An administrator adds someone: their row, and their entry in the key file.
    pub fn add_user(&mut self, input: &NewUser) -> Result<User> {
        if self.clinic.is_some() {
            // Their own login role on the server; nothing is kept on this computer.
            let o = self.open()?;
            return o.store.add_clinic_user(input).map(|(user, _)| user);
        }
        let (username, display_name, role) = input.validated()?;
        let kdf = self.kdf;
        let mut file = self.key_file()?;
        let path = keys::keys_path(self.dir()?);
        let o = self.open()?;
        o.store.require(Permission::Administer)?;
        if file.has_user(&username) {
            return Err(Error::field(
                "username",
                "That username is taken; choose another.",
            ));
        }
        let user = o.store.insert_user(&username, &display_name, role)?;
        file.set_user(&username, &input.password, kdf, o.key()?)?;
        file.save(&path)?;
        Ok(user)
    }

    /// An administrator sets a new password for someone who forgot theirs.
    pub fn set_user_password(&mut self, username: &str, password: &str) -> Result<()> {
        if self.clinic.is_some() {
            let o = self.open()?;
            o.store.require(Permission::Administer)?;
            let user = o
                .store
                .get_user(username)?
                .ok_or_else(|| Error::not_found("user"))?;
            return o.store.set_clinic_password(&user.username, password);
        }
        let kdf = self.kdf;
        let mut file = self.key_file()?;
        let path = keys::keys_path(self.dir()?);
        let o = self.open()?;
        o.store.require(Permission::Administer)?;
        let user = o
            .store
            .get_user(username)?
            .ok_or_else(|| Error::not_found("user"))?;
        users::validate_password(password)?;
        file.set_user(&user.username, password, kdf, o.key()?)?;
        file.save(&path)?;
        o.store.audit_account(
            "user.password",
            &format!("set a new password for {}", user.username),
        )
    }

    /// A user's name and credentials: one's own ("Your account"), or anyone's for an
    /// administrator. The logged-in user's own change shows at once in the app status.
    pub fn update_profile(&mut self, username: &str, input: &ProfileInput) -> Result<User> {
        let user = self.logged_in_store()?.update_profile(username, input)?;
        if let State::Open(o) = &mut self.state
            && o.user.username == user.username
        {
            o.user = user.clone();
        }
        Ok(user)
    }

    /// The idle-lock setting, applied from the next command on.
    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<u32> {
        let o = self.open()?;
        let m = o.store.set_idle_lock_minutes(minutes)?;
        o.idle = Duration::minutes(i64::from(m));
        Ok(m)
    }
}

impl App {
    /// The data folder and a second connection for a backup, so the backup runs without
    /// holding up the screens. Administrators only.
    pub fn backup_source(&mut self) -> Result<(Store, PathBuf)> {
        self.single_computer_only(CLINIC_BACKUPS)?;
        let dir = self.dir()?.to_path_buf();
        let store = self.logged_in_store()?;
        store.require(Permission::Administer)?;
        Ok((store.open_another()?, dir))
    }

    /// For the schedule: a connection when someone is logged in and the newest backup is
    /// older than the schedule's interval; `None` otherwise. Does not count as activity.
    pub fn scheduled_backup_source(&self) -> Option<(Store, PathBuf)> {
        let State::Open(o) = &self.state else {
            return None;
        };
        if self.clinic.is_some() {
            return None;
        }
        let dir = self.data_dir.clone()?;
        let newest = backup::list_in(&dir)
            .ok()?
            .into_iter()
            .find(|b| !b.before_restore && !b.before_upgrade)
            .and_then(|b| DateTime::parse_from_rfc3339(&b.taken_at).ok());
        let due = match newest {
            Some(t) => (self.clock)() - t.to_utc() >= Duration::hours(backup::SCHEDULE_HOURS),
            None => true,
        };
        if !due {
            return None;
        }
        o.store.open_another().ok().map(|s| (s, dir))
    }

    /// The backup taken when the app closes (if someone is logged in).
    pub fn backup_on_close(&mut self) -> Option<Result<BackupReport>> {
        if self.clinic.is_some() {
            return None;
        }
        let dir = self.data_dir.clone()?;
        match &self.state {
            State::Open(o) => Some(o.store.backup_scheduled(&dir, &mut |_| {})),
            _ => None,
        }
    }

    pub fn list_backups(&mut self) -> Result<Vec<BackupInfo>> {
        self.single_computer_only(CLINIC_BACKUPS)?;
        let dir = self.dir()?.to_path_buf();
        self.logged_in_store()?.require(Permission::Administer)?;
        backup::list_in(&dir)
    }

    /// Replace the database with a backup, after checking the backup and keeping a copy of
    /// the database as it is now (`pre-restore-…`). The user stays logged in.
    pub fn restore_backup(&mut self, name: &str) -> Result<AppStatus> {
        self.single_computer_only(CLINIC_BACKUPS)?;
        let dir = self.dir()?.to_path_buf();
        let o = self.open()?;
        o.store.require(Permission::Administer)?;
        let chosen = backup::list_in(&dir)?
            .into_iter()
            .find(|b| b.name == name)
            .ok_or_else(|| Error::field("backup", "That backup is not in the backups folder."))?;
        let from = PathBuf::from(&chosen.path);
        backup::verify_file(&from, Some(o.key()?), None)?;
        o.store
            .backup_unchecked(&dir, backup::PRE_RESTORE, &mut |_| {})?;
        let key = o.key()?.clone();
        let username = o.user.username.clone();
        self.state = State::Login {
            reason: Some("The database is being restored.".to_owned()),
        };
        let db_path = db::database_path(&dir);
        let tmp = db_path.with_extension("db.restoring");
        std::fs::copy(&from, &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db_path.display())));
        }
        std::fs::rename(&tmp, &db_path)?;
        self.open_as(key, &username, &progress::nobody())?;
        if let State::Open(o) = &mut self.state {
            o.store.audit_account(
                "backup.restore",
                &format!("restored the database from {}", chosen.name),
            )?;
        }
        Ok(self.status())
    }
}

/// What the About screen shows: the version, where the records and the backups are, and
/// the schema. The paths are the core's; the screen only shows them (and asks the shell to
/// open a folder by naming it, never by a path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct About {
    pub version: String,
    /// Where the records are kept, in words ("This computer, encrypted" or the server).
    pub storage: String,
    /// The data folder in use.
    pub data_dir: String,
    /// The database file; `None` on a clinic server (the records are on the server).
    pub database_file: Option<String>,
    /// The backups folder; `None` on a clinic server, where `backups_note` says why.
    pub backups_dir: Option<String>,
    pub backups_note: Option<String>,
    /// The schema the database is at, and the newest this version of Stillpoint knows.
    pub schema_version: i64,
    pub schema_known: i64,
}

/// A folder the About screen can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Folder {
    Data,
    Backups,
}

impl App {
    /// For the About screen; every role, once logged in.
    pub fn about(&mut self) -> Result<About> {
        let dir = self.dir()?.to_path_buf();
        let clinic = self.clinic.clone();
        let schema_version = self.logged_in_store()?.schema_version()?;
        let on_this_computer = clinic.is_none();
        Ok(About {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            storage: match &clinic {
                Some(s) => format!(
                    "The clinic server {}:{}, database {} (PostgreSQL)",
                    s.host, s.port, s.database
                ),
                None => "This computer, in one encrypted SQLite database".to_owned(),
            },
            data_dir: dir.display().to_string(),
            database_file: on_this_computer.then(|| db::database_path(&dir).display().to_string()),
            backups_dir: on_this_computer
                .then(|| dir.join(backup::BACKUP_DIR).display().to_string()),
            backups_note: (!on_this_computer).then(|| CLINIC_BACKUPS.to_owned()),
            schema_version,
            schema_known: i64::try_from(db::schema_version()).unwrap_or(i64::MAX),
        })
    }

    /// The folder to open for the About screen's button (made if it is not there yet, as
    /// the backups folder is before the first backup). Every role, once logged in.
    pub fn folder(&mut self, which: Folder) -> Result<PathBuf> {
        self.logged_in_store()?;
        let dir = self.dir()?.to_path_buf();
        let path = match which {
            Folder::Data => dir,
            Folder::Backups => {
                self.single_computer_only(CLINIC_BACKUPS)?;
                dir.join(backup::BACKUP_DIR)
            }
        };
        crate::security::private_dir(&path)?;
        Ok(path)
    }
}

/// Encrypt an unencrypted database into `to` (SQLCipher's export into a keyed copy) and
/// check the copy. The original's WAL is checkpointed first; the original is not changed.
fn encrypt_into(path: &Path, to: &Path, key: &DbKey) -> Result<()> {
    {
        let plain = rusqlite::Connection::open(path)?;
        plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let literal = key.pragma_literal();
        plain.execute(
            &format!("ATTACH DATABASE ?1 AS encrypted KEY {}", literal.as_str()),
            [to.to_string_lossy()],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
        ))?;
    }
    let check = rusqlite::Connection::open(to)?;
    let literal = Zeroizing::new(key.pragma_literal().to_string());
    check.execute_batch(&format!("PRAGMA key = {};", literal.as_str()))?;
    let ok: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if ok != "ok" {
        return Err(Error::new(
            ErrorCode::Storage,
            "Encrypting the existing records failed a check; the original was left as it was.",
        ));
    }
    Ok(())
}

/// The moments of setup after which a crash leaves something different on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    /// The new database is open in the staging file, the administrator written, its
    /// write-ahead log beside it; no key file.
    StagingOpen,
    /// The staging database is closed and flushed; no key file yet.
    StagingWritten,
    /// `keys.json` is written: setup is done from here on, even if the rename below is cut.
    KeysWritten,
    /// The staging database renamed into place.
    Installed,
}

impl SetupStep {
    pub const ALL: &'static [SetupStep] = &[
        SetupStep::StagingOpen,
        SetupStep::StagingWritten,
        SetupStep::KeysWritten,
        SetupStep::Installed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SetupStep::StagingOpen => "staging-open",
            SetupStep::StagingWritten => "staging-written",
            SetupStep::KeysWritten => "keys-written",
            SetupStep::Installed => "installed",
        }
    }
}

/// Where setup writes the new database before it is in place.
pub const SETUP_STAGING_FILE: &str = "stillpoint.db.setting-up";

pub fn setup_staging_path(dir: &Path) -> PathBuf {
    dir.join(SETUP_STAGING_FILE)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// The staging database and whatever SQLite kept beside it.
fn remove_staging(staging: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_there(&sidecar(staging, suffix))?;
    }
    remove_if_there(staging)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
}

/// Close the staging database with everything in the main file (its write-ahead log
/// folded in and gone), flushed to disk: the file alone is the whole database.
fn close_flushed(store: Store, staging: &Path) -> Result<()> {
    store
        .conn()?
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    drop(store);
    let wal = sidecar(staging, "-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(Error::new(
            ErrorCode::Storage,
            "Setting up could not finish writing the new database; nothing was set up. Try again.",
        ));
    }
    remove_if_there(&wal)?;
    remove_if_there(&sidecar(staging, "-shm"))?;
    std::fs::File::open(staging)?.sync_all()?;
    Ok(())
}

/// Put the staging database in place of the database (an unencrypted one from before
/// encryption, or none), flushed.
fn install_staged(staging: &Path, db_path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        remove_if_there(&sidecar(db_path, suffix))?;
    }
    std::fs::rename(staging, db_path)?;
    if let Some(dir) = db_path.parent() {
        sync_dir(dir);
    }
    Ok(())
}

/// An SQLite file as SQLite writes it, unencrypted (SQLCipher's files start with random
/// bytes instead).
fn is_plain_sqlite(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path)?;
    match f.read_exact(&mut head) {
        Ok(()) => Ok(&head == b"SQLite format 3\0"),
        // Shorter than a header: an empty file SQLite would make a new database of.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(true),
        Err(e) => Err(e.into()),
    }
}

fn missing_key_file() -> Error {
    Error::new(
        ErrorCode::Storage,
        "The database (stillpoint.db) is encrypted, but its key file (keys.json) is not in the data folder. Put keys.json back (each backup keeps a copy of it in the backups folder), or move stillpoint.db out of the data folder to set Stillpoint up afresh.",
    )
}

/// At start, settle a setup a crash cut short. Before `keys.json` was written nothing was
/// set up: the staging database (and any half-written temporary file) goes, and setup shows
/// again. After, setup was done: the staging database is renamed into place.
fn settle_interrupted_setup(dir: &Path) -> Result<()> {
    let staging = setup_staging_path(dir);
    if keys::keys_path(dir).exists() {
        let db_path = db::database_path(dir);
        // Only in place of nothing or an unencrypted database: never over records in use.
        if staging.exists() && (!db_path.exists() || is_plain_sqlite(&db_path)?) {
            install_staged(&staging, &db_path)?;
        }
        return Ok(());
    }
    remove_staging(&staging)?;
    // A key file cut short while being written (`write_atomically`'s temporary file).
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".stillpoint-")
            {
                remove_if_there(&entry.path())?;
            }
        }
    }
    Ok(())
}
