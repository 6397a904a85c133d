//! The snapshot: everything trailwarden knows about one account, as plain data.
//!
//! The snapshot is the contract between the collector and the rules. The collector writes it,
//! users save and share it, and rules read it, so it is versioned ([`SCHEMA_VERSION`]) and every
//! section records whether it was really collected. A rule must never mistake "we could not
//! read the alarms" for "there are no alarms": that is what [`Section`] is for.
//!
//! Field names follow the AWS APIs (in camelCase) so that a reader can map each one to the
//! `describe-*`/`list-*` output it came from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::events::CloudTrailRecord;
pub use crate::sections::{SectionName, SectionSet};

mod attached;
pub mod centralization;
mod log_alarm;
pub mod org;
mod values;

pub use attached::{
    KeyPolicy, KeyRotation, KeyTags, SubscriptionAttributes, TopicDeliveries, TopicPolicy,
};
pub use log_alarm::LogAlarm;
pub use values::{
    AlarmState, ComparisonOperator, ExpirationModel, KeyManager, KeyState, LogGroupClass, Origin,
    RuleState, Statistic, TreatMissingData,
};

/// The snapshot schema version this SDK reads and writes.
///
/// Bumped on any change that an older reader would misread. A host refuses a snapshot whose
/// version differs, and a pack built against another version is told so before it runs.
pub const SCHEMA_VERSION: u32 = 1;

/// One account's monitoring configuration, per enabled region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Must equal [`SCHEMA_VERSION`]; checked before anything else is read.
    pub schema_version: u32,
    /// Who wrote the snapshot and when, for the report header.
    #[serde(default)]
    pub generator: Generator,
    /// The account the snapshot describes.
    pub account: Account,
    /// Every region that is enabled for the account. A requirement holds only when it holds in
    /// each of them, so a region missing here is a region nobody checked.
    pub regions: Vec<RegionSnapshot>,
    /// CloudTrail records for detection rules, from `LookupEvents`, log files or a log group,
    /// each one a plain record. Older snapshots that hold log files' objects or raw
    /// `LookupEvents` entries are unpacked as they are read ([`crate::events::section`]).
    #[serde(
        default = "Section::not_collected",
        deserialize_with = "crate::events::section::deserialize"
    )]
    pub events: Section<CloudTrailRecord>,
    /// Account-wide collection failures that belong to no section (listing regions, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CollectionError>,
    /// Other accounts of the same run whose resources this account's chains continue into:
    /// the owner of an organization trail that records this account's events (its log group,
    /// filters, alarms and topics), the account of a log group a trail delivers to, or the
    /// account of a topic an alarm or event rule publishes to.
    ///
    /// Empty in a one-account snapshot, and then not written, so a snapshot without it reads
    /// and writes exactly as before. The host fills it when it evaluates one account of an
    /// organization ([`org::OrganizationSnapshot::evaluation_snapshot`]), so that built-in and
    /// user packs see the cross-account data the same way, through the one chain analysis
    /// ([`Snapshot::account_view`]). A linked account holds, one level deep, the accounts of
    /// the topics its own alarms and event rules publish to, and nothing further.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_accounts: Vec<Snapshot>,
    /// The organization's CloudWatch Logs centralization rules, which copy this account's log
    /// groups into a destination account ([`centralization`]). Filled, like
    /// `linked_accounts`, only when the host evaluates one account of an organization whose
    /// rules were collected; empty otherwise, and then not written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub centralization_rules: Vec<centralization::CentralizationRule>,
}

/// Provenance of a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Generator {
    /// Tool name and version that wrote the snapshot, e.g. `trailwarden 0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// RFC 3339 time the collection finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// The events window, when events were collected: RFC 3339 start and end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_window: Option<(String, String)>,
}

/// The account a snapshot describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// `aws`, `aws-cn` or `aws-us-gov`; ARNs are built and compared within it.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// The AWS Organizations id, when the account belongs to one. Organization trails owned by
    /// the management account are recognised by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// A friendly name for reports (the account alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

fn default_partition() -> String {
    "aws".to_owned()
}

