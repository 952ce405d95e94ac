//! Text as the diagram draws it: the fonts it uses (none under 12 px), their widths
//! (measured by the browser, or estimated where there is none), and lines wrapped to a
//! width, so a name is never cut: it takes another line instead.

/// The diagram's fonts. Every size is at least 12 CSS pixels, and the diagram is never
/// drawn smaller than it is laid out, so that is the least size on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    /// A boundary's title: 13 px bold.
    RegionTitle,
    /// A boundary's caption, a node's detail line: 12 px.
    Caption,
    /// A node's title: 13 px semibold.
    NodeTitle,
    /// A key id: 12 px monospace.
    Mono,
    /// An arrow's label, a grant's operations: 12 px semibold.
    Label,
    /// An error name, a key state, a flipped byte: 12 px bold.
    Badge,
}

impl Font {
    /// Every font.
    #[cfg(test)]
    pub const ALL: [Font; 6] = [
        Font::RegionTitle,
        Font::Caption,
        Font::NodeTitle,
        Font::Mono,
        Font::Label,
        Font::Badge,
    ];

    /// Its size in CSS pixels.
    pub fn size(self) -> f64 {
        match self {
            Font::RegionTitle | Font::NodeTitle => 13.0,
            Font::Caption | Font::Mono | Font::Label | Font::Badge => 12.0,
        }
    }

    /// Its weight.
    pub fn weight(self) -> u16 {
        match self {
            Font::RegionTitle | Font::Badge => 700,
            Font::NodeTitle | Font::Label => 600,
            Font::Caption | Font::Mono => 400,
        }
    }

    /// Whether it is the monospace family.
    pub fn mono(self) -> bool {
        self == Font::Mono
    }
}

/// How wide a text is in a font, in CSS pixels.
pub trait Measure {
    /// The width of `text` in `font`.
    fn width(&self, text: &str, font: Font) -> f64;
}

/// A generous estimate from character classes, for tests and for a browser that cannot
/// measure: wider than most system fonts draw, so wrapped text still fits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimate;

impl Measure for Estimate {
    fn width(&self, text: &str, font: Font) -> f64 {
        let em = font.size();
        if font.mono() {
            return text.chars().count() as f64 * 0.62 * em;
        }
        let bold = if font.weight() >= 600 { 1.08 } else { 1.0 };
        text.chars()
            .map(|c| match c {
                'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '(' | ')' => {
                    0.32
                }
                'f' | 't' | 'r' | '-' | '/' | '"' => 0.42,
                'm' | 'w' | 'M' | 'W' | '@' => 0.92,
                c if c.is_ascii_uppercase() => 0.72,
                c if c.is_ascii_digit() => 0.62,
                _ => 0.6,
            })
            .sum::<f64>()
            * em
            * bold
    }
}

/// Where a long word may be broken: after these characters (an ARN's `:` and `/`, a key
/// id's `-`, an address's `@` and `.`).
fn break_points(word: &str) -> Vec<usize> {
    word.char_indices()
        .filter(|(_, c)| matches!(c, '-' | '/' | ':' | '.' | '@' | '_' | ','))
        .map(|(i, c)| i + c.len_utf8())
        .filter(|&i| i < word.len())
        .collect()
}

/// Break points that leave at least a few characters on each side: `amazonaws.` then
/// `com` alone on a line reads badly.
fn good_breaks(word: &str) -> Vec<usize> {
    const SHORT: usize = 5;
    let all = break_points(word);
    let good: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| i >= SHORT && word.len() - i >= SHORT)
        .collect();
    if good.is_empty() {
        all
    } else {
        good
    }
}

/// Splits one word wider than `max` into pieces that fit: at its break points where it
/// can, between characters where it must.
fn split_word(word: &str, font: Font, max: f64, m: &dyn Measure) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = word;
    while !rest.is_empty() && m.width(rest, font) > max {
        let cut = good_breaks(rest)
            .into_iter()
            .rev()
            .find(|&i| m.width(&rest[..i], font) <= max)
            .unwrap_or_else(|| {
                // No break point fits: as many characters as fit (at least one).
                let mut end = 0;
                for (i, c) in rest.char_indices() {
                    let next = i + c.len_utf8();
                    if end > 0 && m.width(&rest[..next], font) > max {
                        break;
                    }
                    end = next;
                }
                end
            });
        pieces.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

/// `text` in lines no wider than `max` (greedy, between words; a word too long for a
/// line is broken at its break points, its first piece on the line it follows). Nothing
/// is left out.
pub fn wrap(text: &str, font: Font, max: f64, m: &dyn Measure) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if m.width(&candidate, font) <= max {
            line = candidate;
            continue;
        }
        let mut rest = word;
        if m.width(word, font) > max && !line.is_empty() {
            // A word too long for any line: its first piece fills this one.
            let room = max - m.width(&format!("{line} "), font);
            if let Some(i) = good_breaks(word)
                .into_iter()
                .rev()
                .find(|&i| m.width(&word[..i], font) <= room)
            {
                lines.push(format!("{line} {}", &word[..i]));
                line.clear();
                rest = &word[i..];
            }
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut pieces = split_word(rest, font, max, m);
        line = pieces.pop().unwrap_or_default();
        lines.extend(pieces);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_font_is_under_12_px() {
        assert!(Font::ALL.iter().all(|f| f.size() >= 12.0));
    }

    #[test]
    fn wrapping_keeps_every_character_and_fits() {
        let m = Estimate;
        for text in [
            "Encrypted mailbox key",
            "Mailbox store alice@example.com",
            "9a374450-4560-439e-8670-b7a17d492b27",
            "arn:aws:iam::111122223333:role/WorkMailAdmin",
            "to workmail.us-east-1.amazonaws.com",
            "",
        ] {
            for max in [60.0, 120.0, 200.0, 400.0] {
                for font in Font::ALL {
                    let lines = wrap(text, font, max, &m);
                    let joined: String = lines.concat().split_whitespace().collect();
                    let original: String = text.split_whitespace().collect();
                    assert_eq!(joined, original, "{text} at {max}");
                    for line in &lines {
                        // A single character may be wider than a tiny line; nothing else is.
                        assert!(
                            m.width(line, font) <= max || line.chars().count() == 1,
                            "{line:?} in {max}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            wrap("Mailbox key", Font::NodeTitle, 300.0, &m),
            ["Mailbox key"]
        );
        assert_eq!(
            wrap(
                "9a374450-4560-439e-8670-b7a17d492b27",
                Font::Mono,
                160.0,
                &m
            ),
            ["9a374450-4560-439e-", "8670-b7a17d492b27"]
        );
        // A long word starts on the line it follows.
        let lines = wrap(
            "to workmail.us-east-1.amazonaws.com",
            Font::Caption,
            150.0,
            &m,
        );
        assert!(lines[0].starts_with("to workmail"), "{lines:?}");
    }
}
