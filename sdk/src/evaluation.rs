//! What one pack is asked to do, decided once for every caller.
//!
//! `trailwarden check`, `trailwarden rules test`, the native test helpers in [`crate::testing`]
//! and the benchmark all run packs the same way: the selected rules of a pack, their settings
//! and the run's time go into one [`EvalContext`], and the pack receives the snapshot with
//! every section its selected rules do not declare withheld ([`crate::sections`]). This module
//! is that decision, so that what a test proves is what a user gets: a rule whose `needs`
//! misses a section it reads fails its native test exactly as it would fail in `check`.

use std::collections::BTreeMap;

use crate::abi::{ABI_MINOR, Envelope, EvalContext, FailureKind};
use crate::meta::RuleMeta;
use crate::rule::Pack;
use crate::sections::{SectionName, SectionSet};
use crate::snapshot::{SCHEMA_VERSION, Snapshot};

/// One pack's evaluation: the sections it receives and the context it is called with.
#[derive(Debug, Clone, PartialEq)]
pub struct PackRun {
    /// The sections the pack receives; the others are withheld.
    pub sections: SectionSet,
    /// The sections the pack's SDK knows: the only keys its input has (see
    /// [`SectionSet::known_to`]). A pack built with an older SDK is never sent a section its
    /// snapshot model would refuse as an unknown field.
    pub known: SectionSet,
    /// Whether the pack's SDK reads `linkedAccounts` ([`crate::sections::knows_linked_accounts`]);
    /// when it does not, its input leaves them out.
    pub links: bool,
    /// The context: rules, settings, time.
    pub ctx: EvalContext,
    /// Section names the rules declare that this SDK does not know (a pack built with a newer
    /// SDK); the pack then receives every section, and the caller may warn.
    pub unknown_sections: Vec<String>,
}

impl PackRun {
    /// The run of `rules` (the selected rules of one pack, in the order they are to run) of a
    /// pack built with the SDK `sdk_version` ([`crate::meta::PackMeta::sdk_version`]), with
    /// the settings given for them (settings of other rules are not sent) at time `now`.
    ///
    /// A rule without `needs` receives every section its SDK knows, not every section of this
    /// SDK; a section a rule declares is known to its pack whatever the version says, since
    /// its name compiled.
    pub fn plan<'a>(
        rules: impl IntoIterator<Item = &'a RuleMeta>,
        sdk_version: &str,
        settings: &BTreeMap<String, serde_json::Value>,
        now: Option<&str>,
    ) -> PackRun {
        let rules: Vec<&RuleMeta> = rules.into_iter().collect();
        let declared: SectionSet = rules
            .iter()
            .flat_map(|rule| rule.needs.iter())
            .filter_map(|name| SectionName::parse(name))
            .collect();
        let known = SectionSet::known_to(sdk_version).union(declared);
        let (sections, unknown_sections) = SectionSet::needed_by(
            rules
                .iter()
                .map(|rule| rule.needs.iter().map(String::as_str)),
            known,
        );
        let ids: Vec<String> = rules.iter().map(|rule| rule.id.clone()).collect();
        let ctx = EvalContext {
            abi_minor: ABI_MINOR,
            encoding: "json".to_owned(),
            snapshot_schema: SCHEMA_VERSION,
            settings: settings
                .iter()
                .filter(|(id, _)| ids.contains(id))
                .map(|(id, value)| (id.clone(), value.clone()))
                .collect(),
            rules: ids,
            now: now.map(str::to_owned),
            max_findings_per_rule: crate::abi::DEFAULT_MAX_FINDINGS,
        };
        PackRun {
            sections,
            known,
            links: crate::sections::knows_linked_accounts(sdk_version),
            ctx,
            unknown_sections,
        }
    }

    /// The pack's input: `snapshot` as compact JSON with the other sections withheld, and
    /// without the keys of sections the pack's SDK does not know.
    pub fn input(&self, snapshot: &Snapshot) -> Result<Vec<u8>, serde_json::Error> {
        snapshot
            .view(self.sections)
            .for_reader(self.known)
            .linked_accounts(self.links)
            .to_json()
    }

    /// Runs the plan natively through the same glue the wasm export runs
    /// ([`crate::abi::evaluate`]): the context and the input are serialised and parsed back,
    /// exactly as in the sandbox. Rules the pack does not have come back as `unknown-rule`
    /// errors, as they would from the pack itself.
    pub fn run_native(&self, pack: &Pack, snapshot: &Snapshot) -> Envelope {
        let ctx = match serde_json::to_vec(&self.ctx) {
            Ok(ctx) => ctx,
            Err(error) => {
                return crate::abi::error_envelope(
                    &self.ctx,
                    &FailureKind::Context,
                    &error.to_string(),
                );
            }
        };
        match self.input(snapshot) {
            Ok(input) => crate::abi::evaluate(pack, &ctx, &input),
            Err(error) => {
                crate::abi::error_envelope(&self.ctx, &FailureKind::Snapshot, &error.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, needs: &[&str]) -> RuleMeta {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": "x", "shortDescription": "", "fullDescription": "",
            "helpMarkdown": "", "level": "warning", "precision": "high",
            "needs": needs,
        }))
        .expect("valid metadata")
    }

    #[test]
    fn a_plan_unions_the_needs_and_sends_only_the_selected_rules_settings() {
        let (a, b) = (meta("A", &["trails"]), meta("B", &["kmsKeys"]));
        let settings = BTreeMap::from([
            ("A".to_owned(), serde_json::json!({"x": 1})),
            ("C".to_owned(), serde_json::json!({"y": 2})),
        ]);
        let run = PackRun::plan(
            [&a, &b],
            crate::SDK_VERSION,
            &settings,
            Some("2026-12-01T00:00:00Z"),
        );
        assert_eq!(
            run.sections,
            [SectionName::Trails, SectionName::KmsKeys]
                .into_iter()
                .collect()
        );
        assert_eq!(run.ctx.rules, ["A", "B"]);
        assert_eq!(run.ctx.settings.keys().collect::<Vec<_>>(), ["A"]);
        assert_eq!(run.ctx.now.as_deref(), Some("2026-12-01T00:00:00Z"));
        assert!(run.ctx.max_findings_per_rule > 0);
    }
}
