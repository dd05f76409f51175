//! End-to-end tests of the state, call, send, fee and Filecoin methods: a real devnet and
//! gateway per test, driven with alloy (provider, signers) and with raw JSON where the wire
//! format is the point.

mod calls;
mod deals;
mod fees;
mod filecoin;
mod miner;
mod overrides;
mod send;
mod signing;
mod state;
mod storage;

use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, Bytes, hex};
use alloy_signer_local::PrivateKeySigner;
use chain::{DevApi, FullNode, MessageLocation};
use fvm_shared::receipt::Receipt;
use serde_json::json;

pub(crate) use crate::support::{
    CHAIN_ID, FEE_CAP, GAS, TIP, TestNet, Tx, from_json, key, send_raw, sign_1559,
};

/// One FIL in attoFIL.
pub(crate) const FIL: u128 = 1_000_000_000_000_000_000;

/// A signed EIP-1559 transaction.
pub(crate) fn eip1559(
    key: &PrivateKeySigner,
    nonce: u64,
    to: Option<Address>,
    value: u128,
    input: Vec<u8>,
    gas_limit: u64,
) -> Vec<u8> {
    Tx { to, value, input, gas_limit, tip: TIP, ..Tx::new(nonce) }.eip1559(key)
}

/// A signed legacy transfer: EIP-155 with `chain_id`, Homestead without.
pub(crate) fn legacy(
    key: &PrivateKeySigner,
    nonce: u64,
    to: Address,
    value: u128,
    chain_id: Option<u64>,
) -> Vec<u8> {
    Tx { to: Some(to), value, gas_limit: GAS, ..Tx::new(nonce) }.legacy(key, chain_id)
}

/// Waits until the transaction with `hash` is on chain (mining it first on a manual net).
pub(crate) async fn mined(net: &TestNet, hash: B256) -> MessageLocation {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(at) = net.node.state_search_tx(&hash).expect("search") {
            return at;
        }
        assert!(Instant::now() < deadline, "transaction {hash} was not mined");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The receipt of an included message.
pub(crate) fn receipt(net: &TestNet, at: MessageLocation) -> Receipt {
    let tipset = net.node.chain_get_tipset_by_height(at.height).expect("read").expect("tipset");
    net.node.chain_get_receipts(&tipset).expect("receipts").swap_remove(at.index as usize)
}

/// Sends, mines (on a manual net) and checks success; returns where it landed.
pub(crate) async fn execute(net: &TestNet, raw: &[u8], manual: bool) -> MessageLocation {
    let hash = send_raw(net, raw).await;
    if manual {
        net.node.mine(1).expect("mines");
    }
    let at = mined(net, hash).await;
    let r = receipt(net, at);
    assert!(r.exit_code.is_success(), "transaction failed: exit {}", r.exit_code);
    at
}

/// The next nonce of dev account `key` (counting pending transactions).
pub(crate) fn next_nonce(net: &TestNet, key: &PrivateKeySigner) -> u64 {
    let f410 = address_mapping::eth_to_filecoin(&key.address()).expect("f410");
    net.node.mpool_get_nonce(&f410).expect("nonce")
}

/// Deploys `initcode` from `key`; returns the contract address and the deployment's height.
pub(crate) async fn deploy(
    net: &TestNet,
    key: &PrivateKeySigner,
    initcode: Vec<u8>,
    manual: bool,
) -> (Address, i64) {
    let nonce = next_nonce(net, key);
    let at = execute(net, &eip1559(key, nonce, None, 0, initcode, GAS), manual).await;
    (key.address().create(nonce), at.height)
}

/// `eth_call` of `calldata` on `to` at the latest block; the decoded return data.
pub(crate) async fn call(net: &TestNet, to: Address, calldata: Vec<u8>) -> Bytes {
    from_json(
        net.call("eth_call", json!([{"to": to, "input": hex::encode_prefixed(calldata)}])).await,
    )
}

/// A quantity as hex, as blocks are named on the wire.
pub(crate) fn qty(n: impl Into<u128>) -> String {
    format!("{:#x}", n.into())
}
