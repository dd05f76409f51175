//! `ProveReplicaUpdates3` (35): snap deals. A proven, still-empty (CC) sector is re-encoded
//! with data; the provider proves the new replica against the old one and names the pieces it
//! now holds. The sector keeps its number, place and expiration, but gets the new CommR (the
//! old one is kept as the sector key), deal weight from its pieces, and a pledge and daily fee
//! recomputed for its new power. Verified pieces claim their allocations and the pieces'
//! receivers are notified, as for `ProveCommitSectors3`.
//!
//! Each update is validated on its own: a failing one is skipped (or, with
//! `require_activation_success`, aborts the message), and the return stacks the validation,
//! proof and data-activation results. Only one proof per sector is accepted: aggregated update
//! proofs are not supported on the network either.

mod apply;

use std::collections::{BTreeMap, BTreeSet};

use cid::Cid;
use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::bigint::BigInt;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PieceInfo;
use fvm_shared::sector::{RegisteredUpdateProof, SectorNumber};
use num_traits::Zero;

use super::common::{check_control_caller, load};
use super::prove_commit::DataActivationOutput;
use crate::market::commd::unsealed_cid_of_pieces;
use crate::miner::deadline_info::deadline_is_mutable;
use crate::miner::emit;
use crate::miner::ext::{claim_allocations, notify_pledge_changed, request_update_power};
use crate::miner::notifications::{ActivationNotifications, notify_data_consumers};
use crate::miner::policy::{
    MAX_REPLICA_UPDATE_PROOF_SIZE, WPOST_PERIOD_DEADLINES, is_sealed_sector,
};
use crate::miner::proofs::{COMPUTE_UNSEALED_SECTOR_CID_GAS, verify_replica_update};
use crate::miner::records::SectorOnChainInfo;
use crate::miner::sectors::Sectors;
use crate::miner::state::MinerState;
use crate::miner::types::{
    ProveReplicaUpdates3Params, ProveReplicaUpdates3Return, SectorUpdateManifest,
};
use crate::plumbing::{BatchBuilder, BatchReturn, ret};
use crate::verifreg::{AllocationClaim, SectorAllocationClaims};
use apply::ActivatedUpdate;

