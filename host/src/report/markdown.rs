//! The markdown report, for a pull-request comment or a GitHub Actions job summary: a table of
//! the rules that ran (rule, level, count), then one Mermaid flowchart per broken chain, then
//! the other findings, what could not be verified and what failed.
//!
//! It is self-contained (no links to fetch, no images) and fits both places GitHub shows it:
//! a job summary takes at most 1 MiB per step ("$GITHUB_STEP_SUMMARY upload aborted, supports
//! content up to a size of 1024k", <https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary>),
//! and a comment or issue body at most 65,536 characters (the API answers "body is too long
//! (maximum is 65536 characters)", <https://github.com/orgs/community/discussions/41331>).
//! The report is kept within [`MAX_CHARS`], which meets both (65,536 characters of UTF-8 are at
//! most 256 KiB): when it would not fit, the diagrams and lists that do not fit are left out
//! and a note says how many and where to find everything.
//!
//! Everything from the snapshot or a pack is escaped ([`text`]; labels in diagrams by
//! [`super::mermaid::escape`]): a name cannot start a heading, a link, a table cell, an HTML
//! tag, a mention or a code fence.

use std::fmt::Write;

use trailwarden_sdk::Finding;

use super::chain::{Picture, picture};
use super::{CheckReport, mermaid, regions_of};

/// The most characters the report takes: GitHub's limit for a comment body.
pub const MAX_CHARS: usize = 65_536;

/// Room kept for the notes about what was left out.
const NOTE_RESERVE: usize = 2_048;

/// Renders the report within [`MAX_CHARS`].
pub fn render(report: &CheckReport) -> String {
    render_within(report, MAX_CHARS)
}

/// Renders the report within `limit` characters (tests use a small one).
pub fn render_within(report: &CheckReport, limit: usize) -> String {
    let mut out = Budget {
        text: String::new(),
        chars: 0,
        limit: limit.saturating_sub(NOTE_RESERVE),
    };
    header(&mut out, report);
    rules_table(&mut out, report);
    chains(&mut out, report);
    other_findings(&mut out, report);
    unverifiable(&mut out, report);
    failures(&mut out, report);
    out.text
}

/// The output and what it may still take.
struct Budget {
    text: String,
    chars: usize,
    limit: usize,
}

impl Budget {
    /// Appends `piece` when it fits; false (and nothing written) when it does not.
    fn push(&mut self, piece: &str) -> bool {
        let chars = piece.chars().count();
        if self.chars + chars > self.limit {
            return false;
        }
        self.text.push_str(piece);
        self.chars += chars;
        true
    }

    /// Appends a note, from the reserve kept for notes.
    fn note(&mut self, piece: &str) {
        self.text.push_str(piece);
        self.chars += piece.chars().count();
    }

    /// Appends each item while it fits, then a note saying how many were left out.
    fn items(&mut self, items: impl ExactSizeIterator<Item = String>, what: &str) {
        let total = items.len();
        for (done, item) in items.enumerate() {
            if !self.push(&item) {
                self.note(&format!(
                    "\n> **Note:** {} more {what} left out to stay within GitHub's limit of \
                     {MAX_CHARS} characters for a comment; `--format sarif`, `--format json` or \
                     `--format html` carry everything.\n\n",
                    total - done
                ));
                return;
            }
        }
    }
}

fn header(out: &mut Budget, report: &CheckReport) {
    let (errors, warnings, notes) = report.counts();
    let mut head = format!(
        "## trailwarden: {errors} error(s), {warnings} warning(s), {notes} note(s)\n\n\
         Account {}",
        text(&report.account.id)
    );
    if let Some(alias) = &report.account.alias {
        let _ = write!(head, " ({})", text(alias));
    }
    let regions: Vec<String> = report.regions.iter().map(|r| text(r)).collect();
    let _ = write!(
        head,
        ", regions {}; checked {} with trailwarden {}.\n\n",
        if regions.is_empty() {
            "none".to_owned()
        } else {
            regions.join(", ")
        },
        text(&report.snapshot.display),
        text(report.tool_version)
    );
    if let (Some(counts), Some(_)) = (report.baseline_counts(), &report.baseline) {
        let _ = writeln!(
            head,
            "Against the baseline: {} new, {} unchanged, {} fixed.\n",
            counts.new, counts.unchanged, counts.fixed
        );
    }
    out.push(&head);
}

