//! The one boundary for text a pack wrote: every string that comes out of the sandbox (its
//! metadata, its findings, its failure and log messages) passes through here before any
//! command keeps it, so that nothing a pack wrote reaches a terminal, a log or a report raw.
//!
//! A pack is third-party code. Its text could carry terminal escapes (`ESC ] 0 ;` retitles the
//! window, `ESC [ 2 J` clears the screen), C1 controls, bidirectional overrides that make a
//! line read differently from what it says (U+202A..U+202E, U+2066..U+2069, "Trojan Source",
//! CVE-2021-42574), zero-width characters that hide text, or megabytes where a name belongs.
//! Controls become spaces, invisible formatting becomes U+FFFD (so the reader sees that
//! something was there), and every string is cut to a length.

use trailwarden_sdk::PackMeta;

/// The longest line of pack text shown, in bytes (messages, reasons, trap messages).
pub const LINE_BYTES: usize = 4096;
/// The longest string kept from a pack's metadata, in bytes: ids, names, descriptions.
pub const META_STRING_BYTES: usize = 1024;
/// The longest help text kept from a pack's metadata, in bytes.
pub const HELP_BYTES: usize = 64 << 10;
/// The most entries kept from a list in a pack's metadata (tags, mappings, needs, settings).
pub const META_LIST_ENTRIES: usize = 64;

/// The replacement for an invisible formatting character.
const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` is an invisible formatting character that can make text read differently from
/// what it is: bidirectional embeddings, overrides, isolates and marks, and zero-width
/// characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space, non-joiner, joiner; LRM, RLM
        | '\u{202A}'..='\u{202E}' // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // LRI, RLI, FSI, PDI
        | '\u{061C}'              // Arabic letter mark
        | '\u{180E}'              // Mongolian vowel separator
        | '\u{FEFF}'              // zero-width no-break space
    )
}

/// One line of pack text, safe for a terminal: controls (newlines among them) become spaces,
/// invisible formatting becomes U+FFFD, and it is cut to `limit` bytes with `…`.
pub fn line_within(text: &str, limit: usize) -> String {
    clip(&clean(text, false), limit)
}

/// One line of pack text cut to [`LINE_BYTES`]; see [`line_within`].
pub fn line(text: &str) -> String {
    line_within(text, LINE_BYTES)
}

fn meta_line(text: &str) -> String {
    line_within(text, META_STRING_BYTES)
}

/// Multi-line pack text (help markdown): as [`line_within`], but newlines and tabs are kept.
pub fn text_within(text: &str, limit: usize) -> String {
    clip(&clean(text, true), limit)
}

fn clean(text: &str, keep_lines: bool) -> String {
    text.chars()
        .map(|c| {
            if keep_lines && (c == '\n' || c == '\t') {
                c
            } else if c.is_control() {
                ' '
            } else if is_invisible(c) {
                REPLACEMENT
            } else {
                c
            }
        })
        .collect()
}

/// `text` cut to at most `limit` bytes on a character boundary, with `…` when cut.
pub fn clip(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// A JSON value from a pack with every string in it (keys too) made safe with [`line_within`].
pub fn json(value: &serde_json::Value, limit: usize) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(line_within(s, limit)),
        Value::Array(items) => Value::Array(items.iter().map(|v| json(v, limit)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (line_within(k, limit), json(v, limit)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn lines(list: &mut Vec<String>) {
    list.truncate(META_LIST_ENTRIES);
    for item in list.iter_mut() {
        *item = meta_line(item);
    }
}

/// A pack's metadata made safe to show: every string cleaned and cut, every list bounded.
pub fn meta(meta: &mut PackMeta) {
    meta.name = meta_line(&meta.name);
    meta.version = meta_line(&meta.version);
    meta.sdk_version = meta_line(&meta.sdk_version);
    for rule in &mut meta.rules {
        rule.id = meta_line(&rule.id);
        rule.name = meta_line(&rule.name);
        rule.short_description = meta_line(&rule.short_description);
        rule.full_description = meta_line(&rule.full_description);
        rule.help_markdown = text_within(&rule.help_markdown, HELP_BYTES);
        rule.help_uri = rule.help_uri.as_deref().map(meta_line);
        rule.precision = meta_line(&rule.precision);
        lines(&mut rule.tags);
        lines(&mut rule.mappings.cis);
        lines(&mut rule.mappings.security_hub);
        lines(&mut rule.mappings.mitre_attack);
        lines(&mut rule.needs);
        rule.settings.truncate(META_LIST_ENTRIES);
        for setting in &mut rule.settings {
            setting.name = meta_line(&setting.name);
            setting.value_type = meta_line(&setting.value_type);
            setting.description = meta_line(&setting.description);
            setting.default = json(&setting.default, META_STRING_BYTES);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_bidi_and_zero_width_do_not_survive() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}d\u{202E}e\u{2066}f\u{200B}g\nh";
        let cleaned = line(hostile);
        assert!(!cleaned.chars().any(char::is_control), "{cleaned:?}");
        assert!(!cleaned.chars().any(is_invisible), "{cleaned:?}");
        assert_eq!(cleaned, "a ]0;pwned b [2Jc d\u{FFFD}e\u{FFFD}f\u{FFFD}g h");
        assert_eq!(text_within("a\nb\u{1b}", 100), "a\nb ");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(40_000);
        let cut = meta_line(&long);
        assert!(cut.len() <= META_STRING_BYTES + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert_eq!(clip("short", 10), "short");
    }

    #[test]
    fn json_strings_and_keys_are_cleaned() {
        let value = serde_json::json!({"k\u{1b}": ["v\u{202E}", 1, {"x": "\u{9b}"}]});
        assert_eq!(
            json(&value, 100),
            serde_json::json!({"k ": ["v\u{FFFD}", 1, {"x": " "}]})
        );
    }
}
