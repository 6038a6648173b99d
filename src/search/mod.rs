//! One search box: clients by their names, notes by the start of their words (S, O, A, P,
//! amendments, intake notes), grouped by client with snippets that are data, not markup.
//!
//! The index lives in SQLite (FTS5) and is written inside the same transaction as the record
//! it mirrors. A common word stays fast: results are ranked by relevance only when few
//! records match or the search is narrowed to one client or period, otherwise newest first.

pub mod index;
pub mod name_prefixes;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

pub use index::HitKind;
use index::{GUARD, is_word_char};

use crate::Store;
use crate::args;
use crate::db::sql::{Arg, Conn, Engine};
use crate::domain::clients::ClientSummary;
use crate::domain::validate;
use crate::error::{Error, Result};

/// A piece of a snippet; `hit` pieces matched the search. The UI renders them as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Hit {
    pub kind: HitKind,
    /// The record to open: a client, session, intake; for an amendment, its session.
    pub record_id: String,
    /// When the record is from: an intake's day, a note's or amendment's instant. `None` for
    /// a client record, whose time means nothing to the reader.
    pub at: Option<String>,
    pub snippet: Vec<SnippetPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientHits {
    pub client: ClientSummary,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Ordering {
    Relevance,
    Newest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SearchResults {
    pub groups: Vec<ClientHits>,
    /// Matching records in all (may exceed what is shown); when `more` is set, at least
    /// this many: a common word is not counted to the end, so it stays fast.
    pub total: u32,
    /// More than `total` records match.
    pub more: bool,
    pub ordering: Ordering,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct SearchQuery {
    pub text: String,
    pub include_archived: bool,
    /// Narrow to one client.
    pub client_id: Option<String>,
    /// Narrow to a period, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Most hits returned (1 to [`MAX_SEARCH_LIMIT`]; 0 means [`DEFAULT_SEARCH_LIMIT`]).
    pub limit: u32,
}

/// Hits returned when a query asks for none in particular: one page of results.
pub const DEFAULT_SEARCH_LIMIT: u32 = 50;
/// The most hits one query may ask for.
pub const MAX_SEARCH_LIMIT: u32 = 200;

/// Below this many matches, ranking by relevance is cheap enough.
pub const RANK_LIMIT: u32 = 500;
const MAX_QUERY_CHARS: usize = 200;
const MAX_TERMS: usize = 8;

/// The words of a query, as the index tokenises them: lower case, split at anything that is
/// not a letter or digit.
fn query_words(text: &str) -> Vec<String> {
    let normal: String = text.nfkc().collect::<String>().to_lowercase();
    normal
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .map(str::to_owned)
        .collect()
}

/// Each word of a query as a quoted prefix term, so no FTS syntax gets through (the form
/// [`expanded_query`] falls back to).
#[cfg(test)]
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = query_words(text)
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The most words a prefix is spelled out as; beyond that it stays a prefix query.
const MAX_EXPANSION: usize = 32;

/// The query with each prefix spelled out as the words the index holds that start with it:
/// `"headache"*` becomes `("headache" OR "headaches")`. FTS5 answers a prefix query by
/// merging every matching word's full list of entries before the first row comes back (80 ms
/// for a word in most notes at a million notes); an OR of whole words is read lazily, newest
/// first, so the first page and the capped count stop early. The same entries match either
/// way. Words that are not plain ASCII, or prefixes of too many words, stay prefix terms.
///
/// On PostgreSQL the same expansion is written as a `tsquery`: `('headache' | 'headaches')`,
/// or `'head':*` for a prefix left as it is. Every word is letters and digits only (see
/// [`query_words`]), so quoting it cannot let query syntax through.
fn expanded_query(conn: Conn<'_>, text: &str) -> Result<Option<String>> {
    let pg = conn.engine() == Engine::Postgres;
    let quote = |w: &str| {
        if pg {
            format!("'{w}'")
        } else {
            format!("\"{w}\"")
        }
    };
    let prefix = |w: &str| {
        if pg {
            format!("'{w}':*")
        } else {
            format!("\"{w}\"*")
        }
    };
    let mut parts = Vec::new();
    let lookup = format!(
        "SELECT term FROM search_terms WHERE term >= ?1 AND term < ?2 ORDER BY term LIMIT {}",
        MAX_EXPANSION + 1
    );
    for t in query_words(text) {
        if !t.is_ascii() {
            parts.push(prefix(&t));
            continue;
        }
        let words: Vec<String> = conn.all(
            &lookup,
            args![t, crate::search::name_prefixes::next_prefix(&t)],
            |r| r.get(0),
        )?;
        if words.is_empty() || words.len() > MAX_EXPANSION {
            parts.push(prefix(&t));
        } else if let [one] = words.as_slice() {
            parts.push(quote(one));
        } else {
            let quoted: Vec<String> = words.iter().map(|w| quote(w)).collect();
            parts.push(format!(
                "({})",
                quoted.join(if pg { " | " } else { " OR " })
            ));
        }
    }
    // Explicit AND: FTS5 takes a space as AND between phrases, not next to parentheses.
    Ok((!parts.is_empty()).then(|| parts.join(if pg { " & " } else { " AND " })))
}

/// How many words a snippet shows (FTS5's snippet(…, 16)).
const SNIPPET_WORDS: usize = 16;

/// A snippet as FTS5's snippet() makes it, from a whole text whose hits are marked with
/// U+0002 … U+0003 (PostgreSQL's ts_headline with HighlightAll, its guards removed): the
/// `words` words around the window with the most different hits, the hits centred in it,
/// every character between them as written, and "…" where the text was cut. A window at the
/// start or end of the text keeps what comes before its first word or after its last.
fn window(marked: &str, words: usize) -> String {
    struct Word {
        start: usize,
        end: usize,
        hit: bool,
    }
    let mut found: Vec<Word> = Vec::new();
    let mut hit = false;
    let mut open: Option<usize> = None;
    for (i, c) in marked.char_indices() {
        if is_word_char(c) {
            open.get_or_insert(i);
            continue;
        }
        if let Some(start) = open.take() {
            found.push(Word { start, end: i, hit });
        }
        if c == '\u{2}' || c == '\u{3}' {
            hit = c == '\u{2}';
        }
    }
    if let Some(start) = open {
        found.push(Word {
            start,
            end: marked.len(),
            hit,
        });
    }
    let n = found.len();
    if n <= words {
        return marked.to_owned();
    }
    // The window with the most different hit words (then the most hits), earliest first.
    let mut best = (0usize, 0usize, 0usize); // (score, first hit, last hit)
    for h in (0..n).filter(|&h| found[h].hit) {
        let mut seen: Vec<String> = Vec::new();
        let mut score = 0;
        let mut last = h;
        for (j, x) in found.iter().enumerate().skip(h).take(words) {
            if x.hit {
                let key = marked[x.start..x.end].to_lowercase();
                score += if seen.contains(&key) { 1 } else { 1000 };
                seen.push(key);
                last = j;
            }
        }
        if score > best.0 {
            best = (score, h, last);
        }
    }
    let start = if best.0 == 0 {
        0
    } else {
        let (first, last) = (best.1, best.2);
        let centred = first.saturating_sub((words - (last - first)) / 2);
        centred.min(n - words)
    };
    let end = start + words;
    let mut out = String::new();
    let from = if start == 0 {
        0
    } else {
        out.push('…');
        let s = found[start].start;
        if marked[..s].ends_with('\u{2}') {
            s - 1
        } else {
            s
        }
    };
    let to = if end >= n {
        marked.len()
    } else {
        let e = found[end - 1].end;
        if marked[e..].starts_with('\u{3}') {
            e + 1
        } else {
            e
        }
    };
    out.push_str(&marked[from..to]);
    if end < n {
        out.push('…');
    }
    out
}

fn snippet_parts(raw: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut hit = false;
    let mut buf = String::new();
    for ch in raw.chars() {
        match ch {
            '\u{2}' | '\u{3}' => {
                if !buf.is_empty() {
                    parts.push(SnippetPart {
                        text: std::mem::take(&mut buf),
                        hit,
                    });
                }
                hit = ch == '\u{2}';
            }
            c => buf.push(c),
        }
    }
    if !buf.is_empty() {
        parts.push(SnippetPart { text: buf, hit });
    }
    parts
}

impl Store {
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        if q.text.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::field(
                "text",
                format!("Search is too long; use at most {MAX_QUERY_CHARS} characters."),
            ));
        }
        let from = validate::optional_day("from", "From", &q.from)?;
        let to = validate::optional_day("to", "To", &q.to)?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(Error::field(
                "to",
                "The end of the period is before its start.",
            ));
        }
        let client_id = match q
            .client_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => Some(self.get_client(c)?.id),
            None => None,
        };
        let empty = SearchResults {
            groups: Vec::new(),
            total: 0,
            more: false,
            ordering: Ordering::Newest,
        };
        let conn = self.sql();
        let pg = conn.engine() == Engine::Postgres;
        let Some(fts) = expanded_query(conn, &q.text)? else {
            return Ok(empty);
        };
        let limit = match q.limit {
            0 => DEFAULT_SEARCH_LIMIT,
            n => n.min(MAX_SEARCH_LIMIT),
        };

        let matches = conn.pick(
            "search_fts MATCH ?1",
            "search_fts.tsv @@ to_tsquery('stillpoint_search', ?1)",
        );
        let mut filter = format!(
            "{matches} AND (?2 = '' OR d.client_id = ?2) AND (?3 = '' OR d.at >= ?3)
             AND (?4 = '' OR d.at < ?4)",
        );
        // `at` is a date or an instant; anything on the last day sorts below the next day.
        if !q.include_archived {
            filter
                .push_str(" AND d.client_id IN (SELECT id FROM clients WHERE archived_at IS NULL)");
        }
        if let Some(mine) = self.visible_clients_sql("c") {
            filter.push_str(&format!(
                " AND d.client_id IN (SELECT c.id FROM clients c WHERE {mine})"
            ));
        }
        let narrow_client = client_id.clone().unwrap_or_default();
        let from_day = from.map(|d| d.to_string()).unwrap_or_default();
        let to_day = to
            .and_then(|d| d.succ_opt())
            .map(|d| d.to_string())
            .unwrap_or_default();
        // ts_headline marks hits with the same control characters as FTS5's snippet().
        // The whole text, every hit marked; the window around the hits is cut in Rust, so
        // the snippet keeps every character as written (ts_headline's own fragments start
        // at a word, dropping what comes before it, and leave out markup tags).
        let headline = "StartSel=\u{2}, StopSel=\u{3}, HighlightAll=true";
        let args: &[&dyn Arg] = args![fts, narrow_client, from_day, to_day, headline];
        let args = if pg { args } else { &args[..4] };
        // CROSS JOIN keeps the full-text index as the outer loop: SQLite would otherwise be free to
        // walk every document and test the MATCH once per row. PostgreSQL allows no ON after
        // CROSS JOIN (and plans the join order itself).
        let from_clause = conn.pick(
            "FROM search_fts CROSS JOIN search_docs d ON d.id = search_fts.rowid",
            "FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid",
        );
        // Count at most RANK_LIMIT + 1 matches: enough to choose the ordering, cheap to do.
        // With nothing to narrow by, the full-text index alone answers it.
        let unfiltered = q.include_archived
            && client_id.is_none()
            && from.is_none()
            && to.is_none()
            && self.visible_clients_sql("c").is_none();
        // Planned for this word each time: how common it is decides the plan (see
        // Conn::all_replanned; a cached generic plan took 50-100 ms for a common word in the
        // large clinic on PostgreSQL).
        let capped: u32 = if unfiltered {
            conn.value_replanned(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE {matches} LIMIT {}) AS capped",
                    RANK_LIMIT + 1
                ),
                args![fts],
            )?
        } else {
            conn.value_replanned(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 {from_clause} WHERE {filter} LIMIT {}) AS capped",
                    RANK_LIMIT + 1
                ),
                &args[..4],
            )?
        };
        let narrowed = client_id.is_some() || from.is_some() || to.is_some();
        let ordering = if capped <= RANK_LIMIT || narrowed {
            Ordering::Relevance
        } else {
            Ordering::Newest
        };
        let order = match ordering {
            Ordering::Relevance => conn.pick(
                "ORDER BY rank",
                "ORDER BY ts_rank(search_fts.tsv, to_tsquery('stillpoint_search', ?1)) DESC, search_fts.rowid DESC",
            ),
            // Newest recorded first: the index's own order read backwards, so the first page
            // comes without sorting every match (a common word matches most notes).
            Ordering::Newest => "ORDER BY search_fts.rowid DESC",
        };
        // The client of each hit comes in the same query: one statement for the whole page.
        type Row = (String, String, String, String, String, ClientSummary);
        let snippet = conn.pick(
            "snippet(search_fts, 0, char(2), char(3), '…', 16)",
            "ts_headline('stillpoint_search', search_fts.body, to_tsquery('stillpoint_search', ?1), ?5)",
        );
        let rows: Vec<Row> = conn.all_replanned(
            &format!(
                "SELECT d.kind, d.open_id, d.client_id, d.at, {snippet},
                        c.first_name, c.last_name, c.preferred_name, c.date_of_birth, c.phone,
                        c.archived_at IS NOT NULL
                 {from_clause} JOIN clients c ON c.id = d.client_id
                 WHERE {filter} {order} LIMIT {limit}"
            ),
            args,
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    ClientSummary {
                        id: r.get(2)?,
                        first_name: r.get(5)?,
                        last_name: r.get(6)?,
                        preferred_name: r.get(7)?,
                        date_of_birth: r.get(8)?,
                        phone: r.get(9)?,
                        archived: r.get(10)?,
                    },
                ))
            },
        )?;

        let mut order_of: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<ClientHits> = Vec::new();
        for (kind, record_id, client, at, snippet, summary) in rows {
            let idx = match order_of.get(&client) {
                Some(i) => *i,
                None => {
                    groups.push(ClientHits {
                        client: summary,
                        hits: Vec::new(),
                    });
                    order_of.insert(client, groups.len() - 1);
                    groups.len() - 1
                }
            };
            let kind = HitKind::parse(&kind);
            let snippet = if pg {
                window(&snippet.replace(GUARD, ""), SNIPPET_WORDS)
            } else {
                snippet
            };
            // Show the typed names, not the folded helper words, for client hits.
            let snippet = if kind == HitKind::Client {
                snippet.lines().next().unwrap_or_default().to_owned()
            } else {
                snippet
            };
            groups[idx].hits.push(Hit {
                kind,
                record_id,
                at: (kind != HitKind::Client).then_some(at),
                snippet: snippet_parts(&snippet),
            });
        }
        let more = capped > RANK_LIMIT;
        Ok(SearchResults {
            groups,
            total: capped.min(RANK_LIMIT),
            more,
            ordering,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_become_quoted_prefix_terms() {
        assert_eq!(fts_query("Trap"), Some("\"trap\"*".into()));
        assert_eq!(
            fts_query("o'brien NEAR(x)"),
            Some("\"o\"* \"brien\"* \"near\"* \"x\"*".into())
        );
        assert_eq!(fts_query("\" * -- ; ()"), None);
        // operators are only words to us
        assert_eq!(fts_query("\" OR"), Some("\"or\"*".into()));
        assert_eq!(fts_query("Zoë"), Some("\"zoë\"*".into()));
    }

    #[test]
    fn a_window_keeps_the_text_as_written_around_the_hits() {
        // Short: all of it, markup and punctuation included.
        assert_eq!(window("<i>a</i> \u{2}b\u{3}!", 16), "<i>a</i> \u{2}b\u{3}!");
        // Long: the words around the hit, cut with "…" on each side.
        let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let mut marked = words.join(" ");
        marked = marked.replace(" w20 ", " \u{2}w20\u{3} ");
        let w = window(&marked, 6);
        assert_eq!(w, "…w17 w18 w19 \u{2}w20\u{3} w21 w22…");
        // A hit at the start: no "…" before, and what precedes the first word is kept.
        assert_eq!(
            window("(\u{2}w0\u{3}) w1 w2 w3 w4", 3),
            "(\u{2}w0\u{3}) w1 w2…"
        );
        // A hit at the end: no "…" after.
        assert_eq!(window("w0 w1 w2 \u{2}w3\u{3}.", 2), "…w2 \u{2}w3\u{3}.");
    }

    #[test]
    fn snippets_split_into_plain_and_hit_parts() {
        let parts = snippet_parts("a <b>\u{2}trap\u{3}</b> c");
        assert_eq!(
            parts,
            vec![
                SnippetPart {
                    text: "a <b>".into(),
                    hit: false
                },
                SnippetPart {
                    text: "trap".into(),
                    hit: true
                },
                SnippetPart {
                    text: "</b> c".into(),
                    hit: false
                },
            ]
        );
    }
}
