//! Reading a pack's output envelope without letting its size decide the host's memory.
//!
//! Parsed naively, 31 MB of findings become about fifty times that on the host's heap (every
//! string, property and number its own allocation), all before the per-rule cap is applied.
//! Here the envelope is read in place (straight from the pack's linear memory, nothing
//! copied): results for rules nobody asked about are skipped without being built, findings
//! past the per-rule cap are only counted, each kept finding must fit in a byte limit before
//! it is built, and every string, list and property map of a kept finding is bounded before
//! the host keeps it. What the host holds per rule is then bounded by the limits, whatever
//! the pack returned.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use trailwarden_sdk::abi::FailureKind;
use trailwarden_sdk::{Finding, Resource};

use super::RuleFailure;
use crate::untrusted;

/// What the host keeps of one pack's output.
#[derive(Debug, Clone)]
pub struct Bounds {
    /// Findings kept per rule; the rest are counted as dropped.
    pub findings_per_rule: usize,
    /// Longest string kept; longer ones are cut.
    pub string_bytes: usize,
    /// Largest JSON of one finding; a rule returning a larger one fails.
    pub finding_bytes: usize,
    /// Related resources kept per finding.
    pub related: usize,
    /// Properties kept per finding.
    pub properties: usize,
    /// Largest JSON of one property value; a larger one is replaced by a note saying so.
    pub property_bytes: usize,
    /// Log lines kept per rule.
    pub log_lines: usize,
}

/// One requested rule's result as the host keeps it.
#[derive(Debug, Clone)]
pub struct RuleOutput {
    /// The rule id (one that was requested).
    pub rule_id: String,
    /// The kept findings and how many the pack or the cap dropped, or the rule's failure.
    pub outcome: Result<(Vec<Finding>, usize), RuleFailure>,
    /// Debug lines, cleaned and bounded.
    pub logs: Vec<String>,
}

/// Reads an envelope, keeping only the results of `requested` rules (the first for each);
/// an error says why the envelope as a whole is unusable.
pub fn parse(
    bytes: &[u8],
    requested: &[String],
    bounds: &Bounds,
) -> Result<Vec<RuleOutput>, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let wire = TopSeed { requested }
        .deserialize(&mut deserializer)
        .and_then(|wire| deserializer.end().map(|()| wire))
        .map_err(|e| format!("the pack returned an envelope that is not valid JSON: {e}"))?;
    Ok(wire.into_iter().map(|result| result.keep(bounds)).collect())
}

/// The fields of one result, borrowed from the envelope; nothing big is built yet.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireResult<'a> {
    #[serde(borrow)]
    rule_id: Cow<'a, str>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    findings: Option<&'a RawValue>,
    #[serde(default)]
    dropped: Option<u64>,
    #[serde(borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    logs: Option<&'a RawValue>,
}

impl WireResult<'_> {
    fn keep(self, bounds: &Bounds) -> RuleOutput {
        let rule_id = self.rule_id.into_owned();
        let logs = self
            .logs
            .map(|raw| read_logs(raw, bounds))
            .unwrap_or_default();
        let outcome = match self.status.as_deref() {
            Some("ok") => match self.findings {
                Some(raw) => read_findings(raw, &rule_id, bounds).map(|(findings, extra)| {
                    let claimed = usize::try_from(self.dropped.unwrap_or(0)).unwrap_or(usize::MAX);
                    (findings, claimed.saturating_add(extra))
                }),
                None => Err(output_error(
                    "the result has status ok but no findings list",
                )),
            },
            Some("error") => {
                let kind = self
                    .kind
                    .and_then(|raw| serde_json::from_str::<FailureKind>(raw.get()).ok())
                    .unwrap_or(FailureKind::Rule)
                    .map_other(|text| untrusted::line_within(text, bounds.string_bytes));
                Err(RuleFailure {
                    kind,
                    message: untrusted::line_within(
                        self.message.as_deref().unwrap_or("(no message)"),
                        bounds.string_bytes,
                    ),
                })
            }
            other => Err(output_error(&format!(
                "the result has status {}, neither ok nor error",
                untrusted::line_within(other.unwrap_or("(none)"), 64)
            ))),
        };
        RuleOutput {
            rule_id,
            outcome,
            logs,
        }
    }
}

fn output_error(message: &str) -> RuleFailure {
    RuleFailure {
        kind: FailureKind::Output,
        message: message.to_owned(),
    }
}

