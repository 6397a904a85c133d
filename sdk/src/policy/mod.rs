//! Resource-policy evaluation for one request by an AWS service principal.
//!
//! A topic's access policy and a KMS key's key policy decide whether CloudWatch or EventBridge
//! may publish an alarm or an event: a policy that allows only one role, a `Deny`, or a
//! condition on `aws:SourceArn` that leaves the alarm out drops every notification while the
//! rest of the chain looks configured. This module answers "does this policy let this service
//! do this to this resource, in this request context?" as IAM does, and says "could not
//! verify" whenever the policy uses something it does not evaluate. It is pure: no AWS client,
//! no I/O; the chain's topic link ([`crate::chain`]) builds the requests.
//!
//! Evaluation follows the IAM policy evaluation logic for a single resource-based policy: an
//! explicit `Deny` whose principal, action, resource and conditions all match wins; otherwise an
//! `Allow` that matches allows; otherwise the request is implicitly denied.
//! ([IAM User Guide, "Policy evaluation logic"][logic]; the elements as in the
//! [policy grammar][grammar].) What is evaluated:
//!
//! - `Principal` / `NotPrincipal`: `"*"`, `{"AWS": "*"}` (which the IAM User Guide says is the
//!   same as `"*"`, every principal, services included) and `{"Service": …}`. An account, role
//!   or user ARN never names a service principal, so it does not match.
//! - `Action` / `NotAction`, case-insensitive, with `*` and `?`.
//! - `Resource` / `NotResource` with `*` and `?`; a statement with neither (SNS and KMS require
//!   one) is taken to apply to the resource the policy is attached to.
//! - `Condition`: the string, ARN, `Bool` and `Null` operators, with `…IfExists` and the
//!   `ForAnyValue:` / `ForAllValues:` qualifiers, on the keys the [`Context`] knows. An operator
//!   it does not evaluate, a key whose presence in the request is not known, or a policy
//!   variable (`${…}`) makes that statement "could not verify".
//!
//! A statement that could not be verified never turns into a pass: an unverifiable `Deny` makes
//! the answer [`Decision::Unknown`] even when an `Allow` matches, and an unverifiable `Allow`
//! does so when no other `Allow` matches.
//!
//! [logic]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//! [grammar]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//!
//! ```
//! use trailwarden_sdk::policy::{Context, Decision, Request, evaluate_text};
//!
//! let policy = r#"{"Statement": [{"Effect": "Allow",
//!     "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
//!     "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn":
//!     "arn:aws:cloudwatch:us-east-1:111122223333:alarm:prod-*"}}}]}"#;
//! let context = Context::new()
//!     .with("aws:SourceArn", "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-changes");
//! let request = Request {
//!     service_principal: "cloudwatch.amazonaws.com",
//!     action: "sns:Publish",
//!     resource: "arn:aws:sns:us-east-1:111122223333:security",
//!     context: &context,
//! };
//! // The alarm's name does not start with `prod-`: nothing allows the publish.
//! assert_eq!(evaluate_text(policy, &request), Decision::NotAllowed);
//! ```

mod condition;
mod glob;
mod statement;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// At most this many statements are evaluated; a longer policy is "could not verify". SNS and
/// KMS cap policies at 30 KiB and 32 KiB, far below this, so only a hand-made snapshot gets
/// here.
pub const MAX_STATEMENTS: usize = 1000;

/// At most this many characters of a statement's `Sid` are quoted in messages.
const MAX_SID_CHARS: usize = 64;

/// The request context: what the calling service sends as condition keys.
///
/// A key is either present with its values, known to be absent, or unknown. Only the first
/// two can be evaluated; a condition on an unknown key makes its statement "could not
/// verify". Key names are case-insensitive, as in IAM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    present: BTreeMap<String, Vec<String>>,
    absent: BTreeSet<String>,
}

/// What the context knows of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<'a> {
    /// The request carries the key with these values.
    Present(&'a [String]),
    /// The request is known not to carry the key.
    Absent,
    /// Whether the request carries the key is not known.
    Unknown,
}

impl Context {
    /// An empty context: every key unknown.
    pub fn new() -> Self {
        Self::default()
    }

    /// The request carries `key` with the single value `value`.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        let key = key.to_ascii_lowercase();
        self.absent.remove(&key);
        self.present.insert(key, vec![value.to_owned()]);
        self
    }

    /// The request is known not to carry `key`.
    pub fn without(mut self, key: &str) -> Self {
        let key = key.to_ascii_lowercase();
        self.present.remove(&key);
        self.absent.insert(key);
        self
    }

    pub(crate) fn lookup(&self, key: &str) -> Lookup<'_> {
        let key = key.to_ascii_lowercase();
        if let Some(values) = self.present.get(&key) {
            Lookup::Present(values)
        } else if self.absent.contains(&key) {
            Lookup::Absent
        } else {
            Lookup::Unknown
        }
    }
}

