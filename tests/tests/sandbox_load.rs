//! Hostile packs at load time (issue #16, the load-time half): the compiled-pack cache runs
//! only what this trailwarden wrote, no pack speaks for another, compile bombs and refused
//! features are named before compiling, slow start functions cost one deadline, and `--rules`
//! files are inspected before they are read. Each test checks what the user sees: the
//! outcome, the message naming the pack and the limit, and the other packs still loaded.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use trailwarden::builtin::BUILTIN_PACKS;
use trailwarden::cli::Cli;
use trailwarden::engine::cache::{CacheError, ModuleCache};
use trailwarden::engine::{Limits, PackOrigin, Sandbox};
use trailwarden::packs::{self, PackSet};
use trailwarden_sdk::PackMeta;
use trailwarden_tests::{custom_pack, fake_pack, pack_args, scratch};

/// The example pack's metadata, to forge packs from.
fn custom_meta() -> PackMeta {
    Sandbox::new(Limits::default(), None)
        .expect("engine")
        .load(PackOrigin::Builtin("acme"), custom_pack())
        .expect("the example pack loads")
        .meta
}

/// A pack with the example pack's metadata, changed by `change`.
fn forged(change: impl FnOnce(&mut PackMeta)) -> Vec<u8> {
    let mut meta = custom_meta();
    change(&mut meta);
    fake_pack(&serde_json::to_string(&meta).expect("json"))
}

/// A module with the v1 exports, a `memory` declared as `memory`, and `extra` items.
fn v1_module(memory: &str, extra: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (memory (export "memory") {memory})
            (func (export "trailwarden_v1_alloc") (param i32) (result i32) i32.const 16)
            (func (export "trailwarden_v1_metadata") (result i64) i64.const 0)
            (func (export "trailwarden_v1_evaluate") (param i32 i32 i32 i32) (result i64) i64.const 0)
            (func (export "trailwarden_v1_trap_info") (result i64) i64.const 0)
            {extra})"#
    ))
    .expect("wat")
}

/// The packs of `dir` with the built-ins, loaded as `check` loads them.
fn load_dir(dir: &Path, rule_timeout: u64) -> PackSet {
    packs::load(&pack_args(vec![dir.to_owned()], rule_timeout)).expect("packs load")
}

/// The reason `file` did not load.
fn failure_of<'a>(set: &'a PackSet, file: &Path) -> &'a str {
    let name = file.display().to_string();
    set.failed
        .iter()
        .find(|(origin, _)| origin.contains(&name))
        .map(|(_, reason)| reason.as_str())
        .unwrap_or_else(|| panic!("{name} did not fail; failed: {:?}", set.failed))
}

/// Every built-in pack loaded, whatever else happened.
fn assert_builtins_intact(set: &PackSet) {
    let builtins = set.packs.iter().filter(|p| !p.is_file()).count();
    assert_eq!(builtins, BUILTIN_PACKS.len(), "failed: {:?}", set.failed);
}

// ---- 1. No native code from the cache unless the host wrote it ----

/// A cache directory and key under a fresh scratch directory.
fn cache_in(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("modules"), dir.join("config").join("cache.key"))
}

