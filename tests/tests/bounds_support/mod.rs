//! Hostile packs written as WebAssembly text, and the real command run as a child process
//! with its peak memory read by `wait4`: shared by `tests/sandbox_bounds.rs` and the
//! `bounds` bench (`cargo bench -p trailwarden-tests --bench bounds`), which prints the figures.
// Each user takes the part it needs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use trailwarden::engine::{Limits, PackOrigin, Sandbox};
use trailwarden_sdk::PackMeta;
use trailwarden_tests::{cache_dir, hostile_pack, scratch};

/// The command under test, built from the host's `main.rs`.
pub const COMMAND: &str = env!("CARGO_BIN_EXE_trailwarden-under-test");

pub const MIB: u64 = 1 << 20;

/// The hostile pack's metadata as a template: `name`, and one rule per id (level note).
pub fn meta(name: &str, ids: &[String]) -> String {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let real = sandbox
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("hostile pack loads");
    let template = real
        .meta
        .rules
        .iter()
        .find(|rule| rule.id == "HOSTILE-OK")
        .expect("HOSTILE-OK")
        .clone();
    let mut meta: PackMeta = real.meta.clone();
    meta.name = name.to_owned();
    meta.rules = ids
        .iter()
        .map(|id| {
            let mut rule = template.clone();
            rule.id = id.clone();
            rule
        })
        .collect();
    serde_json::to_string(&meta).expect("json")
}

/// A module with the v1 exports: the metadata `meta`, the byte strings `data` laid out after
/// it (their offsets are handed to `body`), an `evaluate` whose body is `body`, and a
/// `trap_info` whose body is `trap_info`. `alloc` grows the memory for every input, and
/// `evaluate` saves where the context is (globals `$ctx` and `$ctx_len`) before running.
pub fn module(
    meta: &str,
    data: &[&[u8]],
    body: impl FnOnce(&[u32]) -> String,
    trap_info: &str,
) -> Vec<u8> {
    let escape = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("\\{b:02x}")).collect() };
    let mut segments = format!("(data (i32.const 16) \"{}\")\n", escape(meta.as_bytes()));
    let mut offsets = Vec::new();
    let mut at = 16 + meta.len() as u32;
    for bytes in data {
        at = at.next_multiple_of(8);
        segments.push_str(&format!("(data (i32.const {at}) \"{}\")\n", escape(bytes)));
        offsets.push(at);
        at += bytes.len() as u32;
    }
    let pages = at / 65536 + 2;
    let meta_packed = (16u64 << 32) | meta.len() as u64;
    let body = body(&offsets);
    let wat = format!(
        r#"(module
            (memory (export "memory") {pages})
            (global $ctx (mut i32) (i32.const 0))
            (global $ctx_len (mut i32) (i32.const 0))
            {segments}
            (func (export "trailwarden_v1_alloc") (param $n i32) (result i32)
                (i32.mul
                    (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1)))
                    (i32.const 65536)))
            (func (export "trailwarden_v1_metadata") (result i64) i64.const {meta_packed})
            (func $find (param $h i32) (param $hl i32) (param $n i32) (param $nl i32) (result i32)
                (local $i i32) (local $j i32)
                (block $none (loop $outer
                    (br_if $none (i32.gt_u (i32.add (local.get $i) (local.get $nl)) (local.get $hl)))
                    (local.set $j (i32.const 0))
                    (block $differs (loop $inner
                        (if (i32.ge_u (local.get $j) (local.get $nl))
                            (then (return (i32.add (local.get $h) (local.get $i)))))
                        (br_if $differs (i32.ne
                            (i32.load8_u (i32.add (i32.add (local.get $h) (local.get $i)) (local.get $j)))
                            (i32.load8_u (i32.add (local.get $n) (local.get $j)))))
                        (local.set $j (i32.add (local.get $j) (i32.const 1)))
                        (br $inner)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $outer)))
                (i32.const -1))
            (func (export "trailwarden_v1_evaluate") (param $cp i32) (param $cl i32) (param $sp i32) (param $sl i32) (result i64)
                (local $base i32) (local $pos i32) (local $i i32)
                (global.set $ctx (local.get $cp))
                (global.set $ctx_len (local.get $cl))
                {body})
            (func (export "trailwarden_v1_trap_info") (result i64) (local $at i32)
                {trap_info}))"#
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("WAT: {e}\n{wat}"))
}

