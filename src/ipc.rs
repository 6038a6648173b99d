//! The door every command's arguments come in through.
//!
//! The desktop shell hands each command's JSON arguments to [`decode`], which reads them
//! strictly into the command's argument type: a field no type declares, a value of the wrong
//! kind, a choice that does not exist or a missing argument is refused before the core runs,
//! so nothing is written. The refusal is an ordinary validation [`Error`] whose `field` is the
//! path the core's own checks use (`pain_before`, `techniques.0.minutes`, `client_id`) and
//! whose message names the field in words, never the decoder's jargon.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};

/// Argument names that carry a whole form: the core's field paths start inside them.
const FORM_ARGUMENTS: &[&str] = &["input", "fields", "query"];

/// The longest piece of a refused value quoted back in a message.
const QUOTE_MAX: usize = 40;

/// Decode a command's arguments (the JSON object the page sent) into `T`.
pub fn decode<T: DeserializeOwned>(args: &Value) -> Result<T> {
    serde_path_to_error::deserialize(args).map_err(|e| refusal(e.path(), &e.inner().to_string()))
}

/// The validation error for a decoding failure at `path` with serde's message `raw`.
fn refusal(path: &serde_path_to_error::Path, raw: &str) -> Error {
    let mut field = field_path(path);
    let problem = Problem::parse(raw);
    // serde names a missing field only in its message; the path stops at its parent.
    if let Problem::Missing(name) = &problem {
        let name = top_level_name(&field, name);
        if !field.is_empty() {
            field.push('.');
        }
        field.push_str(&name);
    }
    if field.is_empty() {
        field.push_str("arguments");
    }
    let label = label(&field);
    let message = match problem {
        Problem::WrongKind(expected) => format!("{label} must be {}.", expected_words(&expected)),
        Problem::Unknown => format!(
            "{label} is not something Stillpoint records here, so nothing was saved. \
             Remove it and try again."
        ),
        Problem::Missing(_) => format!("{label} is missing, so nothing was saved."),
        Problem::NoSuchChoice(got) => format!(
            "{label}: “{}” is not one of the choices, so nothing was saved.",
            quote(&got)
        ),
        Problem::OutOfRange(expected) => {
            format!("{label} must be {}.", expected_words(&expected))
        }
        Problem::Other => format!("{label} is not in a form Stillpoint can read."),
    };
    Error {
        code: ErrorCode::Validation,
        message,
        field: Some(field),
    }
}

/// What serde's message says went wrong (serde's wording is stable across its versions).
enum Problem {
    WrongKind(String),
    Unknown,
    Missing(String),
    NoSuchChoice(String),
    OutOfRange(String),
    Other,
}

impl Problem {
    fn parse(raw: &str) -> Self {
        let expected = |s: &str| {
            s.split_once(", expected ")
                .map(|(_, e)| e.to_owned())
                .unwrap_or_default()
        };
        if let Some(rest) = raw.strip_prefix("invalid type: ") {
            Self::WrongKind(expected(rest))
        } else if raw.starts_with("unknown field ") {
            Self::Unknown
        } else if let Some(rest) = raw.strip_prefix("missing field ") {
            Self::Missing(first_quoted(rest))
        } else if let Some(rest) = raw.strip_prefix("unknown variant ") {
            Self::NoSuchChoice(first_quoted(rest))
        } else if let Some(rest) = raw.strip_prefix("invalid value: ") {
            Self::OutOfRange(expected(rest))
        } else {
            Self::Other
        }
    }
}

/// The text between the first pair of backticks: serde quotes names as `name`.
fn first_quoted(s: &str) -> String {
    let mut parts = s.splitn(3, '`');
    parts.next();
    parts.next().unwrap_or_default().to_owned()
}

/// The core's field path for a decoder path: form arguments are stepped into, the other
/// arguments (`clientId`) take the core's spelling (`client_id`), list items are numbered.
fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut parts: Vec<String> = Vec::new();
    for (i, seg) in path.iter().enumerate() {
        match seg {
            Segment::Map { key } if i == 0 => {
                if !FORM_ARGUMENTS.contains(&key.as_str()) {
                    parts.push(snake_case(key));
                }
            }
            Segment::Map { key } => parts.push(key.clone()),
            Segment::Seq { index } => parts.push(index.to_string()),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    parts.join(".")
}

/// A field named at the top level (no parent path) is a command argument: the core's spelling.
fn top_level_name(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        snake_case(name)
    } else {
        name.to_owned()
    }
}

fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The field in words: its last named part, as a person would say it ("Pain before").
pub fn label(field: &str) -> String {
    let last = field
        .rsplit('.')
        .find(|p| !p.is_empty() && !p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("arguments");
    if let Some((_, words)) = LABELS.iter().find(|(name, _)| *name == last) {
        return (*words).to_owned();
    }
    let words = last.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "This value".to_owned(),
    }
}

