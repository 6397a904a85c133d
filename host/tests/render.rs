//! The markdown and HTML reports as a reader sees them, in a real browser.
//!
//! - Every Mermaid diagram of `--format markdown` (the demo's, and those of a snapshot whose
//!   names are full of Markdown, Mermaid and HTML metacharacters) parses with Mermaid's own
//!   parser: `mermaid.min.js` from npm (pinned in `tests/render/package-lock.json`), loaded into
//!   headless Chromium, `mermaid.parse` on each diagram.
//! - `--format html` renders to a screenshot that is not blank and shows the broken link in
//!   red, and its DOM holds the findings' text with no element injected by a name.
//!
//! The tools come from the environment, as the collection tests' moto does: `tests/run`
//! installs Chromium and runs `npm ci` in `tests/render`, then sets `TRAILWARDEN_CHROMIUM` (the
//! browser) and `TRAILWARDEN_RENDER_DIR` (the directory holding `node_modules/mermaid`). A
//! missing tool fails these tests; nothing is skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{repo, stdout, temp_dir, trailwarden};

/// A name a snapshot may hold, made of what breaks Markdown, Mermaid and HTML.
const HOSTILE: &str = "x\"]|<b>bold</b>`</code>```\n# [l](j) @team #1 &amp; --> end";

fn env_path(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => panic!(
            "{name} is not set: run `bash tests/run`, which installs Chromium and the npm \
             packages of tests/render and sets TRAILWARDEN_CHROMIUM and TRAILWARDEN_RENDER_DIR"
        ),
    }
}

