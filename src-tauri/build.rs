// Listing our commands in an app manifest makes Tauri generate one permission per command,
// so the capability file really decides what the webview may call.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(stillpoint_commands())),
    )
    .unwrap_or_else(|e| {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1)
    });
}

fn stillpoint_commands() -> &'static [&'static str] {
    &[
        "app_status",
        "list_clients",
        "get_client",
        "create_client",
        "update_client",
        "archive_client",
        "restore_client",
        "client_audit",
        "vocabulary",
        "record_intake",
        "list_intakes",
        "acknowledge_red_flags",
        "client_alerts",
        "list_techniques",
        "add_technique",
        "update_technique",
        "set_technique_retired",
        "start_session",
        "save_session_draft",
        "sign_session",
        "amend_session",
        "get_session",
        "list_sessions",
        "client_outcomes",
        "dashboard",
        "search",
        "client_history",
        "client_chart",
        "export",
        "setup",
        "join_clinic",
        "choose_ca_file",
        "check_link",
        "login",
        "logout",
        "lock_now",
        "change_password",
        "recover",
        "list_users",
        "add_user",
        "set_user_disabled",
        "set_user_password",
        "verify_audit",
        "clinic_settings",
        "update_clinic_settings",
        "idle_lock_minutes",
        "set_idle_lock_minutes",
        "list_backups",
        "backup_now",
        "restore_backup",
    ]
}
