//! Who runs the miner and how it is reached: the constructor, the worker and control
//! addresses, the peer ID and multiaddresses, and the read-only getters of the miner's info.
//! The owner and beneficiary methods live in [`super::beneficiary`] and are re-exported here,
//! where the dispatcher looks for them.
//!
//! Addresses named in parameters are stored as ID addresses. They are resolved as ref-fvm
//! resolves them: an ID address stands for itself whether or not an actor exists there (our
//! runtime's `resolve_address` answers `None` for a missing ID actor, which would refuse an
//! owner the network accepts), and any other address must already be bound to an actor; no
//! actor is created on the way.

use filecoin_vm::{ActorError, ActorResult, BuiltinType, INIT_ACTOR_ID, Runtime};
use fvm_ipld_encoding::{BytesDe, CborStore};
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::RegisteredPoStProof;
use multihash_codetable::Code;
use num_traits::Zero;

use super::common::{check_control_caller, check_owner_caller, load};
use super::cron::process_pending_worker;
use crate::miner::deadline_info::{
    assign_proving_period_offset, current_deadline_index, current_proving_period_start,
};
use crate::miner::ext::account::PUBKEY_ADDRESS_METHOD;
use crate::miner::ext::{request_current_epoch_block_reward, request_current_total_power};
use crate::miner::monies::{REWARD_VESTING_SPEC, initial_pledge_for_power};
use crate::miner::policy::{
    CREATE_MINER_DEPOSIT_POWER, MAX_CONTROL_ADDRESSES, MAX_MULTIADDR_DATA, MAX_PEER_ID_LENGTH,
    WORKER_KEY_CHANGE_DELAY, WPOST_PERIOD_DEADLINES, is_allowed_post_proof, post_partition_sectors,
    post_sector_size,
};
use crate::miner::records::{BeneficiaryTerm, MinerInfo, WorkerKeyChange};
use crate::miner::state::MinerState;
use crate::miner::types::{
    ChangeMultiaddrsParams, ChangePeerIDParams, ChangeWorkerAddressParams,
    GetControlAddressesReturn, GetMultiaddrsReturn, GetOwnerReturn, GetPeerIDReturn,
    GetSectorSizeReturn, IsControllingAddressParam, IsControllingAddressReturn,
    MinerConstructorParams,
};
use crate::plumbing::{caller_is, decode_return, ret, ret_none, save_state, send, store_error};

pub use super::beneficiary::{change_beneficiary, change_owner_address, get_beneficiary};