fn rules_table(out: &mut Budget, report: &CheckReport) {
    out.push("| Rule | Name | Level | Findings |\n|---|---|---|---:|\n");
    let rows: Vec<String> = report
        .rules
        .iter()
        .map(|rule| {
            let count = report
                .findings
                .iter()
                .filter(|f| f.rule_id == rule.meta.id)
                .count();
            format!(
                "| {} | {} | {} | {count} |\n",
                text(&rule.meta.id),
                text(&rule.meta.name),
                rule.meta.level.as_str()
            )
        })
        .collect();
    out.items(rows.into_iter(), "rule row(s)");
    out.push("\n");
}

/// One diagram per distinct picture, with every finding that shares it (two rules that check
/// the same requirement, such as TW-CW-007 and TW-KMS-001, break at the same link).
pub(crate) fn grouped_pictures(report: &CheckReport) -> Vec<(Picture, Vec<&Finding>)> {
    let mut groups: Vec<(Picture, Vec<&Finding>)> = Vec::new();
    for finding in &report.findings {
        let Some(picture) = picture(finding, &report.metrics) else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|(p, f)| *p == picture && f[0].message == finding.message)
        {
            Some((_, findings)) => findings.push(finding),
            None => groups.push((picture, vec![finding])),
        }
    }
    groups
}

fn chains(out: &mut Budget, report: &CheckReport) {
    let groups = grouped_pictures(report);
    if groups.is_empty() {
        return;
    }
    out.push(&format!("### Broken chains ({})\n\n", groups.len()));
    let items: Vec<String> = groups
        .iter()
        .map(|(picture, findings)| {
            let rules: Vec<String> = findings.iter().map(|f| text(&f.rule_id)).collect();
            let first = findings[0];
            // The most serious level among the rules that share the picture.
            let level = findings
                .iter()
                .map(|f| report.level_of(f))
                .max()
                .unwrap_or(trailwarden_sdk::Level::Warning);
            format!(
                "#### {} · {} · {}\n\nWhy: {} \\[{}\\]\n\n```mermaid\n{}```\n\n",
                rules.join(", "),
                level.as_str(),
                text(&place(first)),
                text(&format!(
                    "{}{}",
                    first.message,
                    super::code_suffix(report, first)
                )),
                text(&first.reason),
                mermaid::diagram(picture)
            )
        })
        .collect();
    out.items(items.into_iter(), "diagram(s)");
}

fn other_findings(out: &mut Budget, report: &CheckReport) {
    let rest: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| picture(f, &report.metrics).is_none())
        .collect();
    if rest.is_empty() {
        return;
    }
    out.push(&format!("### Other findings ({})\n\n", rest.len()));
    let items: Vec<String> = rest
        .iter()
        .map(|f| {
            format!(
                "- **{}** {} · {}: {} \\[{}\\]\n",
                text(&f.rule_id),
                report.level_of(f).as_str(),
                text(&place(f)),
                text(&format!("{}{}", f.message, super::code_suffix(report, f))),
                text(&f.reason)
            )
        })
        .collect();
    out.items(items.into_iter(), "finding(s)");
    out.push("\n");
}

fn unverifiable(out: &mut Budget, report: &CheckReport) {
    if report.unverifiable.is_empty() && report.suppressed.is_empty() {
        return;
    }
    if !report.unverifiable.is_empty() {
        out.push(&format!(
            "### Could not verify ({})\n\n",
            report.unverifiable.len()
        ));
        let items: Vec<String> = report
            .unverifiable
            .iter()
            .map(|f| {
                format!(
                    "- **{}** {}: {} \\[{}\\]\n",
                    text(&f.rule_id),
                    text(&place(f)),
                    text(&format!("{}{}", f.message, super::code_suffix(report, f))),
                    text(&f.reason)
                )
            })
            .collect();
        out.items(items.into_iter(), "result(s)");
        out.push("\n");
    }
    if !report.suppressed.is_empty() {
        out.push(&format!("### Suppressed ({})\n\n", report.suppressed.len()));
        let items: Vec<String> = report
            .suppressed
            .iter()
            .map(|s| {
                format!(
                    "- **{}** {}: {} \\[{}\\], accepted: {}\n",
                    text(&s.finding.rule_id),
                    text(&place(&s.finding)),
                    text(&s.finding.message),
                    text(&s.finding.reason),
                    text(&s.justification)
                )
            })
            .collect();
        out.items(items.into_iter(), "suppressed finding(s)");
        out.push("\n");
    }
}