/// The resources of one enabled region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionSnapshot {
    /// The region code, e.g. `eu-west-1`.
    pub region: String,
    /// Trails as `DescribeTrails` lists them here, shadow trails of other home regions included.
    pub trails: Section<Trail>,
    /// CloudWatch Logs log groups.
    pub log_groups: Section<LogGroup>,
    /// CloudWatch Logs metric filters of every log group in the region.
    pub metric_filters: Section<MetricFilter>,
    /// CloudWatch metric alarms.
    pub metric_alarms: Section<MetricAlarm>,
    /// CloudWatch composite alarms (they can carry the notification for a metric alarm).
    #[serde(default = "Section::not_collected")]
    pub composite_alarms: Section<CompositeAlarm>,
    /// SNS topics with their subscriptions.
    pub topics: Section<Topic>,
    /// EventBridge rules on the default event bus, with targets.
    pub event_rules: Section<EventRule>,
    /// KMS keys, customer-managed and AWS-managed.
    pub kms_keys: Section<KmsKey>,
    /// The rotation status of each customer-managed KMS key (`keyRotations`, SDK 0.2.0).
    ///
    /// This and the sections after it came after the first SDK: absent from a snapshot, they
    /// read as not collected, and a not-collected one is not written, so a snapshot without
    /// them reads and writes exactly as before (see [`crate::sections`]).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub key_rotations: Section<KeyRotation>,
    /// The key policy of each KMS key (`keyPolicies`, SDK 0.2.0).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub key_policies: Section<KeyPolicy>,
    /// The tags of each customer-managed KMS key (`keyTags`, SDK 0.2.0).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub key_tags: Section<KeyTags>,
    /// The access policy of each SNS topic (`topicPolicies`, SDK 0.2.0).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub topic_policies: Section<TopicPolicy>,
    /// Each SNS topic's delivered and failed notifications over the last 24 hours
    /// (`topicDeliveries`, SDK 0.2.0).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub topic_deliveries: Section<TopicDeliveries>,
    /// The attributes of each confirmed SNS subscription (`subscriptionAttributes`, SDK 0.3.0).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub subscription_attributes: Section<SubscriptionAttributes>,
    /// CloudWatch log alarms: alarms on a CloudWatch Logs scheduled query (`logAlarms`, SDK
    /// 0.3.0).
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub log_alarms: Section<LogAlarm>,
}

/// A list of resources plus the truth about how it was obtained.
///
/// `collected == false` means nobody asked (the selected rules did not need it); a non-empty
/// `errors` means somebody asked and AWS refused or failed. Either way the list cannot be
/// trusted to be complete, and [`Section::verified`] says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Section<T> {
    /// Whether collection of this section was attempted.
    #[serde(default = "yes")]
    pub collected: bool,
    /// The resources found.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// Calls that failed while filling this section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CollectionError>,
}

fn yes() -> bool {
    true
}

impl<T> Default for Section<T> {
    fn default() -> Self {
        Self::of(Vec::new())
    }
}

impl<T> Section<T> {
    /// A complete section holding `items`.
    pub fn of(items: Vec<T>) -> Self {
        Self {
            collected: true,
            items,
            errors: Vec::new(),
        }
    }

    /// A section nobody collected.
    pub fn not_collected() -> Self {
        Self {
            collected: false,
            items: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Whether nobody asked for the section: not collected, nothing in it, no marker or error.
    /// Sections added after the first SDK are left out of a written snapshot in this state, so
    /// that readers which do not know them are not handed them.
    pub fn is_not_collected(&self) -> bool {
        !self.collected && self.items.is_empty() && self.errors.is_empty()
    }

    /// A section whose collection failed with `error`.
    pub fn failed(error: CollectionError) -> Self {
        Self {
            collected: true,
            items: Vec::new(),
            errors: vec![error],
        }
    }

    /// The items, if the list is known to be complete; otherwise why it is not.
    ///
    /// Rules call this rather than reading `items` so that missing data becomes "could not
    /// verify" instead of a silent pass or a false failure.
    pub fn verified(&self) -> Result<&[T], Incomplete<'_>> {
        if !self.collected {
            match self.errors.first() {
                Some(marker) if crate::sections::is_withheld_marker(marker) => {
                    Err(Incomplete::Withheld(marker))
                }
                _ => Err(Incomplete::NotCollected),
            }
        } else if let Some(error) = self.errors.first() {
            Err(Incomplete::Failed(error))
        } else {
            Ok(&self.items)
        }
    }
}

/// Why a [`Section`] cannot be trusted to be complete.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Incomplete<'a> {
    /// The section was not collected at all.
    NotCollected,
    /// A call failed; the first failure is given.
    Failed(&'a CollectionError),
    /// The section may well have been collected, but the rule's `needs` does not list it, so
    /// the host withheld it from the pack (see [`crate::sections`]). The entry says which.
    Withheld(&'a CollectionError),
}

impl std::fmt::Display for Incomplete<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Incomplete::NotCollected => f.write_str("it was not collected"),
            Incomplete::Failed(error) => write!(f, "{error}"),
            Incomplete::Withheld(marker) => f.write_str(&crate::sections::withheld_reason(marker)),
        }
    }
}