/// `Constructor`, called by init when power's `CreateMiner` execs a new miner. Every check that
/// needs no other actor comes first; then the miner must have been funded with the
/// create-miner deposit (FIP-0077), which is locked as vesting so that a miner that never
/// proves a sector still ties up funds proportional to the minimum consensus power.
pub fn constructor(rt: &mut dyn Runtime, params: MinerConstructorParams) -> ActorResult {
    caller_is(rt, &[INIT_ACTOR_ID])?;
    check_control_addresses(&params.control_addresses)?;
    check_peer_info(&params.peer_id, &params.multi_addresses)?;
    check_post_proof_type(params.window_post_proof_type)?;

    let balance = rt.current_balance()?;
    let deposit = create_miner_deposit(rt)?;
    if balance < deposit {
        return Err(ActorError::new(
            ExitCode::USR_INSUFFICIENT_FUNDS,
            format!(
                "not enough balance to lock for create miner deposit: sent balance {} < \
                 deposit {}",
                balance.atto(),
                deposit.atto()
            ),
        ));
    }

    let owner = resolve_id(rt, &params.owner)?.ok_or_else(|| {
        ActorError::illegal_argument(format!("unable to resolve owner address: {}", params.owner))
    })?;
    let worker = resolve_worker_address(rt, &params.worker)?;
    let control_addresses = resolve_control_addresses(rt, &params.control_addresses)?;

    let now = rt.machine().epoch;
    let receiver = Address::new_id(rt.message().receiver);
    let offset = proving_period_offset(rt, receiver, now)?;
    let period_start = current_proving_period_start(now, offset);
    if period_start > now {
        return Err(ActorError::illegal_state(format!(
            "computed proving period start {period_start} after current epoch {now}"
        )));
    }
    let deadline_index = current_deadline_index(now, period_start);
    if deadline_index >= WPOST_PERIOD_DEADLINES {
        return Err(ActorError::illegal_state(format!(
            "computed proving deadline index {deadline_index} invalid"
        )));
    }

    let proof = params.window_post_proof_type;
    let sector_size = post_sector_size(proof).ok_or_else(|| {
        ActorError::illegal_argument(format!("invalid sector size for proof {}", i64::from(proof)))
    })?;
    let window_post_partition_sectors = post_partition_sectors(proof).ok_or_else(|| {
        ActorError::illegal_argument(format!(
            "invalid partition sectors for proof {}",
            i64::from(proof)
        ))
    })?;
    let info = MinerInfo {
        owner: Address::new_id(owner),
        worker: Address::new_id(worker),
        control_addresses,
        pending_worker_key: None,
        peer_id: params.peer_id,
        multi_address: params.multi_addresses,
        window_post_proof_type: proof,
        sector_size,
        window_post_partition_sectors,
        // No consensus fault was ever reported.
        consensus_fault_elapsed: -1,
        pending_owner_address: None,
        // The owner receives withdrawals until it nominates someone else.
        beneficiary: Address::new_id(owner),
        beneficiary_term: BeneficiaryTerm::default(),
        pending_beneficiary_term: None,
    };
    let store = rt.store();
    let info_cid = store.put_cbor(&info, Code::Blake2b256).map_err(store_error)?;
    let mut state = MinerState::new(&store, info_cid, period_start, deadline_index)?;
    state.add_locked_funds(&store, now, &deposit, &REWARD_VESTING_SPEC)?;
    save_state(rt, &state)?;
    ret_none()
}

/// `ControlAddresses`: owner, worker and control addresses, for anyone.
pub fn control_addresses(rt: &mut dyn Runtime) -> ActorResult {
    let (_, info) = load(rt)?;
    ret(&GetControlAddressesReturn {
        owner: info.owner,
        worker: info.worker,
        control_addresses: info.control_addresses,
    })
}

/// `ChangeWorkerAddress` (owner only). The control list is replaced at once, since it only
/// widens who may send day-to-day messages. A new worker is queued for
/// [`WORKER_KEY_CHANGE_DELAY`] because the worker key signs blocks: the delay keeps a change
/// from affecting elections already under way. A change already queued is kept, not replaced.
/// Parameters are checked (and the worker's key asked for) before the caller, as upstream does.
pub fn change_worker_address(
    rt: &mut dyn Runtime,
    params: ChangeWorkerAddressParams,
) -> ActorResult {
    check_control_addresses(&params.new_control_addresses)?;
    let new_worker = Address::new_id(resolve_worker_address(rt, &params.new_worker)?);
    let control_addresses = resolve_control_addresses(rt, &params.new_control_addresses)?;

    let (mut state, mut info) = load(rt)?;
    check_owner_caller(rt, &info)?;
    info.control_addresses = control_addresses;
    if new_worker != info.worker && info.pending_worker_key.is_none() {
        info.pending_worker_key = Some(WorkerKeyChange {
            new_worker,
            effective_at: rt.machine().epoch + WORKER_KEY_CHANGE_DELAY,
        });
    }
    state.save_info(&rt.store(), &info)?;
    save_state(rt, &state)?;
    ret_none()
}

/// `ConfirmChangeWorkerAddress` (owner only): applies a queued worker change whose epoch has
/// come, without waiting for the deadline cron to do it. Nothing happens otherwise.
pub fn confirm_change_worker_address(rt: &mut dyn Runtime) -> ActorResult {
    let (mut state, mut info) = load(rt)?;
    check_owner_caller(rt, &info)?;
    process_pending_worker(rt, &mut state, &mut info)?;
    save_state(rt, &state)?;
    ret_none()
}

/// `GetOwner`: the owner and a proposed owner awaiting confirmation, for anyone.
pub fn get_owner(rt: &mut dyn Runtime) -> ActorResult {
    let (_, info) = load(rt)?;
    ret(&GetOwnerReturn { owner: info.owner, proposed: info.pending_owner_address })
}

