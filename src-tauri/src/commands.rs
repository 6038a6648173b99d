//! IPC commands: each one locks the app state and calls the core. `async` runs them off the
//! main thread, and no lock is held across an `.await` (there is none).

use std::sync::{Mutex, PoisonError};

use stillpoint::audit::AuditRecord;
use stillpoint::{App, AppStatus, Client, ClientFields, ClientPage, ClientQuery, Result, Store};
use tauri::State;

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
