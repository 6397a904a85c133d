//! CloudWatch Logs centralization rules of an organization, and which log groups they copy.
//!
//! A centralization rule (service CloudWatch Observability Admin) "defines how log data from
//! source accounts and regions is replicated to a destination account and region"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatchLogs_Centralization.html>).
//! A member's trail that delivers to its own log group then reaches the destination account's
//! log group too, where that account's metric filters, alarms and topics can count its events:
//! the chain continues there (`chain::centralized`).
//!
//! AWS readings this module relies on, each tested below:
//! - The rule's source is a list of `Regions`, a `Scope` "specified using organization id,
//!   accounts or organizational unit ids", and a `SourceLogsConfiguration` with
//!   `LogGroupSelectionCriteria` and `EncryptedLogGroupStrategy`
//!   (<https://docs.aws.amazon.com/cloudwatch/latest/observabilityadmin/API_CentralizationRuleSource.html>).
//! - `LogGroupSelectionCriteria` "uses the same format as OAM link filters"
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-observabilityadmin-organizationcentralizationrule-sourcelogsconfiguration.html>):
//!   the term `LogGroupName` with `=`, `!=`, `IN (…)`, `NOT IN (…)`, `LIKE`/`NOT LIKE` "only as
//!   prefix searches" with a trailing `%`, joined by `AND` / `OR`, names in single quotes and
//!   matched case-sensitively; `*` alone selects every group
//!   (<https://docs.aws.amazon.com/OAM/latest/APIReference/API_LogGroupConfiguration.html>).
//!   The scope is read with the same grammar over `OrganizationId`, `AccountId` and
//!   `OrganizationalUnitId`; a term this run cannot resolve (organizational units are not
//!   collected) makes the answer unknown, never a yes or a no.
//! - `EncryptedLogGroupStrategy`: "ALLOW will consider CMK encrypted source log groups for
//!   centralization while SKIP will skip CMK encrypted source log groups" (the CloudFormation
//!   page above). A log group with a `kmsKeyId` is encrypted with a customer managed key (a
//!   group without one uses CloudWatch Logs' own key).
//! - The destination is an `Account` (optional) and a `Region`, and optionally a
//!   `LogGroupNameConfiguration` whose `LogGroupNamePattern` names "destination log groups
//!   created during centralization" with the variables `${source.logGroup}` ("the original log
//!   group name from the source account"), `${source.accountId}`, `${source.region}` and
//!   `${source.org.*}`
//!   (<https://docs.aws.amazon.com/cloudwatch/latest/observabilityadmin/API_LogGroupNameConfiguration.html>).
//!   Our reading where no pattern is set: the destination group keeps the source group's name
//!   (the pattern is the only naming the API offers, and `${source.logGroup}` is its default
//!   part). Where `Account` is absent, the rule's creator account (the delegated administrator
//!   or management account that created it) is taken as the destination.
//! - A rule's `RuleHealth` is `Healthy`, `Provisioning` or `Unhealthy`, with a `FailureReason`
//!   "why an organization centralization rule is marked UNHEALTHY"
//!   (<https://docs.aws.amazon.com/cloudwatch/latest/observabilityadmin/API_GetCentralizationRuleForOrganization.html>).
//!   Only a healthy rule is taken to copy events.

use serde::{Deserialize, Serialize};

/// One organization centralization rule, as `GetCentralizationRuleForOrganization` returns it
/// (the fields the chain needs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CentralizationRule {
    /// The rule name.
    pub rule_name: String,
    /// The rule ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_arn: Option<String>,
    /// The account that created the rule (the management account or a delegated
    /// administrator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_account_id: Option<String>,
    /// `Healthy`, `Provisioning` or `Unhealthy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_health: Option<String>,
    /// Why the rule is unhealthy (`TRUSTED_ACCESS_NOT_ENABLED`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// Where the events come from.
    pub source: CentralizationSource,
    /// Where they are copied to.
    pub destination: CentralizationDestination,
}

