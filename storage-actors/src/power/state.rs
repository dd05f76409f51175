//! The power actor's state and its bookkeeping: the per-miner claims, the network totals that
//! count only miners above the consensus minimum, and the queue of miner callbacks by epoch.
//!
//! Layout (builtin-actors v18): claims are a HAMT (bit width 5) from the miner's ID address
//! bytes to its [`Claim`]; the cron queue is a HAMT (bit width 6) from a zigzag-varint epoch to
//! the root of an AMT (bit width 6) of [`CronEvent`]s, in enrolment order.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{RegisteredPoStProof, StoragePower};
use num_traits::Signed;

use super::types::{Claim, CronEvent};
use crate::plumbing::{address_key, i64_key, store_error};
use crate::smoothing::{self, FilterEstimate};

/// Bit width of the claims HAMT.
pub const CLAIMS_BIT_WIDTH: u32 = 5;
/// Bit widths of the cron queue's HAMT and of its per-epoch AMTs.
pub const CRON_QUEUE_BIT_WIDTH: u32 = 6;

/// While fewer miners than this meet the consensus minimum, every miner's committed power
/// counts (so a young network, or a devnet, has power at all).
pub const CONSENSUS_MINER_MIN_MINERS: i64 = 4;

/// The consensus minimum on a 2KiB devnet (builtin-actors' `min-power-2k` build): one sector.
/// Mainnet's is 10 TiB.
pub const DEVNET_CONSENSUS_MINER_MIN_POWER: u64 = 2048;

/// The initial smoothed QA power estimate: 750,000 GiB, growing 3,840 GiB an epoch.
pub fn initial_qa_power_estimate() -> FilterEstimate {
    let gib = StoragePower::from(1u64 << 30);
    FilterEstimate::new(StoragePower::from(750_000) * &gib, StoragePower::from(3_840) * gib)
}

/// The power actor's state, field for field as the network stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PowerState {
    /// Raw-byte power of miners above the minimum.
    #[serde(with = "bigint_ser")]
    pub total_raw_byte_power: StoragePower,
    /// Raw-byte power of all miners.
    #[serde(with = "bigint_ser")]
    pub total_bytes_committed: StoragePower,
    /// Quality-adjusted power of miners above the minimum.
    #[serde(with = "bigint_ser")]
    pub total_quality_adj_power: StoragePower,
    /// Quality-adjusted power of all miners.
    #[serde(with = "bigint_ser")]
    pub total_qa_bytes_committed: StoragePower,
    /// Sum of the miners' pledges.
    pub total_pledge_collateral: TokenAmount,
    /// Raw-byte power frozen at the last tick.
    #[serde(with = "bigint_ser")]
    pub this_epoch_raw_byte_power: StoragePower,
    /// Quality-adjusted power frozen at the last tick.
    #[serde(with = "bigint_ser")]
    pub this_epoch_quality_adj_power: StoragePower,
    /// Pledge frozen at the last tick.
    pub this_epoch_pledge_collateral: TokenAmount,
    /// Smoothed quality-adjusted power.
    pub this_epoch_qa_power_smoothed: FilterEstimate,
    /// Miners created (and not dropped).
    pub miner_count: i64,
    /// Miners meeting the consensus minimum.
    pub miner_above_min_power_count: i64,
    /// FIP-0081 pledge ramp start.
    pub ramp_start_epoch: i64,
    /// FIP-0081 pledge ramp length.
    pub ramp_duration_epochs: u64,
    /// Root of the cron queue.
    pub cron_event_queue: Cid,
    /// The first epoch whose callbacks may still be queued.
    pub first_cron_epoch: ChainEpoch,
    /// Root of the claims HAMT.
    pub claims: Cid,
    /// Deprecated by FIP-0084; always null.
    pub proof_validation_batch: Option<Cid>,
}

type Claims<'bs, BS> = Hamt<&'bs BS, Claim, BytesKey>;
type CronQueue<'bs, BS> = Hamt<&'bs BS, Cid, BytesKey>;

/// The consensus minimum for a miner of `proof`; an unknown proof type has none (and such a
/// miner cannot have been created).
pub fn consensus_miner_min_power(proof: RegisteredPoStProof) -> Result<StoragePower, ActorError> {
    match proof {
        RegisteredPoStProof::Invalid(n) => {
            Err(ActorError::illegal_state(format!("unsupported PoSt proof type {n}")))
        }
        _ => Ok(StoragePower::from(DEVNET_CONSENSUS_MINER_MIN_POWER)),
    }
}

