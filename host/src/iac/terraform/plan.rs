//! A Terraform plan in JSON (`terraform show -json plan.out`), following HashiCorp's "JSON
//! Output Format" (<https://developer.hashicorp.com/terraform/internals/json-format>):
//!
//! - `format_version`: "We will increment the major version ... for changes that are not
//!   backward-compatible. Reject any input which reports an unsupported major version." Majors
//!   0 and 1 are read; another is refused with that reason.
//! - `planned_values.root_module` (and its `child_modules`, recursively): the state after
//!   apply, one object per resource instance with `address`, `mode`, `type`, `name` and
//!   `values`. Values unknown until apply are absent there; a resource being deleted is absent
//!   too (and a `resource_changes` entry whose actions are only `["delete"]` is skipped).
//! - `resource_changes[].change.after_unknown`: which attributes are known only after apply.
//! - `configuration.root_module.resources[].expressions.<attribute>.references`: what the
//!   code referred to (`["aws_cloudwatch_log_group.trail.arn", "aws_cloudwatch_log_group.trail"]`);
//!   `module_calls.<name>.module` holds a child module's configuration, whose references are
//!   relative to that module.
//!
//! An unknown attribute the code set is resolved through its references: the first
//! `TYPE.NAME.ATTRIBUTE` reference to a planned resource gives that resource's attribute,
//! known or synthesised as the collector would record it (an ARN from the planned name). A
//! list (`alarm_actions`) takes every such reference. `cloud_watch_logs_group_arn` resolved
//! from a log group's `arn` gets the `:*` the trail needs (the plan keeps references, not the
//! template around them, so the suffix is taken from the provider's documented usage). What
//! stays unresolved is stated as "could not verify", never guessed.
//!
//! Lines: a plan carries no `.tf` file names or lines (the configuration's expressions have no
//! source positions), so a resource's place is its object in `planned_values` in the plan
//! file, and an attribute's place is its key there.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::resources::{TfResource, computed, name_argument, scalar};
use crate::iac::node::{Node, Value};
use crate::iac::source_map::display_path;
use crate::iac::{IacDocument, IacError, ReadOptions};

