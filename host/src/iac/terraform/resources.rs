//! Terraform AWS provider resources to snapshot fragments, attribute by attribute, following
//! each resource's page in the provider documentation
//! (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs>). Both readers (plan
//! JSON and `.tf` files) bring a resource here in the same shape: its arguments as JSON, with
//! nested blocks as lists of objects, which is how `terraform show -json` writes `values`.
//!
//! Defaults are the provider's: `aws_cloudtrail.enable_logging` defaults to `true` and
//! `is_multi_region_trail` to `false`; `aws_cloudwatch_metric_alarm.actions_enabled` to
//! `true`; `aws_kms_key.is_enabled` to `true` and `enable_key_rotation` to `false`;
//! `aws_cloudwatch_event_rule.state` to `ENABLED`.
//!
//! `aws_cloudwatch_log_group.arn` has no `:*` ("Any `:*` suffix added by the API ... is
//! removed"), and CloudTrail wants it: the provider's example writes
//! `cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.example.arn}:*"` ("CloudTrail
//! requires the Log Stream wildcard"). The snapshot keeps the trail's value as written.
//!
//! E-mail and HTTP(S) subscriptions stay pending until their owner confirms them, as for
//! CloudFormation ([`crate::iac::cloudformation::resources`]): planned as
//! `PendingConfirmation` with an assumption, or confirmed with `--iac-assume-confirmed`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};
use trailwarden_sdk::snapshot::{
    CompositeAlarm, Dimension, EventRule, EventSelectors, EventTarget, KeyManager, KeyPolicy,
    KeyRotation, KeyState, KmsKey, LogGroup, MetricAlarm, MetricDataQuery, MetricFilter,
    MetricTransformation, Origin, Subscription, Topic, TopicPolicy, Trail, TrailStatus,
};

use crate::iac::aws_defaults;
use crate::iac::typed::TypedValues;
use crate::iac::{Assumption, IacError, Planned};

/// Where the code deploys: partition, region and account of the synthesised ARNs.
#[derive(Debug, Clone)]
pub struct Env {
    /// `aws`, `aws-cn`, ...
    pub partition: String,
    /// The provider's region.
    pub region: String,
    /// The account id.
    pub account: String,
}

/// One resource as a reader understood it, before mapping.
#[derive(Debug, Clone)]
pub struct TfResource {
    /// `aws_sns_topic.alarms`, or `module.m.aws_sns_topic.alarms`.
    pub address: String,
    /// `aws_sns_topic`.
    pub kind: String,
    /// `alarms`.
    pub name: String,
    /// Arguments and known attributes; blocks as lists of objects.
    pub values: Map<String, Json>,
    /// Top-level attributes whose value the code cannot give, with why.
    pub unknown: BTreeMap<String, String>,
    /// The file it is written in (as the reports name it).
    pub file: String,
    /// First line.
    pub start_line: u32,
    /// Last line.
    pub end_line: u32,
    /// The line of each argument or block.
    pub lines: BTreeMap<String, u32>,
}

/// The argument that names a resource of `kind`, for the types the chain involves.
pub fn name_argument(kind: &str) -> Option<&'static str> {
    match kind {
        "aws_cloudtrail"
        | "aws_cloudwatch_log_group"
        | "aws_cloudwatch_log_metric_filter"
        | "aws_sns_topic"
        | "aws_cloudwatch_event_rule" => Some("name"),
        "aws_cloudwatch_metric_alarm" | "aws_cloudwatch_composite_alarm" => Some("alarm_name"),
        _ => None,
    }
}

/// The stand-in for a name the provider generates (`name` unset or unknown until apply).
pub fn generated_name(resource_name: &str) -> String {
    format!("terraform-{resource_name}")
}

/// The id the snapshot gives a key the code creates (KMS picks a UUID at creation).
pub fn key_id(address: &str) -> String {
    format!("iac-{}", address.replace('.', "-"))
}

