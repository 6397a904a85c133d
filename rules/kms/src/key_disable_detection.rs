//! TW-KMS-006: successful `DisableKey` and `ScheduleKeyDeletion` calls in the recent CloudTrail
//! records, one finding per event.

use std::collections::BTreeSet;

use trailwarden_sdk::events::kms::EVENT_SOURCE;
use trailwarden_sdk::prelude::*;
use trailwarden_sdk::time::{format_rfc3339, parse_rfc3339};

use crate::common::KEY_KIND;
use crate::reason;

/// The Elastic rule's risk score, carried as a finding property for SIEM correlation.
pub const RISK_SCORE: u32 = 47;
/// The logical-location kind of a finding about one CloudTrail event.
pub const EVENT_KIND: &str = "AWS::CloudTrail::Event";
/// The calls this rule reports.
pub const OPERATIONS: [&str; 2] = ["DisableKey", "ScheduleKeyDeletion"];

/// Settings of TW-KMS-006.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectionSettings {
    /// How far back from the run's time events are reported, in minutes: the look-back of a
    /// scheduled detection, so that consecutive runs do not miss or repeat much.
    pub window_minutes: u32,
    /// Principal ARNs whose calls are expected (key-lifecycle automation); a trailing `*`
    /// matches any suffix. Compared with the caller's ARN and, for role sessions, the role's.
    pub allowed_principals: Vec<String>,
}

impl Default for DetectionSettings {
    /// The last 60 minutes, as Elastic's rule looks back (`now-60m`), and nobody allowed.
    fn default() -> Self {
        Self {
            window_minutes: 60,
            allowed_principals: Vec::new(),
        }
    }
}

impl RuleSettings for DetectionSettings {
    fn describe() -> Vec<SettingMeta> {
        vec![
            SettingMeta {
                name: "window_minutes".to_owned(),
                value_type: "integer".to_owned(),
                default: serde_json::json!(60),
                description: "report events from this many minutes before the run's time (at least 1)".to_owned(),
            },
            SettingMeta {
                name: "allowed_principals".to_owned(),
                value_type: "list of strings".to_owned(),
                default: serde_json::json!([]),
                description: "principal ARNs (user, role or role-session; a trailing `*` matches any suffix) whose calls are expected and not reported".to_owned(),
            },
        ]
    }

    fn validate(&self) -> Result<(), String> {
        if self.window_minutes == 0 {
            return Err("`window_minutes` must be at least 1".to_owned());
        }
        for principal in &self.allowed_principals {
            let body = principal.strip_suffix('*').unwrap_or(principal);
            if principal.is_empty() || body.contains('*') {
                return Err(format!(
                    "`allowed_principals` entry `{principal}` must be a non-empty ARN with `*` only at the end"
                ));
            }
        }
        Ok(())
    }
}

