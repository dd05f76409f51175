//! State and block overrides on `eth_call` and `eth_estimateGas`: they change what the call
//! sees, keep nothing, and refuse what means nothing on FEVM with −32602.

use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::rpc::types::state::{AccountOverride, StateOverridesBuilder};
use alloy_primitives::{Address, B256, Bytes, U256, hex};
use alloy_sol_types::SolCall;
use serde_json::json;
use solidity_fixtures::{Counter, Env, Token, initcode};

use super::*;
use crate::support::TestNet;

fn word(n: u64) -> String {
    B256::from(U256::from(n)).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_and_code_overrides_change_only_the_call() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let supply = U256::from(1_000u64);
    let (token, _) =
        deploy(&net, &alice, initcode(&Token::BYTECODE, &Token::constructorCall { supply }), true)
            .await;
    let total_supply = hex::encode_prefixed(Token::totalSupplyCall {}.abi_encode());

    // `stateDiff` patches slot 0 (the total supply); `state` wipes the rest too.
    let patched: Bytes = from_json(
        net.call(
            "eth_call",
            json!([{ "to": token, "data": total_supply }, "latest",
                   { token.to_string(): { "stateDiff": { word(0): word(42) } } }]),
        )
        .await,
    );
    assert_eq!(U256::from_be_slice(&patched), U256::from(42u64));
    let balance =
        hex::encode_prefixed(Token::balanceOfCall { account: alice.address() }.abi_encode());
    let wiped: Bytes = from_json(
        net.call(
            "eth_call",
            json!([{ "to": token, "data": balance }, "latest", { token.to_string(): { "state": {} } }]),
        )
        .await,
    );
    assert_eq!(U256::from_be_slice(&wiped), U256::ZERO);
    // Nothing was kept.
    let slot0: B256 =
        from_json(net.call("eth_getStorageAt", json!([token, "0x0", "latest"])).await);
    assert_eq!(U256::from_be_bytes(slot0.0), supply);

    // Through alloy: Counter's code at an address that has none, with a stored count.
    let nowhere = Address::repeat_byte(0x42);
    let overrides = StateOverridesBuilder::default()
        .append(
            nowhere,
            AccountOverride::default()
                .with_code(Counter::DEPLOYED_BYTECODE.clone())
                .with_state_diff([(B256::ZERO, B256::from(U256::from(7u64)))]),
        )
        .build();
    let provider = ProviderBuilder::new().connect_http(net.url.parse().unwrap());
    let request = TransactionRequest::default()
        .to(nowhere)
        .input(Counter::incrementCall {}.abi_encode().into());
    let out = provider.call(request).overrides(overrides).await.unwrap();
    assert_eq!(Counter::incrementCall::abi_decode_returns(&out).unwrap(), U256::from(8u64));
    let code: Bytes = from_json(net.call("eth_getCode", json!([nowhere, "latest"])).await);
    assert!(code.is_empty(), "the override was not kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balance_overrides_let_a_poor_sender_call_and_estimate() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let (env, _) = deploy(&net, &alice, Env::BYTECODE.to_vec(), true).await;
    let poor = Address::repeat_byte(0x99);
    let pay = json!({ "from": poor, "to": env, "value": "0x3e8",
                      "data": hex::encode_prefixed(Env::callValueCall {}.abi_encode()) });
    let rich = json!({ poor.to_string(): { "balance": qty(FIL) } });

    let err = net.error("eth_estimateGas", json!([pay, "latest"])).await;
    assert_eq!(err, json!({ "code": -32000, "message": "insufficient funds for transfer" }));
    let gas: U256 = from_json(net.call("eth_estimateGas", json!([pay, "latest", rich])).await);
    assert!(gas > U256::ZERO);
    let out: Bytes = from_json(net.call("eth_call", json!([pay, "latest", rich])).await);
    assert_eq!(U256::from_be_slice(&out), U256::from(1_000u64));

    // BALANCE sees the override too.
    let balance_of = hex::encode_prefixed(Env::balanceOfCall { account: poor }.abi_encode());
    let out: Bytes = from_json(
        net.call("eth_call", json!([{ "to": env, "data": balance_of }, "latest", rich])).await,
    );
    assert_eq!(U256::from_be_slice(&out), U256::from(FIL));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_overrides_and_refusals() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let (env, _) = deploy(&net, &alice, Env::BYTECODE.to_vec(), true).await;
    let number =
        json!({ "to": env, "data": hex::encode_prefixed(Env::blockNumberCall {}.abi_encode()) });
    let out: Bytes = from_json(
        net.call("eth_call", json!([number, "latest", {}, { "number": "0x3e8", "time": "0x10" }]))
            .await,
    );
    assert_eq!(U256::from_be_slice(&out), U256::from(1_000u64));

    let refused = [
        (json!([number, "latest", null, { "coinbase": Address::repeat_byte(1) }]), "coinbase"),
        (
            json!([number, "latest", { env.to_string(): { "state": {}, "stateDiff": {} } }]),
            "both 'state' and 'stateDiff'",
        ),
        (
            json!([number, "latest", { "0xff000000000000000000000000000000000f4240": { "code": "0x00" } }]),
            "no actor has that address",
        ),
        (
            json!([number, "latest", { "0xff00000000000000000000000000000000000000": { "code": "0x00" } }]),
            "runs no EVM code",
        ),
    ];
    for (params, expected) in refused {
        let err = net.error("eth_call", params).await;
        assert_eq!(err["code"], -32602, "{err}");
        assert!(err["message"].as_str().unwrap().contains(expected), "{err}");
    }
}
