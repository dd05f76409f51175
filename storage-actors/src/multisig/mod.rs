//! The multisig actor: funds that move only when enough of a set of signers agree. Anyone
//! creates one through init's `Exec` (f01); a signer proposes a send, the others approve it,
//! and the approval that meets the threshold executes it from the multisig's balance.
//!
//! The multisig changes itself the same way: `AddSigner`, `RemoveSigner`, `SwapSigner`,
//! `ChangeNumApprovalsThreshold` and `LockBalance` accept only the multisig as caller, so they
//! run only as an approved proposal addressed to the multisig itself.
//!
//! Part of the balance may vest linearly (set at construction from the value received, or
//! once later by `LockBalance`); a send that would dip into what is still locked is refused
//! with `USR_INSUFFICIENT_FUNDS` and the approval that triggered it is not recorded.
//!
//! A proposal that executes reports its send's exit code and return in the method's return
//! instead of failing the message: the transaction is gone either way, as builtin-actors does
//! it. Like every built-in, the internal methods (all but `Receive`) are refused to contracts
//! (FIP-0050); other numbers from 2^24 up are accepted and do nothing.

mod state;
mod types;

use filecoin_vm::builtin::FIRST_EXPORTED_METHOD_NUMBER;
use filecoin_vm::{Actor, ActorError, ActorResult, INIT_ACTOR_ID, Runtime};
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

pub use state::*;
pub use types::*;

use crate::plumbing::{
    callee_exit_code, caller_is, load_state, params, resolve_to_actor_id, restrict_internal_api,
    ret, ret_none, save_state, send_error_code,
};
use crate::token::UniversalReceiverParams;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct MultisigActor;

impl Actor for MultisigActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            METHOD_CONSTRUCTOR => constructor(rt, params(block)?),
            PROPOSE_METHOD => propose(rt, params(block)?),
            APPROVE_METHOD => approve(rt, params(block)?),
            CANCEL_METHOD => cancel(rt, params(block)?),
            ADD_SIGNER_METHOD => add_signer(rt, params(block)?),
            REMOVE_SIGNER_METHOD => remove_signer(rt, params(block)?),
            SWAP_SIGNER_METHOD => swap_signer(rt, params(block)?),
            CHANGE_NUM_APPROVALS_THRESHOLD_METHOD => change_threshold(rt, params(block)?),
            LOCK_BALANCE_METHOD => lock_balance(rt, params(block)?),
            UNIVERSAL_RECEIVER_HOOK_METHOD => {
                params::<UniversalReceiverParams>(block)?;
                ret_none()
            }
            m if m >= FIRST_EXPORTED_METHOD_NUMBER => ret_none(),
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// What executing (or not yet executing) a transaction came to.
struct Outcome {
    applied: bool,
    code: ExitCode,
    ret: RawBytes,
}

impl Outcome {
    fn pending() -> Self {
        Self { applied: false, code: ExitCode::OK, ret: RawBytes::new(Vec::new()) }
    }
}

/// The immediate caller as the multisig records it: its ID address.
fn caller_address(rt: &dyn Runtime) -> Address {
    Address::new_id(rt.message().caller)
}

/// Refuses a caller that is not a signer (`USR_FORBIDDEN`).
fn require_signer(state: &MultisigState, caller: &Address) -> Result<(), ActorError> {
    if state.is_signer(caller) {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!("{caller} is not a signer")))
    }
}

/// Refuses any caller but the multisig itself (`USR_FORBIDDEN`).
fn require_self(rt: &dyn Runtime) -> Result<(), ActorError> {
    let receiver = rt.message().receiver;
    caller_is(rt, &[receiver])
}

/// Whether a non-empty `hash` matches `txn` (an empty one skips the check).
fn hash_matches(rt: &mut dyn Runtime, txn: &Transaction, hash: &[u8]) -> Result<bool, ActorError> {
    if hash.is_empty() {
        return Ok(true);
    }
    let data = proposal_hash_data(txn)?;
    Ok(rt.hash_blake2b(&data)?[..] == *hash)
}

