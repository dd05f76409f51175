//! Chain identity, the `Filecoin.` address helpers and the dev mining methods.

use address_mapping::{Network, eth_to_filecoin, format_address, masked_id_address};
use alloy_primitives::Address;
use chain::{ChainConfig, FullNode, MiningMode};
use serde_json::json;

use super::*;
use crate::support::TestNet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_identity() {
    let net = TestNet::start().await;
    assert_eq!(net.call("eth_chainId", json!([])).await, "0x1df5e76");
    assert_eq!(net.call("net_version", json!([])).await, "31415926");
    assert_eq!(net.call("eth_syncing", json!([])).await, false);
    assert_eq!(net.call("eth_protocolVersion", json!([])).await, "0x1b");

    let other = TestNet::with(ChainConfig { chain_id: 314_159, ..ChainConfig::default() }).await;
    assert_eq!(other.call("eth_chainId", json!([])).await, "0x4cb2f");
    assert_eq!(other.call("net_version", json!([])).await, "314159");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eth_addresses_to_filecoin_and_back() {
    let config =
        ChainConfig { mining: MiningMode::Manual, f1_accounts: 1, ..ChainConfig::default() };
    let net = TestNet::with(config).await;
    let dev = key(&net, 0).address();
    let f410 = format_address(&eth_to_filecoin(&dev).unwrap(), Network::Mainnet);
    assert!(f410.starts_with("f410f"), "{f410}");

    let to_fil = |address: serde_json::Value| {
        let net = &net;
        async move { net.call("Filecoin.EthAddressToFilecoinAddress", json!([address])).await }
    };
    assert_eq!(to_fil(json!(dev)).await, f410.as_str());
    assert_eq!(to_fil(json!(masked_id_address(1234))).await, "f01234");
    assert_eq!(to_fil(json!(Address::ZERO)).await, "f410faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaonc6iji");

    let to_eth = |params: serde_json::Value| {
        let net = &net;
        async move { net.raw("Filecoin.FilecoinAddressToEthAddress", params).await }
    };
    let ok = |response: serde_json::Value| -> Address {
        from_json(response.get("result").cloned().unwrap_or_else(|| panic!("{response}")))
    };
    assert_eq!(ok(to_eth(json!([f410])).await), dev);
    let testnet = format!("t{}", &f410[1..]);
    assert_eq!(ok(to_eth(json!([testnet, "latest"])).await), dev);
    assert_eq!(ok(to_eth(json!(["f01234"])).await), masked_id_address(1234));

    // An f1 account resolves to its actor ID, at the block asked for.
    let native = net.node.native_accounts()[0].address;
    let f1 = format_address(&native, Network::Mainnet);
    assert!(f1.starts_with("f1"), "{f1}");
    let (id, _) =
        net.node.state_get_actor(&native, &net.node.chain_head()).unwrap().expect("genesis f1");
    assert_eq!(ok(to_eth(json!([f1])).await), masked_id_address(id));
    assert_eq!(ok(to_eth(json!([f1, "0x0"])).await), masked_id_address(id));

    // An f1 address nobody has used yet: no ID to report.
    let fresh = fvm_shared::address::Address::new_secp256k1(&[4; 65]).unwrap();
    let unknown = format_address(&fresh, Network::Mainnet);
    let missing = to_eth(json!([unknown])).await;
    assert_eq!(missing["error"]["code"], -32001, "{missing}");
    let garbage = to_eth(json!(["f9nope"])).await;
    assert_eq!(garbage["error"]["code"], -32602, "{garbage}");
    let bad = net.error("Filecoin.EthAddressToFilecoinAddress", json!(["0x1234"])).await;
    assert_eq!(bad["code"], -32602, "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evm_mine_and_anvil_mine_mine_now() {
    let net = TestNet::manual().await;
    let start = net.node.chain_head().height();
    assert_eq!(net.call("evm_mine", json!([])).await, "0x0");
    assert_eq!(net.node.chain_head().height(), start + 1);
    assert_eq!(net.call("anvil_mine", json!(["0x3"])).await, serde_json::Value::Null);
    assert_eq!(net.node.chain_head().height(), start + 4);
    assert_eq!(net.call("anvil_mine", json!([])).await, serde_json::Value::Null);
    assert_eq!(net.node.chain_head().height(), start + 5);

    // A pending transaction goes into the mined tipset.
    let alice = key(&net, 0);
    let hash =
        send_raw(&net, &eip1559(&alice, 0, Some(Address::repeat_byte(1)), 1, vec![], GAS)).await;
    assert!(net.node.state_search_tx(&hash).unwrap().is_none());
    net.call("evm_mine", json!([])).await;
    let at = mined(&net, hash).await;
    assert_eq!(at.height, start + 6);

    // Timestamps cannot be chosen.
    let err = net.error("evm_mine", json!([1_900_000_000])).await;
    assert_eq!(err["code"], -32602, "{err}");
    let err = net.error("anvil_mine", json!(["0x1", "0xc"])).await;
    assert_eq!(err["code"], -32602, "{err}");
    let err = net.error("anvil_mine", json!(["0xffffffff"])).await;
    assert_eq!(err["code"], -32005, "{err}");
    assert_eq!(net.node.chain_head().height(), start + 6);
}
