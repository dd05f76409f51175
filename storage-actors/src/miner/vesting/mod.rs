//! The vesting table (builtin-actors v18 `vesting_state.rs`): locked block rewards and the
//! create-miner deposit, as `(epoch, amount)` buckets in epoch order that unlock when an epoch
//! strictly after theirs begins.
//!
//! On chain the table is `State::vesting_funds`: `null` when empty, else the tuple
//! `[head VestingFund, tail CID]`, the earliest bucket inline (so the common "anything vested
//! yet?" check reads no block) and the rest as a CBOR list in a block of its own. Fees and
//! penalties may draw the head down to zero without rewriting the tail; a zero head is then
//! hidden from every reader. Entries are produced and merged exactly as upstream does (zero and
//! same-epoch entries included), so the tail block, hence the state root, is the network's.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use multihash_codetable::Code;
use num_traits::Zero;
use serde::{Deserialize, Serialize};

use super::monies::VestSpec;
use super::quantize::QuantSpec;
use super::records::VestingFund;
use crate::plumbing::store_error;

/// The vesting table, as the state stores it (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VestingFunds(Option<VestingFundsInner>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
struct VestingFundsInner {
    /// The earliest bucket.
    head: VestingFund,
    /// The CID of the CBOR list of the later buckets.
    tail: Cid,
}

/// Sums the leading entries that vested before `now` and drops them from `funds`.
fn take_vested(funds: &mut Vec<VestingFund>, now: ChainEpoch) -> TokenAmount {
    let split = funds.iter().position(|f| f.epoch >= now).unwrap_or(funds.len());
    funds.drain(..split).map(|f| f.amount).sum()
}

/// Merges two epoch-ordered lists as upstream's `merge_join_by` does: equal heads are summed
/// pairwise, so a run of equal epochs on one side stays a run.
fn merge(old: Vec<VestingFund>, new: Vec<VestingFund>) -> Vec<VestingFund> {
    let mut out = Vec::with_capacity(old.len() + new.len());
    let (mut left, mut right) = (old.into_iter().peekable(), new.into_iter().peekable());
    loop {
        let next = match (left.peek(), right.peek()) {
            (Some(a), Some(b)) if a.epoch < b.epoch => left.next(),
            (Some(a), Some(b)) if a.epoch > b.epoch => right.next(),
            (Some(_), Some(_)) => match (left.next(), right.next()) {
                (Some(a), Some(b)) => {
                    Some(VestingFund { epoch: a.epoch, amount: a.amount + b.amount })
                }
                (a, b) => a.or(b),
            },
            (Some(_), None) => left.next(),
            (None, _) => right.next(),
        };
        match next {
            Some(fund) => out.push(fund),
            None => return out,
        }
    }
}

/// The buckets `sum` vests in from `now` under `spec`, quantized from `proving_period_start`.
fn schedule(
    now: ChainEpoch,
    sum: &TokenAmount,
    proving_period_start: ChainEpoch,
    spec: &VestSpec,
) -> Vec<VestingFund> {
    let begin = now + spec.initial_delay;
    // A zero step or unit (no network spec has one) would loop forever or divide by zero.
    let quant = QuantSpec { unit: spec.quantization.max(1), offset: proving_period_start };
    let step = spec.step_duration.max(1);
    let (mut epoch, mut vested) = (begin, TokenAmount::zero());
    let mut out = Vec::new();
    while vested < *sum {
        epoch += step;
        let vest_epoch = quant.quantize_up(epoch);
        let elapsed = vest_epoch - begin;
        let target = if elapsed < spec.vest_period {
            (sum * elapsed).div_floor(spec.vest_period)
        } else {
            sum.clone()
        };
        out.push(VestingFund { epoch: vest_epoch, amount: &target - &vested });
        vested = target;
    }
    out
}

impl VestingFunds {
    /// An empty table.
    pub fn new() -> Self {
        Self(None)
    }

