//! A wall-clock limit on one render. resvg cannot be interrupted from outside, so the
//! pipeline checks its deadline between stages (encode, build the drawing, parse it,
//! draw, encode the file) and gives up at the first check past it. Each stage is bounded
//! by the output size (logos are bounded bitmaps), so no stage runs long after the
//! deadline, and a render that waited too long for a thread does not start at all.

use std::time::{Duration, Instant};

/// When a render must be finished. Copy, so it travels into blocking closures freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

/// The render passed its deadline; `stage` names the check that noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the image took longer to draw than allowed (noticed at: {stage})")]
pub struct TimedOut {
    pub stage: &'static str,
}

impl Deadline {
    /// `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Self(Instant::now().checked_add(limit))
    }

    /// No limit: for benchmarks, tests and tools that render outside a request.
    pub const fn none() -> Self {
        Self(None)
    }

    /// Whether the deadline has passed, naming the stage for the error.
    pub fn check(&self, stage: &'static str) -> Result<(), TimedOut> {
        match self.0 {
            Some(at) if Instant::now() >= at => Err(TimedOut { stage }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_that_has_passed_names_the_stage() {
        let past = Deadline::after(Duration::ZERO);
        assert_eq!(past.check("draw"), Err(TimedOut { stage: "draw" }));
    }

    #[test]
    fn a_distant_deadline_and_no_deadline_pass() {
        assert!(
            Deadline::after(Duration::from_secs(3600))
                .check("x")
                .is_ok()
        );
        assert!(Deadline::none().check("x").is_ok());
    }
}
