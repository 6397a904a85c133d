//! CloudFormation resources to snapshot fragments, property by property, following each
//! resource type's reference in the CloudFormation User Guide
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html>).
//!
//! E-mail and HTTP(S) subscriptions: SNS sends the endpoint a confirmation message and lists
//! the subscription as `PendingConfirmation` until its owner confirms it; "Amazon SNS will not
//! send notifications to the endpoint until you confirm the subscription"
//! (<https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html>; e-mail
//! endpoints get a confirmation e-mail with the same rule,
//! <https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html>).
//! A template cannot know whether anyone will, so such a subscription is planned as pending,
//! and the findings about its topic state that assumption; `--iac-assume-confirmed` plans them
//! as confirmed instead, for a team that confirms on deploy. Lambda, SQS, Firehose, SMS and
//! application endpoints in the same account need no confirmation.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};
use trailwarden_sdk::snapshot::{
    CompositeAlarm, Dimension, EventRule, EventSelectors, EventTarget, KeyManager, KeyPolicy,
    KeyRotation, KeyState, KmsKey, LogGroup, MetricAlarm, MetricDataQuery, MetricFilter,
    MetricTransformation, Origin, Subscription, Topic, TopicPolicy, Trail, TrailStatus,
};

use super::intrinsics::{Template, key_id, text, truthy};
use crate::iac::aws_defaults;
use crate::iac::typed::TypedValues;
use crate::iac::{Assumption, IacError, Planned};

/// A resource's resolved properties, with where to report problems.
pub struct Props<'t> {
    /// The evaluation context.
    pub template: &'t Template<'t>,
    /// The logical id.
    pub logical_id: &'t str,
    /// The resource's line.
    pub line: u32,
    /// Property name to resolved value.
    pub values: Map<String, Json>,
    /// Property name to line.
    pub lines: BTreeMap<String, u32>,
}

impl TypedValues for Props<'_> {
    fn raw(&self, property: &str) -> Option<&Json> {
        self.values.get(property).filter(|v| !v.is_null())
    }

    fn error(&self, property: &str, message: impl Into<String>) -> IacError {
        let line = self.lines.get(property).copied().unwrap_or(self.line);
        self.template.invalid(
            line,
            format!("{}.{property}: {}", self.logical_id, message.into()),
        )
    }

    fn text_of(value: &Json) -> Option<String> {
        text(value)
    }

    fn bool_of(value: &Json) -> Option<bool> {
        truthy(value)
    }
}

impl Props<'_> {
    fn list(&self, property: &str) -> Result<Vec<Json>, IacError> {
        match self.values.get(property) {
            None | Some(Json::Null) => Ok(Vec::new()),
            Some(Json::Array(items)) => Ok(items.clone()),
            Some(value) => Err(self.error(property, format!("expected a list, found {value}"))),
        }
    }

    /// A nested structure read as an SDK type: the CloudFormation names become the API's
    /// camelCase, keys in `drop` are left out.
    fn structured<T: serde::de::DeserializeOwned>(
        &self,
        property: &str,
        value: &Json,
        drop: &[&str],
    ) -> Result<T, IacError> {
        serde_json::from_value(camel(value, drop))
            .map_err(|error| self.error(property, error.to_string()))
    }
}

/// `{"ReadWriteType": ...}` to `{"readWriteType": ...}`, recursively; `Type` becomes `type`
/// as everywhere else. Scalars that should be numbers stay as the template wrote them.
fn camel(value: &Json, drop: &[&str]) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(k, _)| !drop.contains(&k.as_str()))
                .map(|(k, v)| {
                    let mut chars = k.chars();
                    let key = match chars.next() {
                        Some(first) => first.to_lowercase().chain(chars).collect(),
                        None => String::new(),
                    };
                    (key, camel(v, drop))
                })
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(|v| camel(v, drop)).collect()),
        other => other.clone(),
    }
}

/// What one resource becomes; the identities (ARNs) it is known by; the assumptions it adds.
pub struct Mapped {
    /// The fragments.
    pub planned: Vec<Planned>,
    /// The ARNs (and filter ids) findings may name it by.
    pub identities: Vec<String>,
    /// Assumptions about it.
    pub assumptions: Vec<Assumption>,
}