/// Constructor (init only): resolves the signers (creating accounts for new key addresses),
/// checks the threshold and the lock, and locks the value received when vesting.
fn constructor(rt: &mut dyn Runtime, p: ConstructorParams) -> ActorResult {
    caller_is(rt, &[INIT_ACTOR_ID])?;
    if p.signers.is_empty() {
        return Err(ActorError::illegal_argument("must have at least one signer"));
    }
    if p.signers.len() > SIGNERS_MAX {
        return Err(ActorError::illegal_argument(format!(
            "cannot add more than {SIGNERS_MAX} signers"
        )));
    }
    let mut signers = Vec::with_capacity(p.signers.len());
    for signer in &p.signers {
        let resolved = Address::new_id(resolve_to_actor_id(rt, signer, true)?);
        if signers.contains(&resolved) {
            return Err(ActorError::illegal_argument(format!(
                "duplicate signer not allowed: {signer}"
            )));
        }
        signers.push(resolved);
    }
    if p.num_approvals_threshold > signers.len() as u64 {
        return Err(ActorError::illegal_argument("must not require more approvals than signers"));
    }
    if p.num_approvals_threshold < 1 {
        return Err(ActorError::illegal_argument("must require at least one approval"));
    }
    if p.unlock_duration < 0 {
        return Err(ActorError::illegal_argument("negative unlock duration disallowed"));
    }
    let mut state = MultisigState {
        signers,
        num_approvals_threshold: p.num_approvals_threshold,
        next_tx_id: 0,
        initial_balance: Default::default(),
        start_epoch: 0,
        unlock_duration: 0,
        pending_txs: PendingTxns::empty(rt.store()).flush()?,
    };
    if p.unlock_duration != 0 {
        let value = rt.message().value_received.clone();
        state.set_locked(p.start_epoch, p.unlock_duration, value);
    }
    save_state(rt, &state)?;
    ret_none()
}

/// Propose (a signer): records the transaction with the proposer's approval, executing it
/// when that approval alone meets the threshold.
fn propose(rt: &mut dyn Runtime, p: ProposeParams) -> ActorResult {
    let proposer = caller_address(rt);
    if p.value.is_negative() {
        return Err(ActorError::illegal_argument(format!(
            "proposed value must be non-negative, was {}",
            p.value
        )));
    }
    let mut state: MultisigState = load_state(rt)?;
    require_signer(&state, &proposer)?;
    let txn_id = state.next_tx_id;
    state.next_tx_id = txn_id
        .checked_add(1)
        .ok_or_else(|| ActorError::illegal_state("transaction IDs exhausted"))?;
    let txn = Transaction {
        to: p.to,
        value: p.value,
        method: p.method,
        params: p.params,
        approved: vec![],
    };
    let mut txns = PendingTxns::load(rt.store(), &state.pending_txs)?;
    txns.set(txn_id, txn.clone())?;
    state.pending_txs = txns.flush()?;
    save_state(rt, &state)?;
    let Outcome { applied, code, ret: out } = approve_transaction(rt, txn_id, txn)?;
    ret(&ProposeReturn { txn_id, applied, code, ret: out })
}

/// Approve (a signer): executes a transaction whose threshold is already met (it was lowered
/// since), otherwise adds the caller's approval and executes if that meets it.
fn approve(rt: &mut dyn Runtime, p: TxnIdParams) -> ActorResult {
    let approver = caller_address(rt);
    let state: MultisigState = load_state(rt)?;
    require_signer(&state, &approver)?;
    let txn = PendingTxns::load(rt.store(), &state.pending_txs)?.get(p.id)?.ok_or_else(|| {
        ActorError::not_found(format!("no such transaction {} for approval", p.id))
    })?;
    if !hash_matches(rt, &txn, &p.proposal_hash)? {
        return Err(ActorError::illegal_argument(
            "hash does not match proposal params (ensure requester is an ID address)",
        ));
    }
    let mut outcome = execute_if_approved(rt, &state, p.id, &txn)?;
    if !outcome.applied {
        outcome = approve_transaction(rt, p.id, txn)?;
    }
    ret(&ApproveReturn { applied: outcome.applied, code: outcome.code, ret: outcome.ret })
}