/// A rule's `Source`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CentralizationSource {
    /// The source regions.
    #[serde(default)]
    pub regions: Vec<String>,
    /// `OrganizationId = 'o-…'`, account or organizational unit filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Which source log groups are copied; `None` when the rule has no logs configuration
    /// (it then copies no logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_selection_criteria: Option<String>,
    /// `ALLOW` or `SKIP` for groups encrypted with a customer managed key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_log_group_strategy: Option<String>,
}

/// A rule's `Destination`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CentralizationDestination {
    /// The destination account, when the rule names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The destination region.
    pub region: String,
    /// `DestinationLogsConfiguration.LogGroupNameConfiguration.LogGroupNamePattern`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name_pattern: Option<String>,
}

/// A source log group, as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct SourceGroup<'a> {
    /// The group's account.
    pub account: &'a str,
    /// That account's organization, when known.
    pub organization_id: Option<&'a str>,
    /// The group's region.
    pub region: &'a str,
    /// The group's name.
    pub name: &'a str,
    /// Whether it is encrypted with a customer managed key (`kmsKeyId` set).
    pub encrypted: bool,
}

/// What a rule does with a source log group.
#[derive(Debug, Clone, PartialEq)]
pub enum Copying {
    /// The rule does not select the group (region, scope, selection criteria).
    NotSelected,
    /// The rule selects it but skips it because it is encrypted with a customer managed key.
    SkippedEncrypted,
    /// The rule selects it but is not healthy, so nothing is copied (`Unhealthy`), or not yet
    /// (`Provisioning`, `unverifiable`).
    NotHealthy {
        /// The health as reported.
        health: String,
        /// The failure reason, if any.
        reason: Option<String>,
        /// True for `Provisioning` or an absent health: it cannot be told yet.
        unverifiable: bool,
    },
    /// Its events land in this group.
    Copied {
        /// The destination account.
        account: String,
        /// The destination region.
        region: String,
        /// The destination group's name.
        log_group_name: String,
    },
    /// Whether the rule selects the group cannot be told from the snapshot.
    Unknown(String),
}

impl CentralizationRule {
    /// The destination account: the one the rule names, else its creator's.
    pub fn destination_account(&self) -> Option<&str> {
        self.destination
            .account
            .as_deref()
            .or(self.creator_account_id.as_deref())
    }

