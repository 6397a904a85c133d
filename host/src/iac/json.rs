//! JSON to [`Node`], with lines: a small recursive-descent parser (serde_json keeps no
//! positions per value). It follows RFC 8259, nests at most [`MAX_DEPTH`] levels, and reports
//! errors at their line and column.

use super::node::{Key, Node, Value};
use super::{IacError, MAX_DEPTH};

/// Parses `text` (from `file`, for messages) into a [`Node`].
pub fn parse(file: &str, text: &str) -> Result<Node, IacError> {
    let mut parser = JsonParser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let root = parser.document().map_err(|message| IacError::Syntax {
        file: file.to_owned(),
        line: parser.line,
        column: u32::try_from(parser.pos.saturating_sub(parser.line_start) + 1).unwrap_or(u32::MAX),
        message,
    })?;
    // Found in one pass over the whole document ([`Node::first_duplicate_key`]).
    if let Some(key) = root.first_duplicate_key() {
        return Err(IacError::Syntax {
            file: file.to_owned(),
            line: key.line,
            column: 1,
            message: format!("duplicate key `{}`", key.name),
        });
    }
    Ok(root)
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
    line_start: usize,
}

impl JsonParser<'_> {
    fn document(&mut self) -> Result<Node, String> {
        self.skip_space();
        let node = self.value(0)?;
        self.skip_space();
        if self.pos < self.bytes.len() {
            return Err("unexpected text after the document".to_owned());
        }
        Ok(node)
    }

    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{}`", char::from(byte)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, String> {
        if depth >= MAX_DEPTH {
            return Err(format!("the document nests deeper than {MAX_DEPTH} levels"));
        }
        let line = self.line;
        let value = match self.bytes.get(self.pos) {
            None => return Err("unexpected end of the document".to_owned()),
            Some(b'{') => return self.object(depth),
            Some(b'[') => return self.array(depth),
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            Some(_) => return Err("expected a JSON value".to_owned()),
        };
        Ok(Node::new(value, line))
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err("expected a JSON value".to_owned())
        }
    }

    fn number(&mut self) -> Result<String, String> {
        let start = self.pos;
        while let Some(b) = self.bytes.get(self.pos) {
            if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text = &self.text[start..self.pos];
        if text.parse::<f64>().is_err() {
            self.pos = start;
            return Err(format!("`{text}` is not a number"));
        }
        Ok(text.to_owned())
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err("unterminated string".to_owned()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let high = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&high) {
                                if !self.bytes[self.pos..].starts_with(b"\\u") {
                                    return Err("unpaired surrogate in a \\u escape".to_owned());
                                }
                                self.pos += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err("unpaired surrogate in a \\u escape".to_owned());
                                }
                                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                high
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| "invalid \\u escape".to_owned())?,
                            );
                            continue;
                        }
                        _ => return Err("invalid escape in a string".to_owned()),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(_) => return Err("control character in a string".to_owned()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| "truncated \\u escape".to_owned())?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| "invalid \\u escape".to_owned())?;
        self.pos += 4;
        Ok(code)
    }

    fn array(&mut self, depth: usize) -> Result<Node, String> {
        let line = self.line;
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_space();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::new(Value::Seq(items), line));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err("expected `,` or `]`".to_owned()),
            }
        }
        Ok(Node {
            value: Value::Seq(items),
            line,
            end_line: self.line,
        })
    }

    fn object(&mut self, depth: usize) -> Result<Node, String> {
        let line = self.line;
        self.expect(b'{')?;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        self.skip_space();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::new(Value::Map(entries), line));
        }
        loop {
            self.skip_space();
            let key_line = self.line;
            let name = self.string()?;
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            let value = self.value(depth + 1)?;
            entries.push((
                Key {
                    name,
                    line: key_line,
                },
                value,
            ));
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err("expected `,` or `}`".to_owned()),
            }
        }
        Ok(Node {
            value: Value::Map(entries),
            line,
            end_line: self.line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_lines() {
        let text = "{\n  \"Resources\": {\n    \"A\": {\n      \"Type\": \"X\",\n      \"P\": [1, \"\\u00e9\\ud83d\\ude00\"]\n    }\n  }\n}\n";
        let root = parse("t.json", text).unwrap();
        let a = root.get("Resources").unwrap().get("A").unwrap();
        assert_eq!((a.line, a.end_line), (3, 6));
        let (key, p) = a.entry("P").unwrap();
        assert_eq!(key.line, 5);
        assert!(matches!(&p.value, Value::Seq(items) if items[1].as_str() == Some("é😀")));
    }

    #[test]
    fn errors_name_line_and_column() {
        let error = parse("t.json", "{\n  \"a\": 1,\n  \"b\" 2\n}")
            .unwrap_err()
            .to_string();
        assert_eq!(error, "t.json:3:7: expected `:`");
        let error = parse("t.json", "{\"a\": tru}").unwrap_err().to_string();
        assert!(error.starts_with("t.json:1:7:"), "{error}");
        let error = parse("t.json", &"[".repeat(10_000))
            .unwrap_err()
            .to_string();
        assert!(error.contains("nests deeper"), "{error}");
        assert!(parse("t.json", "{\"a\": 1} x").is_err());
        assert!(parse("t.json", "\"\\ud800\"").is_err());
    }

    #[test]
    fn a_repeated_key_is_named_at_its_line() {
        let text = "{\n  \"a\": 1,\n  \"b\": {\"c\": 1},\n  \"a\": 2\n}";
        let error = parse("dup.json", text).expect_err("duplicate").to_string();
        assert!(error.contains("dup.json:4"), "{error}");
        assert!(error.contains("duplicate key `a`"), "{error}");
        let nested = "{\"a\": {\"x\": 1, \"x\": 2}}";
        let error = parse("n.json", nested)
            .expect_err("nested duplicate")
            .to_string();
        assert!(error.contains("duplicate key `x`"), "{error}");
    }
}
