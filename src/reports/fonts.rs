//! Fonts for the PDFs, chosen per character: the bundled DejaVu Sans first (so a PDF in a
//! Latin, Greek, Cyrillic or Arabic script looks the same on every machine), then a font
//! installed on the machine that has the character — the Noto fonts the package depends on
//! (CJK, Devanagari and the other scripts of India, colour emoji…), found with `fontdb` —
//! and, only when no installed font has it, DejaVu's empty box, with the text itself still
//! in the PDF (so copying and searching find the name).
//!
//! A line is cut into runs: first by direction (the Unicode bidirectional algorithm, so an
//! Arabic or Hebrew name reads right to left inside an English line), then by font, one
//! grapheme cluster at a time (a base letter keeps its marks, an emoji its modifiers). Each
//! run is shaped with rustybuzz (Arabic joining forms, Devanagari conjuncts and vowel signs)
//! and drawn by krilla, which embeds only the glyphs used.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::Direction;
use unicode_bidi::{BidiInfo, Level};
use unicode_properties::{EmojiStatus, UnicodeEmoji};
use unicode_script::{Script, UnicodeScript};
use unicode_segmentation::UnicodeSegmentation;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One font face, parsed for shaping (rustybuzz) and for drawing (krilla).
pub(crate) struct Face {
    shaper: rustybuzz::Face<'static>,
    pub(crate) font: Font,
    /// The family ("DejaVu Sans", "Noto Sans CJK SC"…): the tests check which was chosen.
    #[cfg_attr(not(test), expect(dead_code))]
    family: String,
}

impl Face {
    fn new(data: &'static [u8], index: u32, family: String) -> Option<Face> {
        Some(Face {
            shaper: rustybuzz::Face::from_slice(data, index)?,
            font: Font::new(data.into(), index)?,
            family,
        })
    }

    /// Whether the face has a glyph for every character of `cluster` that needs one.
    fn covers(&self, cluster: &str) -> bool {
        covers(&self.shaper, cluster)
    }
}

fn covers(face: &rustybuzz::Face<'_>, cluster: &str) -> bool {
    cluster
        .chars()
        .all(|c| invisible(c) || face.glyph_index(c).is_some())
}

/// Characters the shaper consumes without a glyph of their own: joiners, variation
/// selectors, emoji tag characters.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

static BUNDLED: LazyLock<Option<(Face, Face)>> = LazyLock::new(|| {
    Some((
        Face::new(REGULAR, 0, "DejaVu Sans".into())?,
        Face::new(BOLD, 0, "DejaVu Sans Bold".into())?,
    ))
});

/// The bundled faces, or `None` if they could not be parsed (never with the shipped files).
pub(crate) fn bundled_ok() -> bool {
    BUNDLED.is_some()
}

/// The fonts installed on this machine, scanned once, when a PDF first needs a character
/// DejaVu lacks.
static SYSTEM: LazyLock<Library> = LazyLock::new(|| {
    Library::new(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db
    })
});

/// A shaped piece of a line, in one font and one direction, in the order it is drawn
/// (left to right).
pub(crate) struct Run {
    pub(crate) face: &'static Face,
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// The width in ems: times the type size, in points.
    pub(crate) advance: f32,
}

/// `text` (one line) shaped into runs in drawing order, each in a font that has its
/// characters. Empty only if the bundled fonts could not be parsed.
pub(crate) fn shape_line(text: &str, weight: Weight) -> Vec<Run> {
    shape_line_with(&SYSTEM, text, weight)
}

fn shape_line_with(library: &Library, text: &str, weight: Weight) -> Vec<Run> {
    let Some((regular, bold)) = BUNDLED.as_ref() else {
        return Vec::new();
    };
    let primary = if weight == Weight::Bold {
        bold
    } else {
        regular
    };
    let mut runs = Vec::new();
    if text.is_empty() {
        return runs;
    }
    // The document is English: its lines run left to right, with right-to-left runs inside.
    let bidi = BidiInfo::new(text, Some(Level::ltr()));
    for para in &bidi.paragraphs {
        let (levels, visual) = bidi.visual_runs(para, para.range.clone());
        for range in visual {
            let rtl = levels.get(range.start).is_some_and(|l| l.is_rtl());
            let piece = &text[range];
            let mut pieces = split_by_font(library, piece, weight, primary);
            if rtl {
                pieces.reverse();
            }
            for (face, part) in pieces {
                runs.push(shape(face, part, rtl));
            }
        }
    }
    runs
}

