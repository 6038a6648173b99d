//! Backups of a clinic server: `pg_dump -Fc`, encrypted on the way to the file so the file
//! is unreadable without the clinic's backup key, checked by restoring it into a scratch
//! database on the same server; and restoring one.
//!
//! The encryption composes the `aead` crate's STREAM construction (Hoang, Reyhanitabar,
//! Rogaway, Vizár) over XChaCha20-Poly1305, nothing more: the dump is cut into 64 KiB chunks,
//! each sealed with a 19-byte random nonce prefix, a 32-bit big-endian chunk counter and a
//! last-chunk flag, so a chunk changed, dropped, reordered or cut off at the end is refused.
//! The file's header (magic, version, chunk size, the key's id, the nonce, what was backed up)
//! is the associated data of every chunk, so it cannot be altered either.
//!
//! Inside the encryption, before the dump, the file carries the clinic's login roles (the
//! owner and each user's) with their SCRAM verifiers, read from `pg_authid`: a dump holds no
//! roles, and without them a restore onto a new server could not grant anyone anything, nor
//! let anyone log in. Restoring makes the roles a server lacks, with the same passwords;
//! roles it already has are left as they are. (Like today's backups, which keep keys.json's
//! wrapped keys beside them: the backup alone is enough.)
//!
//! The backup key is 256 random bits made by `init`, kept in a key file (0600) and shown once
//! as text to keep on paper, in the same 52-character form as the recovery key.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::Store;
use crate::db::OpenOptions;
use crate::db::audit;
use crate::error::{Error, ErrorCode, Result};
use crate::reports::technique_totals;
use crate::security::clinic_server::{self, MAX_DATABASE_NAME, with_dbname};

/// The first bytes of every clinic backup file.
pub const MAGIC: &[u8; 15] = b"STILLPOINT-PGBK";
/// The file format's version.
pub const VERSION: u8 = 1;
/// Plaintext bytes per sealed chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
/// XChaCha20's 24-byte nonce less STREAM's 5 bytes of counter and flag.
const NONCE: usize = 19;
const KEY_ID: usize = 8;
const MAX_META: usize = 64 * 1024;

/// Tables whose rows a check counts and prints.
pub const COUNTED: &[&str] = &[
    "users",
    "clients",
    "intakes",
    "sessions",
    "session_techniques",
    "amendments",
    "audit_log",
];

/// The clinic's backup key: 256 random bits.
pub struct BackupKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for BackupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BackupKey({})",
            data_encoding::HEXLOWER.encode(&self.id())
        )
    }
}

impl BackupKey {
    /// A new random key.
    pub fn generate() -> Result<BackupKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut())
            .map_err(|e| Error::internal(format!("no randomness for the backup key: {e}")))?;
        Ok(BackupKey(k))
    }

    /// The key as people see it: 52 base32 letters and digits in groups of four.
    pub fn text(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::security::keys::format_recovery_key(self.0.as_ref()))
    }

    /// The key from its text (any case, any grouping; `#` comment lines ignored).
    pub fn parse(text: &str) -> Result<BackupKey> {
        let clean: Zeroizing<String> = Zeroizing::new(
            text.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .flat_map(str::chars)
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let raw = Zeroizing::new(
            data_encoding::BASE32_NOPAD
                .decode(clean.as_bytes())
                .ok()
                .filter(|b| b.len() == 32)
                .ok_or_else(|| {
                    Error::field(
                        "key_file",
                        "That is not a clinic backup key: it has 52 letters and digits in groups of four.",
                    )
                })?,
        );
        let mut k = Zeroizing::new([0u8; 32]);
        k.copy_from_slice(&raw);
        Ok(BackupKey(k))
    }

    /// Read a key file written by [`BackupKey::write_new`].
    pub fn load(path: &Path) -> Result<BackupKey> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            Error::field(
                "key_file",
                format!(
                    "The backup key file {} cannot be read ({e}).",
                    path.display()
                ),
            )
        })?);
        BackupKey::parse(&text).map_err(|_| {
            Error::field(
                "key_file",
                format!(
                    "{} is not a clinic backup key file (it should hold 52 letters and digits in groups of four).",
                    path.display()
                ),
            )
        })
    }

    /// Write the key to a new file only its owner may read (never over an existing one).
    pub fn write_new(&self, path: &Path, database: &str) -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                Error::field(
                    "tls_dir",
                    format!(
                        "The backup key file {} could not be made ({e}).",
                        path.display()
                    ),
                )
            })?;
        let body = Zeroizing::new(format!(
            "# Stillpoint clinic backup key for the database {database}.\n# Without it the clinic's backups cannot be read. Keep a copy on paper, away from the server.\n{}\n",
            self.text().as_str()
        ));
        f.write_all(body.as_bytes())?;
        f.sync_all()?;
        Ok(())
    }

    /// A short public id of the key, so a backup made with another key is named as such
    /// rather than as damaged.
    pub fn id(&self) -> [u8; KEY_ID] {
        let mut h = Sha256::new();
        h.update(b"stillpoint-clinic-backup-key-id/1");
        h.update(self.0.as_ref());
        let d = h.finalize();
        let mut id = [0u8; KEY_ID];
        id.copy_from_slice(&d[..KEY_ID]);
        id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(GenericArray::from_slice(self.0.as_ref()))
    }
}