/// `evaluate` returning the bytes at `offset`, `len` long.
pub fn returns(offset: u32, len: usize) -> String {
    format!("(i64.const {})", (u64::from(offset) << 32) | len as u64)
}

/// An envelope answering `id` with `findings` (a JSON list).
pub fn envelope(id: &str, findings: &str) -> Vec<u8> {
    format!(r#"{{"results":[{{"ruleId":"{id}","status":"ok","findings":{findings}}}]}}"#)
        .into_bytes()
}

/// A pack whose one rule `id` returns `findings` (a JSON list).
pub fn answering(name: &str, id: &str, findings: &str) -> Vec<u8> {
    let out = envelope(id, findings);
    module(
        &meta(name, &[id.to_owned()]),
        &[&out],
        |at| returns(at[0], out.len()),
        "(i64.const 0)",
    )
}

/// A pack whose rule `id` grows its memory by `mib` MiB, touches every page, and passes.
pub fn memory_hog(name: &str, id: &str, mib: u32) -> Vec<u8> {
    let out = envelope(id, "[]");
    let pages = mib * 16;
    let bytes = u64::from(mib) * MIB;
    module(
        &meta(name, &[id.to_owned()]),
        &[&out],
        |at| {
            format!(
                r#"(local.set $base (i32.mul (memory.grow (i32.const {pages})) (i32.const 65536)))
                (block $done (loop $touch
                    (br_if $done (i32.ge_u (local.get $i) (i32.const {bytes})))
                    (i32.store8 (i32.add (local.get $base) (local.get $i)) (i32.const 1))
                    (local.set $i (i32.add (local.get $i) (i32.const 4096)))
                    (br $touch)))
                {}"#,
                returns(at[0], out.len())
            )
        },
        "(i64.const 0)",
    )
}

/// One finding built to swell when parsed: a hundred tiny numbers and ten related resources.
pub fn swelling_finding() -> String {
    let numbers = ["0"; 100].join(",");
    let related = [r#"{"kind":"K","arn":"a","name":"n"}"#; 10].join(",");
    format!(
        r#",{{"outcome":"fail","reason":"R","message":"m","properties":{{"a":[{numbers}]}},"related":[{related}]}}"#
    )
}

/// A pack whose rule `id` returns `count` swelling findings, built in its memory at run time.
pub fn output_bomb(name: &str, id: &str, count: u32) -> Vec<u8> {
    let prefix = format!(r#"{{"results":[{{"ruleId":"{id}","status":"ok","findings":["#);
    let template = swelling_finding();
    let suffix = "]}]}";
    let total = prefix.len() + template.len() * count as usize + suffix.len();
    let grow = total / 65536 + 2;
    let (pl, tl, sl) = (prefix.len(), template.len(), suffix.len());
    module(
        &meta(name, &[id.to_owned()]),
        &[prefix.as_bytes(), template.as_bytes(), suffix.as_bytes()],
        |at| {
            let (p, t, s) = (at[0], at[1], at[2]);
            format!(
                r#"(local.set $base (i32.mul (memory.grow (i32.const {grow})) (i32.const 65536)))
                (memory.copy (local.get $base) (i32.const {p}) (i32.const {pl}))
                (local.set $pos (i32.add (local.get $base) (i32.const {pl})))
                (memory.copy (local.get $pos) (i32.const {t1}) (i32.const {tl1}))
                (local.set $pos (i32.add (local.get $pos) (i32.const {tl1})))
                (local.set $i (i32.const 1))
                (block $done (loop $more
                    (br_if $done (i32.ge_u (local.get $i) (i32.const {count})))
                    (memory.copy (local.get $pos) (i32.const {t}) (i32.const {tl}))
                    (local.set $pos (i32.add (local.get $pos) (i32.const {tl})))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $more)))
                (memory.copy (local.get $pos) (i32.const {s}) (i32.const {sl}))
                (local.set $pos (i32.add (local.get $pos) (i32.const {sl})))
                (i64.or
                    (i64.shl (i64.extend_i32_u (local.get $base)) (i64.const 32))
                    (i64.extend_i32_u (i32.sub (local.get $pos) (local.get $base))))"#,
                t1 = t + 1,
                tl1 = tl - 1,
            )
        },
        "(i64.const 0)",
    )
}

/// A pack of `count` rules (`LOOP-01`, …) that all loop for ever; its trap info names the
/// first rule of the context, the one the host blames, as the SDK's glue would.
pub fn looping(count: usize) -> Vec<u8> {
    let ids: Vec<String> = (1..=count).map(|n| format!("LOOP-{n:02}")).collect();
    let needle = br#""rules":["#;
    let rule_prefix = br#"{"rule":"#;
    module(
        &meta("loop-pack", &ids),
        &[needle, rule_prefix, &[0u8; 32]],
        |_| "(loop $spin (br $spin)) (i64.const 0)".to_owned(),
        &{
            // The offsets are known only inside `module`; recompute them the same way.
            let meta_len = meta("loop-pack", &ids).len() as u32;
            let needle_at = (16 + meta_len).next_multiple_of(8);
            let prefix_at = (needle_at + needle.len() as u32).next_multiple_of(8);
            let out = (prefix_at + rule_prefix.len() as u32).next_multiple_of(8);
            format!(
                r#"(local.set $at (call $find (global.get $ctx) (global.get $ctx_len) (i32.const {needle_at}) (i32.const {nl})))
                (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (i64.const 0))))
                (memory.copy (i32.const {out}) (i32.const {prefix_at}) (i32.const 8))
                (memory.copy (i32.const {out8}) (i32.add (local.get $at) (i32.const {nl})) (i32.const 9))
                (i32.store8 (i32.const {out17}) (i32.const 125))
                (i64.const {packed})"#,
                nl = needle.len(),
                out8 = out + 8,
                out17 = out + 17,
                packed = (u64::from(out) << 32) | 18,
            )
        },
    )
}

