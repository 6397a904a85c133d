//! The progress bar on stderr: regions done out of regions, and calls made so far.
//!
//! It shows only when stderr is a terminal and `-q` was not given, so that redirected output
//! and CI logs stay clean. Everything else about a run is in the one-line summary.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A handle on the progress display; clones share it. Hidden handles cost two atomics.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    calls: Arc<AtomicU64>,
}

impl Progress {
    /// A bar on stderr if stderr is a terminal and `quiet` is off, else a hidden one.
    pub fn for_stderr(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} collecting {pos}/{len} regions [{bar:30}] {msg} {elapsed}",
        )
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Self {
            bar,
            calls: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A display that shows nothing (tests, `-q`, no terminal).
    pub fn hidden() -> Self {
        Self {
            bar: ProgressBar::hidden(),
            calls: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The number of regions to collect is known.
    pub fn regions(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    /// One region is done.
    pub fn region_done(&self) {
        self.bar.inc(1);
    }

    /// One call finished.
    pub fn call_done(&self) {
        let calls = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.bar.is_hidden() {
            self.bar.set_message(format!("{calls} calls"));
        }
    }

    /// A phase after the regions (trail details in other home regions, events).
    pub fn phase(&self, what: &str) {
        if !self.bar.is_hidden() {
            self.bar.set_message(what.to_owned());
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
