//! From an [`Analysis`] to findings: one per distinct break, naming every region it affects.
//!
//! A multi-region trail with one broken alarm breaks every region the same way; reporting that
//! seventeen times would bury the one sentence that matters. So regions whose furthest break is
//! the same (same reason, same resource, same clause) share one finding, which lists them. A
//! finding about one region carries that region, so its fingerprint follows the region.

use serde_json::json;

use super::analysis::{Analysis, Break, RegionVerdict};
use super::notify::{Notify, partly_failing_text};
use super::reason;
use super::requirements::is_cis_text;
use crate::events::CisControl;
use crate::finding::{Finding, Level, Resource};
use crate::snapshot::TopicDeliveries;

impl Analysis {
    /// The findings for every region that is not covered: failures, and could-not-verify
    /// results where the snapshot lacks data; then a warning-level
    /// `TOPIC_DELIVERIES_PARTLY_FAILING` for each topic a covering path notifies through whose
    /// deliveries partly failed ([`Analysis::delivery_warnings`]). Empty when every region is
    /// covered and no such topic is used.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = self.break_findings();
        findings.extend(self.delivery_warnings());
        findings
    }

    /// A warning for each topic that a covering path notifies through and whose deliveries
    /// partly failed in the `topicDeliveries` window ([`Notify::Told::failing`]): the chain
    /// holds, because someone was reached, but some subscriber was not. Warning level, so it
    /// gates only where warnings do; one per topic, naming the regions whose paths use it.
    pub fn delivery_warnings(&self) -> Vec<Finding> {
        let mut topics: Vec<(&Resource, &TopicDeliveries, Vec<&str>)> = Vec::new();
        for region in &self.regions {
            let paths = region.events.iter().flat_map(|e| &e.paths);
            for path in paths {
                let Notify::Told {
                    topic,
                    failing: Some(counts),
                    ..
                } = &path.notify
                else {
                    continue;
                };
                match topics.iter_mut().find(|(t, _, _)| t.arn == topic.arn) {
                    Some((_, _, regions)) => {
                        if !regions.contains(&region.region.as_str()) {
                            regions.push(region.region.as_str());
                        }
                    }
                    None => topics.push((topic, counts, vec![region.region.as_str()])),
                }
            }
        }
        topics
            .into_iter()
            .map(|(topic, counts, regions)| {
                Finding::fail(
                    reason::TOPIC_DELIVERIES_PARTLY_FAILING,
                    format!(
                        "{} in {} are caught, but {}",
                        self.requirement,
                        region_list(&regions),
                        partly_failing_text(&topic.name, counts)
                    ),
                )
                .level(Level::Warning)
                .account(&self.account)
                .resource(topic.clone())
                .property("link", super::analysis::Link::Notify.name())
                .property("delivered", counts.delivered)
                .property("failed", counts.failed)
                .property("windowHours", counts.window_hours)
                .property("regions", json!(regions))
            })
            .collect()
    }

    /// The breaks: one finding per distinct break over the regions that are not covered.
    fn break_findings(&self) -> Vec<Finding> {
        if self.regions.is_empty() {
            return vec![
                Finding::unverifiable(
                    reason::NO_REGIONS,
                    format!(
                        "could not verify that {} reach someone: the snapshot lists no enabled region",
                        self.requirement
                    ),
                )
                .account(&self.account),
            ];
        }
        let mut groups: Vec<Group<'_>> = Vec::new();
        for region in &self.regions {
            let (stop, event, unverifiable) = match region.verdict() {
                RegionVerdict::Covered => continue,
                RegionVerdict::Uncovered(event, stop) => (stop, event, false),
                RegionVerdict::Unverifiable(event, stop) => (stop, event, true),
            };
            let entry = (region.region.as_str(), region.uncovered_events());
            match groups
                .iter_mut()
                .find(|g| g.unverifiable == unverifiable && same_break(g.stop, stop))
            {
                Some(group) => group.regions.push(entry),
                None => groups.push(Group {
                    stop,
                    event: &event.event,
                    unverifiable,
                    regions: vec![entry],
                }),
            }
        }
        groups.iter().map(|g| g.finding(self)).collect()
    }

    /// [`Analysis::findings`], each attributed to `subject` (see [`Finding::about`]): for a rule
    /// that analyses one requirement per resource, such as the events of one KMS key, so that
    /// two keys broken by one shared filter give two findings with two fingerprints, each on its
    /// key, with the filter as a related resource.
    pub fn findings_about(&self, subject: &Resource) -> Vec<Finding> {
        self.findings()
            .into_iter()
            .map(|finding| finding.about(subject.clone()))
            .collect()
    }

    /// For a `strict_cis` setting: a note when covered regions rely only on filters whose text
    /// is not the CIS text of `control`. The chain works there, but Security Hub compares the
    /// pattern text and reports the control as failed, and users deserve to know why the two
    /// tools disagree.
    pub fn cis_text_findings(&self, control: &CisControl, version: &str) -> Vec<Finding> {
        let covered: Vec<&str> = self
            .regions
            .iter()
            .filter(|region| region.events.iter().all(|e| e.is_covered()))
            // A region covered only by accepted EventBridge rules has no filter to compare.
            .filter(|region| region.events.iter().any(|e| !e.paths.is_empty()))
            .filter(|region| {
                !region.events.iter().flat_map(|e| &e.paths).any(|path| {
                    !path.is_log_alarm() && is_cis_text(control, &path.filter_pattern, version)
                })
            })
            .map(|region| region.region.as_str())
            .collect();
        let first_path = self
            .regions
            .iter()
            .filter(|r| covered.contains(&r.region.as_str()))
            .flat_map(|r| &r.events)
            .flat_map(|e| &e.paths)
            .next();
        let Some(path) = first_path else {
            return Vec::new();
        };
        let standard = match control.security_hub {
            Some(id) => format!("Security Hub {id}"),
            None => "a text-comparing checker such as Security Hub".to_owned(),
        };
        vec![
            Finding::fail(
                reason::PATTERN_NOT_CIS_TEXT,
                if path.is_log_alarm() {
                    // A log alarm needs no metric filter, and a text-comparing checker looks
                    // only at metric filters.
                    format!(
                        "log alarm `{}` catches {}, but it is not a metric filter with the CIS {version} {} text, so {standard} (which compares filter text) reports it as failed in {}",
                        path.alarm.name,
                        self.requirement,
                        control.id,
                        region_list(&covered)
                    )
                } else {
                    format!(
                        "metric filter `{}` catches {}, but its pattern is not the CIS {version} {} text, so {standard} (which compares text) reports it as failed in {}",
                        path.filter.name,
                        self.requirement,
                        control.id,
                        region_list(&covered)
                    )
                },
            )
            .level(Level::Note)
            .account(&self.account)
            .resource(path.filter.clone())
            .property(
                "cisPattern",
                control
                    .patterns(version)
                    .and_then(|p| p.first().copied())
                    .unwrap_or(control.pattern),
            )
            .property("cisVersion", version)
            .property("regions", json!(covered)),
        ]
    }

    /// Whether every enabled region is covered.
    pub fn is_covered(&self) -> bool {
        !self.regions.is_empty()
            && self
                .regions
                .iter()
                .all(|r| matches!(r.verdict(), RegionVerdict::Covered))
    }
}