/// Reports every successful `DisableKey` and `ScheduleKeyDeletion` call recorded by CloudTrail in
/// the recent window, with who made it, from where, and on which key.
///
/// ## What it checks
/// Over the CloudTrail records in the snapshot (from `LookupEvents`, log files or the trail's
/// log group), each record with `eventSource` `kms.amazonaws.com`, `eventName` `DisableKey` or
/// `ScheduleKeyDeletion`, no `errorCode` (the call succeeded), and an `eventTime` no older than
/// `window_minutes` (default 60) before the end of the snapshot's events window (when the
/// collector recorded one: a saved snapshot checked a week later still reports what happened
/// before it was collected) or else the run's time is one finding; with neither, the result is
/// "not verifiable". Each finding carries the actor (`userIdentity` ARN and type), the key
/// (`requestParameters.keyId`, or the key ARN in `resources`), the region, the source IP, the
/// event time and the event id, as message parts and as properties, plus the risk score 47.
/// Calls by `allowed_principals` are not reported. The same `eventID` seen twice (log files and
/// `LookupEvents`) is reported once.
///
/// The records come from `LookupEvents`, log files (`{"Records": [...]}`) or the log group,
/// unpacked into plain CloudTrail records by the collector (and, for snapshots saved by older
/// versions, when the snapshot is read). A matching record whose `eventTime` cannot be read is
/// reported as not verifiable, since it may be recent. If the events could not be collected at
/// all, the result is "not verifiable"; if some calls failed, or an event could not be read,
/// that is reported and the records that did arrive are still checked.
///
/// ## Why it matters
/// Deleting a KMS key "deletes the key material and all metadata associated with the KMS key
/// and is irreversible": data encrypted under it can never be decrypted again. Disabling a key
/// stops every use of it at once. Adversaries do both to destroy data or hold it hostage (MITRE
/// ATT&CK T1485, Data Destruction). The waiting period of a scheduled deletion (7 to 30 days) is
/// the time someone has to notice and cancel it.
///
/// ## Example
/// Reported: a `ScheduleKeyDeletion` by `arn:aws:iam::111122223333:user/Alice` from
/// `198.51.100.23` ten minutes before the run, with no `errorCode`. Not reported: the same call
/// with `"errorCode": "AccessDeniedException"`, one two hours old, or one by a role listed in
/// `allowed_principals` such as `arn:aws:iam::111122223333:role/key-rotation*`.
///
/// ## How to fix
/// Confirm with the actor that the change was intended. If it was not, undo it and revoke the
/// credentials used:
/// ```sh
/// aws kms cancel-key-deletion --key-id <key-id>   # the key is left Disabled
/// aws kms enable-key --key-id <key-id>
/// ```
/// To prevent it, deny `kms:ScheduleKeyDeletion` and `kms:DisableKey` outside a break-glass
/// role, for example in the key policy (CloudFormation `AWS::KMS::Key` `KeyPolicy`, Terraform
/// `aws_kms_key.policy`):
/// ```json
/// {"Effect": "Deny", "Principal": "*",
///  "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"], "Resource": "*",
///  "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/break-glass"}}}
/// ```
/// Expected automation can be allowed with the `allowed_principals` setting.
///
/// ## References
/// - Elastic detection rule "AWS KMS Customer Managed Key Disabled or Scheduled for Deletion"
///   (severity medium, risk score 47, rule id `6951f15e-533c-4a60-8014-a3c3ab851a1b`)
/// - MITRE ATT&CK T1485 Data Destruction, <https://attack.mitre.org/techniques/T1485/>
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html>
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html>
#[rule(
    id = "TW-KMS-006",
    name = "key-disable-detection",
    level = "warning",
    security_severity = 5.5,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html",
    tags = ["kms", "cloudtrail", "detection", "impact"],
    mitre = ["T1485"],
    needs = ["events"],
    settings = DetectionSettings
)]
pub fn key_disable_detection(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: DetectionSettings = ctx.settings()?;
    let account = snapshot.account.id.as_str();
    if !snapshot.events.collected {
        return Ok(vec![
            Finding::unverifiable(
                reason::EVENTS_NOT_COLLECTED,
                "could not look for disabled or deleted keys because no CloudTrail events were collected",
            )
            .account(account),
        ]);
    }
    let mut findings: Vec<Finding> = snapshot
        .events
        .errors
        .first()
        .map(|error| {
            Finding::unverifiable(
                reason::EVENTS_INCOMPLETE,
                format!(
                    "some CloudTrail events may be missing, so keys disabled or deleted in the window may go unreported: {error}"
                ),
            )
            .account(account)
        })
        .into_iter()
        .collect();
    let end = match window_end(snapshot, ctx) {
        Ok(end) => end,
        Err(why) => {
            findings.push(
                Finding::unverifiable(
                    reason::EVENT_WINDOW_UNKNOWN,
                    format!("could not decide which CloudTrail events are recent because {why}"),
                )
                .account(account),
            );
            return Ok(findings);
        }
    };
    let start = end - i64::from(settings.window_minutes) * 60;
    findings.extend(coverage_gap(snapshot, start));
    let mut scan = Scan {
        settings: &settings,
        account,
        start,
        seen: BTreeSet::new(),
        findings: Vec::new(),
    };
    for record in &snapshot.events.items {
        scan.record(snapshot, record);
    }
    findings.extend(scan.findings);
    Ok(findings)
}

/// The end of the window: the end of the snapshot's events window when it records one, else
/// the run's time; or why neither can be used, as a clause.
///
/// The events are data collected at one moment. A snapshot saved today and checked tomorrow
/// must still report the key deleted in the hour before collection; anchoring the window at the
/// run's time would find nothing and only say the window is not covered. For a live run the
/// collector ends the events window at the run's time, so both agree.
fn window_end(snapshot: &Snapshot, ctx: &Ctx) -> Result<i64, String> {
    let window_problem = match &snapshot.generator.events_window {
        Some((_, end)) => match parse_rfc3339(end) {
            Ok(end) => return Ok(end),
            Err(error) => format!("the end of the snapshot's events window is unusable ({error})"),
        },
        None => "the snapshot records no events window".to_owned(),
    };
    match ctx.now().map(parse_rfc3339) {
        Some(Ok(now)) => Ok(now),
        Some(Err(error)) => Err(format!(
            "{window_problem} and the run time is unusable ({error})"
        )),
        None => Err(format!("{window_problem} and the host gave no run time")),
    }
}

