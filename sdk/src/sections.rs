//! The snapshot's sections, as one typed registry: what a rule declares in `needs`, what the
//! collector fills, what each pack receives.
//!
//! A section is a list of resources that one group of AWS calls fills (trails, metric filters,
//! …) and that a rule may read. Rules declare the sections they read (`needs = ["trails"]` in
//! [`#[rule]`](macro@crate::rule), checked against [`SectionName`] when the pack compiles);
//! the host collects only those, and each pack receives only the sections its rules declare
//! ([`Snapshot::view`]). A section a rule did not declare is *withheld*: it reads as not
//! collected, and [`Section::verified`](crate::snapshot::Section::verified) says which `needs`
//! to fix rather than blaming the collection.
//!
//! Each section knows the SDK release that introduced it ([`SectionName::since`]): a pack is
//! sent only the keys of sections its SDK knows ([`SectionSet::known_to`],
//! [`SnapshotView::for_reader`]), because its snapshot model denies unknown fields, and a
//! section added after the first SDK is optional in a saved snapshot.
//!
//! # Adding a section
//! (`docs/sections.md` has the whole recipe, collector, IAM policy and tests included.)
//! 1. a variant of [`SectionName`], with its entry in [`SectionName::ALL`] and its name,
//!    scope, API calls and SDK release in the `match`es below;
//! 2. the field in [`RegionSnapshot`] (or [`Snapshot`] for an account-wide section), optional
//!    in saved snapshots (`default = "Section::not_collected"`, `skip_serializing_if =
//!    "Section::is_not_collected"`);
//! 3. the compiler then names every other place: [`RegionSnapshot::section`], the
//!    `with_regional_section!` map, [`SectionRef`], [`SectionData`] and the host's collector
//!    dispatch are exhaustive `match`es.
//!
//! Nothing else lists section names: the macro, the pruning, the collector's plan and the
//! documentation all read this registry.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::snapshot::{
    Account, CollectionError, CompositeAlarm, EventRule, Generator, KeyPolicy, KeyRotation,
    KeyTags, KmsKey, LogAlarm, LogGroup, MetricAlarm, MetricFilter, RegionSnapshot, Section,
    Snapshot, SubscriptionAttributes, Topic, TopicDeliveries, TopicPolicy, Trail,
};

/// One section of the snapshot, by the name rules use in `needs` and the snapshot uses as its
/// JSON key.
///
/// Serialised as that name (`"logGroups"`), so it is what a pack's metadata carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectionName {
    /// `trails`: CloudTrail trails with status and event selectors.
    Trails,
    /// `logGroups`: CloudWatch Logs log groups.
    LogGroups,
    /// `metricFilters`: CloudWatch Logs metric filters.
    MetricFilters,
    /// `metricAlarms`: CloudWatch metric alarms.
    MetricAlarms,
    /// `compositeAlarms`: CloudWatch composite alarms.
    CompositeAlarms,
    /// `topics`: SNS topics with their subscriptions.
    Topics,
    /// `eventRules`: EventBridge rules on the default bus, with targets.
    EventRules,
    /// `kmsKeys`: KMS keys with aliases.
    KmsKeys,
    /// `keyRotations`: the rotation status of each customer-managed KMS key (SDK 0.2.0).
    KeyRotations,
    /// `keyPolicies`: the key policy of each KMS key (SDK 0.2.0).
    KeyPolicies,
    /// `keyTags`: the tags of each customer-managed KMS key (SDK 0.2.0).
    KeyTags,
    /// `topicPolicies`: the access policy of each SNS topic (SDK 0.2.0).
    TopicPolicies,
    /// `topicDeliveries`: each SNS topic's delivered and failed notifications over the last
    /// 24 hours, from CloudWatch's `AWS/SNS` metrics (SDK 0.2.0).
    TopicDeliveries,
    /// `subscriptionAttributes`: the attributes of each confirmed SNS subscription (filter
    /// policy and its scope, redrive policy, raw delivery), from
    /// `sns:GetSubscriptionAttributes` (SDK 0.3.0).
    SubscriptionAttributes,
    /// `logAlarms`: CloudWatch log alarms, alarms on a CloudWatch Logs scheduled query, from
    /// `cloudwatch:DescribeAlarms` with `AlarmTypes=[LogAlarm]` (SDK 0.3.0).
    LogAlarms,
    /// `events`: CloudTrail records, account-wide, for detection rules.
    Events,
}

/// Whether a section is held once per region or once for the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One per enabled region, in [`RegionSnapshot`].
    Regional,
    /// One for the account, in [`Snapshot`].
    Account,
}

/// A `trailwarden-sdk` release, as a pack's metadata names the SDK it was built with
/// ([`crate::meta::PackMeta::sdk_version`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SdkVersion {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl SdkVersion {
    /// The first SDK release: the sections every pack knows.
    pub const FIRST: SdkVersion = SdkVersion::new(0, 1, 0);

    /// `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Reads `0.2.0`, `0.2` or `0.2.0-dev` (a pre-release or build suffix counts as its
    /// release: a pack built from the SDK's source before a release has its sections).
    /// `None` for anything else.
    pub fn parse(text: &str) -> Option<SdkVersion> {
        let core = text.trim().split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let mut next = |required: bool| match parts.next() {
            Some(part) => part.parse::<u32>().ok(),
            None if required => None,
            None => Some(0),
        };
        let version = SdkVersion::new(next(true)?, next(true)?, next(false)?);
        parts.next().is_none().then_some(version)
    }
}

impl fmt::Display for SdkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl SectionName {
    /// Every section, in the order the snapshot writes them.
    pub const ALL: [SectionName; 16] = [
        SectionName::Trails,
        SectionName::LogGroups,
        SectionName::MetricFilters,
        SectionName::MetricAlarms,
        SectionName::CompositeAlarms,
        SectionName::Topics,
        SectionName::EventRules,
        SectionName::KmsKeys,
        SectionName::KeyRotations,
        SectionName::KeyPolicies,
        SectionName::KeyTags,
        SectionName::TopicPolicies,
        SectionName::TopicDeliveries,
        SectionName::SubscriptionAttributes,
        SectionName::LogAlarms,
        SectionName::Events,
    ];

