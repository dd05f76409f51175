//! The payment channel's method numbers, parameters and the voucher, as the network encodes
//! them.

use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{RawBytes, strict_bytes};
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::state::Merge;

/// `UpdateChannelState` (from or to).
pub const UPDATE_CHANNEL_STATE_METHOD: MethodNum = 2;
/// `Settle` (from or to).
pub const SETTLE_METHOD: MethodNum = 3;
/// `Collect` (from or to).
pub const COLLECT_METHOD: MethodNum = 4;

/// Lanes are numbered below 2^63.
pub const MAX_LANE: u64 = i64::MAX as u64;
/// Epochs between `Settle` and the earliest `Collect`: 12 hours.
pub const SETTLE_DELAY: ChainEpoch = 12 * 120;
/// Longest secret a voucher may be redeemed with.
pub const MAX_SECRET_SIZE: usize = 256;
/// Bit width of the lane states AMT.
pub const LANE_STATES_AMT_BIT_WIDTH: u32 = 3;
/// A voucher presented once the channel has settled.
pub const ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED: ExitCode = ExitCode::new(32);

/// The constructor's parameters (sent through init's `Exec`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The payer.
    pub from: Address,
    /// The payee.
    pub to: Address,
}

/// A call the voucher requires to succeed before it is honoured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ModVerifyParams {
    /// Whom to call.
    pub actor: Address,
    /// Which method.
    pub method: MethodNum,
    /// With these (CBOR) parameters.
    pub data: RawBytes,
}

/// A voucher: a signed promise of `amount` on one lane, redeemable by the other party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SignedVoucher {
    /// The channel it is for.
    pub channel_addr: Address,
    /// Not redeemable before this epoch.
    pub time_lock_min: ChainEpoch,
    /// Not redeemable after this epoch (0: never expires).
    pub time_lock_max: ChainEpoch,
    /// blake2b-256 of the secret the redeemer must show (empty: none).
    #[serde(with = "strict_bytes")]
    pub secret_pre_image: Vec<u8>,
    /// A call that must succeed.
    pub extra: Option<ModVerifyParams>,
    /// The lane.
    pub lane: u64,
    /// Must exceed the lane's nonce.
    pub nonce: u64,
    /// The lane's new total (not an increment).
    pub amount: TokenAmount,
    /// Delays settlement to at least this epoch.
    pub min_settle_height: ChainEpoch,
    /// Lanes merged into this one.
    pub merges: Vec<Merge>,
    /// The signer's signature over [`SignedVoucher::signing_bytes`].
    pub signature: Option<Signature>,
}

impl SignedVoucher {
    /// What the signer signs: the voucher's encoding with a null signature.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, fvm_ipld_encoding::Error> {
        let unsigned = Self { signature: None, ..self.clone() };
        fvm_ipld_encoding::to_vec(&unsigned)
    }
}

/// `UpdateChannelState`'s parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct UpdateChannelStateParams {
    /// The voucher.
    pub sv: SignedVoucher,
    /// The secret, when the voucher has a pre-image.
    #[serde(with = "strict_bytes")]
    pub secret: Vec<u8>,
}
