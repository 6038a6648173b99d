// The commands come from the one table in `src/command_table.rs`: listed in the app manifest,
// Tauri generates one permission per command, and the capability file written here allows
// exactly those, so the capability really decides what the webview may call.

use std::path::Path;

/// Reads only the names from the table; the types and bodies are checked by the crate itself.
macro_rules! command_table {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($args:tt)* ) $( with $chan:ident )? -> $ok:ty =
            |$c:ident, $a:pat_param| $body:expr;
    )*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("src/command_table.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/command_table.rs");
    if let Err(e) = write_capability(Path::new("capabilities/default.json")) {
        eprintln!("cannot write the capability file: {e}");
        std::process::exit(1);
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1)
    });
}

/// The main window may call every command in the table and nothing else. Written only when
/// it changed, so an unchanged table rebuilds nothing.
fn write_capability(path: &Path) -> std::io::Result<()> {
    let permissions: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("    \"allow-{}\"", c.replace('_', "-")))
        .collect();
    let text = format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"default\",\n  \
         \"description\": \"The main window may call Stillpoint's own commands and nothing else. \
         Written by build.rs from src/command_table.rs.\",\n  \"windows\": [\n    \"main\"\n  ],\n  \
         \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    );
    if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(path, text)?;
    }
    Ok(())
}
