//! [`SnapshotBuilder`]: an account with a trail, a log group, filters, alarms and topics in a
//! few lines, for native tests and for writing fixture files.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::events::{DEFAULT_ACCOUNT, DEFAULT_TIME, uuid};
use crate::sections::{Scope, SectionState};
use crate::snapshot::{
    Account, AlarmState, CollectionError, ComparisonOperator, EventRule, EventSelector,
    EventSelectors, EventTarget, Generator, KeyManager, KeyPolicy, KeyRotation, KeyState, KeyTags,
    KmsKey, LogAlarm, LogGroup, MetricAlarm, MetricFilter, MetricTransformation, Origin,
    ReadWriteType, RegionSnapshot, RuleState, SCHEMA_VERSION, Section, Snapshot, Statistic,
    Subscription, Topic, TopicDeliveries, TopicPolicy, Trail, TrailStatus, TreatMissingData,
};

/// The namespace of the metrics [`SnapshotBuilder::monitor`] publishes.
pub const MONITOR_NAMESPACE: &str = "CloudTrailMetrics";

/// A snapshot section, to mark it as failed or not collected: the registry's own.
pub use crate::sections::SectionName;

/// Builds a [`Snapshot`] resource by resource, with realistic defaults.
///
/// Resources go into the region last named with [`region`](Self::region) (the first resource
/// without a region opens [`crate::events::DEFAULT_REGION`]). Every section of a region is
/// collected and empty until something is added, except the sections added after the first
/// SDK ([`SectionName::is_optional`]: `keyRotations`, `keyPolicies`, `keyTags`,
/// `topicPolicies`), which are not collected until something is added to them or
/// [`collected`](Self::collected) says they were read, so that the fixtures a builder writes
/// read exactly as before those sections existed. Defaults are the healthy case: a trail is
/// multi-region, logging, records every management event, validates its logs and delivers to
/// CloudWatch Logs; an alarm is `Sum >= 1` over 300 s; a topic has one confirmed e-mail
/// subscription. Break one link with an `edit_*` method and see what a rule says.
///
/// ```
/// use trailwarden_sdk::chain::{analyse, requirements};
/// use trailwarden_sdk::testing::SnapshotBuilder;
///
/// const FAILED_KMS_CALLS: &str = r#"{ $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }"#;
/// let snapshot = SnapshotBuilder::new()
///     .region("us-east-1")
///     .trail("management-events", "cloudtrail-logs")
///     .monitor("cloudtrail-logs", "kms-failed-calls", FAILED_KMS_CALLS, "security-alerts")
///     .topic("security-alerts")
///     .build();
/// let requirement = requirements::kms_failed_calls(&snapshot.account.id);
/// assert!(analyse(&snapshot, &requirement).is_covered());
///
/// // Nobody subscribed: the chain breaks at the last link.
/// let snapshot = SnapshotBuilder::new()
///     .region("us-east-1")
///     .trail("management-events", "cloudtrail-logs")
///     .monitor("cloudtrail-logs", "kms-failed-calls", FAILED_KMS_CALLS, "security-alerts")
///     .topic("security-alerts")
///     .edit_topic("security-alerts", |topic| topic.subscriptions.clear())
///     .build();
/// let findings = analyse(&snapshot, &requirement).findings();
/// assert_eq!(findings[0].reason, "TOPIC_NO_CONFIRMED_SUBSCRIPTION");
/// ```
#[derive(Debug, Clone)]
pub struct SnapshotBuilder {
    snapshot: Snapshot,
    current: Option<usize>,
}

impl Default for SnapshotBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SnapshotBuilder {
    /// An account ([`DEFAULT_ACCOUNT`]) with no region yet; events are not collected.
    pub fn new() -> Self {
        Self {
            snapshot: Snapshot {
                schema_version: SCHEMA_VERSION,
                generator: Generator {
                    tool: Some("trailwarden-sdk SnapshotBuilder".to_owned()),
                    collected_at: Some(DEFAULT_TIME.to_owned()),
                    events_window: None,
                },
                account: Account {
                    id: DEFAULT_ACCOUNT.to_owned(),
                    partition: "aws".to_owned(),
                    organization_id: None,
                    alias: None,
                },
                regions: Vec::new(),
                events: Section::not_collected(),
                errors: Vec::new(),
                linked_accounts: Vec::new(),
                centralization_rules: Vec::new(),
            },
            current: None,
        }
    }