/// Whether `text` looks like a plan: a JSON object with `format_version` and
/// `planned_values` or `resource_changes` near its start (a cheap test before parsing).
pub fn looks_like_plan(text: &str) -> bool {
    text.trim_start().starts_with('{')
        && text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

/// Reads the plan at `path`.
pub fn read(path: &Path, options: &ReadOptions) -> Result<IacDocument, IacError> {
    let file = display_path(path);
    let text = crate::iac::read_text(path)?;
    let root = crate::iac::json::parse(&file, &text)?;
    convert(&file, &root, options)
}

/// Converts a parsed plan from `file`.
pub fn convert(file: &str, root: &Node, options: &ReadOptions) -> Result<IacDocument, IacError> {
    let invalid = |line: u32, message: String| IacError::Invalid {
        file: file.to_owned(),
        line,
        message,
    };
    let version = root
        .get("format_version")
        .and_then(Node::as_str)
        .ok_or_else(|| {
            invalid(
                root.line,
                "no `format_version`: this is not a plan from `terraform show -json`".to_owned(),
            )
        })?;
    let major = version.split('.').next().unwrap_or_default();
    if major != "0" && major != "1" {
        return Err(invalid(
            root.get("format_version").map_or(root.line, |n| n.line),
            format!(
                "format_version {version} has a major version this reader does not know (it \
                 reads 0.x and 1.x); the format's rule is to reject it"
            ),
        ));
    }
    let planned = root.get("planned_values").ok_or_else(|| {
        invalid(
            root.line,
            "no `planned_values`: write the plan with `terraform show -json plan.out` (a state \
             file or `terraform show -json` without a plan has none)"
                .to_owned(),
        )
    })?;
    let changes = changes(root);
    let expressions = match root.get("configuration").and_then(|c| c.get("root_module")) {
        Some(module) => {
            let mut out = BTreeMap::new();
            configuration(module, "", &mut out);
            out
        }
        None => BTreeMap::new(),
    };
    let mut resources = Vec::new();
    if let Some(module) = planned.get("root_module") {
        planned_resources(file, module, &changes, &mut resources, 0)?;
    }
    let mut assumptions = Vec::new();
    let region = root
        .get("configuration")
        .and_then(|c| c.get("provider_config"))
        .and_then(|p| p.get("aws"))
        .and_then(|a| a.get("expressions"))
        .and_then(|e| e.get("region"))
        .and_then(|r| r.get("constant_value"))
        .and_then(Node::as_str)
        .map(str::to_owned);
    let env = super::environment(file, region, None, options, &mut assumptions);
    // Resolve what is unknown until apply through the configuration's references.
    let snapshot: Vec<TfResource> = resources.iter().map(|(r, _)| r.clone()).collect();
    for (resource, after_unknown) in &mut resources {
        let module = module_prefix(&resource.address);
        let config_address = strip_indices(&resource.address);
        let Some(Json::Object(unknown)) = after_unknown.as_ref() else {
            continue;
        };
        for (attribute, marker) in unknown {
            if !contains_true(marker) {
                continue;
            }
            let Some(expression) = expressions
                .get(&config_address)
                .and_then(|e| e.get(attribute))
            else {
                continue; // computed by the provider, never set by the code: nothing to check
            };
            let references: Vec<String> = expression
                .get("references")
                .and_then(Json::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Json::as_str)
                        .map(|s| format!("{module}{s}"))
                        .collect()
                })
                .unwrap_or_default();
            let resolved: Vec<String> = references
                .iter()
                .filter_map(|reference| attribute_of(reference, &snapshot, &env))
                .collect();
            let value = match marker {
                Json::Array(_) if !resolved.is_empty() => Some(Json::Array(
                    resolved.into_iter().map(Json::String).collect(),
                )),
                Json::Bool(true) => resolved.into_iter().next().map(|mut value| {
                    if attribute == "cloud_watch_logs_group_arn" && !value.ends_with(":*") {
                        value.push_str(":*");
                    }
                    Json::String(value)
                }),
                _ => None,
            };
            match value {
                Some(value) => {
                    resource.values.insert(attribute.clone(), value);
                }
                None => {
                    resource.unknown.insert(
                        attribute.clone(),
                        if references.is_empty() {
                            "it is known only after apply and the configuration names no \
                             reference for it"
                                .to_owned()
                        } else {
                            format!(
                                "it is known only after apply and its references ({}) name no \
                                 resource of this plan",
                                references.join(", ")
                            )
                        },
                    );
                }
            }
        }
    }
    let resources: Vec<TfResource> = resources.into_iter().map(|(r, _)| r).collect();
    super::assemble(&resources, &env, options, assumptions)
}

