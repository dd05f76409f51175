//! A node per test, and transactions signed by alloy (an independent implementation of the
//! Ethereum signing rules).

use std::time::{Duration, Instant};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address as EthAddress, B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use chain::{
    ChainConfig, DevNode, FullNode, MessageLocation, MiningMode, PendingMessage, PushError,
};
use evm_actor::methods::INVOKE_CONTRACT_METHOD;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

pub(crate) const CHAIN_ID: u64 = 31_415_926;
/// A gas limit comfortably above any inclusion cost.
pub(crate) const GAS: u64 = 50_000_000;
/// Fee cap well above the genesis base fee (1e8).
pub(crate) const FEE_CAP: u128 = 1_000_000_000;
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
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: GAS,
        max_fee_per_gas: FEE_CAP,
        max_priority_fee_per_gas: TIP,
        to: to.map_or(TxKind::Create, TxKind::Call),
        value: U256::from(value),
        access_list: Default::default(),
        input: Bytes::from(input),
    };
    sign_1559(key, tx)
}

pub(crate) fn sign_1559(key: &PrivateKeySigner, tx: TxEip1559) -> Vec<u8> {
    let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

/// A legacy transaction; EIP-155 when `chain_id` is set, Homestead otherwise.
pub(crate) fn legacy(
    key: &PrivateKeySigner,
    nonce: u64,
    to: EthAddress,
    value: u128,
    chain_id: Option<u64>,
) -> Vec<u8> {
    let tx = TxLegacy {
        chain_id,
        nonce,
        gas_price: FEE_CAP,
        gas_limit: GAS,
        to: TxKind::Call(to),
        value: U256::from(value),
        input: Bytes::new(),
    };
    let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

pub(crate) fn push(node: &DevNode, raw: &[u8]) -> PendingMessage {
    node.mpool_push_eth(raw).unwrap_or_else(|e| panic!("push refused: {e}"))
}

pub(crate) fn refusal(node: &DevNode, raw: &[u8]) -> PushError {
    node.mpool_push_eth(raw).expect_err("push should be refused")
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
