//! IPC commands: each one locks the app state and calls the core. `async` runs them off the
//! main thread, and no lock is held across an `.await` (there is none).

use std::sync::{Mutex, PoisonError};

use stillpoint::audit::AuditRecord;
use stillpoint::dashboard::{Dashboard, DashboardQuery};
use stillpoint::export::{ExportKind, ExportReport, Progress};
use stillpoint::history::ClientHistory;
use stillpoint::intake::{ClientAlerts, Intake, IntakeInput};
use stillpoint::outcomes::ClientOutcomes;
use stillpoint::search::{SearchQuery, SearchResults};
use stillpoint::sessions::{Session, SessionInput, SessionSummary};
use stillpoint::techniques::{Technique, TechniqueInput};
use stillpoint::vocab::Vocabulary;
use stillpoint::{App, AppStatus, Client, ClientFields, ClientPage, ClientQuery, Result, Store};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::save_dialog;

type AppState<'a> = State<'a, Mutex<App>>;

/// Run `f` against the open store. A panic elsewhere never leaves the state unusable.
fn with_store<T>(state: &AppState<'_>, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
    let mut app = state.lock().unwrap_or_else(PoisonError::into_inner);
    f(app.store()?)
}

#[tauri::command(async)]
pub fn app_status(state: AppState<'_>) -> AppStatus {
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
    stillpoint::vocab::vocabulary()
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
    with_store(&state, |s| s.save_session_draft(&id, &input))
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
    reader
        .export_to_file(kind, client_id, &path, &mut |p| {
            // A closed window only means nobody is watching the progress.
            on_progress.send(p).ok();
        })
        .map(Some)
}
