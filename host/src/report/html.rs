//! The HTML report: one self-contained file to open in a browser or keep as a CI artifact.
//!
//! No script, no network: the styles are inline, each broken chain is drawn as inline SVG
//! ([`super::svg`]), and the findings are filtered by rule, account and region with radio
//! buttons and CSS alone (`body:has(#rule-3:checked) .card:not(.rule-3) { display: none }`).
//! A browser without `:has()` shows every finding, so the page reads fully either way.
//!
//! Every string from the snapshot or a pack goes through [`escape`]. Filter values are never
//! written into CSS or ids: each distinct value gets an index, and only the index is used.

use std::collections::BTreeSet;
use std::fmt::Write;

use trailwarden_sdk::Finding;

use super::chain::picture;
use super::{CheckReport, regions_of, svg};

/// The filter value of a finding without a region.
const ACCOUNT_WIDE: &str = "account-wide";

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff;line-height:1.45}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}td.n{text-align:right}
fieldset{display:inline-block;border:1px solid #d0d7de;border-radius:6px;margin:0 12px 8px 0;padding:4px 10px;vertical-align:top}
fieldset label{margin-right:10px;white-space:nowrap}
.card{border:1px solid #d0d7de;border-left:6px solid #9a6700;border-radius:6px;padding:8px 14px;margin:10px 0}
.card.error{border-left-color:#cf222e}.card.note{border-left-color:#0969da}.card.unverifiable{border-left-color:#8c959f}
.card h3{font-size:1em;margin:0 0 4px}.card p{margin:4px 0}.level{font-weight:bold;text-transform:uppercase;font-size:.8em}
.reason{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
.chain{max-width:100%;height:auto;display:block;margin:6px 0}
";

/// Renders the page.
pub fn render(report: &CheckReport) -> String {
    let cards: Vec<Card<'_>> = report
        .findings
        .iter()
        .map(|f| Card {
            finding: f,
            kind: report.level_of(f).as_str(),
            note: None,
        })
        .chain(report.unverifiable.iter().map(|f| Card {
            finding: f,
            kind: "unverifiable",
            note: None,
        }))
        .chain(report.suppressed.iter().map(|s| Card {
            finding: &s.finding,
            kind: "suppressed",
            note: Some(&s.justification),
        }))
        .collect();
    let account_of = |f: &Finding| {
        f.account
            .clone()
            .unwrap_or_else(|| report.account.id.clone())
    };
    let region_values = |f: &Finding| {
        let regions = regions_of(f);
        if regions.is_empty() {
            vec![ACCOUNT_WIDE.to_owned()]
        } else {
            regions
        }
    };
    let rules: Vec<String> = distinct(cards.iter().map(|c| vec![c.finding.rule_id.clone()]));
    let accounts: Vec<String> = distinct(cards.iter().map(|c| vec![account_of(c.finding)]));
    let regions: Vec<String> = distinct(cards.iter().map(|c| region_values(c.finding)));

    let (errors, warnings, notes) = report.counts();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>trailwarden report: account {}</title>\n<style>\n{STYLE}",
        escape(&report.account.id)
    );
    for (prefix, values) in [
        ("rule", &rules),
        ("account", &accounts),
        ("region", &regions),
    ] {
        for i in 0..values.len() {
            let _ = writeln!(
                out,
                "body:has(#{prefix}-{i}:checked) .card:not(.{prefix}-{i}){{display:none}}"
            );
        }
    }
    out.push_str("</style>\n</head>\n<body>\n<h1>trailwarden report</h1>\n");
    let mut account = escape(&report.account.id);
    if let Some(alias) = &report.account.alias {
        let _ = write!(account, " ({})", escape(alias));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">Account {account}; regions {}; {} checked with trailwarden {} \
         from {} to {}.<br><strong>{errors} error(s), {warnings} warning(s), {notes} note(s)</strong>, \
         {} could not be verified, {} suppressed.</p>",
        escape(&report.regions.join(", ")),
        escape(&report.snapshot.display),
        escape(report.tool_version),
        escape(&report.started),
        escape(&report.finished),
        report.unverifiable.len(),
        report.suppressed.len()
    );
    rules_table(&mut out, report);
    out.push_str(
        "<h2>Findings</h2>\n<form class=\"filters\" aria-label=\"filter the findings\">\n",
    );
    for (prefix, title, values) in [
        ("rule", "Rule", &rules),
        ("account", "Account", &accounts),
        ("region", "Region", &regions),
    ] {
        let _ = write!(
            out,
            "<fieldset><legend>{title}</legend><label><input type=\"radio\" name=\"{prefix}\" \
             id=\"{prefix}-all\" checked> all</label>"
        );
        for (i, value) in values.iter().enumerate() {
            let _ = write!(
                out,
                "<label><input type=\"radio\" name=\"{prefix}\" id=\"{prefix}-{i}\"> {}</label>",
                escape(value)
            );
        }
        out.push_str("</fieldset>\n");
    }
    out.push_str("</form>\n");
    if cards.is_empty() {
        out.push_str("<p>No findings: every selected rule passed.</p>\n");
    }
    for card in &cards {
        let finding = card.finding;
        let mut classes = vec![
            "card".to_owned(),
            card.kind.to_owned(),
            format!("rule-{}", index(&rules, &finding.rule_id)),
            format!("account-{}", index(&accounts, &account_of(finding))),
        ];
        for region in region_values(finding) {
            classes.push(format!("region-{}", index(&regions, &region)));
        }
        let place = region_values(finding).join(", ");
        let _ = write!(
            out,
            "<section class=\"{}\">\n<h3><span class=\"level\">{}</span> {} · {} · {}</h3>\n\
             <p>{} <span class=\"reason\">[{}]</span></p>\n",
            classes.join(" "),
            escape(card.kind),
            escape(&finding.rule_id),
            escape(&account_of(finding)),
            escape(&place),
            escape(&format!(
                "{}{}",
                finding.message,
                super::code_suffix(report, finding)
            )),
            escape(&finding.reason)
        );
        if let Some(note) = card.note {
            let _ = writeln!(out, "<p>Accepted: {}</p>", escape(note));
        }
        if let Some(picture) = picture(finding, &report.metrics) {
            out.push_str(&svg::render(&picture));
            out.push('\n');
        }
        out.push_str("</section>\n");
    }
    failures(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

/// One finding as shown: its kind is its level, `unverifiable` or `suppressed`.
struct Card<'a> {
    finding: &'a Finding,
    kind: &'static str,
    note: Option<&'a String>,
}

fn rules_table(out: &mut String, report: &CheckReport) {
    out.push_str(
        "<h2>Rules</h2>\n<table>\n<thead><tr><th>Rule</th><th>Name</th><th>Level</th>\
         <th>Findings</th></tr></thead>\n<tbody>\n",
    );
    for rule in &report.rules {
        let count = report
            .findings
            .iter()
            .filter(|f| f.rule_id == rule.meta.id)
            .count();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{count}</td></tr>",
            escape(&rule.meta.id),
            escape(&rule.meta.name),
            rule.meta.level.as_str()
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn failures(out: &mut String, report: &CheckReport) {
    let items = super::failure_lines(report, escape);
    if items.is_empty() {
        return;
    }
    out.push_str("<h2>Errors (the run is incomplete)</h2>\n<ul>\n");
    for item in items {
        let _ = writeln!(out, "<li>{item}</li>");
    }
    out.push_str("</ul>\n");
}

/// The distinct values, sorted.
fn distinct(values: impl Iterator<Item = Vec<String>>) -> Vec<String> {
    values
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The index of `value` in the sorted `values` (always there: they were taken from the cards).
fn index(values: &[String], value: &str) -> usize {
    values
        .binary_search_by(|v| v.as_str().cmp(value))
        .unwrap_or_default()
}

/// `raw` as HTML text or attribute value: `&`, `<`, `>`, `"` and `'` as entities, control
/// characters but newline and tab as a space.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_metacharacters_are_entities() {
        assert_eq!(
            escape("<img src=x onerror='a'>&\"\u{1b}"),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot; "
        );
    }

    #[test]
    fn filter_indices_follow_the_sorted_values() {
        let values =
            distinct([vec!["b".to_owned()], vec!["a".to_owned(), "b".to_owned()]].into_iter());
        assert_eq!(values, ["a", "b"]);
        assert_eq!(index(&values, "b"), 1);
    }
}
