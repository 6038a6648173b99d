//! Setting up a clinic server (`stillpoint-clinic init`): the clinic database and the role
//! that owns it, the schema, the first administrator, TLS for the server (a clinic CA and a
//! server certificate made here), `pg_hba.conf` rules that take only TLS with a SCRAM
//! password for the clinic, the backup key, and a plain warning when PostgreSQL's data folder
//! is not on an encrypted disk.
//!
//! Run on the server itself, with a superuser connection (the Unix socket as `postgres`):
//! the certificate and `pg_hba.conf` are files of the running cluster. Everything is checked
//! before anything is made; a database that already exists is refused, and a failure after
//! the database was made removes what this run made.

use std::io::Write;
use std::net::IpAddr;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509, X509NameBuilder};
use zeroize::Zeroizing;

use crate::Store;
use crate::db::OpenOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::security::clinic_backup::BackupKey;
use crate::security::clinic_roles::login_role;
use crate::security::users::{NewUser, Role, validate_password};

/// The CA certificate every workstation is given, in the TLS folder.
pub const CA_CERT_FILE: &str = "stillpoint-clinic-ca.crt";
/// The CA's private key, in the TLS folder (0600); it never leaves the server.
pub const CA_KEY_FILE: &str = "stillpoint-clinic-ca.key";
/// The server's certificate and key, installed in the cluster's data folder.
pub const SERVER_CERT_FILE: &str = "stillpoint-server.crt";
pub const SERVER_KEY_FILE: &str = "stillpoint-server.key";
/// The longest clinic database name: with `_before_restore_YYYYmmdd_HHMMSS` (31 more) it
/// still fits PostgreSQL's 63 bytes, so a restore can keep it renamed beside a new one.
pub const MAX_DATABASE_NAME: usize = 32;
/// Days the clinic CA and the server certificate are valid.
pub const CA_DAYS: u32 = 3650;
pub const SERVER_DAYS: u32 = 1825;

/// The backup key file of `database` in the TLS folder.
pub fn backup_key_path(tls_dir: &Path, database: &str) -> PathBuf {
    tls_dir.join(format!("{database}.backup-key"))
}

/// `conninfo` with another database (the last `dbname=` wins, for libpq and the postgres
/// crate alike).
pub fn with_dbname(conninfo: &str, database: &str) -> String {
    format!("{conninfo} dbname={database}")
}

/// A role or database name: lowercase letters, digits and underscores, starting with a
/// letter, at most 63 bytes (PostgreSQL's limit). Checked before any of it reaches SQL.
pub fn validate_identifier(field: &str, label: &str, value: &str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::field(field, format!("{label} is required.")));
    }
    let ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && value.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && value.len() <= 63;
    if !ok {
        return Err(Error::field(
            field,
            format!(
                "{label} may hold only lowercase letters a–z, digits and underscores, start with a letter, and be at most 63 characters (e.g. clinic); “{}” does not.",
                value.chars().take(40).collect::<String>()
            ),
        ));
    }
    if ["postgres", "template0", "template1"].contains(&value) || value.starts_with("pg_") {
        return Err(Error::field(
            field,
            format!("{label} “{value}” is PostgreSQL's own; choose another."),
        ));
    }
    Ok(value.to_owned())
}

/// The name workstations reach the server by: a DNS name or an IP address.
pub fn validate_host(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::field(
            "host",
            "--host is required: the name or address workstations reach this server by (e.g. clinic-server.lan or 192.168.1.10).",
        ));
    }
    if v.parse::<IpAddr>().is_ok() {
        return Ok(v.to_owned());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if v.len() <= 253 && v.split('.').all(label_ok) {
        return Ok(v.to_ascii_lowercase());
    }
    Err(Error::field(
        "host",
        format!(
            "--host must be a host name (letters, digits, dashes and dots) or an IP address; “{}” is neither.",
            v.chars().take(40).collect::<String>()
        ),
    ))
}

/// Connect as whoever runs the server (no TLS: the Unix socket).
pub fn connect_admin(conninfo: &str) -> Result<postgres::Client> {
    postgres::Client::connect(conninfo, postgres::NoTls).map_err(|e| {
        Error::field(
            "server",
            format!(
                "The PostgreSQL server could not be reached with --server “{}” ({e}). On the server itself, as the postgres user, use e.g. \"host=/var/run/postgresql user=postgres\".",
                redact(conninfo)
            ),
        )
    })
}