/// What a backup holds, written in its header (authenticated, not secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupMeta {
    pub database: String,
    pub owner: String,
    pub taken_at: String,
    pub schema: i64,
    pub server_version: String,
}

/// A login role the clinic needs, as the backup carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRole {
    pub name: String,
    /// The SCRAM verifier (never a password).
    pub verifier: Option<String>,
    pub login: bool,
    pub createrole: bool,
}

/// What comes before the dump inside the encryption.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Preamble {
    roles: Vec<BackupRole>,
}

const MAX_PREAMBLE: usize = 16 * 1024 * 1024;

/// A writer that takes the preamble off the front of the decrypted stream and passes the
/// dump behind it on.
struct Splitter<W: Write> {
    out: W,
    head: Vec<u8>,
    preamble: Option<Preamble>,
}

impl<W: Write> Splitter<W> {
    fn new(out: W) -> Self {
        Splitter {
            out,
            head: Vec::new(),
            preamble: None,
        }
    }

    fn preamble(&self) -> Result<Preamble> {
        self.preamble.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::Storage,
                "The backup ends before its list of logins: it is not a complete clinic backup.",
            )
        })
    }
}

impl<W: Write> Write for Splitter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.preamble.is_some() {
            return self.out.write(buf);
        }
        let need = if self.head.len() < 4 {
            4
        } else {
            let mut n = [0u8; 4];
            n.copy_from_slice(&self.head[..4]);
            4 + usize::try_from(u32::from_le_bytes(n)).unwrap_or(usize::MAX)
        };
        if need > MAX_PREAMBLE {
            return Err(std::io::Error::other(
                "the backup's list of logins is damaged",
            ));
        }
        let take = (need - self.head.len()).min(buf.len());
        self.head.extend_from_slice(&buf[..take]);
        if self.head.len() == need && need > 4 {
            let p: Preamble = serde_json::from_slice(&self.head[4..])
                .map_err(|_| std::io::Error::other("the backup's list of logins is damaged"))?;
            self.preamble = Some(p);
            self.head = Vec::new();
        }
        Ok(take)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A role name as Stillpoint makes them (the owner's, or `sp_…_username`).
fn valid_role(r: &BackupRole) -> bool {
    let name_ok = !r.name.is_empty()
        && r.name.len() <= 63
        && r.name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
        && r.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    let verifier_ok = r.verifier.as_deref().is_none_or(|v| {
        v.starts_with("SCRAM-SHA-256$")
            && v.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '$' | ':' | '+' | '/' | '=' | '-')
            })
    });
    name_ok && verifier_ok
}

/// A parsed header and its bytes (the associated data of every chunk).
struct Header {
    bytes: Vec<u8>,
    key_id: [u8; KEY_ID],
    nonce: [u8; NONCE],
    meta: BackupMeta,
}

fn header_bytes(key: &BackupKey, nonce: &[u8; NONCE], meta: &BackupMeta) -> Result<Vec<u8>> {
    let meta =
        serde_json::to_vec(meta).map_err(|e| Error::internal(format!("backup header: {e}")))?;
    let mut b = Vec::with_capacity(64 + meta.len());
    b.extend_from_slice(MAGIC);
    b.push(VERSION);
    b.extend_from_slice(&u32::try_from(CHUNK).unwrap_or(u32::MAX).to_le_bytes());
    b.extend_from_slice(&key.id());
    b.extend_from_slice(nonce);
    b.extend_from_slice(&u32::try_from(meta.len()).unwrap_or(u32::MAX).to_le_bytes());
    b.extend_from_slice(&meta);
    Ok(b)
}

fn not_a_backup(what: &str) -> Error {
    Error::field(
        "file",
        format!("{what} is not a Stillpoint clinic backup (its header is missing or damaged)."),
    )
}

