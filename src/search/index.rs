//! The write side of search: what each record puts in the full-text index, written in the
//! same transaction as the record. The domain calls it when it writes; it knows nothing of
//! the domain's types, so the domain can depend on it without a circle. The read side (the
//! search box) is the parent module.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::args;
use crate::db::sql::{Conn, Engine};
use crate::domain::folding::fold;
use crate::error::Result;

/// What kind of record a hit is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HitKind {
    Client,
    Session,
    Amendment,
    Intake,
}

impl HitKind {
    pub(crate) fn id(self) -> &'static str {
        match self {
            HitKind::Client => "client",
            HitKind::Session => "session",
            HitKind::Amendment => "amendment",
            HitKind::Intake => "intake",
        }
    }

    pub(crate) fn parse(s: &str) -> HitKind {
        match s {
            "session" => HitKind::Session,
            "amendment" => HitKind::Amendment,
            "intake" => HitKind::Intake,
            _ => HitKind::Client,
        }
    }
}

/// Every word the full-text index holds (migration 0010): the index's own vocabulary.
pub(crate) fn record_existing_words(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "CREATE VIRTUAL TABLE temp.search_all_words USING fts5vocab(main, search_fts, 'row');
         INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.search_all_words;
         DROP TABLE temp.search_all_words;",
    )?;
    Ok(())
}

/// Per connection: a one-row full-text table with the index's own tokenizer (it must match
/// migration 0003's), whose vocabulary gives the words of each entry as the index sees them.
pub(crate) fn create_scratch(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch
             USING fts5 (body, content = '', tokenize = 'unicode61 remove_diacritics 2');
         CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch_words
             USING fts5vocab (temp, search_scratch, 'row');",
    )?;
    Ok(())
}

/// One record as the index sees it.
pub(crate) struct Doc<'a> {
    pub kind: HitKind,
    pub record_id: &'a str,
    /// What a hit opens (an amendment opens its session).
    pub open_id: &'a str,
    pub client_id: &'a str,
    pub at: &'a str,
    pub body: &'a str,
}

/// Replace the index entry of one record, inside the caller's transaction.
pub(crate) fn index(tx: Conn<'_>, doc: &Doc<'_>) -> Result<()> {
    let Doc {
        kind,
        record_id,
        open_id,
        client_id,
        at,
        body,
    } = *doc;
    if tx.engine() == Engine::Postgres {
        return index_pg(tx, doc);
    }
    let existing: Option<i64> = tx.optional(
        "SELECT id FROM search_docs WHERE record_id = ?1",
        args![record_id],
        |r| r.get(0),
    )?;
    let rowid = match existing {
        Some(id) => {
            tx.execute("DELETE FROM search_fts WHERE rowid = ?1", args![id])?;
            tx.execute(
                "UPDATE search_docs SET at = ?2 WHERE id = ?1",
                args![id, at],
            )?;
            id
        }
        None => tx.value(
            "INSERT INTO search_docs (kind, record_id, open_id, client_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            args![kind.id(), record_id, open_id, client_id, at],
        )?,
    };
    tx.execute(
        "INSERT INTO search_fts (rowid, body) VALUES (?1, ?2)",
        args![rowid, body],
    )?;
    // The entry's words, as the index tokenised them, for prefix expansion.
    tx.execute(
        "INSERT INTO temp.search_scratch (search_scratch) VALUES ('delete-all')",
        args![],
    )?;
    tx.execute(
        "INSERT INTO temp.search_scratch (rowid, body) VALUES (1, ?1)",
        args![body],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.search_scratch_words",
        args![],
    )?;
    Ok(())
}

/// [`index`] on a clinic server, in two statements (two round trips, where SQLite's path
/// takes five): the entry's row in `search_docs` (its time updated when it is there, else
/// inserted), then its text (replaced when there, else inserted; its words guarded, see
/// [`guarded`]) together with its words for prefix expansion. Not one: a row inserted in one
/// part of a statement is not visible to the rest of it, and the row-level security check on
/// `search_fts` (for a therapist's login) looks its entry up in `search_docs`.
fn index_pg(tx: Conn<'_>, doc: &Doc<'_>) -> Result<()> {
    let Doc {
        kind,
        record_id,
        open_id,
        client_id,
        at,
        body,
    } = *doc;
    let rowid: i64 = tx.value(
        "WITH existing AS (SELECT id FROM search_docs WHERE record_id = ?2),
         updated AS (
             UPDATE search_docs SET at = ?5 WHERE id IN (SELECT id FROM existing) RETURNING id),
         inserted AS (
             INSERT INTO search_docs (kind, record_id, open_id, client_id, at)
             SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM existing)
             RETURNING id)
         SELECT id FROM updated UNION ALL SELECT id FROM inserted",
        args![kind.id(), record_id, open_id, client_id, at],
    )?;
    let body = guarded(body);
    tx.execute(
        "WITH entry_text AS (
             INSERT INTO search_fts (rowid, body) VALUES (?1, ?2)
             ON CONFLICT (rowid) DO UPDATE SET body = excluded.body)
         INSERT INTO search_terms (term)
         SELECT lexeme FROM unnest(to_tsvector('stillpoint_search', ?2))
         ON CONFLICT DO NOTHING",
        args![rowid, body],
    )?;
    Ok(())
}

/// A character of a word: FTS5's unicode61 splits at everything else, and so does
/// [`query_words`]. Combining marks belong to the letter before them ("e" + U+0301 is "é",
/// whose accent the index drops).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Put between a word and the characters next to it in PostgreSQL's copy of the text.
pub(crate) const GUARD: char = '\u{1}';

/// The text as PostgreSQL's full-text parser is given it: U+0001 (a control character, which
/// no stored text holds) between each run of word characters and the run of other
/// characters beside it. PostgreSQL's parser reads whole e-mail addresses, web addresses,
/// file paths, decimals ("10.5"), signed numbers ("-3" in "2-3") and markup tags as single
/// tokens, so "example" would not find "jane@example.com", nor "week" "3x/week", nor "5"
/// "10.5", where SQLite's FTS5 (which splits at every character that is not part of a word)
/// finds them all; and it drops tags from headlines. Guarded, it sees only plain words, split
/// where FTS5 splits. The guards are removed again from what is shown (see [`window`]).
pub fn guarded(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 4);
    let mut previous: Option<bool> = None;
    for c in body.chars() {
        let word = is_word_char(c);
        if previous.is_some_and(|p| p != word) {
            out.push(GUARD);
        }
        out.push(c);
        previous = Some(word);
    }
    out
}

/// What a client's entry holds: the names as typed and folded ("O'Brien" and "obrien").
pub(crate) fn client_body(first: &str, last: &str, preferred: &str) -> String {
    let typed = format!("{first} {last} {preferred}");
    let folded = fold(&typed);
    let compact: Vec<String> = [first, last, preferred]
        .iter()
        .map(|n| fold(n).replace(' ', ""))
        .collect();
    format!("{typed}\n{folded} {}", compact.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_separate_words_from_everything_else() {
        assert_eq!(
            guarded("jane@x.ie 2-3 <b>"),
            "jane\u{1}@\u{1}x\u{1}.\u{1}ie\u{1} \u{1}2\u{1}-\u{1}3\u{1} <\u{1}b\u{1}>"
        );
        // A combining accent stays with its letter.
        assert_eq!(guarded("e\u{301}cole."), "e\u{301}cole\u{1}.");
        assert_eq!(guarded(""), "");
    }
}