/// `IsControllingAddress`: whether an address is the owner, the worker or a control address.
/// An address bound to no actor controls nothing, so it answers false rather than failing.
pub fn is_controlling_address(
    rt: &mut dyn Runtime,
    params: IsControllingAddressParam,
) -> ActorResult {
    let Some(id) = resolve_id(rt, &params.address)? else {
        return ret(&IsControllingAddressReturn { is_controlling: false });
    };
    let input = Address::new_id(id);
    let (_, info) = load(rt)?;
    let is_controlling =
        info.owner == input || info.worker == input || info.control_addresses.contains(&input);
    ret(&IsControllingAddressReturn { is_controlling })
}

/// `GetSectorSize`, for anyone.
pub fn get_sector_size(rt: &mut dyn Runtime) -> ActorResult {
    let (_, info) = load(rt)?;
    ret(&GetSectorSizeReturn { sector_size: info.sector_size })
}

/// `GetPeerID`, for anyone.
pub fn get_peer_id(rt: &mut dyn Runtime) -> ActorResult {
    let (_, info) = load(rt)?;
    ret(&GetPeerIDReturn { peer_id: info.peer_id })
}

/// `ChangePeerID` (owner, worker or control). The size is checked before the caller, as
/// upstream does.
pub fn change_peer_id(rt: &mut dyn Runtime, params: ChangePeerIDParams) -> ActorResult {
    check_peer_info(&params.new_id, &[])?;
    let (mut state, mut info) = load(rt)?;
    check_control_caller(rt, &info)?;
    info.peer_id = params.new_id;
    state.save_info(&rt.store(), &info)?;
    save_state(rt, &state)?;
    ret_none()
}

/// `GetMultiaddrs`, for anyone.
pub fn get_multiaddrs(rt: &mut dyn Runtime) -> ActorResult {
    let (_, info) = load(rt)?;
    ret(&GetMultiaddrsReturn { multi_addrs: info.multi_address })
}

/// `ChangeMultiaddrs` (owner, worker or control). The list is checked before the caller, as
/// upstream does.
pub fn change_multiaddrs(rt: &mut dyn Runtime, params: ChangeMultiaddrsParams) -> ActorResult {
    check_peer_info(&[], &params.new_multi_addrs)?;
    let (mut state, mut info) = load(rt)?;
    check_control_caller(rt, &info)?;
    info.multi_address = params.new_multi_addrs;
    state.save_info(&rt.store(), &info)?;
    save_state(rt, &state)?;
    ret_none()
}

/// The actor ID an address names, as ref-fvm's `resolve_address` answers: an ID address is its
/// own ID (existing or not), any other address its bound actor if there is one.
pub(super) fn resolve_id(
    rt: &mut dyn Runtime,
    address: &Address,
) -> Result<Option<ActorID>, ActorError> {
    match address.id() {
        Ok(id) => Ok(Some(id)),
        Err(_) => rt.resolve_address(address),
    }
}

/// Resolves a worker, which must be an account actor with a BLS key: the worker's key also
/// produces the BLS-VRF tickets of the blocks the miner wins. Given a non-BLS address, the
/// account is asked for its key address (`PubkeyAddress`), since an ID or delegated address
/// says nothing about the key behind it.
fn resolve_worker_address(rt: &mut dyn Runtime, raw: &Address) -> Result<ActorID, ActorError> {
    let id = resolve_id(rt, raw)?
        .ok_or_else(|| ActorError::illegal_argument(format!("unable to resolve address: {raw}")))?;
    let code = rt
        .actor_code(id)?
        .ok_or_else(|| ActorError::illegal_argument(format!("no code for address: f0{id}")))?;
    if rt.builtin_type(&code) != Some(BuiltinType::Account) {
        return Err(ActorError::illegal_argument(format!(
            "worker actor type must be an account, was {code}"
        )));
    }
    if raw.protocol() != Protocol::BLS {
        let key: Address = decode_return(send(
            rt,
            &Address::new_id(id),
            PUBKEY_ADDRESS_METHOD,
            None,
            TokenAmount::zero(),
        )?)?;
        if key.protocol() != Protocol::BLS {
            return Err(ActorError::illegal_argument(format!(
                "worker account f0{id} must have BLS pubkey, was {}",
                key.protocol()
            )));
        }
    }
    Ok(id)
}