    /// Whether the table is empty (`null` on chain).
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Every bucket in epoch order, a zero (or drawn-down) head left out.
    pub fn load(&self, store: &impl Blockstore) -> Result<Vec<VestingFund>, ActorError> {
        let Some(inner) = &self.0 else { return Ok(Vec::new()) };
        let mut funds: Vec<VestingFund> = store
            .get_cbor(&inner.tail)
            .map_err(|e| store_error(format!("failed to load the vesting funds: {e}")))?
            .ok_or_else(|| store_error("missing vesting funds state"))?;
        if inner.head.amount.is_positive() {
            funds.insert(0, inner.head.clone());
        }
        Ok(funds)
    }

    fn save(&mut self, store: &impl Blockstore, funds: Vec<VestingFund>) -> Result<(), ActorError> {
        let mut funds = funds.into_iter();
        let Some(head) = funds.next() else {
            self.0 = None;
            return Ok(());
        };
        let tail = store
            .put_cbor(&funds.collect::<Vec<_>>(), Code::Blake2b256)
            .map_err(|e| store_error(format!("failed to store the vesting funds: {e}")))?;
        self.0 = Some(VestingFundsInner { head, tail });
        Ok(())
    }

    /// Removes and returns everything that vested before `now`. Reads no block unless the head
    /// has vested.
    pub fn unlock_vested_funds(
        &mut self,
        store: &impl Blockstore,
        now: ChainEpoch,
    ) -> Result<TokenAmount, ActorError> {
        if self.0.as_ref().is_none_or(|inner| inner.head.epoch >= now) {
            return Ok(TokenAmount::zero());
        }
        let mut funds = self.load(store)?;
        let unlocked = take_vested(&mut funds, now);
        self.save(store, funds)?;
        Ok(unlocked)
    }

    /// Adds `vesting_sum` on `spec`'s schedule from `now`, quantized to the miner's proving
    /// period (so buckets fall at deadline boundaries), and removes and returns everything
    /// that has already vested. The new funds themselves never vest at once.
    pub fn add_locked_funds(
        &mut self,
        store: &impl Blockstore,
        now: ChainEpoch,
        vesting_sum: &TokenAmount,
        proving_period_start: ChainEpoch,
        spec: &VestSpec,
    ) -> Result<TokenAmount, ActorError> {
        let new = schedule(now, vesting_sum, proving_period_start, spec);
        let mut funds = merge(self.load(store)?, new);
        let unlocked = take_vested(&mut funds, now);
        self.save(store, funds)?;
        Ok(unlocked)
    }

    /// Removes everything already vested, then takes up to `target` from the unvested buckets,
    /// earliest first. Returns `(vested, unvested)`: the first is not counted against the
    /// target. When the head alone covers the target, only the head changes (possibly to
    /// zero), and no block is read.
    pub fn unlock_vested_and_unvested_funds(
        &mut self,
        store: &impl Blockstore,
        now: ChainEpoch,
        target: &TokenAmount,
    ) -> Result<(TokenAmount, TokenAmount), ActorError> {
        let Some(inner) = &mut self.0 else { return Ok(Default::default()) };
        if inner.head.epoch >= now && inner.head.amount >= *target {
            inner.head.amount -= target;
            return Ok((TokenAmount::zero(), target.clone()));
        }

        let mut target = target.clone();
        let (mut vested, mut unvested) = (TokenAmount::zero(), TokenAmount::zero());
        let mut rest = Vec::new();
        let mut funds = self.load(store)?.into_iter();
        for mut fund in funds.by_ref() {
            if fund.epoch < now {
                vested += fund.amount;
            } else if fund.amount < target {
                target -= &fund.amount;
                unvested += fund.amount;
            } else {
                unvested += &target;
                fund.amount -= &target;
                rest.push(fund);
                break;
            }
        }
        rest.extend(funds);
        self.save(store, rest)?;
        Ok((vested, unvested))
    }

    /// The same as [`Self::unlock_vested_and_unvested_funds`] (the name the brief used).
    pub fn unlock_unvested_funds(
        &mut self,
        store: &impl Blockstore,
        now: ChainEpoch,
        target: &TokenAmount,
    ) -> Result<(TokenAmount, TokenAmount), ActorError> {
        self.unlock_vested_and_unvested_funds(store, now, target)
    }
}

#[cfg(test)]
mod tests;
