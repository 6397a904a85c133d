//! Every path the analysis followed, complete or broken, with the state of each link.
//!
//! [`super::EventCoverage`] keeps what a finding needs: the complete paths and the one failed
//! path that got furthest. A rule that asks about the rest ("is any alarm on this filter
//! broken?", "which topics does the alarm reach, and which are dead?") needs every path: the
//! links that worked, where each stopped and why, and what every action of a firing alarm
//! reaches.

use super::analysis::Break;
use super::notify::Notify;
use crate::finding::Resource;

/// One path followed for one event in one region.
///
/// The links in `through` work; the path then either reaches someone (`stop` is `None`) or
/// breaks at `stop`. A path that never started (no trail at all, a list that could not be read)
/// is a trace with an empty `through` or one that ends where the data ran out.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The resources whose link works, trail first: trail, log group, metric filter, then the
    /// alarm once it fires (and the composite alarm that carries its notification, if one
    /// does).
    pub through: Vec<Resource>,
    /// Where and why the path stopped; `None` when it reaches someone.
    pub stop: Option<Break>,
    /// For a path that got to an alarm that fires: what each of the alarm's own actions
    /// reaches, in the alarm's order, broken ones included (a topic without a confirmed
    /// subscription, one in another account). Whether the alarm sends at all (`ActionsEnabled`)
    /// is the path's `stop`. Empty for paths that stopped earlier.
    pub actions: Vec<ActionOutcome>,
}

impl Trace {
    /// Whether this path reaches someone.
    pub fn is_complete(&self) -> bool {
        self.stop.is_none()
    }
}

/// What one alarm action reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionOutcome {
    /// The action's ARN, as configured.
    pub action: String,
    /// The topic and its confirmed subscriptions, an automated response, or why nobody.
    pub notify: Notify,
}
