//! `ProveCommitSectors3` (34): proofs for pre-committed sectors, with the pieces each holds.
//! Proven sectors get their pledge locked, verified pieces claim their allocations, data
//! consumers (the market, contracts) are notified, and the sectors join deadlines as
//! unproven: their power starts at their partition's first Window PoSt.
//!
//! Also the genesis path `InternalSectorSetupForPreseal` (17), which activates pre-committed
//! sectors without proofs, as Lotus's genesis does.

use cid::Cid;
use filecoin_vm::{ActorError, ActorResult, Runtime, SYSTEM_ACTOR_ID};
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PieceInfo;
use fvm_shared::sector::{RegisteredAggregateProof, SectorNumber, StoragePower};
use num_traits::Zero;

use super::common::{
    check_balance_invariants, check_control_caller, load, max_prove_commit_duration,
    receiver_entropy, validate_aggregate,
};
use crate::market::commd::unsealed_cid_of_pieces;
use crate::miner::emit;
use crate::miner::ext::{
    claim_allocations, notify_pledge_changed, request_current_epoch_block_reward,
    request_current_total_power,
};
use crate::miner::monies::{daily_proof_fee, initial_pledge_for_power, qa_power_for_weight};
use crate::miner::notifications::{ActivationNotifications, notify_data_consumers};
use crate::miner::policy::{
    MAX_AGGREGATED_SECTORS, MIN_AGGREGATED_SECTORS, MIN_SECTOR_EXPIRATION,
    PRE_COMMIT_CHALLENGE_DELAY,
};
use crate::miner::proofs::{batch_verify_seals, verify_aggregate_seals};
use crate::miner::records::{MinerInfo, SectorOnChainInfo, SectorPreCommitOnChainInfo};
use crate::miner::state::MinerState;
use crate::miner::types::{
    InternalSectorSetupForPresealParams, PieceActivationManifest, ProveCommitSectors3Params,
    ProveCommitSectors3Return,
};
use crate::plumbing::{
    BatchBuilder, BatchReturn, DomainSeparationTag, beacon_randomness, caller_is, load_state, ret,
    ret_none, save_state, ticket_randomness,
};
use crate::smoothing::FilterEstimate;
use crate::verifreg::{AllocationClaim, SectorAllocationClaims};

/// The network figures a sector's pledge is computed from.
#[derive(Clone, Debug)]
pub struct NetworkPledgeInputs {
    /// Smoothed network QA power.
    pub network_qap: FilterEstimate,
    /// The reward actor's baseline power this epoch.
    pub network_baseline: StoragePower,
    /// FIL in circulation.
    pub circulating_supply: TokenAmount,
    /// Smoothed block reward.
    pub epoch_reward: FilterEstimate,
    /// Epochs since the pledge ramp (FIP-0081) started.
    pub epochs_since_ramp_start: ChainEpoch,
    /// Length of the ramp.
    pub ramp_duration_epochs: u64,
}

/// Data a sector was activated with.
#[derive(Clone, Debug, Default)]
pub struct DataActivationOutput {
    /// Bytes of unverified pieces.
    pub unverified_space: BigInt,
    /// Bytes of verified pieces (claimed allocations).
    pub verified_space: BigInt,
    /// (piece CID, padded size) of every piece.
    pub pieces: Vec<(Cid, u64)>,
}