/// One AWS call that failed during collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionError {
    /// Service, e.g. `cloudtrail`.
    pub service: String,
    /// API operation, e.g. `DescribeTrails`.
    pub operation: String,
    /// The region the call went to, if regional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The AWS error code (`AccessDeniedException`, `Throttling`, …) or `Timeout`.
    pub code: String,
    /// The error message, as AWS gave it.
    #[serde(default)]
    pub message: String,
}

impl std::fmt::Display for CollectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} failed", self.service, self.operation)?;
        if let Some(region) = &self.region {
            write!(f, " in {region}")?;
        }
        write!(f, " with {}", self.code)?;
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        Ok(())
    }
}

/// A CloudTrail trail, from `DescribeTrails`, with its status and selectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Trail {
    /// The trail name.
    pub name: String,
    /// The trail ARN; the identity used to deduplicate shadow trails.
    pub trail_arn: String,
    /// The region the trail was created in; status and selectors are authoritative there.
    pub home_region: String,
    /// Whether the trail records events in every region.
    #[serde(default)]
    pub is_multi_region_trail: bool,
    /// Whether this is an AWS Organizations trail.
    #[serde(default)]
    pub is_organization_trail: bool,
    /// Whether global-service events (IAM, STS, CloudFront) are included.
    #[serde(default = "yes")]
    pub include_global_service_events: bool,
    /// The S3 bucket receiving log files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket_name: Option<String>,
    /// The KMS key (ARN) encrypting log files, if SSE-KMS is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Whether log file integrity validation is on.
    #[serde(default)]
    pub log_file_validation_enabled: bool,
    /// The log group ARN (ending in `:*`) that receives the events, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// The role CloudTrail assumes to write to CloudWatch Logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logs_role_arn: Option<String>,
    /// `GetTrailStatus`, read in the home region; `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TrailStatus>,
    /// `GetEventSelectors`, read in the home region; `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_selectors: Option<EventSelectors>,
}

impl Trail {
    /// The account that owns the trail, from its ARN.
    pub fn owner_account(&self) -> Option<&str> {
        crate::arn::Arn::parse(&self.trail_arn).map(|arn| arn.account)
    }
}

/// `GetTrailStatus` output, the parts the rules read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrailStatus {
    /// Whether the trail is recording.
    pub is_logging: bool,
    /// Last error delivering to CloudWatch Logs, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    /// Last successful delivery to CloudWatch Logs (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_cloud_watch_logs_delivery_time: Option<String>,
    /// Last error delivering log files to S3, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_delivery_error: Option<String>,
}

/// `GetEventSelectors` output: a trail uses basic or advanced selectors, never both. Both empty
/// means the CloudTrail default (all management events, read and write).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventSelectors {
    /// Basic event selectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_selectors: Vec<EventSelector>,
    /// Advanced event selectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

/// A basic event selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    #[serde(default = "read_write_all")]
    pub read_write_type: ReadWriteType,
    /// Whether management events are recorded by this selector.
    #[serde(default = "yes")]
    pub include_management_events: bool,
    /// Event sources (`kms.amazonaws.com`, `rdsdata.amazonaws.com`) dropped from management
    /// events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
    /// Data-event resources; irrelevant to management events but kept for completeness.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
}

fn read_write_all() -> ReadWriteType {
    ReadWriteType::All
}

/// Which management events a basic selector records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadWriteType {
    /// Read and write events.
    All,
    /// Read-only events.
    ReadOnly,
    /// Write events.
    WriteOnly,
}

/// A data-event resource of a basic selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataResource {
    /// E.g. `AWS::S3::Object`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// ARN prefixes.
    #[serde(default)]
    pub values: Vec<String>,
}