/// `ProveReplicaUpdates3`.
pub fn prove_replica_updates3(
    rt: &mut dyn Runtime,
    params: ProveReplicaUpdates3Params,
) -> ActorResult {
    let (state, info) = load(rt)?;
    check_control_caller(rt, &info)?;
    if params.sector_proofs.is_empty() == params.aggregate_proof.is_empty() {
        return Err(ActorError::illegal_argument(
            "exactly one of sector proofs or aggregate proof must be non-empty",
        ));
    }
    if !params.sector_proofs.is_empty() && params.aggregate_proof_type.is_some() {
        return Err(ActorError::illegal_argument(
            "aggregate proof type must be empty when sector proofs are specified",
        ));
    }
    if params.sector_proofs.is_empty() && params.aggregate_proof_type.is_none() {
        return Err(ActorError::illegal_argument(
            "aggregate proof type must be specified when aggregate proof is specified",
        ));
    }

    // Every named sector must exist, or the whole message fails.
    let store = rt.store();
    let table = Sectors::load(&store, &state.sectors)?;
    let mut sector_infos = Vec::with_capacity(params.sector_updates.len());
    for update in &params.sector_updates {
        sector_infos.push(table.must_get(update.sector)?);
    }

    let validation = validate_replica_updates(rt, &state, &params, &sector_infos)?;
    let candidates: Vec<(&SectorUpdateManifest, &SectorOnChainInfo)> =
        params.sector_updates.iter().zip(&sector_infos).collect();
    let valid = validation.successes(&candidates);

    if params.sector_proofs.is_empty() {
        return Err(ActorError::illegal_argument("aggregate update proofs not yet supported"));
    }
    if params.sector_updates.len() != params.sector_proofs.len() {
        return Err(ActorError::illegal_argument(format!(
            "mismatched lengths: {} sector updates, {} proofs",
            params.sector_updates.len(),
            params.sector_proofs.len()
        )));
    }
    // Devnet proofs: every replica update verifies (gas charged as on the network). CommD is
    // computed from the pieces first, as it is one of the proof's public inputs.
    let mut proofs = BatchBuilder::default();
    let mut proven = Vec::with_capacity(valid.len());
    for &&(update, sector) in &valid {
        let commd = update_commd(rt, update, sector)?;
        verify_replica_update(rt)?;
        proofs.ok();
        proven.push((update, sector, commd));
    }
    if proven.is_empty() {
        return Err(ActorError::illegal_argument("no valid updates"));
    }
    let proven_batch = proofs.finish();

    let (data_batch, outputs) =
        activate_update_pieces(rt, &proven, params.require_activation_success)?;
    if data_batch.success_count == 0 {
        return Err(ActorError::illegal_argument("all data activations failed"));
    }
    let activated = data_batch.successes(&proven);

    let mut by_deadline = BTreeMap::<u64, Vec<ActivatedUpdate<'_>>>::new();
    for (&&(update, sector, _), output) in activated.iter().zip(&outputs) {
        by_deadline.entry(update.deadline).or_default().push(ActivatedUpdate {
            partition: update.partition,
            sector,
            new_sealed_cid: update.new_sealed_cid,
            unverified_space: output.unverified_space.clone(),
            verified_space: output.verified_space.clone(),
        });
    }
    let (power_delta, pledge_delta) =
        apply::update_replica_states(rt, &by_deadline, activated.len(), info.sector_size)?;
    notify_pledge_changed(rt, &pledge_delta)?;
    request_update_power(rt, &power_delta)?;

    let mut notifications = Vec::with_capacity(activated.len());
    for &&(update, sector, commd) in &activated {
        notifications.push(ActivationNotifications {
            sector_number: update.sector,
            sector_expiration: sector.expiration,
            pieces: &update.pieces,
        });
        let pieces: Vec<(Cid, u64)> = update.pieces.iter().map(|p| (p.cid, p.size.0)).collect();
        emit::sector_updated(rt, update.sector, commd, &pieces)?;
    }
    notify_data_consumers(rt, &notifications, params.require_notification_success)?;
    ret(&ProveReplicaUpdates3Return {
        activation_results: BatchReturn::stack(&[validation, proven_batch, data_batch]),
    })
}

/// Which updates may proceed. A failing update is skipped with `USR_ILLEGAL_ARGUMENT`, or
/// aborts the message (with its own exit code) under `require_activation_success`.
fn validate_replica_updates(
    rt: &mut dyn Runtime,
    state: &MinerState,
    params: &ProveReplicaUpdates3Params,
    sector_infos: &[SectorOnChainInfo],
) -> Result<BatchReturn, ActorError> {
    let now = rt.machine().epoch;
    let store = rt.store();
    let period_start = state.current_proving_period_start(now);
    let mut seen = BTreeSet::new();
    let mut batch = BatchBuilder::default();
    for (i, (update, sector)) in params.sector_updates.iter().zip(sector_infos).enumerate() {
        // With an aggregate there is no per-sector proof: an empty one passes the size check.
        let proof = params.sector_proofs.get(i).map_or(0, |p| p.len());
        let check = UpdateCheck { update, sector, proof_len: proof, now, period_start };
        match check.run(&store, state, params.update_proofs_type, &mut seen) {
            Ok(()) => batch.ok(),
            Err(e) if params.require_activation_success => {
                return Err(ActorError::new(
                    e.exit_code(),
                    format!(
                        "invalid update {i} while requiring activation success: {}",
                        e.message()
                    ),
                ));
            }
            Err(_) => batch.push(ExitCode::USR_ILLEGAL_ARGUMENT),
        }
    }
    Ok(batch.finish())
}

/// One update and what it is checked against.
struct UpdateCheck<'a> {
    update: &'a SectorUpdateManifest,
    sector: &'a SectorOnChainInfo,
    proof_len: usize,
    now: i64,
    period_start: i64,
}

