//! Hybrid logical clock stamps.
//!
//! Device clocks are not trusted (DESIGN rule 7). A stamp is the larger of the
//! wall clock and every stamp seen so far, plus a counter that breaks ties, so
//! stamps never go backwards even when the wall clock does.
use serde::{Deserialize, Serialize};

/// A stamp: physical milliseconds since the Unix epoch (UTC) and a tie counter.
/// Ordered by `(ms, counter)`; ties between devices break on the device id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub ms: i64,
    pub counter: u32,
}

impl Hlc {
    /// The next local stamp after `self`, given the wall clock `now_ms`.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.ms {
            Hlc { ms: now_ms, counter: 0 }
        } else {
            Hlc { ms: self.ms, counter: self.counter.saturating_add(1) }
        }
    }

    /// The clock after receiving `remote`: `max(last, now, received)` plus the tie counter.
    pub fn merge(self, remote: Hlc, now_ms: i64) -> Hlc {
        let ms = self.ms.max(remote.ms).max(now_ms);
        let counter = if ms == self.ms && ms == remote.ms {
            self.counter.max(remote.counter).saturating_add(1)
        } else if ms == self.ms {
            self.counter.saturating_add(1)
        } else if ms == remote.ms {
            remote.counter.saturating_add(1)
        } else {
            0
        };
        Hlc { ms, counter }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn never_goes_back_when_wall_clock_does() {
        let a = Hlc::default().tick(1_000);
        let b = a.tick(500);
        assert!(b > a);
        assert_eq!(b, Hlc { ms: 1_000, counter: 1 });
    }

    proptest! {
        #[test]
        fn merge_is_after_both(l in 0i64..1_000_000, lc in 0u32..10, r in 0i64..1_000_000, rc in 0u32..10, now in 0i64..1_000_000) {
            let local = Hlc { ms: l, counter: lc };
            let remote = Hlc { ms: r, counter: rc };
            let m = local.merge(remote, now);
            prop_assert!(m > local && m > remote);
            prop_assert!(m.tick(now) > m);
        }
    }
}
