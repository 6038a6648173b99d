//! The desktop shell. Every command is a one-line adapter onto the core; no rule lives here.

mod commands;
mod save_dialog;

use std::sync::Mutex;

use stillpoint::App;

pub fn run() -> tauri::Result<()> {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
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
            commands::vocabulary,
            commands::record_intake,
            commands::list_intakes,
            commands::acknowledge_red_flags,
            commands::client_alerts,
            commands::list_techniques,
            commands::add_technique,
            commands::update_technique,
            commands::set_technique_retired,
            commands::start_session,
            commands::save_session_draft,
            commands::sign_session,
            commands::amend_session,
            commands::get_session,
            commands::list_sessions,
            commands::client_outcomes,
            commands::dashboard,
            commands::search,
            commands::client_history,
            commands::export,
        ])
        .run(tauri::generate_context!())
}
