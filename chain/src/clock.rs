//! The clock the miner stamps tipsets with: wall-clock seconds, shifted by an offset that dev
//! methods move (Hardhat's and anvil's `evm_increaseTime`, `evm_setNextBlockTimestamp`).
//!
//! The miner reads time only through here, so moving the chain's time needs no sleeping and
//! touches nothing else. Tipset timestamps still strictly increase whatever the clock says: the
//! miner takes `max(clock, parent + 1)`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// See the module docs.
#[derive(Debug, Default)]
pub struct Clock {
    /// Seconds added to the wall clock.
    offset: AtomicI64,
    /// The timestamp the next tipset carries, if a dev method chose one.
    next: Mutex<Option<u64>>,
}

impl Clock {
    /// The chain's current time, in Unix seconds.
    pub fn now(&self) -> u64 {
        shifted(wall_seconds(), self.offset.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `seconds`; returns the total shift from the wall clock.
    pub fn advance(&self, seconds: u64) -> i64 {
        let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
        let old = self
            .offset
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| Some(o.saturating_add(seconds)))
            .unwrap_or_else(|o| o);
        old.saturating_add(seconds)
    }

    /// The shift from the wall clock, in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Makes the next tipset carry `timestamp`; time then runs on from there.
    pub fn set_next_timestamp(&self, timestamp: u64) {
        if let Ok(mut next) = self.next.lock() {
            *next = Some(timestamp);
        }
    }

    /// The timestamp of a tipset built now on a parent stamped `parent`: the chosen next
    /// timestamp if there is one (and the clock then continues from it), else the clock, and
    /// never earlier than `parent + 1`.
    pub(crate) fn tipset_timestamp(&self, parent: u64) -> u64 {
        let chosen = self.next.lock().ok().and_then(|mut next| next.take());
        let timestamp = match chosen {
            Some(at) => {
                let wall = i64::try_from(wall_seconds()).unwrap_or(i64::MAX);
                let at_signed = i64::try_from(at).unwrap_or(i64::MAX);
                self.offset.store(at_signed.saturating_sub(wall), Ordering::SeqCst);
                at
            }
            None => self.now(),
        };
        timestamp.max(parent.saturating_add(1))
    }
}

fn wall_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn shifted(wall: u64, offset: i64) -> u64 {
    if offset >= 0 {
        wall.saturating_add(offset.unsigned_abs())
    } else {
        wall.saturating_sub(offset.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_and_tipset_timestamps() {
        let clock = Clock::default();
        let before = clock.now();
        assert_eq!(clock.advance(3_600), 3_600);
        assert_eq!(clock.advance(60), 3_660);
        let after = clock.now();
        // The wall clock may tick between the two reads, but not by an hour.
        assert!((before + 3_660..before + 3_700).contains(&after), "{before} -> {after}");
        assert!(clock.tipset_timestamp(0) >= before + 3_660);
    }

    #[test]
    fn a_chosen_timestamp_is_used_once_and_time_runs_on_from_it() {
        let clock = Clock::default();
        let target = clock.now() + 1_000_000;
        clock.set_next_timestamp(target);
        assert_eq!(clock.tipset_timestamp(0), target);
        // Taken: the next tipset reads the clock, which now runs from the chosen time.
        let next = clock.tipset_timestamp(target);
        assert!((target + 1..target + 60).contains(&next), "{next}");
        assert!(clock.offset() > 999_000);
    }

    #[test]
    fn tipset_timestamps_strictly_increase_whatever_the_clock_says() {
        let clock = Clock::default();
        let far_future = clock.now() + 10_000;
        assert_eq!(clock.tipset_timestamp(far_future), far_future + 1);
        clock.set_next_timestamp(5);
        assert_eq!(clock.tipset_timestamp(far_future), far_future + 1);
    }
}