/// An advanced event selector: every field selector must accept a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvancedEventSelector {
    /// The selector's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Conditions, ANDed.
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

/// One condition of an advanced event selector. Within one operator the values are ORed;
/// different operators on the same field are ANDed (`NotEquals` values are ANDed by meaning).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    /// `eventCategory`, `readOnly`, `eventSource`, `eventName`, `eventType`, `resources.type`,
    /// `resources.ARN`, `errorCode`, `userIdentity.arn`, `sessionCredentialFromConsole`, …
    pub field: String,
    /// Equals values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// NotEquals values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    /// StartsWith values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// NotStartsWith values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    /// EndsWith values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    /// NotEndsWith values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogGroup {
    /// The log group name.
    pub log_group_name: String,
    /// The log group ARN, without the trailing `:*`.
    pub arn: String,
    /// Retention in days; `None` keeps logs forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<u32>,
    /// KMS key encrypting the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `STANDARD` or `INFREQUENT_ACCESS`; the latter supports no metric filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_class: Option<LogGroupClass>,
}

/// A CloudWatch Logs metric filter, with every field `DescribeMetricFilters` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricFilter {
    /// The filter name.
    pub filter_name: String,
    /// The log group the filter is attached to (in the region of the enclosing snapshot).
    pub log_group_name: String,
    /// The filter pattern, exactly as stored.
    #[serde(default)]
    pub filter_pattern: String,
    /// What the filter emits when the pattern matches.
    #[serde(default)]
    pub metric_transformations: Vec<MetricTransformation>,
    /// Creation time, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<i64>,
    /// Whether the filter runs on transformed logs (cannot be verified from configuration).
    #[serde(default)]
    pub apply_on_transformed_logs: bool,
    /// Selection criteria over system fields (`@aws.region`, `@aws.account`), for account-level
    /// filters; empty when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selection_criteria: Option<String>,
    /// System fields emitted as extra dimensions (`@aws.account`, `@aws.region`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emit_system_field_dimensions: Vec<String>,
}

/// One metric emitted by a metric filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricTransformation {
    /// Metric name.
    pub metric_name: String,
    /// Metric namespace.
    pub metric_namespace: String,
    /// `1`, another number, or `$.field` taken from the matched event.
    pub metric_value: String,
    /// Value published when a log event does not match; changes Average/Minimum semantics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
    /// Dimension name to `$.field` (or literal) value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
    /// Metric unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A CloudWatch metric alarm, with the metric-math and anomaly-detection fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricAlarm {
    /// Alarm name.
    pub alarm_name: String,
    /// Alarm ARN.
    pub alarm_arn: String,
    /// Whether actions run on state changes.
    #[serde(default = "yes")]
    pub actions_enabled: bool,
    /// Actions on entering ALARM: SNS topics, Lambda functions, SSM, Auto Scaling, EC2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    /// Actions on entering OK.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// Actions on entering INSUFFICIENT_DATA.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insufficient_data_actions: Vec<String>,
    /// Metric name, for single-metric alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    /// Metric namespace, for single-metric alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Sum`, `SampleCount`, `Average`, `Minimum`, `Maximum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
    /// Percentile statistics like `p99`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    /// Dimensions of the watched metric.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    /// Period in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    /// Number of periods evaluated.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// Breaching periods needed to alarm; `EvaluationPeriods` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<u32>,
    /// The static threshold; absent for anomaly-detection alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// E.g. `GreaterThanOrEqualToThreshold`, `LessThanLowerOrGreaterThanUpperThreshold`.
    pub comparison_operator: ComparisonOperator,
    /// `breaching`, `notBreaching`, `ignore`, `missing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<TreatMissingData>,
    /// Metric-math or anomaly-detection queries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricDataQuery>,
    /// For anomaly alarms: the id of the `ANOMALY_DETECTION_BAND` expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_metric_id: Option<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_value: Option<AlarmState>,
}

fn one() -> u32 {
    1
}

/// A metric dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dimension {
    /// Dimension name.
    pub name: String,
    /// Dimension value.
    pub value: String,
}

