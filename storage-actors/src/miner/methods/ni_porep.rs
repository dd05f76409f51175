//! `ProveCommitSectorsNI` (36): non-interactive PoRep (FIP-0090). CC sectors sealed with an
//! NI-PoRep proof type are onboarded in one message with one aggregate proof, without a
//! pre-commit: the seal's challenges come from the ticket alone, so there is no interactive
//! challenge to wait for and no deposit to lock meanwhile. The provider names the deadline
//! the sectors join; they hold no data, so each is a raw-power sector and all share one pledge.
//!
//! As on the network, a sector failing validation is skipped (or aborts the message under
//! `require_activation_success`), but its number is still taken, and it is still a witness of
//! the aggregate proof.

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_ipld_bitfield::BitField;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::{RegisteredAggregateProof, RegisteredSealProof};

use super::common::{
    check_balance_invariants, check_control_caller, consensus_fault_active, load, receiver_entropy,
    repay_debts_or_abort, validate_aggregate, validate_expiration,
};
use crate::miner::deadline_info::deadline_is_mutable;
use crate::miner::emit;
use crate::miner::ext::{
    burn_funds, enroll_cron_event, notify_pledge_changed, request_current_epoch_block_reward,
    request_current_total_power,
};
use crate::miner::monies::{daily_proof_fee, initial_pledge_for_power, raw_power_for_sector};
use crate::miner::policy::{
    MAX_AGGREGATED_SECTORS_NI, MAX_PROVE_COMMIT_NI_LOOKBACK, MAX_SECTOR_NUMBER,
    MIN_AGGREGATED_SECTORS_NI, WPOST_PERIOD_DEADLINES, can_prove_commit_ni_seal_proof,
    is_sealed_sector,
};
use crate::miner::proofs::verify_aggregate_seals;
use crate::miner::records::SectorOnChainInfo;
use crate::miner::state::{CollisionPolicy, MinerState};
use crate::miner::types::{
    CRON_EVENT_PROVING_DEADLINE, CronEventPayload, ProveCommitSectorsNIParams,
    ProveCommitSectorsNIReturn, SectorNIActivationInfo,
};
use crate::plumbing::{
    BatchBuilder, BatchReturn, DomainSeparationTag, load_state, ret, save_state, ticket_randomness,
};

/// `ProveCommitSectorsNI`.
pub fn prove_commit_sectors_ni(
    rt: &mut dyn Runtime,
    params: ProveCommitSectorsNIParams,
) -> ActorResult {
    let now = rt.machine().epoch;
    let (state, info) = load(rt)?;
    validate_aggregate(
        params.aggregate_proof.len(),
        params.sectors.len() as u64,
        MIN_AGGREGATED_SECTORS_NI..=MAX_AGGREGATED_SECTORS_NI,
    )?;
    check_control_caller(rt, &info)?;
    if params.proving_deadline >= WPOST_PERIOD_DEADLINES {
        return Err(ActorError::illegal_argument(format!(
            "proving deadline index {} invalid",
            params.proving_deadline
        )));
    }
    if !deadline_is_mutable(state.current_proving_period_start(now), params.proving_deadline, now) {
        return Err(ActorError::forbidden(format!(
            "proving deadline {} must not be the current or next deadline ",
            params.proving_deadline
        )));
    }
    if consensus_fault_active(&info, now) {
        return Err(ActorError::forbidden(
            "ProveCommitSectorsNI not allowed during active consensus fault",
        ));
    }
    if !can_prove_commit_ni_seal_proof(params.seal_proof_type) {
        return Err(ActorError::illegal_argument(format!(
            "unsupported seal proof type {}",
            i64::from(params.seal_proof_type)
        )));
    }
    if params.aggregate_proof_type != RegisteredAggregateProof::SnarkPackV2 {
        return Err(ActorError::illegal_argument("aggregate proof type must be SnarkPackV2"));
    }

    let (validation, numbers) = validate_ni_sectors(
        rt,
        &params.sectors,
        params.seal_proof_type,
        params.require_activation_success,
    )?;
    if validation.success_count == 0 {
        return Err(ActorError::illegal_argument("no valid NI commits specified"));
    }
    let valid = validation.successes(&params.sectors);
    // Devnet proofs: the aggregate verifies, charged for every sector it covers (see `proofs`).
    verify_aggregate_seals(rt, params.sectors.len() as u64)?;

    // Without data a sector's QA power is its raw power, so every sector has the same pledge
    // and daily fee.
    let power = raw_power_for_sector(info.sector_size);
    let reward = request_current_epoch_block_reward(rt)?;
    let network = request_current_total_power(rt)?;
    let circulating_supply = rt.total_fil_circ_supply()?;
    let pledge = initial_pledge_for_power(
        &power,
        &reward.this_epoch_baseline_power,
        &reward.this_epoch_reward_smoothed,
        &network.quality_adj_power_smoothed,
        &circulating_supply,
        now - network.ramp_start_epoch,
        network.ramp_duration_epochs,
    );
    // The supply is read again for the fee, as upstream does (each read is a charged syscall).
    let daily_fee = daily_proof_fee(&rt.total_fil_circ_supply()?, &power);
    let sectors: Vec<SectorOnChainInfo> = valid
        .iter()
        .map(|sector| SectorOnChainInfo {
            initial_pledge: pledge.clone(),
            daily_fee: daily_fee.clone(),
            ..SectorOnChainInfo::activated(
                sector.sector_number,
                params.seal_proof_type,
                sector.sealed_cid,
                now,
                sector.expiration,
            )
        })
        .collect();
    let total_pledge = pledge * sectors.len() as u64;

    let mut state: MinerState = load_state(rt)?;
    let store = rt.store();
    let balance = rt.current_balance()?;
    let unlocked = state.get_unlocked_balance(&balance)?;
    if unlocked < total_pledge {
        return Err(ActorError::new(
            ExitCode::USR_INSUFFICIENT_FUNDS,
            format!(
                "insufficient funds for aggregate initial pledge requirement {total_pledge}, \
                 available: {unlocked}"
            ),
        ));
    }
    let needs_cron = !state.deadline_cron_active;
    state.deadline_cron_active = true;
    state.allocate_sector_numbers(&store, &numbers, CollisionPolicy::DenyCollisions)?;
    state.put_sectors(&store, sectors.clone())?;
    state.assign_sectors_to_deadline(
        &store,
        now,
        sectors,
        info.window_post_partition_sectors,
        info.sector_size,
        params.proving_deadline,
    )?;
    state.add_initial_pledge(&total_pledge)?;
    let fee_to_burn = repay_debts_or_abort(rt, &mut state)?;
    save_state(rt, &state)?;

    burn_funds(rt, fee_to_burn)?;
    // Power waits for the sectors' first Window PoSt; pledge counts at once.
    notify_pledge_changed(rt, &total_pledge)?;
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    for sector in &valid {
        emit::sector_activated(rt, sector.sector_number, None, &[])?;
    }
    if needs_cron {
        let deadline = state.deadline_info(now);
        enroll_cron_event(
            rt,
            deadline.last(),
            &CronEventPayload { event_type: CRON_EVENT_PROVING_DEADLINE },
        )?;
    }
    ret(&ProveCommitSectorsNIReturn { activation_results: validation })
}