fn failures(out: &mut Budget, report: &CheckReport) {
    let items: Vec<String> = super::failure_lines(report, text)
        .into_iter()
        .map(|line| format!("- {line}\n"))
        .collect();
    if items.is_empty() {
        return;
    }
    out.push("### Errors (the run is incomplete)\n\n");
    out.items(items.into_iter(), "error(s)");
}

/// Where a finding is: its region, the regions it covers, or `account`.
fn place(finding: &Finding) -> String {
    let regions = regions_of(finding);
    if regions.is_empty() {
        "account".to_owned()
    } else {
        regions.join(", ")
    }
}

/// `raw` as literal markdown text, never at the start of a line: control characters (newlines
/// included) become spaces, `&`, `<` and `>` HTML entities, and the ASCII punctuation that
/// means something inline is backslash-escaped, which CommonMark allows for any of it
/// (<https://spec.commonmark.org/0.31.2/#backslash-escapes>). So a name cannot open a tag, a
/// link, emphasis, a code span or a table cell, nor mention `@someone`, nor become a link by
/// `https:` or `www.` (GFM's extended autolinks need the bare `:` or `.`). `-`, `,`, `'`, `"`,
/// `/`, `=`, `;`, `%`, `?` and `$` mean something only at the start of a line, where this
/// report never puts such text, and stay as they are so the source stays readable.
pub fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => out.push(' '),
            '-' | ',' | '\'' | '"' | '/' | '=' | ';' | '%' | '?' | '$' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SnapshotSource;
    use trailwarden_sdk::chain::{ALARM_KIND, reason};
    use trailwarden_sdk::{Resource, Snapshot};

    /// A report with `count` broken chains, each with its own alarm and a long message.
    fn report_with_chains(count: usize) -> CheckReport {
        let snapshot = Snapshot::from_json(
            r#"{"schemaVersion": 1, "account": {"id": "111122223333"}, "regions": []}"#,
        )
        .expect("a snapshot");
        let mut report = CheckReport::new(
            &snapshot,
            SnapshotSource {
                display: "test".into(),
            },
            Vec::new(),
            "2026-01-01T00:00:00Z".into(),
        );
        for i in 0..count {
            let name = format!("alarm-{i:04}");
            let mut finding = Finding::fail(
                reason::ALARM_CANNOT_FIRE,
                format!("alarm `{name}` never fires {}", "because ".repeat(40)),
            )
            .region("us-east-1")
            .resource(Resource::new(ALARM_KIND, format!("arn:{name}"), &name));
            finding.rule_id = "TW-X-001".into();
            report.findings.push(finding);
        }
        report
    }

    #[test]
    fn a_report_over_githubs_limit_drops_diagrams_and_says_so() {
        let report = report_with_chains(400);
        let markdown = render(&report);
        assert!(markdown.chars().count() <= MAX_CHARS);
        let drawn = markdown.matches("```mermaid").count();
        assert!(drawn > 10 && drawn < 400, "{drawn} diagrams");
        assert!(
            markdown.contains(&format!(
                "**Note:** {} more diagram(s) left out",
                400 - drawn
            )),
            "the note is missing"
        );
        // Every diagram that is there is whole.
        assert_eq!(markdown.matches("```").count() % 2, 0);
    }

    #[test]
    fn a_report_within_the_limit_is_whole() {
        let report = report_with_chains(5);
        let markdown = render(&report);
        assert_eq!(markdown.matches("```mermaid").count(), 5);
        assert!(!markdown.contains("left out"));
        assert!(markdown.contains("### Broken chains (5)"));
    }

    #[test]
    fn markdown_metacharacters_are_literal() {
        assert_eq!(
            text("a|b `c` <img> [x](y) *z* @me\n# h https://x www.y _u_ a-b"),
            "a\\|b \\`c\\` &lt;img&gt; \\[x\\]\\(y\\) \\*z\\* \\@me \\# h https\\://x www\\.y \\_u\\_ a-b"
        );
    }
}
