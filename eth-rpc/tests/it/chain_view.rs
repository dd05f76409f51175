//! End-to-end tests of the chain view: blocks, transactions, receipts, logs, filters and
//! subscriptions, against a real devnet and gateway per test. Wire formats are asserted on the
//! raw JSON; expected values come from the node itself (tipsets, receipts, fees) or from what
//! the test signed.

mod blocks;
mod filters;
mod logs;
mod native;
mod receipts;
mod subscriptions;
mod transactions;

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolEvent};
use chain::{DevApi, FullNode, Tipset};
use serde_json::{Value, json};
use solidity_fixtures::Token;

pub(crate) use crate::support::{
    CHAIN_ID, FEE_CAP, GAS, TIP, TestNet, Tx, from_json, key, send_raw, sign_1559,
};

/// The Token fixture's supply in the scenario.
pub(crate) const SUPPLY: u64 = 1_000;

/// A signed EIP-1559 transaction with the default gas settings.
pub(crate) fn eip1559(
    key: &PrivateKeySigner,
    nonce: u64,
    to: Option<Address>,
    input: Vec<u8>,
) -> Vec<u8> {
    Tx { to, input, gas_limit: GAS, tip: TIP, ..Tx::new(nonce) }.eip1559(key)
}

/// Mines one tipset (manual nets) and returns it.
pub(crate) fn mine(net: &TestNet) -> Arc<Tipset> {
    net.node.mine(1).expect("mines").pop().expect("a tipset")
}

/// The tipset at `height`.
pub(crate) fn tipset(net: &TestNet, height: i64) -> Arc<Tipset> {
    net.node.chain_get_tipset_by_height(height).expect("read").expect("tipset exists")
}

/// A quantity as it appears on the wire.
pub(crate) fn qty(n: impl Into<u128>) -> Value {
    json!(format!("{:#x}", n.into()))
}

/// An address as a 32-byte topic.
pub(crate) fn topic(address: Address) -> B256 {
    address.into_word()
}

/// `transfer(to, value)` calldata.
pub(crate) fn transfer(to: Address, value: u64) -> Vec<u8> {
    Token::transferCall { to, value: U256::from(value) }.abi_encode()
}

/// A manual-mining devnet with a token and a few transfers:
///
/// * block 1: account 0 deploys Token (minting [`SUPPLY`] to itself, one `Transfer` log) and
///   transfers 25 to account 1 (a second log, `logIndex` 1);
/// * block 2: account 0 transfers 5 to account 2, and account 1 tries to transfer more than it
///   has (reverts, no log).
pub(crate) struct Scenario {
    pub(crate) net: TestNet,
    pub(crate) token: Address,
    pub(crate) accounts: [Address; 3],
    pub(crate) deploy: B256,
    pub(crate) deploy_raw: Vec<u8>,
    pub(crate) transfer1: B256,
    pub(crate) transfer2: B256,
    pub(crate) failed: B256,
}

impl Scenario {
    pub(crate) async fn build() -> Self {
        let net = TestNet::manual().await;
        let (k0, k1) = (key(&net, 0), key(&net, 1));
        let accounts = [k0.address(), k1.address(), key(&net, 2).address()];
        let token = k0.address().create(0);
        let initcode = solidity_fixtures::initcode(
            &Token::BYTECODE,
            &Token::constructorCall { supply: U256::from(SUPPLY) },
        );
        let deploy_raw = eip1559(&k0, 0, None, initcode);
        let deploy = send_raw(&net, &deploy_raw).await;
        let transfer1 =
            send_raw(&net, &eip1559(&k0, 1, Some(token), transfer(accounts[1], 25))).await;
        let block1 = mine(&net);
        assert_eq!(block1.eth_hashes, vec![deploy, transfer1], "block 1 holds both");
        let transfer2 =
            send_raw(&net, &eip1559(&k0, 2, Some(token), transfer(accounts[2], 5))).await;
        let failed =
            send_raw(&net, &eip1559(&k1, 0, Some(token), transfer(accounts[2], 1_000))).await;
        let block2 = mine(&net);
        assert_eq!(block2.eth_hashes.len(), 2, "block 2 holds both");
        Self { net, token, accounts, deploy, deploy_raw, transfer1, transfer2, failed }
    }

    /// The `Transfer` event's topic 0.
    pub(crate) fn transfer_topic() -> B256 {
        Token::Transfer::SIGNATURE_HASH
    }
}