/// The top-level object: only `results` is read, the rest skipped.
struct TopSeed<'r> {
    requested: &'r [String],
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Vec<WireResult<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Vec<WireResult<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an envelope object with a results list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut results = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "results" && results.is_none() {
                results = Some(map.next_value_seed(ResultsSeed {
                    requested: self.requested,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        results.ok_or_else(|| serde::de::Error::missing_field("results"))
    }
}

/// The results list: a result is built only for a requested rule not yet answered.
struct ResultsSeed<'r> {
    requested: &'r [String],
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_> {
    type Value = Vec<WireResult<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_> {
    type Value = Vec<WireResult<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of rule results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut kept: Vec<WireResult<'de>> = Vec::new();
        while let Some(result) = seq.next_element::<WireResult<'de>>()? {
            let asked = self.requested.iter().any(|id| *id == result.rule_id);
            if asked && !kept.iter().any(|k| k.rule_id == result.rule_id) {
                kept.push(result);
            }
        }
        Ok(kept)
    }
}

/// A list whose first `cap` elements are kept raw and the rest only counted.
struct CappedSeq {
    cap: usize,
}

impl<'de> Visitor<'de> for CappedSeq {
    type Value = (Vec<&'de RawValue>, usize);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut kept = Vec::new();
        let mut extra = 0usize;
        loop {
            if kept.len() < self.cap {
                match seq.next_element::<&'de RawValue>()? {
                    Some(raw) => kept.push(raw),
                    None => break,
                }
            } else {
                match seq.next_element::<IgnoredAny>()? {
                    Some(_) => extra = extra.saturating_add(1),
                    None => break,
                }
            }
        }
        Ok((kept, extra))
    }
}

fn capped(raw: &RawValue, cap: usize) -> Result<(Vec<&RawValue>, usize), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    deserializer.deserialize_seq(CappedSeq { cap })
}

fn read_logs(raw: &RawValue, bounds: &Bounds) -> Vec<String> {
    let Ok((lines, _)) = capped(raw, bounds.log_lines) else {
        return vec!["(the pack's log lines were not a list of strings)".to_owned()];
    };
    lines
        .into_iter()
        .map(
            |line| match serde_json::from_str::<Cow<'_, str>>(line.get()) {
                Ok(text) => untrusted::line_within(&text, bounds.string_bytes),
                Err(_) => "(not a string)".to_owned(),
            },
        )
        .collect()
}

/// The first `findings_per_rule` findings, each bounded, and how many more there were.
fn read_findings(
    raw: &RawValue,
    rule_id: &str,
    bounds: &Bounds,
) -> Result<(Vec<Finding>, usize), RuleFailure> {
    let (items, extra) = capped(raw, bounds.findings_per_rule)
        .map_err(|e| output_error(&format!("the findings are not a list: {e}")))?;
    let mut findings = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let size = item.get().len();
        if size > bounds.finding_bytes {
            return Err(RuleFailure {
                kind: FailureKind::Limit,
                message: format!(
                    "the rule returned a finding (number {}) of {size} bytes, over the limit \
                     of {} bytes for one finding; keep findings short and put detail in the \
                     rule's help",
                    index + 1,
                    bounds.finding_bytes
                ),
            });
        }
        let wire: WireFinding<'_> = serde_json::from_str(item.get()).map_err(|e| {
            output_error(&format!("finding number {} is not valid: {e}", index + 1))
        })?;
        findings.push(wire.keep(rule_id, bounds));
    }
    Ok((findings, extra))
}

/// A finding with its properties still raw, so that none is built before it is bounded.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFinding<'a> {
    outcome: trailwarden_sdk::Outcome,
    reason: String,
    message: String,
    #[serde(default)]
    level: Option<trailwarden_sdk::Level>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    resource: Option<Resource>,
    #[serde(default)]
    related: Vec<Resource>,
    #[serde(borrow, default)]
    properties: BTreeMap<String, &'a RawValue>,
}

