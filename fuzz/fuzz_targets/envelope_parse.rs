//! Fuzz reading a pack's output envelope: arbitrary bytes never panic or hang the host, and
//! what is kept stays within the bounds (one result per requested rule, capped findings, cut
//! and cleaned strings). The body is `trailwarden::fuzzing::envelope_parse`, which the host's
//! unit tests also run on seeds.
//!
//! Run: `cargo +nightly fuzz run envelope_parse -- -max_total_time=120`
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trailwarden::fuzzing::envelope_parse(data);
});