/// Resolves control addresses to ID addresses; each must name an actor (or be an ID).
fn resolve_control_addresses(
    rt: &mut dyn Runtime,
    addresses: &[Address],
) -> Result<Vec<Address>, ActorError> {
    addresses
        .iter()
        .map(|address| {
            resolve_id(rt, address)?.map(Address::new_id).ok_or_else(|| {
                ActorError::illegal_argument(format!(
                    "unable to resolve control address: {address}"
                ))
            })
        })
        .collect()
}

/// At most [`MAX_CONTROL_ADDRESSES`], bounding the work of every caller check.
fn check_control_addresses(addresses: &[Address]) -> Result<(), ActorError> {
    if addresses.len() > MAX_CONTROL_ADDRESSES {
        return Err(ActorError::illegal_argument(format!(
            "control addresses length {} exceeds max control addresses length \
             {MAX_CONTROL_ADDRESSES}",
            addresses.len()
        )));
    }
    Ok(())
}

/// Bounds the peer info kept in state: a peer ID of at most [`MAX_PEER_ID_LENGTH`] bytes, and
/// non-empty multiaddresses of at most [`MAX_MULTIADDR_DATA`] bytes in total.
fn check_peer_info(peer_id: &[u8], multiaddrs: &[BytesDe]) -> Result<(), ActorError> {
    if peer_id.len() > MAX_PEER_ID_LENGTH {
        return Err(ActorError::illegal_argument(format!(
            "peer ID size of {} exceeds maximum size of {MAX_PEER_ID_LENGTH}",
            peer_id.len()
        )));
    }
    let mut total = 0usize;
    for multiaddr in multiaddrs {
        if multiaddr.0.is_empty() {
            return Err(ActorError::illegal_argument("invalid empty multiaddr"));
        }
        total += multiaddr.0.len();
    }
    if total > MAX_MULTIADDR_DATA {
        return Err(ActorError::illegal_argument(format!(
            "multiaddr size of {total} exceeds maximum of {MAX_MULTIADDR_DATA}"
        )));
    }
    Ok(())
}

/// New miners may only use the Window PoSt types this devnet proves (2 KiB and 8 MiB).
fn check_post_proof_type(proof: RegisteredPoStProof) -> Result<(), ActorError> {
    if is_allowed_post_proof(proof) {
        Ok(())
    } else {
        Err(ActorError::illegal_argument(format!(
            "proof type {} not allowed for new miner actors",
            i64::from(proof)
        )))
    }
}

/// FIP-0077's create-miner deposit: the initial pledge of [`CREATE_MINER_DEPOSIT_POWER`] at
/// today's reward, network power and circulating supply.
fn create_miner_deposit(rt: &mut dyn Runtime) -> Result<TokenAmount, ActorError> {
    let reward = request_current_epoch_block_reward(rt)?;
    let power = request_current_total_power(rt)?;
    let circulating_supply = rt.total_fil_circ_supply()?;
    let now = rt.machine().epoch;
    Ok(initial_pledge_for_power(
        &BigInt::from(CREATE_MINER_DEPOSIT_POWER),
        &reward.this_epoch_baseline_power,
        &reward.this_epoch_reward_smoothed,
        &power.quality_adj_power_smoothed,
        &circulating_supply,
        now - power.ramp_start_epoch,
        power.ramp_duration_epochs,
    ))
}

/// The miner's proving-period offset, hashed with the runtime's (charged) blake2b so that the
/// constructor pays what the network's does.
fn proving_period_offset(
    rt: &mut dyn Runtime,
    receiver: Address,
    now: ChainEpoch,
) -> Result<ChainEpoch, ActorError> {
    // The helper wants an infallible hash; a charging failure (out of gas) is kept aside and
    // raised once it returns.
    let mut hash_failure = None;
    let offset = assign_proving_period_offset(receiver, now, |data| {
        rt.hash_blake2b(data).unwrap_or_else(|e| {
            hash_failure = Some(e);
            [0u8; 32]
        })
    })?;
    match hash_failure {
        Some(e) => Err(e),
        None => Ok(offset),
    }
}