/// What a child `trailwarden` did: exit code, output, peak resident set and wall time.
pub struct ChildRun {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Peak resident set, bytes.
    pub peak_rss: u64,
    /// Wall time.
    pub wall: Duration,
}

/// Runs the command with `args` as a child and reads its own rusage with `wait4`.
pub fn run_child(name: &str, args: &[&str]) -> ChildRun {
    let dir = scratch(&format!("child-{name}"));
    let out = std::fs::File::create(dir.join("stdout")).expect("stdout file");
    let err = std::fs::File::create(dir.join("stderr")).expect("stderr file");
    let started = Instant::now();
    let child = Command::new(COMMAND)
        .args(args)
        .arg("--cache-dir")
        .arg(cache_dir())
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("the command starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes only into the two pointers given, both valid for the call; `child`
    // is not waited on elsewhere (dropping a `Child` neither waits nor kills).
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let wall = started.elapsed();
    drop(child);
    assert!(libc::WIFEXITED(status), "the command died: status {status}");
    ChildRun {
        code: libc::WEXITSTATUS(status),
        stdout: std::fs::read_to_string(dir.join("stdout")).expect("stdout"),
        stderr: std::fs::read_to_string(dir.join("stderr")).expect("stderr"),
        // Linux reports ru_maxrss in KiB.
        peak_rss: u64::try_from(usage.ru_maxrss).expect("rss") * 1024,
        wall,
    }
}

/// A directory holding `packs` as `.wasm` files.
pub fn pack_dir(name: &str, packs: &[(&str, Vec<u8>)]) -> PathBuf {
    let dir = scratch(name);
    for (file, bytes) in packs {
        std::fs::write(dir.join(format!("{file}.wasm")), bytes).expect("pack written");
    }
    dir
}