/// Headless Chromium with a fresh profile, no network services, no sandbox (CI runs as root).
fn chromium(profile: &Path) -> Command {
    let mut command = Command::new(env_path("TRAILWARDEN_CHROMIUM"));
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The demo snapshot with its trail, log group, alarm and topic renamed to [`HOSTILE`] names.
fn hostile_snapshot(dir: &Path) -> PathBuf {
    let mut text = std::fs::read_to_string(repo().join("examples/demo-snapshot.json"))
        .expect("the demo snapshot");
    let escaped = serde_json::to_string(HOSTILE).expect("a string serialises");
    let escaped = &escaped[1..escaped.len() - 1];
    for name in [
        "cmk-changes",
        "org-audit",
        "ops-alerts",
        "aws-cloudtrail-logs-acme",
    ] {
        text = text.replace(name, &format!("{name}{escaped}"));
    }
    let path = dir.join("hostile.json");
    std::fs::write(&path, text).expect("write the snapshot");
    path
}

/// `trailwarden check ARGS --format FORMAT`'s stdout.
fn report(args: &[&str], format: &str) -> String {
    let output = trailwarden()
        .args(["check", "--allow-partial", "--format", format])
        .args(args)
        .output()
        .expect("binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "check failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
}

/// The ```` ```mermaid ```` blocks of a markdown text.
fn mermaid_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("```mermaid\n") {
        let body = &rest[start + "```mermaid\n".len()..];
        let end = body.find("```").expect("a closed fence");
        blocks.push(body[..end].to_owned());
        rest = &body[end + 3..];
    }
    blocks
}

/// Parses each diagram with Mermaid in Chromium: "ok" or the parser's error, in order.
fn mermaid_parse(diagrams: &[String]) -> Vec<String> {
    let dir = temp_dir("mermaid");
    let script =
        env_path("TRAILWARDEN_RENDER_DIR").join("node_modules/mermaid/dist/mermaid.min.js");
    assert!(
        script.is_file(),
        "{} is missing: run `npm ci` in tests/render (tests/run does)",
        script.display()
    );
    // JSON inside <script>: `<` escaped so no diagram can close the element.
    let json = serde_json::to_string(diagrams)
        .expect("strings serialise")
        .replace('<', "\\u003c");
    let page = format!(
        r#"<!DOCTYPE html><html><body><pre id="out">pending</pre>
<script src="file://{}"></script>
<script type="application/json" id="diagrams">{json}</script>
<script>
(async () => {{
  const out = document.getElementById("out");
  try {{
    mermaid.initialize({{ startOnLoad: false }});
    const results = [];
    for (const text of JSON.parse(document.getElementById("diagrams").textContent)) {{
      try {{ await mermaid.parse(text); results.push("ok"); }}
      catch (e) {{ results.push("error: " + String((e && e.message) || e)); }}
    }}
    out.textContent = "RESULTS" + JSON.stringify(results) + "END";
  }} catch (e) {{ out.textContent = "HARNESS " + String(e); }}
}})();
</script></body></html>"#,
        script.display()
    );
    let page_path = dir.path().join("parse.html");
    std::fs::write(&page_path, page).expect("write the page");
    let output = chromium(&dir.path().join("profile"))
        .args(["--virtual-time-budget=30000", "--dump-dom"])
        .arg(format!("file://{}", page_path.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let dom = dom
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let results = dom
        .split_once("RESULTS")
        .and_then(|(_, rest)| rest.split_once("END"))
        .map(|(json, _)| json.to_owned())
        .unwrap_or_else(|| {
            panic!(
                "Mermaid gave no results; the page said: {}\nstderr: {}",
                dom.chars().take(2000).collect::<String>(),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    serde_json::from_str(&results).expect("the page writes a JSON list")
}

#[test]
fn every_mermaid_diagram_parses_with_mermaid() {
    let dir = temp_dir("render-md");
    let demo = report(&["--demo"], "markdown");
    let hostile_path = hostile_snapshot(dir.path());
    let hostile = report(
        &["--snapshot", &hostile_path.display().to_string()],
        "markdown",
    );
    assert!(
        hostile.contains("x#34;#93;#124;#60;b#62;"),
        "the hostile names are in the diagrams:\n{hostile}"
    );
    let mut diagrams = mermaid_blocks(&demo);
    assert!(diagrams.len() >= 10, "the demo draws its broken chains");
    diagrams.extend(mermaid_blocks(&hostile));
    // The harness must be able to fail: the same label unescaped does not parse.
    let unescaped = format!("flowchart LR\n  n0[\"trail<br/>{HOSTILE}\"] --> n1[\"log group\"]\n");
    diagrams.push(unescaped);
    let results = mermaid_parse(&diagrams);
    assert_eq!(results.len(), diagrams.len());
    let (last, ours) = results.split_last().expect("results");
    assert!(
        last.starts_with("error"),
        "an unescaped hostile label must not parse: {last}"
    );
    for (diagram, result) in diagrams.iter().zip(ours) {
        assert_eq!(result, "ok", "Mermaid rejects:\n{diagram}");
    }
}

#[test]
fn the_html_report_renders_in_a_browser() {
    let dir = temp_dir("render-html");
    let hostile_path = hostile_snapshot(dir.path());
    for (name, args) in [
        ("demo", vec!["--demo".to_owned()]),
        (
            "hostile",
            vec!["--snapshot".to_owned(), hostile_path.display().to_string()],
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let html = report(&args, "html");
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, &html).expect("write the page");
        let url = format!("file://{}", page.display());

        let dom = chromium(&dir.path().join(format!("profile-dom-{name}")))
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&dom.stdout);
        for text in [
            "TW-KMS-001",
            "ALARM_CANNOT_FIRE",
            "trailwarden report",
            "<svg",
        ] {
            assert!(dom.contains(text), "{name}: the page lacks {text:?}");
        }
        // A name is text, never markup: the browser parsed no <b> out of it.
        assert!(!dom.contains("<b>bold"), "{name}: a name became markup");
        if name == "hostile" {
            assert!(dom.contains("&lt;b&gt;bold&lt;/b&gt;"), "the name is shown");
        }

        let png = dir.path().join(format!("{name}.png"));
        let status = chromium(&dir.path().join(format!("profile-png-{name}")))
            .arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=1400,1800")
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(png.is_file(), "{name}: no screenshot: {status:?}");
        let (ink, red) = pixels(&png);
        assert!(
            ink > 20_000,
            "{name}: the page looks blank ({ink} non-white pixels)"
        );
        assert!(
            red > 500,
            "{name}: no broken link drawn in red ({red} red pixels)"
        );
    }
}

/// Non-white pixels, and the strongly red ones (the broken links), of a PNG.
fn pixels(path: &Path) -> (usize, usize) {
    let file = std::fs::File::open(path).expect("open the screenshot");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buffer).expect("a frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "an RGB screenshot");
    let (mut ink, mut red) = (0, 0);
    for px in buffer[..info.buffer_size()].chunks_exact(channels) {
        let (r, g, b) = (px[0], px[1], px[2]);
        if r < 240 || g < 240 || b < 240 {
            ink += 1;
        }
        if r > 170 && g < 90 && b < 90 {
            red += 1;
        }
    }
    (ink, red)
}