/// Names whose plain reading would not say what they are.
const LABELS: &[(&str, &str)] = &[
    ("arguments", "What the page sent"),
    ("id", "The record"),
    ("client_id", "The client"),
    ("intake_id", "The intake"),
    ("technique_id", "The technique"),
    ("include_retired", "Include retired"),
    ("pain_before", "Pain before the session"),
    ("pain_after", "Pain after the session"),
    ("duration_minutes", "Duration (minutes)"),
    ("minutes", "Minutes"),
    ("started_at", "Session start"),
    ("date_of_birth", "Date of birth"),
    ("dob", "Date of birth"),
    ("from", "Period start"),
    ("to", "Period end"),
    ("on_progress", "Progress"),
];

/// serde's "expected …" in words.
fn expected_words(expected: &str) -> &'static str {
    let e = expected.trim();
    match e {
        "f64" | "f32" | "a number" => "a number",
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize"
        | "an integer" => "a whole number of the right size",
        "a string" | "a borrowed string" | "a character" | "char" => "text",
        "a boolean" => "yes or no",
        "a sequence" => "a list",
        "unit" => "empty",
        _ if e.starts_with("struct ") || e == "a map" => "a group of fields",
        _ if e.starts_with("variant") || e.starts_with("enum") || e.starts_with("one of") => {
            "one of the choices"
        }
        _ if e.starts_with("u") || e.starts_with("i") => "a whole number of the right size",
        _ => "a value of a different kind",
    }
}

/// A refused value as it may be quoted back: short, on one line.
fn quote(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > QUOTE_MAX {
        let cut: String = one_line.chars().take(QUOTE_MAX).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intake::IntakeInput;
    use crate::domain::sessions::SessionInput;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Save {
        id: String,
        input: SessionInput,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Record {
        client_id: String,
        input: IntakeInput,
    }

    fn refused<T: DeserializeOwned + std::fmt::Debug>(v: Value) -> Error {
        match decode::<T>(&v) {
            Ok(t) => panic!("decoded {t:?} from {v}"),
            Err(e) => e,
        }
    }

    fn assert_words(e: &Error) {
        assert_eq!(e.code, ErrorCode::Validation);
        for jargon in ["invalid type", "expected", "f64", "u32", "struct", "`"] {
            assert!(
                !e.message.contains(jargon),
                "jargon {jargon:?} in {:?}",
                e.message
            );
        }
    }

    #[test]
    fn a_string_where_a_number_belongs_names_the_field() {
        let e = refused::<Save>(json!({"id": "s1", "input": {"pain_before": "11"}}));
        assert_eq!(e.field.as_deref(), Some("pain_before"));
        assert_eq!(e.message, "Pain before the session must be a number.");
        assert_words(&e);
    }

    #[test]
    fn an_unknown_field_is_refused_by_name() {
        let e = refused::<Record>(json!({"clientId": "c", "input": {"evil": 1}}));
        assert_eq!(e.field.as_deref(), Some("evil"));
        assert!(
            e.message.starts_with("Evil is not something"),
            "{}",
            e.message
        );
        assert_words(&e);
        let e = refused::<Record>(json!({"clientId": "c", "input": {}, "evil": 1}));
        assert_eq!(e.field.as_deref(), Some("evil"));
    }

    #[test]
    fn nested_items_use_the_cores_numbered_path() {
        let e =
            refused::<Save>(json!({"id": "s", "input": {"techniques": [{}, {"minutes": "x"}]}}));
        assert_eq!(e.field.as_deref(), Some("techniques.1.minutes"));
        assert_eq!(e.message, "Minutes must be a number.");
    }

    #[test]
    fn an_unknown_choice_is_quoted_short() {
        let long = "z".repeat(500);
        let e = refused::<Save>(
            json!({"id": "s", "input": {"marks": [{"region": long, "kind": "tension"}]}}),
        );
        assert_eq!(e.field.as_deref(), Some("marks.0.region"));
        assert!(e.message.len() < 160, "{}", e.message);
        assert_words(&e);
    }

    #[test]
    fn a_missing_argument_takes_the_cores_spelling() {
        let e = refused::<Record>(json!({"input": {}}));
        assert_eq!(e.field.as_deref(), Some("client_id"));
        assert_eq!(e.message, "The client is missing, so nothing was saved.");
    }

    #[test]
    fn not_an_object_at_all() {
        let e = refused::<Record>(json!("hello"));
        assert_eq!(e.field.as_deref(), Some("arguments"));
        assert_words(&e);
    }
}