/// Maps one resource of `kind`; `None` for types the chain does not involve.
pub fn map(
    kind: &str,
    props: &Props<'_>,
    assume_confirmed: bool,
) -> Result<Option<Mapped>, IacError> {
    let t = props.template;
    let id = props.logical_id;
    let (p, r, a) = (&t.partition, &t.region, &t.account);
    let mut assumptions = Vec::new();
    let mapped = |planned: Vec<Planned>, identities: Vec<String>, assumptions: Vec<Assumption>| {
        Ok(Some(Mapped {
            planned,
            identities,
            assumptions,
        }))
    };
    match kind {
        "AWS::CloudTrail::Trail" => {
            let name = t.name(id, props.line)?;
            let arn = format!("arn:{p}:cloudtrail:{r}:{a}:trail/{name}");
            let basic = props.list("EventSelectors")?;
            let advanced = props.list("AdvancedEventSelectors")?;
            let selectors: EventSelectors = props.structured(
                "EventSelectors",
                &serde_json::json!({"EventSelectors": basic, "AdvancedEventSelectors": advanced}),
                &[],
            )?;
            let kms_key_id = props.string("KMSKeyId")?.map(|key| key_arn(&key, p, r, a));
            let trail = Trail {
                name,
                trail_arn: arn.clone(),
                home_region: r.clone(),
                is_multi_region_trail: props.boolean("IsMultiRegionTrail", false)?,
                is_organization_trail: props.boolean("IsOrganizationTrail", false)?,
                include_global_service_events: props.boolean("IncludeGlobalServiceEvents", true)?,
                s3_bucket_name: props.string("S3BucketName")?,
                kms_key_id,
                log_file_validation_enabled: props.boolean("EnableLogFileValidation", false)?,
                cloud_watch_logs_log_group_arn: props.string("CloudWatchLogsLogGroupArn")?,
                cloud_watch_logs_role_arn: props.string("CloudWatchLogsRoleArn")?,
                status: Some(TrailStatus {
                    is_logging: props.boolean("IsLogging", false)?,
                    ..TrailStatus::default()
                }),
                event_selectors: Some(selectors),
            };
            mapped(vec![Planned::Trail(trail)], vec![arn], assumptions)
        }
        "AWS::Logs::LogGroup" => {
            let name = t.name(id, props.line)?;
            let arn = format!("arn:{p}:logs:{r}:{a}:log-group:{name}");
            let group = LogGroup {
                log_group_name: name,
                arn: arn.clone(),
                retention_in_days: props.number("RetentionInDays")?,
                kms_key_id: props.string("KmsKeyId")?,
                log_group_class: props.string("LogGroupClass")?.map(Into::into),
            };
            mapped(vec![Planned::LogGroup(group)], vec![arn], assumptions)
        }
        "AWS::Logs::MetricFilter" => {
            let name = t.name(id, props.line)?;
            let group = props.required("LogGroupName")?;
            let mut transformations = Vec::new();
            for item in props.list("MetricTransformations")? {
                let field = |key: &str| item.get(key).and_then(text);
                let dimensions = item
                    .get("Dimensions")
                    .and_then(Json::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|d| {
                                Some((d.get("Key").and_then(text)?, d.get("Value").and_then(text)?))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                transformations.push(MetricTransformation {
                    metric_name: field("MetricName").ok_or_else(|| {
                        props.error("MetricTransformations", "MetricName is required")
                    })?,
                    metric_namespace: field("MetricNamespace").ok_or_else(|| {
                        props.error("MetricTransformations", "MetricNamespace is required")
                    })?,
                    metric_value: field("MetricValue").ok_or_else(|| {
                        props.error("MetricTransformations", "MetricValue is required")
                    })?,
                    default_value: field("DefaultValue").and_then(|v| v.parse().ok()),
                    dimensions,
                    unit: field("Unit"),
                });
            }
            let group_arn = format!("arn:{p}:logs:{r}:{a}:log-group:{group}");
            let filter = MetricFilter {
                filter_name: name.clone(),
                log_group_name: group,
                filter_pattern: props.string("FilterPattern")?.unwrap_or_default(),
                metric_transformations: transformations,
                creation_time: None,
                apply_on_transformed_logs: props.boolean("ApplyOnTransformedLogs", false)?,
                field_selection_criteria: None,
                emit_system_field_dimensions: Vec::new(),
            };
            let identity = format!("{group_arn}:metric-filter:{name}");
            mapped(
                vec![Planned::MetricFilter(filter)],
                vec![identity],
                assumptions,
            )
        }
        "AWS::CloudWatch::Alarm" => {
            let name = t.name(id, props.line)?;
            let arn = format!("arn:{p}:cloudwatch:{r}:{a}:alarm:{name}");
            let dimensions: Vec<Dimension> = match props.values.get("Dimensions") {
                Some(value) => props.structured("Dimensions", value, &[])?,
                None => Vec::new(),
            };
            let metrics: Vec<MetricDataQuery> = match props.values.get("Metrics") {
                Some(value) => props.structured("Metrics", value, &["AccountId"])?,
                None => Vec::new(),
            };
            let alarm = MetricAlarm {
                alarm_name: name,
                alarm_arn: arn.clone(),
                actions_enabled: props.boolean("ActionsEnabled", true)?,
                alarm_actions: props.strings("AlarmActions")?,
                ok_actions: props.strings("OKActions")?,
                insufficient_data_actions: props.strings("InsufficientDataActions")?,
                metric_name: props.string("MetricName")?,
                namespace: props.string("Namespace")?,
                statistic: props.string("Statistic")?.map(Into::into),
                extended_statistic: props.string("ExtendedStatistic")?,
                dimensions,
                period: props.number("Period")?,
                evaluation_periods: props.number("EvaluationPeriods")?.unwrap_or(1),
                datapoints_to_alarm: props.number("DatapointsToAlarm")?,
                threshold: props.number("Threshold")?,
                comparison_operator: props.required("ComparisonOperator")?.into(),
                treat_missing_data: props.string("TreatMissingData")?.map(Into::into),
                metrics,
                threshold_metric_id: props.string("ThresholdMetricId")?,
                state_value: None,
            };
            mapped(vec![Planned::MetricAlarm(alarm)], vec![arn], assumptions)
        }
        "AWS::CloudWatch::CompositeAlarm" => {
            let name = t.name(id, props.line)?;
            let arn = format!("arn:{p}:cloudwatch:{r}:{a}:alarm:{name}");
            let alarm = CompositeAlarm {
                alarm_name: name,
                alarm_arn: arn.clone(),
                alarm_rule: props.required("AlarmRule")?,
                actions_enabled: props.boolean("ActionsEnabled", true)?,
                alarm_actions: props.strings("AlarmActions")?,
            };
            mapped(vec![Planned::CompositeAlarm(alarm)], vec![arn], assumptions)
        }
        "AWS::SNS::Topic" => {
            let name = t.name(id, props.line)?;
            let arn = format!("arn:{p}:sns:{r}:{a}:{name}");
            let mut subscriptions = Vec::new();
            for (index, item) in props.list("Subscription")?.iter().enumerate() {
                let protocol = item
                    .get("Protocol")
                    .and_then(text)
                    .ok_or_else(|| props.error("Subscription", "Protocol is required"))?;
                let (subscription, note) =
                    subscription(&arn, &format!("{id}-{index}"), &protocol, assume_confirmed);
                if let Some(text) = note {
                    assumptions.push(assumption(props, "Subscription", &arn, text));
                }
                subscriptions.push(subscription);
            }
            let topic = Topic {
                topic_arn: arn.clone(),
                kms_master_key_id: props.string("KmsMasterKeyId")?,
                subscriptions,
            };
            // SNS gives a new topic its default access policy; an AWS::SNS::TopicPolicy
            // replaces it.
            let policy = Planned::TopicPolicy(TopicPolicy {
                topic_arn: arn.clone(),
                policy: aws_defaults::topic_policy(&arn, a),
            });
            mapped(vec![Planned::Topic(topic), policy], vec![arn], assumptions)
        }
        "AWS::SNS::Subscription" => {
            let topic_arn = props.required("TopicArn")?;
            let protocol = props.required("Protocol")?;
            let (subscription, note) = subscription(&topic_arn, id, &protocol, assume_confirmed);
            if let Some(text) = note {
                assumptions.push(assumption(props, "Protocol", &topic_arn, text));
            }
            let identity = subscription.subscription_arn.clone();
            mapped(
                vec![Planned::Subscription {
                    topic_arn,
                    subscription,
                }],
                vec![identity],
                assumptions,
            )
        }
        "AWS::SNS::TopicPolicy" => {
            let policy = props
                .document("PolicyDocument")
                .ok_or_else(|| props.error("PolicyDocument", "is required"))?;
            let topics = props.strings("Topics")?;
            let planned = topics
                .iter()
                .map(|topic| {
                    Planned::TopicPolicyResource(TopicPolicy {
                        topic_arn: topic.clone(),
                        policy: policy.clone(),
                    })
                })
                .collect();
            mapped(planned, Vec::new(), assumptions)
        }
        "AWS::Events::Rule" => {
            let name = t.name(id, props.line)?;
            let bus = props
                .string("EventBusName")?
                .unwrap_or_else(|| "default".to_owned());
            let bus = bus
                .rsplit_once("event-bus/")
                .map_or(bus.clone(), |(_, n)| n.to_owned());
            let arn = if bus == "default" {
                format!("arn:{p}:events:{r}:{a}:rule/{name}")
            } else {
                format!("arn:{p}:events:{r}:{a}:rule/{bus}/{name}")
            };
            let mut targets = Vec::new();
            for item in props.list("Targets")? {
                targets.push(EventTarget {
                    id: item
                        .get("Id")
                        .and_then(text)
                        .ok_or_else(|| props.error("Targets", "Id is required"))?,
                    arn: item
                        .get("Arn")
                        .and_then(text)
                        .ok_or_else(|| props.error("Targets", "Arn is required"))?,
                });
            }
            let rule = EventRule {
                name,
                arn: arn.clone(),
                event_bus_name: bus,
                // Without State the rule is created ENABLED (AWS::Events::Rule reference,
                // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html).
                state: props
                    .string("State")?
                    .unwrap_or_else(|| "ENABLED".to_owned())
                    .into(),
                event_pattern: props.document("EventPattern"),
                schedule_expression: props.string("ScheduleExpression")?,
                targets,
            };
            mapped(vec![Planned::EventRule(rule)], vec![arn], assumptions)
        }
        "AWS::KMS::Key" => {
            let key_id = key_id(id);
            let arn = format!("arn:{p}:kms:{r}:{a}:key/{key_id}");
            let enabled = props.boolean("Enabled", true)?;
            // Without KeyPolicy, KMS attaches its default key policy.
            let policy = props
                .document("KeyPolicy")
                .unwrap_or_else(|| aws_defaults::key_policy(p, a));
            let key = KmsKey {
                key_id,
                arn: arn.clone(),
                key_manager: KeyManager::Customer,
                key_state: if enabled {
                    KeyState::Enabled
                } else {
                    KeyState::Disabled
                },
                origin: props.string("Origin")?.map_or(Origin::AwsKms, Into::into),
                expiration_model: None,
                valid_to: None,
                aliases: Vec::new(),
            };
            let rotation = KeyRotation {
                key_arn: arn.clone(),
                rotation_enabled: props.boolean("EnableKeyRotation", false)?,
                rotation_period_in_days: props.number("RotationPeriodInDays")?,
            };
            let policy = KeyPolicy {
                key_arn: arn.clone(),
                policy,
            };
            mapped(
                vec![Planned::KmsKey {
                    key,
                    rotation: Some(rotation),
                    policy: Some(policy),
                }],
                vec![arn],
                assumptions,
            )
        }
        "AWS::KMS::Alias" => {
            let alias = props.required("AliasName")?;
            let target = props.required("TargetKeyId")?;
            mapped(
                vec![Planned::KeyAlias {
                    target: key_arn(&target, p, r, a),
                    alias,
                }],
                Vec::new(),
                assumptions,
            )
        }
        _ => Ok(None),
    }
}

/// A key reference as the ARN the collector records: ids and aliases become ARNs.
fn key_arn(key: &str, p: &str, r: &str, a: &str) -> String {
    if key.starts_with("arn:") {
        key.to_owned()
    } else if key.starts_with("alias/") {
        format!("arn:{p}:kms:{r}:{a}:{key}")
    } else {
        format!("arn:{p}:kms:{r}:{a}:key/{key}")
    }
}

/// A planned subscription and, when it rests on one, the assumption it makes.
fn subscription(
    topic_arn: &str,
    id: &str,
    protocol: &str,
    assume_confirmed: bool,
) -> (Subscription, Option<String>) {
    let needs_confirmation = matches!(protocol, "email" | "email-json" | "http" | "https");
    let confirmed_arn = format!("{topic_arn}:{id}");
    let (arn, note) = if !needs_confirmation {
        (confirmed_arn, None)
    } else if assume_confirmed {
        (
            confirmed_arn,
            Some(format!(
                "the {protocol} subscription is assumed confirmed (--iac-assume-confirmed); SNS \
                 delivers nothing until its owner confirms it"
            )),
        )
    } else {
        (
            "PendingConfirmation".to_owned(),
            Some(format!(
                "the {protocol} subscription stays PendingConfirmation until its owner confirms \
                 it, which the template cannot know; pass --iac-assume-confirmed if it will be"
            )),
        )
    };
    (
        Subscription {
            subscription_arn: arn,
            protocol: protocol.to_owned(),
            endpoint: "<redacted>".to_owned(),
        },
        note,
    )
}

fn assumption(props: &Props<'_>, property: &str, resource: &str, text: String) -> Assumption {
    Assumption {
        resource: Some(resource.to_owned()),
        file: props.template.file.clone(),
        line: Some(props.lines.get(property).copied().unwrap_or(props.line)),
        text,
    }
}