/// Regions that share one break.
struct Group<'a> {
    stop: &'a Break,
    event: &'a str,
    unverifiable: bool,
    /// Region and the events not covered there.
    regions: Vec<(&'a str, Vec<&'a str>)>,
}

fn same_break(a: &Break, b: &Break) -> bool {
    a.reason == b.reason
        && a.message == b.message
        && a.resource.as_ref().map(|r| &r.arn) == b.resource.as_ref().map(|r| &r.arn)
}

impl Group<'_> {
    fn finding(&self, analysis: &Analysis) -> Finding {
        let names: Vec<&str> = self.regions.iter().map(|(r, _)| *r).collect();
        let place = region_list(&names);
        let message = if self.unverifiable {
            format!(
                "could not verify that {} in {place} reach someone: {}",
                analysis.requirement, self.stop.message
            )
        } else {
            format!(
                "{} in {place} reach nobody: {}",
                analysis.requirement, self.stop.message
            )
        };
        let mut finding = if self.unverifiable {
            Finding::unverifiable(&self.stop.reason, message)
        } else {
            Finding::fail(&self.stop.reason, message)
        }
        .account(&analysis.account)
        .property("link", self.stop.link.name())
        .property("event", self.event)
        .property("regions", json!(names));
        if let [(region, _)] = self.regions.as_slice() {
            finding = finding.region(*region);
        }
        let uncovered: serde_json::Map<String, serde_json::Value> = self
            .regions
            .iter()
            .map(|(region, events)| ((*region).to_owned(), json!(events)))
            .collect();
        finding = finding.property("uncoveredEvents", uncovered);
        if let Some(resource) = &self.stop.resource {
            finding = finding.resource(resource.clone());
        }
        for resource in &self.stop.path {
            if Some(&resource.arn) != self.stop.resource.as_ref().map(|r| &r.arn) {
                finding = finding.related(resource.clone());
            }
        }
        finding
    }
}

/// `us-east-1`, `us-east-1 and eu-west-1`, or `a, b, c, d and 13 more regions`.
fn region_list(regions: &[&str]) -> String {
    const SHOWN: usize = 4;
    match regions {
        [] => "no region".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] if regions.len() <= SHOWN => format!("{} and {last}", init.join(", ")),
        _ => format!(
            "{} and {} more regions",
            regions[..SHOWN].join(", "),
            regions.len() - SHOWN
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::region_list;

    #[test]
    fn regions_are_listed_readably() {
        assert_eq!(region_list(&["us-east-1"]), "us-east-1");
        assert_eq!(region_list(&["a", "b"]), "a and b");
        assert_eq!(region_list(&["a", "b", "c", "d"]), "a, b, c and d");
        assert_eq!(
            region_list(&["a", "b", "c", "d", "e", "f"]),
            "a, b, c, d and 2 more regions"
        );
    }
}
