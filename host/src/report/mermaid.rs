//! A chain [`Picture`] as a Mermaid flowchart, for GitHub's markdown (job summaries, pull
//! request comments), which renders ```` ```mermaid ```` blocks.
//!
//! Every text from the snapshot or a pack is hostile: a name can hold `"`, `]`, `|`, backticks,
//! `<`, `#` or a newline, which would end a label, start an HTML tag or end the code fence.
//! Mermaid decodes `#<decimal>;` entity codes in labels (<https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters>),
//! so [`escape`] writes every character but letters, digits and a few harmless punctuation
//! marks as one: what remains cannot close a quoted label, a fence or a tag. The diagrams are
//! parsed by Mermaid's own parser in the tests (`host/tests/render.rs`).

use std::fmt::Write;

use super::chain::{Picture, State};

/// The diagram, without the fence.
pub fn diagram(picture: &Picture) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, node) in picture.nodes.iter().enumerate() {
        let mut label = String::new();
        if node.state == State::Broken {
            label.push_str("#10007; ");
        }
        label.push_str(&escape(node.stage.label()));
        if let Some(name) = &node.name {
            label.push_str("<br/>");
            label.push_str(&escape(name));
        }
        let _ = writeln!(out, "  n{i}[\"{label}\"]");
    }
    let broken = picture.broken();
    for i in 1..picture.nodes.len() {
        let from = i - 1;
        if i == broken {
            let _ = writeln!(
                out,
                "  n{from} -.->|\"#10007; {}\"| n{i}",
                escape(&picture.reason)
            );
        } else if i > broken {
            let _ = writeln!(out, "  n{from} -.-> n{i}");
        } else {
            let _ = writeln!(out, "  n{from} --> n{i}");
        }
    }
    out.push_str("  classDef works fill:#e9f5ec,stroke:#2e7d32,color:#1b3d1f\n");
    out.push_str("  classDef broken fill:#fde8e8,stroke:#c62828,stroke-width:3px,color:#8e0000\n");
    out.push_str(
        "  classDef unreached fill:#f5f5f5,stroke:#9e9e9e,stroke-dasharray:4 3,color:#616161\n",
    );
    for (class, state) in [
        ("works", State::Works),
        ("broken", State::Broken),
        ("unreached", State::NotReached),
    ] {
        let ids: Vec<String> = picture
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.state == state)
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "  class {} {class}", ids.join(","));
        }
    }
    // Edges are numbered in the order they are written: the broken one is the edge into it.
    if broken > 0 {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#c62828,stroke-width:3px,color:#c62828",
            broken - 1
        );
    }
    out
}

/// `text` safe inside a quoted Mermaid label: letters, digits, space and `-_.,/:()+=` as
/// they are, every other character as a `#<decimal>;` entity code, control characters as a
/// space.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push(' ');
        } else if c.is_ascii_alphanumeric() || " -_.,/:()+=".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::chain::{Node, Stage};
    use super::*;

    #[test]
    fn metacharacters_become_entity_codes() {
        let hostile = "a\"]|`<b>#;\n```";
        let escaped = escape(hostile);
        assert_eq!(escaped, "a#34;#93;#124;#96;#60;b#62;#35;#59; #96;#96;#96;");
        for bad in ['"', ']', '|', '`', '<', '>', '\n', '['] {
            assert!(!escaped.contains(bad), "{bad:?} left in {escaped}");
        }
    }

    #[test]
    fn the_broken_edge_is_red_and_carries_the_reason() {
        let node = |stage, name: Option<&str>, state| Node {
            stage,
            name: name.map(str::to_owned),
            full_name: name.map(str::to_owned),
            state,
        };
        let picture = Picture {
            nodes: vec![
                node(Stage::Event, Some("DisableKey"), State::Works),
                node(Stage::Trail, Some("t\"x"), State::Works),
                node(Stage::LogGroup, None, State::Broken),
                node(Stage::MetricFilter, None, State::NotReached),
            ],
            reason: "TRAIL_NO_LOG_GROUP".into(),
        };
        let text = diagram(&picture);
        assert!(text.contains("n1[\"trail<br/>t#34;x\"]"), "{text}");
        assert!(
            text.contains("n1 -.->|\"#10007; TRAIL_NO_LOG_GROUP\"| n2"),
            "{text}"
        );
        assert!(text.contains("n0 --> n1"), "{text}");
        assert!(text.contains("n2 -.-> n3"), "{text}");
        assert!(text.contains("class n2 broken"), "{text}");
        assert!(text.contains("linkStyle 1 stroke:#c62828"), "{text}");
    }
}