/// A conninfo with any password hidden, for messages.
fn redact(conninfo: &str) -> String {
    conninfo
        .split_whitespace()
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=…"
            } else {
                kv
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first administrator init adds.
#[derive(Clone)]
pub struct FirstAdmin {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// What `init` is asked to do.
#[derive(Clone)]
pub struct InitOptions {
    /// A superuser connection to the server (its Unix socket).
    pub server: String,
    pub database: String,
    /// Default `<database>_owner`.
    pub owner: Option<String>,
    pub owner_password: String,
    pub admin: Option<FirstAdmin>,
    /// The name or address workstations use; needed when configuring the server.
    pub host: Option<String>,
    /// Where the clinic CA, its key and the backup key are kept.
    pub tls_dir: PathBuf,
    /// Install the certificate, turn TLS on and write `pg_hba.conf` (off: only the
    /// database, roles, schema and backup key; the server's TLS set up by hand).
    pub configure_server: bool,
}

/// Whether a folder is on an encrypted (dm-crypt/LUKS) disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskEncryption {
    Encrypted { device: String },
    NotEncrypted { device: String },
    Unknown { why: String },
}

/// What `init` made, and what a workstation needs.
#[derive(Debug)]
pub struct InitReport {
    pub database: String,
    pub owner: String,
    /// The first administrator's username and login role.
    pub admin: Option<(String, String)>,
    pub host: Option<String>,
    pub port: u16,
    /// The CA certificate to copy to every workstation (when the server was configured).
    pub ca_file: Option<PathBuf>,
    pub backup_key_file: PathBuf,
    /// The backup key as text, shown once to be kept on paper.
    pub backup_key_text: Zeroizing<String>,
    pub data_directory: String,
    pub disk: DiskEncryption,
    /// The server must be restarted once for this to take effect (listen_addresses).
    pub restart_needed: Option<String>,
    /// Whether a TLS login as the owner was tried and worked after the reload.
    pub tls_checked: bool,
}

impl InitReport {
    /// The warning to print when the data folder is not known to be on an encrypted disk.
    pub fn disk_warning(&self) -> Option<String> {
        match &self.disk {
            DiskEncryption::Encrypted { .. } => None,
            other => Some(format!(
                "The server's data folder ({}) is not on an encrypted disk: anyone with the disk can read every record. Put PostgreSQL's data folder on an encrypted disk (LUKS) before storing client records.{}",
                self.data_directory,
                match other {
                    DiskEncryption::Unknown { why } =>
                        format!(" (Whether it is could not be told: {why}.)"),
                    DiskEncryption::NotEncrypted { device } => format!(" (It is on {device}.)"),
                    DiskEncryption::Encrypted { .. } => String::new(),
                }
            )),
        }
    }
}

struct Validated {
    database: String,
    owner: String,
    admin: Option<(String, String, String)>,
    host: Option<String>,
}

/// Check init's names, host and folder (not the passwords), so nothing is asked for when
/// an argument is wrong.
pub fn check_arguments(o: &InitOptions) -> Result<()> {
    let mut o = o.clone();
    o.owner_password = "a placeholder password".to_owned();
    if let Some(a) = &mut o.admin {
        a.password = "a placeholder password".to_owned();
    }
    validate(&o).map(|_| ())
}

fn validate(o: &InitOptions) -> Result<Validated> {
    let database = validate_identifier("database", "The database name (--database)", &o.database)?;
    if database.len() > MAX_DATABASE_NAME {
        return Err(Error::field(
            "database",
            format!(
                "The database name (--database) is at most {MAX_DATABASE_NAME} characters, so a restore can keep it renamed beside a new one."
            ),
        ));
    }
    let owner = match &o.owner {
        Some(n) => validate_identifier("owner", "The owner's role name (--owner)", n)?,
        None => format!("{database}_owner"),
    };
    validate_password(&o.owner_password).map_err(|e| Error {
        field: Some("owner_password".to_owned()),
        message: format!("The owner's password: {}", e.message),
        ..e
    })?;
    let admin = match &o.admin {
        None => None,
        Some(a) => {
            let (u, n, _) = NewUser {
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                role: Some(Role::Administrator),
                password: a.password.clone(),
            }
            .validated()
            .map_err(|e| Error {
                message: format!(
                    "{}: {}",
                    match e.field.as_deref() {
                        Some("username") => "--admin",
                        Some("display_name") => "--admin-name",
                        Some("password") => "The administrator's password",
                        _ => "The administrator",
                    },
                    e.message
                ),
                ..e
            })?;
            if u == owner {
                return Err(Error::field(
                    "admin",
                    "--admin must differ from the owner's role name.",
                ));
            }
            Some((u, n, a.password.clone()))
        }
    };
    let host = match (&o.host, o.configure_server) {
        (Some(h), _) => Some(validate_host(h)?),
        (None, true) => Some(validate_host("")?),
        (None, false) => None,
    };
    if o.tls_dir.as_os_str().is_empty() {
        return Err(Error::field("tls_dir", "--tls-dir is required."));
    }
    Ok(Validated {
        database,
        owner,
        admin,
        host,
    })
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// Set up a clinic on the server: see the module's comment.
pub fn init(o: &InitOptions) -> Result<InitReport> {
    let v = validate(o)?;
    let mut admin = connect_admin(&o.server)?;
    let is_super: bool = admin
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )?
        .get(0);
    if !is_super {
        return Err(Error::field(
            "server",
            "init needs the server's superuser (e.g. \"host=/var/run/postgresql user=postgres\", run as the postgres user): it makes a database and roles and configures TLS.",
        ));
    }
    let exists: bool = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&v.database],
        )?
        .get(0);
    if exists {
        return Err(Error::conflict(format!(
            "The server already has a database named {}. init sets up a new clinic only; nothing was changed. (To add users use add-user; to check it use check.)",
            v.database
        )));
    }
    let admin_role = v.admin.as_ref().map(|(u, _, _)| login_role(&v.database, u));
    for (role, what) in [
        (Some(&v.owner), "owner (--owner)"),
        (admin_role.as_ref(), "administrator's login"),
    ] {
        let Some(role) = role else { continue };
        let taken: bool = admin
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[role],
            )?
            .get(0);
        if taken {
            return Err(Error::field(
                if what.starts_with("owner") {
                    "owner"
                } else {
                    "admin"
                },
                format!(
                    "The server already has a role named {role}, the {what} this clinic would use. Choose another name; nothing was changed."
                ),
            ));
        }
    }
    let port: String = admin.query_one("SHOW port", &[])?.get(0);
    let port: u16 = port.trim().parse().unwrap_or(5432);
    let data_directory: String = admin.query_one("SHOW data_directory", &[])?.get(0);

    // Everything the server configuration needs, checked and prepared before anything is made.
    let plan = if o.configure_server {
        Some(prepare_server_config(&mut admin, o, &v, &data_directory)?)
    } else {
        None
    };

    // The backup key first: a clinic without its key file would have unreadable backups.
    make_private_dir(&o.tls_dir)?;
    let key_file = backup_key_path(&o.tls_dir, &v.database);
    if key_file.exists() {
        return Err(Error::field(
            "tls_dir",
            format!(
                "{} already exists (from an earlier clinic of this name?). Move it away first; nothing was changed.",
                key_file.display()
            ),
        ));
    }
    let key = BackupKey::generate()?;
    key.write_new(&key_file, &v.database)?;

    let undo = |admin: &mut postgres::Client| {
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quoted(&v.database)
        ));
        if let Some(r) = &admin_role {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", quoted(r)));
        }
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", quoted(&v.owner)));
        let _ = std::fs::remove_file(&key_file);
    };

    let made = (|| -> Result<()> {
        let verifier = postgres_protocol::password::scram_sha_256(o.owner_password.as_bytes());
        if verifier.contains('\'') {
            return Err(Error::internal("an unexpected SCRAM verifier"));
        }
        admin.batch_execute(&format!(
            "CREATE ROLE {} LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION PASSWORD '{verifier}'",
            quoted(&v.owner)
        ))?;
        admin.batch_execute(&format!(
            "CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0",
            quoted(&v.database),
            quoted(&v.owner)
        ))?;
        // Connected as the superuser (the socket admits no other login), acting as the
        // owner: everything the migrations make belongs to the owner.
        let as_owner = format!(
            "{} options='-c role={}'",
            with_dbname(&o.server, &v.database),
            v.owner
        );
        let mut store = Store::open(OpenOptions::server(as_owner.clone()))?;
        let who: String = store
            .sql()
            .value("SELECT current_user::text", crate::args![])?;
        if who != v.owner {
            return Err(Error::internal(format!(
                "the schema was being made as {who}, not as the owner"
            )));
        }
        if let Some((username, display_name, password)) = &v.admin {
            store.add_clinic_user(&NewUser {
                username: username.clone(),
                display_name: display_name.clone(),
                role: Some(Role::Administrator),
                password: password.clone(),
            })?;
        }
        Ok(())
    })();
    if let Err(e) = made {
        undo(&mut admin);
        return Err(e);
    }

    let mut report = InitReport {
        database: v.database.clone(),
        owner: v.owner.clone(),
        admin: v
            .admin
            .as_ref()
            .zip(admin_role.clone())
            .map(|((u, _, _), r)| (u.clone(), r)),
        host: v.host.clone(),
        port,
        ca_file: None,
        backup_key_file: std::path::absolute(&key_file).unwrap_or_else(|_| key_file.clone()),
        backup_key_text: key.text(),
        disk: if Path::new(&data_directory).join("PG_VERSION").exists() {
            disk_encryption(Path::new(&data_directory))
        } else {
            DiskEncryption::Unknown {
                why: "the data folder is not on this computer".to_owned(),
            }
        },
        data_directory: data_directory.clone(),
        restart_needed: None,
        tls_checked: false,
    };
    if let Some(plan) = plan {
        match apply_server_config(&mut admin, o, &v, &plan, port) {
            Ok((restart, checked)) => {
                let ca = o.tls_dir.join(CA_CERT_FILE);
                report.ca_file = Some(std::path::absolute(&ca).unwrap_or(ca));
                report.restart_needed = restart;
                report.tls_checked = checked;
            }
            Err(e) => {
                undo(&mut admin);
                return Err(e);
            }
        }
    }
    Ok(report)
}

