//! IPC commands: each one locks the app state and calls the core. `async` runs them off the
//! main thread, and no lock is held across an `.await` (there is none).

use std::sync::{Mutex, PoisonError};

use stillpoint::db::audit::{AuditRecord, AuditVerification};
use stillpoint::domain::clinic_settings::ClinicSettings;
use stillpoint::domain::intake::{ClientAlerts, Intake, IntakeInput};
use stillpoint::domain::sessions::{Session, SessionInput, SessionSummary};
use stillpoint::domain::techniques::{Technique, TechniqueInput};
use stillpoint::domain::vocab::Vocabulary;
use stillpoint::reports::dashboard::{Dashboard, DashboardQuery};
use stillpoint::reports::export::{ExportKind, ExportReport, Progress};
use stillpoint::reports::history::{ClientChart, ClientHistory};
use stillpoint::reports::outcomes::ClientOutcomes;
use stillpoint::search::{SearchQuery, SearchResults};
use stillpoint::security::backup::{BackupInfo, BackupReport};
use stillpoint::security::clinic_link::JoinInput;
use stillpoint::security::gate::{LinkStatus, SetupDone, SetupInput};
use stillpoint::security::users::{NewUser, User};
use stillpoint::{App, AppStatus, Client, ClientFields, ClientPage, ClientQuery, Result, Store};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

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

/// Run `f` against the app itself (login, setup, users, backups).
fn with_app<T: Send>(state: &AppState<'_>, f: impl FnOnce(&mut App) -> T + Send) -> T {
    off_runtime(|| f(&mut state.lock().unwrap_or_else(PoisonError::into_inner)))
}

/// Run `f` against the open store. A panic elsewhere never leaves the state unusable.
fn with_store<T: Send>(
    state: &AppState<'_>,
    f: impl FnOnce(&mut Store) -> Result<T> + Send,
) -> Result<T> {
    off_runtime(|| {
        let mut app = state.lock().unwrap_or_else(PoisonError::into_inner);
        f(app.logged_in_store()?)
    })
}

#[tauri::command(async)]
pub fn app_status(state: AppState<'_>) -> AppStatus {
    crate::report_ready();
    state
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .status()
}

#[tauri::command(async)]
pub fn list_clients(state: AppState<'_>, query: ClientQuery) -> Result<ClientPage> {
    with_store(&state, |s| s.list_clients(&query))
}

#[tauri::command(async)]
pub fn get_client(state: AppState<'_>, id: String) -> Result<Client> {
    with_store(&state, |s| s.get_client(&id))
}

#[tauri::command(async)]
pub fn create_client(state: AppState<'_>, fields: ClientFields) -> Result<Client> {
    with_store(&state, |s| s.create_client(&fields))
}

#[tauri::command(async)]
pub fn update_client(
    state: AppState<'_>,
    id: String,
    version: i64,
    fields: ClientFields,
) -> Result<Client> {
    with_store(&state, |s| s.update_client(&id, version, &fields))
}

#[tauri::command(async)]
pub fn archive_client(state: AppState<'_>, id: String) -> Result<Client> {
    with_store(&state, |s| s.archive_client(&id))
}

#[tauri::command(async)]
pub fn restore_client(state: AppState<'_>, id: String) -> Result<Client> {
    with_store(&state, |s| s.restore_client(&id))
}

#[tauri::command(async)]
pub fn client_audit(state: AppState<'_>, id: String) -> Result<Vec<AuditRecord>> {
    with_store(&state, |s| s.client_audit(&id))
}

#[tauri::command(async)]
pub fn vocabulary() -> Vocabulary {
    stillpoint::domain::vocab::vocabulary()
}

#[tauri::command(async)]
pub fn record_intake(state: AppState<'_>, client_id: String, input: IntakeInput) -> Result<Intake> {
    with_store(&state, |s| s.record_intake(&client_id, &input))
}

#[tauri::command(async)]
pub fn list_intakes(state: AppState<'_>, client_id: String) -> Result<Vec<Intake>> {
    with_store(&state, |s| s.list_intakes(&client_id))
}

#[tauri::command(async)]
pub fn acknowledge_red_flags(
    state: AppState<'_>,
    intake_id: String,
    referral_note: String,
) -> Result<Intake> {
    with_store(&state, |s| {
        s.acknowledge_red_flags(&intake_id, &referral_note)
    })
}