impl WireFinding<'_> {
    /// The finding as the host keeps it: attributed to `rule_id` whatever it claimed, every
    /// string cleaned and cut, lists and properties bounded.
    fn keep(self, rule_id: &str, bounds: &Bounds) -> Finding {
        let line = |text: &str| untrusted::line_within(text, bounds.string_bytes);
        let resource = |r: &Resource| Resource {
            kind: line(&r.kind),
            arn: line(&r.arn),
            name: line(&r.name),
            role: r.role.as_deref().map(line),
        };
        let properties = self
            .properties
            .iter()
            .take(bounds.properties)
            .map(|(key, raw)| {
                let value = if raw.get().len() <= bounds.property_bytes {
                    serde_json::from_str::<serde_json::Value>(raw.get())
                        .map(|value| untrusted::json(&value, bounds.string_bytes))
                        .unwrap_or(serde_json::Value::Null)
                } else {
                    serde_json::Value::String(format!(
                        "(left out: {} bytes of JSON, over the limit of {} bytes for a property)",
                        raw.get().len(),
                        bounds.property_bytes
                    ))
                };
                (line(key), value)
            })
            .collect();
        Finding {
            rule_id: rule_id.to_owned(),
            outcome: self.outcome,
            reason: line(&self.reason),
            message: line(&self.message),
            level: self.level,
            account: self.account.as_deref().map(line),
            region: self.region.as_deref().map(line),
            resource: self.resource.as_ref().map(resource),
            related: self
                .related
                .iter()
                .take(bounds.related)
                .map(resource)
                .collect(),
            properties,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> Bounds {
        Bounds {
            findings_per_rule: 2,
            string_bytes: 16,
            finding_bytes: 4096,
            related: 1,
            properties: 2,
            property_bytes: 32,
            log_lines: 1,
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn keeps_requested_rules_once_and_caps_findings_while_reading() {
        let finding = r#"{"outcome":"fail","reason":"R","message":"m"}"#;
        let envelope = format!(
            r#"{{"extra":[1,2],"results":[
                {{"ruleId":"OTHER","status":"ok","findings":[{finding}]}},
                {{"ruleId":"A","status":"ok","dropped":3,"findings":[{finding},{finding},{finding},{finding}],"logs":["one","two"]}},
                {{"ruleId":"A","status":"ok","findings":[]}}]}}"#
        );
        let out = parse(envelope.as_bytes(), &ids(&["A", "B"]), &bounds()).expect("parses");
        assert_eq!(out.len(), 1);
        let (findings, dropped) = out[0].outcome.as_ref().expect("ok");
        assert_eq!(findings.len(), 2);
        assert_eq!(
            *dropped, 5,
            "three claimed by the pack and two over the cap"
        );
        assert_eq!(out[0].logs, ["one"]);
    }

    #[test]
    fn every_string_and_map_of_a_finding_is_bounded() {
        let envelope = r#"{"results":[{"ruleId":"A","status":"ok","findings":[{
            "ruleId":"FORGED","outcome":"fail","reason":"R\u001b[2J","message":"a very long message indeed",
            "region":"eu-west-1\u202e","resource":{"kind":"K","arn":"arn\u0007","name":"n"},
            "related":[{"kind":"K","arn":"a","name":"1"},{"kind":"K","arn":"b","name":"2"}],
            "properties":{"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18],"b":"x","c":"y"}}]}]}"#;
        let out = parse(envelope.as_bytes(), &ids(&["A"]), &bounds()).expect("parses");
        let (findings, _) = out[0].outcome.as_ref().expect("ok");
        let finding = &findings[0];
        assert_eq!(finding.rule_id, "A");
        assert_eq!(finding.reason, "R [2J");
        assert_eq!(finding.message, "a very long mess…");
        assert_eq!(finding.region.as_deref(), Some("eu-west-1\u{FFFD}"));
        assert_eq!(
            finding.resource.as_ref().map(|r| r.arn.as_str()),
            Some("arn ")
        );
        assert_eq!(finding.related.len(), 1);
        assert_eq!(finding.properties.len(), 2);
        assert!(
            finding.properties["a"]
                .as_str()
                .is_some_and(|s| s.contains("left out"))
        );
    }

    #[test]
    fn an_oversized_finding_fails_its_rule_naming_the_limit() {
        let big = "x".repeat(5000);
        let envelope = format!(
            r#"{{"results":[{{"ruleId":"A","status":"ok","findings":[{{"outcome":"fail","reason":"R","message":"{big}"}}]}}]}}"#
        );
        let out = parse(envelope.as_bytes(), &ids(&["A"]), &bounds()).expect("parses");
        let failure = out[0].outcome.as_ref().expect_err("fails");
        assert_eq!(failure.kind, FailureKind::Limit);
        assert!(
            failure
                .message
                .contains("limit of 4096 bytes for one finding")
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b"not json"[..],
            b"{}",
            b"[]",
            b"{\"results\":{}}",
            b"\xff",
            b"{\"results\":[]} x",
        ] {
            assert!(parse(bytes, &ids(&["A"]), &bounds()).is_err(), "{bytes:?}");
        }
        let errors = parse(
            br#"{"results":[{"ruleId":"A","status":"maybe"},{"ruleId":"B","status":"error","kind":"rule","message":"no\u001b"}]}"#,
            &ids(&["A", "B"]),
            &bounds(),
        )
        .expect("parses");
        assert_eq!(
            errors[0].outcome.as_ref().expect_err("bad").kind,
            FailureKind::Output
        );
        let failure = errors[1].outcome.as_ref().expect_err("error");
        assert_eq!(
            (failure.kind.clone(), failure.message.as_str()),
            (FailureKind::Rule, "no ")
        );
    }
}
