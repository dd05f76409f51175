//! What the miner calls on other actors (builtin-actors v18 `ext.rs` and the send helpers of
//! `lib.rs`): their method numbers and parameter types, re-exported from our own actors so both
//! sides share one encoding, and typed wrappers that send, decode, and skip the call where
//! upstream skips it (zero deltas, no deals, no claims).
//!
//! Failures of the callee come back as `ActorError`s carrying its exit code (see
//! [`crate::plumbing::send`]); wrappers add context to the message but never change the code.

use filecoin_vm::{ActorError, BURNT_FUNDS_ACTOR_ID, REWARD_ACTOR_ID, Runtime, SYSTEM_ACTOR_ID};
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{METHOD_SEND, MethodNum};
use num_traits::Zero;

use super::records::PowerPair;
use super::types::CronEventPayload;
use crate::plumbing::{cbor_block, decode_return, send};
use crate::{MARKET_ACTOR_ID, POWER_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID};

/// The account actor's `PubkeyAddress` (to check a worker's key is BLS).
pub mod account {
    use super::MethodNum;
    /// `PubkeyAddress`: returns the account's key address.
    pub const PUBKEY_ADDRESS_METHOD: MethodNum = 2;
}

/// The market's methods the miner calls, and their types.
pub mod market {
    pub use crate::market::{
        ActivatedDeal, BATCH_ACTIVATE_DEALS_METHOD, BatchActivateDealsParams,
        BatchActivateDealsResult, NO_ALLOCATION_ID, ON_MINER_SECTORS_TERMINATE_METHOD,
        OnMinerSectorsTerminateParams, SectorDealActivation, SectorDeals,
        VERIFY_DEALS_FOR_ACTIVATION_METHOD, VerifyDealsForActivationParams,
        VerifyDealsForActivationReturn,
    };
}

/// Power's methods the miner calls, and their types.
pub mod power {
    pub use crate::power::{
        CURRENT_TOTAL_POWER_METHOD, CurrentTotalPowerReturn, ENROLL_CRON_EVENT_METHOD,
        EnrollCronEventParams, UPDATE_CLAIMED_POWER_METHOD, UPDATE_PLEDGE_TOTAL_METHOD,
        UpdateClaimedPowerParams,
    };
}

/// Reward's method the miner calls, and its return.
pub mod reward {
    pub use crate::reward::{THIS_EPOCH_REWARD_METHOD, ThisEpochRewardReturn};
}

/// The verified registry's methods the miner calls, and their types.
pub mod verifreg {
    pub use crate::verifreg::{
        AllocationClaim, AllocationID, CLAIM_ALLOCATIONS_METHOD, Claim, ClaimAllocationsParams,
        ClaimAllocationsReturn, ClaimID, GET_CLAIMS_METHOD, GetClaimsParams, GetClaimsReturn,
        SectorAllocationClaims, SectorClaimSummary,
    };
}

use crate::plumbing::BatchReturn;

/// Prefixes a callee failure's message, keeping its exit code and return data.
fn context(e: ActorError, what: &str) -> ActorError {
    ActorError::with_data(e.exit_code(), e.data().cloned(), format!("{what}: {}", e.message()))
}

fn power_actor() -> Address {
    Address::new_id(POWER_ACTOR_ID)
}

fn market_actor() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

fn verifreg_actor() -> Address {
    Address::new_id(VERIFIED_REGISTRY_ACTOR_ID)
}

/// Power's totals as of the last cron tick (and the FIP-0081 ramp), for pledge and deposits.
pub fn request_current_total_power(
    rt: &mut dyn Runtime,
) -> Result<power::CurrentTotalPowerReturn, ActorError> {
    let ret =
        send(rt, &power_actor(), power::CURRENT_TOTAL_POWER_METHOD, None, TokenAmount::zero())
            .map_err(|e| context(e, "failed to check current power"))?;
    decode_return(ret)
}

/// This epoch's reward estimate and baseline power.
pub fn request_current_epoch_block_reward(
    rt: &mut dyn Runtime,
) -> Result<reward::ThisEpochRewardReturn, ActorError> {
    let to = Address::new_id(REWARD_ACTOR_ID);
    let ret = send(rt, &to, reward::THIS_EPOCH_REWARD_METHOD, None, TokenAmount::zero())
        .map_err(|e| context(e, "failed to check epoch reward"))?;
    decode_return(ret)
}

/// Reports a change of the miner's claimed power; nothing is sent for a zero delta.
pub fn request_update_power(rt: &mut dyn Runtime, delta: &PowerPair) -> Result<(), ActorError> {
    if delta.is_zero() {
        return Ok(());
    }
    let params = power::UpdateClaimedPowerParams {
        raw_byte_delta: delta.raw.clone(),
        quality_adjusted_delta: delta.qa.clone(),
    };
    send(
        rt,
        &power_actor(),
        power::UPDATE_CLAIMED_POWER_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    )
    .map_err(|e| context(e, &format!("failed to update power with {delta:?}")))?;
    Ok(())
}

/// Reports a change of the miner's pledge (a bare token amount); nothing for zero.
pub fn notify_pledge_changed(rt: &mut dyn Runtime, delta: &TokenAmount) -> Result<(), ActorError> {
    if delta.is_zero() {
        return Ok(());
    }
    send(
        rt,
        &power_actor(),
        power::UPDATE_PLEDGE_TOTAL_METHOD,
        cbor_block(delta)?,
        TokenAmount::zero(),
    )?;
    Ok(())
}