fn read_header(r: &mut impl Read, what: &str) -> Result<Header> {
    let mut fixed = [0u8; 15 + 1 + 4 + KEY_ID + NONCE + 4];
    r.read_exact(&mut fixed).map_err(|_| not_a_backup(what))?;
    if &fixed[..15] != MAGIC {
        return Err(not_a_backup(what));
    }
    if fixed[15] != VERSION {
        return Err(Error::field(
            "file",
            format!(
                "{what} is a clinic backup of format {}, which this Stillpoint does not know (it knows {VERSION}). Use a newer Stillpoint.",
                fixed[15]
            ),
        ));
    }
    let u32_at = |i: usize| -> usize {
        let mut b = [0u8; 4];
        b.copy_from_slice(&fixed[i..i + 4]);
        usize::try_from(u32::from_le_bytes(b)).unwrap_or(usize::MAX)
    };
    if u32_at(16) != CHUNK {
        return Err(not_a_backup(what));
    }
    let mut key_id = [0u8; KEY_ID];
    key_id.copy_from_slice(&fixed[20..20 + KEY_ID]);
    let mut nonce = [0u8; NONCE];
    nonce.copy_from_slice(&fixed[20 + KEY_ID..20 + KEY_ID + NONCE]);
    let meta_len = u32_at(20 + KEY_ID + NONCE);
    if meta_len > MAX_META {
        return Err(not_a_backup(what));
    }
    let mut meta_bytes = vec![0u8; meta_len];
    r.read_exact(&mut meta_bytes)
        .map_err(|_| not_a_backup(what))?;
    let meta: BackupMeta = serde_json::from_slice(&meta_bytes).map_err(|_| not_a_backup(what))?;
    let mut bytes = fixed.to_vec();
    bytes.extend_from_slice(&meta_bytes);
    Ok(Header {
        bytes,
        key_id,
        nonce,
        meta,
    })
}

/// Read until `buf` is full or the input ends; the bytes read.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn sealing_failed() -> Error {
    Error::internal("the backup could not be encrypted")
}

/// Encrypt everything `plain` yields into `out`: the header, then the sealed chunks.
/// Returns the plaintext bytes.
pub fn encrypt_stream(
    key: &BackupKey,
    meta: &BackupMeta,
    plain: &mut impl Read,
    out: &mut impl Write,
) -> Result<u64> {
    let mut nonce = [0u8; NONCE];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::internal(format!("no randomness for the backup nonce: {e}")))?;
    let header = header_bytes(key, &nonce, meta)?;
    out.write_all(&header)?;
    let mut enc = EncryptorBE32::from_aead(key.cipher(), GenericArray::from_slice(&nonce));
    let mut cur = vec![0u8; CHUNK];
    let mut next = vec![0u8; CHUNK];
    let mut cur_len = fill(plain, &mut cur)?;
    let mut total = 0u64;
    loop {
        let next_len = if cur_len == CHUNK {
            fill(plain, &mut next)?
        } else {
            0
        };
        total += cur_len as u64;
        let payload = Payload {
            msg: &cur[..cur_len],
            aad: &header,
        };
        if next_len == 0 {
            let sealed = enc.encrypt_last(payload).map_err(|_| sealing_failed())?;
            out.write_all(&sealed)?;
            break;
        }
        let sealed = enc.encrypt_next(payload).map_err(|_| sealing_failed())?;
        out.write_all(&sealed)?;
        std::mem::swap(&mut cur, &mut next);
        cur_len = next_len;
    }
    out.flush()?;
    Ok(total)
}

/// Decrypt a backup from `sealed` into `out`, refusing it at the first chunk that does not
/// authenticate (before any of that chunk reaches `out`). Returns the header's description.
pub fn decrypt_stream(
    key: &BackupKey,
    sealed: &mut impl Read,
    out: &mut impl Write,
    what: &str,
) -> Result<BackupMeta> {
    let header = read_header(sealed, what)?;
    if header.key_id != key.id() {
        return Err(Error::field(
            "key_file",
            format!(
                "{what} was made with a different backup key than this key file holds (the key of another clinic, or an older key). Use the key file made when this clinic was set up; nothing was restored."
            ),
        ));
    }
    let tampered = || {
        Error::new(
            ErrorCode::Storage,
            format!(
                "{what} is damaged or was altered: part of it does not match what was written (its authentication failed). It cannot be used; nothing was restored from it."
            ),
        )
    };
    let mut dec = DecryptorBE32::from_aead(key.cipher(), GenericArray::from_slice(&header.nonce));
    let mut cur = vec![0u8; CHUNK + TAG];
    let mut next = vec![0u8; CHUNK + TAG];
    let mut cur_len = fill(sealed, &mut cur)?;
    loop {
        let next_len = if cur_len == CHUNK + TAG {
            fill(sealed, &mut next)?
        } else {
            0
        };
        let payload = Payload {
            msg: &cur[..cur_len],
            aad: &header.bytes,
        };
        if next_len == 0 {
            let plain = Zeroizing::new(dec.decrypt_last(payload).map_err(|_| tampered())?);
            out.write_all(&plain)?;
            break;
        }
        let plain = Zeroizing::new(dec.decrypt_next(payload).map_err(|_| tampered())?);
        out.write_all(&plain)?;
        std::mem::swap(&mut cur, &mut next);
        cur_len = next_len;
    }
    out.flush()?;
    Ok(header.meta)
}

