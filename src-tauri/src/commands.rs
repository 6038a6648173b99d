//! IPC commands, made from the one table in `command_table.rs`: each command decodes its
//! arguments strictly through the core ([`stillpoint::ipc::decode`]) and runs one line of
//! the core on a plain thread. `async` keeps them off the main thread; no lock is held
//! across an `.await` (there is none).

use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use stillpoint::db::audit::{AuditRecord, AuditVerification};
use stillpoint::domain::care_plan::{CarePlanInput, CarePlanState};
use stillpoint::domain::clinic_settings::ClinicSettings;
use stillpoint::domain::diary::{DiaryDay, DiaryDayInput, DiaryFile};
use stillpoint::domain::diary_store::{DiaryImportReport, DiaryMonth};
use stillpoint::domain::home_care::{HomeCareItem, HomeCareItemInput};
use stillpoint::domain::intake::{ClientAlerts, Intake, IntakeInput};
use stillpoint::domain::midas::{MidasAssessment, MidasCorrectionInput, MidasInput};
use stillpoint::domain::sessions::{Session, SessionCorrectionInput, SessionInput, SessionSummary};
use stillpoint::domain::techniques::{Technique, TechniqueInput};
use stillpoint::domain::vocab::Vocabulary;
use stillpoint::progress::{Progress, Reporter};
use stillpoint::reports::dashboard::{Dashboard, DashboardQuery};
use stillpoint::reports::export::{ExportKind, ExportReport};
use stillpoint::reports::history::{ClientChart, ClientHistory};
use stillpoint::reports::outcomes::ClientOutcomes;
use stillpoint::search::{SearchQuery, SearchResults};
use stillpoint::security::backup::{BackupInfo, BackupReport};
use stillpoint::security::clinic_link::JoinInput;
use stillpoint::security::gate::{About, Folder, LinkStatus, SetupDone, SetupInput};
use stillpoint::security::users::{NewUser, ProfileInput, User};
use stillpoint::{App, AppStatus, Client, ClientFields, ClientPage, ClientQuery, Result, Store};
use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::save_dialog;

type AppState<'a> = State<'a, Mutex<App>>;

/// Run `f` on a plain thread of its own. The clinic server's client (the sync `postgres`
/// crate) drives its own small runtime, which may not start on a thread of Tauri's runtime
/// (where async commands run): so the core always runs outside it, on either engine.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A command's arguments: the whole JSON object the page sent, decoded by the core. Any
/// failure is the core's validation error naming the field, so the page handles one shape.
pub struct Args<T>(pub T);

impl<'de, R: Runtime, T: DeserializeOwned> CommandArg<'de, R> for Args<T> {
    fn from_command(item: CommandItem<'de, R>) -> std::result::Result<Self, InvokeError> {
        let decoded = match item.message.payload() {
            InvokeBody::Json(value) => stillpoint::ipc::decode(value),
            InvokeBody::Raw(_) => stillpoint::ipc::decode(&serde_json::Value::Null),
        };
        decoded.map(Args).map_err(InvokeError::from)
    }
}

/// What a command's line in the table reaches the core through.
pub struct Ctx<'a> {
    handle: AppHandle,
    state: AppState<'a>,
    progress: Option<Channel<Progress>>,
}