impl PowerState {
    /// The constructor's state: no miners, empty maps, the initial smoothed estimate.
    pub fn new<BS: Blockstore>(store: &BS) -> Result<Self, ActorError> {
        let claims = Claims::<BS>::new_with_bit_width(store, CLAIMS_BIT_WIDTH)
            .flush()
            .map_err(store_error)?;
        let queue = CronQueue::<BS>::new_with_bit_width(store, CRON_QUEUE_BIT_WIDTH)
            .flush()
            .map_err(store_error)?;
        Ok(Self {
            total_raw_byte_power: StoragePower::default(),
            total_bytes_committed: StoragePower::default(),
            total_quality_adj_power: StoragePower::default(),
            total_qa_bytes_committed: StoragePower::default(),
            total_pledge_collateral: TokenAmount::default(),
            this_epoch_raw_byte_power: StoragePower::default(),
            this_epoch_quality_adj_power: StoragePower::default(),
            this_epoch_pledge_collateral: TokenAmount::default(),
            this_epoch_qa_power_smoothed: initial_qa_power_estimate(),
            miner_count: 0,
            miner_above_min_power_count: 0,
            ramp_start_epoch: 0,
            ramp_duration_epochs: 0,
            cron_event_queue: queue,
            first_cron_epoch: 0,
            claims,
            proof_validation_batch: None,
        })
    }