/// One query of a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricDataQuery {
    /// Query id (`m1`, `e1`).
    pub id: String,
    /// A metric-math expression, when this query is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// A metric and statistic, when this query is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    /// Whether this query is the alarm's value.
    #[serde(default = "yes")]
    pub return_data: bool,
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Period override for expressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
}

/// A metric with a statistic and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricStat {
    /// The metric.
    pub metric: MetricId,
    /// Period in seconds.
    pub period: u32,
    /// Statistic (`Sum`, `p90`, …).
    pub stat: Statistic,
    /// Unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A metric's identity: namespace, name and dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricId {
    /// Namespace.
    pub namespace: String,
    /// Metric name.
    pub metric_name: String,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
}

/// A CloudWatch composite alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompositeAlarm {
    /// Alarm name.
    pub alarm_name: String,
    /// Alarm ARN.
    pub alarm_arn: String,
    /// The rule expression, e.g. `ALARM("a") OR ALARM("b")`.
    pub alarm_rule: String,
    /// Whether actions run.
    #[serde(default = "yes")]
    pub actions_enabled: bool,
    /// Actions on entering ALARM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
}

/// An SNS topic with its subscriptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Topic {
    /// Topic ARN.
    pub topic_arn: String,
    /// `KmsMasterKeyId` attribute: key id, ARN or alias; `alias/aws/sns` blocks CloudWatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
    /// Subscriptions from `ListSubscriptionsByTopic`.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// An SNS subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    /// Subscription ARN, or `PendingConfirmation` / `Deleted` as SNS reports them.
    pub subscription_arn: String,
    /// `email`, `sms`, `https`, `lambda`, `sqs`, …
    pub protocol: String,
    /// The endpoint, redacted by default (`<redacted>`).
    #[serde(default)]
    pub endpoint: String,
}

impl Subscription {
    /// Whether this subscription will receive messages: SNS reports unconfirmed ones with the
    /// literal ARN `PendingConfirmation`.
    pub fn is_confirmed(&self) -> bool {
        self.subscription_arn.starts_with("arn:")
    }
}

/// An EventBridge rule on the default bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventRule {
    /// Rule name.
    pub name: String,
    /// Rule ARN.
    pub arn: String,
    /// Event bus name (`default`).
    #[serde(default = "default_bus")]
    pub event_bus_name: String,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: RuleState,
    /// The event pattern JSON text, if the rule is pattern-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// The schedule, if the rule is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// Targets from `ListTargetsByRule`.
    #[serde(default)]
    pub targets: Vec<EventTarget>,
}

fn default_bus() -> String {
    "default".to_owned()
}

/// An EventBridge rule target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventTarget {
    /// Target id.
    pub id: String,
    /// Target ARN (SNS topic, Lambda function, SQS queue, …).
    pub arn: String,
}

/// A KMS key from `ListKeys` + `DescribeKey` + `ListAliases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KmsKey {
    /// Key id (a UUID or `mrk-…`).
    pub key_id: String,
    /// Key ARN.
    pub arn: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: KeyManager,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, …
    pub key_state: KeyState,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    #[serde(default = "origin_kms")]
    pub origin: Origin,
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`, for imported material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<ExpirationModel>,
    /// When imported key material expires (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// Aliases, e.g. `alias/aws/sns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

fn origin_kms() -> Origin {
    Origin::AwsKms
}

impl KmsKey {
    /// Whether the customer manages this key (as opposed to an AWS-managed key).
    pub fn is_customer_managed(&self) -> bool {
        self.key_manager == KeyManager::Customer
    }
}

/// Why a snapshot could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The text is not JSON or does not fit the model.
    // Not `#[from]`: that would also make it the error's source, and `{:#}` at the CLI would
    // print serde's message twice.
    #[error("snapshot is not valid: {0}")]
    Invalid(serde_json::Error),
    /// The schema version is not the one this SDK reads.
    #[error(
        "snapshot schema version {found} is not supported (this build reads version {expected}); \
         re-create it with `trailwarden snapshot` from this version"
    )]
    Version {
        /// The version in the file.
        found: u64,
        /// [`SCHEMA_VERSION`].
        expected: u32,
    },
    /// The `schemaVersion` field is missing.
    #[error("snapshot has no `schemaVersion` field; is this a trailwarden snapshot?")]
    NoVersion,
}

impl From<serde_json::Error> for SnapshotError {
    fn from(error: serde_json::Error) -> Self {
        SnapshotError::Invalid(error)
    }
}

