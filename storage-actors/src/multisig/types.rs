//! The multisig's method numbers, limits, and the parameters and returns of its methods, in
//! the network's CBOR tuple encodings.

use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{RawBytes, strict_bytes};
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use filecoin_vm::ActorError;

/// `Propose`: a signer proposes a send from the multisig (its own approval included).
pub const PROPOSE_METHOD: MethodNum = 2;
/// `Approve`: a signer approves a pending proposal.
pub const APPROVE_METHOD: MethodNum = 3;
/// `Cancel`: the proposer withdraws a pending proposal.
pub const CANCEL_METHOD: MethodNum = 4;
/// `AddSigner` (the multisig itself only).
pub const ADD_SIGNER_METHOD: MethodNum = 5;
/// `RemoveSigner` (the multisig itself only).
pub const REMOVE_SIGNER_METHOD: MethodNum = 6;
/// `SwapSigner` (the multisig itself only).
pub const SWAP_SIGNER_METHOD: MethodNum = 7;
/// `ChangeNumApprovalsThreshold` (the multisig itself only).
pub const CHANGE_NUM_APPROVALS_THRESHOLD_METHOD: MethodNum = 8;
/// `LockBalance` (the multisig itself only).
pub const LOCK_BALANCE_METHOD: MethodNum = 9;
/// `Receive`, the universal receiver hook (FRC-42 number of "Receive"): always accepted.
pub const UNIVERSAL_RECEIVER_HOOK_METHOD: MethodNum = crate::token::RECEIVER_HOOK_METHOD;

/// The most signers a multisig may have (more call for a tree of multisigs).
pub const SIGNERS_MAX: usize = 256;

/// A pending transaction's ID: a signed integer, stored as a zigzag-varint HAMT key.
pub type TxnId = i64;

/// A pending transaction: `[to, value, method, params, approved]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Transaction {
    /// The recipient of the send.
    pub to: Address,
    /// The value sent.
    pub value: TokenAmount,
    /// The method called.
    pub method: MethodNum,
    /// Its parameters (the raw CBOR bytes).
    pub params: RawBytes,
    /// The signers (ID addresses) that approved it, proposer first.
    pub approved: Vec<Address>,
}

/// What the proposal hash digests: `[requester|null, to, value, method, params]`, the
/// requester being the proposer (first approver). It binds an `Approve` or `Cancel` to the
/// proposal its sender saw, even if a re-org gave that transaction ID to another proposal.
#[derive(Debug, Serialize_tuple)]
pub struct ProposalHashData<'a> {
    /// The proposer, `null` for a transaction nobody approves any more.
    pub requester: Option<&'a Address>,
    /// The recipient.
    pub to: &'a Address,
    /// The value.
    pub value: &'a TokenAmount,
    /// The method.
    pub method: &'a MethodNum,
    /// The parameters.
    pub params: &'a RawBytes,
}

/// What the constructor takes: `[signers, num_approvals_threshold, unlock_duration,
/// start_epoch]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The signers, any address kind (resolved to IDs, key addresses get accounts).
    pub signers: Vec<Address>,
    /// Approvals needed to execute a proposal.
    pub num_approvals_threshold: u64,
    /// Epochs over which the value received vests linearly (0: nothing is locked).
    pub unlock_duration: ChainEpoch,
    /// The epoch vesting starts.
    pub start_epoch: ChainEpoch,
}

/// What `Propose` takes: `[to, value, method, params]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProposeParams {
    /// The recipient of the send.
    pub to: Address,
    /// The value to send.
    pub value: TokenAmount,
    /// The method to call.
    pub method: MethodNum,
    /// Its parameters.
    pub params: RawBytes,
}

/// What `Propose` returns: `[txn_id, applied, code, ret]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProposeReturn {
    /// The new transaction's ID.
    pub txn_id: TxnId,
    /// Whether it executed (the proposer's approval alone met the threshold).
    pub applied: bool,
    /// The exit code of the executed send (meaningless when not applied).
    pub code: ExitCode,
    /// What the executed send returned (empty when not applied).
    pub ret: RawBytes,
}