/// Asks power to call `OnDeferredCronEvent` back at `event_epoch` with `payload`.
pub fn enroll_cron_event(
    rt: &mut dyn Runtime,
    event_epoch: ChainEpoch,
    payload: &CronEventPayload,
) -> Result<(), ActorError> {
    let payload = RawBytes::serialize(payload)
        .map_err(|e| ActorError::serialization(format!("failed to encode cron payload: {e}")))?;
    let params = power::EnrollCronEventParams { event_epoch, payload };
    send(
        rt,
        &power_actor(),
        power::ENROLL_CRON_EVENT_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    )?;
    Ok(())
}

/// Burns `amount` (sends it to f099); nothing for zero or less.
pub fn burn_funds(rt: &mut dyn Runtime, amount: TokenAmount) -> Result<(), ActorError> {
    if !amount.is_positive() {
        return Ok(());
    }
    send(rt, &Address::new_id(BURNT_FUNDS_ACTOR_ID), METHOD_SEND, None, amount)?;
    Ok(())
}

/// Tells the market that `sectors` terminated at `epoch`; nothing for none. When the message
/// comes from the system (cron), a market failure is swallowed so that it cannot freeze the
/// miner's cron too, as upstream does.
pub fn request_terminate_deals(
    rt: &mut dyn Runtime,
    epoch: ChainEpoch,
    sectors: &BitField,
) -> Result<(), ActorError> {
    if sectors.is_empty() {
        return Ok(());
    }
    let params = market::OnMinerSectorsTerminateParams { epoch, sectors: sectors.clone() };
    let res = send(
        rt,
        &market_actor(),
        market::ON_MINER_SECTORS_TERMINATE_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    );
    match res {
        Err(_) if rt.message().origin == SYSTEM_ACTOR_ID => Ok(()),
        other => other.map(drop),
    }
}

/// The market's CommD of each sector's deals (`None` for a sector without deals). When no
/// sector has deals nothing is sent and every CommD is `None`.
pub fn verify_deals(
    rt: &mut dyn Runtime,
    sectors: &[market::SectorDeals],
) -> Result<market::VerifyDealsForActivationReturn, ActorError> {
    if sectors.iter().all(|s| s.deal_ids.is_empty()) {
        return Ok(market::VerifyDealsForActivationReturn {
            unsealed_cids: vec![None; sectors.len()],
        });
    }
    let params = market::VerifyDealsForActivationParams { sectors: sectors.to_vec() };
    decode_return(send(
        rt,
        &market_actor(),
        market::VERIFY_DEALS_FOR_ACTIVATION_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    )?)
}

/// Activates the sectors' deals. When no sector has deals nothing is sent: every sector
/// succeeds with no deals and no CommD.
pub fn batch_activate_deals(
    rt: &mut dyn Runtime,
    sectors: Vec<market::SectorDeals>,
    compute_cid: bool,
) -> Result<market::BatchActivateDealsResult, ActorError> {
    if sectors.iter().all(|s| s.deal_ids.is_empty()) {
        let empty = market::SectorDealActivation { activated: Vec::new(), unsealed_cid: None };
        return Ok(market::BatchActivateDealsResult {
            activation_results: BatchReturn::ok(sectors.len() as u32),
            activations: vec![empty; sectors.len()],
        });
    }
    let params = market::BatchActivateDealsParams { sectors, compute_cid };
    decode_return(send(
        rt,
        &market_actor(),
        market::BATCH_ACTIVATE_DEALS_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    )?)
}

/// Claims verified allocations, one group per sector (empty groups included, to keep results
/// aligned). When no group has a claim nothing is sent: every sector succeeds with no space.
pub fn claim_allocations(
    rt: &mut dyn Runtime,
    sectors: Vec<verifreg::SectorAllocationClaims>,
    all_or_nothing: bool,
) -> Result<verifreg::ClaimAllocationsReturn, ActorError> {
    if sectors.iter().all(|s| s.claims.is_empty()) {
        return Ok(verifreg::ClaimAllocationsReturn {
            sector_results: BatchReturn::ok(sectors.len() as u32),
            sector_claims: vec![verifreg::SectorClaimSummary::default(); sectors.len()],
        });
    }
    let params = verifreg::ClaimAllocationsParams { sectors, all_or_nothing };
    let ret = send(
        rt,
        &verifreg_actor(),
        verifreg::CLAIM_ALLOCATIONS_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    )
    .map_err(|e| context(e, "error claiming allocations on batch"))?;
    decode_return(ret)
}

/// This miner's claims `ids`; `USR_ILLEGAL_ARGUMENT` unless every one was found.
pub fn get_claims(
    rt: &mut dyn Runtime,
    ids: &[verifreg::ClaimID],
) -> Result<Vec<verifreg::Claim>, ActorError> {
    let params =
        verifreg::GetClaimsParams { provider: rt.message().receiver, claim_ids: ids.to_vec() };
    let ret: verifreg::GetClaimsReturn = decode_return(send(
        rt,
        &verifreg_actor(),
        verifreg::GET_CLAIMS_METHOD,
        cbor_block(&params)?,
        TokenAmount::zero(),
    )?)?;
    if (ret.batch_info.success_count as usize) < ids.len() {
        return Err(ActorError::illegal_argument("invalid claims"));
    }
    Ok(ret.claims)
}

#[cfg(test)]
pub(crate) mod mock;
#[cfg(test)]
mod tests;
