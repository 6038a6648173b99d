// Prevents an extra console window on Windows in release.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = stillpoint_app::run() {
        eprintln!("Stillpoint could not start: {e}");
        std::process::exit(1);
    }
}