impl Snapshot {
    /// Parses a snapshot, checking the schema version before the rest so that a file from
    /// another version gets a version message rather than a confusing field error.
    ///
    /// The text is read once when it is a valid snapshot of this version (the common case, and
    /// on a large account the cost of a second pass over megabytes is real, in a pack above
    /// all); only a text that fails to parse is read again, for its version.
    pub fn from_json(text: &str) -> Result<Self, SnapshotError> {
        #[derive(Deserialize)]
        struct Probe {
            #[serde(rename = "schemaVersion")]
            schema_version: Option<serde_json::Value>,
        }
        let version_error = |version: Option<&serde_json::Value>| match version
            .and_then(serde_json::Value::as_u64)
        {
            None => Some(SnapshotError::NoVersion),
            Some(found) if found != u64::from(SCHEMA_VERSION) => Some(SnapshotError::Version {
                found,
                expected: SCHEMA_VERSION,
            }),
            Some(_) => None,
        };
        match serde_json::from_str::<Snapshot>(text) {
            Ok(snapshot) => {
                let version = serde_json::Value::from(snapshot.schema_version);
                match version_error(Some(&version)) {
                    Some(error) => Err(error),
                    None => Ok(snapshot),
                }
            }
            Err(parse_error) => {
                let probe: Probe = serde_json::from_str(text)?;
                Err(version_error(probe.schema_version.as_ref())
                    .unwrap_or(SnapshotError::Invalid(parse_error)))
            }
        }
    }

    /// The snapshot of account `id`: this one, or a linked account ([`Snapshot::linked_accounts`]).
    /// `None` when the run did not see that account, and what lives there cannot be verified.
    pub fn account_view(&self, id: &str) -> Option<&Snapshot> {
        if self.account.id == id {
            return Some(self);
        }
        self.linked_accounts
            .iter()
            .find(|linked| linked.account.id == id)
    }

    /// The organization trails of linked accounts that record this account's events: a trail
    /// with `IsOrganizationTrail` "logs events for the management account and all member
    /// accounts in the organization"
    /// (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html>),
    /// so it applies when both accounts name the same organization. Read from the owner's
    /// copies, home copy first, where its status and selectors were collected.
    pub fn organization_trails_from_linked(&self) -> Vec<&Trail> {
        let Some(organization) = self.account.organization_id.as_deref() else {
            return Vec::new();
        };
        self.linked_accounts
            .iter()
            .filter(|linked| linked.account.organization_id.as_deref() == Some(organization))
            .flat_map(Snapshot::owned_organization_trails)
            .collect()
    }

    /// The organization trails this account owns (not members' listings of another's).
    pub fn owned_organization_trails(&self) -> Vec<&Trail> {
        self.unique_trails()
            .into_iter()
            .filter(|trail| {
                trail.is_organization_trail
                    && trail.owner_account() == Some(self.account.id.as_str())
            })
            .collect()
    }

    /// Whether this account owns an organization trail.
    pub fn owns_organization_trail(&self) -> bool {
        !self.owned_organization_trails().is_empty()
    }

    /// The region's resources, if the region is enabled and present.
    pub fn region(&self, region: &str) -> Option<&RegionSnapshot> {
        self.regions.iter().find(|r| r.region == region)
    }

    /// Every failed call the snapshot records: account-wide ones, then each region's sections
    /// in order, then the events section's. A report or a summary lists these as what could not
    /// be read.
    pub fn collection_errors(&self) -> impl Iterator<Item = &CollectionError> {
        let regional = self.regions.iter().flat_map(|region| {
            crate::sections::SectionName::regional()
                .filter_map(|name| region.section(name))
                .flat_map(crate::sections::SectionRef::errors)
        });
        self.errors
            .iter()
            .chain(regional)
            .chain(self.events.errors.iter())
            .filter(|error| !crate::sections::is_withheld_marker(error))
    }