fn make_private_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::field(
                "tls_dir",
                format!("The folder {} could not be made ({e}).", dir.display()),
            )
        })?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    if !dir.is_dir() {
        return Err(Error::field(
            "tls_dir",
            format!("{} is not a folder.", dir.display()),
        ));
    }
    Ok(())
}

/// What configuring the server will write, prepared (and checked) before anything is made.
struct ServerPlan {
    data_dir: PathBuf,
    data_uid: u32,
    data_gid: u32,
    hba_file: PathBuf,
    hba_before: String,
    ca_key: PKey<Private>,
    ca_cert: X509,
    ca_is_new: bool,
    server_key: PKey<Private>,
    server_cert: X509,
    listen: String,
    /// What postgresql.auto.conf set before, to put back if something fails.
    auto_before: Vec<(String, String)>,
}

fn tls_error(e: &openssl::error::ErrorStack) -> Error {
    Error::internal(format!("making the clinic's certificates failed ({e})"))
}

fn prepare_server_config(
    admin: &mut postgres::Client,
    o: &InitOptions,
    v: &Validated,
    data_directory: &str,
) -> Result<ServerPlan> {
    let data_dir = PathBuf::from(data_directory);
    let meta = std::fs::metadata(data_dir.join("PG_VERSION")).map_err(|_| {
        Error::field(
            "server",
            format!(
                "The server's data folder ({data_directory}) is not on this computer (or not readable here). Run init on the clinic server itself, as root or as the postgres user, or use --no-server-config and set up TLS by hand."
            ),
        )
    })?;
    let hba: String = admin.query_one("SHOW hba_file", &[])?.get(0);
    let hba_file = PathBuf::from(hba);
    let hba_before = std::fs::read_to_string(&hba_file).map_err(|e| {
        Error::field(
            "server",
            format!(
                "{} cannot be read ({e}); run init as root or as the postgres user.",
                hba_file.display()
            ),
        )
    })?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&hba_file)
        .map_err(|e| {
            Error::field(
                "server",
                format!(
                    "{} cannot be written ({e}); run init as root or as the postgres user.",
                    hba_file.display()
                ),
            )
        })?;
    // Both files are replaced through a temporary file beside them: their folders must
    // take one.
    let hba_dir = hba_file
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    for dir in [&data_dir, &hba_dir] {
        let probe = dir.join(".stillpoint-init-probe");
        std::fs::write(&probe, b"").map_err(|e| {
            Error::field(
                "server",
                format!(
                    "The folder {} cannot be written ({e}); run init as root or as the postgres user.",
                    dir.display()
                ),
            )
        })?;
        let _ = std::fs::remove_file(&probe);
    }

    let host = v
        .host
        .clone()
        .ok_or_else(|| Error::field("host", "--host is required."))?;
    let (ca_key, ca_cert, ca_is_new) = load_or_make_ca(&o.tls_dir)?;
    // A server certificate already installed by Stillpoint for another CA serves another
    // clinic's workstations: replacing it would lock them out.
    let mut names = vec![host.clone()];
    let current: String = admin.query_one("SHOW ssl_cert_file", &[])?.get(0);
    let current_path = if Path::new(&current).is_absolute() {
        PathBuf::from(&current)
    } else {
        data_dir.join(&current)
    };
    if current_path.file_name().and_then(|n| n.to_str()) == Some(SERVER_CERT_FILE)
        && let Ok(pem) = std::fs::read(&current_path)
        && let Ok(old) = X509::from_pem(&pem)
    {
        let ca_pub = ca_cert.public_key().map_err(|e| tls_error(&e))?;
        if !old.verify(&ca_pub).unwrap_or(false) {
            return Err(Error::field(
                "tls_dir",
                format!(
                    "This server already has a Stillpoint server certificate signed by another clinic CA than the one in {}. Give init the --tls-dir used the first time, or the other clinic's workstations would be locked out; nothing was changed. (If that CA is lost for good, remove {} and its .key, and give every workstation the new CA file.)",
                    o.tls_dir.display(),
                    current_path.display()
                ),
            ));
        }
        for n in old.subject_alt_names().into_iter().flatten() {
            let name = n
                .dnsname()
                .map(str::to_owned)
                .or_else(|| n.ipaddress().and_then(ip_text));
            if let Some(name) = name
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    let (server_key, server_cert) = make_server_cert(&ca_key, &ca_cert, &names)?;
    let listen: String = admin.query_one("SHOW listen_addresses", &[])?.get(0);
    let auto_before = admin
        .query(
            "SELECT name, setting FROM pg_file_settings
             WHERE sourcefile LIKE '%postgresql.auto.conf' AND name = ANY($1)",
            &[&vec![
                "ssl",
                "ssl_cert_file",
                "ssl_key_file",
                "password_encryption",
                "listen_addresses",
            ]],
        )?
        .into_iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect();
    Ok(ServerPlan {
        data_dir,
        data_uid: meta.uid(),
        data_gid: meta.gid(),
        hba_file,
        hba_before,
        ca_key,
        ca_cert,
        ca_is_new,
        server_key,
        server_cert,
        listen,
        auto_before,
    })
}

fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b)
            .ok()
            .map(|a| IpAddr::from(a).to_string()),
        16 => <[u8; 16]>::try_from(b)
            .ok()
            .map(|a| IpAddr::from(a).to_string()),
        _ => None,
    }
}

