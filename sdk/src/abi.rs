//! Rule ABI v1: how a host and a pack talk, with nothing shared but linear memory.
//!
//! A pack is a `wasm32-unknown-unknown` module with **no imports** and these exports (the major
//! version is in the names, so a host can tell at link time what a pack speaks):
//!
//! | export | signature | what |
//! |---|---|---|
//! | `memory` | memory | the pack's linear memory |
//! | `trailwarden_v1_alloc` | `(len: u32) -> u32` | a buffer of `len` bytes for the host to fill |
//! | `trailwarden_v1_metadata` | `() -> u64` | [`PackMeta`] as JSON |
//! | `trailwarden_v1_evaluate` | `(ctx, ctx_len, snap, snap_len) -> u64` | an [`Envelope`] as JSON |
//! | `trailwarden_v1_trap_info` | `() -> u64` | [`TrapInfo`] as JSON, read after a trap |
//!
//! A `u64` result packs a pointer and a length: `ptr << 32 | len`. Inputs and outputs are
//! JSON. Everything but the raw exports is ordinary Rust that runs natively, so the glue is
//! tested without a wasm runtime.
//!
//! # Versions
//!
//! Three numbers travel in every pack's [`PackMeta`], and the host checks
//! them with [`check_compatibility`] before it runs anything:
//!
//! - [`ABI_MAJOR`], also in the export names: a change the other side would misread. A pack and
//!   a host of different majors never run together.
//! - [`ABI_MINOR`]: additions the other side can ignore (a new optional context field, a new
//!   optional export). Any minor of the same major loads; a newer pack on an older host runs
//!   without the additions.
//! - [`SCHEMA_VERSION`]: the snapshot schema the pack was compiled against. The snapshot model
//!   is compiled into the pack, so a pack reading another schema would misread the account; it
//!   must match exactly.
//!
//! The message says which side is older and what to do: rebuild the pack against the host's
//! `trailwarden-sdk`, or upgrade trailwarden.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::meta::PackMeta;
use crate::rule::{Ctx, Pack};
use crate::snapshot::{SCHEMA_VERSION, Snapshot, SnapshotError};

mod failure;

pub use failure::FailureKind;

/// The ABI major version; it is part of every export's name.
pub const ABI_MAJOR: u32 = 1;
/// The ABI minor version; additions that old hosts and packs can ignore.
pub const ABI_MINOR: u32 = 0;
/// The prefix of every export, e.g. `trailwarden_v1_evaluate`.
pub const EXPORT_PREFIX: &str = "trailwarden_v1_";

/// Why a pack cannot run on this host: it was built for another rule ABI major or another
/// snapshot schema. Each message says which side is older and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Incompatible {
    /// The pack speaks another rule ABI major version.
    #[error("{}", versions_message(pack_name, pack_sdk, "speaks rule ABI", "v", *pack, *host))]
    AbiMajor {
        /// The pack's name.
        pack_name: String,
        /// The `trailwarden-sdk` version the pack was built with.
        pack_sdk: String,
        /// The pack's ABI major.
        pack: u32,
        /// This SDK's (and so the host's) ABI major.
        host: u32,
    },
    /// The pack reads another snapshot schema version.
    #[error("{}", versions_message(pack_name, pack_sdk, "reads snapshot schema", "", *pack, *host))]
    SnapshotSchema {
        /// The pack's name.
        pack_name: String,
        /// The `trailwarden-sdk` version the pack was built with.
        pack_sdk: String,
        /// The schema the pack reads.
        pack: u32,
        /// The schema this SDK (and so the host) reads and writes.
        host: u32,
    },
}

fn versions_message(
    pack_name: &str,
    pack_sdk: &str,
    what: &str,
    prefix: &str,
    pack: u32,
    host: u32,
) -> String {
    let ours = crate::SDK_VERSION;
    let built = format!(
        "pack {pack_name} was built with trailwarden-sdk {pack_sdk} and {what} {prefix}{pack}"
    );
    if pack < host {
        format!(
            "{built}, older than the {prefix}{host} of this trailwarden: rebuild the pack against \
             trailwarden-sdk {ours} (update the dependency in its Cargo.toml, then `cargo build \
             --release --target wasm32-unknown-unknown`)"
        )
    } else {
        format!(
            "{built}, newer than the {prefix}{host} of this trailwarden (built with \
             trailwarden-sdk {ours}): upgrade trailwarden, or build the pack against \
             trailwarden-sdk {ours}"
        )
    }
}

