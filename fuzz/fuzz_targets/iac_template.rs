//! Fuzz reading a CloudFormation template as `check --iac` does: arbitrary bytes never panic,
//! and every error names the file. The body is `trailwarden::fuzzing::iac_template`, which the
//! host's unit tests also run on the fixtures and their mutations.
//!
//! Run: `cargo +nightly fuzz run iac_template -- -max_total_time=120`
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trailwarden::fuzzing::iac_template(data);
});
