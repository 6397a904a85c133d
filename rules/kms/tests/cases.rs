//! The fixture cases of `tests/cases`, natively: each a shared snapshot of
//! `tests/fixtures/snapshots` with every finding the pack must report on it. The host's tests
//! run the same files through the `.wasm` in the sandbox.

mod common;

use trailwarden_rules_kms::pack;
use trailwarden_sdk::testing::{assert_cases, load_cases, run_native};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");

#[test]
fn fixture_cases() {
    let ran = assert_cases(&pack(), CASES);
    assert!(ran >= 3, "only {ran} cases");
    for case in load_cases(CASES.as_ref()).expect("cases load") {
        common::house_style(&run_native(&pack(), &case).findings);
    }
}