/// Whether a pack with this metadata can run on a host built with this SDK: same ABI major,
/// same snapshot schema. The ABI minor may differ either way.
///
/// ```
/// use trailwarden_sdk::abi::{Incompatible, check_compatibility};
/// # let mut meta = trailwarden_sdk::PackMeta {
/// #     name: "acme-rules".into(), version: "0.1.0".into(), sdk_version: "0.1.0".into(),
/// #     abi_major: 1, abi_minor: 0, snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
/// #     rules: Vec::new(),
/// # };
/// assert_eq!(check_compatibility(&meta), Ok(()));
/// meta.snapshot_schema += 1;
/// let error = check_compatibility(&meta).unwrap_err();
/// assert!(matches!(error, Incompatible::SnapshotSchema { .. }));
/// assert!(error.to_string().contains("upgrade trailwarden"));
/// ```
pub fn check_compatibility(meta: &PackMeta) -> Result<(), Incompatible> {
    if meta.abi_major != ABI_MAJOR {
        return Err(Incompatible::AbiMajor {
            pack_name: meta.name.clone(),
            pack_sdk: meta.sdk_version.clone(),
            pack: meta.abi_major,
            host: ABI_MAJOR,
        });
    }
    if meta.snapshot_schema != SCHEMA_VERSION {
        return Err(Incompatible::SnapshotSchema {
            pack_name: meta.name.clone(),
            pack_sdk: meta.sdk_version.clone(),
            pack: meta.snapshot_schema,
            host: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// What the host sends with each evaluation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvalContext {
    /// The host's ABI minor version.
    pub abi_minor: u32,
    /// Always `json` in v1.
    pub encoding: String,
    /// The snapshot's schema version, checked before the snapshot is parsed.
    pub snapshot_schema: u32,
    /// The rules to run; empty runs none.
    pub rules: Vec<String>,
    /// Settings per rule id.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// The run's time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// The most findings one rule may return; the rest are dropped and counted.
    #[serde(default = "default_max_findings")]
    pub max_findings_per_rule: usize,
}

/// The most findings one rule may return when the context does not say (a rule that reports
/// more is almost certainly reporting one problem many times).
pub const DEFAULT_MAX_FINDINGS: usize = 1000;

fn default_max_findings() -> usize {
    DEFAULT_MAX_FINDINGS
}

/// What a pack returns: one result per requested rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Results, in the order requested.
    pub results: Vec<RuleResult>,
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleResult {
    /// The rule id.
    pub rule_id: String,
    /// Findings or an error.
    #[serde(flatten)]
    pub outcome: RuleOutcome,
    /// Debug lines the rule logged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
}

/// A rule either ran or failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum RuleOutcome {
    /// The rule ran.
    Ok {
        /// Its findings (possibly truncated).
        findings: Vec<Finding>,
        /// How many findings were dropped over the cap.
        #[serde(default, skip_serializing_if = "is_zero")]
        dropped: usize,
    },
    /// The rule could not run.
    Error {
        /// Why: from the pack (`settings`, `rule`, …) or from the host's sandbox (`timeout`,
        /// `panic`, …); serialised as the ABI's kebab-case word.
        kind: FailureKind,
        /// What went wrong.
        message: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What the pack knew when it trapped: the rule running and the panic message, if any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrapInfo {
    /// The rule that was running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The panic message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

thread_local! {
    static TRAP_INFO: RefCell<TrapInfo> = RefCell::new(TrapInfo::default());
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// An envelope in which every rule of `ctx` failed with the same `kind` and `message`: what a
/// pack answers when its inputs cannot be read.
pub fn error_envelope(ctx: &EvalContext, kind: &FailureKind, message: &str) -> Envelope {
    Envelope {
        results: ctx
            .rules
            .iter()
            .map(|id| RuleResult {
                rule_id: id.clone(),
                outcome: RuleOutcome::Error {
                    kind: kind.clone(),
                    message: message.to_owned(),
                },
                logs: Vec::new(),
            })
            .collect(),
    }
}

/// Evaluates the requested rules of `pack`: the whole of `evaluate` except the memory
/// handling, so that it is tested natively.
pub fn evaluate(pack: &Pack, ctx: &[u8], snapshot: &[u8]) -> Envelope {
    match parse_inputs(pack, ctx, snapshot) {
        Ok((ctx, snapshot)) => run_rules(pack, &ctx, &snapshot),
        Err(envelope) => envelope,
    }
}

/// [`evaluate`] for the wasm export, which owns the snapshot bytes: they are freed as soon as
/// they are parsed, so that the rules' own allocations reuse that memory instead of growing
/// the pack's linear memory (which never shrinks) by as much again.
#[doc(hidden)]
pub fn evaluate_owned(pack: &Pack, ctx: &[u8], snapshot: Vec<u8>) -> Envelope {
    let parsed = parse_inputs(pack, ctx, &snapshot);
    drop(snapshot);
    match parsed {
        Ok((ctx, snapshot)) => run_rules(pack, &ctx, &snapshot),
        Err(envelope) => envelope,
    }
}

/// The context and the snapshot, or the envelope that says why they could not be read.
fn parse_inputs(
    pack: &Pack,
    ctx: &[u8],
    snapshot: &[u8],
) -> Result<(EvalContext, Snapshot), Envelope> {
    let ctx: EvalContext = match serde_json::from_slice(ctx) {
        Ok(ctx) => ctx,
        Err(e) => {
            return Err(Envelope {
                results: vec![RuleResult {
                    rule_id: String::new(),
                    outcome: RuleOutcome::Error {
                        kind: FailureKind::Context,
                        message: format!("the host sent an unreadable context: {e}"),
                    },
                    logs: Vec::new(),
                }],
            });
        }
    };
    if ctx.snapshot_schema != SCHEMA_VERSION {
        let message = format!(
            "pack {} (trailwarden-sdk {}) reads snapshot schema {SCHEMA_VERSION} but the host \
             sent schema {}: rebuild the pack against the host's trailwarden-sdk, or use a \
             trailwarden that writes schema {SCHEMA_VERSION}",
            pack.name,
            crate::SDK_VERSION,
            ctx.snapshot_schema
        );
        return Err(error_envelope(&ctx, &FailureKind::Snapshot, &message));
    }
    let snapshot = std::str::from_utf8(snapshot)
        .map_err(|e| e.to_string())
        .and_then(|text| Snapshot::from_json(text).map_err(|e: SnapshotError| e.to_string()));
    match snapshot {
        Ok(snapshot) => Ok((ctx, snapshot)),
        Err(message) => Err(error_envelope(&ctx, &FailureKind::Snapshot, &message)),
    }
}

fn run_rules(pack: &Pack, ctx: &EvalContext, snapshot: &Snapshot) -> Envelope {
    let results = ctx
        .rules
        .iter()
        .map(|id| run_one(pack, ctx, snapshot, id))
        .collect();
    set_running(None);
    Envelope { results }
}

fn run_one(pack: &Pack, ctx: &EvalContext, snapshot: &Snapshot, id: &str) -> RuleResult {
    let Some(rule) = pack.rule(id) else {
        return RuleResult {
            rule_id: id.to_owned(),
            outcome: RuleOutcome::Error {
                kind: FailureKind::UnknownRule,
                message: format!("pack {} has no rule {id}", pack.name),
            },
            logs: Vec::new(),
        };
    };
    set_running(Some(id));
    let settings = ctx
        .settings
        .get(id)
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let mut rule_ctx = Ctx::new(id).with_settings(settings);
    if let Some(now) = &ctx.now {
        rule_ctx = rule_ctx.with_now(now.clone());
    }
    let outcome = match rule.run(snapshot, &rule_ctx) {
        Ok(mut findings) => {
            let dropped = findings.len().saturating_sub(ctx.max_findings_per_rule);
            findings.truncate(ctx.max_findings_per_rule);
            RuleOutcome::Ok { findings, dropped }
        }
        Err(error) => RuleOutcome::Error {
            kind: FailureKind::of(&error),
            message: error.to_string(),
        },
    };
    RuleResult {
        rule_id: id.to_owned(),
        outcome,
        logs: rule_ctx.take_logs(),
    }
}

fn set_running(rule: Option<&str>) {
    TRAP_INFO.with(|info| {
        let mut info = info.borrow_mut();
        info.rule = rule.map(str::to_owned);
        info.message = None;
    });
}

/// Records a panic message for [`TrapInfo`]; installed as the panic hook by the exports.
#[doc(hidden)]
pub fn record_panic(message: String) {
    TRAP_INFO.with(|info| info.borrow_mut().message = Some(message));
}

/// The current trap information, as JSON.
#[doc(hidden)]
pub fn trap_info_json() -> Vec<u8> {
    TRAP_INFO.with(|info| serde_json::to_vec(&*info.borrow()).unwrap_or_default())
}

/// Serialises a value for the host. Serialising our own types cannot fail; if it ever did, an
/// empty output is what the host reports as "invalid envelope".
#[doc(hidden)]
pub fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Keeps `bytes` alive until the next call and returns `ptr << 32 | len` for the host.
#[doc(hidden)]
pub fn hand_out(bytes: Vec<u8>) -> u64 {
    OUTPUT.with(|out| {
        let mut out = out.borrow_mut();
        *out = bytes;
        pack_ptr_len(out.as_ptr() as usize, out.len())
    })
}

/// Packs a pointer and length into the `u64` the exports return.
#[doc(hidden)]
pub fn pack_ptr_len(ptr: usize, len: usize) -> u64 {
    ((ptr as u64) << 32) | (len as u64 & 0xffff_ffff)
}

/// Installs a panic hook that records the message for the host, so that a trap can be traced
/// to a rule and a message.
#[doc(hidden)]
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic with a non-string payload".to_owned());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        record_panic(format!("{message}{location}"));
    }));
}

/// Allocates `len` bytes that the host fills and [`take_input`] reclaims.
#[doc(hidden)]
pub fn alloc(len: u32) -> u32 {
    let mut buffer = Vec::<u8>::with_capacity(len as usize);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr as usize as u32
}

/// Reclaims a buffer from [`alloc`] that the host filled with `len` bytes.
///
/// # Safety
/// `ptr` must come from [`alloc`] called with exactly `len`, and the host must have written
/// `len` bytes to it.
pub unsafe fn take_input(ptr: u32, len: u32) -> Vec<u8> {
    // SAFETY: guaranteed by the caller: the buffer was allocated with capacity `len` by
    // `alloc`, and is fully initialised.
    unsafe { Vec::from_raw_parts(ptr as usize as *mut u8, len as usize, len as usize) }
}

/// Emits the v1 exports for a pack. Used by `export_rules!`; not meant to be called directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_abi_v1 {
    ($pack:path) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(no_mangle)]
            pub extern "C" fn trailwarden_v1_alloc(len: u32) -> u32 {
                $crate::abi::alloc(len)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn trailwarden_v1_metadata() -> u64 {
                $crate::abi::hand_out($crate::abi::to_json(&$pack().meta()))
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn trailwarden_v1_evaluate(
                ctx_ptr: u32,
                ctx_len: u32,
                snap_ptr: u32,
                snap_len: u32,
            ) -> u64 {
                $crate::abi::install_panic_hook();
                // SAFETY: the host allocated both buffers with `trailwarden_v1_alloc` and
                // filled them, as ABI v1 requires.
                let (ctx, snap) = unsafe {
                    (
                        $crate::abi::take_input(ctx_ptr, ctx_len),
                        $crate::abi::take_input(snap_ptr, snap_len),
                    )
                };
                let envelope = $crate::abi::evaluate_owned(&$pack(), &ctx, snap);
                $crate::abi::hand_out($crate::abi::to_json(&envelope))
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn trailwarden_v1_trap_info() -> u64 {
                $crate::abi::hand_out($crate::abi::trap_info_json())
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn meta(abi_major: u32, snapshot_schema: u32) -> PackMeta {
        PackMeta {
            name: "acme-rules".to_owned(),
            version: "0.3.0".to_owned(),
            sdk_version: "0.9.0".to_owned(),
            abi_major,
            abi_minor: ABI_MINOR + 5,
            snapshot_schema,
            rules: Vec::new(),
        }
    }

    #[test]
    fn a_newer_abi_minor_is_compatible() {
        assert_eq!(
            check_compatibility(&meta(ABI_MAJOR, SCHEMA_VERSION)),
            Ok(())
        );
    }

    #[test]
    fn an_old_pack_on_a_new_host_is_told_to_rebuild() {
        let error = check_compatibility(&meta(ABI_MAJOR, SCHEMA_VERSION - 1)).unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("pack acme-rules was built with trailwarden-sdk 0.9.0 and reads snapshot schema 0, older than the 1 of this trailwarden"), "{text}");
        assert!(
            text.contains(&format!(
                "rebuild the pack against trailwarden-sdk {}",
                crate::SDK_VERSION
            )),
            "{text}"
        );
    }

    #[test]
    fn a_new_pack_on_an_old_host_is_told_to_upgrade() {
        let error = check_compatibility(&meta(ABI_MAJOR + 1, SCHEMA_VERSION)).unwrap_err();
        assert!(matches!(
            error,
            Incompatible::AbiMajor {
                pack: 2,
                host: 1,
                ..
            }
        ));
        let text = error.to_string();
        assert!(
            text.contains("speaks rule ABI v2, newer than the v1 of this trailwarden"),
            "{text}"
        );
        assert!(text.contains("upgrade trailwarden"), "{text}");
        let error = check_compatibility(&meta(ABI_MAJOR, SCHEMA_VERSION + 1)).unwrap_err();
        assert!(
            matches!(
                error,
                Incompatible::SnapshotSchema {
                    pack: 2,
                    host: 1,
                    ..
                }
            ),
            "{error}"
        );
    }

    /// A rule with a numeric setting, to see the glue check settings before running it.
    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Days {
        days: u32,
    }

    impl RuleSettings for Days {
        fn describe() -> Vec<SettingMeta> {
            Vec::new()
        }
    }

    /// Counts days.
    #[rule(id = "T-001", name = "days", settings = Days)]
    fn days(_snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
        let settings: Days = ctx.settings()?;
        Ok(vec![Finding::fail("DAYS", settings.days.to_string())])
    }

    /// Reads no settings at all.
    #[rule(id = "T-002", name = "plain")]
    fn plain(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
        Ok(Vec::new())
    }

    fn test_pack() -> Pack {
        Pack {
            name: "test",
            version: "0.0.0",
            rules: vec![__tw_rule_days(), __tw_rule_plain()],
        }
    }

    fn evaluate_with(settings: serde_json::Value) -> Envelope {
        let ctx = serde_json::json!({
            "abiMinor": ABI_MINOR, "encoding": "json", "snapshotSchema": SCHEMA_VERSION,
            "rules": ["T-001", "T-002"], "settings": settings
        });
        let snapshot = r#"{"schemaVersion": 1, "account": {"id": "111122223333"}, "regions": []}"#;
        evaluate(
            &test_pack(),
            ctx.to_string().as_bytes(),
            snapshot.as_bytes(),
        )
    }

    fn error_of(envelope: &Envelope, rule: &str) -> Option<(FailureKind, String)> {
        envelope
            .results
            .iter()
            .find(|r| r.rule_id == rule)
            .and_then(|r| match &r.outcome {
                RuleOutcome::Error { kind, message } => Some((kind.clone(), message.clone())),
                RuleOutcome::Ok { .. } => None,
            })
    }

    #[test]
    fn settings_are_checked_before_the_rule_runs_and_name_the_key() {
        let envelope = evaluate_with(serde_json::json!({
            "T-001": {"days": "seven"},
            "T-002": {"verbose": true}
        }));
        let (kind, message) = error_of(&envelope, "T-001").expect("T-001 fails");
        assert_eq!(kind, FailureKind::Settings);
        assert_eq!(
            message,
            "invalid setting `days`: invalid type: string \"seven\", expected u32"
        );
        let (kind, message) =
            error_of(&envelope, "T-002").expect("a rule without settings refuses keys");
        assert_eq!(kind, FailureKind::Settings);
        assert!(message.contains("`verbose`"), "{message}");

        let envelope = evaluate_with(serde_json::json!({"T-001": {"days": 7}}));
        assert_eq!(error_of(&envelope, "T-001"), None);
    }

    #[test]
    fn an_envelope_with_a_failure_kind_this_sdk_does_not_know_still_parses() {
        let json = r#"{"results":[{"ruleId":"T-001","status":"error","kind":"fuel","message":"out of fuel"},{"ruleId":"T-002","status":"error","kind":"settings","message":"bad"}]}"#;
        let envelope: Envelope = serde_json::from_str(json).expect("the envelope parses");
        let (kind, _) = error_of(&envelope, "T-001").expect("T-001 failed");
        assert_eq!(kind, FailureKind::Other("fuel".to_owned()));
        let (kind, _) = error_of(&envelope, "T-002").expect("T-002 failed");
        assert_eq!(kind, FailureKind::Settings);
        assert_eq!(serde_json::to_string(&envelope).expect("serialises"), json);
    }
}
