//! The native file dialogs, asked from Rust: where to save an export (its extension added
//! when the user typed a name without one), and the clinic's certificate when joining a
//! clinic server.

use std::path::PathBuf;

use stillpoint::reports::export::{ExportKind, default_export_dir};
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

pub fn ask(app: &AppHandle, kind: ExportKind, suggested_name: &str) -> Option<PathBuf> {
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Save export")
        .set_file_name(suggested_name)
        .add_filter(kind.file_type(), &[kind.extension()]);
    if let Some(dir) = default_export_dir() {
        dialog = dialog.set_directory(dir);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let mut path = dialog.blocking_save_file()?.into_path().ok()?;
    if path.extension().is_none() {
        path.set_extension(kind.extension());
    }
    Some(path)
}

pub fn choose_ca_file(app: &AppHandle) -> Option<String> {
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Choose the clinic's certificate")
        .add_filter("Certificate (PEM)", &["pem", "crt", "cer"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let path = dialog.blocking_pick_file()?.into_path().ok()?;
    Some(path.display().to_string())
}
