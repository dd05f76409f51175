//! Deadline arithmetic (builtin-actors `deadline_info.rs`, `deadlines.rs` and the period helpers
//! of `lib.rs`). A miner's proving period of [`WPOST_PROVING_PERIOD`] epochs starts at epochs
//! congruent to its offset and is cut into [`WPOST_PERIOD_DEADLINES`] challenge windows; every
//! date the actor checks a message or a cron against is computed here, from the constants of
//! [`super::policy`].

use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;

use super::policy::{
    FAULT_DECLARATION_CUTOFF, WPOST_CHALLENGE_LOOKBACK, WPOST_CHALLENGE_WINDOW,
    WPOST_DISPUTE_WINDOW, WPOST_PERIOD_DEADLINES, WPOST_PROVING_PERIOD,
};
use super::quantize::QuantSpec;

/// One deadline's window, seen from `current_epoch`. Windows are the half-open ranges
/// `[open, close)`; the challenge is drawn before the window opens so that the proof can be
/// computed in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeadlineInfo {
    /// The epoch the info was computed at.
    pub current_epoch: ChainEpoch,
    /// First epoch of the proving period the deadline belongs to.
    pub period_start: ChainEpoch,
    /// The deadline's index, in `0..48` (48 means "after the last deadline").
    pub index: u64,
    /// First epoch a proof may be submitted.
    pub open: ChainEpoch,
    /// First epoch a proof may no longer be submitted.
    pub close: ChainEpoch,
    /// Epoch whose randomness challenges the proof.
    pub challenge: ChainEpoch,
    /// First epoch a fault or recovery declaration for this deadline is refused.
    pub fault_cutoff: ChainEpoch,
}

impl DeadlineInfo {
    /// The info of deadline `index` in the period starting at `period_start`. An index past the
    /// last deadline yields an empty window at the next period's start (as upstream), which the
    /// cron uses to notice that the whole period has elapsed.
    pub fn new(period_start: ChainEpoch, index: u64, current_epoch: ChainEpoch) -> Self {
        if index < WPOST_PERIOD_DEADLINES {
            let open = period_start + index as i64 * WPOST_CHALLENGE_WINDOW;
            Self {
                current_epoch,
                period_start,
                index,
                open,
                close: open + WPOST_CHALLENGE_WINDOW,
                challenge: open - WPOST_CHALLENGE_LOOKBACK,
                fault_cutoff: open - FAULT_DECLARATION_CUTOFF,
            }
        } else {
            let after_last = period_start + WPOST_PROVING_PERIOD;
            Self {
                current_epoch,
                period_start,
                index,
                open: after_last,
                close: after_last,
                challenge: after_last,
                fault_cutoff: 0,
            }
        }
    }

    /// Whether the proving period has begun.
    pub fn period_started(&self) -> bool {
        self.current_epoch >= self.period_start
    }

    /// Whether the proving period has entirely passed.
    pub fn period_elapsed(&self) -> bool {
        self.current_epoch >= self.next_period_start()
    }

    /// The period's last epoch.
    pub fn period_end(&self) -> ChainEpoch {
        self.period_start + WPOST_PROVING_PERIOD - 1
    }

    /// The next period's first epoch.
    pub fn next_period_start(&self) -> ChainEpoch {
        self.period_start + WPOST_PROVING_PERIOD
    }

    /// Whether proofs are accepted now.
    pub fn is_open(&self) -> bool {
        self.current_epoch >= self.open && self.current_epoch < self.close
    }

    /// Whether the window has closed.
    pub fn has_elapsed(&self) -> bool {
        self.current_epoch >= self.close
    }

    /// The last epoch a proof is accepted (the deadline cron runs at this epoch).
    pub fn last(&self) -> ChainEpoch {
        self.close - 1
    }

    /// The epoch the following deadline opens.
    pub fn next_open(&self) -> ChainEpoch {
        self.close
    }

    /// Whether declarations for this deadline are now refused.
    pub fn fault_cutoff_passed(&self) -> bool {
        self.current_epoch >= self.fault_cutoff
    }