/// `ProveCommitSectors3`.
pub fn prove_commit_sectors3(
    rt: &mut dyn Runtime,
    params: ProveCommitSectors3Params,
) -> ActorResult {
    let (state, info) = load(rt)?;
    check_control_caller(rt, &info)?;
    let store = rt.store();
    let numbers = params.sector_activations.iter().map(|a| a.sector_number);
    let precommits = state.get_precommitted_sectors(&store, numbers)?;
    if precommits.is_empty() {
        return Err(ActorError::illegal_argument("no sectors to prove"));
    }
    if params.sector_proofs.is_empty() == params.aggregate_proof.is_empty() {
        return Err(ActorError::illegal_argument(
            "exactly one of sector proofs or aggregate proof must be non-empty",
        ));
    }
    if !params.sector_proofs.is_empty() {
        if params.aggregate_proof_type.is_some() {
            return Err(ActorError::illegal_argument(
                "aggregate proof type must be null with batched proofs",
            ));
        }
        if params.sector_activations.len() != params.sector_proofs.len() {
            return Err(ActorError::illegal_argument(format!(
                "mismatched lengths: {} sector activations, {} proofs",
                params.sector_activations.len(),
                params.sector_proofs.len()
            )));
        }
        let max = precommits[0].info.seal_proof.proof_size().map_err(|e| {
            ActorError::illegal_state(format!("no proof size for the seal proof: {e}"))
        })?;
        if let Some(big) = params.sector_proofs.iter().find(|p| p.len() > max) {
            return Err(ActorError::illegal_argument(format!(
                "sector proof size {} exceeds max {max}",
                big.len()
            )));
        }
    } else {
        if params.aggregate_proof_type != Some(RegisteredAggregateProof::SnarkPackV2) {
            return Err(ActorError::illegal_argument("aggregate proof type must be SnarkPackV2"));
        }
        validate_aggregate(
            params.aggregate_proof.len(),
            params.sector_activations.len() as u64,
            MIN_AGGREGATED_SECTORS..=MAX_AGGREGATED_SECTORS,
        )?;
    }

    let validation = validate_precommits(rt, &precommits, params.require_activation_success)?;
    if validation.success_count == 0 {
        return Err(ActorError::illegal_argument("no valid precommits specified"));
    }
    let valid_precommits = validation.successes(&precommits);
    let valid_activations = validation.successes(&params.sector_activations);

    // Devnet proofs: seals verify (gas charged as on the network); see `proofs`.
    let proven = if !params.sector_proofs.is_empty() {
        let verdicts = batch_verify_seals(rt, valid_precommits.len())?;
        let mut batch = BatchBuilder::default();
        for ok in &verdicts {
            batch.push(if *ok { ExitCode::OK } else { ExitCode::USR_ILLEGAL_ARGUMENT });
        }
        batch.finish()
    } else {
        // Every pre-commit, valid or not, is a witness of the aggregate.
        verify_aggregate_seals(rt, precommits.len() as u64)?;
        BatchReturn::ok(valid_precommits.len() as u32)
    };
    if proven.success_count == 0 {
        return Err(ActorError::illegal_argument("no valid proofs specified"));
    }
    let proven_precommits: Vec<&SectorPreCommitOnChainInfo> =
        proven.successes(&valid_precommits).into_iter().copied().collect();
    let proven_activations: Vec<_> =
        proven.successes(&valid_activations).into_iter().copied().collect();

    let inputs: Vec<SectorPiecesInput<'_>> = proven_activations
        .iter()
        .zip(&proven_precommits)
        .map(|(activation, precommit)| SectorPiecesInput {
            pieces: &activation.pieces,
            sector_expiry: precommit.info.expiration,
            sector_number: precommit.info.sector_number,
            precommit,
        })
        .collect();
    let (data_batch, outputs) =
        activate_sectors_pieces(rt, &inputs, params.require_activation_success)?;
    if data_batch.success_count == 0 {
        return Err(ActorError::illegal_argument("all data activations failed"));
    }
    let activated: Vec<&SectorPiecesInput<'_>> = data_batch.successes(&inputs);

    let reward = request_current_epoch_block_reward(rt)?;
    let power = request_current_total_power(rt)?;
    let pledge_inputs = NetworkPledgeInputs {
        network_qap: power.quality_adj_power_smoothed,
        network_baseline: reward.this_epoch_baseline_power,
        circulating_supply: rt.total_fil_circ_supply()?,
        epoch_reward: reward.this_epoch_reward_smoothed,
        epochs_since_ramp_start: rt.machine().epoch - power.ramp_start_epoch,
        ramp_duration_epochs: power.ramp_duration_epochs,
    };
    let precommits: Vec<&SectorPreCommitOnChainInfo> =
        activated.iter().map(|a| a.precommit).collect();
    activate_new_sector_infos(rt, &precommits, &outputs, &pledge_inputs, &info)?;

    let mut notifications = Vec::with_capacity(activated.len());
    for (input, output) in activated.iter().zip(&outputs) {
        notifications.push(ActivationNotifications {
            sector_number: input.sector_number,
            sector_expiration: input.sector_expiry,
            pieces: input.pieces,
        });
        emit::sector_activated(
            rt,
            input.sector_number,
            input.precommit.info.unsealed_cid,
            &output.pieces,
        )?;
    }
    notify_data_consumers(rt, &notifications, params.require_notification_success)?;
    ret(&ProveCommitSectors3Return {
        activation_results: BatchReturn::stack(&[validation, proven, data_batch]),
    })
}

