//! `SubmitWindowedPoSt` (5): the daily proof that a deadline's sectors are still stored.
//! Proven partitions keep (or, for new and recovering sectors, gain) their power; sectors the
//! provider skips become faults. A proof that recovers no power is accepted optimistically
//! and kept for dispute, as on the network; one that recovers power is checked at once.

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::sector::SectorInfo;

use super::common::{check_balance_invariants, check_control_caller, load, receiver_entropy};
use crate::miner::ext::request_update_power;
use crate::miner::policy::{
    FAULT_MAX_AGE, POSTED_PARTITIONS_MAX, WPOST_PERIOD_DEADLINES, is_allowed_post_proof,
    load_partitions_sectors_max,
};
use crate::miner::proofs::verify_window_post;
use crate::miner::records::SectorOnChainInfo;
use crate::miner::sectors::Sectors;
use crate::miner::state::MinerState;
use crate::miner::types::SubmitWindowedPoStParams;
use crate::plumbing::{
    DomainSeparationTag, beacon_randomness, load_state, ret_none, save_state, ticket_randomness,
};

/// `SubmitWindowedPoSt`.
pub fn submit_windowed_post(
    rt: &mut dyn Runtime,
    mut params: SubmitWindowedPoStParams,
) -> ActorResult {
    let now = rt.machine().epoch;
    let [proof] = params.proofs.as_slice() else {
        return Err(ActorError::illegal_argument(format!(
            "expected exactly one proof, got {}",
            params.proofs.len()
        )));
    };
    if !is_allowed_post_proof(proof.post_proof) {
        return Err(ActorError::illegal_argument(format!(
            "proof type {:?} not allowed",
            proof.post_proof
        )));
    }
    if params.deadline >= WPOST_PERIOD_DEADLINES {
        return Err(ActorError::illegal_argument(format!(
            "invalid deadline {} of {WPOST_PERIOD_DEADLINES}",
            params.deadline
        )));
    }
    if params.chain_commit_rand.0.len() > 32 {
        return Err(ActorError::illegal_argument(format!(
            "expected at most 32 bytes of randomness, got {}",
            params.chain_commit_rand.0.len()
        )));
    }

    let (mut state, info): (MinerState, _) = load(rt)?;
    check_control_caller(rt, &info)?;
    if proof.post_proof != info.window_post_proof_type {
        return Err(ActorError::illegal_argument(format!(
            "expected proof of type {:?}, got {:?}",
            info.window_post_proof_type, proof.post_proof
        )));
    }
    let max_proof = info
        .window_post_proof_type
        .proof_size()
        .map_err(|e| ActorError::illegal_state(format!("no Window PoSt proof size: {e}")))?
        * params.partitions.len();
    if proof.proof_bytes.len() > max_proof {
        return Err(ActorError::illegal_argument(format!(
            "expected proof to be smaller than {max_proof} bytes"
        )));
    }
    let partition_limit =
        load_partitions_sectors_max(info.window_post_partition_sectors).min(POSTED_PARTITIONS_MAX);
    if params.partitions.len() as u64 > partition_limit {
        return Err(ActorError::illegal_argument(format!(
            "too many partitions {}, limit {partition_limit}",
            params.partitions.len()
        )));
    }
    let deadline_info = state.deadline_info(now);
    // Closed only when cron has not run for this deadline's previous occurrence.
    if !deadline_info.is_open() {
        return Err(ActorError::illegal_state(format!(
            "proving period {} not yet open at {now}",
            deadline_info.period_start
        )));
    }
    if params.deadline != deadline_info.index {
        return Err(ActorError::illegal_argument(format!(
            "invalid deadline {} at epoch {now}, expected {}",
            params.deadline, deadline_info.index
        )));
    }
    if params.chain_commit_epoch < deadline_info.challenge {
        return Err(ActorError::illegal_argument(format!(
            "expected chain commit epoch {} to be after {}",
            params.chain_commit_epoch, deadline_info.challenge
        )));
    }
    if params.chain_commit_epoch >= now {
        return Err(ActorError::illegal_argument(format!(
            "chain commit epoch {} must be less than the current epoch {now}",
            params.chain_commit_epoch
        )));
    }
    let commitment = ticket_randomness(
        rt,
        DomainSeparationTag::PoStChainCommit,
        params.chain_commit_epoch,
        &[],
    )?;
    if params.chain_commit_rand.0 != commitment {
        return Err(ActorError::illegal_argument("post commit randomness mismatched"));
    }

    let store = rt.store();
    let sectors = Sectors::load(&store, &state.sectors)?;
    let mut deadlines = state.load_deadlines(&store)?;
    let mut deadline = deadlines.load_deadline(&store, params.deadline)?;
    let fault_expiration = deadline_info.last() + FAULT_MAX_AGE;
    let result = deadline.record_proven_sectors(
        &store,
        &sectors,
        info.sector_size,
        deadline_info.quant_spec(),
        fault_expiration,
        &mut params.partitions,
    )?;
    let proven = &result.sectors - &result.ignored_sectors;
    if proven.is_empty() {
        // Skipping every live sector only earns penalties; the network refuses it outright.
        return Err(ActorError::illegal_argument("cannot prove partitions with no active sectors"));
    }
    if result.recovered_power.is_zero() {
        deadline.record_post_proofs(&store, &result.partitions, &params.proofs)?;
    } else {
        let challenged = sectors.load_for_proof(&result.sectors, &result.ignored_sectors)?;
        if !verify_post(rt, deadline_info.challenge, &challenged, &params.proofs)? {
            return Err(ActorError::illegal_argument("invalid post was submitted"));
        }
    }
    deadlines.update_deadline(&store, params.deadline, &deadline)?;
    state.save_deadlines(&store, deadlines)?;
    save_state(rt, &state)?;

    request_update_power(rt, &result.power_delta)?;
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    ret_none()
}

/// Checks a Window PoSt over `sectors` against the challenge drawn at `challenge_epoch`.
pub fn verify_post(
    rt: &mut dyn Runtime,
    challenge_epoch: fvm_shared::clock::ChainEpoch,
    sectors: &[SectorOnChainInfo],
    proofs: &[fvm_shared::sector::PoStProof],
) -> Result<bool, ActorError> {
    let entropy = receiver_entropy(rt)?;
    let randomness = beacon_randomness(
        rt,
        DomainSeparationTag::WindowedPoStChallengeSeed,
        challenge_epoch,
        &entropy,
    )?;
    let challenged: Vec<SectorInfo> = sectors
        .iter()
        .map(|s| SectorInfo {
            proof: s.seal_proof,
            sector_number: s.sector_number,
            sealed_cid: s.sealed_cid,
        })
        .collect();
    verify_window_post(rt, &randomness, &challenged, proofs)
}
