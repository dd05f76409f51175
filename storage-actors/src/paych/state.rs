//! The payment channel's state: the two parties (ID addresses), what `to` will be paid, the
//! settlement epochs, and the lanes (an AMT of bit width 3 indexed by lane number).

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

/// The channel's state, field for field as the network stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PaychState {
    /// The payer (funds the channel).
    pub from: Address,
    /// The payee.
    pub to: Address,
    /// Redeemed so far: paid to `to` at `Collect`.
    pub to_send: TokenAmount,
    /// Epoch from which `Collect` may run (0: not settling).
    pub settling_at: ChainEpoch,
    /// Settlement can be no earlier than this.
    pub min_settle_height: ChainEpoch,
    /// AMT of [`LaneState`].
    pub lane_states: Cid,
}

/// One lane: the total redeemed on it and the last voucher's nonce.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct LaneState {
    /// Total redeemed.
    pub redeemed: TokenAmount,
    /// Nonce of the last voucher redeemed (or merged) on it.
    pub nonce: u64,
}

/// A lane merged into the voucher's lane, with the nonce it moves to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Merge {
    /// The lane.
    pub lane: u64,
    /// Its new nonce.
    pub nonce: u64,
}