    /// The name in `needs` and in the snapshot's JSON.
    pub const fn name(self) -> &'static str {
        match self {
            SectionName::Trails => "trails",
            SectionName::LogGroups => "logGroups",
            SectionName::MetricFilters => "metricFilters",
            SectionName::MetricAlarms => "metricAlarms",
            SectionName::CompositeAlarms => "compositeAlarms",
            SectionName::Topics => "topics",
            SectionName::EventRules => "eventRules",
            SectionName::KmsKeys => "kmsKeys",
            SectionName::KeyRotations => "keyRotations",
            SectionName::KeyPolicies => "keyPolicies",
            SectionName::KeyTags => "keyTags",
            SectionName::TopicPolicies => "topicPolicies",
            SectionName::TopicDeliveries => "topicDeliveries",
            SectionName::SubscriptionAttributes => "subscriptionAttributes",
            SectionName::LogAlarms => "logAlarms",
            SectionName::Events => "events",
        }
    }

    /// Where the section lives in the snapshot.
    pub const fn scope(self) -> Scope {
        match self {
            SectionName::Events => Scope::Account,
            _ => Scope::Regional,
        }
    }

    /// The AWS calls that fill the section, for documentation and for the permissions a
    /// collection needs.
    pub const fn calls(self) -> &'static str {
        match self {
            SectionName::Trails => {
                "cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors"
            }
            SectionName::LogGroups => "logs:DescribeLogGroups",
            SectionName::MetricFilters => "logs:DescribeMetricFilters",
            SectionName::MetricAlarms => "cloudwatch:DescribeAlarms (metric alarms)",
            SectionName::CompositeAlarms => "cloudwatch:DescribeAlarms (composite alarms)",
            SectionName::Topics => {
                "sns:ListTopics, sns:GetTopicAttributes, sns:ListSubscriptionsByTopic"
            }
            SectionName::EventRules => "events:ListRules, events:ListTargetsByRule",
            SectionName::KmsKeys => "kms:ListKeys, kms:DescribeKey, kms:ListAliases",
            SectionName::KeyRotations => {
                "kms:ListKeys, kms:DescribeKey, kms:GetKeyRotationStatus (customer-managed keys)"
            }
            SectionName::KeyPolicies => "kms:ListKeys, kms:DescribeKey, kms:GetKeyPolicy",
            SectionName::KeyTags => {
                "kms:ListKeys, kms:DescribeKey, kms:ListResourceTags (customer-managed keys)"
            }
            SectionName::TopicPolicies => "sns:ListTopics, sns:GetTopicAttributes (`Policy`)",
            SectionName::TopicDeliveries => {
                "sns:ListTopics, cloudwatch:GetMetricStatistics (AWS/SNS NumberOfNotificationsDelivered and NumberOfNotificationsFailed)"
            }
            SectionName::SubscriptionAttributes => {
                "sns:ListTopics, sns:ListSubscriptionsByTopic, sns:GetSubscriptionAttributes (confirmed subscriptions), sqs:ListQueues and lambda:ListFunctions (their queues and functions in the account)"
            }
            SectionName::LogAlarms => "cloudwatch:DescribeAlarms (log alarms)",
            SectionName::Events => {
                "cloudtrail:LookupEvents, logs:FilterLogEvents, or CloudTrail log files"
            }
        }
    }

    /// The service and operation of the call that lists the section: what a refused
    /// collection of it names.
    pub const fn primary_call(self) -> (&'static str, &'static str) {
        match self {
            SectionName::Trails => ("cloudtrail", "DescribeTrails"),
            SectionName::LogGroups => ("logs", "DescribeLogGroups"),
            SectionName::MetricFilters => ("logs", "DescribeMetricFilters"),
            SectionName::MetricAlarms | SectionName::CompositeAlarms | SectionName::LogAlarms => {
                ("cloudwatch", "DescribeAlarms")
            }
            SectionName::Topics => ("sns", "ListTopics"),
            SectionName::EventRules => ("events", "ListRules"),
            SectionName::KmsKeys => ("kms", "ListKeys"),
            SectionName::KeyRotations => ("kms", "GetKeyRotationStatus"),
            SectionName::KeyPolicies => ("kms", "GetKeyPolicy"),
            SectionName::KeyTags => ("kms", "ListResourceTags"),
            SectionName::TopicPolicies => ("sns", "GetTopicAttributes"),
            SectionName::TopicDeliveries => ("cloudwatch", "GetMetricStatistics"),
            SectionName::SubscriptionAttributes => ("sns", "GetSubscriptionAttributes"),
            SectionName::Events => ("cloudtrail", "LookupEvents"),
        }
    }

    /// The SDK release that introduced the section.
    ///
    /// A pack receives only the keys of the sections its SDK knows (see [`SectionSet::known_to`]):
    /// the snapshot model denies unknown fields, so a key a pack's SDK has never heard of would
    /// make the pack refuse its whole input. Sections after [`SdkVersion::FIRST`] are also
    /// optional in a saved snapshot (absent reads as not collected, and a not-collected one is
    /// not written).
    pub const fn since(self) -> SdkVersion {
        match self {
            SectionName::Trails
            | SectionName::LogGroups
            | SectionName::MetricFilters
            | SectionName::MetricAlarms
            | SectionName::CompositeAlarms
            | SectionName::Topics
            | SectionName::EventRules
            | SectionName::KmsKeys
            | SectionName::Events => SdkVersion::FIRST,
            SectionName::KeyRotations
            | SectionName::KeyPolicies
            | SectionName::KeyTags
            | SectionName::TopicPolicies
            | SectionName::TopicDeliveries => SdkVersion::new(0, 2, 0),
            SectionName::SubscriptionAttributes | SectionName::LogAlarms => {
                SdkVersion::new(0, 3, 0)
            }
        }
    }

    /// Whether the section came after the first SDK, and so is an optional key: written only
    /// when it holds something (collected, withheld or failed).
    pub fn is_optional(self) -> bool {
        self.since() > SdkVersion::FIRST
    }

    /// The section called `name`, if there is one.
    pub fn parse(name: &str) -> Option<SectionName> {
        SectionName::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The sections held per region, in snapshot order.
    pub fn regional() -> impl Iterator<Item = SectionName> {
        SectionName::ALL
            .into_iter()
            .filter(|s| s.scope() == Scope::Regional)
    }

    const fn bit(self) -> u32 {
        1 << self as u32
    }
}

impl fmt::Display for SectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for SectionName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The first SDK whose snapshot model has [`Snapshot::linked_accounts`]: packs built with an
/// older one are sent each account alone ([`SnapshotView::linked_accounts`]).
pub const LINKED_ACCOUNTS_SINCE: SdkVersion = SdkVersion::new(0, 3, 0);

