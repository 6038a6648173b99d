//! The desktop shell. Every command is a one-line adapter onto the core; no rule lives here.

mod commands;

use std::sync::Mutex;

use stillpoint::App;

pub fn run() -> tauri::Result<()> {
    tauri::Builder::default()
        .manage(Mutex::new(App::start()))
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::list_clients,
            commands::get_client,
            commands::create_client,
            commands::update_client,
            commands::archive_client,
            commands::restore_client,
            commands::client_audit,
        ])
        .run(tauri::generate_context!())
}