/// `resource_changes` by address: (actions, after_unknown).
fn changes(root: &Node) -> BTreeMap<String, (Vec<String>, Option<Json>)> {
    let mut out = BTreeMap::new();
    if let Some(Value::Seq(items)) = root.get("resource_changes").map(|c| &c.value) {
        for item in items {
            let Some(address) = item.get("address").and_then(Node::as_str) else {
                continue;
            };
            let change = item.get("change");
            let actions = match change.and_then(|c| c.get("actions")).map(|a| &a.value) {
                Some(Value::Seq(actions)) => actions
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            let unknown = change.and_then(|c| c.get("after_unknown")).map(to_json);
            out.insert(address.to_owned(), (actions, unknown));
        }
    }
    out
}

/// Every configured resource's `expressions`, by address without instance keys.
fn configuration(module: &Node, prefix: &str, out: &mut BTreeMap<String, Map<String, Json>>) {
    if let Some(Value::Seq(resources)) = module.get("resources").map(|r| &r.value) {
        for resource in resources {
            let (Some(address), Some(Json::Object(expressions))) = (
                resource.get("address").and_then(Node::as_str),
                resource.get("expressions").map(to_json),
            ) else {
                continue;
            };
            out.insert(format!("{prefix}{address}"), expressions);
        }
    }
    if let Some(calls) = module.get("module_calls") {
        for (name, call) in calls.entries() {
            if let Some(child) = call.get("module") {
                configuration(child, &format!("{prefix}module.{}.", name.name), out);
            }
        }
    }
}

type WithUnknown = (TfResource, Option<Json>);

fn planned_resources(
    file: &str,
    module: &Node,
    changes: &BTreeMap<String, (Vec<String>, Option<Json>)>,
    out: &mut Vec<WithUnknown>,
    depth: usize,
) -> Result<(), IacError> {
    if depth > crate::iac::MAX_DEPTH {
        return Err(IacError::Invalid {
            file: file.to_owned(),
            line: module.line,
            message: "child_modules nest too deeply".to_owned(),
        });
    }
    if let Some(Value::Seq(resources)) = module.get("resources").map(|r| &r.value) {
        for node in resources {
            let field = |key: &str| node.get(key).and_then(Node::as_str);
            if field("mode").is_some_and(|m| m != "managed") {
                continue; // data sources are read, not deployed
            }
            let (Some(address), Some(kind), Some(name)) =
                (field("address"), field("type"), field("name"))
            else {
                return Err(IacError::Invalid {
                    file: file.to_owned(),
                    line: node.line,
                    message: "a planned resource needs `address`, `type` and `name`".to_owned(),
                });
            };
            let (actions, unknown) = changes.get(address).cloned().unwrap_or_default();
            if actions == ["delete"] {
                continue;
            }
            let values_node = node.get("values");
            let values = match values_node.map(to_json) {
                Some(Json::Object(map)) => map,
                _ => Map::new(),
            };
            let lines = values_node
                .map(|v| {
                    v.entries()
                        .iter()
                        .map(|(k, _)| (k.name.clone(), k.line))
                        .collect()
                })
                .unwrap_or_default();
            out.push((
                TfResource {
                    address: address.to_owned(),
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                    values,
                    unknown: BTreeMap::new(),
                    file: file.to_owned(),
                    start_line: node.line,
                    end_line: node.end_line,
                    lines,
                },
                unknown,
            ));
        }
    }
    if let Some(Value::Seq(children)) = module.get("child_modules").map(|c| &c.value) {
        for child in children {
            planned_resources(file, child, changes, out, depth + 1)?;
        }
    }
    Ok(())
}

/// The attribute a `TYPE.NAME.ATTRIBUTE` reference (module-prefixed) names, from the planned
/// resource: its known value, else what the provider will compute.
fn attribute_of(
    reference: &str,
    resources: &[TfResource],
    env: &super::resources::Env,
) -> Option<String> {
    let (target, attribute) = reference.rsplit_once('.')?;
    let target = strip_indices(target);
    let resource = resources
        .iter()
        .find(|r| strip_indices(&r.address) == target)?;
    if let Some(value) = resource.values.get(attribute).and_then(scalar) {
        return Some(value);
    }
    let given = name_argument(&resource.kind)
        .and_then(|arg| resource.values.get(arg))
        .and_then(scalar);
    let bus = resource.values.get("event_bus_name").and_then(scalar);
    computed(
        &resource.kind,
        &resource.address,
        &resource.name,
        given.as_deref(),
        bus.as_deref(),
        attribute,
        env,
    )
}

/// `module.a["x"].module.b.aws_x.y[0]` to `module.a.module.b.aws_x.y`.
fn strip_indices(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `module.a.module.b.` for a resource in those modules, `` at the root.
fn module_prefix(address: &str) -> String {
    let stripped = strip_indices(address);
    let parts: Vec<&str> = stripped.split('.').collect();
    let mut prefix = String::new();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        prefix.push_str(&format!("module.{}.", parts[i + 1]));
        i += 2;
    }
    prefix
}

fn contains_true(value: &Json) -> bool {
    match value {
        Json::Bool(b) => *b,
        Json::Array(items) => items.iter().any(contains_true),
        Json::Object(map) => map.values().any(contains_true),
        _ => false,
    }
}

/// A parsed node as JSON (numbers as JSON numbers where they parse).
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::from_str(n).unwrap_or_else(|_| Json::String(n.clone())),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_instance_keys_and_keep_modules() {
        assert_eq!(
            strip_indices("module.a[\"x]\"].aws_sns_topic.t[0]"),
            "module.a.aws_sns_topic.t"
        );
        assert_eq!(
            module_prefix("module.a[0].module.b.aws_x.y"),
            "module.a.module.b."
        );
        assert_eq!(module_prefix("aws_x.y"), "");
    }

    #[test]
    fn unknown_markers_are_found_in_lists_and_blocks() {
        assert!(contains_true(&serde_json::json!([false, true])));
        assert!(contains_true(&serde_json::json!({"a": [{"b": true}]})));
        assert!(!contains_true(&serde_json::json!({"a": false})));
    }
}
