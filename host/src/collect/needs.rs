//! Which snapshot sections to collect, from the `needs` the selected rules declare.
//!
//! Collecting only what the rules read saves calls, time and permissions: a user who runs only
//! the CloudTrail rules needs no `kms:*` or `sns:*` access at all.

/// The snapshot sections a collection fills. A section left out is written as not collected,
/// which rules report as "could not verify".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// `trails`: `DescribeTrails`, `GetTrailStatus`, `GetEventSelectors`.
    pub trails: bool,
    /// `logGroups`: `DescribeLogGroups`.
    pub log_groups: bool,
    /// `metricFilters`: `DescribeMetricFilters`.
    pub metric_filters: bool,
    /// `metricAlarms`: `DescribeAlarms` (metric alarms).
    pub metric_alarms: bool,
    /// `compositeAlarms`: `DescribeAlarms` (composite alarms).
    pub composite_alarms: bool,
    /// `topics`: `ListTopics`, `GetTopicAttributes`, `ListSubscriptionsByTopic`.
    pub topics: bool,
    /// `eventRules`: `ListRules`, `ListTargetsByRule` on the default bus.
    pub event_rules: bool,
    /// `kmsKeys`: `ListKeys`, `DescribeKey`, `ListAliases`.
    pub kms_keys: bool,
    /// `events`: CloudTrail records for detection rules.
    pub events: bool,
}

/// The section names rules may declare, as the snapshot spells them.
pub use crate::prune::SECTIONS;

impl Needs {
    /// Every section.
    pub fn all() -> Self {
        Self {
            trails: true,
            log_groups: true,
            metric_filters: true,
            metric_alarms: true,
            composite_alarms: true,
            topics: true,
            event_rules: true,
            kms_keys: true,
            events: true,
        }
    }

    /// Adds one rule's declared needs. A rule that declares none (a user's pack written
    /// without them) gets everything, because guessing it needs nothing would starve it.
    /// Returns the names that are not sections, for a warning.
    pub fn add_rule<'a>(&mut self, needs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut any = false;
        let mut unknown = Vec::new();
        for name in needs {
            any = true;
            match name {
                "trails" => self.trails = true,
                "logGroups" => self.log_groups = true,
                "metricFilters" => self.metric_filters = true,
                "metricAlarms" => self.metric_alarms = true,
                "compositeAlarms" => self.composite_alarms = true,
                "topics" => self.topics = true,
                "eventRules" => self.event_rules = true,
                "kmsKeys" => self.kms_keys = true,
                "events" => self.events = true,
                other => unknown.push(other.to_owned()),
            }
        }
        if !any {
            *self = Self::all();
        }
        unknown
    }

    /// Whether any per-region section is wanted.
    pub fn any_regional(&self) -> bool {
        self.trails
            || self.log_groups
            || self.metric_filters
            || self.metric_alarms
            || self.composite_alarms
            || self.topics
            || self.event_rules
            || self.kms_keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_sections_are_unioned() {
        let mut needs = Needs::default();
        assert!(needs.add_rule(["trails", "kmsKeys"]).is_empty());
        assert!(needs.add_rule(["events"]).is_empty());
        assert_eq!(
            needs,
            Needs {
                trails: true,
                kms_keys: true,
                events: true,
                ..Needs::default()
            }
        );
    }

    #[test]
    fn a_rule_without_needs_gets_everything_and_unknown_names_are_reported() {
        let mut needs = Needs::default();
        assert!(needs.add_rule([]).is_empty());
        assert_eq!(needs, Needs::all());
        assert_eq!(Needs::default().add_rule(["alarms"]), vec!["alarms"]);
    }

    #[test]
    fn every_section_name_is_understood() {
        let mut needs = Needs::default();
        assert!(needs.add_rule(SECTIONS.iter().copied()).is_empty());
        assert_eq!(needs, Needs::all());
    }
}