    /// Starts from an existing snapshot, a fixture file's say, to break one link of it with
    /// the `edit_*` methods. Resources go into its last region until [`region`](Self::region)
    /// names another.
    ///
    /// ```
    /// use trailwarden_sdk::Snapshot;
    /// use trailwarden_sdk::testing::SnapshotBuilder;
    ///
    /// let fixture: Snapshot = SnapshotBuilder::new().region("us-east-1").topic("alerts").build();
    /// let broken = SnapshotBuilder::from_snapshot(fixture)
    ///     .region("us-east-1")
    ///     .edit_topic("alerts", |topic| topic.subscriptions.clear())
    ///     .build();
    /// assert!(broken.regions[0].topics.items[0].subscriptions.is_empty());
    /// ```
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        Self {
            snapshot,
            current: None,
        }
    }

    /// Sets the account id. Call it first: ARNs are built with the account at hand.
    pub fn account(mut self, id: &str) -> Self {
        self.snapshot.account.id = id.to_owned();
        self
    }

    /// Adds the enabled region `name` (or goes back to it) and makes it the one resources go
    /// into. A new region gets the shadow copies of the multi-region trails of the others, as
    /// `DescribeTrails` lists them.
    pub fn region(mut self, name: &str) -> Self {
        if let Some(index) = self.snapshot.regions.iter().position(|r| r.region == name) {
            self.current = Some(index);
            return self;
        }
        let shadows: Vec<Trail> = self
            .snapshot
            .unique_trails()
            .into_iter()
            .filter(|t| t.is_multi_region_trail)
            .map(shadow)
            .collect();
        let mut region = empty_region(name);
        region.trails.items = shadows;
        self.snapshot.regions.push(region);
        self.current = Some(self.snapshot.regions.len() - 1);
        self
    }

    /// The region resources go into, opening the default region when there is none.
    fn here(&mut self) -> &mut RegionSnapshot {
        let regions = &mut self.snapshot.regions;
        let index = match self.current.filter(|&i| i < regions.len()) {
            Some(index) => index,
            None if !regions.is_empty() => regions.len() - 1,
            None => {
                regions.push(empty_region(crate::events::DEFAULT_REGION));
                0
            }
        };
        self.current = Some(index);
        &mut regions[index]
    }

    fn region_name(&mut self) -> String {
        self.here().region.clone()
    }

    fn arn(&mut self, service: &str, resource: &str) -> String {
        let region = self.region_name();
        let account = &self.snapshot.account;
        format!(
            "arn:{}:{service}:{region}:{}:{resource}",
            account.partition, account.id
        )
    }

    /// Adds a healthy multi-region trail homed in this region that delivers to the log group
    /// `log_group` here (created too, if missing), with shadow copies in the other regions.
    pub fn trail(mut self, name: &str, log_group: &str) -> Self {
        let region = self.region_name();
        let account = self.snapshot.account.id.clone();
        let partition = self.snapshot.account.partition.clone();
        let trail = Trail {
            name: name.to_owned(),
            trail_arn: self.arn("cloudtrail", &format!("trail/{name}")),
            home_region: region.clone(),
            is_multi_region_trail: true,
            is_organization_trail: false,
            include_global_service_events: true,
            s3_bucket_name: Some(format!("aws-cloudtrail-logs-{account}")),
            kms_key_id: None,
            log_file_validation_enabled: true,
            cloud_watch_logs_log_group_arn: Some(format!(
                "{}:*",
                self.arn("logs", &format!("log-group:{log_group}"))
            )),
            cloud_watch_logs_role_arn: Some(format!(
                "arn:{partition}:iam::{account}:role/CloudTrail_CloudWatchLogs_Role"
            )),
            status: Some(TrailStatus {
                is_logging: true,
                latest_cloud_watch_logs_delivery_error: None,
                latest_cloud_watch_logs_delivery_time: Some(DEFAULT_TIME.to_owned()),
                latest_delivery_error: None,
            }),
            event_selectors: Some(EventSelectors {
                event_selectors: vec![EventSelector {
                    read_write_type: ReadWriteType::All,
                    include_management_events: true,
                    exclude_management_event_sources: Vec::new(),
                    data_resources: Vec::new(),
                }],
                advanced_event_selectors: Vec::new(),
            }),
        };
        let index = self.current.unwrap_or_default();
        for (i, other) in self.snapshot.regions.iter_mut().enumerate() {
            if i != index {
                other.trails.items.push(shadow(&trail));
            }
        }
        self.here().trails.items.push(trail);
        if !self
            .here()
            .log_groups
            .items
            .iter()
            .any(|g| g.log_group_name == log_group)
        {
            self = self.log_group(log_group);
        }
        self
    }

    /// Adds the log group `name` (Standard class, logs kept forever).
    pub fn log_group(mut self, name: &str) -> Self {
        let group = LogGroup {
            log_group_name: name.to_owned(),
            arn: self.arn("logs", &format!("log-group:{name}")),
            retention_in_days: None,
            kms_key_id: None,
            log_group_class: None,
        };
        self.here().log_groups.items.push(group);
        self
    }

    /// Adds a metric filter `name` on `log_group` publishing 1 to `namespace`/`metric` for each
    /// event `pattern` matches.
    pub fn metric_filter(
        mut self,
        log_group: &str,
        name: &str,
        pattern: &str,
        namespace: &str,
        metric: &str,
    ) -> Self {
        let filter = MetricFilter {
            filter_name: name.to_owned(),
            log_group_name: log_group.to_owned(),
            filter_pattern: pattern.to_owned(),
            metric_transformations: vec![MetricTransformation {
                metric_name: metric.to_owned(),
                metric_namespace: namespace.to_owned(),
                metric_value: "1".to_owned(),
                default_value: None,
                dimensions: Default::default(),
                unit: None,
            }],
            creation_time: None,
            apply_on_transformed_logs: false,
            field_selection_criteria: None,
            emit_system_field_dimensions: Vec::new(),
        };
        self.here().metric_filters.items.push(filter);
        self
    }

    /// Adds an alarm `name` on `namespace`/`metric` (`Sum >= 1` over one 300-second period,
    /// so one event fires it) that notifies the topic `topic` of this region.
    pub fn alarm(mut self, name: &str, namespace: &str, metric: &str, topic: &str) -> Self {
        let alarm = MetricAlarm {
            alarm_name: name.to_owned(),
            alarm_arn: self.arn("cloudwatch", &format!("alarm:{name}")),
            actions_enabled: true,
            alarm_actions: vec![self.arn("sns", topic)],
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
            metric_name: Some(metric.to_owned()),
            namespace: Some(namespace.to_owned()),
            statistic: Some(Statistic::Sum),
            extended_statistic: None,
            dimensions: Vec::new(),
            period: Some(300),
            evaluation_periods: 1,
            datapoints_to_alarm: None,
            threshold: Some(1.0),
            comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
            treat_missing_data: Some(TreatMissingData::NotBreaching),
            metrics: Vec::new(),
            threshold_metric_id: None,
            state_value: Some(AlarmState::Ok),
        };
        self.here().metric_alarms.items.push(alarm);
        self
    }

    /// A metric filter and an alarm, both called `name`: the filter on `log_group` counts
    /// `pattern` into [`MONITOR_NAMESPACE`]/`name`, the alarm fires on one event and notifies
    /// `topic`. The topic itself is added with [`topic`](Self::topic).
    pub fn monitor(self, log_group: &str, name: &str, pattern: &str, topic: &str) -> Self {
        self.metric_filter(log_group, name, pattern, MONITOR_NAMESPACE, name)
            .alarm(name, MONITOR_NAMESPACE, name, topic)
    }

    /// Adds a log alarm `name` that runs `query` on `log_group` (by name) every five minutes
    /// over the last five minutes, counts the rows (`count(*)`), fires on one
    /// (`>= 1`, one result of one) and notifies the topic `topic` of this region. `logAlarms`
    /// is then collected.
    pub fn log_alarm(mut self, name: &str, log_group: &str, query: &str, topic: &str) -> Self {
        let alarm = LogAlarm {
            alarm_name: name.to_owned(),
            alarm_arn: self.arn("cloudwatch", &format!("alarm:{name}")),
            actions_enabled: true,
            alarm_actions: vec![self.arn("sns", topic)],
            query_string: query.to_owned(),
            log_group_identifiers: vec![log_group.to_owned()],
            aggregation_expression: Some("count(*)".to_owned()),
            schedule_expression: Some("rate(5 minutes)".to_owned()),
            start_time_offset: Some(300),
            end_time_offset: None,
            query_results_to_evaluate: 1,
            query_results_to_alarm: 1,
            threshold: Some(1.0),
            comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
            treat_missing_data: Some(TreatMissingData::NotBreaching),
            evaluation_state: None,
            state_value: Some(AlarmState::Ok),
        };
        let section = &mut self.here().log_alarms;
        section.collected = true;
        section.items.push(alarm);
        self
    }

    /// Changes the log alarm `name` of the current region.
    pub fn edit_log_alarm(mut self, name: &str, change: impl FnOnce(&mut LogAlarm)) -> Self {
        if let Some(alarm) = self
            .here()
            .log_alarms
            .items
            .iter_mut()
            .find(|a| a.alarm_name == name)
        {
            change(alarm);
        }
        self
    }

    /// Adds the SNS topic `name` with one confirmed e-mail subscription.
    pub fn topic(mut self, name: &str) -> Self {
        let topic_arn = self.arn("sns", name);
        let topic = Topic {
            subscriptions: vec![Subscription {
                subscription_arn: format!("{topic_arn}:{}", uuid(&topic_arn)),
                protocol: "email".to_owned(),
                endpoint: "<redacted>".to_owned(),
            }],
            topic_arn,
            kms_master_key_id: None,
        };
        self.here().topics.items.push(topic);
        self
    }

    /// Adds an enabled customer-managed KMS key with this key id.
    pub fn kms_key(mut self, key_id: &str) -> Self {
        let key = KmsKey {
            key_id: key_id.to_owned(),
            arn: self.arn("kms", &format!("key/{key_id}")),
            key_manager: KeyManager::Customer,
            key_state: KeyState::Enabled,
            origin: Origin::AwsKms,
            expiration_model: None,
            valid_to: None,
            aliases: Vec::new(),
        };
        self.here().kms_keys.items.push(key);
        self
    }

    /// Records the rotation status of the KMS key with this key id in this region, as
    /// `GetKeyRotationStatus` gives it: enabled with the default period of 365 days, or
    /// disabled. `keyRotations` is then collected.
    ///
    /// ```
    /// use trailwarden_sdk::testing::SnapshotBuilder;
    ///
    /// let snapshot = SnapshotBuilder::new()
    ///     .region("eu-west-1")
    ///     .kms_key("k1")
    ///     .key_rotation("k1", false)
    ///     .build();
    /// let rotation = snapshot.key_rotation("arn:aws:kms:eu-west-1:111122223333:key/k1");
    /// assert_eq!(rotation.map(|r| r.rotation_enabled), Some(false));
    /// ```
    pub fn key_rotation(mut self, key_id: &str, enabled: bool) -> Self {
        let rotation = KeyRotation {
            key_arn: self.arn("kms", &format!("key/{key_id}")),
            rotation_enabled: enabled,
            rotation_period_in_days: enabled.then_some(365),
        };
        let section = &mut self.here().key_rotations;
        section.collected = true;
        section.items.retain(|r| r.key_arn != rotation.key_arn);
        section.items.push(rotation);
        self
    }

    /// Records `policy` as the key policy of the KMS key with this key id in this region.
    /// `keyPolicies` is then collected.
    pub fn key_policy(mut self, key_id: &str, policy: &Value) -> Self {
        let item = KeyPolicy {
            key_arn: self.arn("kms", &format!("key/{key_id}")),
            policy: policy.to_string(),
        };
        let section = &mut self.here().key_policies;
        section.collected = true;
        section.items.retain(|p| p.key_arn != item.key_arn);
        section.items.push(item);
        self
    }

    /// Records `tags` (key, value) as the tags of the KMS key with this key id in this
    /// region. `keyTags` is then collected.
    pub fn key_tags(mut self, key_id: &str, tags: &[(&str, &str)]) -> Self {
        let item = KeyTags {
            key_arn: self.arn("kms", &format!("key/{key_id}")),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        let section = &mut self.here().key_tags;
        section.collected = true;
        section.items.retain(|t| t.key_arn != item.key_arn);
        section.items.push(item);
        self
    }

    /// Records `policy` as the access policy of the topic `name` of this region.
    /// `topicPolicies` is then collected.
    pub fn topic_policy(mut self, name: &str, policy: &Value) -> Self {
        let item = TopicPolicy {
            topic_arn: self.arn("sns", name),
            policy: policy.to_string(),
        };
        let section = &mut self.here().topic_policies;
        section.collected = true;
        section.items.retain(|p| p.topic_arn != item.topic_arn);
        section.items.push(item);
        self
    }

    /// Records what SNS counted for the topic `name` of this region over the last 24 hours:
    /// `delivered` and `failed` notifications. `topicDeliveries` is then collected.
    pub fn topic_deliveries(mut self, name: &str, delivered: u64, failed: u64) -> Self {
        let item = TopicDeliveries {
            topic_arn: self.arn("sns", name),
            window_hours: 24,
            delivered,
            failed,
        };
        let section = &mut self.here().topic_deliveries;
        section.collected = true;
        section.items.retain(|d| d.topic_arn != item.topic_arn);
        section.items.push(item);
        self
    }

    /// Adds an enabled EventBridge rule on the default bus with this event pattern, targeting
    /// the topic `topic` of this region.
    pub fn event_rule(mut self, name: &str, pattern: &Value, topic: &str) -> Self {
        let rule = EventRule {
            name: name.to_owned(),
            arn: self.arn("events", &format!("rule/{name}")),
            event_bus_name: "default".to_owned(),
            state: RuleState::Enabled,
            event_pattern: Some(pattern.to_string()),
            schedule_expression: None,
            targets: vec![EventTarget {
                id: "notify".to_owned(),
                arn: self.arn("sns", topic),
            }],
        };
        self.here().event_rules.items.push(rule);
        self
    }

    /// Adds an enabled customer-managed KMS key with this key id whose key material was
    /// imported (`Origin` `EXTERNAL`) and expires (`KEY_MATERIAL_EXPIRES`) at `valid_to`
    /// (RFC 3339 as `DescribeKey` gives it; `None` when KMS did not say when).
    pub fn imported_kms_key(self, key_id: &str, valid_to: Option<&str>) -> Self {
        self.kms_key(key_id).edit_kms_key(key_id, |key| {
            key.origin = aws_value("EXTERNAL");
            key.expiration_model = Some(aws_value("KEY_MATERIAL_EXPIRES"));
            key.valid_to = valid_to.map(str::to_owned);
        })
    }

    /// Sets the `KeyState` of the KMS key with this key id in this region, as KMS spells it
    /// (`Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, …).
    pub fn kms_key_state(self, key_id: &str, state: &str) -> Self {
        self.edit_kms_key(key_id, |key| key.key_state = aws_value(state))
    }

    /// Sets the `KeyManager` of the KMS key with this key id in this region: `AWS` makes it
    /// an AWS managed key, `CUSTOMER` a customer managed one.
    pub fn kms_key_manager(self, key_id: &str, manager: &str) -> Self {
        self.edit_kms_key(key_id, |key| key.key_manager = aws_value(manager))
    }

    /// Sets the `ExpirationModel` of the KMS key with this key id in this region
    /// (`KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`; `None` for key material KMS
    /// made).
    pub fn kms_key_expiration_model(self, key_id: &str, model: Option<&str>) -> Self {
        self.edit_kms_key(key_id, |key| key.expiration_model = model.map(aws_value))
    }

    /// Sets the `Statistic` of the alarm `name` in this region, as CloudWatch spells it
    /// (`Sum`, `Average`, `Minimum`, …).
    pub fn alarm_statistic(self, name: &str, statistic: &str) -> Self {
        self.edit_alarm(name, |alarm| alarm.statistic = Some(aws_value(statistic)))
    }

    /// Sets the `ComparisonOperator` of the alarm `name` in this region, as CloudWatch spells
    /// it (`GreaterThanOrEqualToThreshold`, `LessThanThreshold`, `LessThanLowerThreshold`, …).
    pub fn alarm_comparison(self, name: &str, operator: &str) -> Self {
        self.edit_alarm(name, |alarm| {
            alarm.comparison_operator = aws_value(operator)
        })
    }

    /// Sets the `State` of the EventBridge rule `name` in this region, as EventBridge spells
    /// it (`ENABLED`, `DISABLED`, `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`, …).
    pub fn event_rule_state(self, name: &str, state: &str) -> Self {
        self.edit_event_rule(name, |rule| rule.state = aws_value(state))
    }

    /// Sets the targets of the EventBridge rule `name` in this region to these ARNs (a topic,
    /// a queue, a function, …; none at all is a rule that tells nobody).
    pub fn event_rule_targets(self, name: &str, targets: &[&str]) -> Self {
        self.edit_event_rule(name, |rule| {
            rule.targets = targets
                .iter()
                .enumerate()
                .map(|(i, arn)| EventTarget {
                    id: format!("target-{i}"),
                    arn: (*arn).to_owned(),
                })
                .collect();
        })
    }

    /// Sets the window the snapshot's events were collected over (RFC 3339, from and to), as
    /// `trailwarden snapshot` records it; rules about recent events judge a saved snapshot at
    /// its end.
    pub fn events_window(mut self, from: &str, to: &str) -> Self {
        self.snapshot.generator.events_window = Some((from.to_owned(), to.to_owned()));
        self
    }

    /// Sets when the snapshot was collected (`generator.collectedAt`, RFC 3339; `None` for a
    /// snapshot that does not say). A case runs at this time unless it gives `now`.
    pub fn collected_at(mut self, time: Option<&str>) -> Self {
        self.snapshot.generator.collected_at = time.map(str::to_owned);
        self
    }

    /// Adds a CloudTrail record (see [`crate::events`]) to the snapshot's events, which are
    /// then collected.
    ///
    /// # Panics
    /// If `record` is not a CloudTrail record (see [`crate::events::CloudTrailRecord`]): a test
    /// that builds a snapshot no collector could write is a mistake in the test.
    pub fn event(mut self, record: Value) -> Self {
        let record = match crate::events::CloudTrailRecord::try_from(record) {
            Ok(record) => record,
            Err(error) => panic!("SnapshotBuilder::event: the record {error}"),
        };
        self.snapshot.events.collected = true;
        self.snapshot.events.items.push(record);
        self
    }

    /// Empties `section` of this region (of the account, for `events`) and records the call
    /// that fills it as refused with `AccessDeniedException`, as a role without the permission
    /// would see it.
    pub fn access_denied(mut self, section: SectionName) -> Self {
        let (service, operation) = section.primary_call();
        let region = (section.scope() == Scope::Regional).then(|| self.region_name());
        let error = CollectionError {
            service: service.to_owned(),
            operation: operation.to_owned(),
            region,
            code: "AccessDeniedException".to_owned(),
            message: format!("not authorized to perform: {service}:{operation}"),
        };
        self.with_section(section, SectionState::Failed(error))
    }

    /// Empties `section` of this region (of the account, for `events`) and marks it as not
    /// collected.
    pub fn not_collected(self, section: SectionName) -> Self {
        self.with_section(section, SectionState::NotCollected)
    }

    /// Marks `section` of this region (of the account, for `events`) as collected, keeping
    /// what it holds and dropping its errors: a section that was read and found what it holds
    /// (nothing, if nothing was added). Sections added after the first SDK start not collected
    /// in a builder; this is how a test says "read, and empty".
    pub fn collected(mut self, section: SectionName) -> Self {
        match section.scope() {
            Scope::Regional => self.here().mark_collected(section),
            Scope::Account => {
                self.snapshot.events.collected = true;
                self.snapshot.events.errors.clear();
            }
        }
        self
    }

    fn with_section(mut self, section: SectionName, state: SectionState) -> Self {
        match section.scope() {
            Scope::Regional => self.here().reset(section, &state),
            Scope::Account => {
                self.snapshot.events = match state {
                    SectionState::Failed(error) => Section::failed(error),
                    _ => Section::not_collected(),
                }
            }
        }
        self
    }

    /// Changes every copy (home and shadows, in every region) of the trail `name`.
    pub fn edit_trail(mut self, name: &str, mut change: impl FnMut(&mut Trail)) -> Self {
        for region in &mut self.snapshot.regions {
            region
                .trails
                .items
                .iter_mut()
                .filter(|t| t.name == name)
                .for_each(&mut change);
        }
        self
    }

    /// Changes the log group `name` of this region.
    pub fn edit_log_group(mut self, name: &str, change: impl FnMut(&mut LogGroup)) -> Self {
        let items = &mut self.here().log_groups.items;
        items
            .iter_mut()
            .filter(|g| g.log_group_name == name)
            .for_each(change);
        self
    }

    /// Changes the metric filter `name` of this region.
    pub fn edit_filter(mut self, name: &str, change: impl FnMut(&mut MetricFilter)) -> Self {
        let items = &mut self.here().metric_filters.items;
        items
            .iter_mut()
            .filter(|f| f.filter_name == name)
            .for_each(change);
        self
    }

    /// Changes the alarm `name` of this region.
    pub fn edit_alarm(mut self, name: &str, change: impl FnMut(&mut MetricAlarm)) -> Self {
        let items = &mut self.here().metric_alarms.items;
        items
            .iter_mut()
            .filter(|a| a.alarm_name == name)
            .for_each(change);
        self
    }

    /// Changes the topic `name` of this region.
    pub fn edit_topic(mut self, name: &str, change: impl FnMut(&mut Topic)) -> Self {
        let suffix = format!(":{name}");
        let items = &mut self.here().topics.items;
        items
            .iter_mut()
            .filter(|t| t.topic_arn.ends_with(&suffix))
            .for_each(change);
        self
    }

    /// Changes the KMS key with this key id in this region.
    pub fn edit_kms_key(mut self, key_id: &str, change: impl FnMut(&mut KmsKey)) -> Self {
        let items = &mut self.here().kms_keys.items;
        items
            .iter_mut()
            .filter(|k| k.key_id == key_id)
            .for_each(change);
        self
    }

    /// Changes the EventBridge rule `name` of this region.
    pub fn edit_event_rule(mut self, name: &str, change: impl FnMut(&mut EventRule)) -> Self {
        let items = &mut self.here().event_rules.items;
        items.iter_mut().filter(|r| r.name == name).for_each(change);
        self
    }

    /// Changes this region as a whole.
    pub fn edit_region(mut self, change: impl FnOnce(&mut RegionSnapshot)) -> Self {
        change(self.here());
        self
    }

    /// Changes the snapshot as a whole.
    pub fn edit(mut self, change: impl FnOnce(&mut Snapshot)) -> Self {
        change(&mut self.snapshot);
        self
    }

    /// The snapshot.
    pub fn build(self) -> Snapshot {
        self.snapshot
    }

    /// The snapshot as pretty JSON, to save as a fixture for `trailwarden rules test` or
    /// `trailwarden check --snapshot`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.snapshot).unwrap_or_default() + "\n"
    }
}

/// An AWS value (a key state, a statistic, …) read from the text the AWS API gives, as a
/// snapshot file spells it, whatever type the model gives the field.
fn aws_value<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_value(Value::String(text.to_owned()))
        .unwrap_or_else(|e| panic!("`{text}` is not a value of this AWS field: {e}"))
}

/// A region with every section of the first SDK collected and empty, and the later ones not
/// collected (see [`SnapshotBuilder`]).
fn empty_region(name: &str) -> RegionSnapshot {
    let first: crate::sections::SectionSet = SectionName::regional()
        .filter(|section| !section.is_optional())
        .collect();
    RegionSnapshot::uniform(name, first, &SectionState::Empty)
}

/// How another region lists a multi-region trail: no status and no selectors, which are read
/// in the home region.
fn shadow(trail: &Trail) -> Trail {
    Trail {
        status: None,
        event_selectors: None,
        ..trail.clone()
    }
}