/// Whether a pack built with the SDK `sdk_version` reads `linkedAccounts`. A version that
/// cannot be read is taken as the first release, as for sections ([`SectionSet::known_to`]).
pub fn knows_linked_accounts(sdk_version: &str) -> bool {
    SdkVersion::parse(sdk_version).unwrap_or(SdkVersion::FIRST) >= LINKED_ACCOUNTS_SINCE
}

/// A set of sections: what a rule reads, what a pack receives, what a collection fills.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SectionSet(u32);

impl SectionSet {
    /// No section.
    pub const EMPTY: SectionSet = SectionSet(0);

    /// Every section.
    pub fn all() -> SectionSet {
        SectionName::ALL.into_iter().collect()
    }

    /// The sections a pack built with the SDK `sdk_version` knows: those introduced at or
    /// before it ([`SectionName::since`]). A version that cannot be read is taken as the first
    /// release, whose sections every pack knows; a newer one knows every section of ours.
    pub fn known_to(sdk_version: &str) -> SectionSet {
        let version = SdkVersion::parse(sdk_version).unwrap_or(SdkVersion::FIRST);
        SectionName::ALL
            .into_iter()
            .filter(|section| section.since() <= version)
            .collect()
    }

    /// The sections in `self` or in `other`.
    pub fn union(self, other: SectionSet) -> SectionSet {
        SectionSet(self.0 | other.0)
    }

    /// Adds `section`.
    pub fn insert(&mut self, section: SectionName) {
        self.0 |= section.bit();
    }

    /// Whether `section` is in the set.
    pub fn contains(self, section: SectionName) -> bool {
        self.0 & section.bit() != 0
    }

    /// Whether no section is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any per-region section is in the set.
    pub fn any_regional(self) -> bool {
        SectionName::regional().any(|s| self.contains(s))
    }

    /// The sections in the set, in snapshot order.
    pub fn iter(self) -> impl Iterator<Item = SectionName> {
        SectionName::ALL
            .into_iter()
            .filter(move |section| self.contains(*section))
    }

    /// The union of the sections that rules declaring `needs` read together, for rules whose
    /// SDK knows the sections `known` ([`SectionSet::known_to`]).
    ///
    /// A rule that declares nothing gets every section its SDK knows: a pack written without
    /// `needs` (or before they existed) must not be starved, nor be sent (or make the host
    /// collect, with permissions the user never granted) sections it cannot read. A name this
    /// SDK does not know (a pack built with a newer SDK that has more sections) likewise widens
    /// the set to `known`, because withholding what the rule asked for would make it report
    /// "could not verify" for data that was there. Returns the set and the unknown names, for a
    /// warning.
    pub fn needed_by<'a, I, N>(rules: I, known: SectionSet) -> (SectionSet, Vec<String>)
    where
        I: IntoIterator<Item = N>,
        N: IntoIterator<Item = &'a str>,
    {
        let mut set = SectionSet::EMPTY;
        let mut unknown = Vec::new();
        let mut everything = false;
        for needs in rules {
            let mut declared = false;
            for name in needs {
                declared = true;
                match SectionName::parse(name) {
                    Some(section) => set.insert(section),
                    None => {
                        unknown.push(name.to_owned());
                        everything = true;
                    }
                }
            }
            everything |= !declared;
        }
        (if everything { set.union(known) } else { set }, unknown)
    }
}

impl FromIterator<SectionName> for SectionSet {
    fn from_iter<I: IntoIterator<Item = SectionName>>(iter: I) -> Self {
        let mut set = SectionSet::EMPTY;
        for section in iter {
            set.insert(section);
        }
        set
    }
}

impl fmt::Debug for SectionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(SectionName::name))
            .finish()
    }
}

impl fmt::Display for SectionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(SectionName::name).collect();
        f.write_str(&names.join(", "))
    }
}

/// The collection "error" that marks a section as withheld from a pack: not collected, and
/// this one entry saying why. Packs built with an SDK that does not know the marker read it as
/// an ordinary not-collected section, so the wire format is unchanged.
const WITHHELD_SERVICE: &str = "trailwarden";
const WITHHELD_OPERATION: &str = "needs";
/// The code of the marker entry of a withheld section.
pub const WITHHELD_CODE: &str = "SectionWithheld";

/// The marker of `section` withheld in `region` (`None` for an account-wide section).
pub fn withheld_marker(section: SectionName, region: Option<&str>) -> CollectionError {
    CollectionError {
        service: WITHHELD_SERVICE.to_owned(),
        operation: WITHHELD_OPERATION.to_owned(),
        region: region.map(str::to_owned),
        code: WITHHELD_CODE.to_owned(),
        message: section.name().to_owned(),
    }
}

/// What a withheld section says when a rule asks why it cannot be trusted.
pub(crate) fn withheld_reason(marker: &CollectionError) -> String {
    let section = &marker.message;
    format!(
        "the section `{section}` was withheld from this rule because its `needs` does not list \
         it; add \"{section}\" to `needs` in the rule's #[rule] attribute"
    )
}

/// Whether `error` is the marker of a withheld section rather than a failed call.
pub fn is_withheld_marker(error: &CollectionError) -> bool {
    error.service == WITHHELD_SERVICE
        && error.operation == WITHHELD_OPERATION
        && error.code == WITHHELD_CODE
}

fn withheld<T>(section: SectionName, region: Option<&str>) -> Section<T> {
    Section {
        collected: false,
        items: Vec::new(),
        errors: vec![withheld_marker(section, region)],
    }
}

