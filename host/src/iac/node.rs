//! A parsed document that remembers lines: what the YAML and JSON readers produce, and what
//! template readers walk. YAML short-form tags (`!Ref X`) arrive here already in their long
//! form (`{"Ref": "X"}`), so intrinsic functions are handled once.

/// A value with the lines it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The first line, 1-based.
    pub line: u32,
    /// The last line.
    pub end_line: u32,
}

/// A map key with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Its line, 1-based.
    pub line: u32,
}

/// A value of a YAML or JSON document.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// A node on one line.
    pub fn new(value: Value, line: u32) -> Self {
        Self {
            value,
            line,
            end_line: line,
        }
    }

    /// The value under `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, node)| node)
    }

    /// The key and value under `key`.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The first key, in document order, that repeats a key of its own mapping, anywhere in
    /// the document. One pass with a set per mapping: a generated template's `Resources`
    /// holds tens of thousands of keys, and checking each against all before it was quadratic.
    pub fn first_duplicate_key(&self) -> Option<&Key> {
        let mut pending: Vec<&Node> = vec![self];
        let mut found: Option<&Key> = None;
        while let Some(node) = pending.pop() {
            match &node.value {
                Value::Map(entries) => {
                    let mut seen = std::collections::HashSet::with_capacity(entries.len());
                    for (key, value) in entries {
                        if !seen.insert(key.name.as_str())
                            && found.is_none_or(|f| (key.line, &key.name) < (f.line, &f.name))
                        {
                            found = Some(key);
                        }
                        pending.push(value);
                    }
                }
                Value::Seq(items) => pending.extend(items),
                _ => {}
            }
        }
        found
    }

    /// The entries, when this is a mapping.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The text, when this is a string or a scalar that reads as one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
}
