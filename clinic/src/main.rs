//! `stillpoint-clinic`: for whoever runs the clinic server.
//!
//! ```text
//! stillpoint-clinic import DATA_FOLDER --server CONNINFO [--username NAME | --recovery-key] [--secret-stdin]
//! stillpoint-clinic check --server CONNINFO
//! stillpoint-clinic upgrade --server CONNINFO (--key-file PATH --out FILE | --no-backup)
//! stillpoint-clinic add-user USERNAME --name "FULL NAME" --role therapist|manager|administrator --server CONNINFO [--secret-stdin]
//! stillpoint-clinic init --server CONNINFO --database NAME [--owner NAME] [--admin USERNAME --admin-name "FULL NAME"] [--host HOSTNAME] [--tls-dir DIR] [--no-server-config] [--secret-stdin]
//! stillpoint-clinic backup --server CONNINFO --key-file PATH --out FILE
//! stillpoint-clinic verify --server CONNINFO --key-file PATH FILE
//! stillpoint-clinic restore --server CONNINFO --key-file PATH FILE --database NAME [--replace]
//! ```
//!
//! `init` sets up a clinic on the server (run on the server, with its superuser): the
//! database, its owner role, the schema, the first administrator, TLS and `pg_hba.conf`,
//! and the backup key. `backup` writes an encrypted `pg_dump` and checks it; `verify` checks
//! a backup by restoring it into a scratch database; `restore` restores one, never over a
//! database holding records unless `--replace` (which keeps the old one renamed).
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

use stillpoint::security::clinic_backup::{self, BackupCheck};
use stillpoint::security::clinic_server::{self, FirstAdmin, InitOptions, UpgradeBackup};
use stillpoint::security::import::{Unlock, check_server, import_folder};
use stillpoint::security::users::{NewUser, Role};
use stillpoint::{OpenOptions, Store};

/// A line on standard output. A reader that went away (`stillpoint-clinic --help | head`) is
/// not an error worth a panic, as `println!` makes it.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