impl UpdateCheck<'_> {
    fn run<BS: fvm_ipld_blockstore::Blockstore>(
        &self,
        store: &BS,
        state: &MinerState,
        update_proof_type: RegisteredUpdateProof,
        seen: &mut BTreeSet<SectorNumber>,
    ) -> Result<(), ActorError> {
        let number = self.update.sector;
        let deadline = self.update.deadline;
        if !seen.insert(number) {
            return Err(ActorError::illegal_argument(format!(
                "skipping duplicate sector {number}"
            )));
        }
        if self.proof_len > MAX_REPLICA_UPDATE_PROOF_SIZE {
            return Err(ActorError::illegal_argument(format!(
                "update proof is too large ({}), skipping sector {number}",
                self.proof_len
            )));
        }
        if deadline >= WPOST_PERIOD_DEADLINES {
            return Err(ActorError::illegal_argument(format!(
                "deadline {deadline} not in range 0..{WPOST_PERIOD_DEADLINES}, skipping sector \
                 {number}"
            )));
        }
        if !is_sealed_sector(&self.update.new_sealed_cid) {
            return Err(ActorError::illegal_argument(format!(
                "new sealed CID had wrong prefix {}, skipping sector {number}",
                self.update.new_sealed_cid
            )));
        }
        // The sectors a deadline's next proof covers are fixed one window before it opens.
        if !deadline_is_mutable(self.period_start, deadline, self.now) {
            return Err(ActorError::illegal_argument(format!(
                "cannot upgrade sectors in immutable deadline {deadline}, skipping sector \
                 {number}"
            )));
        }
        if !state.check_sector_active(store, deadline, self.update.partition, number, true)? {
            return Err(ActorError::illegal_argument(format!(
                "sector isn't active, skipping sector {number}"
            )));
        }
        if !(&self.sector.deal_weight + &self.sector.verified_deal_weight).is_zero() {
            return Err(ActorError::illegal_argument(format!(
                "cannot update sector with non-zero data, skipping sector {number}"
            )));
        }
        let expected = self.sector.seal_proof.registered_update_proof().map_err(|e| {
            ActorError::illegal_state(format!("couldn't load update proof type: {e}"))
        })?;
        if update_proof_type != expected {
            return Err(ActorError::illegal_argument(format!(
                "expected proof type {}, was {}",
                i64::from(expected),
                i64::from(update_proof_type)
            )));
        }
        Ok(())
    }
}

/// The updated sector's CommD from its pieces: `None` for no pieces (the event's `null`, a
/// sector of zeros). Computing it is charged as the network's syscall is.
fn update_commd(
    rt: &mut dyn Runtime,
    update: &SectorUpdateManifest,
    sector: &SectorOnChainInfo,
) -> Result<Option<Cid>, ActorError> {
    if update.pieces.is_empty() {
        return Ok(None);
    }
    rt.charge_gas(COMPUTE_UNSEALED_SECTOR_CID_GAS)?;
    let pieces: Vec<PieceInfo> =
        update.pieces.iter().map(|p| PieceInfo { cid: p.cid, size: p.size }).collect();
    unsealed_cid_of_pieces(sector.seal_proof, &pieces).map(Some).map_err(|e| {
        ActorError::illegal_argument(format!(
            "failed to compute unsealed sector CID: {}",
            e.message()
        ))
    })
}

/// A proven update: its manifest, the sector as it was, and the computed CommD.
type ProvenUpdate<'a> = (&'a SectorUpdateManifest, &'a SectorOnChainInfo, Option<Cid>);

/// Claims the verified pieces' allocations, one group per sector (a sector fails as a whole).
/// The CommD was computed from the pieces, so there is nothing to check it against. Returns
/// which sectors succeeded and, for each, the data it now holds.
fn activate_update_pieces(
    rt: &mut dyn Runtime,
    proven: &[ProvenUpdate<'_>],
    all_or_nothing: bool,
) -> Result<(BatchReturn, Vec<DataActivationOutput>), ActorError> {
    let claims = proven
        .iter()
        .map(|(update, sector, _)| SectorAllocationClaims {
            sector: update.sector,
            expiry: sector.expiration,
            claims: update
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
        })
        .collect();
    let claimed = claim_allocations(rt, claims, all_or_nothing)?;
    let outputs = claimed
        .sector_results
        .successes(proven)
        .into_iter()
        .zip(&claimed.sector_claims)
        .map(|((update, _, _), summary)| {
            let mut output = DataActivationOutput {
                verified_space: summary.claimed_space.clone(),
                unverified_space: BigInt::zero(),
                pieces: Vec::with_capacity(update.pieces.len()),
            };
            for piece in &update.pieces {
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
