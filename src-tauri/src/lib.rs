//! The desktop shell. Every command is a one-line adapter onto the core; no rule lives here.

pub mod commands;
mod save_dialog;
mod ts_map;

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
    // Elsewhere the web view (WebView2, WKWebView) takes the system's languages itself.
    #[cfg(not(target_os = "linux"))]
    let _ = app;
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
        .invoke_handler(commands::handler())
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

#[cfg(test)]
mod tests {
    /// `make bindings` writes the typed command map the UI calls through.
    #[test]
    fn export_bindings_commands() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "bindings".to_owned());
        let path = std::path::Path::new(&dir).join("Commands.ts");
        if let Err(e) = std::fs::write(&path, crate::commands::typescript()) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}