/// What `Approve` and `Cancel` take: `[id, proposal_hash]`; an empty hash skips the check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TxnIdParams {
    /// The transaction.
    pub id: TxnId,
    /// blake2b-256 of the transaction's [`ProposalHashData`], or empty.
    #[serde(with = "strict_bytes")]
    pub proposal_hash: Vec<u8>,
}

/// What `Approve` returns: `[applied, code, ret]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ApproveReturn {
    /// Whether the transaction executed.
    pub applied: bool,
    /// The exit code of the executed send (meaningless when not applied).
    pub code: ExitCode,
    /// What the executed send returned.
    pub ret: RawBytes,
}

/// What `AddSigner` takes: `[signer, increase]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AddSignerParams {
    /// The new signer (an f1/f3 without an account gets one).
    pub signer: Address,
    /// Whether the threshold goes up by one with it.
    pub increase: bool,
}

/// What `RemoveSigner` takes: `[signer, decrease]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveSignerParams {
    /// The signer removed.
    pub signer: Address,
    /// Whether the threshold goes down by one with it.
    pub decrease: bool,
}

/// What `SwapSigner` takes: `[from, to]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SwapSignerParams {
    /// The signer replaced.
    pub from: Address,
    /// Its replacement.
    pub to: Address,
}

/// What `ChangeNumApprovalsThreshold` takes: `[new_threshold]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ChangeNumApprovalsThresholdParams {
    /// Between 1 and the number of signers.
    pub new_threshold: u64,
}

/// What `LockBalance` takes: `[start_epoch, unlock_duration, amount]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct LockBalanceParams {
    /// The epoch vesting starts (may be in the past, even negative).
    pub start_epoch: ChainEpoch,
    /// Epochs over which `amount` vests (positive).
    pub unlock_duration: ChainEpoch,
    /// The amount locked (non-negative).
    pub amount: TokenAmount,
}

/// The CBOR the proposal hash digests (see [`ProposalHashData`]).
pub fn proposal_hash_data(txn: &Transaction) -> Result<Vec<u8>, ActorError> {
    let data = ProposalHashData {
        requester: txn.approved.first(),
        to: &txn.to,
        value: &txn.value,
        method: &txn.method,
        params: &txn.params,
    };
    fvm_ipld_encoding::to_vec(&data)
        .map_err(|e| ActorError::illegal_state(format!("failed to encode proposal hash: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plumbing::method_hash;

    #[test]
    fn receive_is_the_frc42_hash() {
        assert_eq!(UNIVERSAL_RECEIVER_HOOK_METHOD, method_hash("Receive"));
    }

    #[test]
    fn proposal_hash_data_is_the_networks_tuple() {
        let mut txn = Transaction {
            to: Address::new_id(102),
            value: TokenAmount::from_atto(1),
            method: 0,
            params: RawBytes::default(),
            approved: vec![Address::new_id(101), Address::new_id(103)],
        };
        // [f0101, f0102, 1 atto, 0, h''], addresses and the amount as byte strings.
        let expected = [0x85, 0x42, 0x00, 0x65, 0x42, 0x00, 0x66, 0x42, 0x00, 0x01, 0x00, 0x40];
        assert_eq!(proposal_hash_data(&txn).unwrap(), expected);
        // No approver left: the requester is null.
        txn.approved.clear();
        assert_eq!(proposal_hash_data(&txn).unwrap()[..2], [0x85, 0xf6]);
    }

    #[test]
    fn returns_and_params_encode_as_tuples() {
        let ret = ProposeReturn {
            txn_id: -1,
            applied: true,
            code: ExitCode::USR_FORBIDDEN,
            ret: RawBytes::new(vec![0xaa]),
        };
        let bytes = fvm_ipld_encoding::to_vec(&ret).unwrap();
        assert_eq!(bytes, [0x84, 0x20, 0xf5, 0x12, 0x41, 0xaa]);
        let p = TxnIdParams { id: 3, proposal_hash: vec![1, 2] };
        assert_eq!(fvm_ipld_encoding::to_vec(&p).unwrap(), [0x82, 0x03, 0x42, 0x01, 0x02]);
    }
}
