//! Ports of builtin-actors' `vesting_add_locked_funds.rs`, `vesting_add_locked_funds_table.rs`
//! and `vesting_unvested_funds.rs`, through a harness that keeps the state's `locked_funds`
//! total as upstream's `State` does, plus encoding checks.

use fvm_ipld_blockstore::MemoryBlockstore;

use super::*;

struct Harness {
    store: MemoryBlockstore,
    funds: VestingFunds,
    locked: TokenAmount,
    period_start: ChainEpoch,
}

impl Harness {
    fn new(period_start: ChainEpoch) -> Self {
        let store = MemoryBlockstore::new();
        Self { store, funds: VestingFunds::new(), locked: TokenAmount::zero(), period_start }
    }

    fn add(&mut self, now: ChainEpoch, sum: i64, spec: &VestSpec) -> TokenAmount {
        let sum = TokenAmount::from_atto(sum);
        let unlocked =
            self.funds.add_locked_funds(&self.store, now, &sum, self.period_start, spec).unwrap();
        self.locked -= &unlocked;
        self.locked += sum;
        unlocked
    }

    fn vest(&mut self, now: ChainEpoch) -> TokenAmount {
        if self.locked.is_zero() {
            return TokenAmount::zero();
        }
        let unlocked = self.funds.unlock_vested_funds(&self.store, now).unwrap();
        self.locked -= &unlocked;
        unlocked
    }

    /// `(unvested, total unlocked)`, as the state returns them.
    fn unlock(&mut self, now: ChainEpoch, target: i64) -> (TokenAmount, TokenAmount) {
        let target = TokenAmount::from_atto(target);
        if target.is_zero() || self.locked.is_zero() {
            return Default::default();
        }
        let (vested, unvested) =
            self.funds.unlock_vested_and_unvested_funds(&self.store, now, &target).unwrap();
        let total = vested + &unvested;
        self.locked -= &total;
        (unvested, total)
    }

    /// Upstream's `vesting_funds_store_empty`: nothing visible (a zero head may remain).
    fn store_empty(&self) -> bool {
        self.funds.load(&self.store).unwrap().is_empty()
    }

    fn epochs(&self) -> Vec<ChainEpoch> {
        self.funds.load(&self.store).unwrap().iter().map(|f| f.epoch).collect()
    }
}

fn atto(n: i64) -> TokenAmount {
    TokenAmount::from_atto(n)
}

fn spec(initial_delay: i64, vest_period: i64, step_duration: i64, quantization: i64) -> VestSpec {
    VestSpec { initial_delay, vest_period, step_duration, quantization }
}

#[test]
fn sequential_additions_accumulate() {
    let mut h = Harness::new(0);
    h.add(10, 100, &spec(0, 1, 1, 1));
    h.add(10, 100, &spec(0, 1, 1, 1));
    assert_eq!(h.locked, atto(200));
    assert_eq!(h.funds.load(&h.store).unwrap(), vec![VestingFund { epoch: 11, amount: atto(200) }]);
}

#[test]
fn vests_when_quantization_step_and_period_are_coprime() {
    let mut h = Harness::new(0);
    h.add(10, 100, &spec(0, 27, 5, 7));
    let mut total = TokenAmount::zero();
    for e in 10..=43 {
        let vested = h.vest(e);
        let expected = match e {
            22 => 40,
            29 | 36 => 26,
            43 => 8,
            _ => 0,
        };
        assert_eq!(vested, atto(expected), "epoch {e}");
        total += vested;
    }
    assert_eq!(total, atto(100));
    assert!(h.locked.is_zero() && h.store_empty());
}

#[test]
fn vesting_table() {
    let cases: [(VestSpec, ChainEpoch, &[i64]); 17] = [
        (spec(0, 1, 1, 1), 0, &[0, 0, 100, 0]),
        (spec(0, 2, 1, 1), 0, &[0, 0, 50, 50, 0]),
        (spec(0, 2, 1, 2), 0, &[0, 0, 0, 100, 0]),
        (spec(0, 3, 1, 1), 0, &[0, 0, 33, 33, 34, 0]),
        (spec(0, 3, 1, 2), 0, &[0, 0, 0, 66, 0, 34, 0]),
        (spec(0, 2, 2, 1), 0, &[0, 0, 0, 100, 0]),
        (spec(0, 5, 2, 1), 0, &[0, 0, 0, 40, 0, 40, 0, 20, 0]),
        (spec(1, 5, 2, 1), 0, &[0, 0, 0, 0, 40, 0, 40, 0, 20, 0]),
        (spec(0, 5, 2, 2), 0, &[0, 0, 0, 40, 0, 40, 0, 20, 0]),
        (spec(0, 5, 3, 1), 0, &[0, 0, 0, 0, 60, 0, 0, 40, 0]),
        (spec(0, 5, 3, 2), 0, &[0, 0, 0, 0, 0, 80, 0, 20, 0]),
        (spec(0, 5, 6, 1), 0, &[0, 0, 0, 0, 0, 0, 0, 100, 0]),
        (spec(5, 5, 1, 1), 0, &[0, 0, 0, 0, 0, 0, 0, 20, 20, 20, 20, 20, 0]),
        (spec(0, 10, 2, 2), 0, &[0, 0, 0, 20, 0, 20, 0, 20, 0, 20, 0, 20]),
        (spec(0, 10, 2, 2), 1, &[0, 0, 0, 20, 0, 20, 0, 20, 0, 20, 0, 20]),
        (spec(0, 10, 2, 2), 55, &[0, 0, 0, 20, 0, 20, 0, 20, 0, 20, 0, 20]),
        (spec(0, 10, 1, 5), 0, &[0, 0, 0, 0, 0, 0, 50, 0, 0, 0, 0, 50]),
    ];
    for (i, (vspec, period_start, expected)) in cases.iter().enumerate() {
        let mut h = Harness::new(*period_start);
        let start = period_start + 10;
        h.add(start, 100, vspec);
        assert_eq!(h.locked, atto(100));
        let mut total = 0;
        for (e, &v) in expected.iter().enumerate() {
            assert_eq!(h.vest(start + e as ChainEpoch), atto(v), "case {i} epoch {e}");
            total += v;
            assert_eq!(h.locked, atto(100 - total));
        }
        assert_eq!(total, 100, "case {i}");
        assert!(h.store_empty(), "case {i}");
    }
}

