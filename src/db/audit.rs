//! The append-only audit log: who changed what, when. Written in the same transaction as
//! the change it records (see `Database::write`); triggers refuse UPDATE and DELETE.
//!
//! The entries form a hash chain: each entry's `hash` is SHA-256 over the previous entry's
//! hash and this entry's own fields. Someone with raw access to the file can drop the
//! triggers, but cannot change or remove an entry without `verify` finding the first entry
//! whose link no longer holds.

use rusqlite::{Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::args;
use crate::db::WriteCtx;
use crate::db::sql::{Conn, Engine};
use crate::error::Result;

/// What a write appends to the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub summary: String,
}

/// One row of the audit log, as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditRecord {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub summary: String,
}

/// The hash of the entry before the first one.
const GENESIS: &str = "";

/// SHA-256 (hex) over the previous hash and the entry's fields, each length-prefixed so no
/// two different entries encode alike.
fn link_hash(prev: &str, fields: [&str; 6]) -> String {
    let mut h = Sha256::new();
    for part in std::iter::once(prev).chain(fields) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn last_hash(conn: Conn<'_>) -> Result<String> {
    Ok(conn
        .optional(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            args![],
            |r| r.get::<String>(0),
        )?
        .unwrap_or_else(|| GENESIS.to_owned()))
}

/// Append one entry to the chain. The caller's write transaction has already taken the
/// engine's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the transaction-scoped advisory
/// lock), so reading the last hash and writing the next one cannot interleave with
/// another writer.
pub(crate) fn append(tx: Conn<'_>, ctx: &WriteCtx<'_>, e: &AuditEntry) -> Result<()> {
    let at = ctx.now_text();
    match tx.engine() {
        // SQLite numbers the entry itself (AUTOINCREMENT: a number is never issued twice,
        // and sqlite_sequence remembers the highest issued).
        Engine::Sqlite => {
            let prev = last_hash(tx)?;
            let hash = link_hash(
                &prev,
                [&at, ctx.actor, e.action, e.entity, &e.entity_id, &e.summary],
            );
            tx.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, summary, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![
                    at,
                    ctx.actor,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.summary,
                    hash
                ],
            )?;
        }
        // PostgreSQL: the server appends (stillpoint_audit_append, schema 11): the number
        // from audit_issued under the write lock (a rolled-back insert would leave a gap in
        // a sequence that `verify` reads as a removed entry), the same link hash as here, and
        // for a user's login role the actor and time from the server itself.
        Engine::Postgres => {
            tx.execute(
                "SELECT stillpoint_audit_append(?1, ?2, ?3, ?4, ?5, ?6)",
                args![at, ctx.actor, e.action, e.entity, e.entity_id, e.summary],
            )?;
        }
    }
    Ok(())
}

type Row = (i64, String, String, String, String, String, String, String);

fn rows_in_order(conn: Conn<'_>, f: &mut dyn FnMut(Row) -> Result<bool>) -> Result<()> {
    // In pages by seq: PostgreSQL hands over a whole result at once, and a clinic's log runs
    // to millions of entries.
    const PAGE: i64 = 10_000;
    let mut after = i64::MIN;
    loop {
        let (mut read, mut stopped, from) = (0, false, after);
        conn.each(
            "SELECT seq, at, actor, action, entity, entity_id, summary, hash FROM audit_log
              WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            args![from, PAGE],
            |r| {
                read += 1;
                after = r.get(0)?;
                let go = f((
                    after,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))?;
                stopped = !go;
                Ok(go)
            },
        )?;
        if stopped || read < PAGE {
            return Ok(());
        }
    }
}

/// Migration 0005: hash the entries written before the chain existed, in order, then make
/// the log append-only again.
pub(crate) fn chain_existing_entries(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    let mut hashes = Vec::new();
    let mut prev = GENESIS.to_owned();
    rows_in_order(Conn::Sqlite(tx), &mut |(
        seq,
        at,
        actor,
        action,
        entity,
        id,
        summary,
        _,
    )| {
        prev = link_hash(&prev, [&at, &actor, &action, &entity, &id, &summary]);
        hashes.push((seq, prev.clone()));
        Ok(true)
    })
    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))?;
    let mut update = tx.prepare("UPDATE audit_log SET hash = ?2 WHERE seq = ?1")?;
    for (seq, hash) in hashes {
        update.execute(params![seq, hash])?;
    }
    tx.execute_batch(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN
             SELECT RAISE(ABORT, 'the audit log is append-only');
         END;",
    )?;
    Ok(())
}

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditVerification {
    /// Entries checked.
    #[ts(type = "number")]
    pub entries: i64,
    pub intact: bool,
    /// The first entry whose link does not hold, when one does not.
    #[ts(type = "number | null")]
    pub first_broken_seq: Option<i64>,
    /// For people: what is wrong and where.
    pub message: String,
}

/// Walk the chain from the first entry and report the first link that does not hold.
pub fn verify(conn: Conn<'_>) -> Result<AuditVerification> {
    {
        let mut prev = GENESIS.to_owned();
        let mut entries = 0i64;
        let mut last_seq = 0i64;
        let mut broken: Option<(i64, String)> = None;
        rows_in_order(conn, &mut |(
            seq,
            at,
            actor,
            action,
            entity,
            id,
            summary,
            hash,
        )| {
            entries += 1;
            let expected = link_hash(&prev, [&at, &actor, &action, &entity, &id, &summary]);
            if expected != hash {
                let why = if seq != last_seq + 1 {
                    format!(
                        "Entry {seq} does not follow entry {last_seq}: an entry between them was removed."
                    )
                } else {
                    format!(
                        "Entry {seq} ({action} at {at}) was changed after it was written, or the entry before it was."
                    )
                };
                broken = Some((seq, why));
                return Ok(false);
            }
            prev = hash;
            last_seq = seq;
            Ok(true)
        })?;
        if broken.is_none() {
            // Entries removed from the end leave the counter ahead of the last entry.
            let issued: i64 = conn
                .optional(
                    conn.pick(
                        "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
                        "SELECT seq FROM audit_issued",
                    ),
                    args![],
                    |r| r.get(0),
                )?
                .unwrap_or(0);
            if issued > last_seq {
                broken = Some((
                    last_seq + 1,
                    format!(
                        "Entries after {last_seq} (up to {issued}) were removed from the end of the log."
                    ),
                ));
            }
        }
        Ok(match broken {
            None => AuditVerification {
                entries,
                intact: true,
                first_broken_seq: None,
                message: format!("All {entries} audit entries are intact."),
            },
            Some((seq, message)) => AuditVerification {
                entries,
                intact: false,
                first_broken_seq: Some(seq),
                message,
            },
        })
    }
}

/// The audit trail of one record, oldest first.
pub fn list_for(conn: Conn<'_>, entity: &str, entity_id: &str) -> Result<Vec<AuditRecord>> {
    conn.all(
        "SELECT seq, at, actor, action, entity, entity_id, summary FROM audit_log
         WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
        args![entity, entity_id],
        |r| {
            Ok(AuditRecord {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                summary: r.get(6)?,
            })
        },
    )
}