/// Cancel (the proposer): deletes a pending transaction. A hash that does not match is
/// `USR_ILLEGAL_STATE`, as upstream has it.
fn cancel(rt: &mut dyn Runtime, p: TxnIdParams) -> ActorResult {
    let caller = caller_address(rt);
    let mut state: MultisigState = load_state(rt)?;
    require_signer(&state, &caller)?;
    let mut txns = PendingTxns::load(rt.store(), &state.pending_txs)?;
    let txn = txns
        .delete(p.id)?
        .ok_or_else(|| ActorError::not_found(format!("no such transaction {} to cancel", p.id)))?;
    if txn.approved.first() != Some(&caller) {
        return Err(ActorError::forbidden("cannot cancel another signer's transaction"));
    }
    if !hash_matches(rt, &txn, &p.proposal_hash)? {
        return Err(ActorError::illegal_state("hash does not match proposal params"));
    }
    state.pending_txs = txns.flush()?;
    save_state(rt, &state)?;
    ret_none()
}

/// Records the caller's approval of `txn` (twice is `USR_FORBIDDEN`), then executes it if the
/// threshold is met.
fn approve_transaction(
    rt: &mut dyn Runtime,
    txn_id: TxnId,
    mut txn: Transaction,
) -> Result<Outcome, ActorError> {
    let caller = caller_address(rt);
    if txn.approved.contains(&caller) {
        return Err(ActorError::forbidden(format!("{caller} already approved this message")));
    }
    let mut state: MultisigState = load_state(rt)?;
    txn.approved.push(caller);
    let mut txns = PendingTxns::load(rt.store(), &state.pending_txs)?;
    txns.set(txn_id, txn.clone())?;
    state.pending_txs = txns.flush()?;
    save_state(rt, &state)?;
    execute_if_approved(rt, &state, txn_id, &txn)
}

/// When `txn` has enough approvals under `state`: checks the unlocked balance covers its
/// value, removes it, and sends it, reporting the send's outcome rather than failing on it.
fn execute_if_approved(
    rt: &mut dyn Runtime,
    state: &MultisigState,
    txn_id: TxnId,
    txn: &Transaction,
) -> Result<Outcome, ActorError> {
    if (txn.approved.len() as u64) < state.num_approvals_threshold {
        return Ok(Outcome::pending());
    }
    let balance = rt.current_balance()?;
    state.check_available(&balance, &txn.value, rt.machine().epoch)?;

    let mut state: MultisigState = load_state(rt)?;
    let mut txns = PendingTxns::load(rt.store(), &state.pending_txs)?;
    txns.delete(txn_id)?;
    state.pending_txs = txns.flush()?;
    save_state(rt, &state)?;

    let block: Option<IpldBlock> = txn.params.clone().into();
    let sent = rt.send(&txn.to, txn.method, block, txn.value.clone(), None, SendFlags::empty())?;
    let (code, data) = match sent {
        Ok(outcome) => (callee_exit_code(outcome.exit_code), outcome.return_data),
        Err(errno) => (send_error_code(errno), None),
    };
    Ok(Outcome {
        applied: true,
        code,
        ret: RawBytes::new(data.map(|b| b.data).unwrap_or_default()),
    })
}

/// AddSigner (itself): adds a signer (created if a new key address), optionally raising the
/// threshold; a full set or an existing signer is `USR_FORBIDDEN`.
fn add_signer(rt: &mut dyn Runtime, p: AddSignerParams) -> ActorResult {
    require_self(rt)?;
    let signer = Address::new_id(resolve_to_actor_id(rt, &p.signer, true)?);
    let mut state: MultisigState = load_state(rt)?;
    if state.signers.len() >= SIGNERS_MAX {
        return Err(ActorError::forbidden(format!("cannot add more than {SIGNERS_MAX} signers")));
    }
    if state.is_signer(&signer) {
        return Err(ActorError::forbidden(format!("{signer} is already a signer")));
    }
    state.signers.push(signer);
    if p.increase {
        state.num_approvals_threshold = state.num_approvals_threshold.saturating_add(1);
    }
    save_state(rt, &state)?;
    ret_none()
}