#[test]
fn step_smaller_than_quantization_keeps_upstreams_zero_entries() {
    // Steps at 11..15 all land in bucket 15: one 50 then four zeros; step 16 reaches the end
    // (bucket 20) with the rest. Upstream stores the zero, repeated-epoch entries too.
    let mut h = Harness::new(0);
    h.add(10, 100, &spec(0, 10, 1, 5));
    let funds = h.funds.load(&h.store).unwrap();
    let amounts: Vec<i64> = funds.iter().map(|f| f.amount.atto().try_into().unwrap()).collect();
    assert_eq!(h.epochs(), [15, 15, 15, 15, 15, 20]);
    assert_eq!(amounts, [50, 0, 0, 0, 0, 50]);
}

#[test]
fn unlocking_unvested_leaves_a_partial_bucket() {
    let mut h = Harness::new(0);
    h.add(100, 100, &spec(0, 5, 1, 1));
    assert_eq!(h.unlock(100, 39), (atto(39), atto(39)));
    for (e, v) in
        [(100, 0), (101, 0), (102, 0), (103, 1), (104, 20), (105, 20), (106, 20), (107, 0)]
    {
        assert_eq!(h.vest(e), atto(v), "epoch {e}");
    }
    assert!(h.locked.is_zero() && h.store_empty());
}

#[test]
fn unlocking_unvested_empties_a_bucket() {
    let mut h = Harness::new(0);
    h.add(100, 100, &spec(0, 5, 1, 1));
    assert_eq!(h.unlock(100, 40).0, atto(40));
    for (e, v) in
        [(100, 0), (101, 0), (102, 0), (103, 0), (104, 20), (105, 20), (106, 20), (107, 0)]
    {
        assert_eq!(h.vest(e), atto(v), "epoch {e}");
    }
    assert!(h.locked.is_zero() && h.store_empty());
}

#[test]
fn unlocking_everything_or_more() {
    for target in [100, 200] {
        let mut h = Harness::new(0);
        h.add(10, 100, &spec(0, 5, 1, 1));
        assert_eq!(h.unlock(10, target).0, atto(100));
        assert!(h.locked.is_zero() && h.store_empty());
        // 100 leaves the last bucket drawn to a hidden zero; 200 empties the table.
        assert_eq!(h.funds.is_empty(), target == 200);
    }
}

#[test]
fn unlocking_unvested_also_releases_vested() {
    let mut h = Harness::new(0);
    assert_eq!(h.add(10, 100, &spec(0, 50, 1, 1)), TokenAmount::zero());
    let (unvested, total) = h.unlock(30, 60);
    assert_eq!(unvested, atto(60));
    assert_eq!(total, atto(98));
    assert_eq!(h.locked, atto(2));
    assert_eq!(h.epochs(), [60]);
}

#[test]
fn a_head_drawn_to_zero_is_hidden() {
    let mut h = Harness::new(0);
    h.add(10, 100, &spec(0, 2, 1, 1));
    // The head (epoch 11, 50) covers the target: only the head changes.
    let tail_before = h.funds.0.as_ref().map(|i| i.tail);
    assert_eq!(h.unlock(10, 50), (atto(50), atto(50)));
    assert_eq!(h.funds.0.as_ref().map(|i| i.tail), tail_before);
    assert_eq!(h.funds.load(&h.store).unwrap(), vec![VestingFund { epoch: 12, amount: atto(50) }]);
    assert_eq!(h.vest(12), TokenAmount::zero());
    assert_eq!(h.vest(13), atto(50));
    assert!(h.store_empty());
}

#[test]
fn encodes_as_null_or_head_and_tail() {
    let empty = VestingFunds::new();
    assert_eq!(fvm_ipld_encoding::to_vec(&empty).unwrap(), vec![0xf6]);
    let mut h = Harness::new(0);
    h.add(0, 100, &spec(0, 2, 1, 1));
    let bytes = fvm_ipld_encoding::to_vec(&h.funds).unwrap();
    // [[1, 0x00 32 (50)], tag 42 CID] — head inline; the tail holds [[2, 50]].
    assert_eq!(&bytes[..6], &[0x82, 0x82, 0x01, 0x42, 0x00, 0x32]);
    assert_eq!(&bytes[6..8], &[0xd8, 0x2a]);
    let decoded: VestingFunds = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(decoded, h.funds);
    let tail = h.funds.0.as_ref().map(|i| i.tail).unwrap();
    let tail_bytes = h.store.get(&tail).unwrap().unwrap();
    assert_eq!(tail_bytes, vec![0x81, 0x82, 0x02, 0x42, 0x00, 0x32]);
}

#[test]
fn the_reward_spec_vests_over_180_days() {
    let mut h = Harness::new(0);
    let spec = crate::miner::monies::REWARD_VESTING_SPEC;
    h.add(0, 180_000, &spec);
    let funds = h.funds.load(&h.store).unwrap();
    assert_eq!(funds.len(), 180);
    assert_eq!(funds[0], VestingFund { epoch: 2880, amount: atto(1000) });
    assert_eq!(funds[179].epoch, 180 * 2880);
}
