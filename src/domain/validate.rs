//! Field validation shared by every input: trimming, lengths, control characters, and the
//! shapes of names, emails, phones and dates. Each failure names its field.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// Single-line text: no line breaks. Multi-line text: line breaks and tabs allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Trim `value` and check it: at most `max` characters, no control characters (line
/// breaks only in multi-line text). Empty is allowed; use [`required`] for names.
pub fn text(field: &str, label: &str, value: &str, max: usize, lines: Lines) -> Result<String> {
    let v = value.trim();
    let count = v.chars().count();
    if count > max {
        return Err(Error::field(
            field,
            format!("{label} is too long: {count} characters; the most is {max}."),
        ));
    }
    for ch in v.chars() {
        let allowed_break = lines == Lines::Many && matches!(ch, '\n' | '\r' | '\t');
        if ch.is_control() && !allowed_break {
            let what = if matches!(ch, '\n' | '\r') {
                "a line break"
            } else {
                "an invisible control character"
            };
            return Err(Error::field(
                field,
                format!("{label} contains {what}; remove it and save again."),
            ));
        }
        if is_bidi_override(ch) {
            return Err(Error::field(
                field,
                format!(
                    "{label} contains a hidden text-direction override character; retype it without pasting."
                ),
            ));
        }
    }
    Ok(v.to_owned())
}

/// Explicit direction overrides (not ordinary right-to-left text, which is welcome) can
/// make a record display differently from what is stored.
fn is_bidi_override(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A required single-line name: not empty after trimming, and containing a letter.
pub fn name(field: &str, label: &str, value: &str, max: usize) -> Result<String> {
    let v = text(field, label, value, max, Lines::One)?;
    if v.is_empty() {
        return Err(Error::field(field, format!("{label} is required.")));
    }
    if !v.chars().any(char::is_alphabetic) {
        return Err(Error::field(
            field,
            format!("{label} must contain at least one letter."),
        ));
    }
    Ok(v)
}

/// An optional email address of the usual shape `local@domain.tld`.
pub fn email(field: &str, label: &str, value: &str) -> Result<String> {
    let v = text(field, label, value, 254, Lines::One)?;
    if v.is_empty() {
        return Ok(v);
    }
    let bad = || Error::field(field, format!("{label} should look like name@example.com."));
    let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty()
        || local.contains('@')
        || local.chars().any(char::is_whitespace)
        || !domain_ok
    {
        return Err(bad());
    }
    Ok(v)
}

/// An optional phone number: digits with spaces, dashes, dots, brackets, a leading `+`,
/// and 6 to 20 digits in all.
pub fn phone(field: &str, label: &str, value: &str) -> Result<String> {
    let v = text(field, label, value, 40, Lines::One)?;
    if v.is_empty() {
        return Ok(v);
    }
    let shape_ok = v.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')') || (c == '+' && i == 0)
    });
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if !shape_ok || !(6..=20).contains(&digits) {
        return Err(Error::field(
            field,
            format!("{label} should be a phone number of 6 to 20 digits, like +44 20 7946 0958."),
        ));
    }
    Ok(v)
}

/// A record id: a UUID in its canonical form. Anything else cannot name a record, so it
/// is "not found" rather than a validation error.
pub fn record_id(id: &str, what: &str) -> Result<String> {
    uuid::Uuid::parse_str(id.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| Error::not_found(what))
}

/// An optional calendar date `YYYY-MM-DD` in a filter (no range rule).
pub fn optional_day(field: &str, label: &str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Error::field(
                    field,
                    format!("{label} should be a date written YYYY-MM-DD."),
                )
            }),
    }
}

/// How far back a date may go, and whether it may be in the future.
pub struct DateRule {
    pub max_years_back: i32,
}

/// An optional calendar date `YYYY-MM-DD`, not after `today` and not more than
/// `rule.max_years_back` years before it.
pub fn past_date(
    field: &str,
    label: &str,
    value: Option<&str>,
    today: NaiveDate,
    rule: DateRule,
) -> Result<Option<NaiveDate>> {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .ok_or_else(|| {
            Error::field(
                field,
                format!("{label} should be a date written YYYY-MM-DD, like 1984-03-17."),
            )
        })?;
    if date > today {
        return Err(Error::field(
            field,
            format!("{label} cannot be in the future."),
        ));
    }
    let earliest = today
        .with_year(today.year() - rule.max_years_back)
        .unwrap_or_else(|| {
            today - chrono::Days::new(365 * rule.max_years_back.unsigned_abs() as u64)
        });
    if date < earliest {
        return Err(Error::field(
            field,
            format!(
                "{label} cannot be more than {} years ago.",
                rule.max_years_back
            ),
        ));
    }
    Ok(Some(date))
}

