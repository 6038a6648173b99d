//! The database key and who can unlock it.
//!
//! One random 256-bit key encrypts the database (SQLCipher, raw key: no second key
//! derivation at open). It is stored only wrapped: once per user under a key derived from
//! that user's password (Argon2id), and once under the recovery key shown a single time at
//! setup. Wrapping is XChaCha20-Poly1305 with the username bound in as associated data, so
//! an entry cannot be moved to another user, and a wrong password fails the tag check.
//!
//! The wrapped keys live in `keys.json` beside the database, written atomically.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

pub const KEYS_FILE: &str = "keys.json";
const FORMAT: &str = "stillpoint-keys/1";

/// Argon2id cost, stored with each entry so it can be raised later without breaking old ones.
/// At least the OWASP minimum (m = 19 MiB, t = 2, p = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

pub const DEFAULT_KDF: KdfParams = KdfParams {
    m_kib: 19 * 1024,
    t: 2,
    p: 1,
};

// The default cost is never weaker than the OWASP minimum (checked when compiling).
const _: () = assert!(DEFAULT_KDF.m_kib >= 19 * 1024 && DEFAULT_KDF.t >= 2 && DEFAULT_KDF.p >= 1);

pub use crate::db::key::DbKey;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Wrapped {
    salt: String,
    nonce: String,
    wrapped: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct UserEntry {
    username: String,
    kdf: KdfParams,
    #[serde(flatten)]
    key: Wrapped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    format: String,
    users: Vec<UserEntry>,
    recovery: Wrapped,
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    Ok(b)
}

pub(crate) fn hex(b: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(b)
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    data_encoding::HEXLOWER
        .decode(s.as_bytes())
        .map_err(|_| damaged())
}

fn damaged() -> Error {
    Error::new(
        ErrorCode::Storage,
        "The key file (keys.json) is damaged. Restore it from a backup, or use the recovery key.",
    )
}

/// Usernames compare without regard to case or surrounding spaces.
pub fn normalize_username(name: &str) -> String {
    name.trim().to_lowercase()
}

pub(crate) fn password_kek(
    password: &str,
    salt: &[u8],
    kdf: KdfParams,
) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32))
        .map_err(|e| Error::internal(format!("bad key-derivation settings: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|e| Error::internal(format!("key derivation failed: {e}")))?;
    Ok(out)
}

/// The recovery key already carries 256 random bits: one hash is enough to make a KEK.
fn recovery_kek(recovery: &[u8], salt: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"stillpoint-recovery-kek/1");
    h.update(salt);
    h.update(recovery);
    Zeroizing::new(h.finalize().into())
}

fn seal(kek: &[u8; 32], salt: &[u8], aad: &str, key: &DbKey) -> Result<Wrapped> {
    let nonce: [u8; 24] = random_bytes()?;
    let cipher = XChaCha20Poly1305::new(kek.into());
    let wrapped = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.bytes().as_ref(),
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| Error::internal("could not wrap the database key"))?;
    Ok(Wrapped {
        salt: hex(salt),
        nonce: hex(&nonce),
        wrapped: hex(&wrapped),
    })
}

/// `None` when the tag does not verify: a wrong password or recovery key.
fn open(kek: &[u8; 32], w: &Wrapped, aad: &str) -> Result<Option<DbKey>> {
    let nonce = unhex(&w.nonce)?;
    if nonce.len() != 24 {
        return Err(damaged());
    }
    let cipher = XChaCha20Poly1305::new(kek.into());
    let Ok(plain) = cipher.decrypt(
        XNonce::from_slice(&nonce),
        Payload {
            msg: &unhex(&w.wrapped)?,
            aad: aad.as_bytes(),
        },
    ) else {
        return Ok(None);
    };
    let plain = Zeroizing::new(plain);
    let mut k = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(damaged());
    }
    k.copy_from_slice(&plain);
    Ok(Some(DbKey::from_bytes(k)))
}

fn user_aad(username: &str) -> String {
    format!("stillpoint-user:{username}")
}
const RECOVERY_AAD: &str = "stillpoint-recovery";

