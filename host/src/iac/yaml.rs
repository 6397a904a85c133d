//! YAML to [`Node`], with lines, through yaml-rust2's event parser (serde_yaml keeps no
//! positions per node).
//!
//! CloudFormation's short-form tags become their long form here: `!Ref X` is `{"Ref": X}`,
//! `!GetAtt A.B` is `{"Fn::GetAtt": [A, B]}`, `!Condition C` is `{"Condition": C}`, and any
//! other `!Name` is `{"Fn::Name": ...}` (the AWS reading: "Fn::Name" and "!Name" are the same
//! function, <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>).
//! Anchors and aliases are refused: expanding them is how a small file becomes a large
//! document, and CloudFormation templates do not need them.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::node::{Key, Node, Value};
use super::{IacError, MAX_DEPTH};

/// Most nodes one document may hold.
const MAX_NODES: usize = 2_000_000;

/// Parses `text` (from `file`, for messages) into a [`Node`].
pub fn parse(file: &str, text: &str) -> Result<Node, IacError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|error| IacError::Syntax {
            file: file.to_owned(),
            line: to_u32(error.marker().line()),
            column: to_u32(error.marker().col() + 1),
            message: error.info().to_owned(),
        })?;
    if let Some((line, message)) = builder.error {
        return Err(IacError::Syntax {
            file: file.to_owned(),
            line,
            column: 1,
            message,
        });
    }
    let root = builder.root.ok_or_else(|| IacError::Syntax {
        file: file.to_owned(),
        line: 1,
        column: 1,
        message: "the document is empty".to_owned(),
    })?;
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

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

enum Frame {
    Seq {
        node: Node,
        tag: Option<Tag>,
    },
    Map {
        node: Node,
        tag: Option<Tag>,
        pending_key: Option<Key>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    error: Option<(u32, String)>,
    nodes: usize,
}

impl Builder {
    fn fail(&mut self, line: u32, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some((line, message.into()));
        }
    }

    fn push_value(&mut self, node: Node) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.fail(
                node.line,
                format!("the document holds over {MAX_NODES} values"),
            );
            return;
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { node: parent, .. }) => {
                parent.end_line = parent.end_line.max(node.end_line);
                if let Value::Seq(items) = &mut parent.value {
                    items.push(node);
                }
            }
            Some(Frame::Map {
                node: parent,
                pending_key,
                ..
            }) => {
                parent.end_line = parent.end_line.max(node.end_line);
                match pending_key.take() {
                    None => {
                        let name = match &node.value {
                            Value::String(s) | Value::Number(s) => s.clone(),
                            Value::Bool(b) => b.to_string(),
                            Value::Null => String::new(),
                            _ => {
                                let line = node.line;
                                self.fail(line, "a mapping key must be a plain value");
                                return;
                            }
                        };
                        *pending_key = Some(Key {
                            name,
                            line: node.line,
                        });
                    }
                    Some(key) => {
                        // Duplicate keys are found after the whole document is read
                        // ([`Node::first_duplicate_key`]), in one pass.
                        if let Value::Map(entries) = &mut parent.value {
                            entries.push((key, node));
                        }
                    }
                }
            }
        }
    }
}

/// A scalar's value: quoted scalars are strings; plain ones may be null, booleans or numbers
/// (YAML 1.2 core schema, which CloudFormation reads).
fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if text.parse::<f64>().is_ok() && !text.starts_with('+') => Value::Number(text),
        _ => Value::String(text),
    }
}