/// An attribute the provider computes (`arn`, `id`, `key_id`, a defaulted name) of a resource
/// of `kind` named `name` in the code, whose naming argument is `given` (when set and known).
/// `None` for attributes this reader does not synthesise.
pub fn computed(
    kind: &str,
    address: &str,
    resource_name: &str,
    given: Option<&str>,
    bus: Option<&str>,
    attribute: &str,
    env: &Env,
) -> Option<String> {
    let (p, r, a) = (&env.partition, &env.region, &env.account);
    let name = given.map_or_else(|| generated_name(resource_name), str::to_owned);
    let value = match (kind, attribute) {
        ("aws_kms_key", "key_id" | "id") => key_id(address),
        ("aws_kms_key", "arn") => format!("arn:{p}:kms:{r}:{a}:key/{}", key_id(address)),
        (_, "name" | "alarm_name") if name_argument(kind) == Some(attribute) => name,
        ("aws_cloudwatch_log_group", "arn") => format!("arn:{p}:logs:{r}:{a}:log-group:{name}"),
        ("aws_cloudwatch_log_group" | "aws_cloudwatch_log_metric_filter", "id") => name,
        ("aws_sns_topic", "arn" | "id") => format!("arn:{p}:sns:{r}:{a}:{name}"),
        ("aws_cloudwatch_metric_alarm" | "aws_cloudwatch_composite_alarm", "arn") => {
            format!("arn:{p}:cloudwatch:{r}:{a}:alarm:{name}")
        }
        ("aws_cloudwatch_metric_alarm" | "aws_cloudwatch_composite_alarm", "id") => name,
        ("aws_cloudtrail", "arn" | "id") => format!("arn:{p}:cloudtrail:{r}:{a}:trail/{name}"),
        ("aws_cloudwatch_event_rule", "arn") => match bus.filter(|b| *b != "default") {
            Some(bus) => format!("arn:{p}:events:{r}:{a}:rule/{bus}/{name}"),
            None => format!("arn:{p}:events:{r}:{a}:rule/{name}"),
        },
        ("aws_cloudwatch_event_rule", "id") => match bus.filter(|b| *b != "default") {
            Some(bus) => format!("{bus}/{name}"),
            None => name,
        },
        _ => return None,
    };
    Some(value)
}

/// What one resource becomes.
#[derive(Debug, Default)]
pub struct Mapped {
    /// The fragments.
    pub planned: Vec<Planned>,
    /// The identities findings may name it by.
    pub identities: Vec<String>,
    /// Assumptions about it.
    pub assumptions: Vec<Assumption>,
}

/// Reads a resource's values with errors placed on its lines.
struct Values<'r> {
    resource: &'r TfResource,
}

impl TypedValues for Values<'_> {
    fn raw(&self, attribute: &str) -> Option<&Json> {
        self.get(attribute)
    }

    fn error(&self, attribute: &str, message: impl Into<String>) -> IacError {
        IacError::Invalid {
            file: self.resource.file.clone(),
            line: self.line(attribute),
            message: format!("{}.{attribute}: {}", self.resource.address, message.into()),
        }
    }

    fn text_of(value: &Json) -> Option<String> {
        scalar(value)
    }

    fn bool_of(value: &Json) -> Option<bool> {
        boolean(value)
    }

    fn number_of<T: std::str::FromStr>(text: &str) -> Option<T> {
        number(text)
    }

    fn missing() -> &'static str {
        "is required (or unknown until apply)"
    }
}

impl Values<'_> {
    fn line(&self, attribute: &str) -> u32 {
        self.resource
            .lines
            .get(attribute)
            .copied()
            .unwrap_or(self.resource.start_line)
    }

    fn get(&self, attribute: &str) -> Option<&Json> {
        self.resource.values.get(attribute).filter(|v| !v.is_null())
    }

    fn blocks(&self, attribute: &str) -> Vec<Map<String, Json>> {
        match self.get(attribute) {
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_object().cloned())
                .collect(),
            Some(Json::Object(map)) => vec![map.clone()],
            _ => Vec::new(),
        }
    }
}