fn new_key() -> std::result::Result<PKey<Private>, openssl::error::ErrorStack> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    PKey::from_ec_key(EcKey::generate(&group)?)
}

fn serial() -> std::result::Result<openssl::asn1::Asn1Integer, openssl::error::ErrorStack> {
    let mut bn = BigNum::new()?;
    bn.rand(127, MsbOption::MAYBE_ZERO, false)?;
    bn.to_asn1_integer()
}

/// The clinic CA from the TLS folder, or a new one.
fn load_or_make_ca(dir: &Path) -> Result<(PKey<Private>, X509, bool)> {
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    match (cert_path.exists(), key_path.exists()) {
        (true, true) => {
            let bad = |why: String| {
                Error::field(
                    "tls_dir",
                    format!(
                        "The clinic CA in {} cannot be used ({why}); nothing was changed.",
                        dir.display()
                    ),
                )
            };
            let cert =
                X509::from_pem(&std::fs::read(&cert_path)?).map_err(|e| bad(e.to_string()))?;
            let key = PKey::private_key_from_pem(&Zeroizing::new(std::fs::read(&key_path)?))
                .map_err(|e| bad(e.to_string()))?;
            let matches = cert
                .public_key()
                .map(|p| p.public_eq(&key))
                .unwrap_or(false);
            if !matches {
                return Err(bad("its key does not belong to its certificate".to_owned()));
            }
            let now = Asn1Time::days_from_now(30).map_err(|e| tls_error(&e))?;
            if cert.not_after() < now {
                return Err(bad(
                    "it expires within 30 days; make a new TLS folder".to_owned()
                ));
            }
            Ok((key, cert, false))
        }
        (false, false) => {
            let (k, c) = make_ca().map_err(|e| tls_error(&e))?;
            Ok((k, c, true))
        }
        _ => Err(Error::field(
            "tls_dir",
            format!(
                "{} holds only half of a clinic CA ({CA_CERT_FILE} and {CA_KEY_FILE} go together); nothing was changed.",
                dir.display()
            ),
        )),
    }
}

fn make_ca() -> std::result::Result<(PKey<Private>, X509), openssl::error::ErrorStack> {
    let key = new_key()?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "Stillpoint clinic")?;
    name.append_entry_by_nid(Nid::COMMONNAME, "Stillpoint clinic CA")?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let serial = serial()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let from = Asn1Time::days_from_now(0)?;
    b.set_not_before(&from)?;
    let until = Asn1Time::days_from_now(CA_DAYS)?;
    b.set_not_after(&until)?;
    b.append_extension(BasicConstraints::new().critical().ca().pathlen(0).build()?)?;
    b.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
    )?;
    let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(None, None))?;
    b.append_extension(ski)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok((key, b.build()))
}

fn make_server_cert(
    ca_key: &PKey<Private>,
    ca_cert: &X509,
    names: &[String],
) -> Result<(PKey<Private>, X509)> {
    (|| -> std::result::Result<(PKey<Private>, X509), openssl::error::ErrorStack> {
        let key = new_key()?;
        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_nid(
            Nid::COMMONNAME,
            names.first().map_or("server", String::as_str),
        )?;
        let name = name.build();
        let mut b = X509::builder()?;
        b.set_version(2)?;
        let serial = serial()?;
        b.set_serial_number(&serial)?;
        b.set_subject_name(&name)?;
        b.set_issuer_name(ca_cert.subject_name())?;
        b.set_pubkey(&key)?;
        let from = Asn1Time::days_from_now(0)?;
        b.set_not_before(&from)?;
        let until = Asn1Time::days_from_now(SERVER_DAYS)?;
        b.set_not_after(&until)?;
        b.append_extension(BasicConstraints::new().critical().build()?)?;
        b.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .key_agreement()
                .build()?,
        )?;
        b.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
        let mut san = SubjectAlternativeName::new();
        for n in names {
            if n.parse::<IpAddr>().is_ok() {
                san.ip(n);
            } else {
                san.dns(n);
            }
        }
        let san = san.build(&b.x509v3_context(Some(ca_cert), None))?;
        b.append_extension(san)?;
        let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(Some(ca_cert), None))?;
        b.append_extension(ski)?;
        let aki = AuthorityKeyIdentifier::new()
            .keyid(false)
            .build(&b.x509v3_context(Some(ca_cert), None))?;
        b.append_extension(aki)?;
        b.sign(ca_key, MessageDigest::sha256())?;
        Ok((key, b.build()))
    })()
    .map_err(|e| tls_error(&e))
}

