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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field set, hand-encoded from the field order: an address is its bytes (protocol,
    /// then LEB128 ID), an amount its sign byte then big-endian magnitude, a signature its type
    /// byte then the raw bytes, and the extra call and each merge are tuples of their own.
    #[test]
    fn a_full_voucher_and_its_signing_bytes_match_a_hand_encoding() {
        let sv = SignedVoucher {
            channel_addr: Address::new_id(100),
            time_lock_min: 5,
            time_lock_max: 1000,
            secret_pre_image: vec![0xaa, 0xbb],
            extra: Some(ModVerifyParams {
                actor: Address::new_id(99),
                method: 7,
                data: RawBytes::new(vec![0x80]),
            }),
            lane: 3,
            nonce: 24,
            amount: TokenAmount::from_atto(256),
            min_settle_height: -1,
            merges: vec![Merge { lane: 1, nonce: 2 }],
            signature: Some(Signature::new_secp256k1(vec![1, 2])),
        };
        let body = [
            0x42, 0x00, 0x64, // channel_addr f0100
            0x05, // time_lock_min
            0x19, 0x03, 0xe8, // time_lock_max 1000
            0x42, 0xaa, 0xbb, // secret_pre_image
            0x83, 0x42, 0x00, 0x63, 0x07, 0x41, 0x80, // extra [f099, 7, h'80']
            0x03, // lane
            0x18, 0x18, // nonce 24
            0x43, 0x00, 0x01, 0x00, // amount 256 atto
            0x20, // min_settle_height -1
            0x81, 0x82, 0x01, 0x02, // merges [[1, 2]]
        ];
        let mut signed = vec![0x8b];
        signed.extend_from_slice(&body);
        let mut unsigned = signed.clone();
        signed.extend_from_slice(&[0x43, 0x01, 0x01, 0x02]); // secp signature h'01 0102'
        unsigned.push(0xf6); // null

        assert_eq!(fvm_ipld_encoding::to_vec(&sv).unwrap(), signed);
        assert_eq!(sv.signing_bytes().unwrap(), unsigned);
        let back: SignedVoucher = fvm_ipld_encoding::from_slice(&signed).unwrap();
        assert_eq!(back, sv);
    }

    #[test]
    fn update_params_are_the_voucher_then_the_secret() {
        let sv = SignedVoucher {
            channel_addr: Address::new_id(100),
            time_lock_min: 0,
            time_lock_max: 0,
            secret_pre_image: vec![],
            extra: None,
            lane: 0,
            nonce: 1,
            amount: TokenAmount::from_atto(10),
            min_settle_height: 0,
            merges: vec![],
            signature: None,
        };
        let p = UpdateChannelStateParams { sv, secret: b"hi".to_vec() };
        let bytes = fvm_ipld_encoding::to_vec(&p).unwrap();
        let voucher = [
            0x8b, 0x42, 0x00, 0x64, 0x00, 0x00, 0x40, 0xf6, 0x00, 0x01, 0x42, 0x00, 0x0a, 0x00,
            0x80, 0xf6,
        ];
        let mut expected = vec![0x82];
        expected.extend_from_slice(&voucher);
        expected.extend_from_slice(&[0x42, b'h', b'i']);
        assert_eq!(bytes, expected);
    }
}