/// One request to judge: a service principal doing one action on one resource.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The calling service principal, e.g. `cloudwatch.amazonaws.com`.
    pub service_principal: &'a str,
    /// The action, `service:Name`, e.g. `sns:Publish`.
    pub action: &'a str,
    /// The ARN of the resource the policy is attached to.
    pub resource: &'a str,
    /// The condition keys the request carries.
    pub context: &'a Context,
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows the request and none denies it.
    Allowed {
        /// The allowing statement, by `Sid` or as `#n` (1-based) when it has none.
        statement: String,
    },
    /// A statement explicitly denies the request.
    Denied {
        /// The denying statement, by `Sid` or as `#n`.
        statement: String,
    },
    /// No statement allows the request (an implicit deny).
    NotAllowed,
    /// The policy could not be judged for this request.
    Unknown {
        /// Why, as a clause ("statement `x` uses the condition operator `NumericLessThan`").
        why: String,
    },
}

/// A three-valued answer for one part of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tri {
    Yes,
    No,
    Unknown(String),
}

impl Tri {
    fn from_bool(value: bool) -> Self {
        if value { Tri::Yes } else { Tri::No }
    }

    /// Conjunction: `No` beats `Unknown`, which beats `Yes`.
    pub(crate) fn and(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::No => Tri::No,
            Tri::Yes => other(),
            Tri::Unknown(why) => match other() {
                Tri::No => Tri::No,
                _ => Tri::Unknown(why),
            },
        }
    }
}

/// Evaluates a policy given as JSON text (as SNS and KMS return it).
pub fn evaluate_text(policy: &str, request: &Request<'_>) -> Decision {
    match serde_json::from_str::<Value>(policy) {
        Ok(document) => evaluate(&document, request),
        Err(error) => Decision::Unknown {
            why: format!("the policy is not valid JSON ({error})"),
        },
    }
}

/// Evaluates a parsed policy document for `request`.
pub fn evaluate(document: &Value, request: &Request<'_>) -> Decision {
    let statements = match document.get("Statement") {
        Some(Value::Array(statements)) => statements.iter().collect::<Vec<_>>(),
        Some(statement @ Value::Object(_)) => vec![statement],
        Some(_) => {
            return Decision::Unknown {
                why: "the policy's `Statement` is neither an object nor a list".to_owned(),
            };
        }
        None => {
            return Decision::Unknown {
                why: "the policy has no `Statement`".to_owned(),
            };
        }
    };
    if statements.len() > MAX_STATEMENTS {
        return Decision::Unknown {
            why: format!(
                "the policy has {} statements, more than the {MAX_STATEMENTS} evaluated",
                statements.len()
            ),
        };
    }
    let mut allowed = None;
    let mut unsure_allow = None;
    let mut unsure_deny = None;
    for (index, statement) in statements.iter().enumerate() {
        let label = label(statement, index);
        let judged = statement::judge(statement, &label, request);
        match judged {
            Err(why) => {
                // A statement that cannot be read may allow or deny: either way, unverifiable.
                unsure_deny.get_or_insert(why);
            }
            Ok((statement::Effect::Deny, Tri::Yes)) => {
                return Decision::Denied { statement: label };
            }
            Ok((statement::Effect::Deny, Tri::Unknown(why))) => {
                unsure_deny.get_or_insert(why);
            }
            Ok((statement::Effect::Allow, Tri::Yes)) => {
                allowed.get_or_insert(label);
            }
            Ok((statement::Effect::Allow, Tri::Unknown(why))) => {
                unsure_allow.get_or_insert(why);
            }
            Ok((_, Tri::No)) => {}
        }
    }
    if let Some(why) = unsure_deny {
        return Decision::Unknown { why };
    }
    match (allowed, unsure_allow) {
        (Some(statement), _) => Decision::Allowed { statement },
        (None, Some(why)) => Decision::Unknown { why },
        (None, None) => Decision::NotAllowed,
    }
}

/// How messages name a statement: its `Sid` (bounded, printable characters only), or its
/// 1-based position.
fn label(statement: &Value, index: usize) -> String {
    match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.trim().is_empty() => sid
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_SID_CHARS)
            .collect(),
        _ => format!("#{}", index + 1),
    }
}