/// Write `bytes` to `path` through a temporary file and a rename, with `mode`, owned by
/// `owner` when given.
fn write_file(path: &Path, bytes: &[u8], mode: u32, owner: Option<(u32, u32)>) -> Result<()> {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".stillpoint-tmp");
    let tmp = path.with_file_name(name);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&tmp, Some(uid), Some(gid)).map_err(|e| {
                Error::new(
                    ErrorCode::Storage,
                    format!(
                        "{} could not be given to the cluster's owner ({e}); run init as root or as the postgres user.",
                        path.display()
                    ),
                )
            })?;
        }
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The marked block of `pg_hba.conf` rules for one clinic database.
pub fn hba_block(database: &str) -> String {
    format!(
        "# BEGIN stillpoint-clinic {database} (written by stillpoint-clinic init; first match wins)\n\
         hostssl {database} all 0.0.0.0/0 scram-sha-256\n\
         hostssl {database} all ::/0      scram-sha-256\n\
         host    {database} all all       reject\n\
         # END stillpoint-clinic {database}\n"
    )
}

/// `current` with the block for `database` first (replacing one already there, wherever it
/// was); everything else left as it was. Applying it twice gives the same file.
pub fn hba_with_block(current: &str, database: &str) -> String {
    let begin = format!("# BEGIN stillpoint-clinic {database} ");
    let end = format!("# END stillpoint-clinic {database}");
    let mut kept = String::with_capacity(current.len() + 300);
    let mut inside = false;
    for line in current.split_inclusive('\n') {
        if !inside && line.starts_with(&begin) {
            inside = true;
            continue;
        }
        if inside {
            if line.trim_end() == end {
                inside = false;
            }
            continue;
        }
        kept.push_str(line);
    }
    let mut out = hba_block(database);
    out.push_str(&kept);
    out
}

fn alter_system(admin: &mut postgres::Client, name: &str, value: &str) -> Result<()> {
    admin.batch_execute(&format!("ALTER SYSTEM SET {name} = {}", sql_literal(value)))?;
    Ok(())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<IpAddr>()
            .map(|a| a.is_loopback())
            .unwrap_or(false)
}