/// One section of a region, borrowed, whatever its item type: what the registry hands out so
/// that code over every section (pruning, error listing) is written once.
#[derive(Debug, Clone, Copy)]
pub enum SectionRef<'a> {
    /// `trails`.
    Trails(&'a Section<Trail>),
    /// `logGroups`.
    LogGroups(&'a Section<LogGroup>),
    /// `metricFilters`.
    MetricFilters(&'a Section<MetricFilter>),
    /// `metricAlarms`.
    MetricAlarms(&'a Section<MetricAlarm>),
    /// `compositeAlarms`.
    CompositeAlarms(&'a Section<CompositeAlarm>),
    /// `topics`.
    Topics(&'a Section<Topic>),
    /// `eventRules`.
    EventRules(&'a Section<EventRule>),
    /// `kmsKeys`.
    KmsKeys(&'a Section<KmsKey>),
    /// `keyRotations`.
    KeyRotations(&'a Section<KeyRotation>),
    /// `keyPolicies`.
    KeyPolicies(&'a Section<KeyPolicy>),
    /// `keyTags`.
    KeyTags(&'a Section<KeyTags>),
    /// `topicPolicies`.
    TopicPolicies(&'a Section<TopicPolicy>),
    /// `topicDeliveries`.
    TopicDeliveries(&'a Section<TopicDeliveries>),
    /// `subscriptionAttributes`.
    SubscriptionAttributes(&'a Section<SubscriptionAttributes>),
    /// `logAlarms`.
    LogAlarms(&'a Section<LogAlarm>),
}

impl<'a> SectionRef<'a> {
    /// The failed calls recorded in the section.
    pub fn errors(self) -> &'a [CollectionError] {
        match self {
            SectionRef::Trails(s) => &s.errors,
            SectionRef::LogGroups(s) => &s.errors,
            SectionRef::MetricFilters(s) => &s.errors,
            SectionRef::MetricAlarms(s) => &s.errors,
            SectionRef::CompositeAlarms(s) => &s.errors,
            SectionRef::Topics(s) => &s.errors,
            SectionRef::EventRules(s) => &s.errors,
            SectionRef::KmsKeys(s) => &s.errors,
            SectionRef::KeyRotations(s) => &s.errors,
            SectionRef::KeyPolicies(s) => &s.errors,
            SectionRef::KeyTags(s) => &s.errors,
            SectionRef::TopicPolicies(s) => &s.errors,
            SectionRef::TopicDeliveries(s) => &s.errors,
            SectionRef::SubscriptionAttributes(s) => &s.errors,
            SectionRef::LogAlarms(s) => &s.errors,
        }
    }

    /// Whether nobody asked for the section ([`Section::is_not_collected`]).
    pub fn is_not_collected(self) -> bool {
        match self {
            SectionRef::Trails(s) => s.is_not_collected(),
            SectionRef::LogGroups(s) => s.is_not_collected(),
            SectionRef::MetricFilters(s) => s.is_not_collected(),
            SectionRef::MetricAlarms(s) => s.is_not_collected(),
            SectionRef::CompositeAlarms(s) => s.is_not_collected(),
            SectionRef::Topics(s) => s.is_not_collected(),
            SectionRef::EventRules(s) => s.is_not_collected(),
            SectionRef::KmsKeys(s) => s.is_not_collected(),
            SectionRef::KeyRotations(s) => s.is_not_collected(),
            SectionRef::KeyPolicies(s) => s.is_not_collected(),
            SectionRef::KeyTags(s) => s.is_not_collected(),
            SectionRef::TopicPolicies(s) => s.is_not_collected(),
            SectionRef::TopicDeliveries(s) => s.is_not_collected(),
            SectionRef::SubscriptionAttributes(s) => s.is_not_collected(),
            SectionRef::LogAlarms(s) => s.is_not_collected(),
        }
    }
}

impl Serialize for SectionRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SectionRef::Trails(s) => s.serialize(serializer),
            SectionRef::LogGroups(s) => s.serialize(serializer),
            SectionRef::MetricFilters(s) => s.serialize(serializer),
            SectionRef::MetricAlarms(s) => s.serialize(serializer),
            SectionRef::CompositeAlarms(s) => s.serialize(serializer),
            SectionRef::Topics(s) => s.serialize(serializer),
            SectionRef::EventRules(s) => s.serialize(serializer),
            SectionRef::KmsKeys(s) => s.serialize(serializer),
            SectionRef::KeyRotations(s) => s.serialize(serializer),
            SectionRef::KeyPolicies(s) => s.serialize(serializer),
            SectionRef::KeyTags(s) => s.serialize(serializer),
            SectionRef::TopicPolicies(s) => s.serialize(serializer),
            SectionRef::TopicDeliveries(s) => s.serialize(serializer),
            SectionRef::SubscriptionAttributes(s) => s.serialize(serializer),
            SectionRef::LogAlarms(s) => s.serialize(serializer),
        }
    }
}

/// Runs `$body` with `$section` bound to the regional section `$name` of `$region` (mutably),
/// whatever its item type; `$account` runs for an account-wide name. The one place that maps a
/// regional [`SectionName`] to its field.
macro_rules! with_regional_section {
    ($region:expr, $name:expr, |$section:ident| $body:expr, $account:expr) => {
        match $name {
            SectionName::Trails => {
                let $section = &mut $region.trails;
                $body
            }
            SectionName::LogGroups => {
                let $section = &mut $region.log_groups;
                $body
            }
            SectionName::MetricFilters => {
                let $section = &mut $region.metric_filters;
                $body
            }
            SectionName::MetricAlarms => {
                let $section = &mut $region.metric_alarms;
                $body
            }
            SectionName::CompositeAlarms => {
                let $section = &mut $region.composite_alarms;
                $body
            }
            SectionName::Topics => {
                let $section = &mut $region.topics;
                $body
            }
            SectionName::EventRules => {
                let $section = &mut $region.event_rules;
                $body
            }
            SectionName::KmsKeys => {
                let $section = &mut $region.kms_keys;
                $body
            }
            SectionName::KeyRotations => {
                let $section = &mut $region.key_rotations;
                $body
            }
            SectionName::KeyPolicies => {
                let $section = &mut $region.key_policies;
                $body
            }
            SectionName::KeyTags => {
                let $section = &mut $region.key_tags;
                $body
            }
            SectionName::TopicPolicies => {
                let $section = &mut $region.topic_policies;
                $body
            }
            SectionName::TopicDeliveries => {
                let $section = &mut $region.topic_deliveries;
                $body
            }
            SectionName::SubscriptionAttributes => {
                let $section = &mut $region.subscription_attributes;
                $body
            }
            SectionName::LogAlarms => {
                let $section = &mut $region.log_alarms;
                $body
            }
            SectionName::Events => $account,
        }
    };
}

/// What a section is reset to (see [`RegionSnapshot::reset`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SectionState {
    /// Complete and empty: collected, nothing found (yet).
    Empty,
    /// Nobody asked for it.
    NotCollected,
    /// Withheld from a pack whose rules did not declare it.
    Withheld,
    /// Its collection failed with this error.
    Failed(CollectionError),
}

impl SectionState {
    fn section<T>(&self, name: SectionName, region: Option<&str>) -> Section<T> {
        match self {
            SectionState::Empty => Section::of(Vec::new()),
            SectionState::NotCollected => Section::not_collected(),
            SectionState::Withheld => withheld(name, region),
            SectionState::Failed(error) => Section::failed(error.clone()),
        }
    }
}

/// A regional section's contents, owned, whatever its item type: what a collector hands back
/// for [`RegionSnapshot::put`].
#[derive(Debug, Clone, PartialEq)]
pub enum SectionData {
    /// `trails`.
    Trails(Section<Trail>),
    /// `logGroups`.
    LogGroups(Section<LogGroup>),
    /// `metricFilters`.
    MetricFilters(Section<MetricFilter>),
    /// `metricAlarms`.
    MetricAlarms(Section<MetricAlarm>),
    /// `compositeAlarms`.
    CompositeAlarms(Section<CompositeAlarm>),
    /// `topics`.
    Topics(Section<Topic>),
    /// `eventRules`.
    EventRules(Section<EventRule>),
    /// `kmsKeys`.
    KmsKeys(Section<KmsKey>),
    /// `keyRotations`.
    KeyRotations(Section<KeyRotation>),
    /// `keyPolicies`.
    KeyPolicies(Section<KeyPolicy>),
    /// `keyTags`.
    KeyTags(Section<KeyTags>),
    /// `topicPolicies`.
    TopicPolicies(Section<TopicPolicy>),
    /// `topicDeliveries`.
    TopicDeliveries(Section<TopicDeliveries>),
    /// `subscriptionAttributes`.
    SubscriptionAttributes(Section<SubscriptionAttributes>),
    /// `logAlarms`.
    LogAlarms(Section<LogAlarm>),
}

impl RegionSnapshot {
    /// The regional section `name`; `None` for an account-wide one.
    pub fn section(&self, name: SectionName) -> Option<SectionRef<'_>> {
        Some(match name {
            SectionName::Trails => SectionRef::Trails(&self.trails),
            SectionName::LogGroups => SectionRef::LogGroups(&self.log_groups),
            SectionName::MetricFilters => SectionRef::MetricFilters(&self.metric_filters),
            SectionName::MetricAlarms => SectionRef::MetricAlarms(&self.metric_alarms),
            SectionName::CompositeAlarms => SectionRef::CompositeAlarms(&self.composite_alarms),
            SectionName::Topics => SectionRef::Topics(&self.topics),
            SectionName::EventRules => SectionRef::EventRules(&self.event_rules),
            SectionName::KmsKeys => SectionRef::KmsKeys(&self.kms_keys),
            SectionName::KeyRotations => SectionRef::KeyRotations(&self.key_rotations),
            SectionName::KeyPolicies => SectionRef::KeyPolicies(&self.key_policies),
            SectionName::KeyTags => SectionRef::KeyTags(&self.key_tags),
            SectionName::TopicPolicies => SectionRef::TopicPolicies(&self.topic_policies),
            SectionName::TopicDeliveries => SectionRef::TopicDeliveries(&self.topic_deliveries),
            SectionName::SubscriptionAttributes => {
                SectionRef::SubscriptionAttributes(&self.subscription_attributes)
            }
            SectionName::LogAlarms => SectionRef::LogAlarms(&self.log_alarms),
            SectionName::Events => return None,
        })
    }

    /// A region whose every regional section is in `state`: where a collector starts (every
    /// section not collected), or what a region whose collection died records (every needed
    /// section failed).
    pub fn uniform(region: impl Into<String>, sections: SectionSet, state: &SectionState) -> Self {
        let mut snapshot = RegionSnapshot {
            region: region.into(),
            trails: Section::not_collected(),
            log_groups: Section::not_collected(),
            metric_filters: Section::not_collected(),
            metric_alarms: Section::not_collected(),
            composite_alarms: Section::not_collected(),
            topics: Section::not_collected(),
            event_rules: Section::not_collected(),
            kms_keys: Section::not_collected(),
            key_rotations: Section::not_collected(),
            key_policies: Section::not_collected(),
            key_tags: Section::not_collected(),
            topic_policies: Section::not_collected(),
            topic_deliveries: Section::not_collected(),
            subscription_attributes: Section::not_collected(),
            log_alarms: Section::not_collected(),
        };
        for name in sections.iter() {
            snapshot.reset(name, state);
        }
        snapshot
    }

    /// Resets the regional section `name` to `state` (an account-wide name is ignored).
    pub fn reset(&mut self, name: SectionName, state: &SectionState) {
        let region = self.region.clone();
        with_regional_section!(
            self,
            name,
            |section| *section = state.section(name, Some(&region)),
            ()
        )
    }

    /// Marks the regional section `name` as collected, keeping its items and dropping its
    /// errors (an account-wide name is ignored): what a test builder means by "read, and this is
    /// what was found".
    pub fn mark_collected(&mut self, name: SectionName) {
        with_regional_section!(
            self,
            name,
            |section| {
                section.collected = true;
                section.errors.clear();
            },
            ()
        )
    }

    /// Puts a collected section in its place.
    pub fn put(&mut self, data: SectionData) {
        match data {
            SectionData::Trails(s) => self.trails = s,
            SectionData::LogGroups(s) => self.log_groups = s,
            SectionData::MetricFilters(s) => self.metric_filters = s,
            SectionData::MetricAlarms(s) => self.metric_alarms = s,
            SectionData::CompositeAlarms(s) => self.composite_alarms = s,
            SectionData::Topics(s) => self.topics = s,
            SectionData::EventRules(s) => self.event_rules = s,
            SectionData::KmsKeys(s) => self.kms_keys = s,
            SectionData::KeyRotations(s) => self.key_rotations = s,
            SectionData::KeyPolicies(s) => self.key_policies = s,
            SectionData::KeyTags(s) => self.key_tags = s,
            SectionData::TopicPolicies(s) => self.topic_policies = s,
            SectionData::TopicDeliveries(s) => self.topic_deliveries = s,
            SectionData::SubscriptionAttributes(s) => self.subscription_attributes = s,
            SectionData::LogAlarms(s) => self.log_alarms = s,
        }
    }
}

impl Snapshot {
    /// The snapshot as a pack whose rules read `sections` receives it: every other section is
    /// withheld (written as not collected, with a marker that names it).
    ///
    /// It serialises from borrowed parts of `self`: a pruned clone of a large account would
    /// briefly cost as much memory as the snapshot itself, once per pack running at once. The
    /// host writes a pack's input with it, and the native test helpers
    /// ([`crate::testing`]) write theirs with it too, so a rule whose `needs` is wrong fails
    /// its tests exactly as it would fail in `trailwarden check`.
    ///
    /// Every section's key is written; [`SnapshotView::for_reader`] leaves out those a pack's
    /// SDK does not know.
    pub fn view(&self, sections: SectionSet) -> SnapshotView<'_> {
        SnapshotView {
            snapshot: self,
            sections,
            known: SectionSet::all(),
            links: true,
        }
    }

    /// A copy with every section outside `sections` withheld: [`Snapshot::view`] as a value.
    pub fn withholding(&self, sections: SectionSet) -> Snapshot {
        let mut copy = self.clone();
        for name in SectionName::ALL {
            if sections.contains(name) {
                continue;
            }
            match name {
                SectionName::Events => copy.events = withheld(name, None),
                _ => copy
                    .regions
                    .iter_mut()
                    .for_each(|region| region.reset(name, &SectionState::Withheld)),
            }
        }
        copy.linked_accounts = self
            .linked_accounts
            .iter()
            .map(|linked| linked.withholding(sections))
            .collect();
        copy
    }
}

/// A snapshot with some sections withheld, serialised without copying (see
/// [`Snapshot::view`]). It writes exactly what [`Snapshot`] writes when nothing is withheld.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotView<'a> {
    snapshot: &'a Snapshot,
    sections: SectionSet,
    known: SectionSet,
    links: bool,
}

impl SnapshotView<'_> {
    /// The view for a reader whose snapshot model has the sections `known` alone (a pack built
    /// with an older SDK, [`SectionSet::known_to`]): the keys of the other sections are left
    /// out, shown or withheld, because that model denies unknown fields and would refuse the
    /// whole input over one key it has never heard of.
    pub fn for_reader(self, known: SectionSet) -> Self {
        Self { known, ..self }
    }

    /// The view for a reader whose snapshot model has no `linkedAccounts` (a pack built with
    /// an SDK older than [`LINKED_ACCOUNTS_SINCE`], [`knows_linked_accounts`]) when `shown` is
    /// false: the key is left out, because that model denies unknown fields. Such a pack sees
    /// each account alone, and its chains that continue in another account are "could not
    /// verify", as in a one-account run.
    pub fn linked_accounts(self, shown: bool) -> Self {
        Self {
            links: shown,
            ..self
        }
    }

    /// The view as compact JSON, the form a pack reads.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }
}

/// One section as a view writes it: the snapshot's own, or withheld.
enum Part<'a, T: Serialize> {
    Shown(T),
    Withheld(SectionName, Option<&'a str>),
}

impl<T: Serialize> Serialize for Part<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Part::Shown(section) => section.serialize(serializer),
            Part::Withheld(name, region) => withheld::<()>(*name, *region).serialize(serializer),
        }
    }
}

impl Serialize for SnapshotView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Snapshot {
            schema_version,
            generator,
            account,
            regions,
            events,
            errors,
            linked_accounts,
            centralization_rules,
        } = self.snapshot;
        let regions: Vec<RegionView<'_>> = regions
            .iter()
            .map(|region| RegionView {
                region,
                sections: self.sections,
                known: self.known,
            })
            .collect();
        let events = if self.sections.contains(SectionName::Events) {
            Part::Shown(events)
        } else {
            Part::Withheld(SectionName::Events, None)
        };
        // Packs built with an SDK older than 0.3 deny both organization keys.
        let links = self.links && !linked_accounts.is_empty();
        let rules = self.links && !centralization_rules.is_empty();
        let fields = 5 + usize::from(!errors.is_empty()) + usize::from(links) + usize::from(rules);
        let mut out = serializer.serialize_struct("Snapshot", fields)?;
        out.serialize_field("schemaVersion", schema_version)?;
        out.serialize_field::<Generator>("generator", generator)?;
        out.serialize_field::<Account>("account", account)?;
        out.serialize_field("regions", &regions)?;
        out.serialize_field("events", &events)?;
        if !errors.is_empty() {
            out.serialize_field("errors", errors)?;
        }
        if links {
            // A linked account is shown as this account is: the same sections, the same keys.
            let linked: Vec<SnapshotView<'_>> = linked_accounts
                .iter()
                .map(|snapshot| SnapshotView { snapshot, ..*self })
                .collect();
            out.serialize_field("linkedAccounts", &linked)?;
        }
        if rules {
            // Like `linkedAccounts`: present only in an organization's evaluation, and left
            // out for packs whose SDK cannot read it.
            out.serialize_field("centralizationRules", centralization_rules)?;
        }
        out.end()
    }
}

