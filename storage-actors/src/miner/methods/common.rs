//! What the miner's methods share: caller checks against the miner's control addresses,
//! debt repayment, sector expiration rules and power arithmetic.

use filecoin_vm::{ActorError, Runtime};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::RegisteredSealProof;

use crate::miner::policy::{
    MAX_PROVE_COMMIT_DURATION, MAX_SECTOR_EXPIRATION_EXTENSION, MIN_SECTOR_EXPIRATION,
    seal_proof_sector_maximum_lifetime,
};
use crate::miner::records::MinerInfo;
use crate::miner::state::MinerState;
use crate::plumbing::{caller_is, load_state};

/// The exit code builtin-actors gives a broken balance invariant.
pub const ERR_BALANCE_INVARIANTS_BROKEN: ExitCode = ExitCode::new(1000);

/// The miner's state and info.
pub fn load(rt: &mut dyn Runtime) -> Result<(MinerState, MinerInfo), ActorError> {
    let state: MinerState = load_state(rt)?;
    let info = state.get_info(&rt.store())?;
    Ok((state, info))
}

fn id_of(address: &fvm_shared::address::Address) -> Result<ActorID, ActorError> {
    address
        .id()
        .map_err(|_| ActorError::illegal_state(format!("miner address {address} is not an ID")))
}

/// The caller must be the owner, the worker or a control address.
pub fn check_control_caller(rt: &dyn Runtime, info: &MinerInfo) -> Result<(), ActorError> {
    let mut allowed = vec![id_of(&info.owner)?, id_of(&info.worker)?];
    for address in &info.control_addresses {
        allowed.push(id_of(address)?);
    }
    caller_is(rt, &allowed)
}

/// The caller must be the owner.
pub fn check_owner_caller(rt: &dyn Runtime, info: &MinerInfo) -> Result<(), ActorError> {
    caller_is(rt, &[id_of(&info.owner)?])
}

/// Whether a reported consensus fault still bars the miner at `now`.
pub fn consensus_fault_active(info: &MinerInfo, now: ChainEpoch) -> bool {
    now <= info.consensus_fault_elapsed
}

/// Pays all fee debt from unlocked funds or aborts; returns the amount to burn.
pub fn repay_debts_or_abort(
    rt: &mut dyn Runtime,
    state: &mut MinerState,
) -> Result<TokenAmount, ActorError> {
    let balance = rt.current_balance()?;
    state.repay_debts(&balance)
}

/// Checks the balance still covers what the state holds locked.
pub fn check_balance_invariants(
    rt: &mut dyn Runtime,
    state: &MinerState,
) -> Result<(), ActorError> {
    let balance = rt.current_balance()?;
    state.check_balance_invariants(&balance).map_err(|e| {
        ActorError::new(
            ERR_BALANCE_INVARIANTS_BROKEN,
            format!("balance invariants broken: {}", e.message()),
        )
    })
}

/// How long after pre-commit a proof may arrive.
pub fn max_prove_commit_duration(proof: RegisteredSealProof) -> Option<ChainEpoch> {
    seal_proof_sector_maximum_lifetime(proof).map(|_| MAX_PROVE_COMMIT_DURATION)
}

/// A sector activated at `activation` may expire at `expiration`: after at least the minimum
/// lifetime, within the maximum extension from now and the proof's maximum lifetime.
pub fn validate_expiration(
    now: ChainEpoch,
    activation: ChainEpoch,
    expiration: ChainEpoch,
    proof: RegisteredSealProof,
) -> Result<(), ActorError> {
    if expiration <= activation {
        return Err(ActorError::illegal_argument(format!(
            "sector expiration {expiration} must be after activation {activation}"
        )));
    }
    if expiration - activation < MIN_SECTOR_EXPIRATION {
        return Err(ActorError::illegal_argument(format!(
            "invalid expiration {expiration}, total sector lifetime ({}) must exceed \
             {MIN_SECTOR_EXPIRATION} after activation {activation}",
            expiration - activation
        )));
    }
    if expiration > now + MAX_SECTOR_EXPIRATION_EXTENSION {
        return Err(ActorError::illegal_argument(format!(
            "invalid expiration {expiration}, cannot be more than \
             {MAX_SECTOR_EXPIRATION_EXTENSION} past current epoch {now}"
        )));
    }
    let max_lifetime = seal_proof_sector_maximum_lifetime(proof).ok_or_else(|| {
        ActorError::illegal_argument(format!("unrecognized seal proof type {proof:?}"))
    })?;
    if expiration - activation > max_lifetime {
        return Err(ActorError::illegal_argument(format!(
            "invalid expiration {expiration}, total sector lifetime ({}) cannot exceed \
             {max_lifetime} after activation {activation}",
            expiration - activation
        )));
    }
    Ok(())
}

/// Power and fee arithmetic over sector infos lives with the sectors table.
pub use crate::miner::sectors::{daily_fee_for_sectors, power_for_sector, power_for_sectors};

/// The CBOR of this miner's own address: the entropy of its randomness draws.
pub fn receiver_entropy(rt: &dyn Runtime) -> Result<Vec<u8>, ActorError> {
    let me = fvm_shared::address::Address::new_id(rt.message().receiver);
    fvm_ipld_encoding::to_vec(&me).map_err(|e| ActorError::serialization(e.to_string()))
}

/// An aggregate proof must cover a number of sectors in `allowed` (interactive and
/// non-interactive PoRep have their own bounds) and fit the aggregate size limit.
pub fn validate_aggregate(
    proof_len: usize,
    count: u64,
    allowed: std::ops::RangeInclusive<u64>,
) -> Result<(), ActorError> {
    if count > *allowed.end() {
        return Err(ActorError::illegal_argument(format!(
            "too many sectors addressed, addressed {count} want <= {}",
            allowed.end()
        )));
    }
    if count < *allowed.start() {
        return Err(ActorError::illegal_argument(format!(
            "too few sectors addressed, addressed {count} want >= {}",
            allowed.start()
        )));
    }
    if proof_len > crate::miner::policy::MAX_AGGREGATED_PROOF_SIZE {
        return Err(ActorError::illegal_argument(format!(
            "sector prove-commit proof of size {proof_len} exceeds max size of {}",
            crate::miner::policy::MAX_AGGREGATED_PROOF_SIZE
        )));
    }
    Ok(())
}
