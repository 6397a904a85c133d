//! What a rule reports: failures and things it could not verify.
//!
//! A finding names the link that broke, in one sentence a person can act on, and carries a
//! stable reason code (`ALARM_CANNOT_FIRE`) that tooling can key on. The resource and the
//! related resources become SARIF locations; the account, region and resource make the
//! fingerprint that lets GitHub follow one problem across runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How serious a finding is, in SARIF's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Informational: worth knowing, never gates by default.
    Note,
    /// A weakness that should be fixed.
    Warning,
    /// A monitoring gap: the chain cannot tell anyone.
    Error,
}

impl Level {
    /// The SARIF spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `note`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "note" => Some(Level::Note),
            _ => None,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding is a verified failure or an honest "could not tell".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The requirement does not hold.
    Fail,
    /// The data needed to decide was missing (not collected, access denied, owned by another
    /// account). Reported apart from failures so it is never mistaken for a pass or a fail.
    Unverifiable,
}

/// An AWS resource a finding points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// A CloudFormation-style type, e.g. `AWS::CloudTrail::Trail`; becomes the SARIF logical
    /// location kind.
    pub kind: String,
    /// The ARN (or, where a resource has none, its unique id).
    pub arn: String,
    /// A short display name.
    pub name: String,
    /// What role this resource plays in the finding ("trail", "metric filter", …), for related
    /// locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Resource {
    /// A resource of `kind` identified by `arn`, displayed as `name`.
    pub fn new(kind: impl Into<String>, arn: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            arn: arn.into(),
            name: name.into(),
            role: None,
        }
    }

    /// The same resource, labelled with its role in the chain.
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }
}

/// One result of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule that reported it; filled in by the pack glue, so rules need not repeat it.
    #[serde(default)]
    pub rule_id: String,
    /// Failure or could-not-verify.
    pub outcome: Outcome,
    /// A stable, SCREAMING_SNAKE reason code, e.g. `TRAIL_NOT_MULTI_REGION`.
    pub reason: String,
    /// One sentence naming the broken link and why; no closing period.
    pub message: String,
    /// Overrides the rule's default level for this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The account concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region concerned; `None` for account-wide findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The primary resource, if the finding is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// The rest of the chain: trail, filter, alarm, topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Resource>,
    /// Extra machine-readable facts (event ids, thresholds), copied to the SARIF result's
    /// `properties.pack`, beside (never over) the host's own keys.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// A failure with a reason code and a one-sentence message.
    pub fn fail(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Outcome::Fail, reason, message)
    }

    /// A could-not-verify result, e.g. when a section was not collected.
    pub fn unverifiable(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Outcome::Unverifiable, reason, message)
    }

    fn new(outcome: Outcome, reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            rule_id: String::new(),
            outcome,
            reason: reason.into(),
            message: message.into(),
            level: None,
            account: None,
            region: None,
            resource: None,
            related: Vec::new(),
            properties: BTreeMap::new(),
        }
    }

    /// Sets the account.
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the primary resource.
    pub fn resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Attributes the finding to `subject`, the resource it is about, keeping the resource at
    /// fault as the first related one.
    ///
    /// The primary resource locates a finding and is part of its fingerprint. A rule that
    /// reports per key, where two keys are broken by one shared link (a metric filter both
    /// rely on), would otherwise give both findings the filter as resource and so one
    /// fingerprint: code scanning shows one alert, and a baseline or a fix of one key hides the
    /// other. Attributed to each key, they stay two problems, and the filter is still named.
    ///
    /// ```
    /// use trailwarden_sdk::{Finding, Resource};
    /// let filter = Resource::new("AWS::Logs::MetricFilter", "arn:…:metric-filter:f", "f");
    /// let key = Resource::new("AWS::KMS::Key", "arn:aws:kms:us-east-1:111122223333:key/k", "k");
    /// let finding = Finding::fail("FILTER_DOES_NOT_MATCH", "…").resource(filter.clone()).about(key.clone());
    /// assert_eq!(finding.resource, Some(key));
    /// assert_eq!(finding.related, vec![filter]);
    /// ```
    pub fn about(mut self, subject: Resource) -> Self {
        if self.resource.as_ref().is_some_and(|r| r.arn == subject.arn) {
            return self;
        }
        if let Some(at_fault) = self.resource.take() {
            self.related.insert(0, at_fault);
        }
        self.related.retain(|r| r.arn != subject.arn);
        self.resource = Some(subject);
        self
    }

    /// Adds a related resource.
    pub fn related(mut self, resource: Resource) -> Self {
        self.related.push(resource);
        self
    }

    /// Overrides the level.
    pub fn level(mut self, level: Level) -> Self {
        self.level = Some(level);
        self
    }

    /// Adds a property.
    pub fn property(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// The key findings are sorted by, so that output is deterministic.
    pub fn sort_key(&self) -> (&str, Option<&str>, Option<&str>, &str) {
        (
            &self.rule_id,
            self.region.as_deref(),
            self.resource.as_ref().map(|r| r.arn.as_str()),
            &self.message,
        )
    }
}
