//! Helpers the integration tests of `chain` and `eth-rpc` share: Ethereum transactions signed
//! and encoded by alloy, which implements the signing rules independently of the code under
//! test, so a test of decoding or verification is not checking the code against itself.
//!
//! [`Tx`] holds the fields tests vary, with devnet defaults for the rest; [`sign_1559`] and
//! [`sign_legacy`] sign any transaction a test builds by hand (a wrong chain id, a huge input).

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;

/// The devnet's default chain id.
pub const CHAIN_ID: u64 = 31_415_926;
/// A fee cap well above the genesis base fee (1e8 attoFIL).
pub const FEE_CAP: u128 = 1_000_000_000;

/// A transaction to sign; `Tx::new(nonce)` has no recipient (a deployment), no value, no input,
/// a 50M gas limit, [`FEE_CAP`] and a 1,000 attoFIL tip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tx {
    /// The sender's nonce.
    pub nonce: u64,
    /// The recipient; `None` deploys.
    pub to: Option<Address>,
    /// Value, attoFIL.
    pub value: u128,
    /// Calldata or initcode.
    pub input: Vec<u8>,
    /// Gas limit (Filecoin gas).
    pub gas_limit: u64,
    /// `maxFeePerGas`, or the legacy `gasPrice`.
    pub fee_cap: u128,
    /// `maxPriorityFeePerGas` (EIP-1559 only).
    pub tip: u128,
}

impl Tx {
    /// See the type docs.
    pub const fn new(nonce: u64) -> Self {
        Self {
            nonce,
            to: None,
            value: 0,
            input: Vec::new(),
            gas_limit: 50_000_000,
            fee_cap: FEE_CAP,
            tip: 1_000,
        }
    }

    /// Signed and encoded as an EIP-1559 transaction for [`CHAIN_ID`].
    pub fn eip1559(self, key: &PrivateKeySigner) -> Vec<u8> {
        sign_1559(
            key,
            TxEip1559 {
                chain_id: CHAIN_ID,
                nonce: self.nonce,
                gas_limit: self.gas_limit,
                max_fee_per_gas: self.fee_cap,
                max_priority_fee_per_gas: self.tip,
                to: self.to.map_or(TxKind::Create, TxKind::Call),
                value: U256::from(self.value),
                access_list: Default::default(),
                input: Bytes::from(self.input),
            },
        )
    }

    /// Signed and encoded as a legacy transaction: EIP-155 with `chain_id`, Homestead without.
    pub fn legacy(self, key: &PrivateKeySigner, chain_id: Option<u64>) -> Vec<u8> {
        sign_legacy(
            key,
            TxLegacy {
                chain_id,
                nonce: self.nonce,
                gas_price: self.fee_cap,
                gas_limit: self.gas_limit,
                to: self.to.map_or(TxKind::Create, TxKind::Call),
                value: U256::from(self.value),
                input: Bytes::from(self.input),
            },
        )
    }
}

/// Signs and encodes an EIP-1559 transaction.
///
/// # Panics
/// If the key cannot sign (it always can: a local key).
pub fn sign_1559(key: &PrivateKeySigner, tx: TxEip1559) -> Vec<u8> {
    let signature = key.sign_hash_sync(&tx.signature_hash()).expect("a local key signs");
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

/// Signs and encodes a legacy transaction.
///
/// # Panics
/// If the key cannot sign (it always can: a local key).
pub fn sign_legacy(key: &PrivateKeySigner, tx: TxLegacy) -> Vec<u8> {
    let signature = key.sign_hash_sync(&tx.signature_hash()).expect("a local key signs");
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}
