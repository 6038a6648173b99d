//! The desktop shell. Every command is a one-line adapter onto the core; no rule lives here.

mod commands;
mod save_dialog;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use stillpoint::App;
use tauri::{Manager, RunEvent};

/// For the start-up benchmark: with `STILLPOINT_REPORT_READY=1`, print "ready" on stdout the
/// first time the UI asks for the app's status (its first call once the page has loaded).
pub fn report_ready() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    static REPORTED: AtomicBool = AtomicBool::new(false);
    if std::env::var_os("STILLPOINT_REPORT_READY").is_some()
        && !REPORTED.swap(true, Ordering::SeqCst)
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ready");
        let _ = out.flush();
    }
}

/// How often the shell asks the core whether a scheduled backup is due.
const BACKUP_TICK: Duration = Duration::from_secs(5 * 60);

fn lock(app: &tauri::AppHandle) -> std::sync::MutexGuard<'_, App> {
    app.state::<Mutex<App>>()
        .inner()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Date inputs follow the web view's languages, not the page: give it the user's locale from
/// the core (a bare `C` process locale would otherwise lay dates out as 10/25/2026).
fn use_user_locale(app: &tauri::AppHandle) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        use webkit2gtk::{WebContextExt, WebViewExt};
        let tag = stillpoint::locale::detect();
        let _ = window.with_webview(move |webview| {
            if let Some(context) = webview.inner().context() {
                context.set_preferred_languages(&[tag.as_str()]);
            }
        });
    }
}

pub fn run() -> tauri::Result<()> {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(Mutex::new(App::start()))
        .setup(|app| {
            use_user_locale(app.handle());
            // The core decides when a backup is due; this thread only asks, and backs up on
            // a second connection without holding the lock.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(BACKUP_TICK);
                    let source = lock(&handle).scheduled_backup_source();
                    if let Some((reader, dir)) = source
                        && let Err(e) = reader.backup_scheduled(&dir, &mut |_| {})
                    {
                        eprintln!("stillpoint: scheduled backup failed: {}", e.message);
                    }
                }
            });
            Ok(())
        })
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
            commands::client_chart,
            commands::export,
            commands::setup,
            commands::join_clinic,
            commands::choose_ca_file,
            commands::check_link,
            commands::login,
            commands::logout,
            commands::lock_now,
            commands::change_password,
            commands::recover,
            commands::list_users,
            commands::add_user,
            commands::set_user_disabled,
            commands::set_user_password,
            commands::verify_audit,
            commands::clinic_settings,
            commands::update_clinic_settings,
            commands::idle_lock_minutes,
            commands::set_idle_lock_minutes,
            commands::list_backups,
            commands::backup_now,
            commands::restore_backup,
        ])
        .build(tauri::generate_context!())?;
    app.run(|handle, event| {
        if let RunEvent::Exit = event
            && let Some(Err(e)) = lock(handle).backup_on_close()
        {
            eprintln!("stillpoint: backup on close failed: {}", e.message);
        }
    });
    Ok(())
}