/// The width of `text` in ems, as drawn.
pub(crate) fn advance(text: &str, weight: Weight) -> Option<f32> {
    bundled_ok().then(|| shape_line(text, weight).iter().map(|r| r.advance).sum())
}

/// Cut `text` (one direction) into consecutive pieces, each with the face to draw it in.
fn split_by_font<'t>(
    library: &Library,
    text: &'t str,
    weight: Weight,
    primary: &'static Face,
) -> Vec<(&'static Face, &'t str)> {
    let mut pieces: Vec<(&'static Face, &'t str)> = Vec::new();
    let mut start = 0;
    let mut current: Option<&'static Face> = None;
    // The face of the last letters: spaces, digits and punctuation stay in it when it has
    // them, so a run of Devanagari is not cut at every space. Not after an emoji: the
    // emoji font's space is as wide as an emoji.
    let mut letters: Option<&'static Face> = None;
    for (at, cluster) in text.grapheme_indices(true) {
        let face = match letters {
            Some(prev) if neutral(cluster) && prev.covers(cluster) => prev,
            _ => choose(library, cluster, weight, primary),
        };
        letters = (!wants_emoji(cluster)).then_some(face);
        if let Some(prev) = current
            && !std::ptr::eq(prev, face)
        {
            pieces.push((prev, &text[start..at]));
            start = at;
        }
        current = Some(face);
    }
    if let Some(face) = current {
        pieces.push((face, &text[start..]));
    }
    pieces
}

/// Whether every character of the cluster belongs to no script of its own (spaces, digits,
/// punctuation, combining marks) and none asks to be an emoji.
fn neutral(cluster: &str) -> bool {
    !wants_emoji(cluster)
        && cluster
            .chars()
            .all(|c| matches!(c.script(), Script::Common | Script::Inherited))
}

/// Whether the cluster is shown as a (colour) emoji: a character whose default is the emoji
/// presentation, or one followed by the emoji variation selector U+FE0F.
fn wants_emoji(cluster: &str) -> bool {
    let mut chars = cluster.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if cluster.contains('\u{FE0E}') {
        return false; // asked for the text presentation
    }
    matches!(
        first.emoji_status(),
        EmojiStatus::EmojiPresentation
            | EmojiStatus::EmojiPresentationAndModifierBase
            | EmojiStatus::EmojiPresentationAndEmojiComponent
            | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent
    ) || (first.is_emoji_char_or_emoji_component() && cluster.contains('\u{FE0F}'))
}

/// The face for one grapheme cluster: an emoji font first for emoji, then DejaVu, then an
/// installed font for the cluster's script, then any installed font that has it; DejaVu
/// (its .notdef box) when none has.
fn choose(
    library: &Library,
    cluster: &str,
    weight: Weight,
    primary: &'static Face,
) -> &'static Face {
    let emoji = wants_emoji(cluster);
    if !emoji && primary.covers(cluster) {
        return primary;
    }
    library
        .find(cluster, weight, emoji, primary)
        .unwrap_or(primary)
}

/// The installed families to try for a cluster, best first.
fn families_for(cluster: &str, emoji: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if emoji {
        out.push("Noto Color Emoji".into());
    }
    let script = cluster
        .chars()
        .map(|c| c.script())
        .find(|s| !matches!(s, Script::Common | Script::Inherited | Script::Unknown));
    let named: &[&str] = match script {
        Some(Script::Han | Script::Bopomofo) => &[
            "Noto Sans CJK SC",
            "Noto Sans CJK TC",
            "Noto Sans CJK JP",
            "Noto Sans CJK KR",
        ],
        Some(Script::Hiragana | Script::Katakana) => &["Noto Sans CJK JP", "Noto Sans CJK SC"],
        Some(Script::Hangul) => &["Noto Sans CJK KR", "Noto Sans CJK SC"],
        Some(Script::Arabic) => &["Noto Sans Arabic", "Noto Naskh Arabic", "Noto Kufi Arabic"],
        _ => &[],
    };
    out.extend(named.iter().map(|s| (*s).to_owned()));
    if let Some(s) = script {
        let name = s.full_name().replace('_', " ");
        out.push(format!("Noto Sans {name}"));
        out.push(format!("Noto Serif {name}"));
    }
    for generic in [
        "Noto Sans",
        "Noto Sans Symbols",
        "Noto Sans Symbols 2",
        "Noto Sans Math",
        "Noto Color Emoji",
        "Noto Sans CJK SC",
    ] {
        if !out.iter().any(|f| f == generic) {
            out.push(generic.to_owned());
        }
    }
    out
}