/// A could-not-verify when events were collected from later than the window starts: calls
/// between the two are unknown.
fn coverage_gap(snapshot: &Snapshot, start: i64) -> Option<Finding> {
    let (from, _) = snapshot.generator.events_window.as_ref()?;
    let collected_from = parse_rfc3339(from).ok()?;
    (collected_from > start).then(|| {
        Finding::unverifiable(
            reason::EVENT_WINDOW_NOT_COVERED,
            format!(
                "events were collected only from {}, but the window starts at {}, so earlier key changes are unknown",
                format_rfc3339(collected_from),
                format_rfc3339(start)
            ),
        )
        .account(&snapshot.account.id)
    })
}

/// The walk over the records, with what it has found so far.
struct Scan<'a> {
    settings: &'a DetectionSettings,
    account: &'a str,
    start: i64,
    seen: BTreeSet<String>,
    findings: Vec<Finding>,
}

impl Scan<'_> {
    fn record(&mut self, snapshot: &Snapshot, record: &CloudTrailRecord) {
        if record.event_source() != EVENT_SOURCE
            || !OPERATIONS.contains(&record.event_name())
            || record.failed()
        {
            return;
        }
        let event = Event::read(record, self.account);
        if let Some(id) = &event.id
            && !self.seen.insert(id.clone())
        {
            return;
        }
        if self.allowed(&event) {
            return;
        }
        let finding = match event.time.map(parse_rfc3339) {
            Some(Ok(time)) if time < self.start => return,
            Some(Ok(time)) => event.finding(snapshot, time),
            Some(Err(error)) => event.undated(&error.to_string()),
            None => event.undated("it has no eventTime"),
        };
        self.findings.push(finding);
    }

    fn allowed(&self, event: &Event<'_>) -> bool {
        let candidates = [event.actor_arn, event.issuer_arn];
        self.settings.allowed_principals.iter().any(|allowed| {
            candidates
                .iter()
                .flatten()
                .any(|arn| principal_matches(allowed, arn))
        })
    }
}

/// An allowed-principal entry against an ARN: exact, or prefix with a trailing `*`.
fn principal_matches(allowed: &str, arn: &str) -> bool {
    match allowed.strip_suffix('*') {
        Some(prefix) => arn.starts_with(prefix),
        None => arn == allowed,
    }
}

/// The parts of a matching record a finding reports; any of them may be missing.
struct Event<'a> {
    name: &'a str,
    id: Option<String>,
    time: Option<&'a str>,
    region: Option<&'a str>,
    account: String,
    source_ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    actor_type: Option<&'a str>,
    actor_arn: Option<&'a str>,
    issuer_arn: Option<&'a str>,
    key_ref: Option<&'a str>,
    key_arn: Option<&'a str>,
    pending_days: Option<i64>,
}

impl<'a> Event<'a> {
    fn read(record: &'a CloudTrailRecord, account: &str) -> Self {
        let identity = record.user_identity();
        let key_ref = record
            .request_parameters()
            .and_then(|parameters| parameters.get("keyId"))
            .and_then(serde_json::Value::as_str);
        let key_arn = record
            .resources()
            .find_map(|resource| {
                let arn = resource.arn()?;
                let is_key = resource.kind() == Some(KEY_KIND) || arn.contains(":key/");
                is_key.then_some(arn)
            })
            .or_else(|| key_ref.filter(|k| k.starts_with("arn:")));
        Self {
            name: record.event_name(),
            id: record.event_id().map(str::to_owned),
            time: record.event_time(),
            region: record.aws_region(),
            account: record.recipient_account_id().unwrap_or(account).to_owned(),
            source_ip: record.source_ip_address(),
            user_agent: record.user_agent(),
            actor_type: identity.and_then(|i| i.kind()),
            actor_arn: identity.and_then(|i| i.arn()),
            issuer_arn: identity.and_then(|i| i.session_issuer_arn()),
            key_ref,
            key_arn,
            pending_days: record
                .request_parameters()
                .and_then(|parameters| parameters.get("pendingWindowInDays"))
                .and_then(serde_json::Value::as_i64),
        }
    }

