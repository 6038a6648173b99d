//! How a workstation reaches its clinic's server: the server's address, the clinic database
//! and the clinic's certificate authority, kept in the data folder (`clinic.json`, and the
//! CA as `clinic-ca.pem`) when the computer joins. No password is kept: each login connects
//! as the user's own login role with the password they type.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::security::clinic_roles::login_role;
use crate::security::keys::normalize_username;
use crate::security::write_atomically;

/// The file in the data folder that says this computer works on a clinic server.
pub const CLINIC_FILE: &str = "clinic.json";
/// The clinic's CA certificate, copied into the data folder when the computer joins.
pub const CA_FILE: &str = "clinic-ca.pem";

/// A clinic server this computer has joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClinicServer {
    pub host: String,
    pub port: u16,
    pub database: String,
}

/// What the "Join my clinic's server" form sends: the server, the CA file chosen, and the
/// person's own username and password (the first login happens at once).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct JoinInput {
    pub host: String,
    /// As typed; checked here so "abc" gets a message under the field.
    pub port: String,
    pub database: String,
    /// The path of the clinic's CA certificate (PEM), chosen in the file dialog.
    pub ca_file: String,
    pub username: String,
    pub password: String,
}

impl JoinInput {
    /// The server and CA file, checked; the username and password are checked at login.
    pub fn validated(&self) -> Result<(ClinicServer, PathBuf)> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err(Error::field(
                "host",
                "Enter the clinic server's name or address, e.g. clinic-server.local.",
            ));
        }
        if host.len() > 253
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        {
            return Err(Error::field(
                "host",
                "A server's name has only letters, digits, dots and hyphens (or it is an IP address).",
            ));
        }
        let port = self.port.trim();
        let port = if port.is_empty() {
            5432
        } else {
            match port.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => {
                    return Err(Error::field(
                        "port",
                        "The port is a whole number from 1 to 65535 (PostgreSQL's usual one is 5432).",
                    ));
                }
            }
        };
        let database = self.database.trim();
        if database.is_empty() {
            return Err(Error::field(
                "database",
                "Enter the clinic database's name (whoever runs the server has it).",
            ));
        }
        if database.len() > 63
            || !database
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        {
            return Err(Error::field(
                "database",
                "A clinic database's name has only letters, digits, underscores and hyphens, at most 63.",
            ));
        }
        let ca = self.ca_file.trim();
        if ca.is_empty() {
            return Err(Error::field(
                "ca_file",
                "Choose the clinic's certificate file (whoever runs the server gives it to you).",
            ));
        }
        let ca = PathBuf::from(ca);
        check_ca(&ca)?;
        Ok((
            ClinicServer {
                host: host.to_owned(),
                port,
                database: database.to_owned(),
            },
            ca,
        ))
    }
}

/// The CA file must hold at least one PEM certificate.
fn check_ca(path: &Path) -> Result<()> {
    let unusable = |why: &str| {
        Error::field(
            "ca_file",
            format!(
                "{} cannot be used as the clinic's certificate: {why}.",
                path.display()
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| unusable(&e.to_string()))?;
    if !meta.is_file() {
        return Err(unusable("it is not a file"));
    }
    if meta.len() > 1 << 20 {
        return Err(unusable("it is far larger than a certificate"));
    }
    let pem = std::fs::read(path).map_err(|e| unusable(&e.to_string()))?;
    match openssl::x509::X509::stack_from_pem(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(()),
        _ => Err(unusable("it holds no PEM certificate")),
    }
}

/// One value of a libpq `key=value` string, quoted.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl ClinicServer {
    /// The connection string for `username` logging in with `password`: their own login
    /// role, a 3-second limit on reaching the server.
    pub fn conninfo(&self, username: &str, password: &str) -> String {
        let role = login_role(&self.database, &normalize_username(username));
        format!(
            "host={} port={} dbname={} user={} password={} connect_timeout=3 application_name=stillpoint",
            quote(&self.host),
            self.port,
            quote(&self.database),
            quote(&role),
            quote(password)
        )
    }

    /// The server this data folder has joined, if it has.
    pub fn load(dir: &Path) -> Result<Option<ClinicServer>> {
        let path = dir.join(CLINIC_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::new(
                ErrorCode::Storage,
                format!(
                    "{} is damaged ({e}). Remove it and join the clinic's server again.",
                    path.display()
                ),
            )
        })
    }

    /// Join: the CA copied in first, then clinic.json, each written atomically.
    pub fn save(&self, dir: &Path, ca: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let pem = std::fs::read(ca)?;
        write_atomically(&dir.join(CA_FILE), &pem)?;
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::internal(format!("could not write {CLINIC_FILE}: {e}")))?;
        write_atomically(&dir.join(CLINIC_FILE), &text)
    }

    /// The CA certificate kept in the data folder.
    pub fn ca_path(dir: &Path) -> PathBuf {
        dir.join(CA_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> JoinInput {
        JoinInput {
            host: "clinic-server.local".into(),
            port: "5432".into(),
            database: "stillpoint".into(),
            ca_file: "/nonexistent/ca.pem".into(),
            username: "ana".into(),
            password: "pw".into(),
        }
    }

    fn field_of(i: &JoinInput) -> Option<String> {
        i.validated().err().and_then(|e| e.field)
    }

    #[test]
    fn each_bad_value_names_its_field() {
        for (host, want) in [
            ("", "host"),
            ("'; DROP TABLE clients; --", "host"),
            ("<script>", "host"),
            ("שרת", "host"),
        ] {
            let mut i = input();
            i.host = host.into();
            assert_eq!(field_of(&i).as_deref(), Some(want), "{host}");
        }
        for port in ["abc", "0", "70000", "-1", "5432.5", "🙂"] {
            let mut i = input();
            i.port = port.into();
            assert_eq!(field_of(&i).as_deref(), Some("port"), "{port}");
        }
        for db in ["", "a b", "x'y", &"d".repeat(64)] {
            let mut i = input();
            i.database = db.into();
            assert_eq!(field_of(&i).as_deref(), Some("database"), "{db}");
        }
        assert_eq!(field_of(&input()).as_deref(), Some("ca_file"));
        let mut i = input();
        i.ca_file = "  ".into();
        assert_eq!(field_of(&i).as_deref(), Some("ca_file"));
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let not_pem = dir.path().join("ca.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let mut i = input();
        i.ca_file = not_pem.display().to_string();
        assert_eq!(field_of(&i).as_deref(), Some("ca_file"));
        i.ca_file = dir.path().display().to_string();
        assert_eq!(field_of(&i).as_deref(), Some("ca_file"));
    }

    #[test]
    fn values_are_quoted_in_the_connection_string() {
        let s = ClinicServer {
            host: "h".into(),
            port: 5,
            database: "db".into(),
        };
        let info = s.conninfo("Ana", "it's a \\ pass word");
        let parsed: postgres::Config = info.parse().unwrap();
        assert_eq!(
            parsed.get_password(),
            Some("it's a \\ pass word".as_bytes())
        );
        assert_eq!(parsed.get_user(), Some(login_role("db", "ana").as_str()));
        assert_eq!(parsed.get_dbname(), Some("db"));
        assert_eq!(
            parsed.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(3))
        );
    }
}
