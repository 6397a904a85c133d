use trailwarden_sdk::prelude::*;

#[rule(id = "ACME-T-001", name = "no-doc")]
fn check(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(Vec::new())
}

fn main() {
    let _ = check;
}
