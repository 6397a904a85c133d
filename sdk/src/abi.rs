//! Rule ABI v1: how a host and a pack talk, with nothing shared but linear memory.
//!
//! A pack is a `wasm32-unknown-unknown` module with **no imports** and these exports (the major
//! version is in the names, so a host can tell at link time what a pack speaks):
//!
//! | export | signature | what |
//! |---|---|---|
//! | `memory` | memory | the pack's linear memory |
//! | `trailwarden_v1_alloc` | `(len: u32) -> u32` | a buffer of `len` bytes for the host to fill |
//! | `trailwarden_v1_metadata` | `() -> u64` | [`PackMeta`](crate::meta::PackMeta) as JSON |
//! | `trailwarden_v1_evaluate` | `(ctx, ctx_len, snap, snap_len) -> u64` | an [`Envelope`] as JSON |
//! | `trailwarden_v1_trap_info` | `() -> u64` | [`TrapInfo`] as JSON, read after a trap |
//!
//! A `u64` result packs a pointer and a length: `ptr << 32 | len`. Inputs and outputs are
//! JSON. Everything but the raw exports is ordinary Rust that runs natively, so the glue is
//! tested without a wasm runtime.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::rule::{Ctx, Pack};
use crate::snapshot::{SCHEMA_VERSION, Snapshot, SnapshotError};

/// The ABI major version; it is part of every export's name.
pub const ABI_MAJOR: u32 = 1;
/// The ABI minor version; additions that old hosts and packs can ignore.
pub const ABI_MINOR: u32 = 0;
/// The prefix of every export, e.g. `trailwarden_v1_evaluate`.
pub const EXPORT_PREFIX: &str = "trailwarden_v1_";

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

fn default_max_findings() -> usize {
    1000
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
        /// `settings`, `snapshot`, `rule`, `unknown-rule`, `context`, or (from the host)
        /// `timeout`, `memory`, `panic`, `trap`, `limit`.
        kind: String,
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

fn error_for_all(ctx: &EvalContext, kind: &str, message: &str) -> Envelope {
    Envelope {
        results: ctx
            .rules
            .iter()
            .map(|id| RuleResult {
                rule_id: id.clone(),
                outcome: RuleOutcome::Error {
                    kind: kind.to_owned(),
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
    let ctx: EvalContext = match serde_json::from_slice(ctx) {
        Ok(ctx) => ctx,
        Err(e) => {
            return Envelope {
                results: vec![RuleResult {
                    rule_id: String::new(),
                    outcome: RuleOutcome::Error {
                        kind: "context".to_owned(),
                        message: format!("the host sent an unreadable context: {e}"),
                    },
                    logs: Vec::new(),
                }],
            };
        }
    };
    if ctx.snapshot_schema != SCHEMA_VERSION {
        let message = format!(
            "pack {} reads snapshot schema {SCHEMA_VERSION} but the host sent schema {}; \
             rebuild the pack with a matching trailwarden-sdk",
            pack.name, ctx.snapshot_schema
        );
        return error_for_all(&ctx, "snapshot", &message);
    }
    let snapshot = match std::str::from_utf8(snapshot)
        .map_err(|e| e.to_string())
        .and_then(|text| Snapshot::from_json(text).map_err(|e: SnapshotError| e.to_string()))
    {
        Ok(snapshot) => snapshot,
        Err(message) => return error_for_all(&ctx, "snapshot", &message),
    };
    let results = ctx
        .rules
        .iter()
        .map(|id| run_one(pack, &ctx, &snapshot, id))
        .collect();
    set_running(None);
    Envelope { results }
}

fn run_one(pack: &Pack, ctx: &EvalContext, snapshot: &Snapshot, id: &str) -> RuleResult {
    let Some(rule) = pack.rule(id) else {
        return RuleResult {
            rule_id: id.to_owned(),
            outcome: RuleOutcome::Error {
                kind: "unknown-rule".to_owned(),
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
            kind: match error {
                crate::rule::RuleError::Settings(_) => "settings",
                _ => "rule",
            }
            .to_owned(),
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
pub fn record_panic(message: String) {
    TRAP_INFO.with(|info| info.borrow_mut().message = Some(message));
}

/// The current trap information, as JSON.
pub fn trap_info_json() -> Vec<u8> {
    TRAP_INFO.with(|info| serde_json::to_vec(&*info.borrow()).unwrap_or_default())
}

/// Serialises a value for the host. Serialising our own types cannot fail; if it ever did, an
/// empty output is what the host reports as "invalid envelope".
pub fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Keeps `bytes` alive until the next call and returns `ptr << 32 | len` for the host.
pub fn hand_out(bytes: Vec<u8>) -> u64 {
    OUTPUT.with(|out| {
        let mut out = out.borrow_mut();
        *out = bytes;
        pack_ptr_len(out.as_ptr() as usize, out.len())
    })
}

/// Packs a pointer and length into the `u64` the exports return.
pub fn pack_ptr_len(ptr: usize, len: usize) -> u64 {
    ((ptr as u64) << 32) | (len as u64 & 0xffff_ffff)
}

/// Installs a panic hook that records the message for the host, so that a trap can be traced
/// to a rule and a message.
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
                let envelope = $crate::abi::evaluate(&$pack(), &ctx, &snap);
                drop(snap);
                $crate::abi::hand_out($crate::abi::to_json(&envelope))
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn trailwarden_v1_trap_info() -> u64 {
                $crate::abi::hand_out($crate::abi::trap_info_json())
            }
        };
    };
}
