//! `eth_getBalance`, `eth_getCode`, `eth_getStorageAt`, `eth_getTransactionCount`, with every
//! form of block parameter.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolCall;
use chain::FullNode;
use serde_json::json;
use solidity_fixtures::{Destructible, Token, initcode};

use super::*;
use crate::support::TestNet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balances_at_every_kind_of_block() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let bob = Address::repeat_byte(0xb0);
    let genesis = net.node.chain_head();
    let first = execute(&net, &eip1559(&alice, 0, Some(bob), FIL, vec![], GAS), true).await;
    let second = execute(&net, &eip1559(&alice, 1, Some(bob), 2 * FIL, vec![], GAS), true).await;
    assert!(second.height > first.height);
    let first_ts = net.node.chain_get_tipset_by_height(first.height).unwrap().unwrap();

    let balance = |block: serde_json::Value| {
        let net = &net;
        async move {
            let params = if block.is_null() { json!([bob]) } else { json!([bob, block]) };
            from_json::<U256>(net.call("eth_getBalance", params).await)
        }
    };
    let one = U256::from(FIL);
    let three = U256::from(3 * FIL);
    assert_eq!(balance(json!(qty(genesis.height() as u64))).await, U256::ZERO);
    assert_eq!(balance(json!("earliest")).await, U256::ZERO);
    assert_eq!(balance(json!(qty(first.height as u64))).await, one);
    assert_eq!(balance(json!({ "blockNumber": qty(first.height as u64) })).await, one);
    assert_eq!(balance(json!({ "blockHash": first_ts.hash })).await, one);
    assert_eq!(balance(json!({ "blockHash": first_ts.hash, "requireCanonical": true })).await, one);
    for latest in [json!("latest"), json!("pending"), json!("safe"), json!("finalized")] {
        assert_eq!(balance(latest).await, three);
    }
    assert_eq!(balance(serde_json::Value::Null).await, three, "omitted block = latest");

    // The sender paid the values plus fees.
    let at_genesis: U256 =
        from_json(net.call("eth_getBalance", json!([alice.address(), "0x0"])).await);
    assert_eq!(at_genesis, U256::from(10_000u128 * FIL));
    let now: U256 = from_json(net.call("eth_getBalance", json!([alice.address()])).await);
    assert!(now < at_genesis - three && now > at_genesis - U256::from(4 * FIL), "{now}");

    // A block beyond the head and an unknown hash: -32001.
    let future = net.error("eth_getBalance", json!([bob, qty(1_000u64)])).await;
    assert_eq!(future["code"], -32001, "{future}");
    let unknown =
        net.error("eth_getBalance", json!([bob, { "blockHash": B256::repeat_byte(7) }])).await;
    assert_eq!(unknown["code"], -32001, "{unknown}");
    let bad = net.error("eth_getBalance", json!(["0x1234", "latest"])).await;
    assert_eq!(bad["code"], -32602, "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_of_contracts_accounts_and_missing_addresses() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let before = net.node.chain_head().height();
    let supply = U256::from(1_000u64);
    let (token, deployed_at) =
        deploy(&net, &alice, initcode(&Token::BYTECODE, &Token::constructorCall { supply }), true)
            .await;

    let code = |who: Address, block: &str| {
        let net = &net;
        let block = block.to_owned();
        async move { from_json::<Bytes>(net.call("eth_getCode", json!([who, block])).await) }
    };
    assert_eq!(code(token, "latest").await, Token::DEPLOYED_BYTECODE);
    assert_eq!(code(token, &qty(deployed_at as u64)).await, Token::DEPLOYED_BYTECODE);
    assert!(code(token, &qty(before as u64)).await.is_empty(), "not deployed yet");
    // An EthAccount, a missing address, the EAM and the system actor have no code.
    assert!(code(alice.address(), "latest").await.is_empty());
    assert!(code(Address::repeat_byte(0x42), "latest").await.is_empty());
    assert!(code(address_mapping::masked_id_address(10), "latest").await.is_empty());
    assert!(code(address_mapping::masked_id_address(0), "latest").await.is_empty());
    // The contract by its masked ID.
    let id = net
        .node
        .state_get_actor(&address_mapping::eth_to_filecoin(&token).unwrap(), &net.node.chain_head())
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(
        code(address_mapping::masked_id_address(id), "latest").await,
        Token::DEPLOYED_BYTECODE
    );
    // Omitted block.
    let latest: Bytes = from_json(net.call("eth_getCode", json!([token])).await);
    assert_eq!(latest, Token::DEPLOYED_BYTECODE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_slots_of_a_token() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let supply = U256::from(123_456u64);
    let (token, deployed_at) =
        deploy(&net, &alice, initcode(&Token::BYTECODE, &Token::constructorCall { supply }), true)
            .await;
    let bob = Address::repeat_byte(0xb0);
    let transfer = Token::transferCall { to: bob, value: U256::from(6u64) }.abi_encode();
    execute(&net, &eip1559(&alice, 1, Some(token), 0, transfer, GAS), true).await;

    let storage = |who: Address, slot: String, block: Option<String>| {
        let net = &net;
        async move {
            let params = match block {
                Some(b) => json!([who, slot, b]),
                None => json!([who, slot]),
            };
            from_json::<B256>(net.call("eth_getStorageAt", params).await)
        }
    };
    // Slot 0: totalSupply, in every key spelling.
    for slot in ["0x0", "0x00", &format!("0x{}", "00".repeat(32))] {
        assert_eq!(storage(token, slot.into(), None).await, B256::from(supply), "{slot}");
    }
    // balanceOf[account] lives at keccak(account ‖ 1).
    let balance_slot = |account: Address| {
        let mut preimage = account.into_word().to_vec();
        preimage.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
        keccak256(preimage).to_string()
    };
    let latest = storage(token, balance_slot(alice.address()), Some("latest".into())).await;
    assert_eq!(latest, B256::from(supply - U256::from(6u64)));
    let bob_now = storage(token, balance_slot(bob), None).await;
    assert_eq!(bob_now, B256::from(U256::from(6u64)));
    let bob_then = storage(token, balance_slot(bob), Some(qty(deployed_at as u64))).await;
    assert_eq!(bob_then, B256::ZERO, "historical storage");
    // An unused slot, an account, a missing address: zero.
    assert_eq!(storage(token, "0x99".into(), None).await, B256::ZERO);
    assert_eq!(storage(alice.address(), "0x0".into(), None).await, B256::ZERO);
    assert_eq!(storage(Address::repeat_byte(9), "0x0".into(), None).await, B256::ZERO);
    // A key longer than 32 bytes is invalid.
    let long = format!("0x01{}", "00".repeat(32));
    let err = net.error("eth_getStorageAt", json!([token, long, "latest"])).await;
    assert_eq!(err["code"], -32602, "{err}");
    let err = net.error("eth_getStorageAt", json!([token, "0xnothex", "latest"])).await;
    assert_eq!(err["code"], -32602, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_of_accounts_contracts_and_pending_transactions() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let (token, _) = deploy(
        &net,
        &alice,
        initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(1u64) }),
        true,
    )
    .await;
    let after_deploy = net.node.chain_head().height();
    execute(&net, &eip1559(&alice, 1, Some(Address::repeat_byte(1)), 1, vec![], GAS), true).await;
    // Two more waiting in the pool.
    for nonce in [2, 3] {
        send_raw(&net, &eip1559(&alice, nonce, Some(Address::repeat_byte(1)), 1, vec![], GAS))
            .await;
    }

    let count = |who: Address, block: Option<serde_json::Value>| {
        let net = &net;
        async move {
            let params = match block {
                Some(b) => json!([who, b]),
                None => json!([who]),
            };
            from_json::<U256>(net.call("eth_getTransactionCount", params).await).to::<u64>()
        }
    };
    assert_eq!(count(alice.address(), None).await, 2);
    assert_eq!(count(alice.address(), Some(json!("latest"))).await, 2);
    assert_eq!(count(alice.address(), Some(json!("pending"))).await, 4);
    assert_eq!(count(alice.address(), Some(json!("0x0"))).await, 0);
    assert_eq!(count(alice.address(), Some(json!(qty(after_deploy as u64)))).await, 1);
    let hash = net.node.chain_get_tipset_by_height(after_deploy).unwrap().unwrap().hash;
    assert_eq!(count(alice.address(), Some(json!({ "blockHash": hash }))).await, 1);
    // A contract's CREATE nonce starts at 1; a missing address has 0, pending or not.
    assert_eq!(count(token, None).await, 1);
    assert_eq!(count(token, Some(json!("pending"))).await, 1);
    let nobody = Address::repeat_byte(0x5e);
    assert_eq!(count(nobody, None).await, 0);
    assert_eq!(count(nobody, Some(json!("pending"))).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_destructed_contract_has_no_code_storage_or_nonce() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let (contract, deployed_at) = deploy(&net, &alice, Destructible::BYTECODE.to_vec(), true).await;
    let live_code: Bytes = from_json(net.call("eth_getCode", json!([contract])).await);
    assert!(!live_code.is_empty());
    let stored: B256 = from_json(net.call("eth_getStorageAt", json!([contract, "0x0"])).await);
    assert_eq!(stored, B256::from(U256::from(1)), "`stored` = 1 after construction");

    let destroy = Destructible::destroyCall { beneficiary: alice.address() }.abi_encode();
    execute(&net, &eip1559(&alice, 1, Some(contract), 0, destroy, GAS), true).await;

    let code: Bytes = from_json(net.call("eth_getCode", json!([contract, "latest"])).await);
    assert!(code.is_empty(), "dead contracts have no code");
    let stored: B256 = from_json(net.call("eth_getStorageAt", json!([contract, "0x0"])).await);
    assert_eq!(stored, B256::ZERO);
    let nonce: U256 = from_json(net.call("eth_getTransactionCount", json!([contract])).await);
    assert_eq!(nonce, U256::ZERO);
    // Still there before it died.
    let then: Bytes =
        from_json(net.call("eth_getCode", json!([contract, qty(deployed_at as u64)])).await);
    assert_eq!(then, live_code);
}
