//! Dev keys and pre-signed transactions: everything is signed before a clock starts, so the
//! timed loops only send bytes.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, TxKind, U256, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English};
use alloy_sol_types::SolCall;
use anyhow::{Context, Result};
use bytes::Bytes;
use serde_json::json;
use solidity_fixtures::Token;

use crate::node::CHAIN_ID;
use crate::rpc::request_body;

/// The mnemonic both nodes derive their dev accounts from (their shared default).
const MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Dev accounts both nodes fund at genesis by default.
pub(crate) const DEV_ACCOUNTS: u32 = 10;

/// The dev accounts' keys, m/44'/60'/0'/0/i.
pub(crate) fn dev_keys() -> Result<Vec<PrivateKeySigner>> {
    (0..DEV_ACCOUNTS)
        .map(|i| {
            MnemonicBuilder::<English>::default()
                .phrase(MNEMONIC)
                .index(i)
                .and_then(|b| b.build())
                .with_context(|| format!("derive dev key {i}"))
        })
        .collect()
}

/// EIP-1559 fee fields for a node, read from it just before signing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fees {
    /// Fee cap: far above the base fee, so that full tipsets (whose base fee rises) never
    /// leave a pre-signed transaction below it.
    pub(crate) max_fee: u128,
    /// Tip.
    pub(crate) priority: u128,
}

impl Fees {
    /// Ten times the current base fee plus the node's suggested tip.
    pub(crate) fn from_node(base_fee: u128, priority: u128) -> Self {
        Self { max_fee: base_fee.saturating_mul(10).saturating_add(priority), priority }
    }
}

/// A signed transaction and the request bodies that use it.
#[derive(Clone, Debug)]
pub(crate) struct SignedTx {
    /// The EIP-2718 bytes.
    pub(crate) raw: Vec<u8>,
    /// keccak of `raw`.
    pub(crate) hash: B256,
    /// `eth_sendRawTransaction` body.
    pub(crate) send_body: Bytes,
    /// `eth_getTransactionReceipt` body.
    pub(crate) receipt_body: Bytes,
}

/// What to sign.
#[derive(Clone, Debug)]
pub(crate) struct TxRequest {
    /// Sender's nonce.
    pub(crate) nonce: u64,
    /// `None` deploys.
    pub(crate) to: Option<Address>,
    /// Calldata or initcode.
    pub(crate) input: Vec<u8>,
    /// Gas limit.
    pub(crate) gas: u64,
}

/// Signs an EIP-1559 transaction for [`CHAIN_ID`].
pub(crate) fn sign(key: &PrivateKeySigner, request: TxRequest, fees: Fees) -> Result<SignedTx> {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: request.nonce,
        gas_limit: request.gas,
        max_fee_per_gas: fees.max_fee,
        max_priority_fee_per_gas: fees.priority,
        to: request.to.map_or(TxKind::Create, TxKind::Call),
        value: U256::ZERO,
        access_list: Default::default(),
        input: request.input.into(),
    };
    let signature = key.sign_hash_sync(&tx.signature_hash()).context("sign transaction")?;
    let raw = TxEnvelope::from(tx.into_signed(signature)).encoded_2718();
    let hash = keccak256(&raw);
    let hex = format!("0x{}", alloy_primitives::hex::encode(&raw));
    Ok(SignedTx {
        send_body: request_body("eth_sendRawTransaction", &json!([hex])),
        receipt_body: request_body("eth_getTransactionReceipt", &json!([hash])),
        raw,
        hash,
    })
}

/// Distinct transfer recipients. The setup gives each a balance first, so every round runs
/// on the same steady state: on FEVM a transfer's gas grows with the number of holders (the
/// contract's storage KAMT nodes are re-persisted on write), from ~5.5M on a fresh token to
/// ~14M at a few hundred holders, and a state that grew from round to round would drift.
pub(crate) const RECIPIENTS: usize = 200;

/// The i-th transfer recipient (one of [`RECIPIENTS`]).
pub(crate) fn recipient(i: usize) -> Address {
    let word = keccak256(((i % RECIPIENTS) as u64).to_be_bytes());
    Address::from_word(word)
}

/// `n` token transfers of 1 unit, round-robin over `keys`, starting at each sender's nonce in
/// `nonces` (advanced as they are used).
pub(crate) fn transfers(
    keys: &[PrivateKeySigner],
    nonces: &mut [u64],
    token: Address,
    gas: u64,
    fees: Fees,
    n: usize,
) -> Result<Vec<SignedTx>> {
    (0..n)
        .map(|i| {
            let sender = i % keys.len();
            let call = Token::transferCall { to: recipient(i), value: U256::from(1u64) };
            let request =
                TxRequest { nonce: nonces[sender], to: Some(token), input: call.abi_encode(), gas };
            nonces[sender] += 1;
            sign(&keys[sender], request, fees)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_keys_are_the_standard_ones() {
        let keys = dev_keys().unwrap();
        assert_eq!(keys.len(), 10);
        let first: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse().unwrap();
        assert_eq!(keys[0].address(), first);
    }

    #[test]
    fn transfers_advance_each_senders_nonce() {
        let keys = dev_keys().unwrap();
        let mut nonces = vec![5; 2];
        let fees = Fees::from_node(100, 1);
        let txs = transfers(&keys[..2], &mut nonces, Address::ZERO, 60_000, fees, 5).unwrap();
        assert_eq!(nonces, [8, 7]);
        assert_eq!(txs.len(), 5);
        assert_eq!(txs[0].hash, keccak256(&txs[0].raw));
        assert_eq!(fees.max_fee, 1001);
    }
}