/// Which pre-commits may be proven now. Seal randomness is drawn for every one (as the proofs
/// need it, charging its lookback), and proving before the interactive challenge exists fails
/// the whole message.
fn validate_precommits(
    rt: &mut dyn Runtime,
    precommits: &[SectorPreCommitOnChainInfo],
    all_or_nothing: bool,
) -> Result<BatchReturn, ActorError> {
    let now = rt.machine().epoch;
    let entropy = receiver_entropy(rt)?;
    let mut batch = BatchBuilder::default();
    for (i, precommit) in precommits.iter().enumerate() {
        // The new onboarding path carries data as piece manifests, never as deal IDs.
        let mut valid = precommit.info.deal_ids.is_empty();
        let window = max_prove_commit_duration(precommit.info.seal_proof).ok_or_else(|| {
            ActorError::illegal_state(format!(
                "no max seal duration for proof type {}",
                i64::from(precommit.info.seal_proof)
            ))
        })?;
        if now > precommit.pre_commit_epoch + window {
            valid = false;
        }
        if i > 0 && precommits[i - 1].info.seal_proof != precommit.info.seal_proof {
            return Err(ActorError::illegal_state(
                "seal proof group for verification contains mismatched seal proofs",
            ));
        }
        let interactive_epoch = precommit.pre_commit_epoch + PRE_COMMIT_CHALLENGE_DELAY;
        if now <= interactive_epoch {
            return Err(ActorError::forbidden("too early to prove sector"));
        }
        ticket_randomness(
            rt,
            DomainSeparationTag::SealRandomness,
            precommit.info.seal_rand_epoch,
            &entropy,
        )?;
        beacon_randomness(
            rt,
            DomainSeparationTag::InteractiveSealChallengeSeed,
            interactive_epoch,
            &entropy,
        )?;
        if valid {
            batch.ok();
        } else if all_or_nothing {
            return Err(ActorError::illegal_argument(format!(
                "invalid pre-commit {i} while requiring activation success"
            )));
        } else {
            batch.push(ExitCode::USR_ILLEGAL_ARGUMENT);
        }
    }
    Ok(batch.finish())
}

/// One proven sector's pieces, for data activation.
#[derive(Debug)]
pub struct SectorPiecesInput<'a> {
    /// The pieces as the provider declared them.
    pub pieces: &'a [PieceActivationManifest],
    /// The sector's expiration (bounds verified claims).
    pub sector_expiry: ChainEpoch,
    /// The sector.
    pub sector_number: SectorNumber,
    /// Its pre-commit (CommD to check against).
    pub precommit: &'a SectorPreCommitOnChainInfo,
}