/// Installed fonts, with what has been loaded and chosen so far.
struct Library {
    db: LazyLock<fontdb::Database, fn() -> fontdb::Database>,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// Faces read from disk, by their database id (`None`: unreadable).
    loaded: HashMap<fontdb::ID, Option<&'static Face>>,
    /// The face chosen for a cluster (`None`: no installed font has it).
    chosen: HashMap<(String, Weight, bool), Option<&'static Face>>,
}

impl Library {
    fn new(load: fn() -> fontdb::Database) -> Library {
        Library {
            db: LazyLock::new(load),
            cache: Mutex::new(Cache::default()),
        }
    }

    fn find(
        &self,
        cluster: &str,
        weight: Weight,
        emoji: bool,
        primary: &'static Face,
    ) -> Option<&'static Face> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (cluster.to_owned(), weight, emoji);
        if let Some(found) = cache.chosen.get(&key) {
            return *found;
        }
        let found = self.search(&mut cache, cluster, weight, emoji, primary);
        cache.chosen.insert(key, found);
        found
    }

    fn search(
        &self,
        cache: &mut Cache,
        cluster: &str,
        weight: Weight,
        emoji: bool,
        primary: &'static Face,
    ) -> Option<&'static Face> {
        let db = &*self.db;
        let css_weight = fontdb::Weight(if weight == Weight::Bold { 700 } else { 400 });
        let families = families_for(cluster, emoji);
        for (n, family) in families.iter().enumerate() {
            // An emoji DejaVu has (as a plain outline) comes after the colour emoji font.
            if emoji && n == 1 && primary.covers(cluster) {
                return Some(primary);
            }
            let query = fontdb::Query {
                families: &[fontdb::Family::Name(family)],
                weight: css_weight,
                stretch: fontdb::Stretch::Normal,
                style: fontdb::Style::Normal,
            };
            if let Some(id) = db.query(&query)
                && let Some(face) = load(db, cache, id)
                && face.covers(cluster)
            {
                return Some(face);
            }
        }
        if emoji && primary.covers(cluster) {
            return Some(primary);
        }
        // Any installed face that has it: upright ones of the nearest weight first.
        let mut any: Vec<&fontdb::FaceInfo> = db.faces().collect();
        any.sort_by_key(|f| {
            (
                f.style != fontdb::Style::Normal,
                f.weight.0.abs_diff(css_weight.0),
                f.families.first().map(|(name, _)| name.clone()),
                f.index,
            )
        });
        let id = any.iter().map(|f| f.id).find(|id| {
            db.with_face_data(*id, |data, index| {
                rustybuzz::Face::from_slice(data, index).is_some_and(|f| covers(&f, cluster))
            }) == Some(true)
        })?;
        load(db, cache, id)
    }
}

/// The face with database id `id`, read from disk once and kept for the life of the
/// process (the few a clinic's names need).
fn load(db: &fontdb::Database, cache: &mut Cache, id: fontdb::ID) -> Option<&'static Face> {
    if let Some(face) = cache.loaded.get(&id) {
        return *face;
    }
    let family = db
        .face(id)
        .and_then(|f| f.families.first())
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let face = db
        .with_face_data(id, |data, index| (data.to_vec(), index))
        .and_then(|(data, index)| {
            let data: &'static [u8] = Box::leak(data.into_boxed_slice());
            Face::new(data, index, family)
        })
        .map(|face| &*Box::leak(Box::new(face)));
    cache.loaded.insert(id, face);
    face
}

