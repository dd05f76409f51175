//! A contract that owns a storage miner, through the gateway: it funds a BLS worker key,
//! creates the miner through power with itself as owner, reads it and withdraws from it with
//! filecoin-solidity-api's `MinerAPI`, as staking pools and provider contracts do.

use alloy_primitives::{I256, U256};
use alloy_sol_types::SolCall;
use fvm_shared::address::Address as FilAddress;
use solidity_fixtures::MinerClient;

use super::*;

fn leb128(mut bytes: &[u8]) -> u64 {
    let mut value = 0u64;
    let mut shift = 0;
    while let [byte, rest @ ..] = bytes {
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        bytes = rest;
        if byte & 0x80 == 0 {
            break;
        }
    }
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_creates_reads_and_withdraws_from_its_own_miner() {
    let net = TestNet::start().await;
    let owner = key(&net, 0);
    let (client, _) = deploy(&net, &owner, MinerClient::BYTECODE.to_vec(), false).await;
    let send = |nonce: u64, value: u128, input: Vec<u8>| {
        eip1559(&owner, nonce, Some(client), value, input, GAS)
    };
    // The worker must be a BLS account: the contract creates one by sending it FIL.
    let worker = chain::providers::provider_keys(chain::config::DEFAULT_MNEMONIC, 1).unwrap()[0]
        .worker
        .to_bytes();
    let nonce = next_nonce(&net, &owner);
    let fund = MinerClient::fundCall { target: worker.clone().into() }.abi_encode();
    execute(&net, &send(nonce, FIL, fund), false).await;

    let create = MinerClient::createMinerCall { worker: worker.clone().into() }.abi_encode();
    let request = json!([{
        "from": owner.address(),
        "to": client,
        "value": format!("{:#x}", 100 * FIL),
        "input": hex::encode_prefixed(&create),
    }]);
    let preview: Bytes = from_json(net.call("eth_call", request).await);
    let created = MinerClient::createMinerCall::abi_decode_returns(&preview).unwrap();
    assert_eq!(created._0, I256::ZERO);
    assert_eq!(created._1[0], 0, "an ID address");
    let miner = leb128(&created._1[1..]);
    execute(&net, &send(nonce + 1, 100 * FIL, create), false).await;

    // The contract is the owner (as its ID address) and a controlling address.
    let f410 = address_mapping::eth_to_filecoin(&client).unwrap();
    let head = net.node.chain_head();
    let (contract_id, _) = net.node.state_get_actor(&f410, &head).unwrap().unwrap();
    let out = call(&net, client, MinerClient::ownerCall { miner }.abi_encode()).await;
    let got = MinerClient::ownerCall::abi_decode_returns(&out).unwrap();
    assert_eq!(got._0, I256::ZERO);
    assert_eq!(got._1.to_vec(), FilAddress::new_id(contract_id).to_bytes());
    let out = call(&net, client, MinerClient::sectorSizeCall { miner }.abi_encode()).await;
    let size = MinerClient::sectorSizeCall::abi_decode_returns(&out).unwrap();
    assert_eq!((size._0, size._1), (I256::ZERO, 2048));
    for (addr, expected) in [(f410.to_bytes(), true), (FilAddress::new_id(99).to_bytes(), false)] {
        let ask = MinerClient::isControllingCall { miner, addr: addr.into() }.abi_encode();
        let out = call(&net, client, ask).await;
        let answer = MinerClient::isControllingCall::abi_decode_returns(&out).unwrap();
        assert_eq!((answer._0, answer._1), (I256::ZERO, expected));
    }

    // Everything but the locked create-miner deposit is available, and comes back to the
    // contract (the owner is the beneficiary) when it withdraws.
    let out = call(&net, client, MinerClient::availableBalanceCall { miner }.abi_encode()).await;
    let available = MinerClient::availableBalanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!(available._0, I256::ZERO);
    let atto = U256::from_be_slice(&available._1);
    assert!(atto > U256::ZERO && atto < U256::from(100 * FIL), "{atto}");
    let before: U256 = from_json(net.call("eth_getBalance", json!([client, "latest"])).await);
    let withdraw = MinerClient::withdrawCall { miner, amount: available._1.clone() }.abi_encode();
    execute(&net, &send(nonce + 2, 0, withdraw), false).await;
    let after: U256 = from_json(net.call("eth_getBalance", json!([client, "latest"])).await);
    assert_eq!(after - before, atto);

    // Owner-only changes go through: a new peer ID.
    let change = MinerClient::changePeerIdCall { miner, peer: vec![7u8, 7, 7].into() }.abi_encode();
    execute(&net, &send(nonce + 3, 0, change), false).await;
    let out = call(&net, client, MinerClient::peerIdCall { miner }.abi_encode()).await;
    let peer = MinerClient::peerIdCall::abi_decode_returns(&out).unwrap();
    assert_eq!((peer._0, peer._1.to_vec()), (I256::ZERO, vec![7, 7, 7]));
}