/// The folder holding pg_dump and pg_restore for a server of major version `major`:
/// `PG_BINDIR` when set; else Debian's `/usr/lib/postgresql/<major>/bin`; else
/// `pg_config --bindir`; else the highest `/usr/lib/postgresql/*/bin`; else PATH.
pub fn client_bindir(major: u32) -> Option<PathBuf> {
    let has = |d: &Path| d.join("pg_dump").is_file() && d.join("pg_restore").is_file();
    if let Some(d) = std::env::var_os("PG_BINDIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let debian = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
    if has(&debian) {
        return Some(debian);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has(&d) {
            return Some(d);
        }
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let d = e.path().join("bin");
            has(&d).then_some((v, d))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, d)| d)
}

fn tool(bindir: Option<&Path>, name: &str) -> PathBuf {
    bindir.map_or_else(|| PathBuf::from(name), |d| d.join(name))
}

/// What a server connection tells about itself and one database.
struct ServerInfo {
    major: u32,
    version: String,
}

fn server_info(c: &mut postgres::Client) -> Result<ServerInfo> {
    let num: String = c.query_one("SHOW server_version_num", &[])?.get(0);
    let version: String = c.query_one("SHOW server_version", &[])?.get(0);
    let num: u32 = num.trim().parse().unwrap_or(0);
    Ok(ServerInfo {
        major: num / 10000,
        version,
    })
}

fn connect(conninfo: &str) -> Result<postgres::Client> {
    clinic_server::connect_admin(conninfo)
}

/// Run a PostgreSQL client tool; its stderr collected in the background (so it can never
/// fill its pipe and stall the tool).
struct Child {
    child: std::process::Child,
    stderr: Option<std::thread::JoinHandle<String>>,
    name: &'static str,
}

impl Child {
    fn spawn(mut cmd: Command, name: &'static str) -> Result<Child> {
        cmd.stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            Error::new(
                ErrorCode::Storage,
                format!(
                    "{name} could not be started ({e}). Install PostgreSQL's client programs (Debian: postgresql-client), or set PG_BINDIR to the folder holding {name}."
                ),
            )
        })?;
        let stderr = child.stderr.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = s.read_to_string(&mut text);
                text
            })
        });
        Ok(Child {
            child,
            stderr,
            name,
        })
    }

    /// Wait for it; an error with its own words when it failed.
    fn finish(mut self) -> Result<()> {
        let status = self.child.wait()?;
        let said = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if status.success() {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::Storage,
            format!(
                "{} failed ({status}): {}",
                self.name,
                said.trim().lines().take(8).collect::<Vec<_>>().join(" / ")
            ),
        ))
    }
}

/// What a check of a backup found: the scratch restore opened as a Stillpoint clinic.
#[derive(Debug, Clone)]
pub struct BackupCheck {
    pub meta: BackupMeta,
    pub schema: i64,
    pub audit: audit::AuditVerification,
    pub totals_agree: bool,
    /// Rows in each of [`COUNTED`].
    pub rows: Vec<(String, i64)>,
    /// The login roles the backup carries (the owner's and each user's).
    pub roles: Vec<BackupRole>,
    pub bytes: u64,
    pub seconds: f64,
}

impl BackupCheck {
    pub fn ok(&self) -> bool {
        self.audit.intact && self.totals_agree
    }
}

/// What a backup wrote, and its check.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub dump_bytes: u64,
    pub seconds: f64,
    pub check: BackupCheck,
}