/// A scalar as text, as Terraform converts primitives to strings.
pub fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A boolean, as Terraform converts `"true"`/`"false"` strings.
pub fn boolean(value: &Json) -> Option<bool> {
    match value {
        Json::Bool(b) => Some(*b),
        Json::String(s) if s == "true" => Some(true),
        Json::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A number written `1`, `1.0` or `"1"`, as the target type (`300.0` is a valid period).
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.parse().ok().or_else(|| {
        let float: f64 = text.parse().ok()?;
        if float.fract() == 0.0 {
            format!("{float:.0}").parse().ok()
        } else {
            None
        }
    })
}

fn field(block: &Map<String, Json>, key: &str) -> Option<String> {
    block.get(key).and_then(scalar)
}

fn dimensions_of(value: Option<&Json>) -> Vec<Dimension> {
    value
        .and_then(Json::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(name, value)| {
                    Some(Dimension {
                        name: name.clone(),
                        value: scalar(value)?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Maps one resource; `Ok(None)` for types the chain does not involve. `targets` are the
/// `aws_cloudwatch_event_target`s of the code, by rule name, for event rules.
pub fn map(
    resource: &TfResource,
    env: &Env,
    assume_confirmed: bool,
    targets: &BTreeMap<String, Vec<EventTarget>>,
) -> Result<Option<Mapped>, IacError> {
    let v = Values { resource };
    let mut out = Mapped::default();
    let name_of = |v: &Values<'_>| -> Result<Option<String>, IacError> {
        match name_argument(&resource.kind) {
            Some(arg) => v.string(arg),
            None => Ok(None),
        }
    };
    let given = name_of(&v)?;
    if name_argument(&resource.kind).is_some() && given.is_none() {
        out.assumptions.push(Assumption {
            resource: None,
            file: resource.file.clone(),
            line: Some(resource.start_line),
            text: format!(
                "{}: the name is generated on apply; `{}` stands in",
                resource.address,
                generated_name(&resource.name)
            ),
        });
    }
    let bus = v.string("event_bus_name")?;
    let arn_of = |attribute: &str| {
        // A known `arn` (a resource being updated) wins over the synthesised one.
        v.string(attribute).ok().flatten().or_else(|| {
            computed(
                &resource.kind,
                &resource.address,
                &resource.name,
                given.as_deref(),
                bus.as_deref(),
                attribute,
                env,
            )
        })
    };
    let name = given
        .clone()
        .unwrap_or_else(|| generated_name(&resource.name));
    let (p, r, a) = (&env.partition, &env.region, &env.account);
    match resource.kind.as_str() {
        "aws_cloudtrail" => {
            let arn = arn_of("arn").unwrap_or_default();
            let mut basic = Vec::new();
            for block in v.blocks("event_selector") {
                let resources: Vec<Json> = block
                    .get("data_resource")
                    .and_then(Json::as_array)
                    .map(|list| {
                        list.iter()
                            .map(|d| {
                                serde_json::json!({
                                    "type": d.get("type").cloned().unwrap_or(Json::Null),
                                    "values": d.get("values").filter(|v| !v.is_null()).cloned().unwrap_or(Json::Array(vec![])),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut selector = serde_json::json!({ "dataResources": resources });
                if let Some(rw) = field(&block, "read_write_type") {
                    selector["readWriteType"] = Json::String(rw);
                }
                if let Some(include) = block.get("include_management_events").and_then(boolean) {
                    selector["includeManagementEvents"] = Json::Bool(include);
                }
                if let Some(excluded) = block
                    .get("exclude_management_event_sources")
                    .filter(|v| !v.is_null())
                {
                    selector["excludeManagementEventSources"] = excluded.clone();
                }
                basic.push(selector);
            }
            let mut advanced = Vec::new();
            for block in v.blocks("advanced_event_selector") {
                let fields: Vec<Json> = block
                    .get("field_selector")
                    .and_then(Json::as_array)
                    .map(|list| {
                        list.iter()
                            .map(|f| {
                                let mut out = serde_json::Map::new();
                                for (from, to) in [
                                    ("field", "field"),
                                    ("equals", "equals"),
                                    ("not_equals", "notEquals"),
                                    ("starts_with", "startsWith"),
                                    ("not_starts_with", "notStartsWith"),
                                    ("ends_with", "endsWith"),
                                    ("not_ends_with", "notEndsWith"),
                                ] {
                                    if let Some(value) = f.get(from).filter(|v| !v.is_null()) {
                                        out.insert(to.to_owned(), value.clone());
                                    }
                                }
                                Json::Object(out)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut selector = serde_json::json!({ "fieldSelectors": fields });
                if let Some(name) = field(&block, "name") {
                    selector["name"] = Json::String(name);
                }
                advanced.push(selector);
            }
            let selectors: EventSelectors = serde_json::from_value(serde_json::json!({
                "eventSelectors": basic,
                "advancedEventSelectors": advanced,
            }))
            .map_err(|error| v.error("event_selector", error.to_string()))?;
            let trail = Trail {
                name,
                trail_arn: arn.clone(),
                home_region: r.clone(),
                is_multi_region_trail: v.boolean("is_multi_region_trail", false)?,
                is_organization_trail: v.boolean("is_organization_trail", false)?,
                include_global_service_events: v.boolean("include_global_service_events", true)?,
                s3_bucket_name: v.string("s3_bucket_name")?,
                kms_key_id: v.string("kms_key_id")?,
                log_file_validation_enabled: v.boolean("enable_log_file_validation", false)?,
                cloud_watch_logs_log_group_arn: v.string("cloud_watch_logs_group_arn")?,
                cloud_watch_logs_role_arn: v.string("cloud_watch_logs_role_arn")?,
                status: Some(TrailStatus {
                    is_logging: v.boolean("enable_logging", true)?,
                    ..TrailStatus::default()
                }),
                event_selectors: Some(selectors),
            };
            out.planned.push(Planned::Trail(trail));
            out.identities.push(arn);
        }
        "aws_cloudwatch_log_group" => {
            let arn = arn_of("arn").unwrap_or_default();
            out.planned.push(Planned::LogGroup(LogGroup {
                log_group_name: name,
                arn: arn.clone(),
                retention_in_days: v.number::<u32>("retention_in_days")?.filter(|d| *d > 0),
                kms_key_id: v.string("kms_key_id")?,
                log_group_class: v.string("log_group_class")?.map(Into::into),
            }));
            out.identities.push(arn);
        }
        "aws_cloudwatch_log_metric_filter" => {
            let group = v.required("log_group_name")?;
            let mut transformations = Vec::new();
            for block in v.blocks("metric_transformation") {
                let need = |key: &str| {
                    field(&block, key).ok_or_else(|| {
                        v.error("metric_transformation", format!("`{key}` is required"))
                    })
                };
                transformations.push(MetricTransformation {
                    metric_name: need("name")?,
                    metric_namespace: need("namespace")?,
                    metric_value: need("value")?,
                    default_value: field(&block, "default_value").and_then(|d| d.parse().ok()),
                    dimensions: block
                        .get("dimensions")
                        .and_then(Json::as_object)
                        .map(|m| {
                            m.iter()
                                .filter_map(|(k, v)| Some((k.clone(), scalar(v)?)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    unit: field(&block, "unit").filter(|u| u != "None"),
                });
            }
            let identity = format!("arn:{p}:logs:{r}:{a}:log-group:{group}:metric-filter:{name}");
            out.planned.push(Planned::MetricFilter(MetricFilter {
                filter_name: name,
                log_group_name: group,
                filter_pattern: v.string("pattern")?.unwrap_or_default(),
                metric_transformations: transformations,
                creation_time: None,
                apply_on_transformed_logs: v.boolean("apply_on_transformed_logs", false)?,
                field_selection_criteria: None,
                emit_system_field_dimensions: Vec::new(),
            }));
            out.identities.push(identity);
        }
        "aws_cloudwatch_metric_alarm" => {
            let arn = arn_of("arn").unwrap_or_default();
            let mut metrics = Vec::new();
            for block in v.blocks("metric_query") {
                let metric_stat = block
                    .get("metric")
                    .and_then(|m| m.as_array().and_then(|l| l.first()).or(Some(m)))
                    .and_then(Json::as_object)
                    .map(|metric| {
                        serde_json::json!({
                        "metric": {
                            "namespace": field(metric, "namespace"),
                            "metricName": field(metric, "metric_name"),
                            "dimensions": dimensions_of(metric.get("dimensions")),
                        },
                        "period": field(metric, "period").and_then(|p| number::<u32>(&p)),
                        "stat": field(metric, "stat"),
                        "unit": field(metric, "unit"),
                        })
                    });
                let mut query = serde_json::json!({
                    "id": field(&block, "id"),
                    "returnData": block.get("return_data").and_then(boolean).unwrap_or(false),
                });
                for (from, to) in [("expression", "expression"), ("label", "label")] {
                    if let Some(text) = field(&block, from).filter(|t| !t.is_empty()) {
                        query[to] = Json::String(text);
                    }
                }
                if let Some(period) = field(&block, "period").and_then(|p| number::<u32>(&p))
                    && period > 0
                {
                    query["period"] = period.into();
                }
                if let Some(stat) = metric_stat {
                    query["metricStat"] = stat;
                }
                let query: MetricDataQuery = serde_json::from_value(query)
                    .map_err(|error| v.error("metric_query", error.to_string()))?;
                metrics.push(query);
            }
            // "return_data - Specify exactly one `metric_query` to be true to use that
            // `metric_query` result as the alarm" (aws_cloudwatch_metric_alarm): with a single
            // query, the provider leaves it unset and CloudWatch returns that one.
            if let [only] = metrics.as_mut_slice() {
                only.return_data = true;
            }
            out.planned.push(Planned::MetricAlarm(MetricAlarm {
                alarm_name: name,
                alarm_arn: arn.clone(),
                actions_enabled: v.boolean("actions_enabled", true)?,
                alarm_actions: v.strings("alarm_actions")?,
                ok_actions: v.strings("ok_actions")?,
                insufficient_data_actions: v.strings("insufficient_data_actions")?,
                metric_name: v.string("metric_name")?.filter(|s| !s.is_empty()),
                namespace: v.string("namespace")?.filter(|s| !s.is_empty()),
                statistic: v
                    .string("statistic")?
                    .filter(|s| !s.is_empty())
                    .map(Into::into),
                extended_statistic: v.string("extended_statistic")?.filter(|s| !s.is_empty()),
                dimensions: dimensions_of(v.get("dimensions")),
                period: v.number("period")?.filter(|p: &u32| *p > 0),
                evaluation_periods: v.number("evaluation_periods")?.unwrap_or(1),
                datapoints_to_alarm: v.number("datapoints_to_alarm")?.filter(|d: &u32| *d > 0),
                threshold: v.number("threshold")?,
                comparison_operator: v.required("comparison_operator")?.into(),
                treat_missing_data: Some(
                    v.string("treat_missing_data")?
                        .unwrap_or_else(|| "missing".to_owned())
                        .into(),
                ),
                metrics,
                threshold_metric_id: v.string("threshold_metric_id")?.filter(|s| !s.is_empty()),
                state_value: None,
            }));
            out.identities.push(arn);
        }
        "aws_cloudwatch_composite_alarm" => {
            let arn = arn_of("arn").unwrap_or_default();
            out.planned.push(Planned::CompositeAlarm(CompositeAlarm {
                alarm_name: name,
                alarm_arn: arn.clone(),
                alarm_rule: v.required("alarm_rule")?,
                actions_enabled: v.boolean("actions_enabled", true)?,
                alarm_actions: v.strings("alarm_actions")?,
            }));
            out.identities.push(arn);
        }
        "aws_sns_topic" => {
            let arn = arn_of("arn").unwrap_or_default();
            out.planned.push(Planned::Topic(Topic {
                topic_arn: arn.clone(),
                kms_master_key_id: v.string("kms_master_key_id")?.filter(|k| !k.is_empty()),
                subscriptions: Vec::new(),
            }));
            // Without `policy`, SNS gives the topic its default access policy; an
            // `aws_sns_topic_policy` replaces either.
            let policy = v
                .document("policy")
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| aws_defaults::topic_policy(&arn, a));
            out.planned.push(Planned::TopicPolicy(TopicPolicy {
                topic_arn: arn.clone(),
                policy,
            }));
            out.identities.push(arn);
        }
        "aws_sns_topic_subscription" => {
            let topic_arn = v.required("topic_arn")?;
            let protocol = v.required("protocol")?;
            let needs_confirmation =
                matches!(protocol.as_str(), "email" | "email-json" | "http" | "https");
            let confirmed_arn = format!("{topic_arn}:{}", key_id(&resource.address));
            let subscription_arn = if needs_confirmation && !assume_confirmed {
                "PendingConfirmation".to_owned()
            } else {
                confirmed_arn.clone()
            };
            if needs_confirmation {
                let text = if assume_confirmed {
                    format!(
                        "the {protocol} subscription is assumed confirmed \
                         (--iac-assume-confirmed); SNS delivers nothing until its owner \
                         confirms it"
                    )
                } else {
                    format!(
                        "the {protocol} subscription stays PendingConfirmation until its owner \
                         confirms it, which the code cannot know; pass --iac-assume-confirmed \
                         if it will be"
                    )
                };
                out.assumptions.push(Assumption {
                    resource: Some(topic_arn.clone()),
                    file: resource.file.clone(),
                    line: Some(v.line("protocol")),
                    text,
                });
            }
            out.planned.push(Planned::Subscription {
                topic_arn,
                subscription: Subscription {
                    subscription_arn: subscription_arn.clone(),
                    protocol,
                    endpoint: "<redacted>".to_owned(),
                },
            });
            out.identities.push(confirmed_arn);
        }
        "aws_sns_topic_policy" => {
            let topic_arn = v.required("arn")?;
            let policy = v
                .document("policy")
                .ok_or_else(|| v.error("policy", "is required"))?;
            out.planned.push(Planned::TopicPolicyResource(TopicPolicy {
                topic_arn,
                policy,
            }));
        }
        "aws_cloudwatch_event_rule" => {
            let arn = arn_of("arn").unwrap_or_default();
            let bus = bus.unwrap_or_else(|| "default".to_owned());
            let bus = bus
                .rsplit_once("event-bus/")
                .map_or(bus.clone(), |(_, n)| n.to_owned());
            // `is_enabled` is the provider's older switch, replaced by `state`.
            let state = match (v.string("state")?, v.get("is_enabled").and_then(boolean)) {
                (Some(state), _) => state,
                (None, Some(false)) => "DISABLED".to_owned(),
                _ => "ENABLED".to_owned(),
            };
            out.planned.push(Planned::EventRule(EventRule {
                name: name.clone(),
                arn: arn.clone(),
                event_bus_name: bus.clone(),
                state: state.into(),
                event_pattern: v.document("event_pattern"),
                schedule_expression: v.string("schedule_expression")?,
                targets: targets
                    .get(&format!("{bus}/{name}"))
                    .cloned()
                    .unwrap_or_default(),
            }));
            out.identities.push(arn);
        }
        "aws_kms_key" => {
            let arn = arn_of("arn").unwrap_or_default();
            let key_id = v
                .string("key_id")?
                .unwrap_or_else(|| key_id(&resource.address));
            // Without `policy`, KMS attaches its default key policy.
            let policy = v
                .document("policy")
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| aws_defaults::key_policy(p, a));
            let enabled = v.boolean("is_enabled", true)?;
            out.planned.push(Planned::KmsKey {
                key: KmsKey {
                    key_id,
                    arn: arn.clone(),
                    key_manager: KeyManager::Customer,
                    key_state: if enabled {
                        KeyState::Enabled
                    } else {
                        KeyState::Disabled
                    },
                    origin: Origin::AwsKms,
                    expiration_model: None,
                    valid_to: None,
                    aliases: Vec::new(),
                },
                rotation: Some(KeyRotation {
                    key_arn: arn.clone(),
                    rotation_enabled: v.boolean("enable_key_rotation", false)?,
                    rotation_period_in_days: v
                        .number("rotation_period_in_days")?
                        .filter(|d: &u32| *d > 0),
                }),
                policy: Some(KeyPolicy {
                    key_arn: arn.clone(),
                    policy,
                }),
            });
            out.identities.push(arn);
        }
        "aws_kms_alias" => {
            let alias = v.required("name")?;
            let target = v.required("target_key_id")?;
            let target = if target.starts_with("arn:") {
                target
            } else {
                format!("arn:{p}:kms:{r}:{a}:key/{target}")
            };
            out.planned.push(Planned::KeyAlias { target, alias });
        }
        _ => return Ok(None),
    }
    for (attribute, why) in &resource.unknown {
        // Listed with the whole code's assumptions, so that it shows whichever finding the
        // missing value leads to.
        out.assumptions.push(Assumption {
            resource: None,
            file: resource.file.clone(),
            line: Some(v.line(attribute)),
            text: format!(
                "could not verify {}.{attribute}: {why}; it is checked as if unset",
                resource.address
            ),
        });
    }
    Ok(Some(out))
}

/// An `aws_cloudwatch_event_target`, keyed `bus/rule` for [`map`].
pub fn event_target(resource: &TfResource) -> Result<(String, EventTarget), IacError> {
    let v = Values { resource };
    let rule = v.required("rule")?;
    let bus = v
        .string("event_bus_name")?
        .unwrap_or_else(|| "default".to_owned());
    let bus = bus
        .rsplit_once("event-bus/")
        .map_or(bus.clone(), |(_, n)| n.to_owned());
    let target = EventTarget {
        id: v
            .string("target_id")?
            .unwrap_or_else(|| generated_name(&resource.name)),
        arn: v.required("arn")?,
    };
    Ok((format!("{bus}/{rule}"), target))
}