/// Shape one piece of text in one face and one direction.
fn shape(face: &'static Face, text: &str, rtl: bool) -> Run {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    let output = rustybuzz::shape(&face.shaper, &[], buffer);
    let upem = f32::from(face.shaper.units_per_em() as u16).max(1.0);
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut advance = 0.0;
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        // The cluster ends where the next one (in logical order) starts: after this glyph
        // left to right, before it right to left.
        let next = if rtl {
            infos[..i].iter().rev().find(|g| g.cluster != info.cluster)
        } else {
            infos[i + 1..].iter().find(|g| g.cluster != info.cluster)
        };
        let end = next.map_or(text.len(), |g| g.cluster as usize).max(start);
        let x_advance = pos.x_advance as f32 / upem;
        advance += x_advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            x_advance,
            pos.x_offset as f32 / upem,
            pos.y_offset as f32 / upem,
            pos.y_advance as f32 / upem,
            start..end,
            None,
        ));
    }
    Run {
        face,
        text: text.to_owned(),
        glyphs,
        advance,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use krilla::text::Glyph;

    fn families(library: &Library, text: &str) -> Vec<(String, String)> {
        shape_line_with(library, text, Weight::Regular)
            .into_iter()
            .map(|r| (r.face.family.clone(), r.text))
            .collect()
    }

    #[test]
    fn latin_stays_in_one_dejavu_run() {
        let none = Library::new(fontdb::Database::new);
        assert_eq!(
            families(&none, "Zoë O'Brien, born 2 Apr 1988"),
            [("DejaVu Sans".into(), "Zoë O'Brien, born 2 Apr 1988".into())]
        );
    }

    #[test]
    fn right_to_left_runs_are_drawn_in_visual_order() {
        // DejaVu has Arabic: one font, three runs, the Arabic one in the middle.
        let none = Library::new(fontdb::Database::new);
        let runs = shape_line_with(&none, "Name: مريم العلي, born", Weight::Regular);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Name: ", "مريم العلي", ", born"]);
        // The first glyph drawn (leftmost) is the last letter: right to left.
        let arabic = &runs[1];
        let len = arabic.text.len();
        assert_eq!(arabic.glyphs.first().unwrap().text_range(), len - 2..len);
        assert_eq!(arabic.glyphs.last().unwrap().text_range(), 0..2);
    }

    #[test]
    fn with_no_installed_fonts_a_missing_script_falls_back_to_dejavu() {
        let none = Library::new(fontdb::Database::new);
        let runs = shape_line_with(&none, "王秀英", Weight::Regular);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].face.family, "DejaVu Sans");
        // .notdef boxes, but the text is still carried for extraction
        assert!(
            runs[0]
                .glyphs
                .iter()
                .all(|g| g.glyph_id() == GlyphId::new(0))
        );
        assert_eq!(runs[0].text, "王秀英");
    }

    /// With the fonts the Makefile installs (fonts-noto-core, -cjk, -color-emoji), every
    /// character of these names has a real glyph: no .notdef (glyph 0) anywhere.
    #[test]
    fn installed_noto_fonts_cover_names_in_every_script() {
        for (text, want) in [
            ("王秀英 Wang", vec!["Noto Sans CJK SC", "DejaVu Sans"]),
            ("😀🧘", vec!["Noto Color Emoji"]),
            ("देवनागरी नाम", vec!["Noto Sans Devanagari"]),
            ("مريم العلي", vec!["DejaVu Sans"]),
        ] {
            for weight in [Weight::Regular, Weight::Bold] {
                let runs = shape_line(text, weight);
                let used: Vec<&str> = runs.iter().map(|r| r.face.family.as_str()).collect();
                let want: Vec<String> = want
                    .iter()
                    .map(|f| match (weight, *f) {
                        (Weight::Bold, "DejaVu Sans") => "DejaVu Sans Bold".to_owned(),
                        (_, f) => f.to_owned(),
                    })
                    .collect();
                assert_eq!(used, want, "{text} ({weight:?})");
                for r in &runs {
                    assert!(
                        r.glyphs.iter().all(|g| g.glyph_id() != GlyphId::new(0)),
                        "a .notdef box in {:?} ({})",
                        r.text,
                        r.face.family
                    );
                }
            }
        }
        // Shaped, not mapped one character to one glyph: the vowel sign "ि" is drawn before
        // the consonant it follows, and Arabic letters take their joining forms.
        let runs = shape_line("कि", Weight::Regular);
        let ka = runs[0].face.shaper.glyph_index('क').unwrap().0;
        assert_eq!(runs[0].glyphs.len(), 2);
        assert_ne!(runs[0].glyphs[0].glyph_id(), GlyphId::new(u32::from(ka)));
        assert_eq!(runs[0].glyphs[1].glyph_id(), GlyphId::new(u32::from(ka)));
        let runs = shape_line("مريم", Weight::Regular);
        let isolated: Vec<GlyphId> = "مريم"
            .chars()
            .rev()
            .map(|c| GlyphId::new(u32::from(runs[0].face.shaper.glyph_index(c).unwrap().0)))
            .collect();
        let drawn: Vec<GlyphId> = runs[0].glyphs.iter().map(|g| g.glyph_id()).collect();
        assert_eq!(drawn.len(), 4);
        assert_ne!(drawn, isolated);
    }

    #[test]
    fn emoji_presentation_and_neutral_characters() {
        assert!(wants_emoji("😀"));
        assert!(wants_emoji("❤\u{FE0F}"));
        assert!(!wants_emoji("❤"));
        assert!(!wants_emoji("1"));
        assert!(neutral(" "));
        assert!(neutral("1"));
        assert!(!neutral("क"));
    }
}
