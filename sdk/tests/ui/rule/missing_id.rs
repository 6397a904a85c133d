use trailwarden_sdk::prelude::*;

/// A rule that does not compile.
#[rule(name = "no-id")]
fn check(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(Vec::new())
}

fn main() {
    let _ = check;
}
