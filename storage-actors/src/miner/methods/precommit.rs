//! `PreCommitSectorBatch2` (28): a provider declares sectors it has sealed (CommR, the ticket
//! epoch, CommD, expiration) and locks a deposit for each, refunded when the sector is proven
//! in time and burnt when it is not.

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_ipld_bitfield::BitField;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use num_traits::Zero;

use super::common::{
    check_balance_invariants, check_control_caller, consensus_fault_active, load,
    max_prove_commit_duration, repay_debts_or_abort, validate_expiration,
};
use crate::market::{SectorDeals, VerifyDealsForActivationReturn};
use crate::miner::emit;
use crate::miner::ext::{
    burn_funds, enroll_cron_event, request_current_epoch_block_reward, request_current_total_power,
    verify_deals,
};
use crate::miner::monies::{pre_commit_deposit_for_power, qa_power_max};
use crate::miner::policy::{
    EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY, MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK, MAX_SECTOR_NUMBER,
    can_pre_commit_seal_proof, is_sealed_sector, is_unsealed_sector, sector_deals_max,
};
use crate::miner::records::SectorPreCommitOnChainInfo;
use crate::miner::state::{CollisionPolicy, MinerState};
use crate::miner::types::{
    CRON_EVENT_PROVING_DEADLINE, CronEventPayload, PreCommitSectorBatch2Params,
};
use crate::plumbing::{load_state, ret_none, save_state};