/// Install the certificate and key, turn TLS on, write the rules, reload, and check the
/// reload took. Returns (why a restart is needed, whether a TLS login was tried and worked).
fn apply_server_config(
    admin: &mut postgres::Client,
    o: &InitOptions,
    v: &Validated,
    plan: &ServerPlan,
    port: u16,
) -> Result<(Option<String>, bool)> {
    let host = v.host.clone().unwrap_or_default();
    let owner = Some((plan.data_uid, plan.data_gid));
    let pem =
        |r: std::result::Result<Vec<u8>, openssl::error::ErrorStack>| r.map_err(|e| tls_error(&e));
    // The CA into the TLS folder (its key private), the server's pair into the cluster.
    if plan.ca_is_new {
        write_file(
            &o.tls_dir.join(CA_KEY_FILE),
            &Zeroizing::new(pem(plan.ca_key.private_key_to_pem_pkcs8())?),
            0o600,
            None,
        )?;
        write_file(
            &o.tls_dir.join(CA_CERT_FILE),
            &pem(plan.ca_cert.to_pem())?,
            0o644,
            None,
        )?;
    }
    let cert_path = plan.data_dir.join(SERVER_CERT_FILE);
    let key_path = plan.data_dir.join(SERVER_KEY_FILE);
    let pair_existed = cert_path.exists() || key_path.exists();
    write_file(&cert_path, &pem(plan.server_cert.to_pem())?, 0o644, owner)?;
    write_file(
        &key_path,
        &Zeroizing::new(pem(plan.server_key.private_key_to_pem_pkcs8())?),
        0o600,
        owner,
    )?;

    let hba_meta = std::fs::metadata(&plan.hba_file)?;
    let restore = |admin: &mut postgres::Client| {
        let _ = write_file(
            &plan.hba_file,
            plan.hba_before.as_bytes(),
            hba_meta.mode() & 0o7777,
            Some((hba_meta.uid(), hba_meta.gid())),
        );
        for name in [
            "ssl",
            "ssl_cert_file",
            "ssl_key_file",
            "password_encryption",
            "listen_addresses",
        ] {
            let _ = match plan.auto_before.iter().find(|(n, _)| n == name) {
                Some((_, value)) => alter_system(admin, name, value),
                None => admin
                    .batch_execute(&format!("ALTER SYSTEM RESET {name}"))
                    .map_err(Error::from),
            };
        }
        let _ = admin.batch_execute("SELECT pg_reload_conf()");
        if !pair_existed {
            let _ = std::fs::remove_file(&cert_path);
            let _ = std::fs::remove_file(&key_path);
        }
        if plan.ca_is_new {
            let _ = std::fs::remove_file(o.tls_dir.join(CA_CERT_FILE));
            let _ = std::fs::remove_file(o.tls_dir.join(CA_KEY_FILE));
        }
    };
    let result = (|| -> Result<(Option<String>, bool)> {
        // TLS first: pg_hba.conf's hostssl lines are refused while TLS is off.
        alter_system(admin, "ssl_cert_file", &cert_path.to_string_lossy())?;
        alter_system(admin, "ssl_key_file", &key_path.to_string_lossy())?;
        alter_system(admin, "ssl", "on")?;
        alter_system(admin, "password_encryption", "scram-sha-256")?;
        let local_only = plan
            .listen
            .split(',')
            .map(str::trim)
            .all(|a| a.is_empty() || is_loopback(a));
        let mut restart = None;
        if local_only && !is_loopback(&host) {
            alter_system(admin, "listen_addresses", "*")?;
            restart = Some(format!(
                "PostgreSQL listens only on {} now; it was set to listen on the network (listen_addresses = '*'), which takes a restart: sudo systemctl restart postgresql. Then check a TLS login from a workstation.",
                plan.listen
            ));
        }
        let conf_errors: Vec<String> = admin
            .query(
                "SELECT coalesce(sourcefile, '?') || ':' || coalesce(sourceline::text, '?') || ': ' || error
                 FROM pg_file_settings f WHERE error IS NOT NULL
                 -- A setting that takes a restart (listen_addresses) is reported so until then.
                 AND NOT (error = 'setting could not be applied' AND EXISTS (
                     SELECT 1 FROM pg_settings s WHERE s.name = f.name AND s.context = 'postmaster'))",
                &[],
            )?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        if !conf_errors.is_empty() {
            return Err(Error::new(
                ErrorCode::Storage,
                format!(
                    "The server's configuration would not load ({}); the changes were undone.",
                    conf_errors.join("; ")
                ),
            ));
        }
        reload(admin)?;
        // A new session reads the reloaded configuration: wait until it shows ours.
        let want = cert_path.to_string_lossy().into_owned();
        let mut took = false;
        for _ in 0..50 {
            let mut fresh = connect_admin(&o.server)?;
            let ssl: String = fresh.query_one("SHOW ssl", &[])?.get(0);
            let cert: String = fresh.query_one("SHOW ssl_cert_file", &[])?.get(0);
            if ssl == "on" && cert == want {
                took = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if !took {
            return Err(Error::new(
                ErrorCode::Storage,
                "The server did not take the new TLS settings after a reload (SHOW ssl is not on with the clinic's certificate); see the server's log. The changes were undone.",
            ));
        }
        write_file(
            &plan.hba_file,
            hba_with_block(&plan.hba_before, &v.database).as_bytes(),
            hba_meta.mode() & 0o7777,
            Some((hba_meta.uid(), hba_meta.gid())),
        )?;
        // Checked by a session that sees TLS on.
        let mut fresh = connect_admin(&o.server)?;
        let hba_errors: Vec<String> = fresh
            .query(
                "SELECT line_number::text || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL",
                &[],
            )?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        if !hba_errors.is_empty() {
            return Err(Error::new(
                ErrorCode::Storage,
                format!(
                    "{} would not load ({}); it was put back as it was.",
                    plan.hba_file.display(),
                    hba_errors.join("; ")
                ),
            ));
        }
        reload(admin)?;
        // The real proof: a login over TLS, verified against the clinic CA and the host
        // name, with the owner's password — when the server listens on the network already.
        let mut checked = false;
        if restart.is_none() {
            let loopback = plan
                .listen
                .split(',')
                .map(str::trim)
                .find(|a| !a.is_empty())
                .map_or("127.0.0.1", |a| match a {
                    "*" | "0.0.0.0" | "localhost" => "127.0.0.1",
                    "::" => "::1",
                    other => other,
                });
            let conninfo = format!(
                "host={host} hostaddr={loopback} port={port} dbname={} user={} password={}",
                v.database,
                v.owner,
                conninfo_quote(&o.owner_password)
            );
            let ca = o.tls_dir.join(CA_CERT_FILE);
            // The postmaster reloads pg_hba.conf on its own time: a few tries.
            let mut last = None;
            for _ in 0..30 {
                match crate::db::postgres::connect(&conninfo, Some(&ca)) {
                    Ok(_) => {
                        last = None;
                        break;
                    }
                    Err(e) => last = Some(e),
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            if let Some(e) = last {
                return Err(Error::new(
                    ErrorCode::Storage,
                    format!(
                        "After the reload, a TLS login as the owner did not work ({}); the changes were undone. See the server's log.",
                        e.message
                    ),
                ));
            }
            checked = true;
        }
        Ok((restart, checked))
    })();
    match result {
        Ok(r) => Ok(r),
        Err(e) => {
            restore(admin);
            Err(e)
        }
    }
}

fn reload(admin: &mut postgres::Client) -> Result<()> {
    let reloaded: bool = admin.query_one("SELECT pg_reload_conf()", &[])?.get(0);
    if reloaded {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::Storage,
            "The server did not accept the reload signal.",
        ))
    }
}

/// A conninfo value in single quotes, backslashes and quotes escaped.
pub fn conninfo_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Whether `path` is on a dm-crypt (LUKS) device, from this machine's mount table and sysfs.
pub fn disk_encryption(path: &Path) -> DiskEncryption {
    let mountinfo = match std::fs::read_to_string("/proc/self/mountinfo") {
        Ok(t) => t,
        Err(e) => {
            return DiskEncryption::Unknown {
                why: format!("/proc/self/mountinfo cannot be read: {e}"),
            };
        }
    };
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    disk_encryption_in(&path, &mountinfo, Path::new("/sys"), Path::new("/"))
}

/// The same, with the mount table, `/sys` and `/` given (tests give their own).
pub fn disk_encryption_in(path: &Path, mountinfo: &str, sys: &Path, root: &Path) -> DiskEncryption {
    // The mount holding `path`: the longest mount point it is under (the last one listed
    // wins among equals: it is mounted over the others).
    let mut best: Option<(usize, &str, &str)> = None;
    for line in mountinfo.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let (Some(devno), Some(point), Some(source)) =
            (fields.get(2), fields.get(4), fields.get(dash + 2))
        else {
            continue;
        };
        let point = point.replace("\\040", " ");
        if path.starts_with(&point) {
            let len = point.len();
            if best.is_none_or(|(l, _, _)| len >= l) {
                best = Some((len, devno, source));
            }
        }
    }
    let Some((_, devno, source)) = best else {
        return DiskEncryption::Unknown {
            why: format!("no mount holds {}", path.display()),
        };
    };
    // The block device: by its number, else by the mount's source (btrfs reports 0:N).
    let by_number = sys.join("dev/block").join(devno);
    let name = std::fs::canonicalize(&by_number)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| {
            source.strip_prefix("/dev/").and_then(|_| {
                let dev = root.join(source.trim_start_matches('/'));
                std::fs::canonicalize(dev)
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .filter(|n| sys.join("class/block").join(n).exists())
            })
        });
    let Some(name) = name else {
        return DiskEncryption::Unknown {
            why: format!(
                "it is on {source}, which is not a block device here (a container's or network file system?)"
            ),
        };
    };
    if is_crypt(sys, &name, 0) {
        DiskEncryption::Encrypted { device: name }
    } else {
        DiskEncryption::NotEncrypted { device: name }
    }
}