/// A region as a view writes it.
struct RegionView<'a> {
    region: &'a RegionSnapshot,
    sections: SectionSet,
    known: SectionSet,
}

impl Serialize for RegionView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let regional: Vec<SectionName> = SectionName::regional().collect();
        let mut out = serializer.serialize_struct("RegionSnapshot", 1 + regional.len())?;
        out.serialize_field("region", &self.region.region)?;
        for name in regional {
            let Some(section) = self.region.section(name) else {
                continue;
            };
            if !self.known.contains(name) {
                continue;
            }
            let part = if self.sections.contains(name) {
                // As `RegionSnapshot` writes it: an optional section nobody asked for is left
                // out.
                if name.is_optional() && section.is_not_collected() {
                    continue;
                }
                Part::Shown(section)
            } else {
                Part::Withheld(name, Some(&self.region.region))
            };
            out.serialize_field(name.name(), &part)?;
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for section in SectionName::ALL {
            assert_eq!(SectionName::parse(section.name()), Some(section));
        }
        assert_eq!(SectionName::parse("alarms"), None);
        assert_eq!(SectionSet::all().iter().count(), SectionName::ALL.len());
    }

    fn compliant() -> Snapshot {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/snapshots/kms-chain-compliant.json"
        ))
        .expect("fixture");
        Snapshot::from_json(&text).expect("valid fixture")
    }

    #[test]
    fn undeclared_sections_are_withheld_and_say_so() {
        let snapshot = compliant();
        let sections: SectionSet = [SectionName::Trails, SectionName::KmsKeys]
            .into_iter()
            .collect();
        let bytes = snapshot.view(sections).to_json().expect("json");
        let pruned =
            Snapshot::from_json(std::str::from_utf8(&bytes).expect("utf-8")).expect("parses");
        assert_eq!(
            pruned,
            snapshot.withholding(sections),
            "the view and the copy agree"
        );
        assert_eq!(pruned.regions[0].trails, snapshot.regions[0].trails);
        assert_eq!(pruned.regions[0].kms_keys, snapshot.regions[0].kms_keys);
        let filters = &pruned.regions[0].metric_filters;
        assert!(!filters.collected && filters.items.is_empty());
        let why = filters.verified().expect_err("withheld").to_string();
        assert!(why.contains("`metricFilters` was withheld"), "{why}");
        assert!(why.contains("needs"), "{why}");
        assert!(matches!(
            pruned.events.verified(),
            Err(crate::snapshot::Incomplete::Withheld(_))
        ));
        assert_eq!(
            pruned.collection_errors().count(),
            0,
            "a withheld section is not a failed call"
        );
        assert_eq!(pruned.account, snapshot.account);
    }

    /// The view writes what `Snapshot` itself writes, field for field, on a snapshot with
    /// every section filled and account-wide errors: a field added to the model and not to the
    /// view fails here.
    #[test]
    fn the_view_writes_exactly_what_the_snapshot_writes() {
        let mut snapshot = with_new_sections();
        snapshot.errors.push(CollectionError {
            service: "account".to_owned(),
            operation: "ListRegions".to_owned(),
            region: None,
            code: "AccessDenied".to_owned(),
            message: "no".to_owned(),
        });
        snapshot.generator.events_window = Some(("a".to_owned(), "b".to_owned()));
        let all = snapshot.view(SectionSet::all()).to_json().expect("json");
        let as_written: serde_json::Value = serde_json::from_slice(&all).expect("json");
        assert_eq!(as_written, serde_json::to_value(&snapshot).expect("json"));
        assert_eq!(
            all,
            serde_json::to_vec(&snapshot).expect("json"),
            "byte for byte"
        );
    }

    /// The compliant fixture with every section added after the first SDK filled.
    fn with_new_sections() -> Snapshot {
        let mut snapshot = compliant();
        let region = &mut snapshot.regions[0];
        let key_arn = format!("arn:aws:kms:{}:111122223333:key/k1", region.region);
        region.key_rotations = Section::of(vec![KeyRotation {
            key_arn: key_arn.clone(),
            rotation_enabled: true,
            rotation_period_in_days: Some(365),
        }]);
        region.key_policies = Section::of(vec![KeyPolicy {
            key_arn: key_arn.clone(),
            policy: r#"{"Version":"2012-10-17","Statement":[]}"#.to_owned(),
        }]);
        region.key_tags = Section::of(vec![KeyTags {
            key_arn,
            tags: [("team".to_owned(), "security".to_owned())].into(),
        }]);
        region.topic_policies = Section::failed(CollectionError {
            service: "sns".to_owned(),
            operation: "GetTopicAttributes".to_owned(),
            region: Some(region.region.clone()),
            code: "AuthorizationError".to_owned(),
            message: String::new(),
        });
        snapshot
    }

    /// The keys each region of a pack's input has.
    fn region_keys(input: &[u8]) -> Vec<Vec<String>> {
        let value: serde_json::Value = serde_json::from_slice(input).expect("json");
        value["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .map(|region| {
                let mut keys: Vec<String> = region
                    .as_object()
                    .expect("object")
                    .keys()
                    .cloned()
                    .collect();
                keys.sort();
                keys
            })
            .collect()
    }

    /// The region keys of SDK 0.1.0's `RegionSnapshot`, which denies any other.
    const FIRST_SDK_REGION_KEYS: [&str; 9] = [
        "compositeAlarms",
        "eventRules",
        "kmsKeys",
        "logGroups",
        "metricAlarms",
        "metricFilters",
        "region",
        "topics",
        "trails",
    ];

    fn pack_meta(sdk_version: &str, needs: &[&str]) -> crate::meta::PackMeta {
        serde_json::from_value(serde_json::json!({
            "name": "old-pack", "version": "1.0.0", "sdkVersion": sdk_version,
            "abiMajor": 1, "abiMinor": 0, "snapshotSchema": 1,
            "rules": [{
                "id": "OLD-001", "name": "old", "shortDescription": "", "fullDescription": "",
                "helpMarkdown": "", "level": "warning", "precision": "high", "needs": needs,
            }],
        }))
        .expect("valid metadata")
    }

    fn input_for(meta: &crate::meta::PackMeta, snapshot: &Snapshot) -> Vec<u8> {
        let run = crate::evaluation::PackRun::plan(
            &meta.rules,
            &meta.sdk_version,
            &Default::default(),
            None,
        );
        run.input(snapshot).expect("json")
    }

    /// A pack built with SDK 0.1.0 and no `needs` is sent every section its SDK knows, and
    /// not one key more, however much the host collected; with `needs` of the first SDK's
    /// sections, likewise (the new ones are not even written as withheld).
    #[test]
    fn a_first_sdk_pack_never_receives_a_section_key_it_does_not_know() {
        let snapshot = with_new_sections();
        for needs in [&[][..], &["kmsKeys"][..]] {
            let input = input_for(&pack_meta("0.1.0", needs), &snapshot);
            for keys in region_keys(&input) {
                assert_eq!(keys, FIRST_SDK_REGION_KEYS, "needs {needs:?}");
            }
            let parsed =
                Snapshot::from_json(std::str::from_utf8(&input).expect("utf-8")).expect("parses");
            assert!(parsed.regions[0].key_rotations.is_not_collected());
            if needs.is_empty() {
                assert_eq!(parsed.regions[0].kms_keys, snapshot.regions[0].kms_keys);
                assert_eq!(parsed.regions[0].trails, snapshot.regions[0].trails);
            }
        }
    }

    /// A pack of this SDK that declares a new section receives it as collected; one that does
    /// not declare it is told it was withheld; one without `needs` receives it.
    #[test]
    fn a_current_pack_receives_the_new_sections_it_declares() {
        let snapshot = with_new_sections();
        let declared = input_for(
            &pack_meta(crate::SDK_VERSION, &["kmsKeys", "keyRotations"]),
            &snapshot,
        );
        let parsed =
            Snapshot::from_json(std::str::from_utf8(&declared).expect("utf-8")).expect("parses");
        assert_eq!(
            parsed.regions[0].key_rotations,
            snapshot.regions[0].key_rotations
        );
        let why = parsed.regions[0]
            .key_tags
            .verified()
            .expect_err("withheld")
            .to_string();
        assert!(why.contains("`keyTags` was withheld"), "{why}");
        // A 0.1.0 pack whose rule declares a new section (it compiled, so its SDK knows it).
        let old_declaring = input_for(&pack_meta("0.1.0", &["keyRotations"]), &snapshot);
        let keys = &region_keys(&old_declaring)[0];
        assert!(keys.contains(&"keyRotations".to_owned()), "{keys:?}");
        assert!(!keys.contains(&"keyTags".to_owned()), "{keys:?}");
        let everything = input_for(&pack_meta(crate::SDK_VERSION, &[]), &snapshot);
        let parsed =
            Snapshot::from_json(std::str::from_utf8(&everything).expect("utf-8")).expect("parses");
        assert_eq!(parsed, snapshot);
    }

    /// A snapshot with the new sections round-trips; one without them writes none of their
    /// keys, so it reads as before in a host or a pack of the first SDK.
    #[test]
    fn saved_snapshots_round_trip_with_and_without_the_new_sections() {
        let snapshot = with_new_sections();
        let text = serde_json::to_string(&snapshot).expect("json");
        assert!(text.contains("\"keyRotations\""), "{text}");
        assert!(
            text.contains("\"topicPolicies\""),
            "a failed section is written"
        );
        assert_eq!(Snapshot::from_json(&text).expect("parses"), snapshot);
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/snapshots");
        let mut read = 0;
        for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            let Ok(snapshot) = Snapshot::from_json(&text) else {
                continue;
            };
            read += 1;
            let written = serde_json::to_vec(&snapshot).expect("json");
            for keys in region_keys(&written) {
                assert_eq!(keys, FIRST_SDK_REGION_KEYS, "{}", path.display());
            }
            let again = Snapshot::from_json(std::str::from_utf8(&written).expect("utf-8"))
                .expect("parses again");
            assert_eq!(again, snapshot, "{}", path.display());
        }
        assert!(read >= 10, "{read} fixtures read");
    }

    #[test]
    fn a_region_can_be_reset_section_by_section() {
        let needs: SectionSet = [SectionName::Trails, SectionName::Topics]
            .into_iter()
            .collect();
        let error = CollectionError {
            service: "trailwarden".to_owned(),
            operation: "CollectRegion".to_owned(),
            region: Some("eu-west-1".to_owned()),
            code: "InternalError".to_owned(),
            message: String::new(),
        };
        let region = RegionSnapshot::uniform("eu-west-1", needs, &SectionState::Failed(error));
        assert!(matches!(
            region.trails.verified(),
            Err(crate::snapshot::Incomplete::Failed(_))
        ));
        assert!(matches!(
            region.topics.verified(),
            Err(crate::snapshot::Incomplete::Failed(_))
        ));
        assert!(matches!(
            region.kms_keys.verified(),
            Err(crate::snapshot::Incomplete::NotCollected)
        ));
    }

    #[test]
    fn needs_are_unioned_and_no_needs_means_everything_the_sdk_knows() {
        let all = SectionSet::all();
        let (set, unknown) =
            SectionSet::needed_by([vec!["trails", "kmsKeys"], vec!["events"]], all);
        assert!(unknown.is_empty());
        assert_eq!(set.to_string(), "trails, kmsKeys, events");
        let (set, _) = SectionSet::needed_by([vec!["trails"], vec![]], all);
        assert_eq!(set, all, "a rule without needs gets everything");
        let (set, unknown) = SectionSet::needed_by([vec!["trails", "somethingNew"]], all);
        assert_eq!(set, all);
        assert_eq!(unknown, ["somethingNew"]);
        let first = SectionSet::known_to("0.1.0");
        let (set, _) = SectionSet::needed_by([vec!["keyTags"], vec![]], first);
        assert_eq!(
            set,
            first.union([SectionName::KeyTags].into_iter().collect())
        );
        assert!(!set.contains(SectionName::KeyRotations));
    }

    #[test]
    fn sdk_versions_are_read_and_compared() {
        assert_eq!(SdkVersion::parse("0.2.0"), Some(SdkVersion::new(0, 2, 0)));
        assert_eq!(SdkVersion::parse("0.2"), Some(SdkVersion::new(0, 2, 0)));
        assert_eq!(
            SdkVersion::parse("0.2.0-dev+abc"),
            Some(SdkVersion::new(0, 2, 0))
        );
        assert_eq!(SdkVersion::parse("1.10.3"), Some(SdkVersion::new(1, 10, 3)));
        for bad in ["", "x", "0", "0.x.1", "0.1.0.4"] {
            assert_eq!(SdkVersion::parse(bad), None, "{bad}");
        }
        assert!(SdkVersion::new(0, 10, 0) > SdkVersion::new(0, 2, 0));
        let first = SectionSet::known_to("0.1.0");
        assert_eq!(SectionSet::known_to("garbage"), first);
        assert_eq!(SectionSet::known_to("0.1.7"), first);
        assert!(!first.contains(SectionName::KeyRotations));
        assert!(first.contains(SectionName::Events) && first.contains(SectionName::KmsKeys));
        let second = SectionSet::known_to("0.2.0");
        assert!(second.contains(SectionName::TopicDeliveries));
        assert!(!second.contains(SectionName::SubscriptionAttributes));
        assert_eq!(SectionSet::known_to("0.3.0"), SectionSet::all());
        assert_eq!(SectionSet::known_to("3.0.0"), SectionSet::all());
        assert_eq!(SectionSet::known_to(crate::SDK_VERSION), SectionSet::all());
    }

    #[test]
    fn linked_accounts_are_left_out_for_packs_that_cannot_read_them() {
        assert!(!knows_linked_accounts("0.2.0"));
        assert!(!knows_linked_accounts("garbage"));
        assert!(knows_linked_accounts("0.3.0"));
        assert!(knows_linked_accounts(crate::SDK_VERSION));
        let mut snapshot = compliant();
        let linked = snapshot.clone();
        snapshot.linked_accounts = vec![linked];
        snapshot.centralization_rules = vec![
            serde_json::from_value(serde_json::json!({
                "ruleName": "to-logging",
                "source": {"regions": ["us-east-1"]},
                "destination": {"region": "us-east-1", "account": "444455556666"}
            }))
            .expect("rule"),
        ];
        let written = |links: bool| -> serde_json::Value {
            let json = snapshot
                .view(SectionSet::all())
                .linked_accounts(links)
                .to_json()
                .expect("json");
            serde_json::from_slice(&json).expect("parsed")
        };
        let shown = written(true);
        assert!(shown.get("linkedAccounts").is_some());
        assert!(shown.get("centralizationRules").is_some());
        let alone = written(false);
        assert!(alone.get("linkedAccounts").is_none(), "{alone}");
        assert!(alone.get("centralizationRules").is_none(), "{alone}");
        // What is left is exactly the account alone.
        let mut own = snapshot.clone();
        own.linked_accounts.clear();
        own.centralization_rules.clear();
        let own: serde_json::Value =
            serde_json::from_slice(&own.view(SectionSet::all()).to_json().expect("json"))
                .expect("parsed");
        assert_eq!(alone, own);
    }
}