/// Back up the clinic database named in `conninfo` (a role that may read everything and
/// create databases: the server's superuser) into `out`, encrypted with the key in
/// `key_file`; then verify the file as [`verify_backup`] does.
pub fn backup(conninfo: &str, key_file: &Path, out: &Path) -> Result<BackupReport> {
    let started = Instant::now();
    let key = BackupKey::load(key_file)?;
    if out.exists() {
        return Err(Error::field(
            "out",
            format!(
                "{} already exists; a backup never replaces a file. Give a new name (e.g. with the date in it).",
                out.display()
            ),
        ));
    }
    let mut c = connect(conninfo)?;
    let info = server_info(&mut c)?;
    let row = c.query_one(
        "SELECT current_database()::text, pg_get_userbyid(d.datdba)::text,
                to_regclass('stillpoint_migrations') IS NOT NULL
         FROM pg_database d WHERE d.datname = current_database()",
        &[],
    )?;
    let (database, owner, is_clinic): (String, String, bool) = (row.get(0), row.get(1), row.get(2));
    if !is_clinic {
        return Err(Error::field(
            "server",
            format!(
                "The database {database} holds no Stillpoint clinic; name the clinic's database in --server (dbname=…)."
            ),
        ));
    }
    let schema: i64 = c
        .query_one(
            "SELECT coalesce(max(version), 0) FROM stillpoint_migrations",
            &[],
        )?
        .get(0);
    may_create_databases(&mut c)?;
    let roles: Vec<BackupRole> = c
        .query(
            "SELECT rolname::text, rolpassword, rolcanlogin, rolcreaterole FROM pg_authid
             WHERE rolname = $1
                OR rolname IN (SELECT role_name COLLATE \"default\" FROM user_logins)
             ORDER BY rolname",
            &[&owner],
        )
        .map_err(|e| {
            if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
                Error::field(
                    "server",
                    "A backup keeps the clinic's logins too, which only the server's superuser may read. Use the superuser (e.g. host=/var/run/postgresql user=postgres dbname=CLINIC, run as the postgres user).",
                )
            } else {
                e.into()
            }
        })?
        .into_iter()
        .map(|r| BackupRole {
            name: r.get(0),
            verifier: r.get(1),
            login: r.get(2),
            createrole: r.get(3),
        })
        .collect();
    drop(c);
    let preamble = serde_json::to_vec(&Preamble { roles })
        .map_err(|e| Error::internal(format!("the backup's list of logins: {e}")))?;
    let mut prefix = u32::try_from(preamble.len())
        .map_err(|_| Error::internal("too many logins"))?
        .to_le_bytes()
        .to_vec();
    prefix.extend_from_slice(&preamble);
    let meta = BackupMeta {
        database,
        owner,
        taken_at: crate::db::timestamp(chrono::Utc::now()),
        schema,
        server_version: info.version,
    };
    let bindir = client_bindir(info.major);
    let tmp = partial_path(out);
    let result = (|| -> Result<u64> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| {
                Error::field(
                    "out",
                    format!("The backup file {} could not be made ({e}).", tmp.display()),
                )
            })?;
        let mut cmd = Command::new(tool(bindir.as_deref(), "pg_dump"));
        cmd.args(["-Fc", "--no-password", "-d", conninfo])
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let mut child = Child::spawn(cmd, "pg_dump")?;
        let mut stdout = child
            .child
            .stdout
            .take()
            .ok_or_else(|| Error::internal("pg_dump's output"))?;
        let mut writer = std::io::BufWriter::new(&mut file);
        let mut plain = std::io::Cursor::new(prefix).chain(&mut stdout);
        let sealed = encrypt_stream(&key, &meta, &mut plain, &mut writer);
        drop(stdout);
        let done = child.finish();
        let plain = sealed?;
        done?;
        writer.flush()?;
        drop(writer);
        file.sync_all()?;
        Ok(plain)
    })();
    let dump_bytes = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, out)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        d.sync_all().ok();
    }
    let bytes = std::fs::metadata(out)?.len();
    let seconds = started.elapsed().as_secs_f64();
    let check = verify_backup(conninfo, key_file, out)?;
    Ok(BackupReport {
        file: out.to_path_buf(),
        bytes,
        dump_bytes,
        seconds,
        check,
    })
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// Decrypt the whole file once, writing nothing anywhere: is it intact, and ours?
fn authenticate(key: &BackupKey, file: &Path) -> Result<(BackupMeta, Vec<BackupRole>)> {
    let what = format!("The backup {}", file.display());
    let f = std::fs::File::open(file).map_err(|e| {
        Error::field(
            "file",
            format!("The backup {} cannot be read ({e}).", file.display()),
        )
    })?;
    let mut split = Splitter::new(std::io::sink());
    let meta = decrypt_stream(key, &mut std::io::BufReader::new(f), &mut split, &what)?;
    let roles = split.preamble()?.roles;
    if let Some(bad) = roles.iter().find(|r| !valid_role(r)) {
        return Err(Error::new(
            ErrorCode::Storage,
            format!(
                "The backup names a login Stillpoint would not make ({}); it is not used.",
                bad.name.chars().take(40).collect::<String>()
            ),
        ));
    }
    Ok((meta, roles))
}

/// Decrypt `file` into pg_restore, restoring into `database` on the server of `conninfo`.
fn pg_restore(
    key: &BackupKey,
    file: &Path,
    conninfo: &str,
    database: &str,
    bindir: Option<&Path>,
    keep_owners: bool,
) -> Result<()> {
    let what = format!("The backup {}", file.display());
    let f = std::fs::File::open(file)?;
    let mut cmd = Command::new(tool(bindir, "pg_restore"));
    cmd.args(["--exit-on-error", "--single-transaction", "--no-password"]);
    if !keep_owners {
        cmd.args(["--no-owner", "--no-privileges"]);
    }
    cmd.arg("-d")
        .arg(with_dbname(conninfo, database))
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = Child::spawn(cmd, "pg_restore")?;
    let mut stdin = child
        .child
        .stdin
        .take()
        .ok_or_else(|| Error::internal("pg_restore's input"))?;
    let mut split = Splitter::new(std::io::BufWriter::new(&mut stdin));
    let fed = decrypt_stream(key, &mut std::io::BufReader::new(f), &mut split, &what)
        .and_then(|_| split.preamble().map(|_| ()));
    drop(split);
    drop(stdin);
    let done = child.finish();
    match (fed, done) {
        (Ok(()), done) => done,
        (Err(e), Ok(())) => Err(e),
        // Both failed: a file that would not decrypt is the cause; otherwise pg_restore
        // stopped first (and the write into it broke), and its own words say why.
        (Err(e), Err(d)) => Err(
            if e.message.contains("damaged or was altered") || e.field.is_some() {
                e
            } else {
                d
            },
        ),
    }
}