/// A device is encrypted when it, or a device it is built on (LVM on LUKS, a partition of
/// an encrypted device), is a dm-crypt device.
fn is_crypt(sys: &Path, name: &str, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let dev = sys.join("class/block").join(name);
    if std::fs::read_to_string(dev.join("dm/uuid")).is_ok_and(|u| u.trim().starts_with("CRYPT-")) {
        return true;
    }
    let under: Vec<String> = std::fs::read_dir(dev.join("slaves"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if !under.is_empty() {
        return under.iter().all(|s| is_crypt(sys, s, depth + 1));
    }
    // A partition: look at the disk it is part of.
    if dev.join("partition").exists()
        && let Ok(real) = std::fs::canonicalize(&dev)
        && let Some(parent) = real.parent().and_then(|p| p.file_name())
    {
        return is_crypt(sys, &parent.to_string_lossy(), depth + 1);
    }
    false
}

/// How the backup before an upgrade is taken.
#[derive(Debug, Clone, Copy)]
pub enum UpgradeBackup<'a> {
    /// A verified backup (as `stillpoint-clinic backup` writes) with the clinic's backup key
    /// into a new file; the upgrade runs only if its check passes.
    To { key_file: &'a Path, out: &'a Path },
    /// None: whoever upgrades said so (`--no-backup`), having a fresh one of their own.
    Skip,
}

/// What [`upgrade`] did.
#[derive(Debug, Clone)]
pub struct UpgradeReport {
    pub database: String,
    /// The schema found, and the schema the database is at now.
    pub from: i64,
    pub to: i64,
    /// The verified backup taken before the migrations ran (none when nothing was pending, or
    /// when it was skipped).
    pub backup: Option<crate::security::clinic_backup::BackupReport>,
    pub seconds: f64,
}

/// Bring a clinic database's schema up to this version, after a verified backup of it.
///
/// `conninfo` names the clinic database (`dbname=…`) and connects as its owner or as the
/// server's superuser (a backup needs the superuser, who reads every login's verifier; the
/// migrations then run as the owner). The backup's check restores it into a scratch database
/// and brings that up to this version: a rehearsal, so a step that would fail stops the
/// upgrade before the clinic database is touched. Every pending step runs in one transaction:
/// a step that fails leaves the database exactly as it was, and the message says where the
/// backup is. Nothing pending: nothing is backed up or changed.
pub fn upgrade(conninfo: &str, backup: UpgradeBackup<'_>) -> Result<UpgradeReport> {
    use crate::db::postgres as pg_schema;
    let started = std::time::Instant::now();
    let pg = pg_schema::connect(conninfo, None)?;
    let (database, owner, me, is_super, is_clinic): (String, String, String, bool, bool) = {
        let row = pg.client().query_one(
            "SELECT current_database()::text, pg_get_userbyid(d.datdba)::text, current_user::text,
                    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                    to_regclass('stillpoint_migrations') IS NOT NULL
             FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )?;
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4))
    };
    if !is_clinic {
        return Err(Error::field(
            "server",
            format!(
                "The database {database} holds no Stillpoint clinic; name the clinic's database in --server (dbname=…)."
            ),
        ));
    }
    let from = pg_schema::schema_version(&pg)?;
    let known = pg_schema::newest_schema();
    if from > known {
        return Err(Error::new(
            ErrorCode::DatabaseTooNew,
            format!(
                "The clinic database {database} is at schema {from}, newer than this Stillpoint knows ({known}). Install the newer Stillpoint; nothing was changed."
            ),
        ));
    }
    let report = |backup| UpgradeReport {
        database: database.clone(),
        from,
        to: known,
        backup,
        seconds: started.elapsed().as_secs_f64(),
    };
    if from == known {
        return Ok(report(None));
    }
    if me != owner && !is_super {
        return Err(Error::field(
            "server",
            format!(
                "{me} may not change the clinic's schema: connect as the server's superuser (e.g. host=/var/run/postgresql user=postgres dbname={database}, run as the postgres user) or as the clinic's owner ({owner}) with --no-backup. Nothing was changed."
            ),
        ));
    }
    let taken = match backup {
        UpgradeBackup::Skip => None,
        UpgradeBackup::To { key_file, out } => {
            let b = crate::security::clinic_backup::backup(conninfo, key_file, out).map_err(
                |e| {
                    let rehearsed = if e.code == ErrorCode::UpgradeFailed && out.exists() {
                        format!(
                            " The backup ({}) is checked by restoring it into a scratch database, which this Stillpoint brings up to schema {known} first: that failed there, so it would fail on the clinic database too.",
                            out.display()
                        )
                    } else {
                        String::new()
                    };
                    Error {
                        message: format!(
                            "Nothing was upgraded: the clinic database {database} is still at schema {from}.{rehearsed} {}",
                            e.message
                        ),
                        ..e
                    }
                },
            )?;
            if !b.check.ok() {
                return Err(Error::new(
                    ErrorCode::UpgradeFailed,
                    format!(
                        "The backup taken before upgrading ({}) did not pass its check ({}), so nothing was upgraded: the database is still at schema {from}. Run stillpoint-clinic check on the clinic database.",
                        out.display(),
                        b.check.audit.message
                    ),
                ));
            }
            Some(b)
        }
    };
    pg_schema::migrate(&pg).map_err(|mut e| {
        if let Some(b) = &taken {
            e.message = format!(
                "{} The verified backup taken just before is {}.",
                e.message,
                b.file.display()
            );
        }
        e
    })?;
    Ok(report(taken))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_checked_before_any_sql() {
        for bad in [
            "",
            "Clinic",
            "1clinic",
            "clinic-a",
            "a b",
            "x'; DROP TABLE users; --",
            "\"q\"",
            "postgres",
            "pg_x",
            &"a".repeat(64),
        ] {
            let e = validate_identifier("database", "The database name", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("database"), "{bad}");
        }
        assert_eq!(
            validate_identifier("database", "d", "clinic_2").unwrap(),
            "clinic_2"
        );
        assert!(validate_host("clinic-server.lan").is_ok());
        assert!(validate_host("192.168.1.10").is_ok());
        assert!(validate_host("::1").is_ok());
        for bad in ["", "a b", "x'; DROP", "-x.lan", "a..b"] {
            assert_eq!(
                validate_host(bad).unwrap_err().field.as_deref(),
                Some("host"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_hba_block_goes_first_once_and_keeps_everything_else() {
        let before =
            "# comment\nlocal all postgres peer\nhost all all 127.0.0.1/32 scram-sha-256\n";
        let once = hba_with_block(before, "clinic");
        assert!(once.starts_with("# BEGIN stillpoint-clinic clinic "));
        assert!(once.ends_with(before));
        assert_eq!(hba_with_block(&once, "clinic"), once);
        let two = hba_with_block(&once, "other");
        assert!(two.contains("hostssl clinic all 0.0.0.0/0 scram-sha-256"));
        assert!(two.contains("hostssl other all ::/0      scram-sha-256"));
        assert_eq!(two.matches("# BEGIN stillpoint-clinic").count(), 2);
        assert_eq!(hba_with_block(&two, "clinic").matches("reject").count(), 2);
        // A database whose name starts like another's is a different block.
        let three = hba_with_block(&two, "clinic_b");
        assert_eq!(
            hba_with_block(&three, "clinic").matches("# BEGIN").count(),
            3
        );
    }

    #[test]
    fn certificates_chain_to_the_clinic_ca_and_name_the_host() {
        let (ca_key, ca) = make_ca().unwrap();
        let (key, cert) = make_server_cert(
            &ca_key,
            &ca,
            &["clinic.lan".to_owned(), "10.0.0.5".to_owned()],
        )
        .unwrap();
        assert!(cert.verify(&ca.public_key().unwrap()).unwrap());
        assert!(cert.public_key().unwrap().public_eq(&key));
        let names: Vec<String> = cert
            .subject_alt_names()
            .unwrap()
            .iter()
            .filter_map(|n| {
                n.dnsname()
                    .map(str::to_owned)
                    .or_else(|| n.ipaddress().and_then(ip_text))
            })
            .collect();
        assert_eq!(names, ["clinic.lan", "10.0.0.5"]);
        let (other_key, other) = make_ca().unwrap();
        assert!(!cert.verify(&other.public_key().unwrap()).unwrap());
        drop(other_key);
    }

    /// A fake /sys: `dm-1` (LVM) on `dm-0` (LUKS) on `sda2`; `sda1` plain.
    fn fake_sys(root: &Path) {
        use std::os::unix::fs::symlink;
        let dev = root.join("devices/pci/sda");
        for d in ["sda1", "sda2"] {
            std::fs::create_dir_all(dev.join(d)).unwrap();
            std::fs::write(dev.join(d).join("partition"), "1").unwrap();
        }
        let virt = root.join("devices/virtual/block");
        for (d, uuid) in [("dm-0", "CRYPT-LUKS2-abc-luks"), ("dm-1", "LVM-xyz")] {
            std::fs::create_dir_all(virt.join(d).join("dm")).unwrap();
            std::fs::write(virt.join(d).join("dm/uuid"), uuid).unwrap();
            std::fs::create_dir_all(virt.join(d).join("slaves")).unwrap();
        }
        symlink(dev.join("sda2"), virt.join("dm-0/slaves/sda2")).unwrap();
        symlink(virt.join("dm-0"), virt.join("dm-1/slaves/dm-0")).unwrap();
        let class = root.join("class/block");
        let bydev = root.join("dev/block");
        std::fs::create_dir_all(&class).unwrap();
        std::fs::create_dir_all(&bydev).unwrap();
        for (name, target, num) in [
            ("sda", dev.clone(), "8:0"),
            ("sda1", dev.join("sda1"), "8:1"),
            ("sda2", dev.join("sda2"), "8:2"),
            ("dm-0", virt.join("dm-0"), "253:0"),
            ("dm-1", virt.join("dm-1"), "253:1"),
        ] {
            symlink(&target, class.join(name)).unwrap();
            symlink(&target, bydev.join(num)).unwrap();
        }
    }

    #[test]
    fn the_data_folder_is_found_encrypted_only_on_dm_crypt() {
        let tmp = tempfile::tempdir().unwrap();
        fake_sys(tmp.path());
        let mountinfo = "\
22 1 8:1 / / rw - ext4 /dev/sda1 rw
30 22 253:1 / /var/lib/postgresql rw - ext4 /dev/mapper/vg-pg rw
31 22 0:45 / /srv rw - overlay overlay rw
";
        let sys = tmp.path();
        assert_eq!(
            disk_encryption_in(
                Path::new("/var/lib/postgresql/15/main"),
                mountinfo,
                sys,
                Path::new("/")
            ),
            DiskEncryption::Encrypted {
                device: "dm-1".into()
            }
        );
        assert_eq!(
            disk_encryption_in(Path::new("/home/pg"), mountinfo, sys, Path::new("/")),
            DiskEncryption::NotEncrypted {
                device: "sda1".into()
            }
        );
        assert!(matches!(
            disk_encryption_in(Path::new("/srv/pg"), mountinfo, sys, Path::new("/")),
            DiskEncryption::Unknown { .. }
        ));
        // LVM alone (no dm-crypt under it) is not encryption.
        std::fs::write(sys.join("devices/virtual/block/dm-0/dm/uuid"), "LVM-plain").unwrap();
        assert_eq!(
            disk_encryption_in(
                Path::new("/var/lib/postgresql"),
                mountinfo,
                sys,
                Path::new("/")
            ),
            DiskEncryption::NotEncrypted {
                device: "dm-1".into()
            }
        );
    }
}
