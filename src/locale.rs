//! The user's locale, as a BCP 47 tag (`en-GB`), for the web view's date inputs.
//!
//! WebKitGTK lays out `<input type=date>` in the order of its process locale, and a bare `C`
//! or `POSIX` locale (a desktop session without one, a locale that is not installed) gives
//! ICU's `en-US-POSIX`: 10/25/2026. So the shell tells the web view the user's languages
//! itself, from here: the environment first (`LC_ALL`, then `LC_TIME`, then `LANG`, as the C
//! library reads them), then the system default (`/etc/default/locale`,
//! `/etc/locale.conf`), and when neither names one, [`FALLBACK`]: day, month, year.

/// The locale used when neither the environment nor the system names one: day-month-year
/// order (25/10/2026), as the app writes dates elsewhere ("25 Oct 2026").
pub const FALLBACK: &str = "en-GB";

/// The system files that name the default locale, in the order they are read.
const SYSTEM_FILES: [&str; 2] = ["/etc/default/locale", "/etc/locale.conf"];

/// The variables that decide how dates are written, strongest first.
const VARIABLES: [&str; 3] = ["LC_ALL", "LC_TIME", "LANG"];

/// The user's locale from this process's environment and the system's files, or
/// [`FALLBACK`].
pub fn detect() -> String {
    let files: Vec<String> = SYSTEM_FILES
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    resolve(|name| std::env::var(name).ok(), &files)
}

/// The locale from `env` (a variable's value by name) and the contents of the system's
/// locale files, in order; [`FALLBACK`] when none names a real locale.
pub fn resolve(env: impl Fn(&str) -> Option<String>, files: &[String]) -> String {
    if let Some(tag) = from_variables(|name| env(name)) {
        return tag;
    }
    for text in files {
        let vars = parse_file(text);
        let lookup = |name: &str| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if let Some(tag) = from_variables(lookup) {
            return tag;
        }
    }
    FALLBACK.to_owned()
}

/// The first of `LC_ALL`, `LC_TIME`, `LANG` that is set and not empty decides, as in the C
/// library; when it is `C`/`POSIX` (or unparsable) the next source is asked.
fn from_variables(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    let value = VARIABLES
        .iter()
        .filter_map(|name| get(name))
        .find(|v| !v.trim().is_empty())?;
    to_tag(&value)
}

/// `KEY=value` lines of a shell-style locale file (`/etc/default/locale`), quotes removed;
/// comments, `export` and anything else ignored.
fn parse_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if line.starts_with('#') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            Some((key.trim().to_owned(), value.to_owned()))
        })
        .collect()
}

/// A POSIX locale name (`en_GB.UTF-8`, `de_DE@euro`, `fr`) as a BCP 47 tag (`en-GB`, `de-DE`,
/// `fr`); `None` for `C`, `POSIX` and their `.UTF-8` forms, which name no language.
pub fn to_tag(posix: &str) -> Option<String> {
    let name = posix.trim();
    let name = name.split(['.', '@']).next().unwrap_or("");
    if name.is_empty() || name.eq_ignore_ascii_case("C") || name.eq_ignore_ascii_case("POSIX") {
        return None;
    }
    let mut parts = name.split('_');
    let language = parts.next()?;
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut tag = language.to_ascii_lowercase();
    if let Some(region) = parts.next() {
        if !(2..=3).contains(&region.len()) || !region.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        tag.push('-');
        tag.push_str(&region.to_ascii_uppercase());
    }
    Some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn posix_names_become_tags() {
        assert_eq!(to_tag("en_GB.UTF-8").as_deref(), Some("en-GB"));
        assert_eq!(to_tag("de_DE@euro").as_deref(), Some("de-DE"));
        assert_eq!(to_tag("fr").as_deref(), Some("fr"));
        assert_eq!(to_tag("en_us.utf8").as_deref(), Some("en-US"));
        for none in [
            "C", "C.UTF-8", "C.utf8", "POSIX", "", "  ", "english!", "e_GB", "en_G!",
        ] {
            assert_eq!(to_tag(none), None, "{none:?}");
        }
    }

    #[test]
    fn the_environment_decides_in_the_c_library_order() {
        let all = [
            ("LC_ALL", "de_DE.UTF-8"),
            ("LC_TIME", "en_GB.UTF-8"),
            ("LANG", "en_US.UTF-8"),
        ];
        assert_eq!(resolve(env(&all), &[]), "de-DE");
        assert_eq!(resolve(env(&all[1..]), &[]), "en-GB");
        assert_eq!(resolve(env(&all[2..]), &[]), "en-US");
        // an empty variable counts as unset
        assert_eq!(
            resolve(env(&[("LC_ALL", ""), ("LANG", "fr_FR.UTF-8")]), &[]),
            "fr-FR"
        );
    }

    #[test]
    fn a_bare_c_locale_falls_back_to_the_system_default_then_day_month_year() {
        let files = vec![
            "#  File generated by update-locale\n".to_owned(),
            "LANG=\"en_IE.UTF-8\"\nLC_TIME=en_GB.UTF-8\n".to_owned(),
        ];
        assert_eq!(resolve(env(&[("LANG", "C.UTF-8")]), &files), "en-GB");
        assert_eq!(resolve(env(&[("LC_ALL", "POSIX")]), &files[1..2]), "en-GB");
        assert_eq!(
            resolve(env(&[]), &["export LANG='nl_NL.UTF-8'".to_owned()]),
            "nl-NL"
        );
        assert_eq!(resolve(env(&[("LANG", "C")]), &files[..1]), FALLBACK);
        assert_eq!(resolve(env(&[]), &[]), FALLBACK);
        assert_eq!(resolve(env(&[]), &["LANG=C.UTF-8".to_owned()]), FALLBACK);
    }
}
