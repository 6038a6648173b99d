//! A session note typed while the clinic server cannot be reached is kept on this computer,
//! encrypted, until the server is back; then it is sent, and the copy here removed. A note
//! has one owner (its therapist), so nothing is ever merged: the copy here is simply the
//! newest version of that draft.
//!
//! Each copy is XChaCha20-Poly1305 under a key derived (Argon2id) from the user's password
//! at login, with a salt of this computer's; the username and the note's id are bound in as
//! associated data, so a copy cannot be passed off as another note or another user's. Only
//! the same user, logged in again, can read or send them.

use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::domain::sessions::SessionInput;
use crate::domain::validate;
use crate::error::{Error, ErrorCode, Result};
use crate::security::keys::{KdfParams, hex, password_kek, random_bytes};
use crate::security::write_atomically;

/// The folder in the data folder where unsent drafts wait, one subfolder per user.
pub const DRAFTS_DIR: &str = "pending-drafts";
const FORMAT: &str = "stillpoint-draft/1";

/// The key a user's unsent drafts are sealed with (kept in memory while they are logged in).
pub struct DraftsKey {
    key: Zeroizing<[u8; 32]>,
    folder: PathBuf,
    username: String,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    format: String,
    nonce: String,
    sealed: String,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    data_encoding::HEXLOWER.decode(s.as_bytes()).ok()
}

fn aad(username: &str, id: &str) -> String {
    format!("{FORMAT}|{username}|{id}")
}

impl DraftsKey {
    /// Derive `username`'s key from their password (the salt made on first use, kept here).
    pub fn derive(
        data_dir: &Path,
        username: &str,
        password: &str,
        kdf: KdfParams,
    ) -> Result<DraftsKey> {
        let username = crate::security::users::validate_username(username)?;
        let folder = data_dir.join(DRAFTS_DIR).join(&username);
        crate::security::private_dir(&folder)?;
        let salt_path = folder.join("salt");
        let salt = match std::fs::read_to_string(&salt_path) {
            Ok(text) => unhex(text.trim()).ok_or_else(|| {
                Error::new(
                    ErrorCode::Storage,
                    format!("{} is damaged.", salt_path.display()),
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let salt: [u8; 16] = random_bytes()?;
                write_atomically(&salt_path, hex(&salt).as_bytes())?;
                salt.to_vec()
            }
            Err(e) => return Err(e.into()),
        };
        Ok(DraftsKey {
            key: password_kek(password, &salt, kdf)?,
            folder,
            username,
        })
    }

    fn path(&self, id: &str) -> Result<(String, PathBuf)> {
        // A record id is a UUID: no path can be smuggled in through it.
        let id = validate::record_id(id, "session note")?;
        let path = self.folder.join(format!("{id}.draft"));
        Ok((id, path))
    }

    /// Keep `input` as the newest unsent version of note `id`.
    pub fn keep(&self, id: &str, input: &SessionInput) -> Result<()> {
        let (id, _) = self.path(id)?;
        let plain = Zeroizing::new(
            serde_json::to_vec(input)
                .map_err(|e| Error::internal(format!("could not keep the draft: {e}")))?,
        );
        let nonce: [u8; 24] = random_bytes()?;
        let cipher = XChaCha20Poly1305::new(self.key.as_ref().into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: aad(&self.username, &id).as_bytes(),
                },
            )
            .map_err(|_| Error::internal("could not encrypt the draft"))?;
        let text = serde_json::to_vec(&Sealed {
            format: FORMAT.to_owned(),
            nonce: hex(&nonce),
            sealed: hex(&sealed),
        })
        .map_err(|e| Error::internal(format!("could not keep the draft: {e}")))?;
        write_atomically(&self.folder.join(format!("{id}.draft")), &text)
    }

    /// The note has reached the server: its copy here goes.
    pub fn forget(&self, id: &str) -> Result<()> {
        let (_, path) = self.path(id)?;
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every unsent draft of this user, oldest file first: (note id, content). A copy that
    /// does not open with this key (damaged, or not this user's) is left where it is.
    pub fn pending(&self) -> Result<Vec<(String, SessionInput)>> {
        let mut found = Vec::new();
        let entries = match std::fs::read_dir(&self.folder) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let cipher = XChaCha20Poly1305::new(self.key.as_ref().into());
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".draft") else {
                continue;
            };
            let Ok(text) = std::fs::read(entry.path()) else {
                continue;
            };
            let Ok(s) = serde_json::from_slice::<Sealed>(&text) else {
                continue;
            };
            let (Some(nonce), Some(sealed)) = (unhex(&s.nonce), unhex(&s.sealed)) else {
                continue;
            };
            if s.format != FORMAT || nonce.len() != 24 {
                continue;
            }
            let Ok(plain) = cipher.decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: aad(&self.username, id).as_bytes(),
                },
            ) else {
                continue;
            };
            let plain = Zeroizing::new(plain);
            if let Ok(input) = serde_json::from_slice::<SessionInput>(&plain) {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                found.push((modified, id.to_owned(), input));
            }
        }
        found.sort_by_key(|f| f.0);
        Ok(found
            .into_iter()
            .map(|(_, id, input)| (id, input))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::keys::DEFAULT_KDF;

    const ID: &str = "01900000-0000-7000-8000-00000000000a";

    #[test]
    fn a_kept_draft_opens_only_for_its_user_and_is_not_plain_text() {
        let dir = tempfile::tempdir().unwrap();
        let tess = DraftsKey::derive(dir.path(), "tess", "tess passphrase 1", DEFAULT_KDF).unwrap();
        let input = SessionInput {
            subjective: "Quillonbeck wakes with a headache".into(),
            ..Default::default()
        };
        tess.keep(ID, &input).unwrap();
        let raw = std::fs::read(
            dir.path()
                .join(DRAFTS_DIR)
                .join("tess")
                .join(format!("{ID}.draft")),
        )
        .unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains("Quillonbeck"));
        assert_eq!(
            tess.pending().unwrap(),
            vec![(ID.to_owned(), input.clone())]
        );

        // The same user with a wrong password (a different key) reads nothing.
        let wrong = DraftsKey::derive(dir.path(), "tess", "not it at all", DEFAULT_KDF).unwrap();
        assert!(wrong.pending().unwrap().is_empty());
        // A newer version replaces the older; sent, it goes.
        let newer = SessionInput {
            subjective: "newer".into(),
            ..Default::default()
        };
        tess.keep(ID, &newer).unwrap();
        assert_eq!(tess.pending().unwrap(), vec![(ID.to_owned(), newer)]);
        tess.forget(ID).unwrap();
        assert!(tess.pending().unwrap().is_empty());
        // An id that is not a record id never names a file.
        assert!(tess.keep("../../keys", &input).is_err());
    }
}