    /// Every trail once, deduplicated by ARN, preferring the copy listed in its home region
    /// (where status and selectors are authoritative), in ARN order.
    ///
    /// A multi-region trail appears in every region it covers (shadow trails); counting each
    /// copy would report one problem several times.
    pub fn unique_trails(&self) -> Vec<&Trail> {
        let mut by_arn: BTreeMap<&str, &Trail> = BTreeMap::new();
        for region in &self.regions {
            for trail in &region.trails.items {
                let is_home = trail.home_region == region.region;
                by_arn
                    .entry(trail.trail_arn.as_str())
                    .and_modify(|kept| {
                        if is_home {
                            *kept = trail;
                        }
                    })
                    .or_insert(trail);
            }
        }
        by_arn.into_values().collect()
    }

    /// The first collection problem with trails in any region, if the trail lists are not
    /// all complete.
    pub fn trails_incomplete(&self) -> Option<(&str, Incomplete<'_>)> {
        self.regions.iter().find_map(|region| {
            region
                .trails
                .verified()
                .err()
                .map(|why| (region.region.as_str(), why))
        })
    }

    /// The KMS key with this ARN, key id or alias, looked up in the region the ARN names (or
    /// in every region for a bare id or alias).
    pub fn kms_key(&self, reference: &str) -> Option<&KmsKey> {
        let region = crate::arn::Arn::parse(reference).map(|arn| arn.region);
        self.regions
            .iter()
            .filter(|r| region.is_none_or(|wanted| r.region == wanted))
            .flat_map(|r| r.kms_keys.items.iter())
            .find(|key| {
                key.arn == reference
                    || key.key_id == reference
                    || key.aliases.iter().any(|alias| alias == reference)
                    || reference.rsplit_once(":alias/").is_some_and(|(_, alias)| {
                        key.aliases.iter().any(|a| a == &format!("alias/{alias}"))
                    })
            })
    }
}

/// Looks up the item of a per-key (or per-topic) section by the resource's ARN, in the region
/// the ARN names.
fn by_arn<'a, T>(
    snapshot: &'a Snapshot,
    arn: &str,
    section: impl Fn(&'a RegionSnapshot) -> &'a Section<T>,
    arn_of: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    let region = crate::arn::Arn::parse(arn)?.region;
    section(snapshot.region(region)?)
        .items
        .iter()
        .find(|item| arn_of(item) == arn)
}

impl RegionSnapshot {
    /// Every ARN the region's alarms (metric, composite and log alarms) and EventBridge rules
    /// send to when they fire: where a notification may go, whichever kind carries it.
    pub fn published_to(&self) -> impl Iterator<Item = &String> {
        let metric = self
            .metric_alarms
            .items
            .iter()
            .flat_map(|a| &a.alarm_actions);
        let composite = self
            .composite_alarms
            .items
            .iter()
            .flat_map(|a| &a.alarm_actions);
        let log = self.log_alarms.items.iter().flat_map(|a| &a.alarm_actions);
        let rules = self
            .event_rules
            .items
            .iter()
            .flat_map(|rule| rule.targets.iter().map(|target| &target.arn));
        metric.chain(composite).chain(log).chain(rules)
    }
}

impl Snapshot {
    /// The rotation status of the customer-managed key with this ARN ([`KmsKey::arn`]), if
    /// `keyRotations` lists it. Check `keyRotations` with [`Section::verified`] first: a key
    /// missing from a section that was not read is not a key without rotation.
    pub fn key_rotation(&self, key_arn: &str) -> Option<&KeyRotation> {
        by_arn(self, key_arn, |r| &r.key_rotations, |k| &k.key_arn)
    }

    /// The key policy of the key with this ARN, if `keyPolicies` lists it.
    pub fn key_policy(&self, key_arn: &str) -> Option<&KeyPolicy> {
        by_arn(self, key_arn, |r| &r.key_policies, |k| &k.key_arn)
    }

    /// The tags of the customer-managed key with this ARN, if `keyTags` lists it.
    pub fn key_tags(&self, key_arn: &str) -> Option<&KeyTags> {
        by_arn(self, key_arn, |r| &r.key_tags, |k| &k.key_arn)
    }

    /// The access policy of the topic with this ARN, if `topicPolicies` lists it.
    pub fn topic_policy(&self, topic_arn: &str) -> Option<&TopicPolicy> {
        by_arn(self, topic_arn, |r| &r.topic_policies, |t| &t.topic_arn)
    }

    /// The delivery counts of the topic with this ARN, if `topicDeliveries` lists it.
    pub fn topic_deliveries(&self, topic_arn: &str) -> Option<&TopicDeliveries> {
        by_arn(self, topic_arn, |r| &r.topic_deliveries, |t| &t.topic_arn)
    }