/// Which sectors may be onboarded, and every sector number named (valid or not: all are
/// allocated). A duplicate number, or seal randomness not yet drawn, fails the whole message;
/// anything else fails just the sector. The seal randomness is drawn for every sector, as the
/// aggregate's verification needs each one's.
fn validate_ni_sectors(
    rt: &mut dyn Runtime,
    sectors: &[SectorNIActivationInfo],
    seal_proof: RegisteredSealProof,
    all_or_nothing: bool,
) -> Result<(BatchReturn, BitField), ActorError> {
    let now = rt.machine().epoch;
    let miner_id = rt.message().receiver;
    let earliest_challenge = now - MAX_PROVE_COMMIT_NI_LOOKBACK;
    let entropy = receiver_entropy(rt)?;
    let mut numbers = BitField::new();
    let mut batch = BatchBuilder::default();
    for (i, sector) in sectors.iter().enumerate() {
        let number = sector.sector_number;
        if numbers.get(number) {
            return Err(ActorError::illegal_argument(format!("duplicate sector number {number}")));
        }
        let mut valid = number <= MAX_SECTOR_NUMBER;
        // The network's bitfield cannot hold the last u64, and its actor aborts on it.
        numbers.try_set(number).map_err(|_| {
            ActorError::new(
                ExitCode::USR_ASSERTION_FAILED,
                format!("sector number {number} out of bitfield range"),
            )
        })?;
        valid &= validate_expiration(now, now, sector.expiration, seal_proof).is_ok();
        valid &= sector.sealer_id == miner_id;
        valid &= sector.sector_number == sector.sealing_number;
        valid &= is_sealed_sector(&sector.sealed_cid);
        if sector.seal_rand_epoch >= now {
            return Err(ActorError::illegal_argument(format!(
                "seal challenge epoch {} must be before now {now}",
                sector.seal_rand_epoch
            )));
        }
        valid &= sector.seal_rand_epoch >= earliest_challenge;
        ticket_randomness(
            rt,
            DomainSeparationTag::SealRandomness,
            sector.seal_rand_epoch,
            &entropy,
        )?;
        if valid {
            batch.ok();
        } else if all_or_nothing {
            return Err(ActorError::illegal_argument(format!(
                "invalid NI commit {i} while requiring activation success: {sector:?}"
            )));
        } else {
            batch.push(ExitCode::USR_ILLEGAL_ARGUMENT);
        }
    }
    Ok((batch.finish(), numbers))
}