#[tauri::command(async)]
pub fn client_alerts(state: AppState<'_>, client_id: String) -> Result<ClientAlerts> {
    with_store(&state, |s| s.client_alerts(&client_id))
}

#[tauri::command(async)]
pub fn list_techniques(state: AppState<'_>, include_retired: bool) -> Result<Vec<Technique>> {
    with_store(&state, |s| s.list_techniques(include_retired))
}

#[tauri::command(async)]
pub fn add_technique(state: AppState<'_>, input: TechniqueInput) -> Result<Technique> {
    with_store(&state, |s| s.add_technique(&input))
}

#[tauri::command(async)]
pub fn update_technique(
    state: AppState<'_>,
    id: String,
    input: TechniqueInput,
) -> Result<Technique> {
    with_store(&state, |s| s.update_technique(&id, &input))
}

#[tauri::command(async)]
pub fn set_technique_retired(state: AppState<'_>, id: String, retired: bool) -> Result<Technique> {
    with_store(&state, |s| s.set_technique_retired(&id, retired))
}

#[tauri::command(async)]
pub fn start_session(state: AppState<'_>, client_id: String) -> Result<Session> {
    with_store(&state, |s| s.start_session(&client_id))
}

#[tauri::command(async)]
pub fn save_session_draft(state: AppState<'_>, id: String, input: SessionInput) -> Result<Session> {
    with_app(&state, |a| a.save_session_draft(&id, &input))
}

#[tauri::command(async)]
pub fn sign_session(state: AppState<'_>, id: String) -> Result<Session> {
    with_store(&state, |s| s.sign_session(&id))
}

#[tauri::command(async)]
pub fn amend_session(
    state: AppState<'_>,
    id: String,
    reason: String,
    body: String,
) -> Result<Session> {
    with_store(&state, |s| s.amend_session(&id, &reason, &body))
}

#[tauri::command(async)]
pub fn get_session(state: AppState<'_>, id: String) -> Result<Session> {
    with_store(&state, |s| s.get_session(&id))
}

#[tauri::command(async)]
pub fn list_sessions(state: AppState<'_>, client_id: String) -> Result<Vec<SessionSummary>> {
    with_store(&state, |s| s.list_sessions(&client_id))
}

#[tauri::command(async)]
pub fn client_outcomes(state: AppState<'_>, client_id: String) -> Result<ClientOutcomes> {
    with_store(&state, |s| s.client_outcomes(&client_id))
}

#[tauri::command(async)]
pub fn dashboard(state: AppState<'_>, query: DashboardQuery) -> Result<Dashboard> {
    with_store(&state, |s| s.dashboard(&query))
}

#[tauri::command(async)]
pub fn search(state: AppState<'_>, query: SearchQuery) -> Result<SearchResults> {
    with_store(&state, |s| s.search(&query))
}

#[tauri::command(async)]
pub fn client_chart(state: AppState<'_>, client_id: String) -> Result<ClientChart> {
    with_store(&state, |s| s.client_chart(&client_id))
}

#[tauri::command(async)]
pub fn client_history(state: AppState<'_>, client_id: String) -> Result<ClientHistory> {
    with_store(&state, |s| s.client_history(&client_id))
}

/// Ask where to save (the native dialog, shown from here so the webview never names a path),
/// then write the export on a second connection: the screens keep working meanwhile.
/// `None` when the user cancelled the dialog.
#[tauri::command(async)]
pub fn export(
    app: AppHandle,
    state: AppState<'_>,
    kind: ExportKind,
    client_id: Option<String>,
    on_progress: Channel<Progress>,
) -> Result<Option<ExportReport>> {
    let client_id = client_id.as_deref();
    let (name, reader) = with_store(&state, |s| {
        Ok((s.suggested_export_name(kind, client_id)?, s.open_another()?))
    })?;
    let Some(path) = save_dialog::ask(&app, kind, &name) else {
        return Ok(None);
    };
    off_runtime(move || {
        reader.export_to_file(kind, client_id, &path, &mut |p| {
            // A closed window only means nobody is watching the progress.
            on_progress.send(p).ok();
        })
    })
    .map(Some)
}