    /// The first occurrence of this deadline (this one or a later period's) that has not closed:
    /// a declaration naming a closed deadline is about its next occurrence.
    pub fn next_not_elapsed(self) -> Self {
        if !self.has_elapsed() {
            return self;
        }
        let periods = 1 + (self.current_epoch - self.close) / WPOST_PROVING_PERIOD;
        Self::new(
            self.period_start + WPOST_PROVING_PERIOD * periods,
            self.index,
            self.current_epoch,
        )
    }

    /// Buckets at this deadline's last epoch of every period: the deadline's queues are
    /// processed only by its own cron, so finer keys would buy nothing.
    pub fn quant_spec(&self) -> QuantSpec {
        QuantSpec { unit: WPOST_PROVING_PERIOD, offset: self.last() }
    }
}

/// The info of deadline `deadline_idx` of the period starting at `proving_period_start`.
pub fn new_deadline_info(
    proving_period_start: ChainEpoch,
    deadline_idx: u64,
    current_epoch: ChainEpoch,
) -> DeadlineInfo {
    DeadlineInfo::new(proving_period_start, deadline_idx, current_epoch)
}

/// The deadline open at `current_epoch` for a miner whose periods start at epochs congruent to
/// `period_start_seed`. This needs no recorded state, so it is right even for a miner whose
/// deadline cron is not running.
pub fn new_deadline_info_from_offset_and_epoch(
    period_start_seed: ChainEpoch,
    current_epoch: ChainEpoch,
) -> DeadlineInfo {
    let q = QuantSpec { unit: WPOST_PROVING_PERIOD, offset: period_start_seed };
    let period_start = q.quantize_down(current_epoch);
    let index = ((current_epoch - period_start) / WPOST_CHALLENGE_WINDOW) as u64;
    new_deadline_info(period_start, index, current_epoch)
}

/// The deadline of the period starting at `period_start` that holds `current_epoch`: deadline 0
/// before the period starts, and index 48 (an empty window) once it has ended.
pub fn compute_proving_period_deadline(
    period_start: ChainEpoch,
    current_epoch: ChainEpoch,
) -> DeadlineInfo {
    let progress = current_epoch - period_start;
    if progress >= WPOST_PROVING_PERIOD {
        return new_deadline_info(period_start, WPOST_PERIOD_DEADLINES, current_epoch);
    }
    let index = if progress < 0 { 0 } else { (progress / WPOST_CHALLENGE_WINDOW) as u64 };
    new_deadline_info(period_start, index, current_epoch)
}

/// The start of the proving period holding `current_epoch`: the last epoch ≤ `current_epoch`
/// congruent to `offset` (which must be in `0..WPOST_PROVING_PERIOD`).
pub fn current_proving_period_start(current_epoch: ChainEpoch, offset: ChainEpoch) -> ChainEpoch {
    let modulus = current_epoch % WPOST_PROVING_PERIOD;
    let progress = if modulus >= offset {
        modulus - offset
    } else {
        WPOST_PROVING_PERIOD - (offset - modulus)
    };
    current_epoch - progress
}

/// The index of the deadline holding `current_epoch` in the period starting at `period_start`.
pub fn current_deadline_index(current_epoch: ChainEpoch, period_start: ChainEpoch) -> u64 {
    ((current_epoch - period_start) / WPOST_CHALLENGE_WINDOW) as u64
}

/// Whether a deadline may be changed now (terminations, replica updates, extensions, moves):
/// only until one challenge window before its next opening, so that the sectors a proof must
/// cover are fixed before its challenge is drawn.
pub fn deadline_is_mutable(
    proving_period_start: ChainEpoch,
    deadline_idx: u64,
    current_epoch: ChainEpoch,
) -> bool {
    let next =
        new_deadline_info(proving_period_start, deadline_idx, current_epoch).next_not_elapsed();
    current_epoch < next.open - WPOST_CHALLENGE_WINDOW
}

/// Buckets for the queues of the deadline `di` (its last epoch of every period).
pub fn quant_spec_for_deadline(di: &DeadlineInfo) -> QuantSpec {
    QuantSpec { unit: WPOST_PROVING_PERIOD, offset: di.last() }
}

