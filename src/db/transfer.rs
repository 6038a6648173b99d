//! Moving a single-computer database onto a clinic server: every row of every table copied
//! as it is (ids, times, the audit log and its hashes verbatim), inside the caller's
//! transaction on the server, so it all lands or none of it does.
//!
//! Rows go by PostgreSQL's binary COPY. What each engine keeps its own way is made on the
//! server instead of copied: the words of the search index (`search_terms`, from the server's
//! own tokenizer), the highest audit number issued (`audit_issued`, from SQLite's
//! `sqlite_sequence`) and the next search-entry id. Rows the schema seeds (the technique
//! catalogue, its warnings, the clinic settings) are replaced by the file's, which may have
//! renamed or retired them.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;

use super::sql::{Owned, PgArg, PgConn, Value};
use crate::error::{Error, Result};

/// The tables copied, in an order their foreign keys accept.
pub const TABLES: &[&str] = &[
    "users",
    "clinic_settings",
    "techniques",
    "technique_warnings",
    "clients",
    "client_contraindications",
    "intakes",
    "red_flag_acks",
    "midas_assessments",
    "care_plans",
    "sessions",
    "session_techniques",
    "session_marks",
    "amendments",
    "corrections",
    "home_care_items",
    "session_home_care",
    "audit_log",
    "search_docs",
    "search_fts",
    "technique_outcome_totals",
    "client_name_prefixes",
    "diary_days",
    "diary_corrections",
];

/// Tables whose rows the schema seeds: the file's rows replace them.
const SEEDED: &[&str] = &[
    "clinic_settings",
    "techniques",
    "technique_warnings",
    "home_care_items",
];

/// Tables made on the server rather than copied (see the module's comment).
const MADE_HERE: &[&str] = &["search_terms", "audit_issued", "user_logins"];

/// The two triggers that refuse techniques and marks for a signed note. Rows arrive table by
/// table, a note before its techniques, so a signed note's techniques would be refused: the
/// triggers are off for the copy, inside its transaction (which takes the tables' exclusive
/// lock, so no other connection writes while they are off), and on again before it ends.
const INSERT_GUARDS: &[(&str, &str)] = &[
    ("session_techniques", "signed_techniques_no_insert"),
    ("session_marks", "signed_marks_no_insert"),
    ("session_home_care", "signed_home_care_no_insert"),
];

/// One table copied: how many rows it holds on both sides afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub rows: u64,
}

