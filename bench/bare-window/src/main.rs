//! A bare Tauri window: one page that calls one command as soon as it loads. The start-up
//! and memory benchmark compares Stillpoint against it.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static REPORTED: AtomicBool = AtomicBool::new(false);

/// The page is up: say so once on stdout, for the benchmark to time.
#[tauri::command]
fn ready() {
    if !REPORTED.swap(true, Ordering::SeqCst) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ready");
        let _ = out.flush();
    }
}

fn main() {
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
    {
        eprintln!("bare window: {e}");
        std::process::exit(1);
    }
}
