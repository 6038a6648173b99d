//! Folding text for search and ordering: any script, any accents, any punctuation.
//!
//! "Zoë" folds to "zoe", "O'Brien" to "obrien", "Müller-Lüdenscheidt" to
//! "muller ludenscheidt", and other scripts are transliterated, so a name is found by
//! the start of any of its words typed the way a person would type it.

use deunicode::deunicode;
use unicode_normalization::UnicodeNormalization;

/// Fold one piece of text into lower-case ASCII words separated by single spaces.
/// Apostrophes vanish inside words ("O'Brien" -> "obrien"); other punctuation splits words.
pub fn fold(text: &str) -> String {
    // NFKC first so compatibility forms (full-width letters, ligatures) fold like their
    // plain letters; deunicode then transliterates and drops accents.
    let normalised: String = text.nfkc().collect();
    let ascii = deunicode(&normalised).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(ch);
        } else if ch == '\'' || ch == '`' {
            // inside a word: O'Brien, D`Arcy
        } else {
            pending_space = true;
        }
    }
    out
}

/// The words of a search query, folded like the text they are matched against.
pub fn query_terms(query: &str) -> Vec<String> {
    fold(query)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_apostrophes() {
        assert_eq!(fold("Zoë"), "zoe");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("O’Brien"), "obrien"); // typographic apostrophe
        assert_eq!(fold("  Müller-Lüdenscheidt "), "muller ludenscheidt");
        assert_eq!(fold("ÅSE Øvergård"), "ase overgard");
        assert_eq!(fold("Ｚｏｅ"), "zoe"); // full-width
    }

    #[test]
    fn other_scripts_fold_to_searchable_words() {
        assert!(!fold("Иван Петров").is_empty());
        assert_eq!(fold("Иван"), fold("иван"));
        assert!(!fold("王小明").is_empty());
        assert!(!fold("محمد").is_empty());
    }

    #[test]
    fn query_terms_split_and_fold() {
        assert_eq!(query_terms("  zoe  O'B "), vec!["zoe", "ob"]);
        assert!(query_terms(" -- ").is_empty());
    }
}
