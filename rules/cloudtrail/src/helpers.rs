//! Shared pieces of the CloudTrail pack: trail resources and the could-not-verify finding.

use trailwarden_sdk::chain::reason as chain_reason;
use trailwarden_sdk::prelude::*;

pub use trailwarden_sdk::chain::trail_resource;

/// The finding for a run whose trail lists are incomplete in some region: without every trail
/// we can neither pass nor fail the account.
pub fn trails_unverifiable(snapshot: &Snapshot) -> Option<Finding> {
    let (region, why) = snapshot.trails_incomplete()?;
    Some(
        Finding::unverifiable(
            chain_reason::TRAILS_NOT_COLLECTED,
            format!("could not verify the trails because the trail list of {region} is incomplete: {why}"),
        )
        .account(&snapshot.account.id)
        .region(region),
    )
}

/// A clause naming the trail's owner when another account owns it, so the reader knows who can
/// fix it.
pub fn owner_note(snapshot: &Snapshot, trail: &Trail) -> String {
    match trail.owner_account() {
        Some(owner) if owner != snapshot.account.id => {
            format!(" (owned by account {owner}, which must fix it)")
        }
        _ => String::new(),
    }
}