/// RemoveSigner (itself): removes a signer and its approvals, optionally lowering the
/// threshold, which must stay reachable by the remaining signers.
fn remove_signer(rt: &mut dyn Runtime, p: RemoveSignerParams) -> ActorResult {
    require_self(rt)?;
    let signer = Address::new_id(resolve_to_actor_id(rt, &p.signer, false)?);
    let mut state: MultisigState = load_state(rt)?;
    if !state.is_signer(&signer) {
        return Err(ActorError::forbidden(format!("{signer} is not a signer")));
    }
    let count = state.signers.len() as u64;
    if count == 1 {
        return Err(ActorError::forbidden("cannot remove the only signer"));
    }
    if !p.decrease && count - 1 < state.num_approvals_threshold {
        return Err(ActorError::illegal_argument(format!(
            "can't reduce signers to {} below threshold {} with decrease=false",
            count - 1,
            state.num_approvals_threshold
        )));
    }
    if p.decrease {
        if state.num_approvals_threshold < 2 {
            return Err(ActorError::illegal_argument(format!(
                "can't decrease approvals below {}",
                state.num_approvals_threshold
            )));
        }
        state.num_approvals_threshold -= 1;
    }
    state.purge_approvals(rt.store(), &signer)?;
    state.signers.retain(|s| s != &signer);
    save_state(rt, &state)?;
    ret_none()
}

/// SwapSigner (itself): replaces a signer, dropping its approvals.
fn swap_signer(rt: &mut dyn Runtime, p: SwapSignerParams) -> ActorResult {
    require_self(rt)?;
    let from = Address::new_id(resolve_to_actor_id(rt, &p.from, false)?);
    let to = Address::new_id(resolve_to_actor_id(rt, &p.to, true)?);
    let mut state: MultisigState = load_state(rt)?;
    if !state.is_signer(&from) {
        return Err(ActorError::forbidden(format!("{from} is not a signer")));
    }
    if state.is_signer(&to) {
        return Err(ActorError::illegal_argument(format!("{to} is already a signer")));
    }
    state.signers.retain(|s| s != &from);
    state.signers.push(to);
    state.purge_approvals(rt.store(), &from)?;
    save_state(rt, &state)?;
    ret_none()
}

/// ChangeNumApprovalsThreshold (itself): between 1 and the number of signers.
fn change_threshold(rt: &mut dyn Runtime, p: ChangeNumApprovalsThresholdParams) -> ActorResult {
    require_self(rt)?;
    let mut state: MultisigState = load_state(rt)?;
    if p.new_threshold == 0 || p.new_threshold > state.signers.len() as u64 {
        return Err(ActorError::illegal_argument("new threshold value not supported"));
    }
    state.num_approvals_threshold = p.new_threshold;
    save_state(rt, &state)?;
    ret_none()
}

/// LockBalance (itself): sets up vesting once, on a multisig that has none.
fn lock_balance(rt: &mut dyn Runtime, p: LockBalanceParams) -> ActorResult {
    require_self(rt)?;
    if p.unlock_duration <= 0 {
        return Err(ActorError::illegal_argument("unlock duration must be positive"));
    }
    if p.amount.is_negative() {
        return Err(ActorError::illegal_argument("amount to lock must be positive"));
    }
    let mut state: MultisigState = load_state(rt)?;
    if state.unlock_duration != 0 {
        return Err(ActorError::forbidden("modification of unlock disallowed"));
    }
    state.set_locked(p.start_epoch, p.unlock_duration, p.amount);
    save_state(rt, &state)?;
    ret_none()
}