    /// The key as people know it: the id at the end of the ARN, else what the caller passed.
    fn key_label(&self) -> &'a str {
        self.key_arn
            .and_then(|arn| arn.rsplit_once(":key/").map(|(_, id)| id))
            .or(self.key_ref)
            .unwrap_or("(unknown key)")
    }

    fn actor_label(&self) -> String {
        let who = self
            .actor_arn
            .or(self.issuer_arn)
            .unwrap_or("(unknown principal)");
        match self.actor_type {
            Some(kind) => format!("{kind} `{who}`"),
            None => format!("`{who}`"),
        }
    }

    /// A stable id for the finding's resource: the event id, else what identifies the call.
    fn resource(&self) -> Resource {
        let id = self.id.clone().unwrap_or_else(|| {
            format!(
                "{}@{}@{}",
                self.name,
                self.time.unwrap_or("?"),
                self.key_label()
            )
        });
        Resource::new(EVENT_KIND, &id, format!("{} {id}", self.name)).with_role("event")
    }

    fn base(&self, finding: Finding) -> Finding {
        let finding = finding.account(&self.account).resource(self.resource());
        match self.region {
            Some(region) => finding.region(region),
            None => finding,
        }
    }

    /// A matching record that cannot be placed in time: it may be recent, so it is not dropped.
    fn undated(&self, why: &str) -> Finding {
        self.base(Finding::unverifiable(
            reason::EVENT_TIME_UNREADABLE,
            format!(
                "could not tell whether the {} of key `{}` by {} is recent: {why}",
                self.name,
                self.key_label(),
                self.actor_label()
            ),
        ))
    }

    fn finding(&self, snapshot: &Snapshot, time: i64) -> Finding {
        let (reason, what, undo) = match self.name {
            "ScheduleKeyDeletion" => (
                reason::KEY_DELETION_SCHEDULED,
                match self.pending_days {
                    Some(days) => format!("scheduled for deletion in {days} days"),
                    None => "scheduled for deletion".to_owned(),
                },
                "cancel it with CancelKeyDeletion before the deletion date",
            ),
            _ => (
                reason::KEY_DISABLED,
                "disabled".to_owned(),
                "re-enable the key with EnableKey",
            ),
        };
        let when = format_rfc3339(time);
        let message = format!(
            "key `{}`{} was {what} by {} from {} at {when} (event {}); confirm it was intended or {undo}",
            self.key_label(),
            self.region.map_or_else(String::new, |r| format!(" ({r})")),
            self.actor_label(),
            self.source_ip.unwrap_or("an unknown address"),
            self.id.as_deref().unwrap_or("without id"),
        );
        let mut finding = self
            .base(Finding::fail(reason, message))
            .property("eventName", self.name)
            .property("eventTime", when)
            .property("riskScore", RISK_SCORE)
            .property("mitreAttack", "T1485");
        let optional = [
            ("eventId", self.id.as_deref()),
            ("awsRegion", self.region),
            ("sourceIPAddress", self.source_ip),
            ("userAgent", self.user_agent),
            ("actorType", self.actor_type),
            ("actorArn", self.actor_arn),
            ("sessionIssuerArn", self.issuer_arn),
            ("keyId", self.key_ref),
            ("keyArn", self.key_arn),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                finding = finding.property(name, value);
            }
        }
        if let Some(days) = self.pending_days {
            finding = finding.property("pendingWindowInDays", days);
        }
        for resource in self.related(snapshot) {
            finding = finding.related(resource);
        }
        finding
    }

    /// The key (with the snapshot's ARN when the record names only an id or alias) and the
    /// actor, for related locations.
    fn related(&self, snapshot: &Snapshot) -> Vec<Resource> {
        let mut related = Vec::new();
        let known = self
            .key_arn
            .or(self.key_ref)
            .and_then(|reference| snapshot.kms_key(reference));
        let key_arn = known
            .map(|k| k.arn.as_str())
            .or(self.key_arn)
            .or(self.key_ref);
        if let Some(arn) = key_arn {
            related.push(Resource::new(KEY_KIND, arn, self.key_label()).with_role("key"));
        }
        let (kind, arn) = match (self.actor_type, self.issuer_arn, self.actor_arn) {
            (Some("AssumedRole"), Some(role), _) => ("AWS::IAM::Role", Some(role)),
            (Some("IAMUser"), _, arn) => ("AWS::IAM::User", arn),
            (_, _, arn) => ("AWS::IAM::Principal", arn),
        };
        if let Some(arn) = arn {
            let name = Arn::parse(arn).map_or(arn, |a| a.short_name());
            related.push(Resource::new(kind, arn, name).with_role("actor"));
        }
        related
    }
}
