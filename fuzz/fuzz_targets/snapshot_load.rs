//! Fuzz loading a snapshot as `check --snapshot` does and writing a pack's input from it:
//! arbitrary bytes never panic, and what is written reads back. The body is
//! `trailwarden::fuzzing::snapshot_load`, which the host's unit tests also run on seeds.
//!
//! Run: `cargo +nightly fuzz run snapshot_load -- -max_total_time=120`
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trailwarden::fuzzing::snapshot_load(data);
});