    /// The attributes of the subscription with this ARN, if `subscriptionAttributes` lists it.
    pub fn subscription_attributes(
        &self,
        subscription_arn: &str,
    ) -> Option<&SubscriptionAttributes> {
        by_arn(
            self,
            subscription_arn,
            |r| &r.subscription_attributes,
            |s| &s.subscription_arn,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(regions: &str) -> String {
        format!(
            r#"{{"schemaVersion": 1, "account": {{"id": "111122223333"}}, "regions": {regions}}}"#
        )
    }

    fn region_with_trails(region: &str, trails: &str) -> String {
        format!(
            r#"{{"region": "{region}", "trails": {{"items": {trails}}}, "logGroups": {{}},
                "metricFilters": {{}}, "metricAlarms": {{}}, "topics": {{}}, "eventRules": {{}},
                "kmsKeys": {{"items": [{{"keyId": "k1", "arn": "arn:aws:kms:{region}:111122223333:key/k1",
                  "keyManager": "CUSTOMER", "keyState": "Enabled", "aliases": ["alias/logs"]}}]}}}}"#
        )
    }

    #[test]
    fn version_is_checked_before_the_rest() {
        let error = Snapshot::from_json(r#"{"schemaVersion": 7, "whatever": true}"#).unwrap_err();
        assert!(matches!(
            error,
            SnapshotError::Version {
                found: 7,
                expected: 1
            }
        ));
        let error = Snapshot::from_json(r#"{"account": {}}"#).unwrap_err();
        assert!(matches!(error, SnapshotError::NoVersion));
    }

    #[test]
    fn misspelt_fields_are_errors_not_silently_dropped() {
        let trail = r#"[{"name": "t", "trailArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                         "homeRegion": "us-east-1", "isMultiRegion": true}]"#;
        let text = minimal(&format!("[{}]", region_with_trails("us-east-1", trail)));
        let error = Snapshot::from_json(&text).unwrap_err().to_string();
        assert!(error.contains("unknown field `isMultiRegion`"), "{error}");
    }

    #[test]
    fn shadow_trails_collapse_to_the_home_copy() {
        let home = r#"[{"name": "t", "trailArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                        "homeRegion": "us-east-1", "isMultiRegionTrail": true,
                        "status": {"isLogging": true}}]"#;
        let shadow = r#"[{"name": "t", "trailArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                          "homeRegion": "us-east-1", "isMultiRegionTrail": true}]"#;
        let text = minimal(&format!(
            "[{}, {}]",
            region_with_trails("eu-west-1", shadow),
            region_with_trails("us-east-1", home)
        ));
        let snapshot = Snapshot::from_json(&text).unwrap();
        let trails = snapshot.unique_trails();
        assert_eq!(trails.len(), 1);
        assert!(
            trails[0].status.is_some(),
            "the home copy carries the status"
        );
    }

    #[test]
    fn keys_are_found_by_arn_id_and_alias() {
        let text = minimal(&format!("[{}]", region_with_trails("us-east-1", "[]")));
        let snapshot = Snapshot::from_json(&text).unwrap();
        assert!(
            snapshot
                .kms_key("arn:aws:kms:us-east-1:111122223333:key/k1")
                .is_some()
        );
        assert!(snapshot.kms_key("k1").is_some());
        assert!(
            snapshot
                .kms_key("arn:aws:kms:us-east-1:111122223333:alias/logs")
                .is_some()
        );
        assert!(
            snapshot
                .kms_key("arn:aws:kms:eu-west-1:111122223333:key/k1")
                .is_none()
        );
    }

    #[test]
    fn incomplete_sections_say_why() {
        let section: Section<Trail> = Section::failed(CollectionError {
            service: "cloudtrail".into(),
            operation: "DescribeTrails".into(),
            region: Some("eu-west-1".into()),
            code: "AccessDeniedException".into(),
            message: String::new(),
        });
        let why = section.verified().unwrap_err().to_string();
        assert_eq!(
            why,
            "cloudtrail:DescribeTrails failed in eu-west-1 with AccessDeniedException"
        );
        assert!(matches!(
            Section::<Trail>::not_collected().verified(),
            Err(Incomplete::NotCollected)
        ));
    }
}