    /// What this rule does with `group`.
    pub fn copying(&self, group: &SourceGroup<'_>) -> Copying {
        if !self.source.regions.iter().any(|r| r == group.region) {
            return Copying::NotSelected;
        }
        let Some(criteria) = self.source.log_group_selection_criteria.as_deref() else {
            return Copying::NotSelected;
        };
        let scope = match self.source.scope.as_deref() {
            None => Some(true),
            Some(scope) => match Selection::parse(scope) {
                Ok(selection) => selection.admits(&|field| match field {
                    "OrganizationId" => group.organization_id.map(str::to_owned),
                    "AccountId" => Some(group.account.to_owned()),
                    _ => None,
                }),
                Err(why) => {
                    return Copying::Unknown(format!("its scope `{scope}` cannot be read: {why}"));
                }
            },
        };
        let selected = match Selection::parse(criteria) {
            Ok(selection) => selection.admits(&|field| match field {
                "LogGroupName" => Some(group.name.to_owned()),
                _ => None,
            }),
            Err(why) => {
                return Copying::Unknown(format!(
                    "its log group selection criteria `{criteria}` cannot be read: {why}"
                ));
            }
        };
        match (scope, selected) {
            (Some(false), _) | (_, Some(false)) => return Copying::NotSelected,
            (None, _) => {
                return Copying::Unknown(format!(
                    "its scope `{}` names what this run does not read (organizational units)",
                    self.source.scope.as_deref().unwrap_or_default()
                ));
            }
            (_, None) => {
                return Copying::Unknown(format!(
                    "its log group selection criteria `{criteria}` use a term other than LogGroupName"
                ));
            }
            (Some(true), Some(true)) => {}
        }
        let skips_encrypted = self
            .source
            .encrypted_log_group_strategy
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("SKIP"));
        if group.encrypted && skips_encrypted {
            return Copying::SkippedEncrypted;
        }
        match self.rule_health.as_deref() {
            Some(h) if h.eq_ignore_ascii_case("Healthy") => {}
            health => {
                return Copying::NotHealthy {
                    health: health.unwrap_or("unknown").to_owned(),
                    reason: self.failure_reason.clone(),
                    unverifiable: !health.is_some_and(|h| h.eq_ignore_ascii_case("Unhealthy")),
                };
            }
        }
        let Some(account) = self.destination_account() else {
            return Copying::Unknown("it names no destination account".to_owned());
        };
        match self.destination_name(group) {
            Ok(log_group_name) => Copying::Copied {
                account: account.to_owned(),
                region: self.destination.region.clone(),
                log_group_name,
            },
            Err(why) => Copying::Unknown(why),
        }
    }

    /// The destination group's name for `group`: the pattern with its variables replaced, or
    /// the source name without a pattern.
    fn destination_name(&self, group: &SourceGroup<'_>) -> Result<String, String> {
        let Some(pattern) = self.destination.log_group_name_pattern.as_deref() else {
            return Ok(group.name.to_owned());
        };
        let mut out = String::new();
        let mut rest = pattern;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('}') else {
                return Err(format!(
                    "its log group name pattern `{pattern}` is not closed"
                ));
            };
            let variable = &rest[start + 2..start + end];
            let value = match variable {
                "source.logGroup" => Some(group.name),
                "source.accountId" => Some(group.account),
                "source.region" => Some(group.region),
                "source.org.id" => group.organization_id,
                _ => None,
            };
            let Some(value) = value else {
                return Err(format!(
                    "its log group name pattern `{pattern}` uses `${{{variable}}}`, which this run does not read"
                ));
            };
            out.push_str(value);
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A selection expression of the OAM link filter form: `Field op 'value'` terms joined by
/// `AND` / `OR` (AND binds tighter), or `*`.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// `*`: everything.
    All,
    /// Alternatives, each a conjunction of terms.
    AnyOf(Vec<Vec<Term>>),
}

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// `LogGroupName`, `AccountId`, …
    pub field: String,
    /// True for `!=`, `NOT IN`, `NOT LIKE`.
    pub negated: bool,
    /// What the field is compared with.
    pub test: Test,
}

/// The comparison of a term.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `=` / `IN (…)`: one of the values.
    OneOf(Vec<String>),
    /// `LIKE 'prefix%'`.
    Prefix(String),
}

