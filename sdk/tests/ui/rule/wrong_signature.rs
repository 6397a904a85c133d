use trailwarden_sdk::prelude::*;

/// A rule that does not compile.
#[rule(id = "ACME-T-001", name = "wrong-signature")]
fn check(_snapshot: &Snapshot) -> Result<Vec<Finding>, RuleError> {
    Ok(Vec::new())
}

fn main() {
    let _ = check;
}