impl Ctx<'_> {
    /// Run `f` against the app itself (login, setup, users, backups).
    fn app<T: Send>(&self, f: impl FnOnce(&mut App) -> T + Send) -> T {
        off_runtime(|| f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner)))
    }

    /// Run `f` against the app, with the page's progress channel as a reporter the core may
    /// share (an upgrade at login reports from the migrations' hooks).
    fn app_reporting<T: Send>(&self, f: impl FnOnce(&mut App, &Reporter) -> T + Send) -> T {
        let report: Reporter = match self.progress.clone() {
            Some(ch) => Arc::new(move |p| {
                ch.send(p).ok();
            }),
            None => stillpoint::progress::nobody(),
        };
        self.app(|app| f(app, &report))
    }

    /// Run `f` against the open store. A panic elsewhere never leaves the state unusable.
    fn store<T: Send>(&self, f: impl FnOnce(&mut Store) -> Result<T> + Send) -> Result<T> {
        off_runtime(|| {
            let mut app = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            f(app.logged_in_store()?)
        })
    }

    /// Progress for the page; a closed window only means nobody is watching.
    fn report(&self) -> impl FnMut(Progress) + Send + '_ {
        move |p| {
            if let Some(ch) = &self.progress {
                ch.send(p).ok();
            }
        }
    }

    /// The folder the core names, opened by the desktop's file manager (`xdg-open` and its
    /// kin on Linux). Returns once the file manager is started.
    fn open_folder(&self, folder: Folder) -> Result<()> {
        let path = self.app(|a| a.folder(folder))?;
        open::that_detached(&path).map_err(|e| {
            stillpoint::Error::new(
                stillpoint::ErrorCode::Internal,
                format!(
                    "No file manager could open {} ({e}). Open the folder yourself; its path is above.",
                    path.display()
                ),
            )
        })
    }

    fn choose_ca_file(&self) -> Option<String> {
        save_dialog::choose_ca_file(&self.handle)
    }

    /// Ask where to save (the native dialog, shown from here so the page never names a path),
    /// then write the export on a second connection: the screens keep working meanwhile.
    fn export(
        &self,
        kind: ExportKind,
        client_id: Option<&str>,
        session_id: Option<&str>,
    ) -> Result<Option<ExportReport>> {
        let (name, reader) = self.store(|s| {
            Ok((
                s.suggested_export_name(kind, client_id, session_id)?,
                s.open_another()?,
            ))
        })?;
        let Some(path) = save_dialog::ask(&self.handle, kind, &name) else {
            return Ok(None);
        };
        let mut report = self.report();
        off_runtime(move || reader.export_to_file(kind, client_id, session_id, &path, &mut report))
            .map(Some)
    }

    /// The backup runs on a second connection, outside the lock: the screens keep working.
    fn backup_now(&self) -> Result<BackupReport> {
        let (reader, dir) = self.app(|a| a.backup_source())?;
        let mut report = self.report();
        off_runtime(move || reader.backup(&dir, &mut report))
    }
}

/// Builds, from the table: one module of argument types, one Tauri command per line, the
/// handler list, the names, a decoder per name (for tests) and the TypeScript map.
macro_rules! command_table {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) $( with $chan:ident )? -> $ok:ty =
            |$c:ident, $a:pat_param| $body:expr;
    )*) => {
        /// Each command's arguments, as the page sends them (`clientId`, `input`, …).
        #[allow(non_camel_case_types)]
        pub mod args {
            use super::*;
            $(
                #[derive(Deserialize, TS)]
                #[serde(deny_unknown_fields, rename_all = "camelCase")]
                pub struct $name {
                    $(
                        #[allow(dead_code)]
                        pub $arg: $ty,
                    )*
                    $(
                        // The progress channel: Tauri hands it to the command separately.
                        #[allow(dead_code)]
                        #[ts(type = "Channel<Progress>")]
                        pub $chan: IgnoredAny,
                    )?
                }
            )*
        }

        $(
            $(#[doc = $doc])*
            #[tauri::command(async)]
            pub fn $name(
                handle: AppHandle,
                state: AppState<'_>,
                args: Args<args::$name>,
                $( $chan: Channel<Progress>, )?
            ) -> Result<$ok> {
                let $a = args.0;
                let $c = Ctx {
                    handle,
                    state,
                    progress: None $( .or(Some($chan)) )?,
                };
                $body
            }
        )*

        /// The handler for every command in the table.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Every command's name, in the table's order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Decode `value` as `name`'s arguments; `None` for a name not in the table.
        pub fn decode_args(name: &str, value: &serde_json::Value) -> Option<Result<()>> {
            match name {
                $( stringify!($name) => Some(stillpoint::ipc::decode::<args::$name>(value).map(|_| ())), )*
                _ => None,
            }
        }

        /// `ui/src/lib/bindings/Commands.ts`: each command's arguments and result.
        pub fn typescript() -> String {
            let mut entries = Vec::new();
            $(
                let has_channel = false $( || { let _ = stringify!($chan); true } )?;
                let arg_names: &[&str] = &[$(stringify!($arg)),*];
                entries.push(crate::ts_map::Entry::new::<args::$name, $ok>(
                    stringify!($name),
                    &[$($doc),*],
                    arg_names.is_empty() && !has_channel,
                ));
            )*
            crate::ts_map::render(&entries)
        }
    };
}

include!("command_table.rs");