/// Whether the proofs optimistically accepted at a deadline's last window may be disputed now:
/// not while the deadline is open again, and only within the dispute window after it closed.
pub fn deadline_available_for_optimistic_post_dispute(
    proving_period_start: ChainEpoch,
    deadline_idx: u64,
    current_epoch: ChainEpoch,
) -> bool {
    if proving_period_start > current_epoch {
        return false;
    }
    let di =
        new_deadline_info(proving_period_start, deadline_idx, current_epoch).next_not_elapsed();
    !di.is_open() && current_epoch < (di.close - WPOST_PROVING_PERIOD) + WPOST_DISPUTE_WINDOW
}

/// Whether a deadline's partitions may be compacted now: it must be mutable, and its last
/// proofs no longer disputable (compaction would move the sectors a dispute must find).
pub fn deadline_available_for_compaction(
    proving_period_start: ChainEpoch,
    deadline_idx: u64,
    current_epoch: ChainEpoch,
) -> bool {
    deadline_is_mutable(proving_period_start, deadline_idx, current_epoch)
        && !deadline_available_for_optimistic_post_dispute(
            proving_period_start,
            deadline_idx,
            current_epoch,
        )
}

/// The proving-period offset of a new miner, in `0..WPOST_PROVING_PERIOD`: the first 8 bytes
/// (big-endian) of `blake2b(CBOR(addr) ‖ i64be(current_epoch))`. Hashing spreads miners' cron
/// work evenly over the day. `blake2b` is the runtime's blake2b-256 (see [`blake2b_256`]).
pub fn assign_proving_period_offset(
    addr: Address,
    current_epoch: ChainEpoch,
    blake2b: impl FnOnce(&[u8]) -> [u8; 32],
) -> Result<ChainEpoch, filecoin_vm::ActorError> {
    let mut input = fvm_ipld_encoding::to_vec(&addr).map_err(|e| {
        filecoin_vm::ActorError::serialization(format!("failed to serialize address: {e}"))
    })?;
    input.extend_from_slice(&current_epoch.to_be_bytes());
    let digest = blake2b(&input);
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    Ok((u64::from_be_bytes(head) % WPOST_PROVING_PERIOD as u64) as ChainEpoch)
}