/// The rows of each counted table.
fn count_rows(c: crate::db::sql::Conn<'_>) -> Result<Vec<(String, i64)>> {
    COUNTED
        .iter()
        .map(|t| {
            c.value::<i64>(&format!("SELECT count(*) FROM {t}"), crate::args![])
                .map(|n| ((*t).to_owned(), n))
        })
        .collect()
}

/// What [`check_database`] found.
struct DbCheck {
    schema: i64,
    audit: audit::AuditVerification,
    totals_agree: bool,
    rows: Vec<(String, i64)>,
}

/// Open `database` as a Stillpoint clinic and check it: its schema, its audit chain, its
/// outcome totals against a fresh count, its rows.
fn check_database(conninfo: &str, database: &str) -> Result<DbCheck> {
    let target = with_dbname(conninfo, database);
    let pg = crate::db::postgres::connect(&target, None)?;
    let exists: bool = pg
        .client()
        .query_one(
            "SELECT to_regclass('stillpoint_migrations') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        return Err(Error::new(
            ErrorCode::Storage,
            "The backup holds no Stillpoint clinic (no schema version in it).",
        ));
    }
    let schema = crate::db::postgres::schema_version(&pg)?;
    drop(pg);
    // Opening checks the schema is one this Stillpoint knows (a newer one is refused).
    let store = Store::open(OpenOptions::server(target))?;
    let c = store.sql();
    Ok(DbCheck {
        schema,
        audit: audit::verify(c)?,
        totals_agree: technique_totals::check(c)?,
        rows: count_rows(c)?,
    })
}

/// A scratch database name no clinic uses.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "stillpoint_verify_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    )
}

