//! Writes the typed `Commands` map the UI calls through, from the command table's types, so a
//! misspelled command or argument in `ui/src/lib/api.ts` fails to compile.

use std::collections::BTreeSet;

use ts_rs::{Config, Dependency, TS, TypeVisitor};

/// One command: its name, its doc lines, and its arguments and result in TypeScript.
pub struct Entry {
    name: &'static str,
    docs: Vec<&'static str>,
    args: String,
    result: String,
    imports: Vec<String>,
}

fn config() -> Config {
    // Versions are i64 in Rust and plain numbers on the page (as in `Client.version`).
    Config::from_env().with_large_int("number")
}

impl Entry {
    pub fn new<A: TS + 'static, R: TS + 'static>(
        name: &'static str,
        docs: &[&'static str],
        no_args: bool,
    ) -> Self {
        let cfg = config();
        let args = if no_args {
            "null".to_owned()
        } else {
            A::inline(&cfg)
        };
        let mut imports: Vec<String> = A::dependencies(&cfg)
            .into_iter()
            .map(|d| d.ts_name)
            .collect();
        // A declared result type is imported itself; a wrapper (`Vec<T>`, `Option<T>`) by what
        // it wraps.
        Declared(&cfg, &mut imports).visit::<R>();
        Self {
            name,
            docs: docs.to_vec(),
            args,
            result: R::name(&cfg),
            imports,
        }
    }
}

/// The whole file.
pub fn render(entries: &[Entry]) -> String {
    let mut imports: BTreeSet<&str> = entries
        .iter()
        .flat_map(|e| e.imports.iter().map(String::as_str))
        .collect();
    imports.insert("Progress");
    let mut out = String::from(
        "// Generated from src-tauri/src/command_table.rs by `make bindings`. Do not edit.\n\
         import type { Channel } from '@tauri-apps/api/core';\n",
    );
    for name in &imports {
        out.push_str(&format!("import type {{ {name} }} from './{name}';\n"));
    }
    out.push_str(
        "\n/** Every IPC command: the arguments the page sends (`null`: none) and what it gets \
         back. */\nexport type Commands = {\n",
    );
    for e in entries {
        let docs: Vec<&str> = e.docs.iter().map(|d| d.trim()).collect();
        if !docs.is_empty() {
            out.push_str(&format!("  /** {} */\n", docs.join(" ")));
        }
        out.push_str(&format!(
            "  {}: {{ args: {}; result: {} }};\n",
            e.name, e.args, e.result
        ));
    }
    out.push_str("};\n");
    out
}

/// Collects the declared types a type names: itself when declared, else what it wraps.
struct Declared<'a>(&'a Config, &'a mut Vec<String>);

impl TypeVisitor for Declared<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        match Dependency::from_ty::<T>(self.0) {
            Some(d) => self.1.push(d.ts_name),
            None => T::visit_generics(self),
        }
    }
}