const USAGE: &str = "usage:
  stillpoint-clinic import DATA_FOLDER --server CONNINFO [--username NAME | --recovery-key] [--secret-stdin]
      Move a single-computer Stillpoint into an empty clinic database. Close Stillpoint on
      that computer first. The password of an administrator (default username: admin), or
      with --recovery-key the recovery key, is asked for on the terminal, or read as one line
      from standard input with --secret-stdin.
  stillpoint-clinic check --server CONNINFO
      Verify the clinic database's audit chain and outcome totals.
  stillpoint-clinic set-login USERNAME --server CONNINFO [--secret-stdin]
      Give a user moved in by import their own login on the server, with a new password.
  stillpoint-clinic upgrade --server CONNINFO (--key-file PATH --out FILE | --no-backup)
      Bring the clinic database's schema up to this version, after installing a newer
      Stillpoint (workstations cannot change the schema). First a backup into FILE, as backup
      writes it, and verified; every step then runs in one transaction, so a failed upgrade
      changes nothing. CONNINFO as for backup (the superuser, dbname=CLINIC). With
      --no-backup, none is taken: then the clinic's owner may run it too.
  stillpoint-clinic add-user USERNAME --name NAME --role therapist|manager|administrator --server CONNINFO [--secret-stdin]
      Add a user with their own login on the clinic server (run as the clinic's owner).
  stillpoint-clinic init --server CONNINFO --database NAME [--owner NAME] [--admin USERNAME --admin-name NAME]
                         [--host HOSTNAME] [--tls-dir DIR] [--no-server-config] [--secret-stdin]
      Set up a clinic on this server (run on the server, as the postgres user, with the
      superuser's CONNINFO, e.g. \"host=/var/run/postgresql user=postgres\"): the database, its
      owner role (default NAME_owner), the schema, the first administrator, TLS for --host
      (the clinic CA in --tls-dir, default /etc/stillpoint-clinic), pg_hba.conf rules, and
      the backup key. Passwords (the owner's, then the administrator's) are asked for twice
      on the terminal, or read as lines from standard input with --secret-stdin.
  stillpoint-clinic backup --server CONNINFO --key-file PATH --out FILE
      pg_dump the clinic database named in CONNINFO into FILE, encrypted with the backup
      key, then verify it.
  stillpoint-clinic verify --server CONNINFO --key-file PATH FILE
      Decrypt FILE, restore it into a scratch database (dropped after) and check it.
  stillpoint-clinic restore --server CONNINFO --key-file PATH FILE --database NAME [--replace]
      Verify FILE, then restore it into the database NAME, which must be absent or empty;
      with --replace a database holding records is kept as NAME_before_restore_<time>.
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
    database: Option<String>,
    owner: Option<String>,
    admin: Option<String>,
    admin_name: Option<String>,
    host: Option<String>,
    tls_dir: Option<PathBuf>,
    no_server_config: bool,
    key_file: Option<PathBuf>,
    out: Option<PathBuf>,
    replace: bool,
    no_backup: bool,
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
        database: None,
        owner: None,
        admin: None,
        admin_name: None,
        host: None,
        tls_dir: None,
        no_server_config: false,
        key_file: None,
        out: None,
        replace: false,
        no_backup: false,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--server" => out.server = Some(it.next().ok_or("--server needs CONNINFO")?.clone()),
            "--username" => out.username = it.next().ok_or("--username needs NAME")?.clone(),
            "--recovery-key" => out.recovery = true,
            "--name" => out.name = Some(it.next().ok_or("--name needs a full name")?.clone()),
            "--role" => out.role = Some(it.next().ok_or("--role needs a role")?.clone()),
            "--secret-stdin" => out.secret_stdin = true,
            "--database" => {
                out.database = Some(it.next().ok_or("--database needs a NAME")?.clone());
            }
            "--owner" => out.owner = Some(it.next().ok_or("--owner needs a NAME")?.clone()),
            "--admin" => out.admin = Some(it.next().ok_or("--admin needs a USERNAME")?.clone()),
            "--admin-name" => {
                out.admin_name = Some(it.next().ok_or("--admin-name needs a full name")?.clone());
            }
            "--host" => out.host = Some(it.next().ok_or("--host needs a HOSTNAME")?.clone()),
            "--tls-dir" => {
                out.tls_dir = Some(PathBuf::from(it.next().ok_or("--tls-dir needs a DIR")?));
            }
            "--no-server-config" => out.no_server_config = true,
            "--key-file" => {
                out.key_file = Some(PathBuf::from(it.next().ok_or("--key-file needs a PATH")?));
            }
            "--out" => out.out = Some(PathBuf::from(it.next().ok_or("--out needs a FILE")?)),
            "--replace" => out.replace = true,
            "--no-backup" => out.no_backup = true,
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

/// A new password: twice on the terminal (they must match), or one line piped in.
fn new_secret(prompt: &str, from_stdin: bool) -> Result<String, String> {
    let first = secret(prompt, from_stdin)?;
    if !from_stdin {
        let again = secret("The same password again: ", false)?;
        if again != first {
            return Err("the two passwords differ; nothing was changed".to_owned());
        }
    }
    Ok(first)
}

fn with_field(e: stillpoint::Error) -> String {
    match e.field {
        Some(f) if !e.message.starts_with("--") => format!("{f}: {}", e.message),
        _ => e.message,
    }
}

fn print_check(check: &BackupCheck) {
    say!(
        "Verified: restored into a scratch database on the server (dropped again): schema {}; audit log: {} Outcome totals {}.",
        check.schema,
        check.audit.message,
        if check.totals_agree {
            "equal a fresh count"
        } else {
            "DO NOT equal a fresh count"
        }
    );
    say!(
        "The backup is of {} (taken {}, PostgreSQL {}). Rows:",
        check.meta.database,
        check.meta.taken_at,
        check.meta.server_version
    );
    for (table, rows) in &check.rows {
        say!("  {table:<20} {rows:>10}");
    }
    say!(
        "It carries {} login role(s): the owner's and each user's, as SCRAM verifiers.",
        check.roles.len()
    );
}

fn init(args: &Args, server: &str) -> Result<(), String> {
    let database = args.database.clone().ok_or("init needs --database NAME")?;
    let admin = match (&args.admin, &args.admin_name) {
        (Some(u), Some(n)) => Some(FirstAdmin {
            username: u.clone(),
            display_name: n.clone(),
            password: String::new(),
        }),
        (None, None) => None,
        (Some(_), None) => return Err("--admin needs --admin-name \"FULL NAME\" too".to_owned()),
        (None, Some(_)) => return Err("--admin-name needs --admin USERNAME too".to_owned()),
    };
    let mut options = InitOptions {
        server: server.to_owned(),
        database,
        owner: args.owner.clone(),
        owner_password: String::new(),
        admin,
        host: args.host.clone(),
        tls_dir: args
            .tls_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("/etc/stillpoint-clinic")),
        configure_server: !args.no_server_config,
    };
    // Names first, so nothing is asked for when one is wrong.
    clinic_server::check_arguments(&options).map_err(with_field)?;
    let owner = options
        .owner
        .clone()
        .unwrap_or_else(|| format!("{}_owner", options.database));
    options.owner_password = new_secret(
        &format!("New password for the owner role {owner}: "),
        args.secret_stdin,
    )?;
    if let Some(a) = &mut options.admin {
        a.password = new_secret(
            &format!("New password for the administrator {}: ", a.username),
            args.secret_stdin,
        )?;
    }
    let r = clinic_server::init(&options).map_err(with_field)?;
    say!(
        "Made the clinic database {} on this server, owned by the role {} (which made its schema).",
        r.database,
        r.owner
    );
    match &r.admin {
        Some((username, login)) => {
            say!("Added the first administrator {username}; they log in to the server as {login}.")
        }
        None => say!(
            "No administrator was added (no --admin): import a single-computer Stillpoint next, or add one with add-user."
        ),
    }
    match (&r.ca_file, &r.host) {
        (Some(ca), Some(host)) => {
            say!(
                "TLS: the server has a certificate for {host} signed by the clinic's own CA, and pg_hba.conf takes connections to {} only over TLS with a password (SCRAM).{}",
                r.database,
                if r.tls_checked {
                    " Checked: a TLS login to it works."
                } else {
                    ""
                }
            );
            if let Some(why) = &r.restart_needed {
                say!("RESTART NEEDED: {why}");
            }
            say!();
            say!("What each workstation needs (Stillpoint: \"Join my clinic's server\"):");
            say!("  Host:     {host}");
            say!("  Port:     {}", r.port);
            say!("  Database: {}", r.database);
            say!(
                "  CA file:  {}  (copy this file to each workstation)",
                ca.display()
            );
        }
        _ => {
            say!("The server's TLS and pg_hba.conf were left as they were (--no-server-config).");
            say!("  Port:     {}", r.port);
            say!("  Database: {}", r.database);
        }
    }
    say!();
    say!(
        "Backup key, written to {} (only this user may read it). Write it down now and keep it away from the server: without it no backup can be read.",
        r.backup_key_file.display()
    );
    say!("    {}", r.backup_key_text.as_str());
    if let Some(w) = r.disk_warning() {
        eprintln!("WARNING: {w}");
    }
    Ok(())
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
            say!(
                "Imported {} into the clinic server in {:.1} s:",
                folder.display(),
                report.seconds
            );
            for t in &report.tables {
                say!("  {:<26} {:>10}", t.table, t.rows);
            }
            say!(
                "Checked on the server: every table's rows equal the file's, the audit chain ({} entries) is intact, the outcome totals equal a fresh count.",
                report.audit_entries
            );
            Ok(())
        }
        "set-login" => {
            let username = args
                .folder
                .as_ref()
                .and_then(|p| p.to_str())
                .ok_or("set-login needs the USERNAME")?
                .to_owned();
            let password = secret(&format!("Password for {username}: "), args.secret_stdin)?;
            if !args.secret_stdin {
                let again = secret("The same password again: ", false)?;
                if again != password {
                    return Err("the two passwords differ; nothing was changed".to_owned());
                }
            }
            let mut store =
                Store::open(OpenOptions::server(server.to_owned())).map_err(|e| e.message)?;
            let login =
                store
                    .give_clinic_login(&username, &password)
                    .map_err(|e| match e.field {
                        Some(f) => format!("{f}: {}", e.message),
                        None => e.message,
                    })?;
            say!("{username} now logs in to the server as {login}.");
            Ok(())
        }
        "upgrade" => {
            let backup = match (&args.key_file, &args.out, args.no_backup) {
                (Some(key_file), Some(out), false) => UpgradeBackup::To { key_file, out },
                (None, None, true) => UpgradeBackup::Skip,
                (_, _, true) => {
                    return Err("--no-backup takes no --key-file or --out".to_owned());
                }
                _ => {
                    return Err(
                        "upgrade needs --key-file PATH and --out FILE for the backup it takes first (or --no-backup)"
                            .to_owned(),
                    );
                }
            };
            let r = clinic_server::upgrade(server, backup).map_err(with_field)?;
            if r.from == r.to {
                say!(
                    "The clinic database {} is at schema {}, this Stillpoint's newest: nothing to do.",
                    r.database,
                    r.to
                );
                return Ok(());
            }
            match &r.backup {
                Some(b) => {
                    say!(
                        "Backed up {} into {} first ({} bytes encrypted).",
                        r.database,
                        b.file.display(),
                        b.bytes
                    );
                    print_check(&b.check);
                }
                None => say!("No backup was taken (--no-backup)."),
            }
            say!(
                "Upgraded the clinic database {} from schema {} to {} in {:.1} s.",
                r.database,
                r.from,
                r.to,
                r.seconds
            );
            Ok(())
        }
        "check" => {
            let check = check_server(server).map_err(|e| e.message)?;
            say!("Audit log: {}", check.audit.message);
            say!(
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
            say!(
                "Added {} ({}) as {}; they log in to the server as {login}.",
                user.display_name,
                user.username,
                user.role.label().to_lowercase()
            );
            Ok(())
        }
        "init" => init(args, server),
        "backup" => {
            let key = args
                .key_file
                .as_ref()
                .ok_or("backup needs --key-file PATH")?;
            let out = args.out.as_ref().ok_or("backup needs --out FILE")?;
            let r = clinic_backup::backup(server, key, out).map_err(with_field)?;
            say!(
                "Backed up {} into {}: {} bytes encrypted ({} bytes from pg_dump) in {:.2} s.",
                r.check.meta.database,
                r.file.display(),
                r.bytes,
                r.dump_bytes,
                r.seconds
            );
            print_check(&r.check);
            if r.check.ok() {
                Ok(())
            } else {
                Err("the backup was written but did not pass its check".to_owned())
            }
        }
        "verify" => {
            let key = args
                .key_file
                .as_ref()
                .ok_or("verify needs --key-file PATH")?;
            let file = args.folder.as_ref().ok_or("verify needs the backup FILE")?;
            let check = clinic_backup::verify_backup(server, key, file).map_err(with_field)?;
            print_check(&check);
            say!("Checked in {:.2} s.", check.seconds);
            if check.ok() {
                Ok(())
            } else {
                Err("the backup did not pass its check".to_owned())
            }
        }
        "restore" => {
            let key = args
                .key_file
                .as_ref()
                .ok_or("restore needs --key-file PATH")?;
            let file = args
                .folder
                .as_ref()
                .ok_or("restore needs the backup FILE")?;
            let database = args
                .database
                .as_deref()
                .ok_or("restore needs --database NAME")?;
            let r = clinic_backup::restore_backup(server, key, file, database, args.replace)
                .map_err(with_field)?;
            print_check(&r.check);
            if !r.made_roles.is_empty() {
                say!(
                    "Made the logins this server lacked, with the passwords they had: {}.",
                    r.made_roles.join(", ")
                );
            }
            if let Some(k) = &r.kept_as {
                say!("The database that was there is kept as {k}.");
            }
            let newest = stillpoint::db::postgres::newest_schema();
            if r.check.schema < newest {
                say!(
                    "The restored clinic is at schema {}, older than this Stillpoint's {newest}: run stillpoint-clinic upgrade on it before workstations connect.",
                    r.check.schema
                );
            }
            say!(
                "Restored into {} and checked there (audit chain intact, totals equal a fresh count) in {:.2} s.",
                r.database,
                r.seconds
            );
            Ok(())
        }
        other => Err(format!("unknown command: {other}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--help" || a == "-h") {
        say!("{USAGE}");
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