/// Check a backup file: it decrypts with the key (every chunk authenticated), restores into
/// a scratch database on the server of `conninfo` (created and dropped here), opens there
/// as a Stillpoint clinic at a schema this Stillpoint knows, with its audit chain intact and
/// its outcome totals equal to a fresh count.
pub fn verify_backup(conninfo: &str, key_file: &Path, file: &Path) -> Result<BackupCheck> {
    let started = Instant::now();
    let key = BackupKey::load(key_file)?;
    let (meta, roles) = authenticate(&key, file)?;
    let bytes = std::fs::metadata(file)?.len();
    let mut admin = connect(conninfo)?;
    let info = server_info(&mut admin)?;
    may_create_databases(&mut admin)?;
    let scratch = scratch_name();
    admin.batch_execute(&format!(
        "CREATE DATABASE \"{scratch}\" ENCODING 'UTF8' TEMPLATE template0"
    ))?;
    let result = (|| {
        pg_restore(
            &key,
            file,
            conninfo,
            &scratch,
            client_bindir(info.major).as_deref(),
            false,
        )?;
        check_database(conninfo, &scratch)
    })();
    let dropped = admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)"
    ));
    let found = result?;
    dropped?;
    Ok(BackupCheck {
        meta,
        schema: found.schema,
        audit: found.audit,
        totals_agree: found.totals_agree,
        rows: found.rows,
        roles,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn may_create_databases(c: &mut postgres::Client) -> Result<()> {
    let ok: bool = c
        .query_one(
            "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user",
            &[],
        )?
        .get(0);
    if ok {
        Ok(())
    } else {
        Err(Error::field(
            "server",
            "This login may not create databases, which checking and restoring a backup needs. Use the server's superuser (e.g. host=/var/run/postgresql user=postgres, run as the postgres user).",
        ))
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub database: String,
    /// Where the database it replaced was kept (with `--replace`).
    pub kept_as: Option<String>,
    /// Logins this server lacked, made from the backup (same passwords).
    pub made_roles: Vec<String>,
    pub check: BackupCheck,
    pub seconds: f64,
}

/// Restore `file` into `database` on the server of `conninfo`, after verifying it. The
/// database must be absent, hold no tables, or be a clinic with no records yet (just set up
/// by init: it is dropped and made again from the backup), unless `replace`: then the database there is
/// kept, renamed `<database>_before_restore_<UTC time>`, and a new one takes its name.
pub fn restore_backup(
    conninfo: &str,
    key_file: &Path,
    file: &Path,
    database: &str,
    replace: bool,
) -> Result<RestoreReport> {
    let started = Instant::now();
    clinic_server::validate_identifier("database", "The database name", database)?;
    if database.len() > MAX_DATABASE_NAME {
        return Err(Error::field(
            "database",
            format!(
                "The database name (--database) is at most {MAX_DATABASE_NAME} characters here."
            ),
        ));
    }
    let key = BackupKey::load(key_file)?;
    // Refuse what would be refused anyway before the slower check.
    let mut admin = connect(conninfo)?;
    may_create_databases(&mut admin)?;
    let state = database_state(conninfo, &mut admin, database)?;
    if let DbState::Holds(what) = &state
        && !replace
    {
        return Err(Error::conflict(format!(
            "The database {database} already holds {what}. Restoring never overwrites it; give another --database, or add --replace to keep the current one renamed {database}_before_restore_<time> and restore in its place. Nothing was changed."
        )));
    }
    let check = verify_backup(conninfo, key_file, file)?;
    if !check.ok() {
        return Err(Error::new(
            ErrorCode::Storage,
            format!(
                "The backup did not pass its check ({}; totals {}); nothing was restored.",
                check.audit.message,
                if check.totals_agree {
                    "agree"
                } else {
                    "disagree"
                }
            ),
        ));
    }
    let info = server_info(&mut admin)?;
    let owner = &check.meta.owner;
    // The logins the backup carries that this server lacks (a new server): made with the
    // same verifiers, so everyone logs in with the password they had.
    let mut made_roles: Vec<String> = Vec::new();
    let drop_made = |admin: &mut postgres::Client, made: &[String]| {
        for r in made.iter().rev() {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
        }
    };
    for role in &check.roles {
        let exists: bool = admin
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&role.name],
            )?
            .get(0);
        if exists {
            continue;
        }
        let mut sql = format!(
            "CREATE ROLE \"{}\" {} {} NOSUPERUSER NOCREATEDB",
            role.name,
            if role.login { "LOGIN" } else { "NOLOGIN" },
            if role.createrole {
                "CREATEROLE"
            } else {
                "NOCREATEROLE"
            }
        );
        if let Some(v) = &role.verifier {
            sql.push_str(&format!(" PASSWORD '{v}'"));
        }
        if let Err(e) = admin.batch_execute(&sql) {
            drop_made(&mut admin, &made_roles);
            return Err(e.into());
        }
        made_roles.push(role.name.clone());
    }
    let owner_exists: bool = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[owner],
        )?
        .get(0);
    if !owner_exists {
        drop_made(&mut admin, &made_roles);
        return Err(Error::new(
            ErrorCode::Storage,
            format!(
                "The backup's records belong to the role {owner}, which this server does not have and the backup does not carry. Nothing was changed."
            ),
        ));
    }
    // Whatever is there is set aside under another name first, so a failure can put it
    // back; an empty one is dropped once the restore has passed its check.
    let mut kept_as = None;
    let set_aside_empty = matches!(state, DbState::Empty);
    if !matches!(state, DbState::Absent) {
        let others: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&database],
            )?
            .get(0);
        if others > 0 {
            drop_made(&mut admin, &made_roles);
            return Err(Error::conflict(format!(
                "{others} connections are open to {database} (workstations running Stillpoint?). Close Stillpoint everywhere and restore again; nothing was changed."
            )));
        }
        let name = format!(
            "{database}_before_restore_{}",
            chrono::Utc::now().format("%Y%m%d_%H%M%S")
        );
        if let Err(e) = admin.batch_execute(&format!(
            "ALTER DATABASE \"{database}\" RENAME TO \"{name}\""
        )) {
            drop_made(&mut admin, &made_roles);
            return Err(e.into());
        }
        kept_as = Some(name);
    }
    let put_back = |admin: &mut postgres::Client| {
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
        ));
        if let Some(k) = &kept_as {
            let _ =
                admin.batch_execute(&format!("ALTER DATABASE \"{k}\" RENAME TO \"{database}\""));
        }
    };
    let result = (|| -> Result<()> {
        admin.batch_execute(&format!(
            "CREATE DATABASE \"{database}\" OWNER \"{owner}\" ENCODING 'UTF8' TEMPLATE template0"
        ))?;
        pg_restore(
            &key,
            file,
            conninfo,
            database,
            client_bindir(info.major).as_deref(),
            true,
        )?;
        let found = check_database(conninfo, database)?;
        let audit = found.audit;
        if !audit.intact || !found.totals_agree {
            return Err(Error::new(
                ErrorCode::Storage,
                format!(
                    "The restored database did not pass its check ({}).",
                    audit.message
                ),
            ));
        }
        let c = connect(&with_dbname(conninfo, database))?;
        let mut c = c;
        c.batch_execute("ANALYZE")?;
        Ok(())
    })();
    if let Err(e) = result {
        put_back(&mut admin);
        drop_made(&mut admin, &made_roles);
        return Err(e);
    }
    if set_aside_empty && let Some(k) = kept_as.take() {
        admin.batch_execute(&format!("DROP DATABASE \"{k}\""))?;
    }
    Ok(RestoreReport {
        database: database.to_owned(),
        kept_as,
        made_roles,
        check,
        seconds: started.elapsed().as_secs_f64(),
    })
}

enum DbState {
    Absent,
    Empty,
    Holds(String),
}