/// `PreCommitSectorBatch2`.
pub fn pre_commit_sector_batch2(
    rt: &mut dyn Runtime,
    params: PreCommitSectorBatch2Params,
) -> ActorResult {
    let now = rt.machine().epoch;
    let sectors = params.sectors;
    if sectors.is_empty() {
        return Err(ActorError::illegal_argument("batch empty"));
    }
    // Everything checkable without state or other actors first.
    let earliest_challenge = now - MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK;
    let mut numbers = BitField::new();
    let mut sector_deals = Vec::with_capacity(sectors.len());
    for precommit in &sectors {
        let number = precommit.sector_number;
        if numbers.get(number) {
            return Err(ActorError::illegal_argument(format!("duplicate sector number {number}")));
        }
        if number > MAX_SECTOR_NUMBER {
            return Err(ActorError::illegal_argument(format!(
                "sector number {number} out of range 0..(2^63-1)"
            )));
        }
        numbers.set(number);
        if !can_pre_commit_seal_proof(precommit.seal_proof) {
            return Err(ActorError::illegal_argument(format!(
                "unsupported seal proof type {}",
                i64::from(precommit.seal_proof)
            )));
        }
        if !is_sealed_sector(&precommit.sealed_cid) {
            return Err(ActorError::illegal_argument("sealed CID had wrong prefix"));
        }
        if precommit.seal_rand_epoch >= now {
            return Err(ActorError::illegal_argument(format!(
                "seal challenge epoch {} must be before now {now}",
                precommit.seal_rand_epoch
            )));
        }
        if precommit.seal_rand_epoch < earliest_challenge {
            return Err(ActorError::illegal_argument(format!(
                "seal challenge epoch {} too old, must be after {earliest_challenge}",
                precommit.seal_rand_epoch
            )));
        }
        if let Some(commd) = &precommit.unsealed_cid
            && !is_unsealed_sector(commd)
        {
            return Err(ActorError::illegal_argument("unsealed CID had wrong prefix"));
        }
        // Assume activation at the last epoch a proof may come, so the minimum lifetime holds
        // however late the proof is.
        let latest_activation = now + max_prove_commit_duration(precommit.seal_proof).unwrap_or(0);
        validate_expiration(now, latest_activation, precommit.expiration, precommit.seal_proof)?;
        sector_deals.push(SectorDeals {
            sector_number: number,
            sector_type: precommit.seal_proof,
            sector_expiry: precommit.expiration,
            deal_ids: precommit.deal_ids.clone(),
        });
    }

    let reward = request_current_epoch_block_reward(rt)?;
    let power = request_current_total_power(rt)?;
    let verified: VerifyDealsForActivationReturn = verify_deals(rt, &sector_deals)?;
    if verified.unsealed_cids.len() != sectors.len() {
        return Err(ActorError::illegal_state(format!(
            "deal weight request returned {} records, expected {}",
            verified.unsealed_cids.len(),
            sectors.len()
        )));
    }

    let (mut state, info): (MinerState, _) = load(rt)?;
    let balance = rt.current_balance()?;
    // Available balance already nets out fee debt, so it is read before the debt is repaid.
    let available = state.get_available_balance(&balance)?;
    let fee_to_burn = repay_debts_or_abort(rt, &mut state)?;
    check_control_caller(rt, &info)?;
    if consensus_fault_active(&info, now) {
        return Err(ActorError::forbidden("pre-commit not allowed during active consensus fault"));
    }
    let deals_max = sector_deals_max(info.sector_size);
    let deposit = pre_commit_deposit_for_power(
        &reward.this_epoch_reward_smoothed,
        &power.quality_adj_power_smoothed,
        &qa_power_max(info.sector_size),
    );
    let mut records = Vec::with_capacity(sectors.len());
    let mut clean_ups = Vec::with_capacity(sectors.len());
    let mut total_deposit = TokenAmount::zero();
    for (precommit, computed) in sectors.into_iter().zip(verified.unsealed_cids) {
        let post_proof = precommit.seal_proof.registered_window_post_proof().map_err(|_| {
            ActorError::illegal_argument(format!(
                "no Window PoSt proof type for seal proof {}",
                i64::from(precommit.seal_proof)
            ))
        })?;
        if post_proof != info.window_post_proof_type {
            return Err(ActorError::illegal_argument(format!(
                "sector Window PoSt proof type {} must match miner Window PoSt proof type {}",
                i64::from(post_proof),
                i64::from(info.window_post_proof_type)
            )));
        }
        if precommit.deal_ids.len() as u64 > deals_max {
            return Err(ActorError::illegal_argument(format!(
                "too many deals for sector {} > {deals_max}",
                precommit.deal_ids.len()
            )));
        }
        if let Some(computed) = computed {
            let declared = match precommit.unsealed_cid {
                Some(cid) => cid,
                None => crate::market::commd::unsealed_cid_of_pieces(precommit.seal_proof, &[])?,
            };
            if declared != computed {
                return Err(ActorError::illegal_argument(format!(
                    "computed {computed} and passed {declared} CommDs not equal"
                )));
            }
        }
        let window = max_prove_commit_duration(precommit.seal_proof).ok_or_else(|| {
            ActorError::illegal_argument(format!(
                "no max seal duration set for proof type {}",
                i64::from(precommit.seal_proof)
            ))
        })?;
        // The clean-up comes strictly after the last epoch a proof is accepted, so a proof
        // landing on its last epoch never races the clean-up.
        clean_ups.push((now + window + EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY, precommit.sector_number));
        total_deposit += &deposit;
        records.push(SectorPreCommitOnChainInfo {
            info: precommit,
            pre_commit_deposit: deposit.clone(),
            pre_commit_epoch: now,
        });
    }
    if available < total_deposit {
        return Err(ActorError::new(
            ExitCode::USR_INSUFFICIENT_FUNDS,
            format!("insufficient funds {available} for pre-commit deposit: {total_deposit}"),
        ));
    }
    let store = rt.store();
    state.add_pre_commit_deposit(&total_deposit)?;
    state.allocate_sector_numbers(&store, &numbers, CollisionPolicy::DenyCollisions)?;
    state.put_precommitted_sectors(&store, records)?;
    state.add_pre_commit_clean_ups(&store, clean_ups)?;
    let needs_cron = !state.deadline_cron_active;
    state.deadline_cron_active = true;
    save_state(rt, &state)?;
    for number in numbers.iter() {
        emit::sector_precommitted(rt, number)?;
    }

    burn_funds(rt, fee_to_burn)?;
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    if needs_cron {
        let deadline = state.deadline_info(now);
        enroll_cron_event(
            rt,
            deadline.last(),
            &CronEventPayload { event_type: CRON_EVENT_PROVING_DEADLINE },
        )?;
    }
    ret_none()
}
