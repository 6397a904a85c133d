use trailwarden_sdk::prelude::*;

/// A rule that does not compile.
#[rule(id = "acme-1", name = "bad-id")]
fn check(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(Vec::new())
}

fn main() {
    let _ = check;
}
