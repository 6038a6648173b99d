//! `stillpoint-clinic`: for whoever runs the clinic server.
//!
//! ```text
//! stillpoint-clinic import DATA_FOLDER --server CONNINFO [--username NAME | --recovery-key] [--secret-stdin]
//! stillpoint-clinic check --server CONNINFO
//! stillpoint-clinic upgrade --server CONNINFO
//! stillpoint-clinic add-user USERNAME --name "FULL NAME" --role therapist|manager|administrator --server CONNINFO [--secret-stdin]
//! ```
//!
//! `import` moves a single-computer Stillpoint (its data folder: the encrypted database and
//! keys.json) into an empty clinic database on the server, unlocked with an administrator's
//! password (asked for on the terminal) or the recovery key; everything lands or nothing
//! does. `check` verifies the server's audit chain and outcome totals. `add-user` adds a
//! Stillpoint user with their own login role on the server (the password asked for twice on
//! the terminal, or read from standard input; only its SCRAM verifier reaches the server). CONNINFO is a
//! libpq-style `key=value` string (`host=… port=… dbname=… user=…`).
//!
//! Every rule lives in the core (`stillpoint::security::import`); this reads arguments and
//! prints.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use stillpoint::security::import::{Unlock, check_server, import_folder};
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{OpenOptions, Store};

const USAGE: &str = "usage:
  stillpoint-clinic import DATA_FOLDER --server CONNINFO [--username NAME | --recovery-key] [--secret-stdin]
      Move a single-computer Stillpoint into an empty clinic database. Close Stillpoint on
      that computer first. The password of an administrator (default username: admin), or
      with --recovery-key the recovery key, is asked for on the terminal, or read as one line
      from standard input with --secret-stdin.
  stillpoint-clinic check --server CONNINFO
      Verify the clinic database's audit chain and outcome totals.
  stillpoint-clinic upgrade --server CONNINFO
      Bring the clinic database's schema up to this version (run as the clinic's owner, after
      installing a newer Stillpoint; workstations cannot change the schema).
  stillpoint-clinic add-user USERNAME --name NAME --role therapist|manager|administrator --server CONNINFO [--secret-stdin]
      Add a user with their own login on the clinic server (run as the clinic's owner).
CONNINFO: host=… port=… dbname=… user=… (libpq key=value form)";

struct Args {
    command: String,
    folder: Option<PathBuf>,
    server: Option<String>,
    username: String,
    recovery: bool,
    secret_stdin: bool,
    name: Option<String>,
    role: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let command = it.next().ok_or("no command given")?.clone();
    let mut out = Args {
        command,
        folder: None,
        server: None,
        username: "admin".to_owned(),
        recovery: false,
        secret_stdin: false,
        name: None,
        role: None,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--server" => out.server = Some(it.next().ok_or("--server needs CONNINFO")?.clone()),
            "--username" => out.username = it.next().ok_or("--username needs NAME")?.clone(),
            "--recovery-key" => out.recovery = true,
            "--name" => out.name = Some(it.next().ok_or("--name needs a full name")?.clone()),
            "--role" => out.role = Some(it.next().ok_or("--role needs a role")?.clone()),
            "--secret-stdin" => out.secret_stdin = true,
            other if !other.starts_with("--") && out.folder.is_none() => {
                out.folder = Some(PathBuf::from(other));
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(out)
}

fn secret(prompt: &str, from_stdin: bool) -> Result<String, String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("could not read standard input: {e}"))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        rpassword::prompt_password(prompt).map_err(|e| {
            format!("could not read from the terminal ({e}); use --secret-stdin to pipe it in")
        })
    }
}

fn run(args: &Args) -> Result<(), String> {
    let server = args
        .server
        .as_deref()
        .ok_or("--server CONNINFO is needed")?;
    match args.command.as_str() {
        "import" => {
            let folder = args
                .folder
                .as_ref()
                .ok_or("import needs the DATA_FOLDER of the single-computer Stillpoint")?;
            let unlock = if args.recovery {
                Unlock::RecoveryKey(secret("Recovery key: ", args.secret_stdin)?)
            } else {
                Unlock::Password {
                    username: args.username.clone(),
                    password: secret(
                        &format!("Password for {}: ", args.username),
                        args.secret_stdin,
                    )?,
                }
            };
            let report = import_folder(folder, &unlock, server).map_err(|e| e.message)?;
            println!(
                "Imported {} into the clinic server in {:.1} s:",
                folder.display(),
                report.seconds
            );
            for t in &report.tables {
                println!("  {:<26} {:>10}", t.table, t.rows);
            }
            println!(
                "Checked on the server: every table's rows equal the file's, the audit chain ({} entries) is intact, the outcome totals equal a fresh count.",
                report.audit_entries
            );
            Ok(())
        }
        "upgrade" => {
            // Opening as the clinic's owner brings the schema up to date.
            let store =
                Store::open(OpenOptions::server(server.to_owned())).map_err(|e| e.message)?;
            let version = store.schema_version().map_err(|e| e.message)?;
            println!("The clinic database is at schema {version}, this Stillpoint's newest.");
            Ok(())
        }
        "check" => {
            let check = check_server(server).map_err(|e| e.message)?;
            println!("Audit log: {}", check.audit.message);
            println!(
                "Outcome totals: {}",
                if check.totals_agree {
                    "equal a fresh count."
                } else {
                    "DO NOT equal a fresh count."
                }
            );
            if check.ok() {
                Ok(())
            } else {
                Err("the clinic database did not pass the check".to_owned())
            }
        }
        "add-user" => {
            let username = args
                .folder
                .as_ref()
                .and_then(|p| p.to_str())
                .ok_or("add-user needs the USERNAME")?
                .to_owned();
            let role = args.role.as_deref().ok_or("--role is needed")?;
            let role = Role::from_id(role).ok_or(format!(
                "unknown role {role}: therapist, manager or administrator"
            ))?;
            let password = secret(&format!("Password for {username}: "), args.secret_stdin)?;
            if !args.secret_stdin {
                let again = secret("The same password again: ", false)?;
                if again != password {
                    return Err("the two passwords differ; nothing was added".to_owned());
                }
            }
            let mut store =
                Store::open(OpenOptions::server(server.to_owned())).map_err(|e| e.message)?;
            let (user, login) = store
                .add_clinic_user(&NewUser {
                    username,
                    display_name: args.name.clone().unwrap_or_default(),
                    role: Some(role),
                    password,
                })
                .map_err(|e| match e.field {
                    Some(f) => format!("{f}: {}", e.message),
                    None => e.message,
                })?;
            println!(
                "Added {} ({}) as {}; they log in to the server as {login}.",
                user.display_name,
                user.username,
                user.role.label().to_lowercase()
            );
            Ok(())
        }
        other => Err(format!("unknown command: {other}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let parsed = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("stillpoint-clinic: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stillpoint-clinic: {e}");
            ExitCode::FAILURE
        }
    }
}
