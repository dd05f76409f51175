//! A node per test, and transactions signed by alloy (an independent implementation of the
//! Ethereum signing rules).

use std::time::{Duration, Instant};

use alloy_primitives::{Address as EthAddress, B256};
use alloy_signer_local::PrivateKeySigner;
use chain::{
    ChainConfig, DevApi, DevNode, FullNode, MessageLocation, MiningMode, NodeError, PendingMessage,
    PushError,
};
use evm_actor::methods::INVOKE_CONTRACT_METHOD;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
pub(crate) use test_support::{CHAIN_ID, FEE_CAP, Tx, sign_1559};

/// A gas limit comfortably above any inclusion cost.
pub(crate) const GAS: u64 = 50_000_000;
pub(crate) const TIP: u128 = 1_000;

pub(crate) fn config(mining: MiningMode) -> ChainConfig {
    ChainConfig { mining, accounts: 4, genesis_time: Some(1_700_000_000), ..ChainConfig::default() }
}

pub(crate) fn manual() -> DevNode {
    DevNode::start(config(MiningMode::Manual)).unwrap()
}

pub(crate) fn key(node: &DevNode, i: usize) -> PrivateKeySigner {
    node.dev_accounts()[i].signer.clone()
}

pub(crate) fn f410(address: EthAddress) -> Address {
    address_mapping::eth_to_filecoin(&address).unwrap()
}

/// An EIP-1559 transaction, signed and encoded.
pub(crate) fn eip1559(
    key: &PrivateKeySigner,
    nonce: u64,
    to: Option<EthAddress>,
    value: u128,
    input: Vec<u8>,
) -> Vec<u8> {
    Tx { to, value, input, gas_limit: GAS, tip: TIP, ..Tx::new(nonce) }.eip1559(key)
}

/// A legacy transaction; EIP-155 when `chain_id` is set, Homestead otherwise.
pub(crate) fn legacy(
    key: &PrivateKeySigner,
    nonce: u64,
    to: EthAddress,
    value: u128,
    chain_id: Option<u64>,
) -> Vec<u8> {
    Tx { to: Some(to), value, gas_limit: GAS, ..Tx::new(nonce) }.legacy(key, chain_id)
}

pub(crate) fn push(node: &DevNode, raw: &[u8]) -> PendingMessage {
    node.mpool_push_eth(raw).unwrap_or_else(|e| panic!("push refused: {e}"))
}

pub(crate) fn refusal(node: &DevNode, raw: &[u8]) -> PushError {
    match node.mpool_push_eth(raw).expect_err("push should be refused") {
        NodeError::Refused(refusal) => refusal,
        other => panic!("expected a pool refusal, got a node error: {other}"),
    }
}

/// The next head the node publishes; fails the test if none comes within a minute (a bound
/// for a broken miner, not a timing assertion).
pub(crate) fn next_head(
    heads: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<chain::Tipset>>,
) -> std::sync::Arc<chain::Tipset> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match heads.try_recv() {
            Ok(head) => return head,
            Err(tokio::sync::broadcast::error::TryRecvError::Empty) => {
                assert!(Instant::now() < deadline, "no head was published");
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => panic!("head subscription failed: {e}"),
        }
    }
}

/// Waits (instant or interval mining) until the message with this hash is on chain.
pub(crate) fn wait_for(node: &DevNode, hash: &B256) -> MessageLocation {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(at) = node.state_search_tx(hash).unwrap() {
            return at;
        }
        assert!(Instant::now() < deadline, "transaction {hash} was not mined");
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub(crate) fn balance(node: &DevNode, who: &Address) -> TokenAmount {
    let head = node.chain_head();
    node.state_get_actor(who, &head).unwrap().map(|(_, a)| a.balance).unwrap_or_default()
}

/// The receipt of an included message.
pub(crate) fn receipt(node: &DevNode, at: MessageLocation) -> fvm_shared::receipt::Receipt {
    let ts = node.chain_get_tipset_by_height(at.height).unwrap().unwrap();
    node.chain_get_receipts(&ts).unwrap().swap_remove(at.index as usize)
}

/// Deploys `initcode` from dev account 0 and mines; returns the contract's 0x address.
pub(crate) fn deploy(node: &DevNode, initcode: Vec<u8>) -> EthAddress {
    let k = key(node, 0);
    let nonce = node.mpool_get_nonce(&f410(k.address())).unwrap();
    let pending = push(node, &eip1559(&k, nonce, None, 0, initcode));
    node.mine(1).unwrap();
    let at = node.state_search_tx(&pending.eth_hash).unwrap().expect("deployed");
    let r = receipt(node, at);
    assert!(r.exit_code.is_success(), "deploy failed: {:?}", r.exit_code);
    let ret: evm_actor::methods::EamReturn =
        fvm_ipld_encoding::from_slice(r.return_data.bytes()).unwrap();
    EthAddress::from(ret.eth_address)
}

pub(crate) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fevm-chain-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A read-only `InvokeContract` message.
pub(crate) fn invoke(
    from: EthAddress,
    to: EthAddress,
    calldata: Vec<u8>,
    gas_limit: u64,
) -> Message {
    Message {
        version: 0,
        from: f410(from),
        to: f410(to),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: INVOKE_CONTRACT_METHOD,
        params: RawBytes::serialize(RawBytes::new(calldata)).unwrap(),
        gas_limit,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    }
}