/// The recovery key as people see it: 52 base32 letters and digits in groups of four.
pub fn format_recovery_key(raw: &[u8]) -> String {
    let text = data_encoding::BASE32_NOPAD.encode(raw);
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn parse_recovery_key(text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let clean: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD
        .decode(clean.as_bytes())
        .ok()
        .filter(|b| b.len() == 32)
        .map(Zeroizing::new)
        .ok_or_else(|| {
            Error::field(
                "recovery_key",
                "That is not a recovery key: it has 52 letters and digits in groups of four.",
            )
        })
}

/// Whether `e` is the answer to a wrong username or password (what the login throttle counts).
pub fn is_wrong_password(e: &Error) -> bool {
    *e == wrong_password()
}

fn wrong_password() -> Error {
    Error::field(
        "password",
        "The username or password is not right. Check them and try again.",
    )
}

impl KeyFile {
    /// A new key file for a new database: the first user's entry and the recovery entry.
    /// Returns the file, the database key, and the recovery key to show once.
    pub fn create(
        username: &str,
        password: &str,
        kdf: KdfParams,
    ) -> Result<(KeyFile, DbKey, Zeroizing<String>)> {
        let key = DbKey::generate()?;
        let recovery_raw = Zeroizing::new(random_bytes::<32>()?);
        let salt: [u8; 16] = random_bytes()?;
        let recovery = seal(
            &recovery_kek(recovery_raw.as_ref(), &salt),
            &salt,
            RECOVERY_AAD,
            &key,
        )?;
        let mut file = KeyFile {
            format: FORMAT.to_owned(),
            users: Vec::new(),
            recovery,
        };
        file.set_user(username, password, kdf, &key)?;
        Ok((
            file,
            key,
            Zeroizing::new(format_recovery_key(recovery_raw.as_ref())),
        ))
    }

    /// Add a user, or replace their entry (a password change).
    pub fn set_user(
        &mut self,
        username: &str,
        password: &str,
        kdf: KdfParams,
        key: &DbKey,
    ) -> Result<()> {
        let username = normalize_username(username);
        let salt: [u8; 16] = random_bytes()?;
        let kek = password_kek(password, &salt, kdf)?;
        let entry = UserEntry {
            username: username.clone(),
            kdf,
            key: seal(&kek, &salt, &user_aad(&username), key)?,
        };
        self.users.retain(|u| u.username != username);
        self.users.push(entry);
        Ok(())
    }

    pub fn remove_user(&mut self, username: &str) {
        let username = normalize_username(username);
        self.users.retain(|u| u.username != username);
    }

    pub fn has_user(&self, username: &str) -> bool {
        let username = normalize_username(username);
        self.users.iter().any(|u| u.username == username)
    }

    /// The database key, if `password` is `username`'s.
    pub fn unlock(&self, username: &str, password: &str) -> Result<DbKey> {
        let username = normalize_username(username);
        let Some(entry) = self.users.iter().find(|u| u.username == username) else {
            // Same cost and same answer as a wrong password: no probing for usernames.
            password_kek(password, &[0u8; 16], DEFAULT_KDF)?;
            return Err(wrong_password());
        };
        let kek = password_kek(password, &unhex(&entry.key.salt)?, entry.kdf)?;
        open(&kek, &entry.key, &user_aad(&username))?.ok_or_else(wrong_password)
    }

    /// The database key from the recovery key.
    pub fn unlock_with_recovery(&self, recovery_key: &str) -> Result<DbKey> {
        let raw = parse_recovery_key(recovery_key)?;
        let kek = recovery_kek(&raw, &unhex(&self.recovery.salt)?);
        open(&kek, &self.recovery, RECOVERY_AAD)?.ok_or_else(|| {
            Error::field(
                "recovery_key",
                "That recovery key does not open this database. Check it and try again.",
            )
        })
    }

    pub fn load(path: &Path) -> Result<Option<KeyFile>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let file: KeyFile = serde_json::from_str(&text).map_err(|_| damaged())?;
        if file.format != FORMAT {
            return Err(damaged());
        }
        Ok(Some(file))
    }

    /// Write atomically: a temporary file beside it, flushed, renamed over the old one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::internal(format!("could not write the key file: {e}")))?;
        crate::security::write_atomically(path, &text)
    }
}

pub fn keys_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEYS_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters for unit tests only; the app always uses DEFAULT_KDF or stronger.
    const FAST: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    #[test]
    fn the_right_password_unlocks_and_a_wrong_one_is_refused() {
        let (file, key, _) = KeyFile::create("Admin", "correct horse", FAST).unwrap();
        let got = file.unlock(" admin ", "correct horse").unwrap();
        assert_eq!(got.bytes().as_ref(), key.bytes().as_ref());
        let err = file.unlock("admin", "wrong").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("password"));
        let err = file.unlock("nobody", "correct horse").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("password"));
    }

    #[test]
    fn the_recovery_key_unlocks_in_any_case_and_grouping() {
        let (file, key, recovery) = KeyFile::create("admin", "pw", FAST).unwrap();
        assert_eq!(recovery.len(), 52 + 12);
        let sloppy = recovery.to_lowercase().replace('-', " ");
        assert_eq!(
            file.unlock_with_recovery(&sloppy).unwrap().bytes().as_ref(),
            key.bytes().as_ref()
        );
        let other = format_recovery_key(&[7u8; 32]);
        let err = file.unlock_with_recovery(&other).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("recovery_key"));
        assert!(file.unlock_with_recovery("not a key").is_err());
    }

    #[test]
    fn an_entry_moved_to_another_user_does_not_open() {
        let (mut file, key, _) = KeyFile::create("admin", "pw", FAST).unwrap();
        file.set_user("jo", "jo-pw", FAST, &key).unwrap();
        let admin = file
            .users
            .iter()
            .find(|u| u.username == "admin")
            .unwrap()
            .clone();
        let jo = file.users.iter_mut().find(|u| u.username == "jo").unwrap();
        jo.key = admin.key;
        jo.kdf = admin.kdf;
        assert!(file.unlock("jo", "pw").is_err());
    }

    #[test]
    fn save_and_load_round_trip_and_a_damaged_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = keys_path(dir.path());
        assert!(KeyFile::load(&path).unwrap().is_none());
        let (file, _, _) = KeyFile::create("admin", "pw", FAST).unwrap();
        file.save(&path).unwrap();
        assert_eq!(KeyFile::load(&path).unwrap(), Some(file));
        std::fs::write(&path, "{not json").unwrap();
        let err = KeyFile::load(&path).unwrap_err();
        assert!(err.message.contains("keys.json"));
    }
}