fn the_entry(dir: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("listed")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

#[test]
fn a_cache_entry_of_another_module_under_a_packs_name_is_not_run() {
    let root = scratch("planted-entry");
    let (cache_dir, key) = cache_in(&root);
    let real = forged(|_| {});
    let planted = forged(|meta| meta.rules[0].short_description = "PLANTED".to_owned());
    let load = |bytes: &[u8]| {
        let cache = ModuleCache::open(cache_dir.clone(), &key).expect("cache");
        Sandbox::new(Limits::default(), Some(cache))
            .expect("engine")
            .load(PackOrigin::File(root.join("acme.wasm")), bytes)
            .expect("loads")
            .meta
    };
    // The real pack's entry, then the planted module's, which replaces it under its name:
    // an entry written by trailwarden, with the right key, but for other bytes.
    load(&real);
    let real_entry = the_entry(&cache_dir);
    std::fs::rename(&real_entry, root.join("real.cwasm")).expect("moved away");
    load(&planted);
    std::fs::rename(the_entry(&cache_dir), &real_entry).expect("planted");
    let meta = load(&real);
    assert_ne!(
        meta.rules[0].short_description, "PLANTED",
        "the planted native code ran"
    );
    assert_eq!(meta, custom_meta());
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_cache_entry_written_with_another_key_is_recompiled() {
    let root = scratch("foreign-key");
    let (cache_dir, key) = cache_in(&root);
    let planted = forged(|meta| meta.rules[0].short_description = "PLANTED".to_owned());
    let real = forged(|_| {});
    // Someone else's cache (a restored CI cache, a shared directory) with their own key.
    let foreign = ModuleCache::open(cache_dir.clone(), &root.join("theirs").join("cache.key"))
        .expect("cache");
    let sandbox = Sandbox::new(Limits::default(), Some(foreign)).expect("engine");
    sandbox
        .load(PackOrigin::Builtin("x"), &real)
        .expect("loads");
    let entry = the_entry(&cache_dir);
    sandbox
        .load(PackOrigin::Builtin("x"), &planted)
        .expect("loads");
    let planted_entry = std::fs::read_dir(&cache_dir)
        .expect("listed")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| *p != entry && p.extension().is_some_and(|x| x == "cwasm"))
        .expect("second entry");
    std::fs::rename(&planted_entry, &entry).expect("planted");
    let ours = ModuleCache::open(cache_dir.clone(), &key).expect("cache");
    let meta = Sandbox::new(Limits::default(), Some(ours))
        .expect("engine")
        .load(PackOrigin::Builtin("x"), &real)
        .expect("loads")
        .meta;
    assert_eq!(meta, custom_meta(), "an entry under another key was run");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_cache_directory_of_another_owner_gets_advice_that_fits() {
    let root = scratch("other-owner");
    let key = root.join("config").join("cache.key");
    // As root, a directory given away to another uid; otherwise one that root owns.
    let dir = if euid() == 0 {
        let dir = root.join("modules");
        std::fs::create_dir_all(&dir).expect("created");
        std::os::unix::fs::chown(&dir, Some(4242), Some(4242)).expect("chown");
        dir
    } else {
        PathBuf::from("/")
    };
    let error = ModuleCache::open(dir.clone(), &key).expect_err("refused");
    assert!(matches!(error, CacheError::Unsafe { .. }), "{error}");
    let text = error.to_string();
    assert!(text.contains("belongs to uid"), "{text}");
    assert!(text.contains("chmod cannot fix that"), "{text}");
    assert!(
        !text.contains("chmod 700"),
        "advice that cannot work: {text}"
    );
    let _ = std::fs::remove_dir_all(root);
}

/// The effective uid, from the owner of a file just created.
fn euid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = scratch("uid-probe");
    let uid = std::fs::metadata(&probe).expect("exists").uid();
    let _ = std::fs::remove_dir_all(probe);
    uid
}

#[test]
fn a_parent_others_can_write_is_refused_naming_the_parent() {
    use std::os::unix::fs::PermissionsExt;
    let root = scratch("open-parent");
    let parent = root.join("shared");
    let dir = parent.join("modules");
    std::fs::create_dir_all(&dir).expect("created");
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let error = ModuleCache::open(dir, &root.join("config").join("cache.key"))
        .expect_err("a parent others can write lets them swap the cache");
    let text = error.to_string();
    assert!(
        text.contains(&format!("its parent {}", parent.display())),
        "{text}"
    );
    assert!(text.contains("mode 777"), "{text}");
    let _ = std::fs::remove_dir_all(root);
}

// ---- 2. No pack can speak for another ----

#[test]
fn a_user_pack_named_like_a_builtin_is_refused_and_the_builtins_run() {
    let dir = scratch("builtin-name");
    let file = dir.join("kms.wasm");
    std::fs::write(
        &file,
        forged(|meta| meta.name = "trailwarden-rules-kms".to_owned()),
    )
    .expect("written");
    let set = load_dir(&dir, 10);
    let reason = failure_of(&set, &file);
    assert!(
        reason.contains("name trailwarden-rules-kms is reserved"),
        "{reason}"
    );
    assert_builtins_intact(&set);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_user_rule_with_a_reserved_id_is_refused() {
    let dir = scratch("reserved-id");
    let file = dir.join("acme.wasm");
    std::fs::write(
        &file,
        forged(|meta| meta.rules[0].id = "tw-new-999".to_owned()),
    )
    .expect("written");
    let set = load_dir(&dir, 10);
    let reason = failure_of(&set, &file);
    assert!(reason.contains("declares tw-new-999"), "{reason}");
    assert!(reason.contains("TW- are reserved"), "{reason}");
    assert_builtins_intact(&set);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn two_user_packs_with_one_name_are_refused_naming_both_files() {
    let dir = scratch("same-name");
    std::fs::write(dir.join("a.wasm"), forged(|_| {})).expect("written");
    std::fs::write(
        dir.join("b.wasm"),
        forged(|meta| {
            for rule in &mut meta.rules {
                rule.id = rule.id.replace("ACME", "OTHER");
            }
        }),
    )
    .expect("written");
    let error = packs::load(&pack_args(vec![dir.clone()], 10))
        .err()
        .expect("refused")
        .to_string();
    assert!(error.starts_with("1 pack name is used twice"), "{error}");
    for file in ["a.wasm", "b.wasm"] {
        assert!(
            error.contains(&dir.join(file).display().to_string()),
            "{error}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_rule_id_that_is_not_plain_is_refused() {
    let dir = scratch("bad-id");
    let file = dir.join("acme.wasm");
    std::fs::write(
        &file,
        forged(|meta| meta.rules[0].id = "ACME\u{1b}[2J-001".to_owned()),
    )
    .expect("written");
    let set = load_dir(&dir, 10);
    let reason = failure_of(&set, &file);
    assert!(reason.contains("A-Z a-z 0-9 . _ -"), "{reason}");
    assert!(
        !reason.contains('\u{1b}'),
        "escape passed through: {reason:?}"
    );
    assert_builtins_intact(&set);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_help_uri_that_is_not_https_is_dropped_and_the_pack_loads() {
    let dir = scratch("help-uri");
    std::fs::write(
        dir.join("acme.wasm"),
        forged(|meta| {
            meta.rules[0].help_uri = Some("javascript:alert(1)".to_owned());
            meta.rules[1].help_uri = Some("https://example.org/acme".to_owned());
        }),
    )
    .expect("written");
    let set = load_dir(&dir, 10);
    assert!(set.failed.is_empty(), "{:?}", set.failed);
    let pack = set.packs.iter().find(|p| p.is_file()).expect("loaded");
    assert_eq!(pack.meta.rules[0].help_uri, None);
    assert_eq!(
        pack.meta.rules[1].help_uri.as_deref(),
        Some("https://example.org/acme")
    );
    let _ = std::fs::remove_dir_all(dir);
}

// ---- 3. Load-time run bounds ----

#[test]
fn a_compile_bomb_is_refused_before_compiling_naming_the_limit() {
    let dir = scratch("bomb");
    let file = dir.join("bomb.wasm");
    let locals = "i64 ".repeat(40_000);
    std::fs::write(
        &file,
        v1_module(
            "1",
            &format!("(func (local {locals}) (local.set 39999 (i64.const 1)))"),
        ),
    )
    .expect("written");
    let nested = dir.join("nested.wasm");
    let depth = 5_000;
    std::fs::write(
        &nested,
        v1_module(
            "1",
            &format!("(func {}{})", "(block ".repeat(depth), ")".repeat(depth)),
        ),
    )
    .expect("written");
    let started = Instant::now();
    let set = load_dir(&dir, 10);
    let elapsed = started.elapsed();
    let reason = failure_of(&set, &file);
    assert!(
        reason.contains("locals per function is 40000, over the limit of 10000"),
        "{reason}"
    );
    let reason = failure_of(&set, &nested);
    assert!(
        reason.contains("block nesting depth is 1001, over the limit of 1000"),
        "{reason}"
    );
    assert_builtins_intact(&set);
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn looping_start_functions_cost_one_deadline_not_one_each() {
    let dir = scratch("slow-start");
    let looping = v1_module("1", "(func $spin (loop $l (br $l))) (start $spin)");
    let files: Vec<PathBuf> = (0..3)
        .map(|i| {
            let file = dir.join(format!("spin{i}.wasm"));
            std::fs::write(&file, &looping).expect("written");
            file
        })
        .collect();
    // The built-in packs compiled into the cache first, so that only the loops are timed.
    packs::load(&pack_args(Vec::new(), 1)).expect("built-in packs load");
    let started = Instant::now();
    let set = load_dir(&dir, 1);
    let elapsed = started.elapsed();
    for file in &files {
        let reason = failure_of(&set, file);
        assert!(
            reason.contains("ran past its time: the deadline of 1s per call"),
            "{reason}"
        );
        assert!(reason.contains("--rule-timeout"), "{reason}");
    }
    assert_builtins_intact(&set);
    // One after the other, three packs would take three deadlines.
    assert!(elapsed < Duration::from_millis(2900), "took {elapsed:?}");
    let _ = std::fs::remove_dir_all(dir);
}

// ---- 4. `--rules` files are inspected before they are read ----

#[test]
fn special_files_and_huge_files_are_refused_without_reading_them() {
    let dir = scratch("special-files");
    let zero = dir.join("zero.wasm");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let fifo = dir.join("fifo.wasm");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let sparse = dir.join("sparse.wasm");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(3 << 30))
        .expect("sparse file");
    std::fs::write(dir.join("acme.wasm"), custom_pack()).expect("written");
    let started = Instant::now();
    let set = load_dir(&dir, 10);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let reason = failure_of(&set, &zero);
    assert!(
        reason.contains("a character device, not a regular file"),
        "{reason}"
    );
    let reason = failure_of(&set, &fifo);
    assert!(reason.contains("a FIFO, not a regular file"), "{reason}");
    let reason = failure_of(&set, &sparse);
    assert!(
        reason.contains("3221225472 bytes, over the module size limit"),
        "{reason}"
    );
    assert_builtins_intact(&set);
    assert!(
        set.packs
            .iter()
            .any(|p| p.is_file() && p.meta.name == "acme-security-rules"),
        "the good user pack still loads"
    );
    let _ = std::fs::remove_dir_all(dir);
}

// ---- 5. Error causes are shown ----

#[test]
fn refused_features_are_named() {
    let dir = scratch("features");
    let cases = [
        (
            "shared.wasm",
            v1_module("1 1 shared", ""),
            "threads (shared memory",
        ),
        ("memory64.wasm", v1_module("i64 1", ""), "memory64"),
        (
            "exceptions.wasm",
            v1_module("1", "(tag $e) (func (throw $e))"),
            "exception handling",
        ),
    ];
    for (name, bytes, _) in &cases {
        std::fs::write(dir.join(name), bytes).expect("written");
    }
    let set = load_dir(&dir, 10);
    for (name, _, feature) in &cases {
        let reason = failure_of(&set, &dir.join(name));
        assert!(
            reason.contains(&format!("uses the WebAssembly feature {feature}")),
            "{name}: {reason}"
        );
    }
    assert_builtins_intact(&set);
    let _ = std::fs::remove_dir_all(dir);
}

/// The exit code a user sees: a run with a hostile pack among good ones is incomplete (2),
/// and the good ones are compiled.
#[test]
fn a_run_with_hostile_packs_exits_incomplete() {
    let dir = scratch("exit-code");
    let cache = scratch("exit-code-cache");
    std::fs::write(dir.join("acme.wasm"), custom_pack()).expect("written");
    std::fs::write(
        dir.join("bomb.wasm"),
        v1_module(
            "1",
            &format!("(func {}{})", "(block ".repeat(2000), ")".repeat(2000)),
        ),
    )
    .expect("written");
    let cli = Cli::parse_from([
        "trailwarden".to_owned(),
        "rules".to_owned(),
        "precompile".to_owned(),
        "--rules".to_owned(),
        dir.display().to_string(),
        "--cache-dir".to_owned(),
        cache.join("modules").display().to_string(),
        "--cache-key".to_owned(),
        cache.join("config").join("cache.key").display().to_string(),
    ]);
    let outcome = trailwarden::run(cli).expect("runs");
    assert_eq!(outcome.code(), 2);
    let entries = std::fs::read_dir(cache.join("modules"))
        .expect("cache written")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .count();
    assert_eq!(
        entries,
        BUILTIN_PACKS.len() + 1,
        "the good packs are compiled"
    );
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(cache);
}