/// Copy every table of `src` into `dst`, whose transaction the caller has begun (and ends:
/// COMMIT when this and the caller's checks succeed, ROLLBACK otherwise). Row counts are
/// compared table by table before returning.
pub fn sqlite_to_postgres(src: &rusqlite::Connection, dst: &PgConn) -> Result<Vec<Copied>> {
    let mut pg = dst.client();
    // A table on the server this code does not know would be left empty: refuse instead.
    for row in pg.query(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
            AND table_name <> 'stillpoint_migrations'",
        &[],
    )? {
        let name: String = row.try_get(0)?;
        if !TABLES.contains(&name.as_str()) && !MADE_HERE.contains(&name.as_str()) {
            return Err(Error::internal(format!(
                "the clinic server's schema has a table ({name}) that the import does not copy"
            )));
        }
    }
    for (table, trigger) in INSERT_GUARDS {
        pg.batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))?;
    }

    let mut copied = Vec::with_capacity(TABLES.len());
    for &table in TABLES {
        let columns: Vec<(String, Type)> = pg
            .query(
                "SELECT attname::text, atttypid::bigint FROM pg_attribute
                  WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped
                    AND attgenerated = ''
                  ORDER BY attnum",
                &[&table],
            )?
            .iter()
            .map(|r| {
                let oid: i64 = r.try_get(1)?;
                let ty = u32::try_from(oid)
                    .ok()
                    .and_then(Type::from_oid)
                    .ok_or_else(|| Error::internal(format!("{table}: a column type {oid}")))?;
                Ok((r.try_get(0)?, ty))
            })
            .collect::<Result<_>>()?;
        let names = columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let types: Vec<Type> = columns.iter().map(|(_, t)| t.clone()).collect();

        let seeded = SEEDED.contains(&table);
        let into = if seeded {
            pg.batch_execute(&format!(
                "CREATE TEMP TABLE stage_{table} (LIKE {table}) ON COMMIT DROP"
            ))?;
            format!("stage_{table}")
        } else {
            table.to_owned()
        };
        {
            let sink = pg.copy_in(&format!("COPY {into} ({names}) FROM STDIN (FORMAT binary)"))?;
            let mut writer = BinaryCopyInWriter::new(sink, &types);
            let mut stmt = src.prepare(&format!("SELECT {names} FROM {table}"))?;
            let mut rows = stmt.query([])?;
            let mut values: Vec<Owned> = Vec::with_capacity(columns.len());
            while let Some(r) = rows.next()? {
                values.clear();
                for i in 0..columns.len() {
                    values.push(super::sql::sqlite_owned(r.get_ref(i)?));
                }
                let args: Vec<PgArg<'_>> = values.iter().map(|v| PgArg(borrowed(v))).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = args
                    .iter()
                    .map(|a| a as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                writer.write(&refs)?;
            }
            writer.finish()?;
        }
        if seeded {
            let keys: Vec<String> = pg
                .query(
                    "SELECT a.attname::text FROM pg_index i
                       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                      WHERE i.indrelid = $1::text::regclass AND i.indisprimary",
                    &[&table],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            let key = keys.join(", ");
            let update = columns
                .iter()
                .filter(|(n, _)| !keys.contains(n))
                .map(|(n, _)| format!("{n} = EXCLUDED.{n}"))
                .collect::<Vec<_>>()
                .join(", ");
            pg.batch_execute(&format!(
                "DELETE FROM {table} WHERE ({key}) NOT IN (SELECT {key} FROM stage_{table});
                 INSERT INTO {table} ({names}) SELECT {names} FROM stage_{table}
                     ON CONFLICT ({key}) DO UPDATE SET {update};"
            ))?;
        }

        let here: i64 = pg
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .try_get(0)?;
        let there: i64 =
            src.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if here != there {
            return Err(Error::internal(format!(
                "{table}: {there} rows in the file but {here} on the server after copying"
            )));
        }
        copied.push(Copied {
            table,
            rows: u64::try_from(here).unwrap_or(0),
        });
    }

    // The highest audit number ever issued: entries removed from the end stay detectable.
    // (sqlite_sequence exists: audit_log is AUTOINCREMENT from the first migration.)
    let issued: i64 = src.query_row(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'),
                         (SELECT max(seq) FROM audit_log), 0)",
        [],
        |r| r.get(0),
    )?;
    pg.execute("UPDATE audit_issued SET seq = $1", &[&issued])?;
    // New search entries are numbered after the copied ones.
    pg.batch_execute(
        "SELECT setval(pg_get_serial_sequence('search_docs', 'id'),
                       coalesce((SELECT max(id) FROM search_docs), 1),
                       (SELECT max(id) FROM search_docs) IS NOT NULL);
         INSERT INTO search_terms (term)
             SELECT DISTINCT w.lexeme FROM search_fts f, unnest(f.tsv) AS w
             ON CONFLICT DO NOTHING;",
    )?;
    for (table, trigger) in INSERT_GUARDS {
        pg.batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))?;
    }
    Ok(copied)
}

fn borrowed(v: &Owned) -> Value<'_> {
    match v {
        Owned::Null => Value::Null,
        Owned::Int(i) => Value::Int(*i),
        Owned::Real(f) => Value::Real(*f),
        Owned::Text(s) => Value::Text(s),
        Owned::Bytes(b) => Value::Bytes(b),
    }
}