/// blake2b-256 of `data`, for [`assign_proving_period_offset`] outside an actor.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let hash = blake2b_simd::Params::new().hash_length(32).hash(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::miner::policy::EPOCHS_IN_DAY;

    #[test]
    fn window_arithmetic() {
        let d = new_deadline_info(1000, 3, 1100);
        assert_eq!((d.open, d.close, d.challenge, d.fault_cutoff), (1180, 1240, 1160, 1110));
        assert_eq!(d.last(), 1239);
        assert_eq!(d.next_open(), 1240);
        assert!(!d.is_open() && !d.has_elapsed() && d.period_started() && !d.fault_cutoff_passed());
        assert_eq!(d.period_end(), 3879);
        assert_eq!(d.quant_spec(), QuantSpec { unit: 2880, offset: 1239 });
        let past = new_deadline_info(1000, 48, 1100);
        assert_eq!(
            (past.open, past.close, past.challenge, past.fault_cutoff),
            (3880, 3880, 3880, 0)
        );
    }

    #[test]
    fn quantization_spec_rounds_to_the_next_deadline() {
        let period_start = 2;
        let curr = period_start + WPOST_PROVING_PERIOD;
        let d = new_deadline_info(period_start, 10, curr);
        assert_eq!(d.next_not_elapsed().last(), d.quant_spec().quantize_up(curr));
    }

    #[test]
    fn next_not_elapsed_matches_naive_search() {
        let period_start = 12345;
        for idx in [0u64, 1, 23, 47] {
            let open = period_start + idx as i64 * WPOST_CHALLENGE_WINDOW;
            for curr in (open - 1)..(open + WPOST_CHALLENGE_WINDOW + 2 * WPOST_PROVING_PERIOD) {
                let d = new_deadline_info(period_start, idx, curr);
                let expected = std::iter::successors(Some(d), |p| {
                    Some(new_deadline_info(p.next_period_start(), p.index, p.current_epoch))
                })
                .find(|i| !i.has_elapsed())
                .unwrap();
                assert_eq!(expected, d.next_not_elapsed());
                if curr < open + WPOST_CHALLENGE_WINDOW {
                    assert_eq!(d, d.next_not_elapsed());
                }
            }
        }
    }

    #[test]
    fn offset_and_epoch_invariance() {
        for epoch in [4, 2_000, 400_000, 5_000_000] {
            let a = new_deadline_info_from_offset_and_epoch(1972, epoch);
            let b = new_deadline_info_from_offset_and_epoch(1972 + EPOCHS_IN_DAY * 3, epoch);
            let c =
                new_deadline_info_from_offset_and_epoch(1972 + EPOCHS_IN_DAY * 1_000_000, epoch);
            assert_eq!(a, b);
            assert_eq!(b, c);
        }
    }

    #[test]
    fn offset_and_epoch_sanity() {
        let offset = 7;
        let start = EPOCHS_IN_DAY * 103 + offset;
        for (delta, idx, ps) in [
            (0, 0, start),
            (59, 0, start),
            (60, 1, start),
            (40 * 60 - 1, 39, start),
            (40 * 60, 40, start),
            (40 * 60 + 1, 40, start),
            (48 * 60 - 1, 47, start),
            (48 * 60, 0, start + 2880),
        ] {
            let d = new_deadline_info_from_offset_and_epoch(offset, start + delta);
            assert_eq!((d.index, d.period_start), (idx, ps), "delta {delta}");
        }
    }

    #[test]
    fn period_start_and_index() {
        assert_eq!(current_proving_period_start(10_000, 100), 8740);
        assert_eq!(current_proving_period_start(8740, 100), 8740);
        assert_eq!(current_proving_period_start(8739, 100), 5860);
        assert_eq!(current_proving_period_start(50, 100), -2780);
        assert_eq!(current_deadline_index(8740 + 61, 8740), 1);
        assert_eq!(compute_proving_period_deadline(1000, 900).index, 0);
        assert_eq!(compute_proving_period_deadline(1000, 1000 + 125).index, 2);
        assert_eq!(compute_proving_period_deadline(1000, 1000 + 2880).index, 48);
    }

    #[test]
    fn mutability_dispute_and_compaction() {
        // Deadline 2 of the period at 0 opens at 120: mutable while now < 60.
        assert!(deadline_is_mutable(0, 2, 59));
        assert!(!deadline_is_mutable(0, 2, 60));
        assert!(!deadline_is_mutable(0, 2, 150));
        // Once closed (180), it refers to the next period: open 3000, mutable until 2940.
        assert!(deadline_is_mutable(0, 2, 180));
        assert!(!deadline_is_mutable(0, 2, 2940));
        // Disputes: only after it closed, for 1800 epochs.
        assert!(!deadline_available_for_optimistic_post_dispute(0, 2, 150));
        assert!(deadline_available_for_optimistic_post_dispute(0, 2, 180));
        assert!(deadline_available_for_optimistic_post_dispute(0, 2, 1979));
        assert!(!deadline_available_for_optimistic_post_dispute(0, 2, 1980));
        assert!(!deadline_available_for_optimistic_post_dispute(100, 2, 50));
        assert!(!deadline_available_for_compaction(0, 2, 1979));
        assert!(deadline_available_for_compaction(0, 2, 1980));
        assert!(!deadline_available_for_compaction(0, 2, 2940));
    }

    #[test]
    fn proving_period_offset_is_hash_of_address_and_epoch() {
        let addr = Address::new_id(1000);
        let offset = assign_proving_period_offset(addr, 7, blake2b_256).unwrap();
        // CBOR(f01000) = 0x43 00 e8 07; then 7 as i64 big-endian.
        let mut input = vec![0x43, 0x00, 0xe8, 0x07];
        input.extend_from_slice(&7i64.to_be_bytes());
        let digest = blake2b_256(&input);
        let expected = u64::from_be_bytes(digest[..8].try_into().unwrap()) % 2880;
        assert_eq!(offset, expected as i64);
        assert!((0..2880).contains(&offset));
        let other = assign_proving_period_offset(addr, 8, blake2b_256).unwrap();
        assert_ne!(offset, other);
    }
}
