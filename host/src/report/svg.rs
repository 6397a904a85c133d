//! A chain [`Picture`] as inline SVG for the HTML report: boxes left to right joined by
//! arrows; links that work in green, the broken one in red with its reason code over the
//! arrow, the ones never reached grey and dashed. No script, no external font or image.
//!
//! Names are cut to fit a box; the full name is the box's `<title>` (a tooltip). Every text is
//! escaped with [`super::html::escape`].

use std::fmt::Write;

use super::chain::{Picture, State};
use super::html::escape;

/// Box size and the gap between boxes, in SVG user units (pixels at 100%).
const BOX_W: usize = 150;
const BOX_H: usize = 54;
const GAP: usize = 46;
const TOP: usize = 34;
const MARGIN: usize = 8;
/// Characters of a name that fit in a box at the font size used.
const NAME_CHARS: usize = 22;

/// The SVG element.
pub fn render(picture: &Picture) -> String {
    let count = picture.nodes.len();
    let width = 2 * MARGIN + count * BOX_W + count.saturating_sub(1) * GAP;
    let height = TOP + BOX_H + MARGIN;
    let broken = picture.broken();
    let mut out = format!(
        "<svg class=\"chain\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"monitoring chain, broken at {} with {}\">\n",
        escape(picture.nodes.get(broken).map_or("", |n| n.stage.label())),
        escape(&picture.reason)
    );
    for (i, node) in picture.nodes.iter().enumerate() {
        let x = MARGIN + i * (BOX_W + GAP);
        let (fill, stroke, text, dash, width) = match node.state {
            State::Works => ("#e9f5ec", "#2e7d32", "#1b3d1f", "", 1.5),
            State::Broken => ("#fde8e8", "#c62828", "#8e0000", "", 3.0),
            State::NotReached => (
                "#f5f5f5",
                "#9e9e9e",
                "#616161",
                " stroke-dasharray=\"4 3\"",
                1.5,
            ),
        };
        let title = match &node.full_name {
            Some(name) => format!("{}: {}", node.stage.label(), name),
            None => node.stage.label().to_owned(),
        };
        let mark = if node.state == State::Broken {
            "✗ "
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<g class=\"node {}\"><title>{}</title><rect x=\"{x}\" y=\"{TOP}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\" fill=\"{text}\">{mark}{}</text>",
            state_class(node.state),
            escape(&title),
            x + BOX_W / 2,
            // The kind alone sits in the middle of the box; with a name, above it.
            if node.name.is_some() {
                TOP + 22
            } else {
                TOP + BOX_H / 2 + 5
            },
            escape(node.stage.label()),
        );
        if let Some(name) = &node.name {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{text}\">{}</text>",
                x + BOX_W / 2,
                TOP + 40,
                escape(&fit(name))
            );
        }
        out.push_str("</g>\n");
        if i + 1 < count {
            let x1 = x + BOX_W;
            let x2 = x1 + GAP;
            let y = TOP + BOX_H / 2;
            let into = i + 1;
            let (stroke, dash, width) = match into.cmp(&broken) {
                std::cmp::Ordering::Less => ("#2e7d32", "", 1.5),
                std::cmp::Ordering::Equal => ("#c62828", " stroke-dasharray=\"6 4\"", 3.0),
                std::cmp::Ordering::Greater => ("#9e9e9e", " stroke-dasharray=\"4 3\"", 1.5),
            };
            let _ = writeln!(
                out,
                "<line x1=\"{x1}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>\
                 <path d=\"M{},{} L{x2},{y} L{},{} z\" fill=\"{stroke}\"/>",
                x2 - 8,
                x2 - 9,
                y - 5,
                x2 - 9,
                y + 5
            );
            if into == broken {
                let _ = writeln!(
                    out,
                    "<text class=\"reason\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#c62828\">✗ {}</text>",
                    x1 + GAP / 2,
                    TOP - 10,
                    escape(&picture.reason)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

fn state_class(state: State) -> &'static str {
    match state {
        State::Works => "works",
        State::Broken => "broken",
        State::NotReached => "unreached",
    }
}

/// `name` cut to what fits in a box.
fn fit(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_owned();
    }
    let mut short: String = name.chars().take(NAME_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::super::chain::{Node, Stage};
    use super::*;

    #[test]
    fn names_are_escaped_and_the_break_is_red() {
        let picture = Picture {
            nodes: vec![
                Node {
                    stage: Stage::Event,
                    name: Some("<script>x</script>".into()),
                    full_name: Some("<script>x</script>".into()),
                    state: State::Works,
                },
                Node {
                    stage: Stage::Trail,
                    name: None,
                    full_name: None,
                    state: State::Broken,
                },
            ],
            reason: "NO_TRAIL\"".into(),
        };
        let svg = render(&picture);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;"), "{svg}");
        assert!(svg.contains("✗ NO_TRAIL&quot;"), "{svg}");
        assert!(
            svg.contains("stroke=\"#c62828\" stroke-width=\"3\""),
            "{svg}"
        );
    }
}
