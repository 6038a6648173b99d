//! Finding clients by the start of any word of their names.
//!
//! Each client's names are folded (accents, case and scripts brought to plain ASCII, see
//! [`crate::domain::folding::fold`]) and split into words, and every start of every word ("m", "ma",
//! "mar", ... "maria") is kept once per client in `client_name_prefixes`, beside the client's
//! archived flag and sort key. A search term is then one key of that index, whose entries
//! are already in list order: the count is a range count, a page is a slice of the range,
//! and nothing is sorted. Only the page shown reads client rows. With several terms, the
//! longest leads and each other one must start a word of the same client.
//!
//! The table's statements are in [`crate::db::tables::client_name_prefixes`]; what is
//! written (which prefixes) and how a search reads the table are here.

use std::collections::BTreeSet;

use crate::db::sql::{Arg, Conn};
use crate::db::tables::client_name_prefixes;
use crate::domain::folding::fold;
use crate::error::Result;

/// The words a client is found by: each word of each name, each name run together
/// ("maryjane" for Mary-Jane, "vanderberg" for van der Berg), and the parts of a name split
/// at an apostrophe ("brien" as well as "obrien" for O'Brien).
pub(crate) fn words(names: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in names {
        let folded = fold(name);
        out.extend(
            folded
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        );
        let compact = folded.replace(' ', "");
        if !compact.is_empty() {
            out.insert(compact);
        }
        let split = fold(&name.replace(['\'', '\u{2019}', '`'], " "));
        out.extend(
            split
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        );
    }
    out
}

/// The first string after every string that starts with `prefix` (for a range scan; the
/// prefix is ASCII, so its last byte can be stepped).
pub fn next_prefix(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < 0x7f {
            bytes.push(last + 1);
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every start of every word, once each.
pub(crate) fn prefixes(names: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for w in words(names) {
        // Folded words are ASCII, so every byte ends a prefix.
        for end in 1..=w.len() {
            if let Some(p) = w.get(..end) {
                out.insert(p.to_owned());
            }
        }
    }
    out
}

/// Replace a client's prefixes (on create and on every edit of the names).
pub(crate) fn index(
    tx: Conn<'_>,
    client_id: &str,
    names: &[&str],
    sort_key: &str,
    archived: bool,
) -> Result<()> {
    client_name_prefixes::delete_for_client(tx, client_id)?;
    let all: Vec<String> = prefixes(names).into_iter().collect();
    client_name_prefixes::insert_all(tx, client_id, sort_key, archived, &all)
}

/// Follow a client's archiving (or restoring) in its prefixes.
pub(crate) fn set_archived(tx: Conn<'_>, client_id: &str, archived: bool) -> Result<()> {
    client_name_prefixes::set_archived(tx, client_id, archived)
}

/// The WHERE clause over `client_name_prefixes p` for `terms` (folded, not empty), and its
/// arguments. The longest term is the index key; the others are checked per client.
pub(crate) fn filter(terms: &[String], include_archived: bool) -> (String, Vec<String>) {
    let mut ordered: Vec<&String> = terms.iter().collect();
    ordered.sort_by_key(|t| std::cmp::Reverse(t.len()));
    ordered.dedup();
    let mut sql = String::from("p.prefix = ?1");
    if !include_archived {
        sql.push_str(" AND p.archived = 0");
    }
    for i in 2..=ordered.len() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM client_name_prefixes o
                          WHERE o.client_id = p.client_id AND o.prefix = ?{i})"
        ));
    }
    (sql, ordered.into_iter().cloned().collect())
}

/// The arguments of [`filter`]'s clause, to pass to a statement.
pub(crate) fn filter_args(args: &[String]) -> Vec<&dyn Arg> {
    args.iter().map(|a| a as &dyn Arg).collect()
}

/// Migration 0009: the prefixes of every client there is. (The hook storage runs inside
/// SQLite's migration transaction; the work itself is [`index_all`].)
pub(crate) fn index_existing(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    index_all(Conn::Sqlite(tx))
}

/// The prefixes of every client there is, replacing any already indexed.
pub(crate) fn index_all(tx: Conn<'_>) -> Result<()> {
    let clients: Vec<(String, String, String, String, String, bool)> = tx.all(
        "SELECT id, first_name, last_name, preferred_name, sort_key, archived_at IS NOT NULL
         FROM clients",
        crate::args![],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    for (id, first, last, preferred, sort_key, archived) in clients {
        index(tx, &id, &[&first, &last, &preferred], &sort_key, archived)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_words_compact_forms_and_apostrophe_parts() {
        let w = words(&["Mary-Jane", "O'Brien", ""]);
        let want: BTreeSet<String> = ["mary", "jane", "maryjane", "obrien", "o", "brien"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(w, want);
        assert!(words(&["李", "伟", ""]).contains("li"));
    }

    #[test]
    fn the_next_prefix_is_past_every_string_that_starts_with_it() {
        assert_eq!(next_prefix("ma"), "mb");
        assert_eq!(next_prefix("z9"), "z:");
        assert!("mazzz" < next_prefix("ma").as_str());
        assert!("ma\u{e9}" < next_prefix("ma").as_str());
    }

    #[test]
    fn every_start_of_every_word_once() {
        let p = prefixes(&["Ann", "", "Anna"]);
        let want: BTreeSet<String> = ["a", "an", "ann", "anna"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(p, want);
    }

    #[test]
    fn the_longest_term_leads_and_repeats_count_once() {
        let (sql, args) = filter(&["jo".into(), "nunez".into(), "jo".into()], false);
        assert_eq!(args, vec!["nunez", "jo"]);
        assert!(sql.starts_with("p.prefix = ?1 AND p.archived = 0"), "{sql}");
        assert_eq!(sql.matches("EXISTS").count(), 1);
    }
}
