//! The append-only audit log: who changed what, when. Written in the same transaction as
//! the change it records (see `Store::write`); triggers refuse UPDATE and DELETE.

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use crate::db::WriteCtx;
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

pub(crate) fn append(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, e: &AuditEntry) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        ctx.now_text(),
        ctx.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.summary
    ])?;
    Ok(())
}

/// The audit trail of one record, oldest first.
pub fn list_for(conn: &Connection, entity: &str, entity_id: &str) -> Result<Vec<AuditRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, action, entity, entity_id, summary FROM audit_log
         WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![entity, entity_id], |r| {
        Ok(AuditRecord {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            summary: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
