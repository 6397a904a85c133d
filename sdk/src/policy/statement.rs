//! One statement: its effect, and whether its principal, action, resource and conditions
//! match a request.

use serde_json::Value;

use super::{Request, Tri, condition, glob};

/// A statement's `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

/// The statement's effect and whether it applies to `request`; an error (as a clause) when the
/// statement cannot be read.
pub(crate) fn judge(
    statement: &Value,
    label: &str,
    request: &Request<'_>,
) -> Result<(Effect, Tri), String> {
    let effect = match statement.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return Err(format!(
                "statement `{label}` has no `Effect` of `Allow` or `Deny`"
            ));
        }
    };
    let applies = principal(statement, label, request.service_principal)
        .and(|| action(statement, label, request.action))
        .and(|| resource(statement, label, request.resource))
        .and(|| match statement.get("Condition") {
            None => Tri::Yes,
            Some(block) => condition::block(block, label, request.context),
        });
    Ok((effect, applies))
}

/// `Principal` or `NotPrincipal` against a service principal.
///
/// `"*"` and `{"AWS": "*"}` are every principal ("Principal": "*" and {"AWS": "*"} are
/// equivalent: IAM User Guide, "AWS JSON policy elements: Principal", Anonymous users:
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
/// Account ids and ARNs under `AWS`, and `Federated` and `CanonicalUser` identities, never name
/// a service principal.
fn principal(statement: &Value, label: &str, service: &str) -> Tri {
    match (statement.get("Principal"), statement.get("NotPrincipal")) {
        (Some(principal), None) => names_service(principal, label, service),
        (None, Some(not)) => match names_service(not, label, service) {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            unknown => unknown,
        },
        (Some(_), Some(_)) => Tri::Unknown(format!(
            "statement `{label}` has both `Principal` and `NotPrincipal`"
        )),
        (None, None) => Tri::Unknown(format!("statement `{label}` has no `Principal`")),
    }
}

fn names_service(principal: &Value, label: &str, service: &str) -> Tri {
    let map = match principal {
        Value::String(star) if star == "*" => return Tri::Yes,
        Value::Object(map) => map,
        _ => {
            return Tri::Unknown(format!(
                "statement `{label}` has a `Principal` that is neither `*` nor an object"
            ));
        }
    };
    let mut answer = Tri::No;
    for (kind, values) in map {
        let Some(values) = strings(values) else {
            return Tri::Unknown(format!(
                "statement `{label}` lists `{kind}` principals that are not strings"
            ));
        };
        let hit = match kind.as_str() {
            "AWS" => values.contains(&"*"),
            "Service" => values.iter().any(|v| v.eq_ignore_ascii_case(service)),
            "Federated" | "CanonicalUser" => false,
            other => {
                return Tri::Unknown(format!(
                    "statement `{label}` has a principal of unknown type `{}`",
                    bounded(other)
                ));
            }
        };
        if hit {
            answer = Tri::Yes;
        }
    }
    answer
}

/// `Action` or `NotAction`: case-insensitive with wildcards.
fn action(statement: &Value, label: &str, action: &str) -> Tri {
    let listed = |values: &Value| match strings(values) {
        Some(values) => Tri::from_bool(
            values
                .iter()
                .any(|pattern| glob::matches_ignore_case(pattern, action)),
        ),
        None => Tri::Unknown(format!(
            "statement `{label}` lists actions that are not strings"
        )),
    };
    match (statement.get("Action"), statement.get("NotAction")) {
        (Some(actions), None) => listed(actions),
        (None, Some(not)) => negate(listed(not)),
        _ => Tri::Unknown(format!(
            "statement `{label}` needs exactly one of `Action` and `NotAction`"
        )),
    }
}

/// `Resource` or `NotResource`: case-sensitive with wildcards. Neither: the statement applies
/// to the resource the policy is attached to.
fn resource(statement: &Value, label: &str, resource: &str) -> Tri {
    let listed = |values: &Value| match strings(values) {
        Some(values) => Tri::from_bool(
            values
                .iter()
                .any(|pattern| glob::matches(pattern, resource)),
        ),
        None => Tri::Unknown(format!(
            "statement `{label}` lists resources that are not strings"
        )),
    };
    match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(resources), None) => listed(resources),
        (None, Some(not)) => negate(listed(not)),
        (None, None) => Tri::Yes,
        (Some(_), Some(_)) => Tri::Unknown(format!(
            "statement `{label}` has both `Resource` and `NotResource`"
        )),
    }
}

fn negate(tri: Tri) -> Tri {
    match tri {
        Tri::Yes => Tri::No,
        Tri::No => Tri::Yes,
        unknown => unknown,
    }
}

/// A string or a list of strings, as policy elements take them.
pub(crate) fn strings(value: &Value) -> Option<Vec<&str>> {
    match value {
        Value::String(one) => Some(vec![one.as_str()]),
        Value::Array(many) => many.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// At most 64 printable characters of a name from the policy, for messages.
pub(crate) fn bounded(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}