fn database_state(conninfo: &str, admin: &mut postgres::Client, database: &str) -> Result<DbState> {
    let exists: bool = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&database],
        )?
        .get(0);
    if !exists {
        return Ok(DbState::Absent);
    }
    let mut c = connect(&with_dbname(conninfo, database))?;
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%'",
            &[],
        )?
        .get(0);
    if n == 0 {
        return Ok(DbState::Empty);
    }
    let is_clinic: bool = c
        .query_one(
            "SELECT to_regclass('stillpoint_migrations') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !is_clinic {
        return Ok(DbState::Holds(format!("{n} tables")));
    }
    // A clinic set up by init and not used yet (no user, no record, no audit entry) is
    // as good as empty: the way onto a new server is init, then restore.
    let records: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM intakes)
                  + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM audit_log)
                  + (SELECT count(*) FROM users)",
            &[],
        )?
        .get(0);
    Ok(if records == 0 {
        DbState::Empty
    } else {
        DbState::Holds(format!(
            "{records} records (clients, notes, intakes, users and audit entries together)"
        ))
    })
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn meta() -> BackupMeta {
        BackupMeta {
            database: "clinic".into(),
            owner: "clinic_owner".into(),
            taken_at: "2026-12-01T00:00:00.000Z".into(),
            schema: 11,
            server_version: "15.14".into(),
        }
    }

    fn seal(key: &BackupKey, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encrypt_stream(key, &meta(), &mut &plain[..], &mut out).unwrap();
        out
    }

    fn open(key: &BackupKey, sealed: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        decrypt_stream(key, &mut &sealed[..], &mut out, "the backup").map(|_| out)
    }

    #[test]
    fn round_trips_at_every_chunk_boundary() {
        let key = BackupKey::generate().unwrap();
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7] {
            let plain: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let sealed = seal(&key, &plain);
            assert_eq!(open(&key, &sealed).unwrap(), plain, "{n} bytes");
            // Not readable as it was: the plaintext does not appear in the file.
            if n >= 64 {
                assert!(!sealed.windows(64).any(|w| w == &plain[..64]));
            }
        }
    }

    #[test]
    fn any_flipped_byte_dropped_chunk_or_cut_end_is_refused() {
        let key = BackupKey::generate().unwrap();
        let plain: Vec<u8> = (0..(2 * CHUNK + 100)).map(|i| (i % 13) as u8).collect();
        let sealed = seal(&key, &plain);
        let header_len = sealed.len() - (plain.len() + 3 * TAG);
        // Every byte of the header, and bytes throughout the chunks.
        let mut positions: Vec<usize> = (0..header_len).collect();
        positions.extend((header_len..sealed.len()).step_by(997));
        positions.push(sealed.len() - 1);
        for i in positions {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(open(&key, &bad).is_err(), "byte {i} flipped was accepted");
        }
        // The last chunk cut off: the chunk before is not marked last.
        let cut = &sealed[..header_len + 2 * (CHUNK + TAG)];
        let e = open(&key, cut).unwrap_err();
        assert!(
            e.message.contains("damaged or was altered"),
            "{}",
            e.message
        );
        // A chunk dropped from the middle.
        let mut dropped = sealed[..header_len + CHUNK + TAG].to_vec();
        dropped.extend_from_slice(&sealed[header_len + 2 * (CHUNK + TAG)..]);
        assert!(open(&key, &dropped).is_err());
        // Two chunks swapped.
        let mut swapped = sealed[..header_len].to_vec();
        swapped
            .extend_from_slice(&sealed[header_len + CHUNK + TAG..header_len + 2 * (CHUNK + TAG)]);
        swapped.extend_from_slice(&sealed[header_len..header_len + CHUNK + TAG]);
        swapped.extend_from_slice(&sealed[header_len + 2 * (CHUNK + TAG)..]);
        assert!(open(&key, &swapped).is_err());
        // Something appended.
        let mut longer = sealed.clone();
        longer.extend_from_slice(&[0u8; 40]);
        assert!(open(&key, &longer).is_err());
    }

    #[test]
    fn another_key_is_named_as_such_and_the_text_form_round_trips() {
        let key = BackupKey::generate().unwrap();
        let other = BackupKey::generate().unwrap();
        let sealed = seal(&key, b"records");
        let e = open(&other, &sealed).unwrap_err();
        assert!(e.message.contains("different backup key"), "{}", e.message);
        let again = BackupKey::parse(&key.text().to_lowercase()).unwrap();
        assert_eq!(open(&again, &sealed).unwrap(), b"records");
        assert!(BackupKey::parse("ABCD-EFGH").is_err());
        let e = open(&key, b"PK\x03\x04 not a backup").unwrap_err();
        assert!(
            e.message.contains("not a Stillpoint clinic backup"),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_key_file_is_private_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinic.backup-key");
        let key = BackupKey::generate().unwrap();
        key.write_new(&path, "clinic").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(BackupKey::load(&path).unwrap().id(), key.id());
        assert!(
            BackupKey::generate()
                .unwrap()
                .write_new(&path, "clinic")
                .is_err()
        );
        assert_eq!(BackupKey::load(&path).unwrap().id(), key.id());
    }
}