/// Applies a CloudFormation short-form tag: the tagged node becomes `{"Fn::Name": node}`.
fn tagged(tag: Option<Tag>, node: Node, line: u32) -> Result<Node, String> {
    let Some(tag) = tag else { return Ok(node) };
    if tag.handle != "!" {
        // `!!str` and friends: standard YAML tags, the value stands as it is.
        return Ok(node);
    }
    let (name, argument) = match tag.suffix.as_str() {
        "Ref" => ("Ref".to_owned(), node),
        "Condition" => ("Condition".to_owned(), node),
        "GetAtt" => {
            let argument = match &node.value {
                Value::String(s) => {
                    let (resource, attribute) = s.split_once('.').ok_or_else(|| {
                        format!("`!GetAtt {s}` needs the form Resource.Attribute")
                    })?;
                    Node {
                        value: Value::Seq(vec![
                            Node::new(Value::String(resource.to_owned()), node.line),
                            Node::new(Value::String(attribute.to_owned()), node.line),
                        ]),
                        ..node
                    }
                }
                _ => node,
            };
            ("Fn::GetAtt".to_owned(), argument)
        }
        other => (format!("Fn::{other}"), node),
    };
    let end_line = argument.end_line;
    Ok(Node {
        value: Value::Map(vec![(Key { name, line }, argument)]),
        line,
        end_line,
    })
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = to_u32(mark.line());
        match event {
            Event::Alias(_) => self.fail(
                line,
                "YAML aliases are not supported in infrastructure code; write the value out",
            ),
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 {
                    self.fail(line, "YAML anchors are not supported; write the value out");
                    return;
                }
                match tagged(tag, Node::new(scalar(text, style), line), line) {
                    Ok(node) => self.push_value(node),
                    Err(message) => self.fail(line, message),
                }
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let tag = tag.clone();
                if anchor != 0 {
                    self.fail(line, "YAML anchors are not supported; write the value out");
                    return;
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(
                        line,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                    );
                    return;
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                let frame = if is_seq {
                    Frame::Seq {
                        node: Node::new(Value::Seq(Vec::new()), line),
                        tag,
                    }
                } else {
                    Frame::Map {
                        node: Node::new(Value::Map(Vec::new()), line),
                        tag,
                        pending_key: None,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, tag) = match self.stack.pop() {
                    Some(Frame::Seq { node, tag }) | Some(Frame::Map { node, tag, .. }) => {
                        (node, tag)
                    }
                    None => return,
                };
                let start = node.line;
                match tagged(tag, node, start) {
                    Ok(node) => self.push_value(node),
                    Err(message) => self.fail(start, message),
                }
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_long_forms_with_lines() {
        let text = "Resources:\n  A:\n    Type: X\n    Properties:\n      Name: !Ref P\n      Arn: !GetAtt B.Arn\n      L: !Join\n        - ''\n        - [a, !Sub '${B}']\n";
        let root = parse("t.yaml", text).unwrap();
        let a = root.get("Resources").unwrap().get("A").unwrap();
        assert_eq!((a.line, a.end_line), (3, 9));
        let props = a.get("Properties").unwrap();
        let (key, name) = props.entry("Name").unwrap();
        assert_eq!(key.line, 5);
        assert_eq!(name.get("Ref").unwrap().as_str(), Some("P"));
        let arn = props.get("Arn").unwrap().get("Fn::GetAtt").unwrap();
        assert_eq!(
            arn,
            &Node {
                value: Value::Seq(vec![
                    Node::new(Value::String("B".into()), 6),
                    Node::new(Value::String("Arn".into()), 6)
                ]),
                line: 6,
                end_line: 6
            }
        );
        let join = props.get("L").unwrap().get("Fn::Join").unwrap();
        assert!(matches!(join.value, Value::Seq(ref items) if items.len() == 2));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let error = parse("bad.yaml", "a: [1, 2\nb: c\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("bad.yaml:"), "{error}");
        let error = parse("dup.yaml", "a: 1\na: 2\n").unwrap_err().to_string();
        assert_eq!(error, "dup.yaml:2:1: duplicate key `a`");
    }

    #[test]
    fn aliases_are_refused_rather_than_expanded() {
        let error = parse("a.yaml", "a: &x [1]\nb: *x\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("anchors are not supported"), "{error}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(MAX_DEPTH + 5);
        let error = parse("deep.yaml", &text).unwrap_err().to_string();
        assert!(error.contains("deep.yaml:"), "{error}");
    }
}