// First run, login, lock, users.

#[tauri::command(async)]
pub fn setup(state: AppState<'_>, input: SetupInput) -> Result<SetupDone> {
    with_app(&state, |a| a.setup(&input))
}

#[tauri::command(async)]
pub fn join_clinic(state: AppState<'_>, input: JoinInput) -> Result<AppStatus> {
    with_app(&state, |a| a.join_clinic(&input))
}

/// The native open dialog for the clinic's CA certificate; `None` when cancelled.
#[tauri::command(async)]
pub fn choose_ca_file(app: AppHandle) -> Option<String> {
    save_dialog::choose_ca_file(&app)
}

#[tauri::command(async)]
pub fn check_link(state: AppState<'_>) -> LinkStatus {
    with_app(&state, |a| a.check_link())
}

#[tauri::command(async)]
pub fn login(state: AppState<'_>, username: String, password: String) -> Result<AppStatus> {
    with_app(&state, |a| a.login(&username, &password))
}

#[tauri::command(async)]
pub fn logout(state: AppState<'_>) -> AppStatus {
    with_app(&state, |a| a.logout())
}

#[tauri::command(async)]
pub fn lock_now(state: AppState<'_>) -> AppStatus {
    with_app(&state, |a| a.lock_now())
}

#[tauri::command(async)]
pub fn change_password(state: AppState<'_>, current: String, new: String) -> Result<()> {
    with_app(&state, |a| a.change_password(&current, &new))
}

#[tauri::command(async)]
pub fn recover(
    state: AppState<'_>,
    recovery_key: String,
    username: String,
    new_password: String,
) -> Result<AppStatus> {
    with_app(&state, |a| {
        a.recover(&recovery_key, &username, &new_password)
    })
}

#[tauri::command(async)]
pub fn list_users(state: AppState<'_>) -> Result<Vec<User>> {
    with_store(&state, |s| s.list_users())
}

#[tauri::command(async)]
pub fn add_user(state: AppState<'_>, input: NewUser) -> Result<User> {
    with_app(&state, |a| a.add_user(&input))
}

#[tauri::command(async)]
pub fn set_user_disabled(state: AppState<'_>, username: String, disabled: bool) -> Result<User> {
    with_store(&state, |s| s.set_user_disabled(&username, disabled))
}

#[tauri::command(async)]
pub fn set_user_password(state: AppState<'_>, username: String, password: String) -> Result<()> {
    with_app(&state, |a| a.set_user_password(&username, &password))
}

// Administration: audit check, settings, backups.

#[tauri::command(async)]
pub fn verify_audit(state: AppState<'_>) -> Result<AuditVerification> {
    with_store(&state, |s| s.verify_audit())
}

#[tauri::command(async)]
pub fn clinic_settings(state: AppState<'_>) -> Result<ClinicSettings> {
    with_store(&state, |s| s.clinic_settings())
}

#[tauri::command(async)]
pub fn update_clinic_settings(
    state: AppState<'_>,
    input: ClinicSettings,
) -> Result<ClinicSettings> {
    with_store(&state, |s| s.update_clinic_settings(&input))
}

#[tauri::command(async)]
pub fn idle_lock_minutes(state: AppState<'_>) -> Result<u32> {
    with_store(&state, |s| s.idle_lock_minutes())
}

#[tauri::command(async)]
pub fn set_idle_lock_minutes(state: AppState<'_>, minutes: u32) -> Result<u32> {
    with_app(&state, |a| a.set_idle_lock_minutes(minutes))
}

#[tauri::command(async)]
pub fn list_backups(state: AppState<'_>) -> Result<Vec<BackupInfo>> {
    with_app(&state, |a| a.list_backups())
}

/// The backup runs on a second connection, outside the lock: the screens keep working.
#[tauri::command(async)]
pub fn backup_now(state: AppState<'_>, on_progress: Channel<Progress>) -> Result<BackupReport> {
    let (reader, dir) = with_app(&state, |a| a.backup_source())?;
    reader.backup(&dir, &mut |p| {
        on_progress.send(p).ok();
    })
}

#[tauri::command(async)]
pub fn restore_backup(state: AppState<'_>, name: String) -> Result<AppStatus> {
    with_app(&state, |a| a.restore_backup(&name))
}
