//! The raw SQLCipher key. Where it comes from (wrapped per user, the recovery key) is the
//! security layer's business; storage only needs to key a connection with it.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The raw database key; wiped from memory when dropped.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    pub fn generate() -> Result<DbKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut())
            .map_err(|e| Error::internal(format!("no randomness for a key: {e}")))?;
        Ok(DbKey(k))
    }

    /// A key from its 32 bytes (unwrapped from a key file).
    pub fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> DbKey {
        DbKey(bytes)
    }

    /// The 32 bytes, for wrapping.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SQLCipher raw-key literal: `x'…'` with 64 hex digits.
    pub fn pragma_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "\"x'{}'\"",
            data_encoding::HEXLOWER.encode(self.0.as_ref())
        ))
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}
