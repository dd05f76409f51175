//! Ethereum transaction ⇄ Filecoin message conversion (`chain::eth_tx`).
//!
//! Transactions are signed by alloy (`PrivateKeySigner` + alloy-consensus), independently of the
//! code under test, plus two published vectors: the EIP-155 example from the EIP itself and the
//! pre-EIP-155 deterministic-deployment-proxy transaction (the motivating case of FIP-0091).

use std::str::FromStr;

use alloy_consensus::{SignableTransaction, Signed, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{
    Address as EthAddress, B256, Bytes, Signature, TxKind, U256, hex, keccak256,
};
use alloy_rlp::{Encodable, Header};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use chain::eth_tx::{
    EthTxKind, MAX_RAW_TX_BYTES, TxError, cid_from_eth_hash, decode_raw_transaction,
    eth_hash_from_cid, eth_hash_of_message, eth_transaction_from_message, verify_delegated,
};
use chain::message::{SigType, SignedMessage, message_cid};
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use proptest::prelude::*;

const CHAIN_ID: u64 = 314_159;
const INVOKE_CONTRACT: u64 = 3_844_450_837;
const CREATE_EXTERNAL: u64 = 4;
const HARDHAT_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const HARDHAT_ADDRESS: EthAddress =
    EthAddress::new(hex!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
const RECIPIENT: EthAddress = EthAddress::new(hex!("70997970C51812dc3A010C7d01b50e0d17dc79C8"));
/// secp256k1 group order.
const SECP256K1_N: U256 =
    U256::from_be_bytes(hex!("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));

// --- helpers ------------------------------------------------------------------------------

fn signer() -> PrivateKeySigner {
    PrivateKeySigner::from_str(HARDHAT_KEY).unwrap()
}

fn sign<T: SignableTransaction<Signature>>(tx: T) -> Signed<T> {
    let sig = signer().sign_hash_sync(&tx.signature_hash()).unwrap();
    tx.into_signed(sig)
}

fn raw<T>(signed: Signed<T>) -> Vec<u8>
where
    TxEnvelope: From<Signed<T>>,
{
    TxEnvelope::from(signed).encoded_2718()
}

fn f410(address: EthAddress) -> Address {
    Address::new_delegated(10, address.as_slice()).unwrap()
}

fn atto(value: impl Into<BigInt>) -> TokenAmount {
    TokenAmount::from_atto(value)
}

fn cbor_bytes(data: &[u8]) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(&BytesSer(data)).unwrap()
}

fn tx1559(to: TxKind, input: &[u8]) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 7,
        gas_limit: 3_000_000,
        max_fee_per_gas: 2_000_000_000,
        max_priority_fee_per_gas: 100_000,
        to,
        value: U256::from(1_000_000_000_000_000_000u128),
        access_list: AccessList::default(),
        input: Bytes::copy_from_slice(input),
    }
}

fn tx_legacy(chain_id: Option<u64>, to: TxKind, input: &[u8]) -> TxLegacy {
    TxLegacy {
        chain_id,
        nonce: 3,
        gas_price: 1_500_000_000,
        gas_limit: 1_000_000,
        to,
        value: U256::from(12_345u64),
        input: Bytes::copy_from_slice(input),
    }
}

/// Calldata of `transfer(RECIPIENT, 1)`.
fn calldata() -> Vec<u8> {
    let mut data = hex!("a9059cbb").to_vec();
    data.extend_from_slice(&[0; 12]);
    data.extend_from_slice(RECIPIENT.as_slice());
    data.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
    data
}

/// The opening of a solc initcode (deployment is not executed here).
const INITCODE: [u8; 15] = hex!("6080604052348015600f57600080fd");

/// Decodes `raw`, checks everything that does not depend on the tx type, and checks that the
/// message converts back to exactly `raw`.
fn decode_and_round_trip(raw: &[u8], chain_id: u64) -> SignedMessage {
    let tx = decode_raw_transaction(raw, chain_id).unwrap();
    assert_eq!(tx.hash(), keccak256(raw));
    let smsg = tx.message().clone();
    assert_eq!(smsg.signature.sig_type, SigType::Delegated);
    assert_eq!(smsg.message.version, 0);
    assert_eq!(smsg.message.from, f410(tx.sender()));

    let rebuilt = eth_transaction_from_message(&smsg, chain_id).unwrap();
    assert_eq!(rebuilt.encoded_2718(), raw, "reverse conversion must give back the raw tx");
    assert_eq!(&rebuilt, tx.envelope());
    assert_eq!(eth_hash_of_message(&smsg, chain_id).unwrap(), tx.hash());
    assert_eq!(verify_delegated(&smsg, chain_id).unwrap(), tx.sender());
    // The message survives its own CBOR encoding.
    assert_eq!(SignedMessage::from_bytes(&smsg.to_bytes()).unwrap(), smsg);
    smsg
}

fn r_s(sig: &Signature) -> Vec<u8> {
    [sig.r().to_be_bytes::<32>(), sig.s().to_be_bytes::<32>()].concat()
}

mod conversions;
mod properties;
mod rejections;
mod verify;