impl Selection {
    /// Reads an expression; an error says what was not understood.
    pub fn parse(text: &str) -> Result<Selection, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(Selection::All);
        }
        let tokens = tokenize(text)?;
        let mut alternatives = vec![Vec::new()];
        let mut i = 0;
        while i < tokens.len() {
            let Tok::Word(field) = &tokens[i] else {
                return Err(format!("expected a field name at `{}`", tokens[i]));
            };
            i += 1;
            let mut negated = false;
            let op = match tokens.get(i) {
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("NOT") => {
                    negated = true;
                    i += 1;
                    tokens.get(i)
                }
                other => other,
            };
            let test = match op {
                Some(Tok::Symbol(s)) if s == "=" || s == "!=" => {
                    negated = s == "!=";
                    i += 1;
                    match tokens.get(i) {
                        Some(Tok::Quoted(v)) => Test::OneOf(vec![v.clone()]),
                        _ => return Err(format!("`{field} {s}` needs a quoted value")),
                    }
                }
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("LIKE") => {
                    i += 1;
                    match tokens.get(i) {
                        Some(Tok::Quoted(v)) => match v.strip_suffix('%') {
                            Some(prefix) if !prefix.contains('%') => {
                                Test::Prefix(prefix.to_owned())
                            }
                            _ => {
                                return Err(format!(
                                    "LIKE '{v}' is not a prefix search ending in %"
                                ));
                            }
                        },
                        _ => return Err(format!("`{field} LIKE` needs a quoted value")),
                    }
                }
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("IN") => {
                    i += 1;
                    if tokens.get(i) != Some(&Tok::Symbol("(".to_owned())) {
                        return Err(format!("`{field} IN` needs a list in parentheses"));
                    }
                    let mut values = Vec::new();
                    loop {
                        i += 1;
                        match tokens.get(i) {
                            Some(Tok::Quoted(v)) => values.push(v.clone()),
                            _ => return Err(format!("`{field} IN (…)` needs quoted values")),
                        }
                        i += 1;
                        match tokens.get(i) {
                            Some(Tok::Symbol(s)) if s == "," => continue,
                            Some(Tok::Symbol(s)) if s == ")" => break,
                            _ => return Err(format!("`{field} IN (…)` is not closed")),
                        }
                    }
                    Test::OneOf(values)
                }
                _ => {
                    return Err(format!(
                        "`{field}` is followed by no operator this run knows"
                    ));
                }
            };
            i += 1;
            if let Some(last) = alternatives.last_mut() {
                last.push(Term {
                    field: field.clone(),
                    negated,
                    test,
                });
            }
            match tokens.get(i) {
                None => {}
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("AND") => i += 1,
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("OR") => {
                    alternatives.push(Vec::new());
                    i += 1;
                }
                Some(other) => return Err(format!("expected AND or OR at `{other}`")),
            }
            if i == tokens.len()
                && matches!(tokens.last(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case("AND") || w.eq_ignore_ascii_case("OR"))
            {
                return Err("the expression ends with AND or OR".to_owned());
            }
        }
        if alternatives.iter().any(Vec::is_empty) {
            return Err("an empty expression".to_owned());
        }
        Ok(Selection::AnyOf(alternatives))
    }

    /// Whether the expression holds for the fields `value` resolves; `None` when it depends on
    /// a field `value` cannot resolve.
    pub fn admits(&self, value: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
        let Selection::AnyOf(alternatives) = self else {
            return Some(true);
        };
        let mut unknown = false;
        for conjunction in alternatives {
            let mut all = Some(true);
            for term in conjunction {
                let held = value(&term.field).map(|v| {
                    let found = match &term.test {
                        Test::OneOf(values) => values.contains(&v),
                        Test::Prefix(prefix) => v.starts_with(prefix.as_str()),
                    };
                    found != term.negated
                });
                all = match (all, held) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (None, _) | (_, None) => None,
                    _ => Some(true),
                };
            }
            match all {
                Some(true) => return Some(true),
                None => unknown = true,
                Some(false) => {}
            }
        }
        if unknown { None } else { Some(false) }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Symbol(String),
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tok::Word(w) | Tok::Symbol(w) => f.write_str(w),
            Tok::Quoted(q) => write!(f, "'{q}'"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(format!("a quote is not closed after '{value}")),
                }
            }
            tokens.push(Tok::Quoted(value));
        } else if c == '!' {
            chars.next();
            if chars.next() != Some('=') {
                return Err("`!` must be followed by `=`".to_owned());
            }
            tokens.push(Tok::Symbol("!=".to_owned()));
        } else if "=(),".contains(c) {
            chars.next();
            tokens.push(Tok::Symbol(c.to_string()));
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@' {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@' {
                    word.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Tok::Word(word));
        } else {
            return Err(format!("unexpected `{c}`"));
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expression: &str, name: &str) -> Option<bool> {
        Selection::parse(expression)
            .expect(expression)
            .admits(&|field| (field == "LogGroupName").then(|| name.to_owned()))
    }

    #[test]
    fn oam_filter_examples_read_as_documented() {
        let list = "LogGroupName IN ('This-Log-Group', 'Other-Log-Group')";
        assert_eq!(names(list, "Other-Log-Group"), Some(true));
        assert_eq!(
            names(list, "other-log-group"),
            Some(false),
            "case sensitive"
        );
        let not_in = "LogGroupName NOT IN ('Private-Log-Group', 'Private-Log-Group-2')";
        assert_eq!(names(not_in, "Private-Log-Group"), Some(false));
        assert_eq!(names(not_in, "trail-logs"), Some(true));
        let prefixes = "LogGroupName LIKE 'aws/lambda/%' OR LogGroupName LIKE 'AWSLogs%'";
        assert_eq!(names(prefixes, "AWSLogs/CloudTrail"), Some(true));
        assert_eq!(names(prefixes, "cloudtrail"), Some(false));
        assert_eq!(names("*", "anything"), Some(true));
        assert_eq!(
            names("LogGroupName = 'a' AND LogGroupName != 'b'", "a"),
            Some(true)
        );
        assert_eq!(names("AccountId = '1'", "a"), None, "unresolved field");
    }

    #[test]
    fn unreadable_expressions_are_errors_not_matches() {
        for bad in [
            "LogGroupName LIKE '%trail%'",
            "LogGroupName IN ('a'",
            "LogGroupName",
            "LogGroupName = 'a' AND",
            "LogGroupName ~ 'a'",
            "'unclosed",
        ] {
            assert!(Selection::parse(bad).is_err(), "{bad}");
        }
    }

    fn rule() -> CentralizationRule {
        CentralizationRule {
            rule_name: "central".to_owned(),
            rule_arn: None,
            creator_account_id: Some("999988887777".to_owned()),
            rule_health: Some("Healthy".to_owned()),
            failure_reason: None,
            source: CentralizationSource {
                regions: vec!["us-east-1".to_owned()],
                scope: Some("OrganizationId = 'o-example'".to_owned()),
                log_group_selection_criteria: Some("*".to_owned()),
                encrypted_log_group_strategy: Some("SKIP".to_owned()),
            },
            destination: CentralizationDestination {
                account: None,
                region: "eu-west-1".to_owned(),
                log_group_name_pattern: None,
            },
        }
    }

    fn group(encrypted: bool) -> SourceGroup<'static> {
        SourceGroup {
            account: "222233334444",
            organization_id: Some("o-example"),
            region: "us-east-1",
            name: "trail-logs",
            encrypted,
        }
    }

    #[test]
    fn a_healthy_rule_copies_to_the_same_name_in_its_creator_account() {
        assert_eq!(
            rule().copying(&group(false)),
            Copying::Copied {
                account: "999988887777".to_owned(),
                region: "eu-west-1".to_owned(),
                log_group_name: "trail-logs".to_owned()
            }
        );
    }

    #[test]
    fn encrypted_groups_are_skipped_only_under_skip() {
        assert_eq!(rule().copying(&group(true)), Copying::SkippedEncrypted);
        let mut allow = rule();
        allow.source.encrypted_log_group_strategy = Some("ALLOW".to_owned());
        assert!(matches!(
            allow.copying(&group(true)),
            Copying::Copied { .. }
        ));
    }

    #[test]
    fn region_scope_and_health_decide() {
        let mut other_region = group(false);
        other_region.region = "ap-south-1";
        assert_eq!(rule().copying(&other_region), Copying::NotSelected);
        let mut other_org = group(false);
        other_org.organization_id = Some("o-other");
        assert_eq!(rule().copying(&other_org), Copying::NotSelected);
        let mut ou = rule();
        ou.source.scope = Some("OrganizationalUnitId = 'ou-ab12-cdef'".to_owned());
        assert!(matches!(ou.copying(&group(false)), Copying::Unknown(_)));
        let mut sick = rule();
        sick.rule_health = Some("Unhealthy".to_owned());
        sick.failure_reason = Some("TRUSTED_ACCESS_NOT_ENABLED".to_owned());
        assert!(matches!(
            sick.copying(&group(false)),
            Copying::NotHealthy {
                unverifiable: false,
                ..
            }
        ));
        sick.rule_health = Some("Provisioning".to_owned());
        assert!(matches!(
            sick.copying(&group(false)),
            Copying::NotHealthy {
                unverifiable: true,
                ..
            }
        ));
    }

    #[test]
    fn name_patterns_are_resolved() {
        let mut named = rule();
        named.destination.log_group_name_pattern =
            Some("central/${source.accountId}/${source.region}/${source.logGroup}".to_owned());
        assert!(matches!(
            named.copying(&group(false)),
            Copying::Copied { log_group_name, .. }
                if log_group_name == "central/222233334444/us-east-1/trail-logs"
        ));
        named.destination.log_group_name_pattern = Some("x/${source.org.ouId}".to_owned());
        assert!(matches!(named.copying(&group(false)), Copying::Unknown(_)));
    }
}