/// Checks each sector's pieces against its declared CommD and claims the verified ones'
/// allocations; a sector fails as a whole.
fn activate_sectors_pieces(
    rt: &mut dyn Runtime,
    inputs: &[SectorPiecesInput<'_>],
    all_or_nothing: bool,
) -> Result<(BatchReturn, Vec<DataActivationOutput>), ActorError> {
    let mut claims = Vec::with_capacity(inputs.len());
    for input in inputs {
        let proof = input.precommit.info.seal_proof;
        let pieces: Vec<PieceInfo> =
            input.pieces.iter().map(|p| PieceInfo { cid: p.cid, size: p.size }).collect();
        if !pieces.is_empty() {
            rt.charge_gas(crate::miner::proofs::COMPUTE_UNSEALED_SECTOR_CID_GAS)?;
        }
        let computed = unsealed_cid_of_pieces(proof, &pieces)?;
        let declared = match input.precommit.info.unsealed_cid {
            Some(cid) => cid,
            None => unsealed_cid_of_pieces(proof, &[])?,
        };
        if declared != computed {
            return Err(ActorError::illegal_argument(format!(
                "unsealed CID does not match pieces for sector {}, computed {computed} declared \
                 {declared}",
                input.sector_number
            )));
        }
        claims.push(SectorAllocationClaims {
            sector: input.sector_number,
            expiry: input.sector_expiry,
            claims: input
                .pieces
                .iter()
                .filter_map(|p| {
                    p.verified_allocation_key.as_ref().map(|key| AllocationClaim {
                        client: key.client,
                        allocation_id: key.id,
                        data: p.cid,
                        size: p.size,
                    })
                })
                .collect(),
        });
    }
    let claimed = claim_allocations(rt, claims, all_or_nothing)?;
    let succeeded = claimed.sector_results.successes(inputs);
    let outputs = succeeded
        .iter()
        .zip(&claimed.sector_claims)
        .map(|(input, summary)| {
            let mut output = DataActivationOutput {
                verified_space: summary.claimed_space.clone(),
                ..Default::default()
            };
            for piece in input.pieces {
                if piece.verified_allocation_key.is_none() {
                    output.unverified_space += piece.size.0;
                }
                output.pieces.push((piece.cid, piece.size.0));
            }
            output
        })
        .collect();
    Ok((claimed.sector_results, outputs))
}

/// Writes proven sectors: pledge from the unlocked balance, deposit released, sectors placed
/// in deadlines (unproven). Tells power of the pledge change.
pub fn activate_new_sector_infos(
    rt: &mut dyn Runtime,
    precommits: &[&SectorPreCommitOnChainInfo],
    data: &[DataActivationOutput],
    inputs: &NetworkPledgeInputs,
    info: &MinerInfo,
) -> Result<(), ActorError> {
    let now = rt.machine().epoch;
    let mut state: MinerState = load_state(rt)?;
    let store = rt.store();
    let mut numbers = Vec::with_capacity(precommits.len());
    let mut sectors = Vec::with_capacity(precommits.len());
    let mut deposit_to_unlock = TokenAmount::zero();
    let mut total_pledge = TokenAmount::zero();
    for (precommit, space) in precommits.iter().zip(data) {
        let duration = precommit.info.expiration - now;
        if duration < MIN_SECTOR_EXPIRATION {
            return Err(ActorError::illegal_argument(format!(
                "precommit {} has lifetime {duration} less than minimum {MIN_SECTOR_EXPIRATION}",
                precommit.info.sector_number
            )));
        }
        let deal_weight = &space.unverified_space * duration;
        let verified_deal_weight = &space.verified_space * duration;
        let power = qa_power_for_weight(info.sector_size, duration, &verified_deal_weight);
        let daily_fee = daily_proof_fee(&inputs.circulating_supply, &power);
        let initial_pledge = initial_pledge_for_power(
            &power,
            &inputs.network_baseline,
            &inputs.epoch_reward,
            &inputs.network_qap,
            &inputs.circulating_supply,
            inputs.epochs_since_ramp_start,
            inputs.ramp_duration_epochs,
        );
        deposit_to_unlock += &precommit.pre_commit_deposit;
        total_pledge += &initial_pledge;
        numbers.push(precommit.info.sector_number);
        sectors.push(SectorOnChainInfo {
            deal_weight,
            verified_deal_weight,
            initial_pledge,
            daily_fee,
            ..SectorOnChainInfo::activated(
                precommit.info.sector_number,
                precommit.info.seal_proof,
                precommit.info.sealed_cid,
                now,
                precommit.info.expiration,
            )
        });
    }
    state.put_sectors(&store, sectors.clone())?;
    state.delete_precommitted_sectors(&store, &numbers)?;
    state.assign_sectors_to_deadlines(
        &store,
        now,
        sectors,
        info.window_post_partition_sectors,
        info.sector_size,
    )?;
    state.add_pre_commit_deposit(&-deposit_to_unlock)?;
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
    state.add_initial_pledge(&total_pledge)?;
    check_balance_invariants(rt, &state)?;
    save_state(rt, &state)?;
    // Power waits for the first Window PoSt; pledge counts at once.
    notify_pledge_changed(rt, &total_pledge)
}

/// `InternalSectorSetupForPreseal` (genesis only): activates pre-committed CC sectors without
/// proofs, pricing their pledge with the network figures genesis passes in.
pub fn internal_sector_setup_preseal(
    rt: &mut dyn Runtime,
    params: InternalSectorSetupForPresealParams,
) -> ActorResult {
    caller_is(rt, &[SYSTEM_ACTOR_ID])?;
    let (state, info) = load(rt)?;
    let store = rt.store();
    let mut precommits = Vec::new();
    for &number in &params.sectors {
        // Missing pre-commits are skipped, as upstream does.
        if let Some(precommit) = state.get_precommitted_sector(&store, number)? {
            if !precommit.info.deal_ids.is_empty() {
                return Err(ActorError::illegal_argument(format!(
                    "preseal sector {number} has deal IDs; only CC sectors are supported"
                )));
            }
            precommits.push(precommit);
        }
    }
    let refs: Vec<&SectorPreCommitOnChainInfo> = precommits.iter().collect();
    let data = vec![DataActivationOutput::default(); refs.len()];
    let inputs = NetworkPledgeInputs {
        network_qap: params.quality_adj_power_smoothed.clone(),
        network_baseline: params.reward_baseline_power.clone(),
        circulating_supply: rt.total_fil_circ_supply()?,
        epoch_reward: params.reward_smoothed,
        epochs_since_ramp_start: 0,
        ramp_duration_epochs: 0,
    };
    activate_new_sector_infos(rt, &refs, &data, &inputs, &info)?;
    for precommit in &precommits {
        emit::sector_activated(rt, precommit.info.sector_number, precommit.info.unsealed_cid, &[])?;
    }
    ret_none()
}