    fn claims_map<'bs, BS: Blockstore>(
        &self,
        store: &'bs BS,
    ) -> Result<Claims<'bs, BS>, ActorError> {
        Claims::load_with_bit_width(&self.claims, store, CLAIMS_BIT_WIDTH).map_err(store_error)
    }

    /// The claim of the miner at `miner` (an ID address), if it has one.
    pub fn claim<BS: Blockstore>(
        &self,
        store: &BS,
        miner: &Address,
    ) -> Result<Option<Claim>, ActorError> {
        self.claims_map(store)?.get(&address_key(miner)).map(|c| c.cloned()).map_err(store_error)
    }

    /// Records a new miner's empty claim.
    pub fn add_miner<BS: Blockstore>(
        &mut self,
        store: &BS,
        miner: &Address,
        window_post_proof_type: RegisteredPoStProof,
    ) -> Result<(), ActorError> {
        let empty = Claim {
            window_post_proof_type,
            raw_byte_power: StoragePower::default(),
            quality_adj_power: StoragePower::default(),
        };
        let mut claims = self.claims_map(store)?;
        claims.set(address_key(miner), empty).map_err(store_error)?;
        self.claims = claims.flush().map_err(store_error)?;
        self.miner_count += 1;
        // A miner starts above a minimum of zero (never on a network with a real minimum).
        if !consensus_miner_min_power(window_post_proof_type)?.is_positive() {
            self.miner_above_min_power_count += 1;
        }
        Ok(())
    }

    /// Adds signed deltas to `miner`'s claim and moves the totals as the claim crosses the
    /// consensus minimum. An unknown miner is `USR_NOT_FOUND`; a claim or count that would
    /// turn negative is `USR_ILLEGAL_STATE`.
    pub fn add_to_claim<BS: Blockstore>(
        &mut self,
        store: &BS,
        miner: &Address,
        raw: &StoragePower,
        qa: &StoragePower,
    ) -> Result<(), ActorError> {
        let mut claims = self.claims_map(store)?;
        let old = claims
            .get(&address_key(miner))
            .map_err(store_error)?
            .cloned()
            .ok_or_else(|| ActorError::not_found(format!("no claim for actor {miner}")))?;
        let new = Claim {
            window_post_proof_type: old.window_post_proof_type,
            raw_byte_power: &old.raw_byte_power + raw,
            quality_adj_power: &old.quality_adj_power + qa,
        };
        if new.raw_byte_power.is_negative() || new.quality_adj_power.is_negative() {
            return Err(ActorError::illegal_state(format!(
                "claim of {miner} would turn negative ({}, {})",
                new.raw_byte_power, new.quality_adj_power
            )));
        }
        self.total_bytes_committed += raw;
        self.total_qa_bytes_committed += qa;

        let min = consensus_miner_min_power(old.window_post_proof_type)?;
        let was_below = old.raw_byte_power < min;
        let is_below = new.raw_byte_power < min;
        match (was_below, is_below) {
            (true, false) => {
                self.miner_above_min_power_count += 1;
                self.total_raw_byte_power += &new.raw_byte_power;
                self.total_quality_adj_power += &new.quality_adj_power;
            }
            (false, true) => {
                self.miner_above_min_power_count -= 1;
                self.total_raw_byte_power -= &old.raw_byte_power;
                self.total_quality_adj_power -= &old.quality_adj_power;
            }
            (false, false) => {
                self.total_raw_byte_power += raw;
                self.total_quality_adj_power += qa;
            }
            (true, true) => {}
        }
        if self.miner_above_min_power_count < 0
            || self.total_raw_byte_power.is_negative()
            || self.total_quality_adj_power.is_negative()
        {
            return Err(ActorError::illegal_state("power totals would turn negative"));
        }
        claims.set(address_key(miner), new).map_err(store_error)?;
        self.claims = claims.flush().map_err(store_error)?;
        Ok(())
    }

    /// Removes `miner`'s power and its claim (a miner whose callback failed); a miner without a
    /// claim is left alone. Returns whether a claim was removed.
    pub fn delete_claim<BS: Blockstore>(
        &mut self,
        store: &BS,
        miner: &Address,
    ) -> Result<bool, ActorError> {
        let Some(claim) = self.claim(store, miner)? else {
            return Ok(false);
        };
        self.add_to_claim(store, miner, &-claim.raw_byte_power, &-claim.quality_adj_power)?;
        let mut claims = self.claims_map(store)?;
        claims.delete(&address_key(miner)).map_err(store_error)?;
        self.claims = claims.flush().map_err(store_error)?;
        Ok(true)
    }

    /// Whether `miner` has a claim (miners without one may not report pledge).
    pub fn has_claim<BS: Blockstore>(
        &self,
        store: &BS,
        miner: &Address,
    ) -> Result<bool, ActorError> {
        self.claims_map(store)?.contains_key(&address_key(miner)).map_err(store_error)
    }

    /// `miner`'s raw power and whether it counts towards consensus: it does at or above the
    /// minimum, and while fewer than [`CONSENSUS_MINER_MIN_MINERS`] miners qualify, any miner
    /// with power does. No claim is `USR_ILLEGAL_ARGUMENT`, as upstream has it.
    pub fn miner_nominal_power<BS: Blockstore>(
        &self,
        store: &BS,
        miner: &Address,
    ) -> Result<(StoragePower, bool), ActorError> {
        let claim = self
            .claim(store, miner)?
            .ok_or_else(|| ActorError::illegal_argument(format!("no claim for actor {miner}")))?;
        let power = claim.raw_byte_power;
        let meets = if power >= consensus_miner_min_power(claim.window_post_proof_type)? {
            true
        } else if self.miner_above_min_power_count >= CONSENSUS_MINER_MIN_MINERS {
            false
        } else {
            power.is_positive()
        };
        Ok((power, meets))
    }

    /// The network's power for this epoch: every committed byte while fewer than the minimum
    /// number of miners qualify, otherwise only the qualifying miners' power.
    pub fn current_total_power(&self) -> (StoragePower, StoragePower) {
        if self.miner_above_min_power_count < CONSENSUS_MINER_MIN_MINERS {
            (self.total_bytes_committed.clone(), self.total_qa_bytes_committed.clone())
        } else {
            (self.total_raw_byte_power.clone(), self.total_quality_adj_power.clone())
        }
    }

    /// Freezes this epoch's totals and advances the smoothed QA estimate by one epoch.
    pub fn end_epoch(&mut self) {
        let (raw, qa) = self.current_total_power();
        self.this_epoch_pledge_collateral = self.total_pledge_collateral.clone();
        self.this_epoch_quality_adj_power = qa;
        self.this_epoch_raw_byte_power = raw;
        self.this_epoch_qa_power_smoothed = smoothing::next_estimate(
            &self.this_epoch_qa_power_smoothed,
            &self.this_epoch_quality_adj_power,
            1,
        );
    }

    /// Queues `event` for `epoch`.
    pub fn enqueue_cron_event<BS: Blockstore>(
        &mut self,
        store: &BS,
        epoch: ChainEpoch,
        event: CronEvent,
    ) -> Result<(), ActorError> {
        let mut queue = self.cron_queue(store)?;
        let key = i64_key(epoch);
        let mut events = match queue.get(&key).map_err(store_error)? {
            Some(root) => Amt::load(root, store).map_err(store_error)?,
            None => Amt::new_with_bit_width(store, CRON_QUEUE_BIT_WIDTH),
        };
        events.set(events.count(), event).map_err(store_error)?;
        let root = events.flush().map_err(store_error)?;
        queue.set(key, root).map_err(store_error)?;
        self.cron_event_queue = queue.flush().map_err(store_error)?;
        self.first_cron_epoch = self.first_cron_epoch.min(epoch);
        Ok(())
    }

    /// Takes every event queued from `first_cron_epoch` through `now`, in epoch then enrolment
    /// order, dropping those of miners that no longer have a claim; the queue restarts at
    /// `now + 1`.
    pub fn take_due_cron_events<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
    ) -> Result<Vec<CronEvent>, ActorError> {
        let mut queue = self.cron_queue(store)?;
        if queue.is_empty() || now < self.first_cron_epoch {
            // Nothing to take (the common case): only the cursor moves, as it always does.
            self.first_cron_epoch = now + 1;
            return Ok(Vec::new());
        }
        let claims = self.claims_map(store)?;
        let mut due = Vec::new();
        for epoch in self.first_cron_epoch..=now {
            let key = i64_key(epoch);
            let Some(root) = queue.get(&key).map_err(store_error)?.copied() else {
                continue;
            };
            let events: Amt<CronEvent, _> = Amt::load(&root, store).map_err(store_error)?;
            events
                .for_each(|_, event| {
                    if claims.contains_key(&address_key(&event.miner_addr))? {
                        due.push(event.clone());
                    }
                    Ok(())
                })
                .map_err(store_error)?;
            queue.delete(&key).map_err(store_error)?;
        }
        self.first_cron_epoch = now + 1;
        self.cron_event_queue = queue.flush().map_err(store_error)?;
        Ok(due)
    }

    fn cron_queue<'bs, BS: Blockstore>(
        &self,
        store: &'bs BS,
    ) -> Result<CronQueue<'bs, BS>, ActorError> {
        CronQueue::load_with_bit_width(&self.cron_event_queue, store, CRON_QUEUE_BIT_WIDTH)
            .map_err(store_error)
    }
}