/// A whole number from `min` to `max`, sent as a JSON number (so `3.5`, `NaN` and `-1` can
/// arrive); `None` when not given. One check and one message for every 0–10 scale, day
/// count and minute count on every form.
pub fn whole_number(
    field: &str,
    label: &str,
    v: Option<f64>,
    min: u16,
    max: u16,
) -> Result<Option<u16>> {
    let Some(v) = v else { return Ok(None) };
    if !v.is_finite() || v.fract() != 0.0 || v < f64::from(min) || v > f64::from(max) {
        return Err(Error::field(
            field,
            format!("{label} must be a whole number from {min} to {max}."),
        ));
    }
    Ok(Some(v as u16))
}

/// An optional number of hours from 0 (or more than 0, with `min_exclusive`) up to `max`:
/// attack durations, hours of sleep.
pub fn hours(
    field: &str,
    label: &str,
    v: Option<f64>,
    min_exclusive: bool,
    max: f64,
) -> Result<Option<f64>> {
    let Some(v) = v else { return Ok(None) };
    let low_ok = if min_exclusive { v > 0.0 } else { v >= 0.0 };
    if !v.is_finite() || !low_ok || v > max {
        let low = if min_exclusive {
            "more than 0"
        } else {
            "0 or more"
        };
        return Err(Error::field(
            field,
            format!("{label} must be {low} and at most {max} hours."),
        ));
    }
    Ok(Some((v * 4.0).round() / 4.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn text_trims_and_limits() {
        assert_eq!(text("f", "F", "  hi  ", 5, Lines::One).unwrap(), "hi");
        let e = text("f", "F", "abcdef", 5, Lines::One).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("f"));
        assert!(e.message.contains("too long"));
        // characters, not bytes: five emoji fit in five
        assert!(text("f", "F", "😀😀😀😀😀", 5, Lines::One).is_ok());
    }

    #[test]
    fn text_rejects_controls_but_allows_breaks_in_multiline() {
        assert!(text("f", "F", "a\u{0}b", 50, Lines::Many).is_err());
        assert!(text("f", "F", "a\nb", 50, Lines::One).is_err());
        assert!(text("f", "F", "a\nb\tc", 50, Lines::Many).is_ok());
        assert!(text("f", "F", "abc\u{202E}fed", 50, Lines::Many).is_err());
        // right-to-left text itself is fine
        assert!(text("f", "F", "שלום עולם", 50, Lines::One).is_ok());
    }

    #[test]
    fn names() {
        assert!(name("n", "N", "   ", 10).is_err());
        assert!(name("n", "N", "1234", 10).is_err());
        assert_eq!(name("n", "N", " Zoë ", 10).unwrap(), "Zoë");
        assert!(name("n", "N", "O'Brien", 10).is_ok());
        assert!(name("n", "N", "محمد", 10).is_ok());
    }

    #[test]
    fn emails() {
        for ok in [
            "",
            "a@b.co",
            "zoë@exämple.de",
            "first.last+tag@clinic.example.org",
        ] {
            assert!(email("e", "E", ok).is_ok(), "{ok}");
        }
        for bad in [
            "a", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.co", "a@b..co", "a@b_c.co",
        ] {
            assert!(email("e", "E", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in ["", "+44 20 7946 0958", "(555) 010-9999", "0123.456.789"] {
            assert!(phone("p", "P", ok).is_ok(), "{ok}");
        }
        for bad in [
            "12345",
            "call me",
            "+1 555 010 99x9",
            "1+555010999",
            "123456789012345678901",
        ] {
            assert!(phone("p", "P", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        let today = d("2026-11-23");
        let rule = || DateRule {
            max_years_back: 120,
        };
        assert_eq!(past_date("d", "D", None, today, rule()).unwrap(), None);
        assert_eq!(past_date("d", "D", Some(" "), today, rule()).unwrap(), None);
        assert_eq!(
            past_date("d", "D", Some("2026-11-23"), today, rule()).unwrap(),
            Some(today)
        );
        assert!(past_date("d", "D", Some("2026-11-24"), today, rule()).is_err());
        assert!(past_date("d", "D", Some("1906-11-23"), today, rule()).is_ok());
        assert!(past_date("d", "D", Some("1906-11-22"), today, rule()).is_err());
        assert!(past_date("d", "D", Some("2026-02-30"), today, rule()).is_err());
        assert!(past_date("d", "D", Some("26-1-1"), today, rule()).is_err());
        assert!(past_date("d", "D", Some("+2026-01-01"), today, rule()).is_err());
    }
}
